package telegramtest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// PaidLimit is the messages per second a bot may send with
// allow_paid_broadcast, when Limit is on.
const PaidLimit = 1000

// limits enforces Telegram's flood limits on the calls that send or change
// messages, over a sliding window of one second.
type limits struct {
	mu      sync.Mutex
	on      bool
	global  int
	perChat int
	all     []time.Time           // accepted calls in the last second, in order
	chats   map[int64][]time.Time // the same, by chat
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

// Limit makes the server enforce Telegram's flood limits, as
// api.telegram.org does, on sendMessage, sendDocument and the edits: a
// call is answered
// 429 Too Many Requests with parameters.retry_after (whole seconds until
// the window has room) when the calls accepted within the last second
// number global already (PaidLimit for a call with allow_paid_broadcast),
// or perChat already to its chat. Refused calls do not count. global or
// perChat <= 0 leaves that limit off; Limit(0, 0) turns limits off.
func (s *Server) Limit(global, perChat int) {
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = global > 0 || perChat > 0
	l.global, l.perChat = global, perChat
	l.all, l.chats = nil, map[int64][]time.Time{}
	l.refused = 0
}

// TooManyRequests returns how many calls the limits of Limit refused.
func (s *Server) TooManyRequests() int {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	return s.limits.refused
}

// take counts a call at now against the limits, or returns the 429 that
// refuses it.
func (l *limits) take(method string, p params, now time.Time) *apiError {
	if !limited(method) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.on {
		return nil
	}
	chat := p.int("chat_id", 0)
	l.all = inWindow(l.all, now)
	l.chats[chat] = inWindow(l.chats[chat], now)
	global := l.global
	if p.bool("allow_paid_broadcast") {
		global = PaidLimit
	}
	var wait time.Duration
	if global > 0 && len(l.all) >= global {
		wait = l.all[len(l.all)-global].Add(time.Second).Sub(now)
	}
	if cs := l.chats[chat]; l.perChat > 0 && len(cs) >= l.perChat {
		wait = max(wait, cs[len(cs)-l.perChat].Add(time.Second).Sub(now))
	}
	if wait > 0 {
		l.refused++
		secs := max(1, int(math.Ceil(wait.Seconds())))
		return &apiError{code: http.StatusTooManyRequests, description: "Too Many Requests: retry after " + strconv.Itoa(secs), retryAfter: secs}
	}
	l.all = append(l.all, now)
	l.chats[chat] = append(l.chats[chat], now)
	return nil
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
