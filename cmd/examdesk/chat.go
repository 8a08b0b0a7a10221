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
	"strconv"
	"strings"

	"examdesk/bot"
	"examdesk/dialog"
)

// runChat talks to the bot in the terminal: what the user types goes to the
// same engine that serves Telegram, options are numbered and can be
// answered by number. It reads a terminal or a pipe and returns at the end
// of input.
func runChat(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "en", "language: zh-Hant, zh-Hans or en")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return usageError("chat: unexpected argument %q", fs.Arg(0))
	}
	l, ok := dialog.ParseLanguage(*lang)
	if !ok {
		return usageError("chat: --lang %q: want one of %s", *lang, strings.Join(dialog.Languages, ", "))
	}
	*lang = l
	log := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := newApp(ctx, getenv, log)
	if err != nil {
		return err
	}
	defer a.Close()

	t := &terminal{app: a, out: stdout, lang: *lang, key: dialog.Key{Chat: 1, User: 1}}
	if err := t.send(ctx, dialog.Input{Text: "/start"}); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if err := t.send(ctx, t.input(line)); err != nil {
			return err
		}
	}
	return sc.Err()
}

// terminal is one conversation in the terminal.
type terminal struct {
	app     *app
	out     io.Writer
	lang    string
	key     dialog.Key
	options []dialog.Option // offered with the last message
}

// input reads a line: the number of an option offered with the last
// message picks it, anything else is text.
func (t *terminal) input(line string) dialog.Input {
	in := dialog.Input{Text: line, LanguageCode: t.lang}
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(t.options) {
		o := t.options[n-1]
		in = dialog.Input{Pick: &dialog.Pick{Value: o.Value, Step: o.Step}, LanguageCode: t.lang}
	}
	return in
}

func (t *terminal) send(ctx context.Context, in dialog.Input) error {
	in.LanguageCode = t.lang
	r, err := t.app.engine.Handle(ctx, t.app.store, t.key, in)
	if err != nil {
		return err
	}
	if r.Subscription != nil && r.Subscription.Op == dialog.Forget {
		// As serve does, after the state is saved: /forget deletes it.
		// The terminal's user is nobody on Telegram: nothing else makes
		// them a subscriber, who would count in broadcasts.
		if err := bot.ApplySubscription(ctx, t.app.store.Subscribers(), t.key.Chat, *r.Subscription); err != nil {
			return err
		}
	}
	t.options = nil
	for _, m := range r.Messages {
		fmt.Fprintf(t.out, "%s\n", t.render(r.Lang, m.Text))
		for i, o := range m.Options {
			fmt.Fprintf(t.out, "  %d) %s\n", i+1, t.render(r.Lang, o.Label))
		}
		if len(m.Options) > 0 {
			t.options = m.Options
		}
		fmt.Fprintln(t.out)
	}
	return nil
}

var tag = regexp.MustCompile(`</?[a-z]+>`)

// render renders a text as plain terminal text: the messages are HTML for
// Telegram (see plainText).
func (t *terminal) render(lang string, txt dialog.Text) string {
	return plainText(dialog.Render(t.app.catalog, lang, txt, html.EscapeString))
}
