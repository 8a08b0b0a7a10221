// Package conversation is examdesk's conversation pipeline, the same for
// every transport: it takes the updates recorded in the inbox chat by
// chat, routes each to the administrators' console or to the candidates'
// dialog, steps the conversation, renders the reply into the outbox,
// commits the new state together with the outbox, then sends the outbox
// through the transport, at the chat's pace, and applies the reply's
// effect on the user's subscription. The transport (Telegram in package
// bot, the terminal in examdesk chat) renders and sends; the pipeline
// knows neither.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"examdesk"
	"examdesk/dialog"
	"examdesk/inbox"
)

// Entry is one entry of a chat's outbox: one thing to do, in order, once
// a reply is committed. Exactly one of Message, Callback, Menu,
// Subscription and Photo is set. Entries are kept in the inbox as JSON
// until they are done.
type Entry struct {
	// Update is the id of the update the entry answers, for the logs.
	Update int64 `json:"update,omitempty"`
	// Chat is where a message goes, whose menu is set, or whose
	// subscription changes; 0 for a button's answer.
	Chat int64 `json:"chat,omitempty"`
	// Lang is the reply's language, for the apology that replaces a
	// message the transport refuses.
	Lang string `json:"lang"`
	// Message is a message to send.
	Message *Message `json:"message,omitempty"`
	// Callback is the id of the pressed button to answer, with Notice
	// shown as a toast ("" for none).
	Callback string `json:"callback,omitempty"`
	Notice   string `json:"notice,omitempty"`
	// Menu is the language of the command menu to set for Chat, a
	// private chat.
	Menu string `json:"menu,omitempty"`
	// Subscription is the reply's effect on the subscription of Chat, a
	// private chat, applied with broadcast.Apply.
	Subscription *dialog.Subscription `json:"subscription,omitempty"`
	// Photo is a part of the answer to a picture Chat's user sent.
	Photo *Photo `json:"photo,omitempty"`
}

// Message is a message rendered in the transport's markup, with the
// buttons under it.
type Message struct {
	// Text is the message, in the transport's markup.
	Text string `json:"text"`
	// Keyboard is the buttons under the message, row by row; nil for
	// none.
	Keyboard [][]Button `json:"keyboard,omitempty"`
}

// Button is a button under a message that sends Data back when pressed.
type Button struct {
	// Text is the button's label, in plain text.
	Text string `json:"text"`
	// Data is what the transport sends back when the button is pressed:
	// the option's step and value, in the transport's encoding.
	Data string `json:"data"`
}

// Transport is a messenger the pipeline talks through: it renders
// replies in its markup and sends what the outbox holds. Its methods are
// safe for concurrent use.
//
// Render renders a reply's messages, in order. Notice renders a reply's
// notice as the plain text of a pressed button's answer, "" when it has
// none. Menu returns the language of the command menu to set for a
// private chat whose user, with the app language code, chose lang (with
// /start, /lang or a language button), or "" when the menus every user
// sees already speak it or the transport has none.
//
// Send sends a message to chat. Apologize sends chat the short apology in
// lang, in plain text, for a message refused. SetMenu sets the command
// menu of chat in lang. Their errors say what to do next: errors.Is(err,
// ErrBlocked) when the user blocked the bot; errors.Is(err, ErrRejected)
// when the transport refuses the message for good; a *RetryAfterError when
// the messenger asks to wait before sending to the chat again (nothing
// was sent); any other error is transient (a network error, a 5xx), and
// the message may or may not have been delivered. They do not wait to
// retry: the pipeline does, without holding a worker. Answer answers the
// pressed button callback, with notice as a toast; its errors are only
// logged (a button's answer is worth little late).
type Transport interface {
	Render(r dialog.Reply) []Message
	Notice(r dialog.Reply) string
	Menu(code, lang string) string

	Send(ctx context.Context, chat int64, m Message) error
	Apologize(ctx context.Context, chat int64, lang string) error
	Answer(ctx context.Context, callback, notice string) error
	SetMenu(ctx context.Context, chat int64, lang string) error
}

// Errors of a Transport's Send.
var (
	// ErrBlocked: the user blocked the bot (or deleted their account); the
	// chat gets no more messages until its user writes again.
	ErrBlocked = errors.New("conversation: the user blocked the bot")
	// ErrRejected: the transport refuses the message itself, and sending
	// it again would not help; the user gets the apology instead.
	ErrRejected = errors.New("conversation: message refused")
)

// RetryAfterError is a Transport's error when the messenger refused to
// send for now (Telegram's 429) and asks to wait After.
type RetryAfterError struct{ After time.Duration }

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("conversation: too many requests, retry after %v", e.After)
}

// Stepper steps a conversation: dialog.Engine.
type Stepper interface {
	Step(st dialog.State, in dialog.Input) (dialog.State, dialog.Reply)
}

// Console answers the administrators' commands: admin.Console. Handle
// reports false for an input that is for the candidates' dialog.
type Console interface {
	IsAdmin(user int64) bool
	Handle(ctx context.Context, key examdesk.Key, lang string, in dialog.Input) (r dialog.Reply, ok bool, err error)
}

// Metrics count what the pipeline does; bot.Metrics is one. Their
// methods must not block.
type Metrics interface {
	// Handled is told of an update handled, and of how long it took from
	// its claim to its outbox sent.
	Handled(d time.Duration)
	// StoreError is told of a failed operation of the inbox or of the
	// subscribers.
	StoreError()
	// Deferred is told of a chat given up until later, and why.
	Deferred(cause inbox.Cause)
	// GaveUp is told of a message given up after failing for
	// Options.GiveUp.
	GaveUp()
}
