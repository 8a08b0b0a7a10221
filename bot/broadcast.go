package bot

import (
	"context"
	"fmt"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk/broadcast"
)

// Broadcaster sends broadcast messages through the Bot API: a
// broadcast.Sender. It makes one call per Send and never waits or retries
// itself, so that the Deliverer's shared limiter decides: a 429 comes back
// at once as a *broadcast.RetryAfterError.
type Broadcaster struct {
	api     *tg.Bot
	metrics *Metrics
	timeout time.Duration
}

var _ broadcast.Sender = (*Broadcaster)(nil)

// NewBroadcaster returns a Broadcaster calling the Bot API through api and
// counting errors in m (nil counts nothing).
func NewBroadcaster(api *tg.Bot, m *Metrics) *Broadcaster {
	return &Broadcaster{api: api, metrics: m, timeout: SendTimeout}
}

// SendTimeout bounds one broadcast send. It is short enough that a send in
// hand at shutdown ends, and is recorded, within serve's grace period, and
// that a lease renewed before the send outlives it: a send cut short is
// given back and may have gone out, like a message in flight at a crash.
const SendTimeout = 6 * time.Second

// Send sends text to chat as plain text, without parse mode, so that it
// shows exactly as written (<, & and all), without link previews; paid
// sends it with allow_paid_broadcast. Its errors are as broadcast.Sender
// documents: ErrBlocked for a 403, *RetryAfterError for a 429 (retry_after,
// at least a second), *RejectedError with Telegram's description for any
// other 4xx, and a transient error otherwise.
func (b *Broadcaster) Send(ctx context.Context, chat int64, text string, paid bool) error {
	p := &tg.SendMessageParams{
		ChatID:             chat,
		Text:               text,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
		AllowPaidBroadcast: paid,
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	_, err := b.api.SendMessage(ctx, p)
	if err == nil {
		return nil
	}
	a := answerOf(err, time.Second)
	if a.code != 0 {
		b.metrics.apiError("sendMessage", a.code)
	}
	switch {
	case a.code == http.StatusTooManyRequests:
		return &broadcast.RetryAfterError{After: max(a.retryAfter, time.Second)}
	case a.code == http.StatusForbidden:
		return fmt.Errorf("telegram sendMessage: %s: %w", a.description, broadcast.ErrBlocked)
	case a.code >= 400 && a.code < 500:
		return &broadcast.RejectedError{Reason: fmt.Sprintf("%d %s", a.code, a.description)}
	case a.code != 0:
		return fmt.Errorf("telegram sendMessage: %d %s", a.code, a.description)
	}
	return fmt.Errorf("telegram sendMessage: %w", err)
}
