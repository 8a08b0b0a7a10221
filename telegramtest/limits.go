package telegramtest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// PaidLimit is the messages per second a bot may send with
// allow_paid_broadcast, when a global limit is on.
const PaidLimit = 1000

// Limits are the flood limits the server enforces on the calls that send
// or change messages (sendMessage, sendDocument and the edits), as
// api.telegram.org does. The zero Limits enforce nothing.
type Limits struct {
	// Global is how many calls the bot may make in any one second, in
	// all chats (Telegram: about 30; PaidLimit for a call with
	// allow_paid_broadcast); 0 for no limit.
	Global int
	// PerChat is how many calls one chat may get in any one second,
	// counted like Global; 0 for no limit.
	PerChat int
	// ChatEvery and ChatBurst pace each chat as Telegram does: one
	// message every ChatEvery on average, up to ChatBurst at once after
	// a pause (a token bucket). A call a few hundredths of ChatEvery
	// early is let through, as the arrival of calls sent on time jitters.
	// ChatEvery 0 leaves this limit off; ChatBurst below 1 is 1.
	ChatEvery time.Duration
	ChatBurst int
	// RetryAfter is the least retry_after of a 429, in seconds. A 429
	// tells the bot to wait retry_after (at least the time until the
	// limit has room, rounded up to a second), and until then the server
	// refuses every call the limit covers, with the time left: the chat's
	// calls after a per-chat limit, all calls after the global one. A
	// bot that does not wait gets 429s again; one that waits, none.
	RetryAfter int
}

// Telegram is how Telegram limits a bot that sends no paid broadcasts:
// about 30 messages a second in all, one a second to each chat with
// short bursts tolerated.
var Telegram = Limits{Global: 30, ChatEvery: time.Second, ChatBurst: 3}

// limits enforces Limits over a sliding window of one second and a
// token bucket per chat.
type limits struct {
	mu      sync.Mutex
	l       Limits
	all     []time.Time           // accepted calls in the last second, in order
	chats   map[int64][]time.Time // the same, by chat
	tat     map[int64]time.Time   // each chat's bucket: when it is full again
	wait    time.Time             // global: refused until then
	waits   map[int64]time.Time   // per chat: refused until then
	refused int                   // 429s answered
}

// limited reports whether method counts against the flood limits.
func limited(method string) bool {
	switch method {
	case "sendMessage", "editMessageText", "sendDocument":
		return true
	}
	return false
}

// Limit makes the server enforce Telegram's flood limits on sendMessage,
// sendDocument and the edits with a one-second window, as
// SetLimits(Limits{Global: global, PerChat: perChat}) does; Limit(0, 0)
// turns limits off.
func (s *Server) Limit(global, perChat int) {
	s.SetLimits(Limits{Global: global, PerChat: perChat})
}

// SetLimits makes the server enforce l from now on, forgetting the calls
// counted and the 429s answered so far; the zero Limits turn limits off.
func (s *Server) SetLimits(l Limits) {
	lm := &s.limits
	lm.mu.Lock()
	defer lm.mu.Unlock()
	lm.l = l
	lm.all, lm.chats, lm.tat = nil, map[int64][]time.Time{}, map[int64]time.Time{}
	lm.wait, lm.waits = time.Time{}, map[int64]time.Time{}
	lm.refused = 0
}

// TooManyRequests returns how many calls the limits refused with 429.
func (s *Server) TooManyRequests() int {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	return s.limits.refused
}

// on reports whether any limit is on. l.mu must be held.
func (l *limits) on() bool {
	return l.l.Global > 0 || l.l.PerChat > 0 || l.l.ChatEvery > 0
}

// take counts a call at now against the limits, or returns the 429 that
// refuses it.
func (l *limits) take(method string, p params, now time.Time) *apiError {
	if !limited(method) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.on() {
		return nil
	}
	chat := p.int("chat_id", 0)
	paid := p.bool("allow_paid_broadcast")
	// A bot still told to wait is refused for the time left (a paid
	// broadcast has a limit of its own).
	wait := l.waits[chat].Sub(now)
	if !paid {
		wait = max(wait, l.wait.Sub(now))
	}
	if wait > 0 {
		return l.refuse(secondsIn(wait))
	}
	l.all = inWindow(l.all, now)
	l.chats[chat] = inWindow(l.chats[chat], now)
	global := l.l.Global
	if paid {
		global = PaidLimit
	}
	var globalWait, chatWait time.Duration
	if global > 0 && len(l.all) >= global {
		globalWait = l.all[len(l.all)-global].Add(time.Second).Sub(now)
	}
	if cs := l.chats[chat]; l.l.PerChat > 0 && len(cs) >= l.l.PerChat {
		chatWait = cs[len(cs)-l.l.PerChat].Add(time.Second).Sub(now)
	}
	tat := l.tat[chat]
	if every := l.l.ChatEvery; every > 0 {
		tat = later(tat, now)
		burst := time.Duration(max(l.l.ChatBurst, 1)-1) * every
		if early := tat.Sub(now) - burst; early > every/20 {
			chatWait = max(chatWait, early)
		}
		tat = tat.Add(every)
	}
	if globalWait > 0 || chatWait > 0 {
		secs := max(l.l.RetryAfter, secondsIn(max(globalWait, chatWait)))
		until := now.Add(time.Duration(secs) * time.Second)
		if globalWait > 0 && !paid {
			l.wait = until
		} else {
			l.waits[chat] = until
		}
		return l.refuse(secs)
	}
	l.all = append(l.all, now)
	l.chats[chat] = append(l.chats[chat], now)
	if l.l.ChatEvery > 0 {
		l.tat[chat] = tat
	}
	return nil
}

// secondsIn is wait in whole seconds, rounded up, at least 1: a
// retry_after that waits it out.
func secondsIn(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

// refuse counts and returns a 429 telling the bot to wait secs seconds.
// l.mu must be held.
func (l *limits) refuse(secs int) *apiError {
	l.refused++
	return &apiError{code: http.StatusTooManyRequests, description: "Too Many Requests: retry after " + strconv.Itoa(secs), retryAfter: secs}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// inWindow drops the times at least a second before now.
func inWindow(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= time.Second {
		i++
	}
	if i == len(ts) {
		return ts[:0]
	}
	return ts[i:]
}
