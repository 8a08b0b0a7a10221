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
// Its keys are lim:tat (the next free send time, in ms, as a decimal),
// lim:cut (hash: rate, at: the rate after the last 429 and when it was
// cut) and lim:chat:<chat> (exists for PerChatInterval after a message to
// the chat). Times are the server's.
type Limiter struct {
	client *redis.Client
	prefix string
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
	return &Limiter{client: s.client, prefix: s.prefix, rate: rate}
}

// Rate returns the configured rate, in messages per second.
func (l *Limiter) Rate() float64 { return l.rate }

// luaRate sets rate to the rate in force: ARGV[1] (messages/s), or the
// cut one climbing back to it over ARGV[2] ms. KEYS[2] is lim:cut.
const luaRate = luaNow + `
local cfg, recover = tonumber(ARGV[1]), tonumber(ARGV[2])
local rate = cfg
local cut = redis.call('HMGET', KEYS[2], 'rate', 'at')
local cutRate, cutAt = tonumber(cut[1]), tonumber(cut[2])
if cutRate and cutAt then
	local f = (now - cutAt) / recover
	if f < 1 then rate = math.min(cfg, cutRate + (cfg - cutRate) * math.max(f, 0)) end
end
local interval = 1000 / rate
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local lag = math.min(interval / 2, 20)
if tat < now - lag then tat = now - lag end
`

// luaDebit charges ARGV[3] messages sent outside the limiter to tat,
// within a second from now.
const luaDebit = `
local spent = tonumber(ARGV[3])
if spent > 0 then tat = math.max(tat, math.min(tat + spent * interval, now + 1000)) end
`

// waitScript takes a send time. KEYS are tat, cut, chat; ARGV are the
// rate, the recovery ms, the messages spent outside, the per-chat ms, the
// horizon ms. It returns how many ms to wait before sending: the send time
// taken; or, taking nothing, -(ms) to wait before asking again: when the
// chat had a message too recently, or when the next free send time is
// further than the horizon, so that a Slow finds few send times taken
// ahead of it.
var waitScript = redis.NewScript(luaRate + luaDebit + `
local chatWait = redis.call('PTTL', KEYS[3])
local horizon = tonumber(ARGV[5])
if (chatWait > 0 and chatWait > tat - now) or tat - now > horizon then
	redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', 60000)
	return -math.max(1, math.max(chatWait, math.ceil(tat - now - horizon)))
end
redis.call('SET', KEYS[1], string.format('%.3f', tat + interval), 'PX', 60000)
redis.call('SET', KEYS[3], '1', 'PX', math.max(0, math.ceil(tat - now)) + tonumber(ARGV[4]))
return math.max(0, math.ceil(tat - now))
`)

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
			[]string{l.prefix + "lim:tat", l.prefix + "lim:cut", l.prefix + "lim:chat:" + strconv.FormatInt(chat, 10)},
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

// slowScript cuts the rate. KEYS are tat and cut; ARGV are the rate, the
// recovery ms, the retry_after ms. Cuts within the same second after one
// cut count once.
var slowScript = redis.NewScript(luaRate + `
local cutAt2 = tonumber(redis.call('HGET', KEYS[2], 'at') or '0') or 0
if now - cutAt2 >= 1000 + tonumber(ARGV[3]) then
	redis.call('HSET', KEYS[2], 'rate', string.format('%.3f', math.max(1, rate / 2)), 'at', now)
	redis.call('PEXPIRE', KEYS[2], math.ceil(recover + 1000 + tonumber(ARGV[3])))
end
tat = math.max(tat, now + tonumber(ARGV[3]))
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', 60000 + tonumber(ARGV[3]))
return 1
`)

// Slow makes every process wait retryAfter and halves the rate in force;
// it climbs back over RecoverAfter. See broadcast.Limiter.
func (l *Limiter) Slow(ctx context.Context, retryAfter time.Duration) error {
	err := slowScript.Run(ctx, l.client, []string{l.prefix + "lim:tat", l.prefix + "lim:cut"},
		l.rate, RecoverAfter.Milliseconds(), max(retryAfter, 0).Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("slow the broadcast rate down for %v: %w", retryAfter, err)
	}
	return nil
}

// CurrentRate returns the rate in force, in messages per second: lower
// than the configured one for a while after a 429.
func (l *Limiter) CurrentRate(ctx context.Context) (float64, error) {
	r, err := rateScript.Run(ctx, l.client, []string{l.prefix + "lim:tat", l.prefix + "lim:cut"},
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

var rateScript = redis.NewScript(luaRate + `
return string.format('%.3f', rate)
`)

// Spend counts one message sent outside the limiter, such as a reply to
// a candidate, without waiting; it is charged to the schedule by the next
// Wait or Flush of this Limiter.
func (l *Limiter) Spend() { l.spent.Add(1) }

// debitScript charges messages sent outside. KEYS are tat, cut; ARGV the
// rate, recovery ms, the count.
var debitScript = redis.NewScript(luaRate + luaDebit + `
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', 60000)
return 1
`)

// Flush charges the messages counted by Spend to the shared schedule, in
// one round trip when there are any.
func (l *Limiter) Flush(ctx context.Context) error {
	spent := l.spent.Swap(0)
	if spent == 0 {
		return nil
	}
	err := debitScript.Run(ctx, l.client, []string{l.prefix + "lim:tat", l.prefix + "lim:cut"},
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
