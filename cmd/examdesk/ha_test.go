package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// The tests of this file run serve where Redis or serve itself is more
// than one process: two serves polling one token on one Redis, and a
// serve on a Redis Sentinel set whose master is killed under load.

// metricOf reads a metric without labels from the /metrics of the serve
// at addr; ok is false when it is absent or serve does not answer.
func metricOf(addr, name string) (v float64, ok bool) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(body)) {
		if rest, found := strings.CutPrefix(line, name+" "); found {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// conflictsAnswered counts the getUpdates the fake answered 409.
func conflictsAnswered(fake *telegramtest.Server) int {
	n := 0
	for _, c := range fake.CallsTo("getUpdates") {
		if c.Status == http.StatusConflict {
			n++
		}
	}
	return n
}

// questions is a load of FAQ questions: each chat asks its own sequence
// of topics, one every pause, so that every answer is one message that
// no other question of the chat gets.
type questions struct {
	fake    *telegramtest.Server
	e       *engine
	mu      sync.Mutex
	scripts map[int64]*script
	asked   map[int64][]string // by chat, the answers expected, in order
	ids     []int64            // of the updates sent
}

func newQuestions(fake *telegramtest.Server, e *engine) *questions {
	return &questions{fake: fake, e: e, scripts: map[int64]*script{}, asked: map[int64][]string{}}
}

// ask makes chats chats, from first, ask n questions each, starting at
// their topic offset, pausing between min and max; it returns when all
// are sent.
func (q *questions) ask(chats []int64, offset, n int, pause [2]time.Duration, seed uint64) {
	var wg sync.WaitGroup
	for i, chat := range chats {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(chat)))
			q.mu.Lock()
			s := q.scripts[chat]
			if s == nil {
				s = q.e.script(chat, appLangs[i%len(appLangs)])
				q.scripts[chat] = s
			}
			q.mu.Unlock()
			for k := range n {
				topic := q.e.topics[(i+offset+k)%len(q.e.topics)]
				s.say("/start " + topic)
				q.mu.Lock()
				q.asked[chat] = append(q.asked[chat], s.replies[len(s.replies)-1]...)
				q.mu.Unlock()
				id := q.fake.Send(telegramtest.Message(chat, chat, s.code, "/start "+topic))
				q.mu.Lock()
				q.ids = append(q.ids, id)
				q.mu.Unlock()
				time.Sleep(pause[0] + time.Duration(rng.Int64N(int64(pause[1]-pause[0]))))
			}
		})
	}
	wg.Wait()
}

// waitAnswered waits until every chat got as many messages as it asked
// for.
func (q *questions) waitAnswered(t testing.TB, d time.Duration) {
	t.Helper()
	q.mu.Lock()
	want := map[int64]int{}
	for chat, a := range q.asked {
		want[chat] = len(a)
	}
	q.mu.Unlock()
	waitSent(t, q.fake, d, "every answer", func(m map[int64][]telegramtest.Call) bool {
		for chat, n := range want {
			if len(distinct(textsOf(m[chat]))) < n {
				return false
			}
		}
		return true
	})
}

// check compares what each chat was sent with what it asked for: it
// returns the answers missing and, for each answer sent twice, when it
// was sent first.
func (q *questions) check() (missing []string, twice []time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	sent := sentTo(q.fake)
	for chat, want := range q.asked {
		first := map[string]time.Time{}
		for _, c := range sent[chat] {
			text := c.Params["text"]
			if at, ok := first[text]; ok {
				twice = append(twice, at)
				continue
			}
			first[text] = c.Time
		}
		for _, w := range want {
			if _, ok := first[w]; !ok {
				missing = append(missing, fmt.Sprintf("chat %d: %q", chat, abbrev(w)))
			}
		}
	}
	return missing, twice
}

// TestServeTwoProcessesPolling runs two serves polling one token on one
// Redis while candidates ask questions: one polls at a time, both work
// the queue, every question is answered once, and the fake Bot API
// answers no 409. Then the serve that polls is killed: the other takes
// polling over and answers what follows.
func TestServeTwoProcessesPolling(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	in := openInbox(t, srv.URL)
	e := newEngine(t)
	fake.Slow(20*time.Millisecond, "sendMessage")
	serves := []*serveChild{
		startServeChild(t, serveEnv(t, fake, srv.URL)),
		startServeChild(t, serveEnv(t, fake, srv.URL)),
	}
	start := time.Now()

	var chats []int64
	for i := range 20 {
		chats = append(chats, int64(4000+i))
	}
	q := newQuestions(fake, e)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	q.ask(chats, 0, 8, [2]time.Duration{100 * time.Millisecond, 500 * time.Millisecond}, seed)
	q.waitAnswered(t, 30*time.Second)
	in.waitIdle(10 * time.Second)
	// Both work the queue: the serve that does not poll claims chats too.
	// Which claims a chat is a race, most often won by the poller's
	// workers, woken as it records an update: twenty more chats ask
	// until the other has won one.
	untilEachHandled(t, []string{serves[0].addr, serves[1].addr}, func(round, _ int) {
		var more []int64
		for i := range 20 {
			more = append(more, int64(4000+100*round+i))
		}
		q.ask(more, 0, 1, [2]time.Duration{10 * time.Millisecond, 100 * time.Millisecond}, seed+uint64(round)<<32)
		q.waitAnswered(t, 30*time.Second)
		in.waitIdle(10 * time.Second)
	})

	leader := -1
	for i, s := range serves {
		held, ok := metricOf(s.addr, "examdesk_poller_lease_held")
		if !ok {
			t.Fatalf("serve %d: no examdesk_poller_lease_held in /metrics", i+1)
		}
		if held == 1 {
			if leader >= 0 {
				t.Fatalf("both serves say they poll")
			}
			leader = i
		}
	}
	if leader < 0 {
		t.Fatalf("neither serve says it polls")
	}
	other := serves[1-leader]

	// The serve that polls dies; the other takes over within the lease.
	serves[leader].kill()
	killed := time.Now()
	for {
		if held, _ := metricOf(other.addr, "examdesk_poller_lease_held"); held == 1 {
			break
		}
		if time.Since(killed) > hangGuard {
			t.Fatalf("the other serve still not polling %v after the poller was killed", hangGuard)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("polling taken over %v after the poller was killed", time.Since(killed).Round(10*time.Millisecond))
	q.ask(chats, 8, 4, [2]time.Duration{50 * time.Millisecond, 200 * time.Millisecond}, seed+1)
	q.waitAnswered(t, 30*time.Second)
	in.waitIdle(10 * time.Second)

	missing, twice := q.check()
	for _, m := range missing {
		t.Errorf("never answered: %s", m)
	}
	if len(twice) > 0 {
		t.Errorf("%d answers sent twice; want each once", len(twice))
	}
	n := conflictsAnswered(fake)
	total := 0
	for _, a := range q.asked {
		total += len(a)
	}
	t.Logf("%d questions in %v, %d getUpdates answered 409", total, time.Since(start).Round(100*time.Millisecond), n)
	if n > 1 {
		t.Errorf("the fake answered %d getUpdates with 409; want none (one at most, for a turn that ends under load)", n)
	}
	if c, ok := metricOf(other.addr, "examdesk_getupdates_conflicts_total"); !ok || c != 0 {
		t.Errorf("examdesk_getupdates_conflicts_total = %v (%t); want 0: no poller outside this Redis", c, ok)
	}
}

// untilEachHandled returns once each serve at addrs has handled an
// update, calling more with the round (from 1) and a serve that has not
// yet, until then. It fails the test if one still has not after
// hangGuard: that serve does not work the queue.
func untilEachHandled(t testing.TB, addrs []string, more func(round, idle int)) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for round := 1; ; round++ {
		idle := slices.IndexFunc(addrs, func(a string) bool { return handledCount(t, a) == 0 })
		if idle < 0 {
			if round > 1 {
				t.Logf("each serve handled an update after %d more rounds", round-1)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve %d handled no update after %d more rounds in %v; want each serve to work the queue", idle+1, round-1, hangGuard)
		}
		more(round, idle)
	}
}

// TestServeSentinelFailover runs serve on a Redis Sentinel set (a master,
// a replica, three sentinels) while candidates ask questions, and kills
// the master: the sentinels promote the replica and serve goes on with
// it. No update is lost: each one acknowledged to Telegram was on the
// replica (WAIT); every question is answered; an answer is sent twice
// only if it was first sent before the failover ended (its commit may
// not have reached the replica).
func TestServeSentinelFailover(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	t0 := time.Now()
	set := redistest.StartSentinels(t)
	t.Logf("sentinel set ready in %v", time.Since(t0))
	e := newEngine(t)
	fake.Slow(20*time.Millisecond, "sendMessage")
	c := startServeChild(t, serveEnv(t, fake, set.URL))
	waitMetric(t, c.addr, "examdesk_redis_replicas_in_sync", 1)
	t.Logf("serve ready in %v", time.Since(t0))

	var chats []int64
	for i := range 30 {
		chats = append(chats, int64(3000+i))
	}
	q := newQuestions(fake, e)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	asked := make(chan struct{})
	go func() {
		defer close(asked)
		q.ask(chats, 0, 12, [2]time.Duration{200 * time.Millisecond, 800 * time.Millisecond}, seed)
	}()
	time.Sleep(2 * time.Second)
	waits := commandCalls(t, set.Master.URL, "wait")
	set.Master.Kill()
	killed := time.Now()
	failedOver := set.WaitFailover(t, 30*time.Second)
	<-asked
	t.Logf("all asked %v after the kill", time.Since(killed))
	q.waitAnswered(t, 60*time.Second)
	t.Logf("all answered %v after the kill", time.Since(killed))

	// The gap: the longest time without an answer from the last one
	// before the kill on.
	var times []time.Time
	for _, call := range fake.CallsTo("sendMessage") {
		if call.OK() {
			times = append(times, call.Time)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	var gap time.Duration
	var gapEnd time.Time
	for i := 1; i < len(times); i++ {
		if times[i].After(killed) && times[i].Sub(times[i-1]) > gap {
			gap, gapEnd = times[i].Sub(times[i-1]), times[i]
		}
	}
	missing, twice := q.check()
	inFlight := 0
	for _, at := range twice {
		if at.Before(failedOver) {
			inFlight++
		}
	}
	timeouts, _ := metricOf(c.addr, "examdesk_redis_wait_timeouts_total")
	total := 0
	for _, a := range q.asked {
		total += len(a)
	}
	t.Logf("%d questions; sentinels failed over %v after the kill; longest time without an answer %v, ending %v after the kill; "+
		"%d WAITs before the kill, %v timed out; %d answers missing, %d sent twice (%d first sent before the failover ended)",
		total, failedOver.Sub(killed).Round(time.Millisecond), gap.Round(time.Millisecond), gapEnd.Sub(killed).Round(time.Millisecond),
		waits, timeouts, len(missing), len(twice), inFlight)
	if waits == 0 {
		t.Errorf("the master ran no WAIT before it was killed; want intake waiting for the replica")
	}
	// No update is lost: the promoted replica recorded every one, and
	// Telegram holds none unconfirmed.
	recorded := openInbox(t, set.Replica.URL).recorded()
	for _, id := range q.ids {
		if !recorded[id] {
			t.Errorf("update %d was never recorded", id)
		}
	}
	if n := fakePending(t, fake); n != 0 {
		t.Errorf("getUpdates still holds %d updates; want every one confirmed", n)
	}
	for _, m := range missing {
		t.Errorf("never answered: %s", m)
	}
	if len(twice) > inFlight {
		t.Errorf("%d answers sent twice whose first copy went after the failover ended; want only those in flight at it", len(twice)-inFlight)
	}
}

// waitMetric waits until the serve at addr reports the metric name at
// want.
func waitMetric(t testing.TB, addr, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if v, ok := metricOf(addr, name); ok && v == want {
			return
		}
		if time.Now().After(deadline) {
			v, ok := metricOf(addr, name)
			t.Fatalf("%s = %v (%t) after 30 s; want %v", name, v, ok, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// commandCalls returns how many times the Redis at url ran command.
func commandCalls(t testing.TB, url, command string) int {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	for line := range strings.Lines(info) {
		if rest, ok := strings.CutPrefix(line, "cmdstat_"+command+":calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

// TestServePollConflict sets a webhook for the token serve polls, as
// another deployment in webhook mode would: serve logs the 409 at ERROR
// saying what it means, counts it, and /readyz fails until getUpdates
// succeeds again, once the webhook is deleted.
func TestServePollConflict(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	s := startServe(t, fake, serveEnv(t, fake, srv.URL))
	ready := func() (int, string) {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	waitReadyz := func(want int) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, body := ready()
			if code == want {
				return body
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz = %d %q after 20 s; want %d", code, body, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	hook := func(method string, params string) {
		t.Helper()
		resp, err := http.Post(fake.URL()+"/bot"+testToken+"/"+method, "application/json", strings.NewReader(params))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	hook("setWebhook", `{"url":"https://elsewhere.example.org/hook"}`)
	if body := waitReadyz(http.StatusServiceUnavailable); !strings.Contains(body, "409 Conflict") {
		t.Errorf("/readyz says %q; want it to name the conflict", body)
	}
	waitLog(t, s, `"level":"ERROR","msg":"getUpdates: 409 Conflict: a webhook is set for this bot's token`)
	if n, ok := metricOf(s.addr, "examdesk_getupdates_conflicts_total"); !ok || n < 1 {
		t.Errorf("examdesk_getupdates_conflicts_total = %v (%t); want at least 1", n, ok)
	}
	hook("deleteWebhook", `{}`)
	waitReadyz(http.StatusOK)
	c := newChat(t, fake, 77, "en")
	c.say("/start", "E-commerce")
}
