package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
	"examdesk/redisstore"
)

// audience returns subscribers 1..n, by turns in each language, level
// (chat%4)+1.
func audience(t testing.TB, n int) *broadcasttest.Subscribers {
	t.Helper()
	subs := &broadcasttest.Subscribers{}
	langs := examdesk.Languages
	for i := 1; i <= n; i++ {
		s := broadcast.Subscriber{Chat: int64(i), Lang: langs[i%3], Level: examdesk.Level(i%4 + 1), Remind: i%2 == 0}
		if err := subs.Subscribe(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	return subs
}

func notice(text string) broadcast.Notice {
	return broadcast.Notice{Texts: map[string]string{"": text}, By: "test"}
}

func TestBroadcastCreate(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			q := s.open(t).Broadcasts(0)
			subs := audience(t, 30)
			subs.Unsubscribe(ctx, 3)
			subs.Block(ctx, 6)

			tests := []struct {
				name    string
				n       broadcast.Notice
				total   int
				wantErr error
			}{
				{"everyone active", notice("hello"), 28, nil},
				{"English", broadcast.Notice{Texts: map[string]string{"en": "hi"}, Filter: broadcast.Filter{Lang: "en"}}, 10, nil},
				{"level 2", broadcast.Notice{Texts: map[string]string{"": "x", "en": "y"}, Filter: broadcast.Filter{Level: 2}}, 8, nil},
				{"reminders", broadcast.Notice{Texts: map[string]string{"": "x"}, Filter: broadcast.Filter{Remind: true}}, 14, nil},
				{"nobody", broadcast.Notice{Texts: map[string]string{"": "x"}, Filter: broadcast.Filter{Level: 9}}, 0, nil},
				{"too long", notice(strings.Repeat("a", 4097)), 0, broadcast.ErrTooLong},
				{"4096 UTF-16 units", notice(strings.Repeat("😀", 2048)), 28, nil},
				{"4097 UTF-16 units", notice(strings.Repeat("😀", 2048) + "a"), 0, broadcast.ErrTooLong},
				{"empty", notice(" \n"), 0, broadcast.ErrEmpty},
				{"no text for zh-Hans", broadcast.Notice{Texts: map[string]string{"en": "a", "zh-Hant": "b"}}, 0, broadcast.ErrEmpty},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st, err := q.Create(ctx, tt.n, subs)
					if tt.wantErr != nil {
						if !errors.Is(err, tt.wantErr) {
							t.Fatalf("Create() error = %v; want %v", err, tt.wantErr)
						}
						return
					}
					if err != nil {
						t.Fatalf("Create() error: %v", err)
					}
					want := broadcast.Queued
					if tt.total == 0 {
						want = broadcast.Done
					}
					if st.ID == "" || st.State != want || st.Total != tt.total || st.Pending != tt.total {
						t.Errorf("Create() = %+v; want an id, %s, total and pending %d", st, want, tt.total)
					}
				})
			}

			// The same ID again: its status and ErrExists.
			n := notice("reminder")
			n.ID = "r-42-day"
			first, err := q.Create(ctx, n, subs)
			if err != nil {
				t.Fatalf("Create(%s) error: %v", n.ID, err)
			}
			again, err := q.Create(ctx, n, subs)
			if !errors.Is(err, broadcast.ErrExists) || again.ID != first.ID || again.Total != first.Total {
				t.Errorf("Create(%s) again = %+v, %v; want %+v, ErrExists", n.ID, again, err, first)
			}
			st, got, err := q.Status(ctx, n.ID)
			if err != nil || st.Total != 28 || got.Text("en") != "reminder" || got.By != "test" || got.Created.IsZero() {
				t.Errorf("Status(%s) = %+v, %+v, %v", n.ID, st, got, err)
			}
			if _, _, err := q.Status(ctx, "nope"); !errors.Is(err, broadcast.ErrNotFound) {
				t.Errorf("Status(nope) error = %v; want ErrNotFound", err)
			}
			if _, err := q.Cancel(ctx, "nope"); !errors.Is(err, broadcast.ErrNotFound) {
				t.Errorf("Cancel(nope) error = %v; want ErrNotFound", err)
			}
			list, err := q.List(ctx, 3)
			if err != nil || len(list) != 3 || list[0].ID != n.ID {
				t.Errorf("List(3) = %+v, %v; want 3, %s first", list, err, n.ID)
			}
		})
	}
}

// drain claims and records every recipient as sent, in workers
// goroutines, and returns how many times each chat was claimed.
func drain(t *testing.T, q *redisstore.Broadcasts, workers int) map[int64]int {
	t.Helper()
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				d, ok, err := q.Claim(t.Context())
				if err != nil {
					t.Errorf("Claim() error: %v", err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				got[d.Chat]++
				mu.Unlock()
				if err := q.Record(t.Context(), d, broadcast.Sent, ""); err != nil {
					t.Errorf("Record(%+v) error: %v", d, err)
				}
			}
		})
	}
	wg.Wait()
	return got
}

func TestBroadcastDeliveries(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			q := s.open(t).Broadcasts(0)
			subs := audience(t, 200)
			st, err := q.Create(ctx, notice("hello"), subs)
			if err != nil {
				t.Fatal(err)
			}
			got := drain(t, q, 8)
			if len(got) != 200 {
				t.Errorf("claimed %d chats; want 200", len(got))
			}
			for chat, n := range got {
				if n != 1 {
					t.Errorf("chat %d claimed %d times; want once", chat, n)
				}
			}
			done, _, err := q.Status(ctx, st.ID)
			if err != nil || done.State != broadcast.Done || done.Sent != 200 || done.Pending != 0 || done.Finished.IsZero() {
				t.Errorf("Status() = %+v, %v; want done, 200 sent", done, err)
			}
			out, err := q.Outcomes(ctx, st.ID)
			if err != nil || len(out) != 200 || out[17] != "sent" {
				t.Errorf("Outcomes() = %d entries, [17] %q, %v", len(out), out[17], err)
			}
		})
	}
}

func TestBroadcastResults(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := openRedisStore(t)
	q := store.Broadcasts(0)
	st, err := q.Create(ctx, notice("hello"), audience(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	claim := func() broadcast.Delivery {
		t.Helper()
		d, ok, err := q.Claim(ctx)
		if err != nil || !ok {
			t.Fatalf("Claim() = %v, %v; want a recipient", ok, err)
		}
		return d
	}
	d1, d2, d3 := claim(), claim(), claim()
	if _, ok, _ := q.Claim(ctx); ok {
		t.Fatalf("Claim() with every recipient claimed = ok")
	}
	if got, _, _ := q.Status(ctx, st.ID); got.State != broadcast.Sending {
		t.Errorf("state after claims = %s; want sending", got.State)
	}
	if err := q.Record(ctx, d1, broadcast.Blocked, ""); err != nil {
		t.Fatal(err)
	}
	if err := q.Record(ctx, d1, broadcast.Sent, ""); !errors.Is(err, broadcast.ErrLeaseLost) {
		t.Errorf("second Record() error = %v; want ErrLeaseLost", err)
	}
	if err := q.Record(ctx, d2, broadcast.Failed, "Bad Request: chat not found"); err != nil {
		t.Fatal(err)
	}
	d3.Attempt = 1
	if err := q.Retry(ctx, d3, 0); err != nil {
		t.Fatal(err)
	}
	again := claim()
	if again.Chat != d3.Chat || again.Attempt != 1 || again.Lease == d3.Lease {
		t.Errorf("Claim() after Retry = %+v; want chat %d, attempt 1, a new lease", again, d3.Chat)
	}
	if err := q.Record(ctx, d3, broadcast.Sent, ""); !errors.Is(err, broadcast.ErrLeaseLost) {
		t.Errorf("Record() under the old lease error = %v; want ErrLeaseLost", err)
	}
	if err := q.Record(ctx, again, broadcast.Sent, ""); err != nil {
		t.Fatal(err)
	}
	got, _, _ := q.Status(ctx, st.ID)
	want := broadcast.Status{ID: st.ID, State: broadcast.Done, Total: 3, Sent: 1, Blocked: 1, Failed: 1}
	if got.ID != want.ID || got.State != want.State || got.Total != 3 || got.Sent != 1 || got.Blocked != 1 || got.Failed != 1 || got.Pending != 0 {
		t.Errorf("Status() = %+v; want %+v", got, want)
	}
	out, _ := q.Outcomes(ctx, st.ID)
	if out[d2.Chat] != "failed: Bad Request: chat not found" || out[d1.Chat] != "blocked" {
		t.Errorf("Outcomes() = %v", out)
	}
	// Each result recorded is counted in the day's statistics, once.
	r, err := store.Stats().Report(ctx, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Days[0]; d.BroadcastSent != 1 || d.BroadcastBlocked != 1 || d.BroadcastFailed != 1 {
		t.Errorf("the day's statistics count %d sent, %d blocked, %d failed; want 1 of each", d.BroadcastSent, d.BroadcastBlocked, d.BroadcastFailed)
	}
}

func TestBroadcastLease(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	q := openRedisStore(t).Broadcasts(200 * time.Millisecond)
	if _, err := q.Create(ctx, notice("hello"), audience(t, 1)); err != nil {
		t.Fatal(err)
	}
	d, ok, err := q.Claim(ctx)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if d, err = q.Renew(ctx, d); err != nil {
		t.Fatalf("Renew() error: %v", err)
	}
	if _, ok, _ := q.Claim(ctx); ok {
		t.Fatal("Claim() of a leased recipient = ok")
	}
	time.Sleep(250 * time.Millisecond)
	again, ok, err := q.Claim(ctx)
	if err != nil || !ok || again.Chat != d.Chat {
		t.Fatalf("Claim() after the lease ran out = %+v, %v, %v; want chat %d again", again, ok, err, d.Chat)
	}
	if _, err := q.Renew(ctx, d); !errors.Is(err, broadcast.ErrLeaseLost) {
		t.Errorf("Renew() of a lost lease error = %v; want ErrLeaseLost", err)
	}
	if err := q.Record(ctx, d, broadcast.Sent, ""); !errors.Is(err, broadcast.ErrLeaseLost) {
		t.Errorf("Record() of a lost lease error = %v; want ErrLeaseLost", err)
	}
}

func TestBroadcastScheduledAndCancel(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	q := openRedisStore(t).Broadcasts(0)
	subs := audience(t, 5)
	later := notice("later")
	later.At = time.Now().Add(500 * time.Millisecond)
	sl, err := q.Create(ctx, later, subs)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := q.Claim(ctx); ok {
		t.Fatal("Claim() before At = ok")
	}
	time.Sleep(600 * time.Millisecond)
	d, ok, err := q.Claim(ctx)
	if err != nil || !ok || d.ID != sl.ID {
		t.Fatalf("Claim() after At = %+v, %v, %v", d, ok, err)
	}
	st, err := q.Cancel(ctx, sl.ID)
	if err != nil || st.State != broadcast.Cancelled || st.Pending != 5 {
		t.Errorf("Cancel() = %+v, %v; want cancelled, 5 pending", st, err)
	}
	if _, ok, _ := q.Claim(ctx); ok {
		t.Error("Claim() after Cancel = ok")
	}
	if _, err := q.Renew(ctx, d); !errors.Is(err, broadcast.ErrLeaseLost) {
		t.Errorf("Renew() after Cancel error = %v; want ErrLeaseLost", err)
	}
	// The send in flight still gets recorded.
	if err := q.Record(ctx, d, broadcast.Sent, ""); err != nil {
		t.Errorf("Record() after Cancel error: %v", err)
	}
	st, _, _ = q.Status(ctx, sl.ID)
	if st.State != broadcast.Cancelled || st.Sent != 1 || st.Pending != 4 {
		t.Errorf("Status() = %+v; want cancelled, 1 sent, 4 pending", st)
	}
	if again, err := q.Cancel(ctx, sl.ID); err != nil || again.State != broadcast.Cancelled {
		t.Errorf("Cancel() again = %+v, %v", again, err)
	}
}

// TestBroadcastAudit checks the documented layout of a finished
// broadcast's record: kept, without expiry.
func TestBroadcastAudit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openRedisStore(t)
	q := st.Broadcasts(0)
	n := notice("hello")
	n.ID, n.By = "audit-1", "cli:alice"
	if _, err := q.Create(ctx, n, audience(t, 2)); err != nil {
		t.Fatal(err)
	}
	drain(t, q, 1)
	c := st.Client()
	rec, err := c.HGetAll(ctx, st.Prefix()+"bc:audit-1").Result()
	if err != nil || rec["state"] != "done" || rec["by"] != "cli:alice" || rec["sent"] != "2" || rec["total"] != "2" || !strings.Contains(rec["notice"], "hello") {
		t.Errorf("bc:audit-1 = %v, %v", rec, err)
	}
	for _, k := range []string{"bc:audit-1", "bc:audit-1:out", "bc:index"} {
		if ttl, err := c.PTTL(ctx, st.Prefix()+k).Result(); err != nil || ttl != -1 {
			t.Errorf("PTTL %s = %v, %v; want no expiry", k, ttl, err)
		}
	}
	if n, _ := c.Exists(ctx, st.Prefix()+"bc:audit-1:todo").Result(); n != 0 {
		t.Errorf("bc:audit-1:todo exists after the broadcast is done")
	}
	var keys []string
	iter := c.Scan(ctx, 0, st.Prefix()+"bc:stage:*", 100).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		t.Errorf("stage keys left: %q", keys)
	}
}

// TestBroadcastForget checks that /forget takes a user out of the
// broadcasts: the outcome of one already sent, and the pending delivery of
// one still queued, which then counts as failed.
func TestBroadcastForget(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			st := s.open(t)
			q, subs := st.Broadcasts(0), st.Subscribers()
			for chat := int64(1); chat <= 3; chat++ {
				if err := subs.Subscribe(ctx, broadcast.Subscriber{Chat: chat, Lang: examdesk.Simplified}); err != nil {
					t.Fatal(err)
				}
			}
			sent, err := q.Create(ctx, notice("first"), subs)
			if err != nil {
				t.Fatal(err)
			}
			drain(t, q, 1)
			later := notice("second")
			later.At = time.Now().Add(time.Hour)
			queued, err := q.Create(ctx, later, subs)
			if err != nil {
				t.Fatal(err)
			}

			if err := subs.Forget(ctx, 2); err != nil {
				t.Fatalf("Forget(2) = %v", err)
			}
			if out, err := q.Outcomes(ctx, sent.ID); err != nil || len(out) != 2 || out[2] != "" {
				t.Errorf("Outcomes(sent) after Forget(2) = %v, %v; want chats 1 and 3 only", out, err)
			}
			got, _, err := q.Status(ctx, queued.ID)
			if err != nil || got.Total != 3 || got.Pending != 2 || got.Failed != 1 {
				t.Errorf("Status(queued) after Forget(2) = %+v, %v; want 3 in all, 2 pending, 1 failed", got, err)
			}
			if n, err := st.Client().HLen(ctx, st.Prefix()+"bc:"+sent.ID+":out").Result(); err != nil || n != 2 {
				t.Errorf("HLEN out = %d, %v; want 2", n, err)
			}

			// A delivery claimed when the user forgets: its worker loses
			// the lease, and its record writes nothing.
			now, err := q.Create(ctx, notice("third"), subs)
			if err != nil {
				t.Fatal(err)
			}
			var held broadcast.Delivery
			for {
				d, ok, err := q.Claim(ctx)
				if err != nil || !ok {
					t.Fatalf("Claim() = %v, %v; want chat 3's delivery", ok, err)
				}
				if d.ID == now.ID && d.Chat == 3 {
					held = d
					break
				}
				if err := q.Record(ctx, d, broadcast.Sent, ""); err != nil {
					t.Fatal(err)
				}
			}
			if err := subs.Forget(ctx, 3); err != nil {
				t.Fatalf("Forget(3) = %v", err)
			}
			if err := q.Record(ctx, held, broadcast.Failed, broadcast.Unsubscribed); !errors.Is(err, broadcast.ErrLeaseLost) {
				t.Errorf("Record(held delivery) after Forget = %v; want ErrLeaseLost", err)
			}
			if out, err := q.Outcomes(ctx, now.ID); err != nil || out[3] != "" {
				t.Errorf("Outcomes(third) after Forget(3) = %v, %v; want nothing for chat 3", out, err)
			}
		})
	}
}

// failingList fails List after its first page.
type failingList struct {
	broadcast.Subscribers
	calls int
}

func (f *failingList) List(ctx context.Context, fl broadcast.Filter, after int64, n int) ([]broadcast.Subscriber, error) {
	f.calls++
	if f.calls > 1 {
		return nil, fmt.Errorf("connection lost")
	}
	return f.Subscribers.List(ctx, fl, after, n)
}

func TestBroadcastCreateFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openRedisStore(t)
	q := st.Broadcasts(0)
	n := notice("hello")
	n.ID = "half"
	if _, err := q.Create(ctx, n, &failingList{Subscribers: audience(t, 1500)}); err == nil {
		t.Fatal("Create() with a failing audience = nil error")
	}
	if _, _, err := q.Status(ctx, "half"); !errors.Is(err, broadcast.ErrNotFound) {
		t.Errorf("Status() after a failed Create error = %v; want ErrNotFound", err)
	}
	if keys, _ := st.Client().Keys(ctx, st.Prefix()+"*").Result(); len(keys) != 0 {
		t.Errorf("keys left by a failed Create: %q", keys)
	}
	// Two at once: one broadcast, the other ErrExists.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	subs := audience(t, 1500)
	for i := range errs {
		wg.Go(func() { _, errs[i] = q.Create(ctx, n, subs) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], broadcast.ErrExists) || errors.Is(errs[1], broadcast.ErrExists)) {
		t.Errorf("two Creates of one id = %v, %v; want one nil, one ErrExists", errs[0], errs[1])
	}
	got := drain(t, q, 4)
	if len(got) != 1500 {
		t.Errorf("claimed %d; want 1500", len(got))
	}
}
