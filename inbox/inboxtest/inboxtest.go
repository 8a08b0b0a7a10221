// Package inboxtest helps test implementations of inbox.Queue: TestQueue is
// the conformance suite every implementation runs.
package inboxtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"examdesk"
	"examdesk/dialog"
	"examdesk/inbox"
)

// Leases of the queues TestQueue asks for: Short for the tests that let a
// lease expire, Long for the others. Short must outlast the setup of such
// a test (a few dozen round trips to Redis on a busy machine), so that no
// lease runs out before the test means it to.
const (
	Short = time.Second
	Long  = 20 * time.Second
)

// The concurrency test: workers handle chats × perChat updates.
const (
	workers = 8
	chats   = 50
	perChat = 20
)

// TestQueue tests that the queues newQueue makes keep the contract of
// inbox.Queue. It calls newQueue once per subtest, with the subtest's t,
// for a new empty queue whose leases last lease (Short or Long) unless
// renewed; newQueue registers with t.Cleanup whatever the queue must
// release, and fails t if it cannot make one. The subtests run in
// parallel.
func TestQueue(t *testing.T, newQueue func(t *testing.T, lease time.Duration) inbox.Queue) {
	t.Helper()
	for _, tc := range []struct {
		name  string
		lease time.Duration
		test  func(t *testing.T, q inbox.Queue)
	}{
		{"nothing ready", Long, testNothingReady},
		{"inputs", Long, testInputs},
		{"dedup", Long, testDedup},
		{"order", Long, testOrder},
		{"state", Long, testState},
		{"one holder per chat", Long, testOneHolder},
		{"oldest first", Long, testOldestFirst},
		{"conflict", Long, testConflict},
		{"release", Long, testRelease},
		{"outbox sent", Long, testOutboxSent},
		{"defer", Long, testDefer},
		{"deferred until due", Long, testDeferDue},
		{"renew", Short, testRenew},
		{"lease lost", Short, testLeaseLost},
		{"dead holder", Short, testDeadHolder},
		{"outbox of dead holder", Short, func(t *testing.T, q inbox.Queue) { testDeadOutbox(t, q, false) }},
		{"outbox of dead holder by next", Short, func(t *testing.T, q inbox.Queue) { testDeadOutbox(t, q, true) }},
		{"next claims another chat", Long, testNextClaims},
		{"next drains every chat", Long, testNextDrains},
		{"canceled context", Long, testCanceled},
		{"concurrent workers", Long, testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, newQueue(t, tc.lease))
		})
	}
}

// update returns the update id of chat from user, with a text of its own.
func update(id, chat, user int64) inbox.Update {
	return inbox.Update{ID: id, Chat: chat, User: user,
		Input: dialog.Input{Text: fmt.Sprintf("a|b %d", id), LanguageCode: "zh-HK", Group: chat != user}}
}

func add(t *testing.T, q inbox.Queue, us ...inbox.Update) int {
	t.Helper()
	n, err := q.Add(t.Context(), us)
	if err != nil {
		t.Fatalf("Add(%d updates) error: %v", len(us), err)
	}
	return n
}

func claim(t *testing.T, q inbox.Queue) (inbox.Job, bool) {
	t.Helper()
	j, ok, err := q.Claim(t.Context())
	if err != nil {
		t.Fatalf("Claim() error: %v", err)
	}
	return j, ok
}

// mustClaim claims a job and checks that it has update want.
func mustClaim(t *testing.T, q inbox.Queue, want inbox.Update) inbox.Job {
	t.Helper()
	j, ok := claim(t, q)
	if !ok {
		t.Fatalf("Claim() = no job; want update %d of chat %d", want.ID, want.Chat)
	}
	checkJob(t, "Claim()", j, want)
	return j
}

func checkJob(t *testing.T, call string, j inbox.Job, want inbox.Update) {
	t.Helper()
	if j.Chat != want.Chat || !reflect.DeepEqual(j.Update, want) {
		t.Fatalf("%s = chat %d update %+v; want chat %d update %+v", call, j.Chat, show(j.Update), want.Chat, show(want))
	}
	if j.Lease == "" {
		t.Fatalf("%s = job with no lease", call)
	}
}

// show is an update as text, for messages.
func show(u inbox.Update) string {
	s := fmt.Sprintf("{ID:%d Chat:%d User:%d Input:%+v", u.ID, u.Chat, u.User, u.Input)
	if u.Input.Pick != nil {
		s += fmt.Sprintf(" Pick:%+v", *u.Input.Pick)
	}
	if u.Input.Picture != nil {
		s += fmt.Sprintf(" Picture:%+v", *u.Input.Picture)
	}
	return s + fmt.Sprintf(" Callback:%q}", u.Callback)
}

func commit(t *testing.T, q inbox.Queue, j inbox.Job, st dialog.State, out ...string) {
	t.Helper()
	got, _, err := q.Commit(t.Context(), j, st, replies(out))
	if err != nil {
		t.Fatalf("Commit(update %d) error: %v", j.Update.ID, err)
	}
	want := st
	want.Version++
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Commit(update %d, state %+v) = %+v; want the state at its next version, %+v", j.Update.ID, st, got, want)
	}
}

// next takes the job after j and checks its lease: the same on the same
// chat, a new one on another chat.
func next(t *testing.T, q inbox.Queue, j inbox.Job) (inbox.Job, bool) {
	t.Helper()
	n, ok, err := q.Next(t.Context(), j)
	if err != nil {
		t.Fatalf("Next(update %d of chat %d) error: %v", j.Update.ID, j.Chat, err)
	}
	switch {
	case !ok:
	case n.Chat == j.Chat && n.Lease != j.Lease:
		t.Fatalf("Next(update %d of chat %d) lease = %q; want the same lease %q", j.Update.ID, j.Chat, n.Lease, j.Lease)
	case n.Chat != j.Chat && (n.Lease == "" || n.Lease == j.Lease):
		t.Fatalf("Next(update %d of chat %d) = chat %d with lease %q; want a new lease", j.Update.ID, j.Chat, n.Chat, n.Lease)
	}
	return n, ok
}

// mustNext takes the job after j and checks that it has update want.
func mustNext(t *testing.T, q inbox.Queue, j inbox.Job, want inbox.Update) inbox.Job {
	t.Helper()
	n, ok := next(t, q, j)
	if !ok {
		t.Fatalf("Next(update %d of chat %d) = no job; want update %d of chat %d", j.Update.ID, j.Chat, want.ID, want.Chat)
	}
	checkJob(t, "Next()", n, want)
	return n
}

func noNext(t *testing.T, q inbox.Queue, j inbox.Job, when string) {
	t.Helper()
	if n, ok := next(t, q, j); ok {
		t.Fatalf("Next(update %d of chat %d) %s = chat %d update %d; want no job", j.Update.ID, j.Chat, when, n.Chat, n.Update.ID)
	}
}

func noJob(t *testing.T, q inbox.Queue, when string) {
	t.Helper()
	if j, ok := claim(t, q); ok {
		t.Fatalf("Claim() %s = chat %d update %d; want no job", when, j.Chat, j.Update.ID)
	}
}

func replies(ss []string) [][]byte {
	var bs [][]byte
	for _, s := range ss {
		bs = append(bs, []byte(s))
	}
	return bs
}

func strs(bs [][]byte) []string {
	ss := []string{}
	for _, b := range bs {
		ss = append(ss, string(b))
	}
	return ss
}

// drain handles every pending update of q, committing each one's state
// unchanged, and returns their ids in the order handled.
func drain(t *testing.T, q inbox.Queue) []int64 {
	t.Helper()
	var ids []int64
	for {
		j, ok := claim(t, q)
		if !ok {
			return ids
		}
		for ok {
			ids = append(ids, j.Update.ID)
			commit(t, q, j, j.State)
			j, ok = next(t, q, j)
		}
	}
}

func testNothingReady(t *testing.T, q inbox.Queue) {
	noJob(t, q, "on an empty queue")
	if n := add(t, q); n != 0 {
		t.Errorf("Add(no updates) = %d; want 0", n)
	}
	noJob(t, q, "after adding nothing")
}

// testInputs checks that every kind of input comes back as it was added.
func testInputs(t *testing.T, q inbox.Queue) {
	us := []inbox.Update{
		{ID: 1, Chat: 5, User: 5, Input: dialog.Input{Text: "/start", LanguageCode: "en"}},
		{ID: 2, Chat: 5, User: 5, Input: dialog.Input{Text: "照片要多大？|{\"update_id\":1}\n", LanguageCode: "zh-TW"}},
		{ID: 3, Chat: 5, User: 5, Input: dialog.Input{}},
		{ID: 4, Chat: 5, User: 5, Input: dialog.Input{Pick: &dialog.Pick{Value: "a:3|x", Step: 1e15}, LanguageCode: "zh"}, Callback: "4321"},
		{ID: 5, Chat: 5, User: 5, Input: dialog.Input{Pick: &dialog.Pick{}}, Callback: "q"},
		{ID: 6, Chat: -100, User: 7, Input: dialog.Input{Text: "hi", Group: true}},
		{ID: 7, Chat: 5, User: 5, Input: dialog.Input{Text: "is this one good?", LanguageCode: "en",
			Picture: &dialog.Picture{File: "AgACAgIAAxkBAAI", Source: dialog.PhotoAsPhoto, Size: 312_000}}},
		{ID: 8, Chat: 5, User: 5, Input: dialog.Input{Picture: &dialog.Picture{File: "BQACAgIAAxkBAAI", Source: dialog.PhotoAsFile}}},
	}
	if n := add(t, q, us...); n != len(us) {
		t.Fatalf("Add(%d updates) = %d; want %d", len(us), n, len(us))
	}
	got := map[int64]inbox.Update{}
	j, ok := claim(t, q)
	for ok {
		got[j.Update.ID] = j.Update
		commit(t, q, j, j.State)
		j, ok = next(t, q, j)
	}
	for _, u := range us {
		if !reflect.DeepEqual(got[u.ID], u) {
			t.Errorf("update %d = %s; want %s", u.ID, show(got[u.ID]), show(u))
		}
	}
}

func testDedup(t *testing.T, q inbox.Queue) {
	for _, tc := range []struct {
		ids  []int64
		want int
	}{
		{[]int64{1, 2}, 2},
		{[]int64{2, 3, 3, 4}, 2},
		{[]int64{4, 1}, 0},
		{[]int64{5}, 1},
		{nil, 0},
	} {
		var us []inbox.Update
		for _, id := range tc.ids {
			us = append(us, update(id, 7, 8))
		}
		if got := add(t, q, us...); got != tc.want {
			t.Errorf("Add(ids %v) = %d; want %d", tc.ids, got, tc.want)
		}
	}
	if got, want := drain(t, q), []int64{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("updates handled = %v; want %v", got, want)
	}
	// Handled updates are remembered too.
	if got := add(t, q, update(3, 7, 8), update(5, 7, 8)); got != 0 {
		t.Errorf("Add(handled ids 3, 5) = %d; want 0", got)
	}
	noJob(t, q, "after adding handled updates")
}

func testOrder(t *testing.T, q inbox.Queue) {
	for i, tc := range []struct {
		name    string
		batches [][]int64
	}{
		{"one batch", [][]int64{{5, 3, 4}}},
		{"one by one", [][]int64{{5}, {3}, {4}}},
		{"two batches", [][]int64{{4, 5}, {3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chat := int64(-100 - i)
			base := int64(100 * (i + 1))
			for _, b := range tc.batches {
				var us []inbox.Update
				for _, id := range b {
					us = append(us, update(base+id, chat, base+id))
				}
				add(t, q, us...)
			}
			j := mustClaim(t, q, update(base+3, chat, base+3))
			for _, id := range []int64{4, 5} {
				commit(t, q, j, j.State)
				var ok bool
				if j, ok = next(t, q, j); !ok {
					t.Fatalf("Next() = no job; want update %d", base+id)
				}
				checkJob(t, "Next()", j, update(base+id, chat, base+id))
			}
			commit(t, q, j, j.State)
			if n, ok := next(t, q, j); ok {
				t.Fatalf("Next() after the last update = update %d; want no job", n.Update.ID)
			}
			noJob(t, q, "after the last update")
		})
	}
}

func testState(t *testing.T, q inbox.Queue) {
	const chat = -42
	a, b := int64(1), int64(2)
	add(t, q, update(10, chat, a), update(11, chat, b), update(12, chat, a))
	j := mustClaim(t, q, update(10, chat, a))
	if want := (dialog.State{}); !reflect.DeepEqual(j.State, want) {
		t.Fatalf("Claim() state of a new conversation = %+v; want %+v", j.State, want)
	}
	commit(t, q, j, dialog.State{Lang: examdesk.Languages[0], Step: 1})

	j, _ = next(t, q, j)
	checkJob(t, "Next()", j, update(11, chat, b))
	if want := (dialog.State{}); !reflect.DeepEqual(j.State, want) {
		t.Fatalf("Next() state of another user = %+v; want %+v", j.State, want)
	}
	commit(t, q, j, dialog.State{Step: 5})

	j, _ = next(t, q, j)
	checkJob(t, "Next()", j, update(12, chat, a))
	if want := (dialog.State{Version: 1, Lang: examdesk.Languages[0], Step: 1}); !reflect.DeepEqual(j.State, want) {
		t.Fatalf("Next() state of user %d = %+v; want %+v", a, j.State, want)
	}
	st := j.State
	st.Step = 2
	commit(t, q, j, st)
	next(t, q, j)

	add(t, q, update(13, chat, a))
	j = mustClaim(t, q, update(13, chat, a))
	if want := (dialog.State{Version: 2, Lang: examdesk.Languages[0], Step: 2}); !reflect.DeepEqual(j.State, want) {
		t.Fatalf("Claim() state of user %d = %+v; want %+v", a, j.State, want)
	}
}

func testOneHolder(t *testing.T, q inbox.Queue) {
	add(t, q, update(1, 100, 1), update(2, 100, 1))
	j1 := mustClaim(t, q, update(1, 100, 1))
	noJob(t, q, "while the only chat is held")

	add(t, q, update(3, 200, 2))
	j2 := mustClaim(t, q, update(3, 200, 2))
	if j2.Lease == j1.Lease {
		t.Errorf("two holders got the same lease %q", j1.Lease)
	}
	noJob(t, q, "while both chats are held")

	// An update for a held chat goes to its holder.
	add(t, q, update(4, 200, 2))
	noJob(t, q, "after adding to a held chat")
	commit(t, q, j2, j2.State)
	j2, _ = next(t, q, j2)
	checkJob(t, "Next()", j2, update(4, 200, 2))

	commit(t, q, j1, j1.State)
	j1, _ = next(t, q, j1)
	checkJob(t, "Next()", j1, update(2, 100, 1))
	noJob(t, q, "while both chats are still held")
}

func testOldestFirst(t *testing.T, q inbox.Queue) {
	for _, chat := range []int64{30, 10, 20} {
		add(t, q, update(chat, chat, 1))
		time.Sleep(5 * time.Millisecond)
	}
	// More for a ready chat does not make it younger.
	add(t, q, update(31, 30, 1))
	for _, chat := range []int64{30, 10, 20} {
		mustClaim(t, q, update(chat, chat, 1))
	}
}

func testConflict(t *testing.T, q inbox.Queue) {
	add(t, q, update(1, 5, 6))
	j := mustClaim(t, q, update(1, 5, 6))
	commit(t, q, j, dialog.State{Step: 1}, "hello")
	next(t, q, j)

	add(t, q, update(2, 5, 6))
	j = mustClaim(t, q, update(2, 5, 6))
	for _, v := range []int64{0, 2, 7} {
		now, _, err := q.Commit(t.Context(), j, dialog.State{Version: v, Step: 9}, replies([]string{"bye"}))
		if want := (dialog.State{Version: 1, Step: 1}); !errors.Is(err, dialog.ErrConflict) || !reflect.DeepEqual(now, want) {
			t.Errorf("Commit(version %d, stored 1) = %+v, %v; want the stored state %+v, ErrConflict", v, now, err, want)
		}
	}
	// Nothing changed: the update is pending, with the state as it was,
	// and no outbox.
	if err := q.Release(t.Context(), j, 0); err != nil {
		t.Fatalf("Release() error: %v", err)
	}
	j = mustClaim(t, q, update(2, 5, 6))
	if want := (dialog.State{Version: 1, Step: 1}); !reflect.DeepEqual(j.State, want) {
		t.Errorf("Claim() after a conflict: state = %+v; want %+v", j.State, want)
	}
	if len(j.Outbox) != 0 {
		t.Errorf("Claim() after a conflict: outbox = %q; want none", strs(j.Outbox))
	}
	commit(t, q, j, j.State)
}

func testRelease(t *testing.T, q inbox.Queue) {
	add(t, q, update(1, 9, 9), update(2, 9, 9))
	j := mustClaim(t, q, update(1, 9, 9))
	for i := range 2 {
		if err := q.Release(t.Context(), j, 0); err != nil {
			t.Fatalf("Release() #%d error: %v", i+1, err)
		}
	}
	j = mustClaim(t, q, update(1, 9, 9))
	commit(t, q, j, j.State, "a", "b", "c")
	sent(t, q, j, 1)
	if err := q.Release(t.Context(), j, 1); err != nil {
		t.Fatalf("Release() error: %v", err)
	}
	// The entries not done come back, the first of them too: the holder
	// may have been sending it.
	j = mustClaim(t, q, update(2, 9, 9))
	if got, want := strs(j.Outbox), []string{"b", "c"}; !slices.Equal(got, want) {
		t.Errorf("Claim() after Release(1) = outbox %q; want %q", got, want)
	}
	commit(t, q, j, j.State)
	if n, ok := next(t, q, j); ok {
		t.Fatalf("Next() = update %d; want no job", n.Update.ID)
	}
	noJob(t, q, "after the last update")

	// At shutdown, a holder that sent every entry of its job releases the
	// chat saying so, instead of taking the next job: nothing comes back.
	add(t, q, update(3, 9, 9), update(4, 9, 9))
	j = mustClaim(t, q, update(3, 9, 9))
	commit(t, q, j, j.State, "d", "e")
	sent(t, q, j, 1)
	if err := q.Release(t.Context(), j, 2); err != nil {
		t.Fatalf("Release() error: %v", err)
	}
	j = mustClaim(t, q, update(4, 9, 9))
	if len(j.Outbox) != 0 {
		t.Errorf("Claim() after Release of a job done = outbox %q; want none", strs(j.Outbox))
	}
}

// sent records the first n entries of j's outbox done.
func sent(t *testing.T, q inbox.Queue, j inbox.Job, n int) {
	t.Helper()
	if _, err := q.Sent(t.Context(), j, n); err != nil {
		t.Fatalf("Sent(%d) error: %v", n, err)
	}
}

func testOutboxSent(t *testing.T, q inbox.Queue) {
	add(t, q, update(1, 3, 3), update(2, 3, 3))
	j := mustClaim(t, q, update(1, 3, 3))
	commit(t, q, j, j.State, "a", "b")
	sent(t, q, j, 1)
	j, _ = next(t, q, j)
	if len(j.Outbox) != 0 {
		t.Errorf("Next() = outbox %q; want none", strs(j.Outbox))
	}
	if _, err := q.Sent(t.Context(), j, -1); err == nil {
		t.Errorf("Sent(-1) = nil error; want an error")
	}
	if err := q.Release(t.Context(), j, 0); err != nil {
		t.Fatalf("Release() error: %v", err)
	}
	// The replies sent before Next are not sent again.
	j = mustClaim(t, q, update(2, 3, 3))
	if len(j.Outbox) != 0 {
		t.Errorf("Claim() = outbox %q; want none", strs(j.Outbox))
	}
}

// causes are the causes of Defer.
var causes = []inbox.Cause{inbox.Waiting, inbox.Flood, inbox.Failure}

// testDefer has holders give chats up with Defer, for each cause, and
// checks that none is ready before its delay is over.
func testDefer(t *testing.T, q inbox.Queue) {
	ctx := t.Context()
	for i, c := range causes {
		chat := int64(400 + i)
		add(t, q, update(2*chat, chat, 1))
		j := mustClaim(t, q, update(2*chat, chat, 1))
		commit(t, q, j, j.State, "a", "b")
		sent(t, q, j, 1)
		if err := q.Defer(ctx, j, 1, Long, c); err != nil {
			t.Fatalf("Defer(1, %v, cause %d) error: %v", Long, c, err)
		}
		// The holder has given the chat up.
		if _, err := q.Sent(ctx, j, 2); !errors.Is(err, inbox.ErrLeaseLost) {
			t.Errorf("Sent() after Defer = %v; want ErrLeaseLost", err)
		}
		if _, _, err := q.Next(ctx, j); !errors.Is(err, inbox.ErrLeaseLost) {
			t.Errorf("Next() after Defer = %v; want ErrLeaseLost", err)
		}
		// A later update waits too.
		add(t, q, update(2*chat+1, chat, 1))
	}
	if n := add(t, q, update(1, 499, 1)); n != 1 {
		t.Fatalf("Add() = %d; want 1", n)
	}
	mustClaim(t, q, update(1, 499, 1))
	noJob(t, q, "while the other chats wait out their delays")
	if err := q.Defer(ctx, inbox.Job{Chat: 400, Lease: "nobody's"}, 0, 0, inbox.Flood); err != nil {
		t.Errorf("Defer() without the lease = %v; want nil", err)
	}
	noJob(t, q, "after a Defer without the lease")
}

// claimDue claims chat's job once its delay is over.
func claimDue(t *testing.T, q inbox.Queue, chat int64) inbox.Job {
	t.Helper()
	deadline := time.Now().Add(Long)
	for {
		j, ok := claim(t, q)
		if ok {
			if j.Chat != chat {
				t.Fatalf("Claim() = chat %d; want chat %d", j.Chat, chat)
			}
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("Claim() = no job for %v; want chat %d once its delay is over", Long, chat)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testDeferDue follows a chat given up with Defer again and again: each
// time it comes back after its delay with the outbox not done first, its
// pending update behind, and the failures of the outbox's first entry
// counted.
func testDeferDue(t *testing.T, q inbox.Queue) {
	ctx := t.Context()
	const chat = 50
	const short = 30 * time.Millisecond
	add(t, q, update(1, chat, 1))
	j := mustClaim(t, q, update(1, chat, 1))
	commit(t, q, j, dialog.State{Step: 1}, "a", "b", "c")
	deferChat := func(n int, c inbox.Cause) {
		t.Helper()
		if err := q.Defer(ctx, j, n, short, c); err != nil {
			t.Fatalf("Defer(%d, %v, cause %d) error: %v", n, short, c, err)
		}
	}
	deferChat(0, inbox.Failure)
	start := time.Now() // the entry first failed before
	add(t, q, update(2, chat, 1))
	for _, step := range []struct {
		name   string
		again  bool // a new entry fails: its failures are counted from then
		do     func()
		outbox []string
		tries  int // Failing is then at least the time since the entry first failed
	}{
		{"failed once", false, func() {}, []string{"a", "b", "c"}, 1},
		{"failed twice", false, func() { deferChat(0, inbox.Failure) }, []string{"a", "b", "c"}, 2},
		{"refused, not failed", false, func() { deferChat(0, inbox.Flood) }, []string{"a", "b", "c"}, 2},
		{"its turn later", false, func() { deferChat(0, inbox.Waiting) }, []string{"a", "b", "c"}, 2},
		{"the next entry failed", true, func() { sent(t, q, j, 1); deferChat(1, inbox.Failure) }, []string{"b", "c"}, 1},
		{"the one after refused", true, func() { sent(t, q, j, 1); deferChat(1, inbox.Flood) }, []string{"c"}, 0},
	} {
		step.do()
		if step.again {
			start = time.Now()
		}
		// Failing is counted in the queue's ms.
		since := time.Since(start) - 2*time.Millisecond
		j = claimDue(t, q, chat)
		if got := strs(j.Outbox); !slices.Equal(got, step.outbox) {
			t.Errorf("%s: Claim() = outbox %q; want %q", step.name, got, step.outbox)
		}
		if !reflect.DeepEqual(j.Update, update(2, chat, 1)) || j.State.Version != 1 {
			t.Errorf("%s: Claim() = update %s, state %+v; want update 2 behind the outbox, at version 1", step.name, show(j.Update), j.State)
		}
		if j.Tries != step.tries || (step.tries > 0 && j.Failing < since) || (step.tries == 0 && j.Failing != 0) {
			t.Errorf("%s: Claim() = %d tries, failing for %v; want %d tries, failing for at least %v if any", step.name, j.Tries, j.Failing, step.tries, since)
		}
	}
	commit(t, q, j, j.State)
	noNext(t, q, j, "after the last update")
	noJob(t, q, "after the last update")
}

// testRenew checks that a lease renewed outlasts its time, and that one
// lost is not renewed.
func testRenew(t *testing.T, q inbox.Queue) {
	ctx := t.Context()
	add(t, q, update(1, 70, 1), update(2, 70, 1), update(3, 71, 1))
	j := mustClaim(t, q, update(1, 70, 1))
	k := mustClaim(t, q, update(3, 71, 1))
	for range 5 {
		time.Sleep(Short / 3)
		if err := q.Renew(ctx, []inbox.Job{j, k}); err != nil {
			t.Fatalf("Renew() error: %v", err)
		}
	}
	noJob(t, q, "while the holders renew their leases")
	commit(t, q, j, j.State)
	commit(t, q, k, k.State)

	// The holder of chat 70 stops renewing: it died.
	expire()
	j2 := mustClaim(t, q, update(2, 70, 1))
	if err := q.Renew(ctx, []inbox.Job{j}); err != nil {
		t.Fatalf("Renew() of a lease lost error: %v", err)
	}
	if _, _, err := q.Next(ctx, j); !errors.Is(err, inbox.ErrLeaseLost) {
		t.Errorf("Next() after renewing a lease lost = %v; want ErrLeaseLost", err)
	}
	commit(t, q, j2, j2.State)
	noNext(t, q, j2, "after the last update")
}

// expire waits until leases taken now have expired.
func expire() { time.Sleep(Short + 200*time.Millisecond) }

func testLeaseLost(t *testing.T, q inbox.Queue) {
	ctx := t.Context()
	add(t, q, update(1, 4, 4), update(2, 4, 4))
	j1 := mustClaim(t, q, update(1, 4, 4))
	expire()
	j2 := mustClaim(t, q, update(1, 4, 4))

	if _, _, err := q.Commit(ctx, j1, j1.State, replies([]string{"x"})); !errors.Is(err, inbox.ErrLeaseLost) {
		t.Errorf("Commit() of the old holder = %v; want ErrLeaseLost", err)
	}
	if _, err := q.Sent(ctx, j1, 1); !errors.Is(err, inbox.ErrLeaseLost) {
		t.Errorf("Sent() of the old holder = %v; want ErrLeaseLost", err)
	}
	if _, _, err := q.Next(ctx, j1); !errors.Is(err, inbox.ErrLeaseLost) {
		t.Errorf("Next() of the old holder = %v; want ErrLeaseLost", err)
	}
	if err := q.Renew(ctx, []inbox.Job{j1}); err != nil {
		t.Errorf("Renew() of the old holder = %v; want nil", err)
	}
	for _, c := range []inbox.Cause{inbox.Waiting, inbox.Flood, inbox.Failure} {
		if err := q.Defer(ctx, j1, 0, Long, c); err != nil {
			t.Errorf("Defer(%d) of the old holder = %v; want nil", c, err)
		}
	}
	if err := q.Release(ctx, j1, 0); err != nil {
		t.Errorf("Release() of the old holder = %v; want nil", err)
	}
	noJob(t, q, "while the new holder has the chat")

	// The new holder goes on as if nothing happened.
	commit(t, q, j2, dialog.State{Step: 1}, "y")
	j2, ok := next(t, q, j2)
	if !ok {
		t.Fatalf("Next() of the new holder = no job; want update 2")
	}
	checkJob(t, "Next()", j2, update(2, 4, 4))
	if len(j2.Outbox) != 0 || j2.State.Version != 1 {
		t.Errorf("Next() = state %+v outbox %q; want version 1, no outbox", j2.State, strs(j2.Outbox))
	}
}

func testDeadHolder(t *testing.T, q inbox.Queue) {
	add(t, q, update(1, 8, 8))
	j1 := mustClaim(t, q, update(1, 8, 8))
	commit(t, q, j1, j1.State)
	next(t, q, j1)

	add(t, q, update(2, 8, 8))
	j1 = mustClaim(t, q, update(2, 8, 8))
	// The holder dies here.
	noJob(t, q, "before the dead holder's lease expired")
	expire()
	j2 := mustClaim(t, q, update(2, 8, 8))
	if j2.Lease == j1.Lease {
		t.Errorf("Claim() after expiry = the dead holder's lease %q; want a new one", j1.Lease)
	}
	if want := (dialog.State{Version: 1}); !reflect.DeepEqual(j2.State, want) {
		t.Errorf("Claim() after expiry = state %+v; want %+v", j2.State, want)
	}
	if len(j2.Outbox) != 0 {
		t.Errorf("Claim() after expiry = outbox %q; want none", strs(j2.Outbox))
	}
}

// testDeadOutbox has holders die with outboxes partly sent and checks what
// the next holders get: by Claim, or, byNext, by Next from the job before
// (the first by Claim).
func testDeadOutbox(t *testing.T, q inbox.Queue, byNext bool) {
	// The entry after the last one recorded done may have been in
	// flight: it comes back with the rest.
	cases := []struct {
		name string
		sent int // before the holder died; -1: no Sent
		more bool
		want []string // nil: no job
	}{
		{"none sent", -1, false, []string{"a", "b", "c"}},
		{"one sent", 1, false, []string{"b", "c"}},
		{"two sent", 2, false, []string{"c"}},
		{"all sent", 3, false, nil},
		{"none sent, more pending", -1, true, []string{"a", "b", "c"}},
		{"one sent, more pending", 1, true, []string{"b", "c"}},
		{"all sent, more pending", 3, true, []string{}},
	}
	// Each case has a chat of its own; their holders all die at once.
	chat := func(i int) int64 { return int64(1000 + i) }
	for i, tc := range cases {
		add(t, q, update(2*chat(i), chat(i), 1))
		if tc.more {
			add(t, q, update(2*chat(i)+1, chat(i), 1))
		}
		j := mustClaim(t, q, update(2*chat(i), chat(i), 1))
		commit(t, q, j, dialog.State{Step: 1}, "a", "b", "c")
		if tc.sent >= 0 {
			if _, err := q.Sent(t.Context(), j, tc.sent); err != nil {
				t.Fatalf("%s: Sent(%d) error: %v", tc.name, tc.sent, err)
			}
		}
	}
	expire()
	handled := map[int64]bool{}
	handle := func(call string, j inbox.Job) {
		t.Helper()
		i := int(j.Chat - chat(0))
		if i < 0 || i >= len(cases) || handled[j.Chat] {
			t.Fatalf("%s after the holders died = chat %d; want each of chats %d to %d at most once", call, j.Chat, chat(0), chat(len(cases)-1))
		}
		handled[j.Chat] = true
		tc := cases[i]
		if tc.want == nil {
			t.Errorf("%s: %s after the holder died = update %d outbox %q; want no job", tc.name, call, j.Update.ID, strs(j.Outbox))
		}
		if got := strs(j.Outbox); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %s after the holder died = outbox %q; want %q", tc.name, call, got, tc.want)
		}
		var want inbox.Update
		if tc.more {
			want = update(2*chat(i)+1, chat(i), 1)
			if st := (dialog.State{Version: 1, Step: 1}); !reflect.DeepEqual(j.State, st) {
				t.Errorf("%s: %s after the holder died = state %+v; want %+v", tc.name, call, j.State, st)
			}
			commit(t, q, j, j.State, "d")
		}
		if !reflect.DeepEqual(j.Update, want) {
			t.Errorf("%s: %s after the holder died = update %s; want %s", tc.name, call, show(j.Update), show(want))
		}
	}
	if byNext {
		j, ok := claim(t, q)
		for call := "Claim()"; ok; call = "Next()" {
			handle(call, j)
			j, ok = next(t, q, j)
		}
	} else {
		// Every chat is taken before any job is done, so that Next finds
		// no other chat ready.
		var jobs []inbox.Job
		for j, ok := claim(t, q); ok; j, ok = claim(t, q) {
			jobs = append(jobs, j)
		}
		for _, j := range jobs {
			handle("Claim()", j)
			noNext(t, q, j, "with every chat taken")
		}
	}
	for i, tc := range cases {
		if tc.want != nil && !handled[chat(i)] {
			t.Errorf("%s: a job after the holder died = none of chat %d; want outbox %q", tc.name, chat(i), tc.want)
		}
	}
	// Never twice: nothing comes back once Next cleared the outboxes.
	noJob(t, q, "after Next")
}

// testNextClaims checks that Next, when the chat of its job has nothing
// left, gives the chat up and claims another ready chat as Claim does.
func testNextClaims(t *testing.T, q inbox.Queue) {
	const a, b, c = 61, 62, 63
	add(t, q, update(1, a, 1))
	ja := mustClaim(t, q, update(1, a, 1))
	commit(t, q, ja, dialog.State{Step: 1})
	noNext(t, q, ja, "with no other chat ready")

	for _, u := range []inbox.Update{update(2, b, 2), update(3, a, 1), update(4, c, 3)} {
		add(t, q, u)
		time.Sleep(5 * time.Millisecond)
	}
	jb := mustClaim(t, q, update(2, b, 2))
	ja = mustClaim(t, q, update(3, a, 1))

	// Chat b has nothing left and a is held: Next gives b up and takes c.
	commit(t, q, jb, dialog.State{Step: 7})
	jc := mustNext(t, q, jb, update(4, c, 3))
	if _, _, err := q.Commit(t.Context(), jb, jb.State, nil); !errors.Is(err, inbox.ErrLeaseLost) {
		t.Errorf("Commit() with the lease Next gave up = %v; want ErrLeaseLost", err)
	}

	// Chat a has nothing left: Next gives a up and takes b again, with the
	// state of its conversation.
	commit(t, q, ja, dialog.State{Version: 1, Step: 2})
	add(t, q, update(5, b, 2))
	jb = mustNext(t, q, ja, update(5, b, 2))
	if want := (dialog.State{Version: 1, Step: 7}); !reflect.DeepEqual(jb.State, want) {
		t.Errorf("Next() to chat %d = state %+v; want %+v", b, jb.State, want)
	}
	if len(jb.Outbox) != 0 {
		t.Errorf("Next() to chat %d = outbox %q; want none", b, strs(jb.Outbox))
	}

	commit(t, q, jc, jc.State)
	noNext(t, q, jc, "while the only other chat is held")
	commit(t, q, jb, jb.State)
	noNext(t, q, jb, "after the last update")
	noJob(t, q, "after the last update")
}

// testNextDrains has one holder handle the updates of many chats: it
// claims once, then Next takes it from chat to chat, oldest first.
func testNextDrains(t *testing.T, q inbox.Queue) {
	const chats, perChat = 10, 3
	var want []int64
	for c := int64(1); c <= chats; c++ {
		var us []inbox.Update
		for k := range int64(perChat) {
			us = append(us, update(100*c+k, 300+c, c))
			want = append(want, 100*c+k)
		}
		add(t, q, us...)
		time.Sleep(5 * time.Millisecond)
	}
	var got []int64
	j, ok := claim(t, q)
	for ok {
		got = append(got, j.Update.ID)
		if wantChat := 300 + j.Update.ID/100; j.Chat != wantChat {
			t.Fatalf("job of update %d = chat %d; want %d", j.Update.ID, j.Chat, wantChat)
		}
		commit(t, q, j, j.State, "r")
		j, ok = next(t, q, j)
	}
	if !slices.Equal(got, want) {
		t.Errorf("updates handled after one Claim = %v; want %v", got, want)
	}
	noJob(t, q, "after the last update")
}

func testCanceled(t *testing.T, q inbox.Queue) {
	add(t, q, update(1, 2, 2))
	j := mustClaim(t, q, update(1, 2, 2))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		call string
		err  error
	}{
		{"Add", func() error { _, err := q.Add(ctx, []inbox.Update{update(2, 2, 2)}); return err }()},
		{"Claim", func() error { _, _, err := q.Claim(ctx); return err }()},
		{"Commit", func() error { _, _, err := q.Commit(ctx, j, j.State, nil); return err }()},
		{"Sent", func() error { _, err := q.Sent(ctx, j, 1); return err }()},
		{"Defer", q.Defer(ctx, j, 0, time.Second, inbox.Flood)},
		{"Release", q.Release(ctx, j, 0)},
		{"Next", func() error { _, _, err := q.Next(ctx, j); return err }()},
		{"Renew", q.Renew(ctx, []inbox.Job{j})},
	} {
		if !errors.Is(tc.err, context.Canceled) {
			t.Errorf("%s(canceled context) = %v; want context.Canceled", tc.call, tc.err)
		}
	}
	// Nothing changed.
	commit(t, q, j, j.State)
	if n, ok := next(t, q, j); ok {
		t.Errorf("Next() = update %d; want no job", n.Update.ID)
	}
}

// testConcurrent has workers handle chats × perChat updates, added in
// batches in random order, half before the workers start and half while
// they work (in id order per chat across batches, as Telegram sends them),
// and every batch once more.
func testConcurrent(t *testing.T, q inbox.Queue) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	rnd := rand.New(rand.NewPCG(1, 2))

	// Update k of chat c has id k*1000+c and comes from user c*10+k%2.
	upd := func(c, k int64) inbox.Update { return update(k*1000+c, -c, c*10+k%2) }
	var early, late []inbox.Update
	for c := int64(1); c <= chats; c++ {
		for k := int64(1); k <= perChat/2; k++ {
			early = append(early, upd(c, k))
		}
	}
	rnd.Shuffle(len(early), func(i, j int) { early[i], early[j] = early[j], early[i] })
	left := make([]int64, chats) // next k of each chat for late
	for i := range left {
		left[i] = perChat/2 + 1
	}
	for range chats * perChat / 2 {
		c := rnd.IntN(chats)
		for left[c] > perChat {
			c = (c + 1) % chats
		}
		late = append(late, upd(int64(c+1), left[c]))
		left[c]++
	}
	batches := func(us []inbox.Update, shuffle bool) [][]inbox.Update {
		var bs [][]inbox.Update
		for len(us) > 0 {
			n := min(1+rnd.IntN(40), len(us))
			b := slices.Clone(us[:n])
			if shuffle {
				rnd.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
			}
			bs = append(bs, b)
			us = us[n:]
		}
		return bs
	}
	earlyBatches, lateBatches := batches(early, false), batches(late, true)
	for _, b := range earlyBatches {
		if n := add(t, q, b...); n != len(b) {
			t.Fatalf("Add(%d new updates) = %d; want %d", len(b), n, len(b))
		}
	}

	var (
		holding [chats + 1]sync.Mutex // per chat, locked while a job of it is handled
		mu      sync.Mutex            // guards what follows
		handled = map[int64][]int64{} // per chat, update ids in the order handled
		steps   = map[int64]int64{}   // per user, updates handled
		sent    = map[int64][]string{}
		done    atomic.Int64
		wg      sync.WaitGroup
	)
	handle := func(j inbox.Job) error {
		c := -j.Chat
		if c < 1 || c > chats {
			return fmt.Errorf("job of unknown chat %d", j.Chat)
		}
		if !holding[c].TryLock() {
			return fmt.Errorf("chat %d has two holders", j.Chat)
		}
		defer holding[c].Unlock()
		u := j.Update
		mu.Lock()
		handled[c] = append(handled[c], u.ID)
		want := steps[u.User]
		steps[u.User]++
		mu.Unlock()
		if j.State.Step != want || j.State.Version != want {
			return fmt.Errorf("update %d: state %+v; want step and version %d", u.ID, j.State, want)
		}
		st := j.State
		st.Step++
		id := strconv.FormatInt(u.ID, 10)
		out := [][]byte{[]byte(id + "a"), []byte(id + "b")}
		if _, _, err := q.Commit(ctx, j, st, out); err != nil {
			return err
		}
		for i, o := range out {
			if i > 0 {
				if _, err := q.Sent(ctx, j, i); err != nil {
					return err
				}
			}
			mu.Lock()
			sent[c] = append(sent[c], string(o))
			mu.Unlock()
		}
		done.Add(1)
		return nil
	}
	for range workers {
		wg.Go(func() {
			for done.Load() < chats*perChat && ctx.Err() == nil {
				j, ok, err := q.Claim(ctx)
				if err != nil {
					t.Errorf("Claim() error: %v", err)
					return
				}
				if !ok {
					time.Sleep(time.Millisecond)
					continue
				}
				for ok {
					if len(j.Outbox) != 0 {
						t.Errorf("Claim() or Next() = outbox %q; want none: no holder died", strs(j.Outbox))
					}
					if err := handle(j); err != nil {
						t.Errorf("handle job: %v", err)
						return
					}
					if j, ok, err = q.Next(ctx, j); err != nil {
						t.Errorf("Next() error: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Go(func() {
		for _, b := range lateBatches {
			if n, err := q.Add(ctx, b); err != nil || n != len(b) {
				t.Errorf("Add(%d new updates) = %d, %v; want %d", len(b), n, err, len(b))
			}
		}
		for _, b := range append(earlyBatches, lateBatches...) {
			if n, err := q.Add(ctx, b); err != nil || n != 0 {
				t.Errorf("Add(%d updates again) = %d, %v; want 0", len(b), n, err)
			}
		}
	})
	wg.Wait()
	if t.Failed() {
		return
	}

	for c := int64(1); c <= chats; c++ {
		var want []int64
		var wantSent []string
		for k := int64(1); k <= perChat; k++ {
			id := upd(c, k).ID
			want = append(want, id)
			wantSent = append(wantSent, strconv.FormatInt(id, 10)+"a", strconv.FormatInt(id, 10)+"b")
		}
		if !slices.Equal(handled[c], want) {
			t.Errorf("chat %d: updates handled = %v; want %v", -c, handled[c], want)
		}
		if !slices.Equal(sent[c], wantSent) {
			t.Errorf("chat %d: replies sent = %v; want %v", -c, sent[c], wantSent)
		}
	}
	noJob(t, q, "after every update was handled")
}
