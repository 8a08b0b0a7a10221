package redisstore_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
	"examdesk/dialog"
)

func TestSubscribersFilter(t *testing.T) {
	t.Parallel()
	subs := []broadcast.Subscriber{
		{Chat: 10, Lang: "en", Level: 3, Remind: true},
		{Chat: 11, Lang: "zh-Hant", Level: 3},
		{Chat: 12, Lang: "zh-Hans", Level: 0, Remind: true},
		{Chat: 13, Lang: "zh-Hant", Level: 1, Remind: true},
		{Chat: 14, Lang: "en", Level: 4},
		{Chat: 15, Lang: "zh-Hant", Level: 3, Remind: true}, // stops
		{Chat: 16, Lang: "en", Level: 3, Remind: true},      // blocks
	}
	tests := []struct {
		f    broadcast.Filter
		want []int64
	}{
		{broadcast.Filter{}, []int64{10, 11, 12, 13, 14}},
		{broadcast.Filter{Lang: "en"}, []int64{10, 14}},
		{broadcast.Filter{Lang: "zh-Hant"}, []int64{11, 13}},
		{broadcast.Filter{Level: 3}, []int64{10, 11}},
		{broadcast.Filter{Remind: true}, []int64{10, 12, 13}},
		{broadcast.Filter{Lang: "zh-Hant", Remind: true}, []int64{13}},
		{broadcast.Filter{Lang: "en", Level: 3, Remind: true}, []int64{10}},
		{broadcast.Filter{Lang: "zh-Hans", Level: 2}, nil},
	}
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t).Subscribers()
			ctx := t.Context()
			for _, sub := range subs {
				if err := s.Subscribe(ctx, sub); err != nil {
					t.Fatalf("Subscribe(%+v) = %v", sub, err)
				}
			}
			if err := s.Unsubscribe(ctx, 15); err != nil {
				t.Fatalf("Unsubscribe(15) = %v", err)
			}
			if err := s.Block(ctx, 16); err != nil {
				t.Fatalf("Block(16) = %v", err)
			}
			for _, tt := range tests {
				n, err := s.Count(ctx, tt.f)
				if err != nil || n != len(tt.want) {
					t.Errorf("Count(%+v) = %d, %v; want %d", tt.f, n, err, len(tt.want))
				}
				got, err := s.List(ctx, tt.f, 0, 100)
				if err != nil {
					t.Fatalf("List(%+v) = %v", tt.f, err)
				}
				var chats []int64
				for _, sub := range got {
					chats = append(chats, sub.Chat)
					if want := subs[sub.Chat-10]; sub != want {
						t.Errorf("List(%+v) gives %+v; want %+v", tt.f, sub, want)
					}
				}
				if !reflect.DeepEqual(chats, tt.want) {
					t.Errorf("List(%+v) = chats %v; want %v", tt.f, chats, tt.want)
				}
			}
			// Paging: after and n.
			got, err := s.List(ctx, broadcast.Filter{}, 11, 2)
			if err != nil || len(got) != 2 || got[0].Chat != 12 || got[1].Chat != 13 {
				t.Errorf("List({}, 11, 2) = %+v, %v; want chats 12, 13", got, err)
			}
		})
	}
}

// TestSubscribersLifecycle follows one chat through subscribing, changing
// its record, /stop, a 403, coming back and /forget.
func TestSubscribersLifecycle(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			st := b.open(t)
			s := st.Subscribers()
			ctx := t.Context()
			c := st.Client()
			const chat = 4242
			check := func(when string, want broadcast.Subscriber, wantActive, wantFound bool) {
				t.Helper()
				got, active, found, err := s.Get(ctx, chat)
				if err != nil || got != want || active != wantActive || found != wantFound {
					t.Errorf("%s: Get(%d) = %+v, %v, %v, %v; want %+v, %v, %v", when, chat, got, active, found, err, want, wantActive, wantFound)
				}
			}
			count := func(when string, f broadcast.Filter, want int) {
				t.Helper()
				if n, err := s.Count(ctx, f); err != nil || n != want {
					t.Errorf("%s: Count(%+v) = %d, %v; want %d", when, f, n, err, want)
				}
			}
			check("at first", broadcast.Subscriber{}, false, false)
			if err := s.Unsubscribe(ctx, chat); err != nil {
				t.Fatalf("Unsubscribe of an unknown chat = %v", err)
			}
			check("after Unsubscribe of an unknown chat", broadcast.Subscriber{}, false, false)

			first := broadcast.Subscriber{Chat: chat, Lang: "zh-Hans", Level: 2, Remind: true}
			if err := s.Subscribe(ctx, first); err != nil {
				t.Fatal(err)
			}
			check("subscribed", first, true, true)
			since, err := c.HGet(ctx, st.Prefix()+"sub:4242", "since").Result()
			if err != nil {
				t.Fatalf("HGET sub:4242 since: %v", err)
			}

			second := broadcast.Subscriber{Chat: chat, Lang: "en", Level: 0}
			if err := s.Subscribe(ctx, second); err != nil {
				t.Fatal(err)
			}
			check("updated", second, true, true)
			count("updated", broadcast.Filter{Lang: "zh-Hans"}, 0)
			count("updated", broadcast.Filter{Level: 2}, 0)
			count("updated", broadcast.Filter{Remind: true}, 0)
			count("updated", broadcast.Filter{Lang: "en"}, 1)

			fields, err := c.HGetAll(ctx, st.Prefix()+"sub:4242").Result()
			want := map[string]string{"lang": "en", "level": "0", "remind": "0", "active": "1", "since": since}
			if err != nil || !reflect.DeepEqual(fields, want) {
				t.Errorf("HGETALL sub:4242 = %v, %v; want %v", fields, err, want)
			}
			if ttl, err := c.TTL(ctx, st.Prefix()+"sub:4242").Result(); err != nil || ttl >= 0 {
				t.Errorf("TTL sub:4242 = %v, %v; want none", ttl, err)
			}

			if err := s.Unsubscribe(ctx, chat); err != nil {
				t.Fatal(err)
			}
			check("stopped", second, false, true)
			count("stopped", broadcast.Filter{}, 0)

			if err := s.Block(ctx, chat); err != nil {
				t.Fatal(err)
			}
			check("blocked", second, false, true)
			if in, err := st.Client().SIsMember(ctx, st.Prefix()+"inactive", chat).Result(); err != nil || !in {
				t.Errorf("blocked: SISMEMBER inactive %d = %v, %v; want true", chat, in, err)
			}

			if err := s.Subscribe(ctx, first); err != nil {
				t.Fatal(err)
			}
			check("back", first, true, true)
			count("back", broadcast.Filter{Level: 2, Remind: true}, 1)
			if in, err := st.Client().SIsMember(ctx, st.Prefix()+"inactive", chat).Result(); err != nil || in {
				t.Errorf("back: SISMEMBER inactive %d = %v, %v; want false", chat, in, err)
			}

			key := examdesk.Key{Chat: chat, User: chat}
			if err := st.Save(ctx, key, dialog.State{Lang: "en", Step: 3}); err != nil {
				t.Fatal(err)
			}
			group := examdesk.Key{Chat: -100, User: chat}
			if err := st.Save(ctx, group, dialog.State{Lang: "en"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Block(ctx, chat); err != nil {
				t.Fatal(err)
			}
			for range 2 { // idempotent
				if err := s.Forget(ctx, chat); err != nil {
					t.Fatalf("Forget(%d) = %v", chat, err)
				}
			}
			check("forgotten", broadcast.Subscriber{}, false, false)
			if got, err := st.Load(ctx, key); err != nil || !reflect.DeepEqual(got, dialog.State{}) {
				t.Errorf("forgotten: Load(%v) = %+v, %v; want the zero state", key, got, err)
			}
			if got, err := st.Load(ctx, group); err != nil || got.Lang != "en" {
				t.Errorf("forgotten: Load(%v) = %+v, %v; want the group's state kept", key, got, err)
			}
			if in, err := st.Client().SIsMember(ctx, st.Prefix()+"inactive", chat).Result(); err != nil || in {
				t.Errorf("forgotten: SISMEMBER inactive %d = %v, %v; want false", chat, in, err)
			}
			keys, err := c.Keys(ctx, st.Prefix()+"*").Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				if k == st.Prefix()+"state:-100:4242" {
					continue
				}
				t.Errorf("forgotten: key %s is left", k)
			}
		})
	}
}

func TestSubscribersPaging(t *testing.T) {
	t.Parallel()
	const total = 2500
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t).Subscribers()
			ctx := t.Context()
			langs := []string{"en", "zh-Hant", "zh-Hans"}
			// Subscribed by 8 at once: the order is not the pages'.
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Go(func() {
					for i := 1 + w; i <= total; i += 8 {
						sub := broadcast.Subscriber{Chat: int64(i) * 1_000_003, Lang: langs[i%3], Level: examdesk.Level(i % 5), Remind: i%7 == 0}
						if err := s.Subscribe(ctx, sub); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			for _, f := range []broadcast.Filter{{}, {Remind: true}, {Lang: "zh-Hant", Level: 4}, {Lang: "en", Level: 1, Remind: true}} {
				want := 0
				for i := 1; i <= total; i++ {
					if f.Match(broadcast.Subscriber{Lang: langs[i%3], Level: examdesk.Level(i % 5), Remind: i%7 == 0}) {
						want++
					}
				}
				if n, err := s.Count(ctx, f); err != nil || n != want {
					t.Errorf("Count(%+v) = %d, %v; want %d", f, n, err, want)
				}
				got, after := 0, int64(0)
				for {
					page, err := s.List(ctx, f, after, 97)
					if err != nil {
						t.Fatalf("List(%+v, %d, 97) = %v", f, after, err)
					}
					if len(page) == 0 {
						break
					}
					for _, sub := range page {
						if sub.Chat <= after || !f.Match(sub) {
							t.Fatalf("List(%+v, %d, 97) gives %+v", f, after, sub)
						}
						after = sub.Chat
					}
					got += len(page)
				}
				if got != want {
					t.Errorf("List(%+v) in pages gave %d subscribers; want %d", f, got, want)
				}
			}
		})
	}
}

func TestSubscribersRejects(t *testing.T) {
	t.Parallel()
	s := openEmbeddedStore(t).Subscribers()
	ctx := t.Context()
	for _, sub := range []broadcast.Subscriber{
		{Chat: 0, Lang: "en"},
		{Chat: -1001, Lang: "en"},
		{Chat: 1 << 60, Lang: "en"},
		{Chat: 5, Lang: "fr"},
		{Chat: 5, Lang: ""},
		{Chat: 5, Lang: "en", Level: 5},
		{Chat: 5, Lang: "en", Level: -1},
	} {
		if err := s.Subscribe(ctx, sub); err == nil {
			t.Errorf("Subscribe(%+v) = nil; want an error", sub)
		}
	}
	for _, f := range []broadcast.Filter{{Lang: "fr"}, {Level: 7}, {Level: -2}} {
		if _, err := s.Count(ctx, f); err == nil {
			t.Errorf("Count(%+v) = nil error; want one", f)
		}
		if _, err := s.List(ctx, f, 0, 10); err == nil {
			t.Errorf("List(%+v) = nil error; want one", f)
		}
	}
	for _, n := range []int{0, -3} {
		if got, err := s.List(ctx, broadcast.Filter{}, 0, n); err != nil || len(got) != 0 {
			t.Errorf("List({}, 0, %d) = %v, %v; want nothing", n, got, err)
		}
	}
	// A record that is not one (written by hand) is an error, not a panic.
	c := openEmbeddedStore(t)
	if err := c.Client().HSet(ctx, c.Prefix()+"sub:9", "lang", "en", "level", "x", "active", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.Subscribers().Get(ctx, 9); err == nil {
		t.Errorf("Get of a bad record = nil error; want one")
	}
}

// BenchmarkSubscribers measures Count and a walk of every page of List
// over 10,000 subscribers, on real Redis, for filters that take one index
// and several.
func BenchmarkSubscribers(b *testing.B) {
	const total = 10_000
	s := openRedisStore(b).Subscribers()
	ctx := b.Context()
	langs := []string{"en", "zh-Hant", "zh-Hans"}
	for i := 1; i <= total; i++ {
		sub := broadcast.Subscriber{Chat: int64(i), Lang: langs[i%3], Level: examdesk.Level(i % 5), Remind: i%4 == 0}
		if err := s.Subscribe(ctx, sub); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range []broadcast.Filter{{}, {Remind: true}, {Lang: "zh-Hant", Level: 3, Remind: true}} {
		b.Run(fmt.Sprintf("Count%+v", f), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Count(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("List%+v", f), func(b *testing.B) {
			for b.Loop() {
				after := int64(0)
				for {
					page, err := s.List(ctx, f, after, 500)
					if err != nil {
						b.Fatal(err)
					}
					if len(page) == 0 {
						break
					}
					after = page[len(page)-1].Chat
				}
			}
		})
	}
}

// TestSubscribersSetRemind checks that the reminder choice changes without
// making a stopped user active, and that only active users who want
// reminders are in the reminders' audience.
func TestSubscribersSetRemind(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			subs := s.open(t).Subscribers()
			for _, sub := range []broadcast.Subscriber{{Chat: 1, Lang: "en"}, {Chat: 2, Lang: "en"}} {
				if err := subs.Subscribe(ctx, sub); err != nil {
					t.Fatal(err)
				}
			}
			if err := subs.Unsubscribe(ctx, 2); err != nil {
				t.Fatal(err)
			}
			for _, chat := range []int64{1, 2, 3} {
				if err := subs.SetRemind(ctx, chat, true); err != nil {
					t.Fatalf("SetRemind(%d, true) = %v", chat, err)
				}
			}
			reminded, err := subs.List(ctx, broadcast.Filter{Remind: true}, 0, 10)
			if err != nil || len(reminded) != 1 || reminded[0].Chat != 1 {
				t.Errorf("List(remind) = %+v, %v; want chat 1 only", reminded, err)
			}
			for chat, want := range map[int64]struct{ active, found, remind bool }{1: {true, true, true}, 2: {false, true, true}, 3: {}} {
				got, active, found, err := subs.Get(ctx, chat)
				if err != nil || active != want.active || found != want.found || got.Remind != want.remind {
					t.Errorf("Get(%d) = %+v, active %t, found %t, %v; want active %t, found %t, remind %t", chat, got, active, found, err, want.active, want.found, want.remind)
				}
			}
			if err := subs.SetRemind(ctx, 1, false); err != nil {
				t.Fatal(err)
			}
			if n, err := subs.Count(ctx, broadcast.Filter{Remind: true}); err != nil || n != 0 {
				t.Errorf("Count(remind) after SetRemind(1, false) = %d, %v; want 0", n, err)
			}
		})
	}
}

func TestSubscribersConformance(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			broadcasttest.TestSubscribers(t, func(t *testing.T) broadcast.Subscribers { return s.open(t).Subscribers() })
		})
	}
}
