package redisstore_test

import (
	"testing"
	"time"
)

// TestPollerLease checks that one owner at a time holds the poller lease:
// it is renewed by its holder, refused to others with the time it has
// left, given up by Release (only its holder's), and taken over once it
// ran out by the server's clock, on the embedded server too.
func TestPollerLease(t *testing.T) {
	t.Parallel()
	const ttl = 300 * time.Millisecond
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			l := b.open(t).PollerLease()
			ctx := t.Context()
			hold := func(owner string, want bool) time.Duration {
				t.Helper()
				held, left, err := l.Hold(ctx, owner, ttl)
				if err != nil || held != want {
					t.Fatalf("Hold(%s) = %t, %v, %v; want %t", owner, held, left, err, want)
				}
				if !held && (left <= 0 || left > ttl) {
					t.Errorf("Hold(%s) refused with %v left; want in (0, %v]", owner, left, ttl)
				}
				return left
			}
			hold("a", true)
			hold("b", false)
			hold("a", true) // renewed
			if err := l.Release(ctx, "b"); err != nil {
				t.Fatal(err)
			}
			hold("b", false) // b's Release did not free a's lease
			if err := l.Release(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			hold("b", true)
			left := hold("c", false)
			time.Sleep(left + 20*time.Millisecond)
			hold("c", true) // b's ran out
			hold("b", false)
		})
	}
}
