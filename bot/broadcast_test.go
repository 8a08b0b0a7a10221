package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

func TestBroadcasterSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fail   func(s *telegramtest.Server)
		text   string
		paid   bool
		check  func(err error) bool
		params map[string]string
	}{
		{"sent as written", nil, "a <b> & c", false, func(err error) bool { return err == nil },
			map[string]string{"text": "a <b> & c", "parse_mode": ""}},
		{"paid", nil, "x", true, func(err error) bool { return err == nil },
			map[string]string{"allow_paid_broadcast": "true"}},
		{"blocked", func(s *telegramtest.Server) { s.Fail("sendMessage", 403, "", 1) }, "x", false,
			func(err error) bool { return errors.Is(err, broadcast.ErrBlocked) }, nil},
		{"too many", func(s *telegramtest.Server) { s.Fail("sendMessage", 429, "", 1, telegramtest.RetryAfter(3)) }, "x", false,
			func(err error) bool {
				var ra *broadcast.RetryAfterError
				return errors.As(err, &ra) && ra.After == 3*time.Second
			}, nil},
		{"rejected", func(s *telegramtest.Server) { s.Fail("sendMessage", 400, "", 1) }, "x", false,
			func(err error) bool {
				var rej *broadcast.RejectedError
				return errors.As(err, &rej) && strings.Contains(rej.Reason, "chat not found")
			}, nil},
		{"server error", func(s *telegramtest.Server) { s.Fail("sendMessage", 502, "Bad Gateway", 1) }, "x", false,
			func(err error) bool {
				var rej *broadcast.RejectedError
				var ra *broadcast.RetryAfterError
				return err != nil && !errors.Is(err, broadcast.ErrBlocked) && !errors.As(err, &rej) && !errors.As(err, &ra)
			}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.fail != nil {
				tt.fail(f.srv)
			}
			b := bot.NewBroadcaster(f.api, nil)
			err := b.Send(t.Context(), 42, tt.text, tt.paid)
			if !tt.check(err) {
				t.Errorf("Send() error = %v", err)
			}
			calls := f.srv.CallsTo("sendMessage")
			if len(calls) != 1 {
				t.Fatalf("%d sendMessage calls; want 1 (no retries)", len(calls))
			}
			for k, v := range tt.params {
				if got := calls[0].Params[k]; got != v {
					t.Errorf("param %s = %q; want %q", k, got, v)
				}
			}
		})
	}
}

func TestSenderSpend(t *testing.T) {
	t.Parallel()
	var spent int
	var mu sync.Mutex
	f := newFakeWith(t, "", bot.SenderOptions{Backoff: time.Millisecond, Spend: func() { mu.Lock(); spent++; mu.Unlock() }})
	f.srv.Fail("sendMessage", 502, "Bad Gateway", 1)
	if err := f.sender.Send(t.Context(), 5, bot.Outgoing{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if spent != 2 {
		t.Errorf("Spend called %d times for a send retried once; want 2", spent)
	}
}

// delivery is a Deliverer wired as serve wires it, on a Redis of the
// tests' own prefix and a fake Bot API.
type delivery struct {
	fake   *telegramtest.Server
	st     *redisstore.Store
	queue  *redisstore.Broadcasts
	subs   *redisstore.Subscribers
	lim    *redisstore.Limiter
	sender *bot.Broadcaster
	opts   broadcast.DelivererOptions // of the deliverer run makes
}

// openStore opens a store on the tests' Redis, under a prefix of the
// test's own.
func openStore(t *testing.T) *redisstore.Store {
	t.Helper()
	url := redistest.URL(t)
	ro, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(ro)
	t.Cleanup(func() { c.Close() })
	st, err := redisstore.Open(t.Context(), url, redisstore.WithPrefix(redistest.Prefix(t, c)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newDelivery(t *testing.T, rate float64) *delivery {
	t.Helper()
	st := openStore(t)
	f := newFake(t)
	dl := &delivery{fake: f.srv, st: st, queue: st.Broadcasts(0), subs: st.Subscribers(), lim: st.Limiter(redisstore.LimiterOptions{Rate: rate})}
	dl.sender = bot.NewBroadcaster(f.api, nil)
	dl.opts = broadcast.DelivererOptions{
		Subscribers: dl.subs, Log: slog.New(slog.DiscardHandler), Poll: 20 * time.Millisecond, Backoff: 50 * time.Millisecond,
	}
	return dl
}

// subscribe subscribes chats from..from+n-1, in the three languages by
// turns.
func (dl *delivery) subscribe(t *testing.T, from int64, n int) {
	t.Helper()
	langs := []string{examdesk.Traditional, examdesk.Simplified, examdesk.English}
	for i := range int64(n) {
		if err := dl.subs.Subscribe(t.Context(), broadcast.Subscriber{Chat: from + i, Lang: langs[i%3], Level: examdesk.Level(i%4 + 1)}); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs a deliverer with dl.opts until the broadcast id ends, and
// returns its status.
func (dl *delivery) run(t *testing.T, id string) broadcast.Status {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- broadcast.NewDeliverer(dl.queue, dl.lim, dl.sender, dl.opts).Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v; want nil", err)
		}
	}()
	for {
		st, _, err := dl.queue.Status(t.Context(), id)
		if err != nil {
			t.Fatalf("broadcast %s: %v", id, err)
		}
		if st.State == broadcast.Done || st.State == broadcast.Cancelled {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var texts = map[string]string{"": "Registration opens on 1 March <b>&</b>", "zh-Hant": "三月一日開始報名", "zh-Hans": "三月一日开始报名"}

// TestDeliverLimits broadcasts to a hundred subscribers through a fake
// Bot API enforcing 30 messages/s and 1 per chat per second, at the
// default rate, from two deliverers sharing the limiter: no 429, each
// subscriber once, in their language.
func TestDeliverLimits(t *testing.T) {
	t.Parallel()
	const n = 100 // 4 s at 25/s: four windows of the fake's limit
	dl := newDelivery(t, redisstore.DefaultRate)
	dl.fake.Limit(30, 1)
	dl.subscribe(t, 1000, n)
	// A second process's deliverer on the same queue and limiter.
	other := broadcast.NewDeliverer(dl.queue, dl.st.Limiter(redisstore.LimiterOptions{}), dl.sender,
		broadcast.DelivererOptions{Subscribers: dl.subs, Poll: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { other.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	st, err := dl.queue.Create(t.Context(), broadcast.Notice{Texts: texts, By: "test"}, dl.subs)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	end := dl.run(t, st.ID)
	took := time.Since(start)
	if end.Sent != n || end.Failed != 0 || end.Blocked != 0 {
		t.Errorf("status = %+v; want %d sent", end, n)
	}
	if got := dl.fake.TooManyRequests(); got != 0 {
		t.Errorf("the fake answered %d 429s; want none at %v/s", got, redisstore.DefaultRate)
	}
	byChat := map[int64][]string{}
	for _, c := range dl.fake.CallsTo("sendMessage") {
		if c.OK() {
			byChat[c.ChatID()] = append(byChat[c.ChatID()], c.Params["text"])
		}
	}
	for i := range int64(n) {
		chat := 1000 + i
		want := texts[[]string{"zh-Hant", "zh-Hans", ""}[i%3]]
		if got := byChat[chat]; len(got) != 1 || got[0] != want {
			t.Errorf("chat %d got %q; want %q once", chat, got, want)
		}
	}
	t.Logf("%d messages in %v: %.1f/s", n, took.Round(time.Millisecond), float64(n)/took.Seconds())
}

func TestDeliverOutcomes(t *testing.T) {
	t.Parallel()
	dl := newDelivery(t, 100)
	dl.fake.Limit(100, 1)
	dl.subscribe(t, 1, 12)
	dl.fake.Fail("sendMessage", 403, "", 1, telegramtest.ForChat(2))
	dl.fake.Fail("sendMessage", 400, "Bad Request: chat not found", 1, telegramtest.ForChat(3))
	dl.fake.Fail("sendMessage", 502, "Bad Gateway", 2, telegramtest.ForChat(4))
	dl.fake.Fail("sendMessage", 500, "Internal Server Error", 0, telegramtest.ForChat(5)) // for ever
	dl.opts.MaxAttempts = 3
	st, err := dl.queue.Create(t.Context(), broadcast.Notice{Texts: texts}, dl.subs)
	if err != nil {
		t.Fatal(err)
	}
	end := dl.run(t, st.ID)
	if end.Sent != 9 || end.Blocked != 1 || end.Failed != 2 || end.Pending != 0 {
		t.Errorf("status = %+v; want 9 sent, 1 blocked, 2 failed", end)
	}
	out, err := dl.queue.Outcomes(t.Context(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{
		1: "sent", 2: "blocked", 3: "failed: 400 Bad Request: chat not found", 4: "sent",
		5: "failed: 3 attempts: telegram sendMessage: 500 Internal Server Error",
	}
	for chat, w := range want {
		if out[chat] != w {
			t.Errorf("outcome of chat %d = %q; want %q", chat, out[chat], w)
		}
	}
	if _, active, found, err := dl.subs.Get(t.Context(), 2); err != nil || !found || active {
		t.Errorf("Get(blocked chat 2) = active %t, found %t, %v; want found, inactive", active, found, err)
	}
	if n := len(dl.fake.CallsTo("sendMessage")); n != 12+2+2 {
		t.Errorf("%d sendMessage calls; want 16 (12, 2 retries of chat 4, 2 of chat 5)", n)
	}
}

// TestDeliverUnsubscribed checks that users who send /stop or /forget after
// a broadcast was queued get nothing from it.
func TestDeliverUnsubscribed(t *testing.T) {
	t.Parallel()
	dl := newDelivery(t, 100)
	dl.subscribe(t, 1, 4)
	st, err := dl.queue.Create(t.Context(), broadcast.Notice{Texts: texts}, dl.subs)
	if err != nil {
		t.Fatal(err)
	}
	if err := dl.subs.Unsubscribe(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	if err := dl.subs.Forget(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	end := dl.run(t, st.ID)
	if end.Total != 4 || end.Sent != 2 || end.Failed != 2 {
		t.Errorf("status = %+v; want 4 in all, 2 sent, 2 not sent", end)
	}
	for _, c := range dl.fake.CallsTo("sendMessage") {
		if chat := c.ChatID(); chat == 2 || chat == 3 {
			t.Errorf("chat %d was sent %q after unsubscribing", chat, c.Params["text"])
		}
	}
	out, err := dl.queue.Outcomes(t.Context(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out[2] != "failed: "+broadcast.Unsubscribed {
		t.Errorf("outcome of chat 2 = %q; want failed: %s", out[2], broadcast.Unsubscribed)
	}
}

// TestDeliverTooMany injects a 429: the deliverer waits retry_after, lowers
// its rate, and still sends everyone once.
//
// The 429s do not count as the recipient's attempts: chat 5, refused more
// times than MaxAttempts, still gets its message.
func TestDeliverTooMany(t *testing.T) {
	t.Parallel()
	dl := newDelivery(t, 20)
	dl.subscribe(t, 1, 20)
	dl.opts.MaxAttempts = 2
	dl.fake.Fail("sendMessage", 429, "", 3, telegramtest.RetryAfter(1), telegramtest.ForChat(5))
	st, err := dl.queue.Create(t.Context(), broadcast.Notice{Texts: texts}, dl.subs)
	if err != nil {
		t.Fatal(err)
	}
	end := dl.run(t, st.ID)
	if end.Sent != 20 {
		t.Errorf("status = %+v; want 20 sent", end)
	}
	// Sends whose time was taken before a 429 may follow it, however
	// late: one for each of the other workers, in flight when it came,
	// and one whose time was taken before the worker that got the 429
	// told the limiter. Every other waits a second.
	const workers = 4 // DelivererOptions' default
	var refused time.Time
	var early []time.Duration // after the last 429
	after := 0
	for _, c := range dl.fake.CallsTo("sendMessage") {
		switch {
		case c.Status == http.StatusTooManyRequests:
			refused, early = c.Time, nil
		case !refused.IsZero():
			after++
			if gap := c.Time.Sub(refused); gap < 950*time.Millisecond {
				early = append(early, gap)
				if len(early) == workers+1 {
					t.Errorf("calls %v after a 429 with retry_after 1; want at most %d before 1s, in flight when it came", early, workers)
				}
			}
		}
	}
	if refused.IsZero() || after == 0 {
		t.Fatalf("no call after the 429")
	}
	rate, err := dl.lim.CurrentRate(t.Context())
	if err != nil || rate >= 20 {
		t.Errorf("CurrentRate() = %v, %v; want below 20 for a while after a 429", rate, err)
	}
	perChat := map[int64]int{}
	for _, c := range dl.fake.CallsTo("sendMessage") {
		if c.OK() {
			perChat[c.ChatID()]++
		}
	}
	for chat := int64(1); chat <= 20; chat++ {
		if perChat[chat] != 1 {
			t.Errorf("chat %d got %d messages; want 1", chat, perChat[chat])
		}
	}
}

// TestDeliverCancel cancels a broadcast in flight: nothing more is sent
// after the sends in hand.
func TestDeliverCancel(t *testing.T) {
	t.Parallel()
	dl := newDelivery(t, 10)
	dl.subscribe(t, 1, 100)
	st, err := dl.queue.Create(t.Context(), broadcast.Notice{Texts: texts}, dl.subs)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(500 * time.Millisecond)
		dl.queue.Cancel(context.Background(), st.ID)
	}()
	end := dl.run(t, st.ID)
	time.Sleep(300 * time.Millisecond) // the sends in hand
	sent := len(dl.fake.CallsTo("sendMessage"))
	end, _, _ = dl.queue.Status(t.Context(), st.ID)
	if end.State != broadcast.Cancelled || sent > 15 || end.Sent != sent || end.Pending != 100-sent {
		t.Errorf("after Cancel: %d sent, status %+v; want about 5 sent, the rest pending", sent, end)
	}
}

// TestDeliverLeaseRenewed has the recipients in hand wait for the limiter
// several times their lease, with another process's deliverer on the
// queue: the heartbeat renews the leases, so that no recipient goes to the
// other while it is in hand, and nobody is sent twice.
func TestDeliverLeaseRenewed(t *testing.T) {
	t.Parallel()
	const n = 10
	dl := newDelivery(t, 20)
	// A lease of 800 ms renewed every 40 ms: a process would have to
	// stall 760 ms to lose it, which a loaded machine under the race
	// detector may do for 250.
	const lease = 800 * time.Millisecond
	dl.queue = dl.st.Broadcasts(lease)
	dl.opts.Heartbeat = 40 * time.Millisecond
	var logs syncBuffer
	dl.opts.Log = slog.New(slog.NewTextHandler(&logs, nil))
	dl.subscribe(t, 1, n)
	// Telegram said to wait: the broadcasts stop for two and a half
	// leases, with their recipients in hand.
	if err := dl.lim.Slow(t.Context(), lease*5/2); err != nil {
		t.Fatal(err)
	}
	opts := dl.opts
	opts.Poll = 20 * time.Millisecond
	other := broadcast.NewDeliverer(dl.queue, dl.st.Limiter(redisstore.LimiterOptions{Rate: 20}), dl.sender, opts)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { other.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	st, err := dl.queue.Create(t.Context(), broadcast.Notice{Texts: texts}, dl.subs)
	if err != nil {
		t.Fatal(err)
	}
	if end := dl.run(t, st.ID); end.Sent != n {
		t.Errorf("status = %+v; want %d sent", end, n)
	}
	perChat := map[int64]int{}
	for _, c := range dl.fake.CallsTo("sendMessage") {
		if c.OK() {
			perChat[c.ChatID()]++
		}
	}
	for chat := int64(1); chat <= n; chat++ {
		if perChat[chat] != 1 {
			t.Errorf("chat %d got %d messages; want 1", chat, perChat[chat])
		}
	}
	if strings.Contains(logs.String(), "lease") {
		t.Errorf("a recipient's lease ran out in hand:\n%s", logs.String())
	}
}
