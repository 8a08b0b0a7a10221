package bot_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"examdesk/admin"
	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/locales"
	"examdesk/telegramtest"
)

// watchQueue is a broadcast.Queue in memory whose statuses the test sets.
type watchQueue struct {
	mu      sync.Mutex
	ids     []string // oldest first
	status  map[string]broadcast.Status
	notices map[string]broadcast.Notice
}

func (q *watchQueue) set(st broadcast.Status, n broadcast.Notice) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.status == nil {
		q.status, q.notices = map[string]broadcast.Status{}, map[string]broadcast.Notice{}
	}
	if _, ok := q.status[st.ID]; !ok {
		q.ids = append(q.ids, st.ID)
	}
	q.status[st.ID] = st
	if n.ID != "" {
		q.notices[st.ID] = n
	}
}

func (q *watchQueue) Create(context.Context, broadcast.Notice, broadcast.Subscribers) (broadcast.Status, error) {
	panic("not used")
}

func (q *watchQueue) Status(_ context.Context, id string) (broadcast.Status, broadcast.Notice, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	st, ok := q.status[id]
	if !ok {
		return broadcast.Status{}, broadcast.Notice{}, broadcast.ErrNotFound
	}
	return st, q.notices[id], nil
}

func (q *watchQueue) Cancel(context.Context, string) (broadcast.Status, error) { panic("not used") }

func (q *watchQueue) List(_ context.Context, n int) ([]broadcast.Status, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []broadcast.Status
	for i := len(q.ids) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, q.status[q.ids[i]])
	}
	return out, nil
}

// memWatches is a bot.Watches in memory, on the test's clock.
type memWatches struct {
	mu    sync.Mutex
	now   func() time.Time
	locks map[string]lock
	msgs  map[string]int
	ended map[string]bool
}

type lock struct {
	owner string
	until time.Time
}

func newWatches(now func() time.Time) *memWatches {
	return &memWatches{now: now, locks: map[string]lock{}, msgs: map[string]int{}, ended: map[string]bool{}}
}

func (w *memWatches) Claim(_ context.Context, id, owner string, ttl time.Duration) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if l, ok := w.locks[id]; ok && l.owner != owner && l.until.After(w.now()) {
		return false, nil
	}
	w.locks[id] = lock{owner, w.now().Add(ttl)}
	return true, nil
}

func (w *memWatches) Release(_ context.Context, id, owner string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.locks[id].owner == owner {
		delete(w.locks, id)
	}
	return nil
}

func (w *memWatches) Message(_ context.Context, id string) (int, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.msgs[id], w.ended[id], nil
}

func (w *memWatches) SetMessage(_ context.Context, id string, msg int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs[id] = msg
	return nil
}

func (w *memWatches) End(_ context.Context, id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ended[id] = true
	return nil
}

var _ bot.Watches = (*memWatches)(nil)

const watchChat = 70

// watch is a progress watcher on a fake Bot API, on a clock of its own.
type watch struct {
	t       *testing.T
	f       *fake
	queue   *watchQueue
	watches *memWatches
	now     time.Time
	every   time.Duration // of the watchers progress makes; 0 for the default
}

func newWatch(t *testing.T) *watch {
	w := &watch{t: t, f: newFake(t), queue: &watchQueue{}, now: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)}
	w.watches = newWatches(func() time.Time { return w.now })
	return w
}

// progress returns a watcher, as one process would run it.
func (w *watch) progress() *bot.Progress {
	w.t.Helper()
	catalog, err := locales.Load()
	if err != nil {
		w.t.Fatal(err)
	}
	return bot.NewProgress(w.queue, w.watches, w.f.sender, catalog, bot.ProgressOptions{Log: discard(), Every: w.every, Now: func() time.Time { return w.now }})
}

func (w *watch) tick(p *bot.Progress) {
	w.t.Helper()
	if err := p.Tick(context.Background()); err != nil {
		w.t.Fatalf("Tick() error: %v", err)
	}
}

// calls are the successful sendMessage and editMessageText calls to the
// watch chat.
func (w *watch) calls() []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range w.f.srv.Calls() {
		if c.ChatID() == watchChat && (c.Method == "sendMessage" || c.Method == "editMessageText") {
			out = append(out, c)
		}
	}
	return out
}

func sending(id string, sent, total int) broadcast.Status {
	return broadcast.Status{ID: id, State: broadcast.Sending, Total: total, Sent: sent, Pending: total - sent}
}

func notice(id string) broadcast.Notice {
	return broadcast.Notice{ID: id, Texts: map[string]string{"": "x"}, Watch: watchChat, WatchLang: "en"}
}

func TestProgressEditsInPlace(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	p := w.progress()
	const id = "b-20261127T060000-abcdef"
	st := sending(id, 0, 10)
	st.Created = w.now
	w.queue.set(st, notice(id))
	w.tick(p)
	if calls := w.calls(); len(calls) != 0 {
		t.Fatalf("tick at the broadcast's creation: calls %v; want none yet", calls)
	}
	w.now = w.now.Add(2 * time.Second)
	w.tick(p)
	calls := w.calls()
	if len(calls) != 1 || calls[0].Method != "sendMessage" {
		t.Fatalf("first tick: calls %v; want one sendMessage", calls)
	}
	first := calls[0]
	if text := first.Params["text"]; !strings.Contains(text, "Sent: 0 of 10") || !strings.Contains(text, "estimating") {
		t.Errorf("first progress = %q; want sent 0 of 10, estimating", text)
	}
	rows := first.Buttons()
	if len(rows) != 1 || len(rows[0]) != 1 || rows[0][0].CallbackData != bot.EncodeCallback(0, admin.CancelValue(id)) {
		t.Errorf("first progress buttons = %v; want one cancel button", rows)
	}

	// Four in the 4 s since the first tick: six more take about 6 s.
	w.now = w.now.Add(2 * time.Second)
	w.queue.set(broadcast.Status{ID: id, State: broadcast.Sending, Total: 10, Sent: 3, Blocked: 1, Pending: 6}, broadcast.Notice{})
	w.tick(p)
	calls = w.calls()
	if len(calls) != 2 || calls[1].Method != "editMessageText" || calls[1].Params["message_id"] != first.Params["message_id"] && calls[1].Params["message_id"] == "" {
		t.Fatalf("second tick: calls %v; want an edit", calls)
	}
	if got := w.f.srv.Messages(watchChat); len(got) != 1 || !strings.Contains(got[0].Text, "Sent: 3 of 10") || !strings.Contains(got[0].Text, "Blocked: 1") || !strings.Contains(got[0].Text, "about 6 s") {
		t.Errorf("after the edit the chat holds %+v; want one message, sent 3, blocked 1, about 6 s", got)
	}

	// Nothing changed: no call.
	w.tick(p)
	if n := len(w.calls()); n != 2 {
		t.Errorf("tick without change made %d calls; want none", n-2)
	}

	// Done: a final edit without the button, then nothing more.
	w.now = w.now.Add(2 * time.Second)
	w.queue.set(broadcast.Status{ID: id, State: broadcast.Done, Total: 10, Sent: 9, Blocked: 1, Finished: w.now}, broadcast.Notice{})
	w.tick(p)
	w.tick(p)
	msgs := w.f.srv.Messages(watchChat)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "done") || !strings.Contains(msgs[0].Text, "Ended at 2026-11-27 14:00") || msgs[0].ReplyMarkup != nil {
		t.Errorf("after done the chat holds %+v; want the message, done, ended, no button", msgs)
	}
	if n := len(w.calls()); n != 3 {
		t.Errorf("%d calls in all; want 3 (send, edit, final edit)", n)
	}
	// A watcher started later leaves it alone.
	w.tick(w.progress())
	if n := len(w.calls()); n != 3 {
		t.Errorf("a new watcher made %d calls after the end; want none", n-3)
	}
}

// TestProgressRestart: a new process edits the message the first one sent,
// and a "message is not modified" answer is no error.
func TestProgressRestart(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	const id = "b-1"
	w.queue.set(sending(id, 2, 10), notice(id))
	w.tick(w.progress())
	// The first process dies; its claim runs out.
	w.now = w.now.Add(time.Minute)
	second := w.progress()
	w.tick(second) // the same text: Telegram answers not modified
	w.queue.set(sending(id, 5, 10), broadcast.Notice{})
	w.tick(second)
	calls := w.calls()
	var sends int
	for _, c := range calls {
		if c.Method == "sendMessage" {
			sends++
		}
	}
	if sends != 1 {
		t.Errorf("%d progress messages sent across restarts; want 1: %v", sends, calls)
	}
	if msgs := w.f.srv.Messages(watchChat); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Sent: 5 of 10") {
		t.Errorf("chat holds %+v; want one message at sent 5", msgs)
	}
}

// TestProgressOneEditor: while one process edits a broadcast's message,
// another does not.
func TestProgressOneEditor(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	a, b := w.progress(), w.progress()
	w.queue.set(sending("b-1", 0, 10), notice("b-1"))
	w.tick(a)
	w.tick(b)
	w.queue.set(sending("b-1", 1, 10), broadcast.Notice{})
	w.now = w.now.Add(2 * time.Second)
	w.tick(b)
	w.tick(a)
	if n := len(w.calls()); n != 2 {
		t.Errorf("%d calls with two watchers; want 2 (one send, one edit): %v", n, w.calls())
	}
}

// TestProgressLeavesAlone: broadcasts without a watch chat, and those
// that ended long ago, get no message.
func TestProgressLeavesAlone(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	w.queue.set(sending("b-1", 0, 10), broadcast.Notice{ID: "b-1"})
	w.queue.set(broadcast.Status{ID: "b-2", State: broadcast.Done, Finished: w.now.Add(-2 * time.Hour)}, notice("b-2"))
	w.tick(w.progress())
	if calls := w.calls(); len(calls) != 0 {
		t.Errorf("calls %v; want none", calls)
	}
}

// TestProgressDeleted: a progress message the administrator deleted is
// sent anew.
func TestProgressDeleted(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	p := w.progress()
	w.queue.set(sending("b-1", 0, 10), notice("b-1"))
	w.tick(p)
	msgs := w.f.srv.Messages(watchChat)
	if len(msgs) != 1 {
		t.Fatalf("chat holds %d messages; want 1", len(msgs))
	}
	if _, err := w.f.api.DeleteMessage(context.Background(), deleteParams(msgs[0].ID)); err != nil {
		t.Fatal(err)
	}
	w.queue.set(sending("b-1", 1, 10), broadcast.Notice{})
	w.tick(p)
	if msgs := w.f.srv.Messages(watchChat); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Sent: 1 of 10") {
		t.Errorf("chat holds %+v; want a new progress message", msgs)
	}
	w.queue.set(sending("b-1", 2, 10), broadcast.Notice{})
	w.tick(p)
	if msgs := w.f.srv.Messages(watchChat); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Sent: 2 of 10") {
		t.Errorf("chat holds %+v; want the new message edited", msgs)
	}
}

// TestProgressTimeLeft: the time left at the rate of the last ticks.
func TestProgressTimeLeft(t *testing.T) {
	t.Parallel()
	tests := []struct {
		done, pending int // in 10 s
		want          string
	}{
		{0, 10, "estimating"},
		{10, 5, "about 5 s"},
		{10, 59, "about 59 s"},
		{10, 60, "about 1 min"},
		{10, 61, "about 2 min"},
		{1, 3600, "about 10 h 0 min"},
		{25, 0, "about 0 s"},
	}
	for _, tt := range tests {
		w := newWatch(t)
		p := w.progress()
		total := tt.done + tt.pending
		w.queue.set(broadcast.Status{ID: "b-1", State: broadcast.Sending, Total: total, Pending: total}, notice("b-1"))
		w.tick(p)
		w.now = w.now.Add(10 * time.Second)
		w.queue.set(broadcast.Status{ID: "b-1", State: broadcast.Sending, Total: total, Sent: tt.done, Pending: tt.pending}, broadcast.Notice{})
		w.tick(p)
		if msgs := w.f.srv.Messages(watchChat); len(msgs) != 1 || !strings.Contains(msgs[0].Text, tt.want) {
			t.Errorf("%d done in 10 s, %d pending: progress %q; want %q", tt.done, tt.pending, msgs[0].Text, tt.want)
		}
	}
}

// TestProgressScheduled: a broadcast waiting for its time says when it
// starts.
func TestProgressScheduled(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	w.queue.set(broadcast.Status{ID: "b-1", State: broadcast.Queued, Total: 3, Pending: 3, At: w.now.Add(25 * time.Hour)}, notice("b-1"))
	w.tick(w.progress())
	if msgs := w.f.srv.Messages(watchChat); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Starts at 2026-11-28 15:00") || !slices.ContainsFunc([]string{"queued"}, func(s string) bool { return strings.Contains(msgs[0].Text, s) }) {
		t.Errorf("chat holds %+v; want queued, starts at 2026-11-28 15:00", msgs)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func deleteParams(msg int) *tgbot.DeleteMessageParams {
	return &tgbot.DeleteMessageParams{ChatID: watchChat, MessageID: msg}
}

// TestProgressHandover: a watcher that stops gives its claims up, and
// another process takes over the same message at once.
func TestProgressHandover(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	w.queue.set(sending("b-1", 0, 10), notice("b-1"))
	w.every = 10 * time.Millisecond
	first := w.progress()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- first.Run(ctx) }()
	if _, err := w.f.srv.WaitCalls(t.Context(), "sendMessage", 1); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v; want nil", err)
	}
	w.queue.set(sending("b-1", 4, 10), broadcast.Notice{})
	w.tick(w.progress()) // the clock has not moved: only a release lets it in
	if msgs := w.f.srv.Messages(watchChat); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Sent: 4 of 10") {
		t.Errorf("chat holds %+v; want the one message edited by the second watcher", msgs)
	}
}

// TestProgressBlocked: an administrator who blocked the bot is not
// written to again.
func TestProgressBlocked(t *testing.T) {
	t.Parallel()
	w := newWatch(t)
	p := w.progress()
	w.queue.set(sending("b-1", 0, 10), notice("b-1"))
	w.f.srv.Fail("sendMessage", 403, "Forbidden: bot was blocked by the user", 0, telegramtest.ForChat(watchChat))
	w.tick(p)
	if _, ended, _ := w.watches.Message(context.Background(), "b-1"); !ended {
		t.Errorf("progress of b-1 not ended after a 403")
	}
	w.queue.set(sending("b-1", 1, 10), broadcast.Notice{})
	w.tick(w.progress())
	if n := len(w.f.srv.CallsTo("sendMessage")); n != 1 {
		t.Errorf("%d sendMessage calls; want the one answered 403", n)
	}
}
