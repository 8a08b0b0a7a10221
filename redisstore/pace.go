package redisstore

import "time"

// Pace is how fast the bot sends to one chat: one message every Chat on
// average, up to Burst at once after a pause, as Telegram allows. The
// Inbox's turns and the Limiter's broadcasts keep it together, in one
// bucket per chat (lim:chat:<chat>). A zero field takes DefaultPace's.
type Pace struct {
	Chat  time.Duration
	Burst int
}

// DefaultPace is Telegram's limit for one chat: about a message a second,
// with short bursts tolerated.
var DefaultPace = Pace{Chat: time.Second, Burst: 3}

// ReplyRate is the rate, in messages per second, that replies are held to
// after a 429 climbs back to over RecoverAfter (from half the rate in
// force when the 429 came, ReplyRate when replies were not held), before
// replies go at once again: Telegram's limit for a bot's messages in all
// chats, about 30 a second, which replies may exceed until Telegram says
// otherwise.
const ReplyRate = 30

func (p Pace) orDefault() Pace {
	if p.Chat <= 0 {
		p.Chat = DefaultPace.Chat
	}
	if p.Burst <= 0 {
		p.Burst = DefaultPace.Burst
	}
	return p
}

// args are the pace's ARGV of the scripts that take turns (see
// lua/lib/pace.lua): every (ms; 0 for no pace), burst, ceiling
// (messages/s), recover (ms). A nil pace paces nothing.
func (p *Pace) args() []any {
	if p == nil {
		return []any{0, 1, ReplyRate, RecoverAfter.Milliseconds()}
	}
	return []any{p.Chat.Milliseconds(), p.Burst, ReplyRate, RecoverAfter.Milliseconds()}
}
