package telegramtest

import (
	"context"
	"net/http"
	"time"
)

// Telegram's 409 Conflict, as its Bot API server gives it
// (telegram-bot-api's Client::abort_long_poll and fail_query_conflict):
// a getUpdates that is going to wait for updates ends the one waiting
// before it, which gets 409 "terminated by other getUpdates request"; a
// getUpdates that returns at once ends none. setWebhook ends a waiting
// getUpdates with 409 "terminated by setWebhook request", and a
// getUpdates while a webhook is set gets 409 at once. A conflict that
// comes within 3 seconds of the last one answered at once is held 3
// seconds.

// ConflictPause is how long after a 409 Conflict answered at once
// Telegram holds the next one, and a Server by default.
const ConflictPause = 3 * time.Second

// SetConflictPause has the server hold a 409 Conflict that comes within d
// of the last one answered at once for d, instead of ConflictPause: a
// test of what a client does between conflicts need not wait Telegram's
// seconds.
func (s *Server) SetConflictPause(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conflictPause = d
}

const (
	pollConflict       = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	setWebhookConflict = "Conflict: terminated by setWebhook request"
	webhookConflict    = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)

// endPoll ends the getUpdates waiting, if any, which then answers with
// pollEnded. s.mu must be held.
func (s *Server) endPoll() {
	if s.updates.poll != nil {
		close(s.updates.poll)
		s.updates.poll = nil
	}
}

// pollEnded is the answer to a getUpdates ended by a webhook or by another
// getUpdates. s.mu must be held.
func (s *Server) pollEnded() reply {
	if s.updates.hook.URL != "" {
		return fail(http.StatusConflict, setWebhookConflict)
	}
	return fail(http.StatusConflict, pollConflict)
}

// paced holds a 409 Conflict r until Telegram would answer it: at once
// when the last conflict was answered the pause ago or more (3 s, see
// SetConflictPause), else the pause later. Any other answer passes at
// once. s.mu must not be held.
func (s *Server) paced(ctx context.Context, r reply) reply {
	if r.err == nil || r.err.code != http.StatusConflict {
		return r
	}
	s.mu.Lock()
	now := time.Now()
	pause := s.conflictPause
	if !now.Before(s.nextConflict) {
		s.nextConflict = now.Add(pause)
		s.mu.Unlock()
		return r
	}
	s.mu.Unlock()
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-t.C:
		return r
	case <-ctx.Done():
		return reply{canceled: true}
	case <-s.done:
		return r
	}
}
