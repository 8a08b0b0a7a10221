package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"examdesk/redisstore"
)

// Short times for the instances of the tests.
var instOpts = redisstore.InstanceOptions{Beat: 20 * time.Millisecond, Dead: 300 * time.Millisecond}

func register(t *testing.T, st *redisstore.Store, name string) *redisstore.Instance {
	t.Helper()
	in, err := st.Register(t.Context(), name, instOpts)
	if err != nil {
		t.Fatalf("Register(%q) error: %v", name, err)
	}
	return in
}

// run runs the instance's heartbeat until the test ends or stop is
// called; Run's error comes on done.
func run(t *testing.T, in *redisstore.Instance) (stop func(), done <-chan error) {
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 1)
	go func() { errs <- in.Run(ctx) }()
	t.Cleanup(cancel)
	return cancel, errs
}

// TestInstanceTakeover has a process die holding a chat, with an outbox
// partly sent, and a broadcast recipient: the next process registered
// under its name gets both at once, though their leases run a long while
// yet, the outbox from the entry that may have been in flight.
func TestInstanceTakeover(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			ctx := t.Context()
			dead := register(t, st, "pod-0")
			q, err := dead.Inbox(redisstore.WithLease(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			other := register(t, st, "pod-1")
			oq, err := other.Inbox(redisstore.WithLease(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			mustAdd(t, q, testUpdate(1, 10, 10), testUpdate(2, 11, 11))
			j := mustClaim(t, q)
			mustCommit(t, q, j, j.State, []byte("a"), []byte("b"), []byte("c"))
			if _, err := q.Sent(ctx, j, 1); err != nil {
				t.Fatal(err)
			}
			oj := mustClaim(t, oq) // another process's chat is not taken over
			bq := dead.Broadcasts(time.Hour)
			if _, err := bq.Create(ctx, notice("hello"), audience(t, 1)); err != nil {
				t.Fatal(err)
			}
			d, ok, err := bq.Claim(ctx)
			if err != nil || !ok {
				t.Fatalf("Broadcasts.Claim() = %v, %v; want a recipient", ok, err)
			}
			if !strings.HasPrefix(j.Lease, "pod-0/") || !strings.HasPrefix(d.Lease, "pod-0/") {
				t.Errorf("leases %q, %q; want them in the name of pod-0", j.Lease, d.Lease)
			}

			// pod-0 dies: it beats no more. Its successor waits until it
			// would have beaten, then takes over.
			next := register(t, st, "pod-0")
			if chats, recipients := next.TookOver(); chats != 1 || recipients != 1 {
				t.Errorf("TookOver() = %d chats, %d recipients; want 1 and 1", chats, recipients)
			}
			nq, err := next.Inbox()
			if err != nil {
				t.Fatal(err)
			}
			j2 := mustClaim(t, nq)
			if got := strs(j2.Outbox); j2.Chat != j.Chat || !slices.Equal(got, []string{"b", "c"}) {
				t.Errorf("Claim() after the takeover = chat %d outbox %q; want chat %d, outbox [b c]", j2.Chat, got, j.Chat)
			}
			if _, ok, err := nq.Claim(ctx); ok || err != nil {
				t.Errorf("Claim() of the other chat = %v, %v; want none: pod-1 holds it", ok, err)
			}
			d2, ok, err := next.Broadcasts(0).Claim(ctx)
			if err != nil || !ok || d2.Chat != d.Chat {
				t.Errorf("Broadcasts.Claim() after the takeover = chat %d, %v, %v; want chat %d", d2.Chat, ok, err, d.Chat)
			}
			mustCommit(t, oq, oj, oj.State)
		})
	}
}

func strs(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

// TestInstanceNames checks that two live processes never share a name,
// that a process leaving gives its name up, and that a process taken for
// dead stops.
func TestInstanceNames(t *testing.T) {
	t.Parallel()
	st := openRedisStore(t)
	ctx := t.Context()

	live := register(t, st, "web-1")
	stopLive, liveDone := run(t, live)
	if _, err := st.Register(ctx, "web-1", instOpts); !errors.Is(err, redisstore.ErrNameInUse) {
		t.Errorf("Register() of a live process's name = %v; want ErrNameInUse", err)
	}
	stopLive()
	if err := <-liveDone; err != nil {
		t.Errorf("Run() = %v; want nil at shutdown", err)
	}
	// It left: its name is free at once (no wait to tell).
	again := register(t, st, "web-1")
	if chats, recipients := again.TookOver(); chats != 0 || recipients != 0 {
		t.Errorf("TookOver() after a process left = %d, %d; want nothing", chats, recipients)
	}

	// A process that went too long without beating finds its name taken,
	// and must stop.
	stalled := register(t, st, "web-2")
	time.Sleep(instOpts.Dead + 50*time.Millisecond)
	register(t, st, "web-2")
	if _, done := run(t, stalled); !errors.Is(<-done, redisstore.ErrNameTaken) {
		t.Errorf("Run() of a process whose name was taken did not return ErrNameTaken")
	}

	for _, name := range []string{"a/b", "a:b", "-x", strings.Repeat("x", 64), "名"} {
		if _, err := st.Register(ctx, name, instOpts); err == nil {
			t.Errorf("Register(%q) = nil error; want one", name)
		}
	}
	anon, err := st.Register(ctx, "", instOpts)
	if err != nil || !strings.HasPrefix(anon.Name(), "~") {
		t.Errorf("Register(\"\") = %q, %v; want an anonymous name", anon.Name(), err)
	}
}
