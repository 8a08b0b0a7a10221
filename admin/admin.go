// Package admin is the administrators' console in Telegram: the commands
// that only the users named in EXAMDESK_ADMINS may give (the exam calendar,
// broadcasts), and the options those commands offer. Anyone else who types
// such a command is answered by the candidates' dialog, as if the command
// did not exist. Like dialog, it speaks in message keys and knows nothing of
// Telegram or Redis: commands reach their data through interfaces.
package admin

import (
	"context"
	"strings"

	"examdesk"
	"examdesk/dialog"
)

// Request is one thing an administrator sent to a command of the console.
type Request struct {
	Chat, User int64
	// Lang is the administrator's language, one of examdesk.Languages.
	Lang string
	// Arg is what follows the command's name ("/calendar list" → "list");
	// empty for a pick or a plain text.
	Arg string
	// Text is a plain text (no command) that a command asked for.
	Text string
	// Pick is a pressed option of the command, its Value without the
	// command's prefix.
	Pick *dialog.Pick
}

// Command is one administrator command.
//
// Handle answers a request: the command itself ("/name arg"), a pick of an
// option it offered (whose Value it made with Value), or a plain text when
// Awaits said it waits for one. A mistake of the administrator is answered
// with a localized message, not an error; an error is a failure of the
// system (Redis down), answered with an apology, and Handle must then have
// changed nothing.
type Command interface {
	Name() string
	Handle(ctx context.Context, r Request) (dialog.Reply, error)
}

// Awaiter is a Command that may wait for an administrator's next plain
// text (the text of a notice).
type Awaiter interface {
	Command
	Awaits(ctx context.Context, user int64) (bool, error)
}

// Value returns the value of an option of command name: Values are kept
// apart from the dialog's own options by their prefix. Together with the
// name, v should stay within dialog.Option's 24 bytes.
func Value(name, v string) string { return "!" + name + ":" + v }

// Console routes the administrators' requests to their commands.
type Console struct {
	admins   map[int64]bool
	commands map[string]Command
	order    []Command
}

// New returns a console for the users admins, with commands.
func New(admins []int64, commands ...Command) *Console {
	c := &Console{admins: make(map[int64]bool, len(admins)), commands: make(map[string]Command, len(commands)), order: commands}
	for _, id := range admins {
		c.admins[id] = true
	}
	for _, cmd := range commands {
		c.commands[cmd.Name()] = cmd
	}
	return c
}

// IsAdmin reports whether user is an administrator.
func (c *Console) IsAdmin(user int64) bool { return c != nil && c.admins[user] }

// Handle answers in when it is for the console: from an administrator, and
// one of its commands, a pick of one of their options, or a text a command
// awaits. ok is false when in is for the candidates' dialog.
func (c *Console) Handle(ctx context.Context, key examdesk.Key, lang string, in dialog.Input) (r dialog.Reply, ok bool, err error) {
	if !c.IsAdmin(key.User) {
		return dialog.Reply{}, false, nil
	}
	req := Request{Chat: key.Chat, User: key.User, Lang: lang}
	var cmd Command
	switch text := strings.TrimSpace(in.Text); {
	case in.Pick != nil:
		name, v, found := strings.Cut(strings.TrimPrefix(in.Pick.Value, "!"), ":")
		if !strings.HasPrefix(in.Pick.Value, "!") || !found {
			return dialog.Reply{}, false, nil
		}
		if cmd = c.commands[name]; cmd == nil {
			return dialog.Reply{}, false, nil
		}
		req.Pick = &dialog.Pick{Value: v, Step: in.Pick.Step}
	case strings.HasPrefix(text, "/"):
		name, arg, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
		name, _, _ = strings.Cut(name, "@")
		if cmd = c.commands[strings.ToLower(name)]; cmd == nil {
			return dialog.Reply{}, false, nil
		}
		req.Arg = strings.TrimSpace(arg)
	default:
		for _, cand := range c.order {
			a, isAwaiter := cand.(Awaiter)
			if !isAwaiter {
				continue
			}
			waits, err := a.Awaits(ctx, key.User)
			if err != nil {
				return dialog.Reply{}, true, err
			}
			if waits {
				cmd = cand
				break
			}
		}
		if cmd == nil {
			return dialog.Reply{}, false, nil
		}
		req.Text = in.Text
	}
	r, err = cmd.Handle(ctx, req)
	if r.Lang == "" {
		r.Lang = lang
	}
	return r, true, err
}
