package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/locales"
	"examdesk/redisstore"
	"examdesk/telegramtest"
)

func openSubscribers(t *testing.T) (*redisstore.Store, *redisstore.Subscribers) {
	t.Helper()
	st, stop, err := redisstore.OpenEmbedded(t.Context())
	if err != nil {
		t.Fatalf("OpenEmbedded() = %v", err)
	}
	t.Cleanup(func() { stop() })
	return st, st.Subscribers()
}

// TestApplySubscription applies each effect to each kind of record: none,
// active and inactive.
func TestApplySubscription(t *testing.T) {
	const chat = 77
	was := broadcast.Subscriber{Chat: chat, Lang: "zh-Hans", Level: 2, Remind: true}
	type rec struct {
		sub           broadcast.Subscriber
		active, found bool
	}
	none := rec{}
	active := func(s broadcast.Subscriber) rec { return rec{s, true, true} }
	inactive := func(s broadcast.Subscriber) rec { return rec{s, false, true} }
	with := func(f func(s *broadcast.Subscriber)) broadcast.Subscriber { s := was; f(&s); return s }
	tests := []struct {
		name   string
		before rec
		sub    dialog.Subscription
		want   rec
	}{
		{"subscribe new", none, dialog.Subscription{Op: dialog.Subscribe, Lang: "en"},
			active(broadcast.Subscriber{Chat: chat, Lang: "en"})},
		{"subscribe new checked", none, dialog.Subscription{Op: dialog.Subscribe, Lang: "en", Checked: true, Level: 3},
			active(broadcast.Subscriber{Chat: chat, Lang: "en", Level: 3})},
		{"subscribe keeps level and reminders", inactive(was), dialog.Subscription{Op: dialog.Subscribe, Lang: "en"},
			active(with(func(s *broadcast.Subscriber) { s.Lang = "en" }))},
		{"subscribe with a new level", active(was), dialog.Subscription{Op: dialog.Subscribe, Lang: "zh-Hans", Checked: true, Level: 0},
			active(with(func(s *broadcast.Subscriber) { s.Level = 0 }))},
		{"unsubscribe", active(was), dialog.Subscription{Op: dialog.Unsubscribe, Lang: "en"}, inactive(was)},
		{"unsubscribe unknown", none, dialog.Subscription{Op: dialog.Unsubscribe, Lang: "en"}, none},
		{"forget", inactive(was), dialog.Subscription{Op: dialog.Forget, Lang: "en"}, none},
		{"forget unknown", none, dialog.Subscription{Op: dialog.Forget}, none},
		{"remind new", none, dialog.Subscription{Op: dialog.Remind, Lang: "zh-Hant"},
			active(broadcast.Subscriber{Chat: chat, Lang: "zh-Hant", Remind: true})},
		{"remind inactive", inactive(with(func(s *broadcast.Subscriber) { s.Remind = false })), dialog.Subscription{Op: dialog.Remind, Lang: "zh-Hans"},
			active(was)},
		{"no remind", active(was), dialog.Subscription{Op: dialog.NoRemind, Lang: "zh-Hans"},
			active(with(func(s *broadcast.Subscriber) { s.Remind = false }))},
		{"no remind inactive", inactive(was), dialog.Subscription{Op: dialog.NoRemind, Lang: "zh-Hans"},
			inactive(with(func(s *broadcast.Subscriber) { s.Remind = false }))},
		{"no remind unknown", none, dialog.Subscription{Op: dialog.NoRemind, Lang: "en"}, none},
		{"update", active(was), dialog.Subscription{Op: dialog.Update, Lang: "en", Checked: true, Level: 4},
			active(with(func(s *broadcast.Subscriber) { s.Lang, s.Level = "en", 4 }))},
		{"update unchecked", active(was), dialog.Subscription{Op: dialog.Update, Lang: "en"},
			active(with(func(s *broadcast.Subscriber) { s.Lang = "en" }))},
		{"update inactive", inactive(was), dialog.Subscription{Op: dialog.Update, Lang: "en"}, inactive(was)},
		{"update unknown", none, dialog.Subscription{Op: dialog.Update, Lang: "en", Checked: true, Level: 1}, none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, subs := openSubscribers(t)
			ctx := t.Context()
			if tt.before.found {
				if err := subs.Subscribe(ctx, tt.before.sub); err != nil {
					t.Fatal(err)
				}
				if !tt.before.active {
					if err := subs.Unsubscribe(ctx, chat); err != nil {
						t.Fatal(err)
					}
				}
			}
			for i := range 2 { // idempotent
				if err := bot.ApplySubscription(ctx, subs, chat, tt.sub); err != nil {
					t.Fatalf("ApplySubscription(%+v) #%d = %v", tt.sub, i+1, err)
				}
				var got rec
				var err error
				got.sub, got.active, got.found, err = subs.Get(ctx, chat)
				if err != nil || got != tt.want {
					t.Errorf("after ApplySubscription(%+v) #%d: Get = %+v, %v; want %+v", tt.sub, i+1, got, err, tt.want)
				}
			}
		})
	}
	t.Run("bad", func(t *testing.T) {
		_, subs := openSubscribers(t)
		for _, sub := range []dialog.Subscription{{}, {Op: 42, Lang: "en"}, {Op: dialog.Subscribe, Lang: "fr"}} {
			if err := bot.ApplySubscription(t.Context(), subs, chat, sub); err == nil {
				t.Errorf("ApplySubscription(%+v) = nil; want an error", sub)
			}
		}
	})
}

// runService runs a service on the store's inbox and subscribers, with the
// real engine and messages and the fake Bot API, until the test ends.
func runService(t *testing.T, st *redisstore.Store, q *redisstore.Inbox) (*bot.Service, *fake, *locales.Catalog) {
	t.Helper()
	engine, catalog := realEngine(t)
	f := newFake(t)
	svc := &bot.Service{
		Queue: q, Engine: engine, Catalog: catalog,
		Sender: f.sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Subscribers: st.Subscribers(), Workers: 2, Poll: 5 * time.Millisecond,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return svc, f, catalog
}

// TestServiceSubscriptions follows a user's subscription through the
// service: /start, /lang, /remind, /stop, a 403, /forget, and a group,
// which never subscribes.
func TestServiceSubscriptions(t *testing.T) {
	st, subs := openSubscribers(t)
	q, err := st.Inbox()
	if err != nil {
		t.Fatal(err)
	}
	svc, f, catalog := runService(t, st, q)

	var id int64
	send := func(u telegramtest.Update, chat, user int64) {
		t.Helper()
		id++
		u.ID = id
		raw, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		in, _, ok, err := bot.Decode(raw)
		if err != nil || !ok || in.Chat != chat || in.User != user {
			t.Fatalf("Decode(%s) = %+v, %v, %v; want an update of chat %d from %d", raw, in, ok, err, chat, user)
		}
		if _, err := q.Add(t.Context(), []inbox.Update{in}); err != nil {
			t.Fatalf("Add = %v", err)
		}
		svc.Wake()
	}
	say := func(chat int64, text string) { t.Helper(); send(telegramtest.Message(chat, 5, "en", text), chat, 5) }
	type rec struct {
		sub           broadcast.Subscriber
		active, found bool
	}
	wait := func(after string, want rec) {
		t.Helper()
		var got rec
		var err error
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			got.sub, got.active, got.found, err = subs.Get(t.Context(), 5)
			if err == nil && got == want {
				return
			}
		}
		t.Fatalf("after %s: Get(5) = %+v, %v; want %+v", after, got, err, want)
	}
	sub := func(lang string, remind bool) broadcast.Subscriber {
		return broadcast.Subscriber{Chat: 5, Lang: lang, Remind: remind}
	}

	say(5, "/start")
	wait("/start", rec{sub("en", false), true, true})
	say(5, "/lang zh-TW")
	wait("/lang zh-TW", rec{sub("zh-Hant", false), true, true})
	say(5, "/remind")
	wait("/remind", rec{sub("zh-Hant", true), true, true})
	say(5, "/stop")
	wait("/stop", rec{sub("zh-Hant", true), false, true})
	say(5, "/remind off")
	wait("/remind off", rec{sub("zh-Hant", false), false, true})
	say(5, "/start")
	wait("/start again", rec{sub("zh-Hant", false), true, true})

	f.srv.Fail("sendMessage", 403, "Forbidden: bot was blocked by the user", 1)
	say(5, "hello")
	wait("a 403", rec{sub("zh-Hant", false), false, true})
	if in, err := st.Inactive(t.Context(), 5); err != nil || !in {
		t.Errorf("after a 403: Inactive(5) = %v, %v; want true", in, err)
	}
	say(5, "/start")
	wait("/start after the 403", rec{sub("zh-Hant", false), true, true})

	// /forget asks with buttons; the first deletes.
	say(5, "/forget")
	var yes telegramtest.Button
	var msgID int
	for deadline := time.Now().Add(5 * time.Second); yes.CallbackData == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, m := range f.srv.Messages(5) {
			if m.ReplyMarkup == nil {
				continue
			}
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.Text == catalog.Translate("zh-Hant", "subscribe.forget_yes", nil) {
						yes, msgID = b, m.ID
					}
				}
			}
		}
	}
	if yes.CallbackData == "" {
		t.Fatalf("no /forget confirmation among %+v", f.srv.Messages(5))
	}
	send(telegramtest.Callback(5, 5, "en", yes.CallbackData, msgID), 5, 5)
	wait("/forget", rec{})
	key := dialog.Key{Chat: 5, User: 5}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		got, err := st.Load(t.Context(), key)
		if err == nil && reflect.DeepEqual(got, dialog.State{}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after /forget: Load(%v) = %+v, %v; want nothing", key, got, err)
		}
	}

	// In a group, nobody subscribes.
	say(-1005, "/start")
	say(-1005, "/remind")
	wctx, wcancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer wcancel()
	if err := f.srv.WaitFor(wctx, func([]telegramtest.Call) bool { return len(f.srv.Sent(-1005)) >= 2 }); err != nil {
		t.Fatal(err)
	}
	if n, err := subs.Count(t.Context(), broadcast.Filter{}); err != nil || n != 0 {
		t.Errorf("after a group's /start and /remind: Count = %d, %v; want 0", n, err)
	}
}

// TestServiceEffectLeftBehind checks that the effect of a reply that a
// holder committed but did not live to apply is applied by the next
// holder, while the message that may have been in flight is not sent.
func TestServiceEffectLeftBehind(t *testing.T) {
	st, subs := openSubscribers(t)
	q, err := st.Inbox()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	start := inbox.Update{ID: 1, Chat: 5, User: 5, Input: dialog.Input{Text: "/start", LanguageCode: "en"}}
	if _, err := q.Add(ctx, []inbox.Update{start}); err != nil {
		t.Fatal(err)
	}
	job, ok, err := q.Claim(ctx)
	if err != nil || !ok {
		t.Fatalf("Claim = %v, %v", ok, err)
	}
	// The outbox of /start as the service commits it: the welcome, then
	// the effect.
	out := [][]byte{
		[]byte(`{"lang":"en","chat":5,"message":{"text":"welcome"}}`),
		[]byte(`{"lang":"en","chat":5,"subscription":{"op":1,"lang":"en"}}`),
	}
	if _, err := q.Commit(ctx, job, job.State, out); err != nil {
		t.Fatal(err)
	}
	if err := q.Release(ctx, job); err != nil {
		t.Fatal(err)
	}
	_, f, _ := runService(t, st, q)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		sub, active, _, err := subs.Get(ctx, 5)
		if err == nil && active && sub == (broadcast.Subscriber{Chat: 5, Lang: "en"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get(5) = %+v, %v, %v; want the subscriber the dead holder left", sub, active, err)
		}
	}
	if sent := f.srv.Sent(5); len(sent) != 0 {
		t.Errorf("sent %q to chat 5; want nothing (the welcome may have been in flight)", sent)
	}
}
