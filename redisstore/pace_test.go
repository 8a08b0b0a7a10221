package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/redisstore"
)

// TestInboxPace checks the turns of an inbox with a pace: a chat's burst
// at once, then one message a pace's interval, whether the turn is taken
// by Commit, Sent or Claim; a turn Defer keeps is not taken again; one
// refused (Flood) is.
func TestInboxPace(t *testing.T) {
	t.Parallel()
	const every = 10 * time.Second // far longer than the test takes
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st, redisstore.WithPace(redisstore.Pace{Chat: every, Burst: 3}))
			ctx := t.Context()
			bucket := func() string {
				v, _ := st.Client().Get(ctx, st.Prefix()+"lim:chat:5").Result()
				return v
			}
			// wantTurn checks a turn: at once within the burst, else about
			// k intervals away (less the time the test took so far), and
			// not taken, for that is beyond TurnHorizon.
			wantTurn := func(call string, got inbox.Turn, k int) {
				t.Helper()
				lo, hi := time.Duration(k)*every-every/2, time.Duration(k)*every
				if k == 0 {
					lo, hi = 0, 0
				}
				if got.Wait < lo || got.Wait > hi || got.Later != (k > 0) {
					t.Errorf("%s = turn %+v; want a wait in [%v, %v], later %v", call, got, lo, hi, k > 0)
				}
			}
			mustAdd(t, q, testUpdate(1, 5, 5))
			j := mustClaim(t, q)
			_, first, err := q.Commit(ctx, j, j.State, [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("d"), []byte("e")})
			if err != nil {
				t.Fatal(err)
			}
			wantTurn("Commit()", first, 0)
			for n, k := range []int{0, 0, 1} {
				next, err := q.Sent(ctx, j, n+1)
				if err != nil {
					t.Fatal(err)
				}
				wantTurn(fmt.Sprintf("Sent(%d)", n+1), next, k)
			}
			// The chat waits for its turn, not taken: the next holder
			// takes it. (Deferred for less than the turn, the chat comes
			// back at once, to tell.)
			before := bucket()
			if err := q.Defer(ctx, j, 3, time.Millisecond, inbox.Waiting); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
			j = mustClaim(t, q)
			if got := string(j.Outbox[0]); got != "d" || bucket() != before {
				t.Errorf("Claim() after Defer(Waiting) = outbox %q…, bucket %s; want d, the bucket as it was (%s)", got, bucket(), before)
			}
			wantTurn("Claim() after Defer(Waiting)", j.Turn, 1)
			// Refused by Telegram: the entry takes a new turn.
			if err := q.Defer(ctx, j, 0, time.Millisecond, inbox.Flood); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
			j = mustClaim(t, q)
			wantTurn("Claim() after Defer(Flood)", j.Turn, 1)
			if _, _, err := q.Commit(ctx, j, dialog.State{}, nil); err == nil {
				t.Errorf("Commit() of a job with no update = nil error; want one")
			}
		})
	}
}

// TestInboxRepliesHeld checks that after a 429 (Limiter.Slow) the turns
// of every chat's replies are spaced at half of ReplyRate.
func TestInboxRepliesHeld(t *testing.T) {
	t.Parallel()
	const chats = 30
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st, redisstore.WithPace(redisstore.DefaultPace))
			ctx := t.Context()
			var us []inbox.Update
			for c := range int64(chats) {
				us = append(us, testUpdate(c+1, c+1, c+1))
			}
			mustAdd(t, q, us...)
			// Before a 429, replies go at once.
			j := mustClaim(t, q)
			if _, first, err := q.Commit(ctx, j, j.State, [][]byte{[]byte("r")}); err != nil || first != (inbox.Turn{}) {
				t.Fatalf("Commit() before a 429 = turn %+v, %v; want at once", first, err)
			}
			if err := st.Limiter(redisstore.LimiterOptions{}).Slow(ctx, 0); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			var last time.Duration
			for range chats - 1 {
				next, ok, err := q.Next(ctx, j)
				if err != nil || !ok {
					t.Fatalf("Next() = %v, %v; want a job", ok, err)
				}
				j = next
				var turn inbox.Turn
				if _, turn, err = q.Commit(ctx, j, j.State, [][]byte{[]byte("r")}); err != nil {
					t.Fatal(err)
				}
				if turn.Later {
					t.Fatalf("Commit() after a 429 = turn %+v; want it taken", turn)
				}
				last = turn.Wait
			}
			// chats-1 turns at half of ReplyRate span this long.
			span := time.Duration(chats-2) * time.Second / (redisstore.ReplyRate / 2)
			if took := time.Since(start); last+took < span-50*time.Millisecond {
				t.Errorf("the last of %d replies after a 429 waits %v, %v after the first; want their turns to span at least %v", chats-1, last, took, span)
			}
			// The holder does not wait that long: the turn taken is kept
			// for the next holder, who does not take another.
			tat := func() string {
				v, _ := st.Client().HGet(ctx, st.Prefix()+"lim:reply", "tat").Result()
				return v
			}
			before := tat()
			if err := q.Defer(ctx, j, 0, time.Millisecond, inbox.Waiting); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
			j = mustClaim(t, q)
			if j.Turn.Later || j.Turn.Wait <= 0 || j.Turn.Wait > last || tat() != before {
				t.Errorf("Claim() after Defer(Waiting) = turn %+v, replies' next send time %s; want the turn kept, %v away at most, and none taken (%s)", j.Turn, tat(), last, before)
			}
		})
	}
}
