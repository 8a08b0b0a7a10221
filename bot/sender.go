package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk"
	"examdesk/dialog"
)

// ErrBlocked means Telegram forbids the bot to write to the chat (403): the
// user blocked the bot or deleted their account, or the bot was removed
// from the group. Retrying does not help; the user is inactive until they
// write again.
var ErrBlocked = errors.New("bot: forbidden to write to the chat")

// APIError is an error answered by the Bot API that retrying does not cure
// (or did not, for 429 and 5xx). It satisfies errors.Is(err, ErrBlocked)
// when Code is 403, and unwraps to the error of the go-telegram/bot library
// (so errors.Is(err, bot.ErrorBadRequest) holds for a 400).
type APIError struct {
	// Method is the Bot API method called ("sendMessage").
	Method string
	// Code is Telegram's error_code, which is also the HTTP status.
	Code int
	// Description is Telegram's description of the error.
	Description string
	// RetryAfter is, for a 429, how long Telegram asks to wait.
	RetryAfter time.Duration

	err error
}

// Error names the method and gives Telegram's code and description.
func (e *APIError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// Unwrap returns the library's error.
func (e *APIError) Unwrap() error { return e.err }

// Is reports a 403 as ErrBlocked.
func (e *APIError) Is(target error) bool {
	return target == ErrBlocked && e.Code == http.StatusForbidden
}

// SenderOptions tune a Sender's retries; a zero field takes its default.
type SenderOptions struct {
	// Attempts bounds the calls made for one request, the first included
	// (default 4).
	Attempts int
	// Backoff is the wait before the first retry after a network error or a
	// 5xx; each further retry waits twice as long (default 500 ms).
	Backoff time.Duration
	// MaxRetryAfter is the longest retry_after of a 429 that the sender
	// waits out; a longer one is returned as an *APIError at once
	// (default 60 s).
	MaxRetryAfter time.Duration
	// CallTimeout bounds one call; a call that takes longer counts as a
	// network error (default 20 s).
	CallTimeout time.Duration
	// Second is how long a second of a 429's retry_after lasts (default
	// time.Second); tests shorten it to wait out long ones quickly.
	Second time.Duration
	// Spend, if set, is called before each sendMessage call, without
	// waiting: the broadcast rate limiter counts replies with it, so that
	// broadcasts make room for them. It must not block.
	Spend func()
	// TooMany, if set, is told of every 429 and its retry_after before
	// the sender waits it out: Telegram's flood limit is the bot's, so
	// the broadcasts slow down too.
	TooMany func(ctx context.Context, retryAfter time.Duration)
	// Files, if set, is the HTTP client that downloads files (Download);
	// default http.DefaultClient.
	Files tg.HttpClient
}

// Sender sends messages and callback answers through the Bot API. It is
// safe for concurrent use.
//
// A 429 is waited out (retry_after, within ctx) and retried; a network
// error or a 5xx is retried after a growing backoff; either at most
// Attempts times in all. A 403 is returned as an error satisfying
// errors.Is(err, ErrBlocked); any other error answered by Telegram as an
// *APIError, logged with its method and description (never the text
// sent). Every error Telegram answers counts in
// examdesk_botapi_errors_total{method,code}.
type Sender struct {
	api     *tg.Bot
	tr      dialog.Translator
	log     *slog.Logger
	metrics *Metrics
	opts    SenderOptions
}

// NewSender returns a Sender calling the Bot API through api, rendering
// the apology with tr, logging to log and counting errors in m (nil
// counts nothing).
func NewSender(api *tg.Bot, tr dialog.Translator, log *slog.Logger, m *Metrics, o SenderOptions) *Sender {
	if o.Attempts <= 0 {
		o.Attempts = 4
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = time.Minute
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 20 * time.Second
	}
	if o.Second <= 0 {
		o.Second = time.Second
	}
	return &Sender{api: api, tr: tr, log: log, metrics: m, opts: o}
}

// Send sends o to chatID, in HTML without link previews.
func (s *Sender) Send(ctx context.Context, chatID int64, o Outgoing) error {
	_, err := s.SendMessage(ctx, chatID, o)
	return err
}

// SendMessage sends o to chatID like Send, and returns the id of the
// message sent, to edit it later with Edit.
func (s *Sender) SendMessage(ctx context.Context, chatID int64, o Outgoing) (int, error) {
	p := &tg.SendMessageParams{
		ChatID:             chatID,
		Text:               o.Text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	}
	if len(o.Keyboard) > 0 {
		p.ReplyMarkup = inlineKeyboard(o.Keyboard)
	}
	var id int
	err := s.call(ctx, "sendMessage", func(ctx context.Context) error {
		s.spend()
		m, err := s.api.SendMessage(ctx, p)
		if err == nil && m != nil {
			id = m.ID
		}
		return err
	})
	return id, err
}

// SendApology sends chatID the apology for a failure (message
// "error.apology") in lang, as plain text: it must go through even when
// the failure was the markup of a message.
func (s *Sender) SendApology(ctx context.Context, chatID int64, lang string) error {
	p := &tg.SendMessageParams{
		ChatID:             chatID,
		Text:               Plain(s.tr, lang, dialog.T("error.apology")),
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	}
	return s.call(ctx, "sendMessage", func(ctx context.Context) error {
		s.spend()
		_, err := s.api.SendMessage(ctx, p)
		return err
	})
}

// AnswerCallback answers callback query id, stopping the button's progress
// indicator, with text shown as a toast ("" for none). Text is plain text,
// cut to MaxNoticeLength.
func (s *Sender) AnswerCallback(ctx context.Context, id string, text string) error {
	p := &tg.AnswerCallbackQueryParams{CallbackQueryID: id, Text: truncate(text, MaxNoticeLength)}
	return s.call(ctx, "answerCallbackQuery", func(ctx context.Context) error {
		_, err := s.api.AnswerCallbackQuery(ctx, p)
		return err
	})
}

func (s *Sender) spend() {
	if s.opts.Spend != nil {
		s.opts.Spend()
	}
}

// call makes a Bot API call with do, retrying as Sender promises.
func (s *Sender) call(ctx context.Context, method string, do func(context.Context) error) error {
	backoff := s.opts.Backoff
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, s.opts.CallTimeout)
		err := do(callCtx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("telegram %s: %w", method, err)
		}
		a := answerOf(err, s.opts.Second)
		if a.code != 0 {
			s.metrics.apiError(method, a.code)
		}
		apiErr := &APIError{Method: method, Code: a.code, Description: a.description, RetryAfter: a.retryAfter, err: err}
		last := attempt >= s.opts.Attempts
		var wait time.Duration
		switch {
		case a.code == http.StatusTooManyRequests:
			wait = max(a.retryAfter, s.opts.Second)
			if s.opts.TooMany != nil {
				s.opts.TooMany(ctx, wait)
			}
			if last || wait > s.opts.MaxRetryAfter || !before(ctx, wait) {
				return apiErr
			}
		case a.code == 0 || a.code >= 500:
			if last {
				if a.code == 0 {
					return fmt.Errorf("telegram %s: %d attempts: %w", method, attempt, err)
				}
				return apiErr
			}
			wait, backoff = backoff, 2*backoff
		case a.code == http.StatusForbidden:
			return apiErr
		default:
			s.log.Warn("telegram refused a call", "method", method, "code", a.code, "description", a.description)
			return apiErr
		}
		s.log.Debug("retrying telegram call", "method", method, "code", a.code, "attempt", attempt, "wait", wait)
		if err := examdesk.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("telegram %s: waiting to retry: %w", method, err)
		}
	}
}

// answer is what Telegram answered to a failed call.
type answer struct {
	code        int // error_code; 0 when Telegram's answer never came
	description string
	retryAfter  time.Duration
}

// answerOf reads an error of the go-telegram/bot library, with a
// retry_after of so many seconds. The library keeps the error code only
// as a sentinel error (or, for codes it does not know, in the text) and
// the description only in the text, so both are read back from there.
func answerOf(err error, second time.Duration) answer {
	var tooMany *tg.TooManyRequestsError
	var migrate *tg.MigrateError
	switch {
	case errors.As(err, &tooMany):
		return answer{
			code:        http.StatusTooManyRequests,
			description: after(tooMany.Message, tg.ErrorTooManyRequests.Error()+", "),
			retryAfter:  time.Duration(tooMany.RetryAfter) * second,
		}
	case errors.As(err, &migrate):
		return answer{code: http.StatusBadRequest, description: after(migrate.Message, tg.ErrorBadRequest.Error()+": ")}
	}
	for _, c := range []struct {
		sentinel error
		code     int
	}{
		{tg.ErrorForbidden, http.StatusForbidden},
		{tg.ErrorBadRequest, http.StatusBadRequest},
		{tg.ErrorUnauthorized, http.StatusUnauthorized},
		{tg.ErrorNotFound, http.StatusNotFound},
		{tg.ErrorConflict, http.StatusConflict},
	} {
		if errors.Is(err, c.sentinel) {
			return answer{code: c.code, description: after(err.Error(), c.sentinel.Error()+", ")}
		}
	}
	// "error response from telegram for method sendMessage, 502 Bad Gateway"
	const prefix = "error response from telegram for method "
	if rest, ok := strings.CutPrefix(err.Error(), prefix); ok {
		if _, rest, ok = strings.Cut(rest, ", "); ok {
			num, desc, _ := strings.Cut(rest, " ")
			if code, err := strconv.Atoi(num); err == nil && code > 0 {
				return answer{code: code, description: desc}
			}
		}
	}
	return answer{}
}

// after returns s after prefix, or s when it does not start with it.
func after(s, prefix string) string {
	rest, _ := strings.CutPrefix(s, prefix)
	return rest
}

// before reports whether ctx allows waiting d.
func before(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// truncate cuts s to at most n UTF-16 code units, at a rune boundary.
func truncate(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// replyMarkup is an inline keyboard of callback buttons, serialised exactly
// as the Bot API documents it. models.InlineKeyboardMarkup is not used: its
// buttons always carry "copy_text":{"text":""} (a struct field, which
// omitempty never omits), and Telegram may take that for a copy-text button
// with an empty text and answer BUTTON_COPY_TEXT_INVALID.
type replyMarkup struct {
	InlineKeyboard [][]callbackButton `json:"inline_keyboard"`
}

type callbackButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

func inlineKeyboard(rows [][]Button) *replyMarkup {
	m := &replyMarkup{InlineKeyboard: make([][]callbackButton, len(rows))}
	for i, row := range rows {
		m.InlineKeyboard[i] = make([]callbackButton, len(row))
		for j, b := range row {
			m.InlineKeyboard[i][j] = callbackButton{Text: b.Text, CallbackData: b.Data}
		}
	}
	return m
}
