package redisstore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/broadcast"
)

// Defaults of a Limiter.
const (
	// DefaultRate is the messages per second of a Limiter with rate 0:
	// under Telegram's about 30 per second per bot.
	DefaultRate = 25
	// PerChatInterval is the least time between two messages to one chat.
	PerChatInterval = time.Second
	// RecoverAfter is how long the rate takes to climb back from a cut
	// after a 429 to the configured rate.
	RecoverAfter = time.Minute
)

// Limiter is a broadcast.Limiter shared by every process using the same
// Redis and prefix: one schedule of send times, one message every 1/rate
// seconds, and at most one message per PerChatInterval to a chat. A send
// time missed because nobody asked for it in time (a slow round trip) is
// made up for within half an interval (at most 20 ms), so the schedule
// keeps its rate; any one-second window thus holds at most rate+2
// messages.
// A 429 (Slow) stops every process for retry_after and halves the rate,
// which then climbs back linearly to the configured one over
// RecoverAfter.
//
// Replies to candidates come first: Spend counts a message sent outside
// the limiter (a reply), without waiting and without a round trip; the
// count is charged to the shared schedule on the next Wait or Flush, so
// that broadcasts make room for replies. The debt is capped at one second
// of messages, so replies can delay broadcasts but never stop them for
// long.
//
// Its keys are lim:tat, lim:cut and lim:chat:<chat> (see keys.go); its
// scripts are lua/lim_*.lua. Times are the server's.
type Limiter struct {
	client *redis.Client
	k      keys
	rate   float64
	spent  atomic.Int64
}

var _ broadcast.Limiter = (*Limiter)(nil)

// Limiter returns a limiter of rate messages per second (DefaultRate when
// rate <= 0) kept in the store's Redis under its prefix. Every process
// should use the same rate.
func (s *Store) Limiter(rate float64) *Limiter {
	if rate <= 0 {
		rate = DefaultRate
	}
	return &Limiter{client: s.client, k: s.k, rate: rate}
}

// Rate returns the configured rate, in messages per second.
func (l *Limiter) Rate() float64 { return l.rate }

// horizon is how far ahead a Wait takes a send time: when the next free
// one is further, it sleeps and asks again.
const horizon = 20 * time.Millisecond

// Wait takes the next send time in the shared schedule and waits for it;
// see broadcast.Limiter. A chat that had a message within PerChatInterval
// is waited for first. When ctx ends while waiting, the send time taken is
// lost (the schedule has a gap).
func (l *Limiter) Wait(ctx context.Context, chat int64) error {
	for {
		spent := l.spent.Swap(0)
		ms, err := waitScript.Run(ctx, l.client,
			[]string{l.k.tat(), l.k.cut(), l.k.lastSent(chat)},
			l.rate, RecoverAfter.Milliseconds(), spent, PerChatInterval.Milliseconds(), horizon.Milliseconds()).Int64()
		if err != nil {
			l.spent.Add(spent)
			return fmt.Errorf("wait for a send time for chat %d: %w", chat, err)
		}
		if ms >= 0 {
			return sleepFor(ctx, time.Duration(ms)*time.Millisecond)
		}
		if err := sleepFor(ctx, time.Duration(-ms)*time.Millisecond); err != nil {
			return err
		}
	}
}

// Slow makes every process wait retryAfter and halves the rate in force;
// it climbs back over RecoverAfter. See broadcast.Limiter.
func (l *Limiter) Slow(ctx context.Context, retryAfter time.Duration) error {
	err := slowScript.Run(ctx, l.client, []string{l.k.tat(), l.k.cut()},
		l.rate, RecoverAfter.Milliseconds(), max(retryAfter, 0).Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("slow the broadcast rate down for %v: %w", retryAfter, err)
	}
	return nil
}

// CurrentRate returns the rate in force, in messages per second: lower
// than the configured one for a while after a 429.
func (l *Limiter) CurrentRate(ctx context.Context) (float64, error) {
	r, err := rateScript.Run(ctx, l.client, []string{l.k.tat(), l.k.cut()},
		l.rate, RecoverAfter.Milliseconds()).Text()
	if err != nil {
		return 0, fmt.Errorf("read the broadcast rate: %w", err)
	}
	v, err := strconv.ParseFloat(r, 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("read the broadcast rate: %q", r)
	}
	return v, nil
}

// Spend counts one message sent outside the limiter, such as a reply to
// a candidate, without waiting; it is charged to the schedule by the next
// Wait or Flush of this Limiter.
func (l *Limiter) Spend() { l.spent.Add(1) }

// Flush charges the messages counted by Spend to the shared schedule, in
// one round trip when there are any.
func (l *Limiter) Flush(ctx context.Context) error {
	spent := l.spent.Swap(0)
	if spent == 0 {
		return nil
	}
	err := debitScript.Run(ctx, l.client, []string{l.k.tat(), l.k.cut()},
		l.rate, RecoverAfter.Milliseconds(), spent).Err()
	if err != nil {
		l.spent.Add(spent)
		return fmt.Errorf("charge %d replies to the broadcast rate: %w", spent, err)
	}
	return nil
}

// Run flushes every interval until ctx is done, so that the replies of a
// process that broadcasts nothing still make room in the others.
func (l *Limiter) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = l.Flush(ctx)
		}
	}
}

func sleepFor(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
