package bot_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"examdesk/bot"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/locales"
	"examdesk/rules"
)

// realEngine returns the engine on the embedded rules, FAQ and messages,
// with the messages.
func realEngine(t *testing.T) (*dialog.Engine, *locales.Catalog) {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	topics, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	e, err := dialog.New(set, topics, catalog)
	if err != nil {
		t.Fatal(err)
	}
	return e, catalog
}

// TestEngineReplies walks the real engine, with the real rules, FAQ and
// messages, from a state whose step is 10^15, and checks every reply it
// gives: each option becomes a button whose callback data fits and decodes
// to the option, each text fits, and Telegram (the fake Bot API, parsing
// HTML as Telegram does) takes every text.
func TestEngineReplies(t *testing.T) {
	t.Parallel()
	e, catalog := realEngine(t)
	f := newFake(t)
	texts := []string{"/start", "/help", "/lang", "/check", "/back", "/restart", "/cancel", "/start check",
		"/nosuch", "/photo", "3", "0.5", "yes", "no", "2", "banana", "", "how do I register?", "照片", "<b>&amp;"}
	codes := []string{"en", "zh-TW", "zh-CN"}
	rng := rand.New(rand.NewPCG(1, 2))
	sent := map[string]bool{}
	results := 0 // replies that give the result of a check
	for walk := range 150 {
		code := codes[walk%len(codes)]
		st := dialog.State{Step: 1e15 - 1}
		var offered []dialog.Option
		for range 40 {
			in := dialog.Input{LanguageCode: code}
			if len(offered) > 0 && rng.IntN(10) < 7 {
				o := offered[rng.IntN(len(offered))]
				in.Pick = &dialog.Pick{Step: o.Step, Value: o.Value}
			} else {
				in.Text = texts[rng.IntN(len(texts))]
			}
			var r dialog.Reply
			st, r = e.Step(st, in)
			out := bot.Render(catalog, r)
			checkReply(t, r, out)
			for _, o := range out {
				if sent[o.Text] {
					continue
				}
				sent[o.Text] = true
				if err := f.sender.Send(context.Background(), 42, o); err != nil {
					t.Errorf("Send(%q) = %v", o.Text, err)
				}
			}
			for _, m := range r.Messages {
				if m.Text.Key == "result" {
					results++
				}
				if len(m.Options) > 0 {
					offered = m.Options
				}
			}
		}
	}
	if len(sent) < 100 || results < 10 {
		t.Errorf("the walks rendered only %d distinct texts and %d results", len(sent), results)
	}
	t.Logf("%d distinct texts, %d results", len(sent), results)
}

// checkReply checks that out, the rendering of r, has every option of r as
// a button under the last part of its message, and that every text fits.
func checkReply(t *testing.T, r dialog.Reply, out []bot.Outgoing) {
	t.Helper()
	var keyboards [][][]bot.Button
	for _, o := range out {
		if n := bot.Length(o.Text); n > bot.MaxTextLength || n == 0 {
			t.Errorf("Render gave a text %d long: %.80q", n, o.Text)
		}
		if o.Keyboard != nil {
			keyboards = append(keyboards, o.Keyboard)
		}
	}
	var want [][]dialog.Option
	for _, m := range r.Messages {
		if len(m.Options) > 0 {
			want = append(want, m.Options)
		}
	}
	if len(keyboards) != len(want) {
		t.Fatalf("Render gave %d keyboards for %d messages with options", len(keyboards), len(want))
	}
	for i, kb := range keyboards {
		var buttons []bot.Button
		for _, row := range kb {
			buttons = append(buttons, row...)
		}
		if len(buttons) != len(want[i]) {
			t.Errorf("Render gave %d buttons for %d options", len(buttons), len(want[i]))
			continue
		}
		for j, b := range buttons {
			o := want[i][j]
			p, ok := bot.DecodeCallback(b.Data)
			if len(b.Data) > bot.MaxCallbackData || !ok || p.Step != o.Step || p.Value != o.Value || b.Text == "" {
				t.Errorf("option %+v became button %+v", o, b)
			}
		}
	}
}
