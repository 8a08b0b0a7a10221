package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"examdesk/broadcast"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// BenchmarkBroadcast delivers one broadcast to every subscriber through
// `examdesk serve` (a child process, with a redis-server of its own)
// and a fake Bot API that enforces Telegram's limits: 30 messages/s in
// all (1000/s with allow_paid_broadcast) and one per chat per second,
// answering 429 beyond. It reports the time from queueing to done, the
// rate of delivery (between the first and the last message's arrival at
// the fake), how far that is from the configured rate, the 429s, the
// duplicates and the subscribers missed, and serve's CPU time per message.
// 10,000 subscribers at the default 25/s take about 400 s:
//
//	go test -run '^$' -bench 'Broadcast/subscribers=1000$' -benchtime 1x ./cmd/examdesk/
//	go test -run '^$' -bench 'Broadcast/subscribers=10000$' -benchtime 1x -timeout 20m ./cmd/examdesk/
//	go test -run '^$' -bench 'Broadcast/(rate=30|paid)' -benchtime 1x ./cmd/examdesk/
func BenchmarkBroadcast(b *testing.B) {
	cases := []struct {
		name        string
		subscribers int
		rate        float64
		paid        bool
	}{
		{"subscribers=1000", 1000, 25, false},
		{"subscribers=10000", 10000, 25, false},
		{"rate=30/subscribers=1000", 1000, 30, false},
		{"paid/subscribers=5000/rate=500", 5000, 500, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				benchBroadcast(b, c.subscribers, c.rate, c.paid)
			}
		})
	}
}

func benchBroadcast(b *testing.B, n int, rate float64, paid bool) {
	b.StopTimer()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	fake.Limit(30, 1)
	srv := redistest.Start(b)
	const first = 1_000_000
	subscribeAll(b, srv.URL, first, n)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	l.Close()
	env := map[string]string{
		roleEnv:                   "serve",
		"TELEGRAM_BOT_TOKEN":      testToken,
		"TELEGRAM_API_URL":        fake.URL(),
		"REDIS_URL":               srv.URL,
		"HTTP_ADDR":               l.Addr().String(),
		"EXAMDESK_BROADCAST_RATE": strconv.FormatFloat(rate, 'f', -1, 64),
		"EXAMDESK_PAID_BROADCAST": strconv.FormatBool(paid),
	}
	child, err := startLoadBot(env)
	if err != nil {
		b.Fatal(err)
	}
	defer child.stop(b)
	if err := child.waitReady("http://" + env["HTTP_ADDR"] + "/readyz"); err != nil {
		b.Fatal(err)
	}
	cpu0, _ := procCPUTime(child.cmd.Process.Pid)

	st, err := redisstore.Open(context.Background(), srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	q := st.Broadcasts(0)
	b.StartTimer()
	start := time.Now()
	s, err := q.Create(context.Background(), broadcast.Notice{Texts: map[string]string{"": "Registration opens on 1 March."}, By: "bench"}, st.Subscribers())
	if err != nil {
		b.Fatal(err)
	}
	budget := time.Duration(float64(n)/rate*1.5)*time.Second + time.Minute
	for s.State != broadcast.Done {
		if time.Since(start) > budget {
			b.Fatalf("broadcast not done after %v: %+v", budget, s)
		}
		time.Sleep(100 * time.Millisecond)
		if s, _, err = q.Status(context.Background(), s.ID); err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)
	b.StopTimer()
	cpu1, _ := procCPUTime(child.cmd.Process.Pid)

	var times []time.Time
	got := map[int64]int{}
	for _, c := range fake.CallsTo("sendMessage") {
		if c.OK() {
			got[c.ChatID()]++
			times = append(times, c.Time)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	dups, misses := 0, 0
	for i := range int64(n) {
		switch k := got[first+i]; {
		case k == 0:
			misses++
		case k > 1:
			dups += k - 1
		}
	}
	var measured float64
	if len(times) > 1 {
		measured = float64(len(times)-1) / times[len(times)-1].Sub(times[0]).Seconds()
	}
	tooMany := fake.TooManyRequests()
	b.ReportMetric(took.Seconds(), "s-to-done")
	b.ReportMetric(measured, "msgs/s")
	b.ReportMetric(100*(measured-rate)/rate, "%-off-rate")
	b.ReportMetric(float64(tooMany), "429s")
	b.ReportMetric(float64(dups), "duplicates")
	b.ReportMetric(float64(misses), "misses")
	b.ReportMetric(float64(cpu1-cpu0)/float64(time.Millisecond)/float64(max(len(times), 1)), "serve-cpu-ms/msg")
	fmt.Printf("broadcast to %d subscribers at %v/s (paid %t): done in %v, %.2f msgs/s (%+.1f%%), %d 429s, %d duplicates, %d missed, status %+v\n",
		n, rate, paid, took.Round(time.Millisecond), measured, 100*(measured-rate)/rate, tooMany, dups, misses,
		struct{ Sent, Blocked, Failed, Pending int }{s.Sent, s.Blocked, s.Failed, s.Pending})
	if misses > 0 || dups > 0 || s.Sent != n {
		b.Errorf("%d missed, %d duplicates, %d sent; want none missed, no duplicates, %d sent", misses, dups, s.Sent, n)
	}
}
