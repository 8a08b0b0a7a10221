package broadcasttest

import (
	"reflect"
	"testing"

	"examdesk"
	"examdesk/broadcast"
)

// TestSubscribers checks that the lists open returns (each empty, and the
// test's own) keep the promises of broadcast.Subscribers.
func TestSubscribers(t *testing.T, open func(t *testing.T) broadcast.Subscribers) {
	t.Run("lifecycle", func(t *testing.T) {
		ctx := t.Context()
		subs := open(t)
		get := func(chat int64) (broadcast.Subscriber, bool, bool) {
			t.Helper()
			s, active, found, err := subs.Get(ctx, chat)
			if err != nil {
				t.Fatalf("Get(%d) = %v", chat, err)
			}
			return s, active, found
		}
		if _, _, found := get(1); found {
			t.Errorf("Get(1) of an empty list found a subscriber")
		}
		want := broadcast.Subscriber{Chat: 1, Lang: examdesk.Traditional, Level: 3, Remind: true}
		if err := subs.Subscribe(ctx, want); err != nil {
			t.Fatalf("Subscribe(%+v) = %v", want, err)
		}
		if got, active, found := get(1); !found || !active || got != want {
			t.Errorf("Get(1) = %+v, active %t, found %t; want %+v, active", got, active, found, want)
		}
		if err := subs.Unsubscribe(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if got, active, found := get(1); !found || active || got != want {
			t.Errorf("Get(1) after Unsubscribe = %+v, active %t, found %t; want %+v kept, inactive", got, active, found, want)
		}
		if err := subs.Subscribe(ctx, want); err != nil {
			t.Fatal(err)
		}
		if _, active, _ := get(1); !active {
			t.Errorf("Get(1) after Subscribe again: inactive; want active")
		}
		if err := subs.Block(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if _, active, found := get(1); !found || active {
			t.Errorf("Get(1) after Block: active %t, found %t; want kept, inactive", active, found)
		}
		if err := subs.Block(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if _, _, found := get(2); found {
			t.Errorf("Get(2) after Block of an unknown chat found a subscriber")
		}
		if err := subs.SetRemind(ctx, 1, false); err != nil {
			t.Fatal(err)
		}
		if got, active, _ := get(1); active || got.Remind {
			t.Errorf("Get(1) after SetRemind(false) = %+v, active %t; want no reminders, still inactive", got, active)
		}
		if err := subs.SetRemind(ctx, 3, true); err != nil {
			t.Fatal(err)
		}
		if _, _, found := get(3); found {
			t.Errorf("Get(3) after SetRemind of an unknown chat found a subscriber")
		}
		for range 2 {
			if err := subs.Forget(ctx, 1); err != nil {
				t.Fatalf("Forget(1) = %v", err)
			}
		}
		if _, _, found := get(1); found {
			t.Errorf("Get(1) after Forget found a subscriber")
		}
	})

	t.Run("audience", func(t *testing.T) {
		ctx := t.Context()
		subs := open(t)
		langs := examdesk.Languages
		var all []broadcast.Subscriber
		for chat := int64(1); chat <= 25; chat++ {
			s := broadcast.Subscriber{Chat: chat, Lang: langs[chat%3], Level: examdesk.Level(chat % 5), Remind: chat%2 == 0}
			if err := subs.Subscribe(ctx, s); err != nil {
				t.Fatal(err)
			}
			all = append(all, s)
		}
		if err := subs.Unsubscribe(ctx, 4); err != nil {
			t.Fatal(err)
		}
		if err := subs.Block(ctx, 5); err != nil {
			t.Fatal(err)
		}
		filters := []broadcast.Filter{
			{}, {Lang: examdesk.English}, {Level: 3}, {Remind: true},
			{Lang: examdesk.Traditional, Level: 2, Remind: true}, {Level: 4, Lang: examdesk.Simplified},
		}
		for _, f := range filters {
			var want []broadcast.Subscriber
			for _, s := range all {
				if s.Chat != 4 && s.Chat != 5 && f.Match(s) {
					want = append(want, s)
				}
			}
			if n, err := subs.Count(ctx, f); err != nil || n != len(want) {
				t.Errorf("Count(%+v) = %d, %v; want %d", f, n, err, len(want))
			}
			// Page by 4, as Create reads the audience.
			var got []broadcast.Subscriber
			after := int64(0)
			for {
				page, err := subs.List(ctx, f, after, 4)
				if err != nil {
					t.Fatalf("List(%+v, %d, 4) = %v", f, after, err)
				}
				got = append(got, page...)
				if len(page) < 4 {
					break
				}
				after = page[len(page)-1].Chat
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("List(%+v) by pages = %+v; want %+v", f, got, want)
			}
		}
	})
}
