package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/broadcast"
)

// Defaults of a Limiter.
const (
	// DefaultRate is the messages per second of a Limiter with rate 0:
	// under Telegram's about 30 per second per bot.
	DefaultRate = 25
	// RecoverAfter is how long the rate takes to climb back from a cut
	// after a 429 to the configured rate.
	RecoverAfter = time.Minute
)

// Limiter is a broadcast.Limiter shared by every process using the same
// Redis and prefix: one schedule of send times, one message every 1/rate
// seconds, and each chat's Pace, which the Inbox's replies keep too. A
// send time missed because nobody asked for it in time (a slow round
// trip) is made up for within half an interval (at most 20 ms), so the
// schedule keeps its rate; any one-second window thus holds at most
// rate+2 messages.
// A 429 (Slow), on a broadcast or on a reply, stops the broadcasts of
// every process for retry_after and halves their rate, which then climbs
// back linearly to the configured one over RecoverAfter; it holds the
// replies to half of ReplyRate too.
//
// Replies to candidates come first: Spend counts a message sent outside
// the limiter (a reply), without waiting and without a round trip; the
// count is charged to the shared schedule on the next Wait or Flush, so
// that broadcasts make room for replies. The debt is capped at one second
// of messages, so replies can delay broadcasts but never stop them for
// long.
//
// Its keys are lim:tat, lim:cut, lim:reply and lim:chat:<chat> (see
// keys.go); its scripts are lua/lim_*.lua. Times are the server's.
type Limiter struct {
	client *redis.Client
	k      keys
	opts   LimiterOptions
	spent  atomic.Int64
}

var _ broadcast.Limiter = (*Limiter)(nil)

// LimiterOptions tune a Limiter; a zero field takes its default.
type LimiterOptions struct {
	// Rate is the messages per second (default DefaultRate). Every
	// process should use the same rate.
	Rate float64
	// Pace is each chat's (default DefaultPace), as the inbox's.
	Pace Pace
	// Flush is how often Run charges the replies counted by Spend
	// (default 100 ms).
	Flush time.Duration
	// Log receives Run's failed charges (default: nowhere).
	Log *slog.Logger
}

// Limiter returns a limiter kept in the store's Redis under its prefix.
func (s *Store) Limiter(o LimiterOptions) *Limiter {
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Flush <= 0 {
		o.Flush = 100 * time.Millisecond
	}
	o.Pace = o.Pace.orDefault()
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Limiter{client: s.client, k: s.k, opts: o}
}

// horizon is how far ahead a Wait takes a send time: when the next free
// one is further, it sleeps and asks again.
const horizon = 20 * time.Millisecond

// Wait takes the next send time in the shared schedule and waits for it;
// see broadcast.Limiter. A chat whose turn in its pace is later is waited
// for first. When ctx ends while waiting, the send time taken is
// lost (the schedule has a gap).
func (l *Limiter) Wait(ctx context.Context, chat int64) error {
	for {
		spent := l.spent.Swap(0)
		ms, err := waitScript.Run(ctx, l.client,
			[]string{l.k.tat(), l.k.cut(), l.k.chatPace(chat)},
			l.opts.Rate, RecoverAfter.Milliseconds(), spent, l.opts.Pace.Chat.Milliseconds(), l.opts.Pace.Burst, horizon.Milliseconds()).Int64()
		if err != nil {
			l.spent.Add(spent)
			return fmt.Errorf("wait for a send time for chat %d: %w", chat, err)
		}
		if ms >= 0 {
			return examdesk.Sleep(ctx, time.Duration(ms)*time.Millisecond)
		}
		if err := examdesk.Sleep(ctx, time.Duration(-ms)*time.Millisecond); err != nil {
			return err
		}
	}
}

// Slow makes every process's broadcasts wait retryAfter and halves their
// rate in force, and holds the replies to half of ReplyRate; both climb
// back over RecoverAfter. See broadcast.Limiter.
func (l *Limiter) Slow(ctx context.Context, retryAfter time.Duration) error {
	err := slowScript.Run(ctx, l.client, []string{l.k.tat(), l.k.cut(), l.k.replies()},
		l.opts.Rate, RecoverAfter.Milliseconds(), max(retryAfter, 0).Milliseconds(), ReplyRate).Err()
	if err != nil {
		return fmt.Errorf("slow the broadcast rate down for %v: %w", retryAfter, err)
	}
	return nil
}

// CurrentRate returns the rate in force, in messages per second: lower
// than the configured one for a while after a 429.
func (l *Limiter) CurrentRate(ctx context.Context) (float64, error) {
	r, err := rateScript.Run(ctx, l.client, []string{l.k.tat(), l.k.cut()},
		l.opts.Rate, RecoverAfter.Milliseconds()).Text()
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
		l.opts.Rate, RecoverAfter.Milliseconds(), spent).Err()
	if err != nil {
		l.spent.Add(spent)
		return fmt.Errorf("charge %d replies to the broadcast rate: %w", spent, err)
	}
	return nil
}

// Run charges the replies counted by Spend every Flush until ctx is done,
// so that the replies of a process that broadcasts nothing still make room
// in the others, then once more. A failed charge keeps its count for the
// next and is logged; Run returns the error of the last one, whose count
// is then lost.
func (l *Limiter) Run(ctx context.Context) error {
	t := time.NewTicker(l.opts.Flush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			return l.Flush(fctx)
		case <-t.C:
			if err := l.Flush(ctx); err != nil && ctx.Err() == nil {
				l.opts.Log.Warn("charging replies to the broadcast rate failed; they are charged with the next", "err", err)
			}
		}
	}
}
