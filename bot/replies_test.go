package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"

	"examdesk/bot"
	"examdesk/conversation"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/redisstore"
	"examdesk/telegramtest"
)

// The tests of this file run the replies' whole way out: the inbox in
// Redis with its pace, the conversation pipeline, the Telegram transport
// and its sender, against the fake Bot API behaving as Telegram does
// when it limits, fails or is slow. Each checks that every question is
// answered, in order, and twice only where the rules allow: a message
// that failed after Telegram delivered it.

// echo is a dialog that answers a text "<name>*<n>" with n messages
// "<name> i/n", and any other text with one, "<text> 1/1"; each has a
// button, so that each is a Telegram message of its own.
type echo struct{}

func (echo) Step(st dialog.State, in dialog.Input) (dialog.State, dialog.Reply) {
	name, n := in.Text, 1
	if a, b, ok := strings.Cut(in.Text, "*"); ok {
		name, n = a, atoi(b)
	}
	r := dialog.Reply{Lang: "en"}
	for i := 1; i <= n; i++ {
		r.Messages = append(r.Messages, dialog.Message{
			Text:    dialog.T("bold", "Body", fmt.Sprintf("%s %d/%d", name, i, n)),
			Options: []dialog.Option{{Label: dialog.T("label.short"), Value: "ok", Step: int64(i)}},
		})
	}
	st.Step++
	return st, r
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// answers are the texts echo answers the questions with, in order.
func answers(questions ...string) []string {
	var out []string
	for _, q := range questions {
		_, r := echo{}.Step(dialog.State{}, dialog.Input{Text: q})
		for _, m := range bot.Render(stubMessages, r) {
			out = append(out, m.Text)
		}
	}
	return out
}

// replies is a rig for the replies' way out: one Redis, one fake Bot API,
// and pipelines on them, each a process of its own.
type replies struct {
	t       *testing.T
	fake    *telegramtest.Server
	st      *redisstore.Store
	inbox   []redisstore.InboxOption
	options conversation.Options
	sender  bot.SenderOptions
	logs    *syncBuffer
	reg     *prometheus.Registry
	metrics *bot.Metrics
	lastID  atomic.Int64
	q       *redisstore.Inbox // to add updates
}

func newReplies(t *testing.T) *replies {
	t.Helper()
	st := openStore(t)
	fake := telegramtest.NewServer(token)
	t.Cleanup(fake.Close)
	r := &replies{t: t, fake: fake, st: st, logs: &syncBuffer{}, reg: prometheus.NewRegistry()}
	r.metrics = bot.NewMetrics(r.reg, nil)
	r.inbox = []redisstore.InboxOption{redisstore.WithPace(redisstore.DefaultPace)}
	r.options = conversation.Options{Poll: 10 * time.Millisecond, Backoff: 20 * time.Millisecond}
	var err error
	if r.q, err = st.Inbox(r.inbox...); err != nil {
		t.Fatal(err)
	}
	return r
}

// run starts a pipeline, a process of its own, until the test ends.
func (r *replies) run() {
	r.t.Helper()
	q, err := r.st.Inbox(r.inbox...)
	if err != nil {
		r.t.Fatal(err)
	}
	api, err := tgbot.New(token, tgbot.WithServerURL(r.fake.URL()), tgbot.WithSkipGetMe(), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		r.t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(r.logs, nil))
	lim := r.st.Limiter(redisstore.LimiterOptions{})
	so := r.sender
	so.Attempts = 1
	so.TooMany = func(ctx context.Context, d time.Duration) { lim.Slow(ctx, d) }
	sender := bot.NewSender(api, stubMessages, log, r.metrics, so)
	o := r.options
	o.Log, o.Metrics = log, r.metrics
	p := conversation.New(q, echo{}, bot.NewTransport(sender, stubMessages, bot.TransportOptions{}), o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Errorf("Run() = %v", err)
		}
	})
}

// ask records questions of chat, one update each; it may be called from
// several goroutines at once.
func (r *replies) ask(chat int64, questions ...string) {
	r.t.Helper()
	var us []inbox.Update
	for _, q := range questions {
		us = append(us, inbox.Update{ID: r.lastID.Add(1), Chat: chat, User: chat, Input: dialog.Input{Text: q, LanguageCode: "en"}})
	}
	if _, err := r.q.Add(r.t.Context(), us); err != nil {
		r.t.Fatal(err)
	}
}

// delivered returns the texts delivered to each chat, in order.
func delivered(calls []telegramtest.Call) map[int64][]string {
	out := map[int64][]string{}
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Delivered {
			out[c.ChatID()] = append(out[c.ChatID()], c.Params["text"])
		}
	}
	return out
}

// wait waits until every chat of want has been delivered at least its
// answers, the last of them among them.
func (r *replies) wait(d time.Duration, want map[int64][]string) map[int64][]string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), d)
	defer cancel()
	var got map[int64][]string
	err := r.fake.WaitFor(ctx, func(calls []telegramtest.Call) bool {
		got = delivered(calls)
		for chat, w := range want {
			if g := got[chat]; len(g) < len(w) || len(w) > 0 && !slices.Contains(g, w[len(w)-1]) {
				return false
			}
		}
		return true
	})
	if err != nil {
		for chat, w := range want {
			r.t.Errorf("chat %d: delivered %q; want %q", chat, got[chat], w)
		}
		r.t.Fatalf("waiting %v for every answer: %v\n%s", d, err, lastLines(r.logs.String(), 20))
	}
	return got
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// counter returns the value of a counter of the rig's metrics with the
// labels given as "name=value".
func (r *replies) counter(name string, labels ...string) float64 {
	r.t.Helper()
	families, err := r.reg.Gather()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var got []string
			for _, l := range m.GetLabel() {
				got = append(got, l.GetName()+"="+l.GetValue())
			}
			if slices.Equal(got, labels) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestRepliesRetryAfter has Telegram refuse a chat's reply with a 429
// and a retry_after of 35 s (35 of the rig's "seconds", 20 ms each): the
// chat waits that long, its later questions behind, while another chat is
// answered; then every answer comes, once, in order; and replies are held
// to a rate after the 429.
func TestRepliesRetryAfter(t *testing.T) {
	t.Parallel()
	r := newReplies(t)
	const second = 20 * time.Millisecond
	r.sender.Second = second
	r.options.Workers = 1 // the chat waits without holding the only worker
	r.fake.Fail("sendMessage", 429, "", 1, telegramtest.ForChat(1), telegramtest.RetryAfter(35))
	r.run()
	start := time.Now()
	r.ask(1, "a*2")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := r.fake.WaitCalls(ctx, "sendMessage", 1); err != nil { // the refused call
		t.Fatal(err)
	}
	r.ask(1, "b")
	r.ask(2, "c")
	want := map[int64][]string{1: answers("a*2", "b"), 2: answers("c")}
	r.wait(10*time.Second, want)
	if d := time.Since(start); d < 35*second {
		t.Errorf("chat 1 answered %v after the 429; want at least its retry_after, %v", d, 35*second)
	}
	calls := r.fake.CallsTo("sendMessage")
	if first := delivered(calls); !slices.Equal(first[1], want[1]) || !slices.Equal(first[2], want[2]) {
		t.Errorf("delivered %v; want %v, each once", first, want)
	}
	// Chat 2 was answered while chat 1 waited.
	order := []int64{}
	for _, c := range calls {
		if c.Delivered {
			order = append(order, c.ChatID())
		}
	}
	if len(order) == 0 || order[0] != 2 {
		t.Errorf("chats answered in the order %v; want chat 2 first, while chat 1 waited", order)
	}
	if got := r.counter("examdesk_chats_deferred_total", "cause=flood"); got != 1 {
		t.Errorf("examdesk_chats_deferred_total{cause=flood} = %v; want 1", got)
	}
	held, err := r.st.Client().Exists(t.Context(), r.st.Prefix()+"lim:reply").Result()
	if err != nil || held != 1 {
		t.Errorf("EXISTS lim:reply after a 429 = %d, %v; want the replies held to a rate", held, err)
	}
}

// TestRepliesFailures has Telegram fail replies: 5xx before delivery (sent
// again, once), 5xx after delivery (it arrives twice: Telegram gives no
// way to know), an answer that comes too late (likewise), and failures
// that never end (given up after GiveUp, logged at ERROR with the update,
// counted; the chat goes on).
func TestRepliesFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fail    func(f *telegramtest.Server)
		twice   string // the answer that may arrive twice
		givenUp bool   // the first answer is given up
	}{
		{"5xx before delivery", func(f *telegramtest.Server) {
			f.Fail("sendMessage", 502, "Bad Gateway", 3, telegramtest.ForChat(1))
		}, "", false},
		{"5xx after delivery", func(f *telegramtest.Server) {
			f.Fail("sendMessage", 500, "Internal Server Error", 1, telegramtest.ForChat(1), telegramtest.Delivered())
		}, "a 1/2", false},
		{"answer too late", func(f *telegramtest.Server) {
			f.SlowAnswers(time.Second, "sendMessage")
		}, "", false},
		{"5xx for ever", func(f *telegramtest.Server) {
			f.Fail("sendMessage", 503, "Service Unavailable", 0, telegramtest.ForChat(1))
		}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newReplies(t)
			// A chat's pace of 100 ms, not Telegram's second: each attempt
			// after a failure takes a turn, and what is checked is what
			// arrives, not when.
			r.inbox = []redisstore.InboxOption{redisstore.WithPace(redisstore.Pace{Chat: 100 * time.Millisecond, Burst: 3})}
			r.sender.CallTimeout = 300 * time.Millisecond
			if tc.givenUp {
				r.options.GiveUp = 300 * time.Millisecond
			}
			tc.fail(r.fake)
			r.run()
			want := map[int64][]string{1: answers("a*2", "b"), 2: answers("c")}
			if tc.givenUp {
				want[1] = answers("b")
				r.ask(1, "a")
				waitFor(t, r.logs, `"level":"ERROR","msg":"giving a message up`)
				r.fake.ClearFailures()
				r.ask(1, "b")
			} else {
				r.ask(1, "a*2", "b")
			}
			r.ask(2, "c")
			if tc.name == "answer too late" {
				// The first calls are delivered, then time out; once one
				// did, answers come in time again.
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				if err := r.fake.WaitFor(ctx, func(calls []telegramtest.Call) bool {
					return slices.ContainsFunc(calls, func(c telegramtest.Call) bool { return c.Delivered && c.Status == 0 })
				}); err != nil {
					t.Fatal(err)
				}
				r.fake.SlowAnswers(0, "sendMessage")
			}
			got := r.wait(20*time.Second, want)
			for chat, w := range want {
				if !onceOrRepeated(got[chat], w, tc.twice, tc.name == "answer too late") {
					t.Errorf("chat %d: delivered %q; want %q in order, each once but %q", chat, got[chat], w, tc.twice)
				}
			}
			if tc.givenUp {
				if got := r.counter("examdesk_replies_given_up_total"); got != 1 {
					t.Errorf("examdesk_replies_given_up_total = %v; want 1", got)
				}
				if !strings.Contains(r.logs.String(), `"update_id":1,`) {
					t.Errorf("the ERROR log does not name update 1:\n%s", lastLines(r.logs.String(), 10))
				}
			}
		})
	}
}

// onceOrRepeated reports whether got is want in order, each once, but
// that twice may come twice (back to back), and, when late, that any may.
func onceOrRepeated(got, want []string, twice string, late bool) bool {
	var dedup []string
	for i, g := range got {
		if i > 0 && g == got[i-1] && (late || strings.Contains(g, twice) && twice != "") {
			continue
		}
		dedup = append(dedup, g)
	}
	return slices.Equal(dedup, want)
}

// waitFor waits until the log has a line containing want.
func waitFor(t *testing.T, logs *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line %q after 10 s:\n%s", want, lastLines(logs.String(), 20))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRepliesSlowCalls has every sendMessage take several times a lease,
// with two processes working the chats: the leases are renewed while the
// calls are in flight, so that no chat goes to the other process midway,
// and no answer comes twice or out of order.
func TestRepliesSlowCalls(t *testing.T) {
	t.Parallel()
	r := newReplies(t)
	// A lease of 800 ms renewed every 50 ms: a process would have to
	// stall 750 ms to lose it.
	r.inbox = append(r.inbox, redisstore.WithLease(800*time.Millisecond))
	r.options.Heartbeat = 50 * time.Millisecond
	r.fake.Slow(1200*time.Millisecond, "sendMessage")
	r.run()
	r.run()
	r.ask(1, "a", "b*2")
	r.ask(2, "d")
	want := map[int64][]string{1: answers("a", "b*2"), 2: answers("d")}
	got := r.wait(30*time.Second, want)
	for chat, w := range want {
		if !slices.Equal(got[chat], w) {
			t.Errorf("chat %d: delivered %q; want %q, each once", chat, got[chat], w)
		}
	}
}

// TestRepliesPace checks a chat's pace: a reply of five messages comes
// three at once, then one a second; meanwhile the only worker answers
// another chat, for it does not wait a second in hand.
//
// The pace is a schedule of slots (redisstore/lua/lib/pace.lua): the
// k-th message of a burst after a pause has its slot k-3 seconds after
// the first took its turn, which was no earlier than the question; a
// message sent late in its slot does not push back the next one's, so
// two messages may come less than a second apart, and only the schedule
// is checked.
func TestRepliesPace(t *testing.T) {
	t.Parallel()
	r := newReplies(t)
	r.options.Workers = 1
	r.run()
	asked := time.Now()
	r.ask(1, "a*5")
	r.wait(10*time.Second, map[int64][]string{1: answers("a*5")[:2]})
	r.ask(2, "b")
	want := map[int64][]string{1: answers("a*5"), 2: answers("b")}
	r.wait(20*time.Second, want)
	var times []time.Time
	var order []int64
	for _, c := range r.fake.CallsTo("sendMessage") {
		order = append(order, c.ChatID())
		if c.ChatID() == 1 {
			times = append(times, c.Time)
		}
	}
	// Redis's clock is read in whole ms, floored: its time of the first
	// turn may be up to a ms before asked.
	const clock = 2 * time.Millisecond
	for i := 3; i < len(times); i++ {
		slot := time.Duration(i-2) * redisstore.DefaultPace.Chat
		if d := times[i].Sub(asked); d < slot-clock {
			t.Errorf("message %d to chat 1 came %v after the question; want no earlier than its slot, %v: a burst of 3, then one a second", i+1, d, slot)
		}
	}
	if i := slices.Index(order, 2); i < 0 || i > 3 {
		t.Errorf("chats of the calls in order = %v; want chat 2 answered before chat 1's fourth message", order)
	}
	if got := r.counter("examdesk_chats_deferred_total", "cause=turn"); got < 2 {
		t.Errorf("examdesk_chats_deferred_total{cause=turn} = %v; want at least 2, a chat given up for each turn", got)
	}
}

// TestRepliesStorm has 40 chats ask at once, under a flood limit of 20
// messages a second, each 429 telling the bot to wait 2 s: every
// question is answered once, in order.
func TestRepliesStorm(t *testing.T) {
	t.Parallel()
	const chats = 40
	r := newReplies(t)
	r.fake.SetLimits(telegramtest.Limits{Global: 20, ChatEvery: time.Second, ChatBurst: 3, RetryAfter: 2})
	r.run()
	want := map[int64][]string{}
	var wg sync.WaitGroup
	for c := int64(1); c <= chats; c++ {
		questions := []string{fmt.Sprintf("q%d", c), fmt.Sprintf("r%d*2", c)}
		want[c] = answers(questions...)
		wg.Go(func() { r.ask(c, questions...) })
	}
	wg.Wait()
	got := r.wait(60*time.Second, want)
	for chat, w := range want {
		if !slices.Equal(got[chat], w) {
			t.Errorf("chat %d: delivered %q; want %q, each once", chat, got[chat], w)
		}
	}
	t.Logf("%d chats, %d answers: %d × 429", chats, 3*chats, r.fake.TooManyRequests())
}
