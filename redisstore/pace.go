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

// ReplyRate is Telegram's limit for a bot's messages in all chats, about
// 30 a second, which replies may exceed until Telegram says otherwise:
// after a 429 they are held to half of it, climbing back to it over
// RecoverAfter, then go at once again. A 429 while they are held starts
// them again from half.
const ReplyRate = 30

// TurnHorizon is how far ahead of a chat's own pace the Inbox takes a
// turn: a message whose chat may have it later is told to come back then
// (inbox.Turn.Later), so that it holds up no other chat's turn in the
// replies' schedule.
const TurnHorizon = 250 * time.Millisecond

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
// (messages/s), recover (ms), horizon (ms). A nil pace paces nothing.
func (p *Pace) args() []any {
	if p == nil {
		return []any{0, 1, ReplyRate, RecoverAfter.Milliseconds(), TurnHorizon.Milliseconds()}
	}
	return []any{p.Chat.Milliseconds(), p.Burst, ReplyRate, RecoverAfter.Milliseconds(), TurnHorizon.Milliseconds()}
}
