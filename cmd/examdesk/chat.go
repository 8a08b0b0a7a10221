package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"examdesk"
	"examdesk/conversation"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/redisstore"
)

// runChat talks to the bot in the terminal: what the user types goes
// through the same conversation pipeline that serves Telegram, options are
// numbered and can be answered by number. It reads a terminal or a pipe
// and returns at the end of input.
//
// The conversation is kept in an embedded Redis of its own, even with
// REDIS_URL set (whose exam calendar the dates are answered from): the
// terminal's user is nobody on Telegram, so it never subscribes, and no
// serve sharing that Redis takes its updates.
func runChat(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", examdesk.English, "language: zh-Hant, zh-Hans or en")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return usageError("chat: unexpected argument %q", fs.Arg(0))
	}
	l, ok := dialog.ParseLanguage(*lang)
	if !ok {
		return usageError("chat: --lang %q: want one of %s", *lang, strings.Join(examdesk.Languages, ", "))
	}
	*lang = l
	log := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := newApp(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer a.Close()
	store := a.store
	if getenv("REDIS_URL") != "" {
		var stop func() error
		if store, stop, err = redisstore.OpenEmbedded(ctx); err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		defer stop()
	}
	queue, err := store.Inbox()
	if err != nil {
		return err
	}

	t := &terminal{out: stdout, tr: a.catalog}
	c := &terminalChat{lang: *lang, queue: queue, pipeline: conversation.New(queue, a.engine, t, conversation.Options{Log: log})}
	if err := c.send(ctx, dialog.Input{Text: "/start"}); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := c.send(ctx, t.input(line)); err != nil {
			return err
		}
	}
	return sc.Err()
}

// terminalChat is the terminal's one conversation, chat 1 of user 1.
type terminalChat struct {
	lang     string
	queue    inbox.Queue
	pipeline *conversation.Pipeline
	last     int64 // the id of the last update
}

// send records in as the user's next update and has the pipeline answer
// it.
func (c *terminalChat) send(ctx context.Context, in dialog.Input) error {
	c.last++
	in.LanguageCode = c.lang
	if _, err := c.queue.Add(ctx, []inbox.Update{{ID: c.last, Chat: 1, User: 1, Input: in}}); err != nil {
		return err
	}
	return c.pipeline.HandleReady(ctx)
}

// terminal is the terminal as a conversation.Transport: messages in plain
// text, each followed by its options, numbered; the options of the last
// message that had any can be picked by number.
type terminal struct {
	out     io.Writer
	tr      dialog.Translator
	options []conversation.Button // offered with the last message
}

// input reads a line: the number of an option offered with the last
// message picks it, anything else is text. The options are then used up.
func (t *terminal) input(line string) dialog.Input {
	in := dialog.Input{Text: line}
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(t.options) {
		if p, ok := decodePick(t.options[n-1].Data); ok {
			in = dialog.Input{Pick: &p}
		}
	}
	t.options = nil
	return in
}

// Render renders each message of r with its options, a button a row.
func (t *terminal) Render(r dialog.Reply) []conversation.Message {
	out := make([]conversation.Message, 0, len(r.Messages))
	for _, m := range r.Messages {
		o := conversation.Message{Text: t.render(r.Lang, m.Text)}
		for _, opt := range m.Options {
			o.Keyboard = append(o.Keyboard, []conversation.Button{{Text: t.render(r.Lang, opt.Label), Data: encodePick(opt.Step, opt.Value)}})
		}
		out = append(out, o)
	}
	return out
}

// Notice is "": the terminal has no buttons to answer.
func (t *terminal) Notice(dialog.Reply) string { return "" }

// Menu is "": the terminal has no command menu.
func (t *terminal) Menu(code, lang string) string { return "" }

// Send prints m and its options, numbered, then a blank line.
func (t *terminal) Send(_ context.Context, _ int64, m conversation.Message) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", m.Text)
	options := slices.Concat(m.Keyboard...)
	for i, o := range options {
		fmt.Fprintf(&b, "  %d) %s\n", i+1, o.Text)
	}
	if len(options) > 0 {
		t.options = options
	}
	b.WriteString("\n")
	_, err := io.WriteString(t.out, b.String())
	return err
}

// Apologize prints the apology.
func (t *terminal) Apologize(_ context.Context, _ int64, lang string) error {
	_, err := fmt.Fprintf(t.out, "%s\n\n", t.render(lang, dialog.T("error.apology")))
	return err
}

// Answer does nothing: the terminal has no buttons to answer.
func (t *terminal) Answer(context.Context, string, string) error { return nil }

// SetMenu does nothing: the terminal has no command menu.
func (t *terminal) SetMenu(context.Context, int64, string) error { return nil }

// encodePick is the data of an option's button: "<step>|<value>".
func encodePick(step int64, value string) string { return strconv.FormatInt(step, 10) + "|" + value }

func decodePick(data string) (dialog.Pick, bool) {
	step, value, ok := strings.Cut(data, "|")
	n, err := strconv.ParseInt(step, 10, 64)
	return dialog.Pick{Step: n, Value: value}, ok && err == nil
}

var tag = regexp.MustCompile(`</?[a-z]+>`)

// render renders a text as plain terminal text: the messages are HTML for
// Telegram (see plainText).
func (t *terminal) render(lang string, txt dialog.Text) string {
	return plainText(dialog.Render(t.tr, lang, txt, html.EscapeString))
}
