package broadcast_test

import (
	"testing"

	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
	"examdesk/dialog"
)

// TestApply applies each effect to each kind of record: none, active and
// inactive.
func TestApply(t *testing.T) {
	t.Parallel()
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
			t.Parallel()
			subs := &broadcasttest.Subscribers{}
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
				if err := broadcast.Apply(ctx, subs, chat, tt.sub); err != nil {
					t.Fatalf("Apply(%+v) #%d = %v", tt.sub, i+1, err)
				}
				var got rec
				var err error
				got.sub, got.active, got.found, err = subs.Get(ctx, chat)
				if err != nil || got != tt.want {
					t.Errorf("after Apply(%+v) #%d: Get = %+v, %v; want %+v", tt.sub, i+1, got, err, tt.want)
				}
			}
		})
	}
	t.Run("bad", func(t *testing.T) {
		subs := &broadcasttest.Subscribers{}
		for _, sub := range []dialog.Subscription{{}, {Op: 42, Lang: "en"}} {
			if err := broadcast.Apply(t.Context(), subs, chat, sub); err == nil {
				t.Errorf("Apply(%+v) = nil; want an error", sub)
			}
		}
	})
}
