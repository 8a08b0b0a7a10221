package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"examdesk/conversation"
	"examdesk/dialog"
)

// Transport is Telegram for the conversation pipeline: it renders replies
// in Telegram's HTML, with inline keyboards, and sends them with a Sender.
// Its sender should make one attempt per call (SenderOptions.Attempts 1):
// the pipeline waits out a 429 and retries a failure itself, without
// holding a worker.
type Transport struct {
	sender *Sender
	tr     dialog.Translator
	admins map[int64]bool
	opts   TransportOptions
}

// TransportOptions tune a Transport.
type TransportOptions struct {
	// Admins are the administrators: the menu of their private chat is
	// their own (Sender.SetAdminMenu), whatever language they choose.
	Admins []int64
	// Dashboard, if set, is the address of the dashboard in a language,
	// "" for none: an administrator's menu button opens it.
	Dashboard func(lang string) string
}

var _ conversation.Transport = (*Transport)(nil)

// NewTransport returns the transport rendering with tr and sending with s.
func NewTransport(s *Sender, tr dialog.Translator, o TransportOptions) *Transport {
	t := &Transport{sender: s, tr: tr, admins: make(map[int64]bool, len(o.Admins)), opts: o}
	for _, id := range o.Admins {
		t.admins[id] = true
	}
	return t
}

// Render renders r as Render does.
func (t *Transport) Render(r dialog.Reply) []conversation.Message { return Render(t.tr, r) }

// Notice renders r's notice as Notice does.
func (t *Transport) Notice(r dialog.Reply) string { return Notice(t.tr, r) }

// Menu returns lang when the bot-wide menu that a user with the app
// language code sees speaks another language (see SetCommands), else "".
func (t *Transport) Menu(code, lang string) string {
	if lang == menuLanguage(code) {
		return ""
	}
	return lang
}

// Send sends m to chat. Its errors are as conversation.Transport says: a
// 403 satisfies errors.Is(err, conversation.ErrBlocked), a 400
// errors.Is(err, conversation.ErrRejected), a 429 is a
// *conversation.RetryAfterError with its retry_after (at least a second);
// anything else is transient.
func (t *Transport) Send(ctx context.Context, chat int64, m conversation.Message) error {
	return t.conversationError(t.sender.Send(ctx, chat, m))
}

// conversationError is err, an error of the sender, as
// conversation.Transport tells errors.
func (t *Transport) conversationError(err error) error {
	var apiErr *APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrBlocked):
		return fmt.Errorf("%w: %w", conversation.ErrBlocked, err)
	case errors.As(err, &apiErr) && apiErr.Code == http.StatusTooManyRequests:
		return &conversation.RetryAfterError{After: max(apiErr.RetryAfter, t.sender.opts.Second)}
	case errors.As(err, &apiErr) && apiErr.Code == http.StatusBadRequest:
		return fmt.Errorf("%w: %w", conversation.ErrRejected, err)
	}
	return err
}

// Apologize sends chat the apology in lang (Sender.SendApology); its
// errors are Send's.
func (t *Transport) Apologize(ctx context.Context, chat int64, lang string) error {
	return t.conversationError(t.sender.SendApology(ctx, chat, lang))
}

// Answer answers a pressed button (Sender.AnswerCallback).
func (t *Transport) Answer(ctx context.Context, callback, notice string) error {
	return t.sender.AnswerCallback(ctx, callback, notice)
}

// SetMenu sets chat's command menu in lang (Sender.SetChatCommands); an
// administrator's is theirs, with the dashboard's button
// (Sender.SetAdminMenu): the candidates' would hide their commands. Its
// errors are Send's.
func (t *Transport) SetMenu(ctx context.Context, chat int64, lang string) error {
	if t.admins[chat] {
		dashboard := ""
		if t.opts.Dashboard != nil {
			dashboard = t.opts.Dashboard(lang)
		}
		return t.conversationError(t.sender.SetAdminMenu(ctx, chat, lang, dashboard))
	}
	return t.conversationError(t.sender.SetChatCommands(ctx, chat, lang))
}
