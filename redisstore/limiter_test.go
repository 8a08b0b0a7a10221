package redisstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
)

// processes opens n stores on the tests' Redis under one prefix: n
// processes sharing a limiter.
func processes(t *testing.T, n int) []*redisstore.Store {
	t.Helper()
	first := openRedisStore(t)
	out := []*redisstore.Store{first}
	for range n - 1 {
		st, err := redisstore.Open(t.Context(), redistest.URL(t), redisstore.WithPrefix(first.Prefix()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out = append(out, st)
	}
	return out
}

func TestLimiterShared(t *testing.T) {
	t.Parallel()
	const rate, procs, each = 40, 3, 30 // 90 messages: a little over 2 s
	var mu sync.Mutex
	var times []time.Time
	var wg sync.WaitGroup
	start := time.Now()
	for p, st := range processes(t, procs) {
		l := st.Limiter(redisstore.LimiterOptions{Rate: rate})
		for w := range 2 {
			wg.Go(func() {
				for i := range each / 2 {
					chat := int64(1000*p + 100*w + i)
					if err := l.Wait(t.Context(), chat); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					times = append(times, time.Now())
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	// The schedule (lua/lib/rate.lua) gives the k-th send a time k
	// intervals after the first's, which may be made up for by half an
	// interval, and was no earlier than start (Redis's clock floored to
	// the ms): a send returns at or after its time, however late.
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	interval := time.Second / rate
	for k, at := range times {
		if min := time.Duration(k)*interval - interval/2 - 2*time.Millisecond; at.Sub(start) < min {
			t.Errorf("send %d of %d across %d limiters came %v after the start; want at least %v at %d/s", k+1, procs*each, procs, at.Sub(start), min, rate)
			break
		}
	}
}

// TestLimiterPerChat checks that a chat gets a burst of messages at once,
// then waits a second for the next, and that another chat does not wait
// for it.
func TestLimiterPerChat(t *testing.T) {
	t.Parallel()
	sts := processes(t, 2)
	a, b := sts[0].Limiter(redisstore.LimiterOptions{Rate: 100}), sts[1].Limiter(redisstore.LimiterOptions{Rate: 100})
	ctx := t.Context()
	// The burst's first send takes its turn after start, and the chat's
	// next turn is a second after it (Redis's clock floored to the ms).
	start := time.Now()
	for range redisstore.DefaultPace.Burst {
		if err := a.Wait(ctx, 7); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan int64, 2)
	for _, w := range []struct {
		l    *redisstore.Limiter
		chat int64
	}{{b, 7}, {b, 8}} {
		go func() {
			if err := w.l.Wait(ctx, w.chat); err != nil {
				t.Error(err)
			}
			done <- w.chat
		}()
	}
	if got := []int64{<-done, <-done}; !slices.Equal(got, []int64{8, 7}) {
		t.Errorf("Wait(chat 7 again) and Wait(chat 8) returned for chats %v; want 8 first: it had no message", got)
	}
	if d := time.Since(start); d < redisstore.DefaultPace.Chat-2*time.Millisecond {
		t.Errorf("Wait(chat 7) after its burst returned %v after the burst began; want at least %v", d, redisstore.DefaultPace.Chat)
	}
}

func TestLimiterSlow(t *testing.T) {
	t.Parallel()
	sts := processes(t, 2)
	a, b := sts[0].Limiter(redisstore.LimiterOptions{Rate: 20}), sts[1].Limiter(redisstore.LimiterOptions{Rate: 20})
	ctx := t.Context()
	// The times below are counted from before the 429, after which the
	// schedule (lua/lim_slow.lua) has no send time for retry_after, then
	// one every interval at the rate cut (Redis's clock floored to the
	// ms).
	const clock = 2 * time.Millisecond
	start := time.Now()
	if err := a.Slow(ctx, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := b.Slow(ctx, 300*time.Millisecond); err != nil { // the same 429 seen twice
		t.Fatal(err)
	}
	if err := b.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond-clock {
		t.Errorf("Wait() after Slow(300ms) returned %v after it; want at least 300ms", d)
	}
	// The rate climbs back from 10 to 20 over a minute: under 15 for 30 s.
	r, err := a.CurrentRate(ctx)
	if err != nil || r < 9.9 || r >= 15 {
		t.Errorf("CurrentRate() after a 429 = %v, %v; want about 10 (half of 20, cut once)", r, err)
	}
	// The rate in force spaces the sends: 3 more at under 10.5/s.
	for i := range 3 {
		if err := a.Wait(ctx, int64(10+i)); err != nil {
			t.Fatal(err)
		}
	}
	const interval = time.Second * 2 / 21 // at 10.5/s
	if d, want := time.Since(start), 300*time.Millisecond+3*interval-clock; d < want {
		t.Errorf("4 sends after Slow(300ms) returned %v after it; want at least %v at about 10/s", d, want)
	}
}

func TestLimiterSpend(t *testing.T) {
	t.Parallel()
	sts := processes(t, 2)
	replies, bc := sts[0].Limiter(redisstore.LimiterOptions{Rate: 50}), sts[1].Limiter(redisstore.LimiterOptions{Rate: 50})
	ctx := t.Context()
	// The flush charges the schedule 20 send times, from no earlier than
	// half an interval before it (lua/lib/rate.lua).
	start := time.Now()
	for range 20 {
		replies.Spend()
	}
	if err := replies.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bc.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 390*time.Millisecond-2*time.Millisecond {
		t.Errorf("Wait() after 20 replies at 50/s returned %v after them; want at least 390ms", d)
	}
	// The debt is capped at a second's worth: the next free send time,
	// by the server's clock, is at most a second away.
	for range 1000 {
		replies.Spend()
	}
	if err := replies.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	c := sts[0].Client()
	tat, err := c.Get(ctx, sts[0].Prefix()+"lim:tat").Float64()
	if err != nil {
		t.Fatal(err)
	}
	now, err := c.Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ahead := time.Duration(tat*float64(time.Millisecond)) - time.Duration(now.UnixNano()); ahead > time.Second {
		t.Errorf("after 1000 replies the next send time is %v ahead; want at most 1s", ahead)
	}
}

// TestLimiterRun checks that Run charges the replies counted when its
// context ends, and returns the error when it cannot.
func TestLimiterRun(t *testing.T) {
	t.Parallel()
	sts := processes(t, 2)
	replies := sts[0].Limiter(redisstore.LimiterOptions{Rate: 50, Flush: time.Hour})
	for range 20 {
		replies.Spend()
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := replies.Run(ctx); err != nil {
		t.Fatalf("Run() = %v; want nil", err)
	}
	if err := sts[1].Limiter(redisstore.LimiterOptions{Rate: 50}).Wait(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 390*time.Millisecond-2*time.Millisecond {
		t.Errorf("Wait() after Run charged 20 replies at 50/s returned %v after them; want at least 390ms", d)
	}

	down := openEmbeddedStore(t)
	l := down.Limiter(redisstore.LimiterOptions{})
	l.Spend()
	if err := down.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Run(ctx); err == nil {
		t.Errorf("Run() with Redis closed = nil; want the error of the last charge")
	}
}
