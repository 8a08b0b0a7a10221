package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"examdesk/bot"
	"examdesk/inbox"
	"examdesk/redisstore"
	"examdesk/telegramtest"
)

const pollToken = "42:poll-test"

// queue is an inbox.Queue that keeps what a poller adds.
type queue struct {
	inbox.Queue
	mu    sync.Mutex
	added []int64
}

func (q *queue) Add(_ context.Context, us []inbox.Update) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, u := range us {
		q.added = append(q.added, u.ID)
	}
	return len(us), nil
}

func (q *queue) has(id int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, a := range q.added {
		if a == id {
			return true
		}
	}
	return false
}

// poller is a bot.Poller running until stop, with its queue, metrics and
// log.
type poller struct {
	p      *bot.Poller
	q      *queue
	reg    *prometheus.Registry
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// stop stops the poller and returns what Run returned.
func (p *poller) stop() error {
	p.once.Do(func() {
		p.cancel()
		p.err = <-p.done
	})
	return p.err
}

// holds reports whether the poller says it holds the lease.
func (p *poller) holds(t *testing.T) bool {
	return metric(t, p.reg, "examdesk_poller_lease_held") == 1
}

func startPoller(t *testing.T, fake *telegramtest.Server, lease bot.Lease) *poller {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &poller{q: &queue{}, reg: prometheus.NewRegistry(), log: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	p.p = bot.NewPoller(fake.URL(), pollToken, p.q, bot.PollerOptions{
		Timeout:   time.Second,
		Log:       slog.New(slog.NewJSONHandler(p.log, nil)),
		Metrics:   bot.NewMetrics(p.reg, nil),
		Lease:     lease,
		LeaseTime: 500 * time.Millisecond,
	})
	go func() { p.done <- p.p.Run(ctx) }()
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("Run() = %v", err)
		}
	})
	return p
}

// metric returns the value of the metric name (no labels) in reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// waitUntil polls cond until it holds, failing the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// conflicts counts the getUpdates the fake answered 409.
func conflicts(fake *telegramtest.Server) int {
	n := 0
	for _, c := range fake.CallsTo("getUpdates") {
		if c.Status == http.StatusConflict {
			n++
		}
	}
	return n
}

// pollerFixture returns a fake Bot API and a poller lease on an embedded
// Redis, for a test; both end with it.
func pollerFixture(t *testing.T) (*telegramtest.Server, bot.Lease) {
	t.Helper()
	fake := telegramtest.NewServer(pollToken)
	t.Cleanup(fake.Close)
	st, stop, err := redisstore.OpenEmbedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return fake, st.PollerLease()
}

// deadLease is a lease whose Release does nothing, as when its holder is
// killed.
type deadLease struct{ bot.Lease }

func (deadLease) Release(context.Context, string) error { return nil }

// TestPollerTurns runs two pollers sharing a lease against one fake Bot
// API: one polls at a time, with no 409; when it stops, giving the lease
// up, the other takes over; when that one dies holding the lease, a third
// takes over once the lease runs out.
func TestPollerTurns(t *testing.T) {
	t.Parallel()
	fake, lease := pollerFixture(t)

	a := startPoller(t, fake, lease)
	waitUntil(t, 10*time.Second, "the first poller to hold the lease", func() bool { return a.holds(t) })
	b := startPoller(t, fake, deadLease{lease})
	for i := range 5 {
		id := fake.Send(telegramtest.Message(1, 1, "en", "one"))
		waitUntil(t, 10*time.Second, "an update recorded", func() bool { return a.q.has(id) })
		if b.q.has(id) {
			t.Errorf("update %d (%d) went to both pollers; want only the lease's holder polling", id, i)
		}
	}
	if b.holds(t) {
		t.Errorf("both pollers say they hold the lease")
	}

	// The holder stops, giving the lease up: the other takes over.
	if err := a.stop(); err != nil {
		t.Fatal(err)
	}
	id := fake.Send(telegramtest.Message(1, 1, "en", "after the stop"))
	waitUntil(t, 10*time.Second, "the other poller to record an update", func() bool { return b.q.has(id) })

	// A third joins; the holder dies without giving the lease up: the
	// third takes over once it ran out.
	c := startPoller(t, fake, lease)
	died := time.Now()
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	id = fake.Send(telegramtest.Message(1, 1, "en", "after the death"))
	waitUntil(t, 10*time.Second, "the third poller to take over", func() bool { return c.q.has(id) })
	t.Logf("taken over %v after the holder died, with a lease of 500 ms", time.Since(died).Round(time.Millisecond))

	if n := conflicts(fake); n != 0 {
		t.Errorf("the fake answered %d getUpdates with 409; want none", n)
	}
	for _, p := range []*poller{a, b, c} {
		if n := metric(t, p.reg, "examdesk_getupdates_conflicts_total"); n != 0 || p.p.Conflicted() {
			t.Errorf("a poller counted %v conflicts (conflicted: %t); want none", n, p.p.Conflicted())
		}
	}
}

// TestPollerConflict checks what a poller does with a 409 Conflict its
// turn does not explain: another poller of the token that does not share
// its lease, then a webhook. Each is logged as an error saying what it
// means, counted, and makes Conflicted true until polling succeeds again.
func TestPollerConflict(t *testing.T) {
	t.Parallel()
	fake, lease := pollerFixture(t)
	// Telegram holds a conflict that comes within 3 s of the last; what
	// the poller does between them does not depend on how long.
	fake.SetConflictPause(300 * time.Millisecond)
	p := startPoller(t, fake, lease)
	waitUntil(t, 10*time.Second, "the poller to poll", func() bool { return len(fake.CallsTo("getUpdates")) > 0 })

	// Another process polls the same token.
	ctx, cancel := context.WithCancel(t.Context())
	var rogue sync.WaitGroup
	rogue.Go(func() {
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fake.URL()+"/bot"+pollToken+"/getUpdates?timeout=1", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	waitUntil(t, 20*time.Second, "a conflict", func() bool { return p.p.Conflicted() })
	cancel()
	rogue.Wait()
	if n := metric(t, p.reg, "examdesk_getupdates_conflicts_total"); n < 1 {
		t.Errorf("examdesk_getupdates_conflicts_total = %v; want at least 1", n)
	}
	if log := p.log.String(); !strings.Contains(log, `"level":"ERROR","msg":"getUpdates: 409 Conflict: another process polls`) {
		t.Errorf("log lacks the conflict's error:\n%s", log)
	}
	waitUntil(t, 20*time.Second, "polling to succeed again", func() bool { return !p.p.Conflicted() })
	id := fake.Send(telegramtest.Message(1, 1, "en", "hello"))
	waitUntil(t, 10*time.Second, "the update recorded", func() bool { return p.q.has(id) })

	// A webhook is set for the token.
	setWebhook(t, fake, "https://example.org/hook")
	waitUntil(t, 20*time.Second, "a conflict with the webhook", func() bool { return p.p.Conflicted() })
	if log := p.log.String(); !strings.Contains(log, `"msg":"getUpdates: 409 Conflict: a webhook is set`) {
		t.Errorf("log lacks the webhook conflict's error:\n%s", log)
	}
	setWebhook(t, fake, "")
	waitUntil(t, 20*time.Second, "polling to succeed again", func() bool { return !p.p.Conflicted() })
}

func setWebhook(t *testing.T, fake *telegramtest.Server, url string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"url": url})
	resp, err := http.Post(fake.URL()+"/bot"+pollToken+"/setWebhook", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
