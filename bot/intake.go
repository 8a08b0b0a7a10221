package bot

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"examdesk"
	"examdesk/inbox"
)

// AllowedUpdates are the kinds of update the bot asks Telegram for.
var AllowedUpdates = []string{"message", "callback_query"}

// errMalformed is an update that is not JSON or has no update_id.
var errMalformed = errors.New("malformed update")

// Decode reads a raw update, once, at intake: the inbox entry of what a
// user sent (see InputOf), its kind for the metrics ("message",
// "callback_query" or "other"), and ok false for an update that needs no
// answer (an edit, a member joining, a press on a button of a message the
// bot cannot see), which is not queued. An update that is not JSON or has
// no update_id is an error.
func Decode(raw []byte) (u inbox.Update, kind string, ok bool, err error) {
	var tu models.Update
	if err := json.Unmarshal(raw, &tu); err != nil {
		return inbox.Update{}, "", false, fmt.Errorf("%w: %v", errMalformed, err)
	}
	if tu.ID <= 0 {
		return inbox.Update{}, "", false, fmt.Errorf("%w: no update_id", errMalformed)
	}
	switch {
	case tu.Message != nil && tu.Message.From != nil:
		kind = "message"
	case tu.CallbackQuery != nil:
		kind = "callback_query"
	default:
		kind = "other"
	}
	key, in, callbackID, ok := InputOf(&tu)
	if !ok {
		return inbox.Update{ID: tu.ID}, kind, false, nil
	}
	in.Group = key.Chat != key.User
	return inbox.Update{ID: tu.ID, Chat: key.Chat, User: key.User, Input: in, Callback: callbackID}, kind, true, nil
}

// DecodeLegacy reads an update that a release before Decode queued raw
// (see redisstore.WithLegacy).
func DecodeLegacy(raw []byte) (inbox.Update, bool) {
	u, _, ok, err := Decode(raw)
	return u, ok && err == nil
}

// Poller is the long-polling intake: it fetches updates with getUpdates
// and confirms them to Telegram (the next call's offset) only after they
// are recorded in the inbox. It is the project's own because the library's
// polling confirms updates as soon as they are queued in memory.
type Poller struct {
	api, token string
	queue      inbox.Queue
	opts       PollerOptions

	conflicted atomic.Bool // see Conflicted
	owner      string      // in the lease, while polling
}

// PollerOptions tune a Poller; a zero field takes its default.
type PollerOptions struct {
	// Timeout is getUpdates' long-polling timeout (default 25 s).
	Timeout time.Duration
	// Client makes the calls (default http.DefaultClient).
	Client *http.Client
	// Log receives what goes wrong (default: nowhere).
	Log *slog.Logger
	// Metrics, if set, counts the updates and the errors.
	Metrics *Metrics
	// Added, if set, is called after updates were recorded, to wake the
	// workers.
	Added func()
	// Lease, if set, makes the pollers sharing it poll by turns: only
	// the one holding it calls getUpdates (see pollerlease.go).
	Lease Lease
	// LeaseTime is how long the lease lasts after it was taken or renewed
	// last (default DefaultLeaseTime). Its holder renews it every fifth
	// of that; when the holder dies, another poller takes over within
	// LeaseTime and a fifth.
	LeaseTime time.Duration
	// Owner names the poller in the lease (default: a random token).
	Owner string
}

// NewPoller returns a poller of the Bot API at api (its base URL) for the
// bot with token, recording updates in q.
func NewPoller(api, token string, q inbox.Queue, o PollerOptions) *Poller {
	if o.Timeout <= 0 {
		o.Timeout = 25 * time.Second
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Added == nil {
		o.Added = func() {}
	}
	if o.LeaseTime <= 0 {
		o.LeaseTime = DefaultLeaseTime
	}
	return &Poller{api: api, token: token, queue: q, opts: o}
}

// errToken is Telegram refusing the bot's token (401, or 404 for a token
// it does not know).
var errToken = errors.New("the Bot API refuses the token")

// Run polls until ctx is done, and returns nil then; with a Lease, only
// while it holds it. A failure of Telegram or of the inbox is logged and
// retried with a backoff; nothing is confirmed to Telegram that is not
// recorded. A 409 Conflict that is not the end of this poller's turn is
// logged as an error, counted, and makes Conflicted true until a
// getUpdates succeeds. Run returns an error only when Telegram refuses
// the token, which retrying does not cure.
func (p *Poller) Run(ctx context.Context) error {
	if p.opts.Lease != nil {
		return p.runLeased(ctx)
	}
	return p.poll(ctx)
}

// poll calls getUpdates and records the updates until ctx is done.
func (p *Poller) poll(ctx context.Context) error {
	var offset int64
	backoff := time.Duration(0)
	for {
		if backoff > 0 && examdesk.Sleep(ctx, backoff) != nil {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		raws, err := p.getUpdates(ctx, offset)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errToken):
			return fmt.Errorf("poll: %w", err)
		case errors.Is(err, errConflict):
			if p.handover(ctx) {
				return nil
			}
			p.conflict(err)
			backoff = nextBackoff(backoff)
			continue
		case err != nil:
			p.opts.Log.Warn("getUpdates failed", "err", err)
			backoff = nextBackoff(backoff)
			continue
		}
		last, err := p.add(ctx, raws)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.opts.Metrics.StoreError()
			p.opts.Log.Error("recording updates failed; they stay unconfirmed", "err", err)
			backoff = nextBackoff(backoff)
			continue
		}
		backoff = 0
		p.conflicted.Store(false)
		if last >= offset {
			offset = last + 1
		}
	}
}

func nextBackoff(d time.Duration) time.Duration {
	return min(max(2*d, 100*time.Millisecond), 5*time.Second)
}

// add records a batch and returns the highest update_id in it.
func (p *Poller) add(ctx context.Context, raws []json.RawMessage) (int64, error) {
	var (
		last  int64 = -1
		batch []inbox.Update
	)
	for _, raw := range raws {
		u, kind, ok, err := Decode(raw)
		if err != nil {
			// Confirm it all the same, or Telegram would send it forever.
			var id struct {
				ID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &id) == nil {
				last = max(last, id.ID)
			}
			p.opts.Log.Warn("dropping malformed update", "update_id", id.ID, "err", err)
			continue
		}
		last = max(last, u.ID)
		p.opts.Metrics.update(kind)
		if ok {
			batch = append(batch, u)
		}
	}
	if len(batch) == 0 {
		return last, nil
	}
	if _, err := p.queue.Add(ctx, batch); err != nil {
		return 0, fmt.Errorf("record %d updates: %w", len(batch), err)
	}
	p.opts.Added()
	return last, nil
}

func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	timeout := p.opts.Timeout
	if p.conflicted.Load() {
		// A short poll, to learn soon that the conflict is over.
		timeout = min(timeout, time.Second)
	}
	body, err := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(timeout / time.Second),
		"allowed_updates": AllowedUpdates,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.api+"/bot"+p.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.opts.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactToken(err, p.token))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d: %w", resp.StatusCode, err)
	}
	if !r.OK {
		p.opts.Metrics.apiError("getUpdates", r.ErrorCode)
		switch r.ErrorCode {
		case http.StatusUnauthorized, http.StatusNotFound:
			return nil, fmt.Errorf("getUpdates: %d %s: %w", r.ErrorCode, r.Description, errToken)
		case http.StatusConflict:
			return nil, fmt.Errorf("getUpdates: %d %s: %w", r.ErrorCode, r.Description, errConflict)
		}
		return nil, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	return r.Result, nil
}

// redactToken keeps the bot token out of logged URL errors.
func redactToken(err error, token string) error {
	return errors.New(string(bytes.ReplaceAll([]byte(err.Error()), []byte(token), []byte("<token>"))))
}

// maxWebhookBody is the largest update the webhook accepts.
const maxWebhookBody = 1 << 20

// Webhook receives updates pushed by Telegram and answers 2xx only once
// they are recorded: 401 without the right secret token, 413 for a body
// over 1 MiB, 400 for malformed JSON (Telegram gives up on it), 503 when
// the inbox cannot record (Telegram retries later).
type Webhook struct {
	secret string
	queue  inbox.Queue
	opts   WebhookOptions
}

// WebhookOptions tune a Webhook; a zero field takes its default.
type WebhookOptions struct {
	// Log receives what goes wrong (default: nowhere).
	Log *slog.Logger
	// Metrics, if set, counts the updates and the errors.
	Metrics *Metrics
	// Added, if set, is called after an update was recorded, to wake the
	// workers.
	Added func()
}

// NewWebhook returns the webhook of the bot whose secret token is secret,
// recording updates in q.
func NewWebhook(secret string, q inbox.Queue, o WebhookOptions) *Webhook {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Added == nil {
		o.Added = func() {}
	}
	return &Webhook{secret: secret, queue: q, opts: o}
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.secret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, "cannot read update", http.StatusBadRequest)
		return
	}
	u, kind, ok, err := Decode(raw)
	if err != nil {
		h.opts.Log.Warn("webhook: malformed update", "err", err)
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	h.opts.Metrics.update(kind)
	if ok {
		if _, err := h.queue.Add(r.Context(), []inbox.Update{u}); err != nil {
			h.opts.Metrics.StoreError()
			h.opts.Log.Error("webhook: recording update failed", "update_id", u.ID, "chat_id", u.Chat, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		h.opts.Added()
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
}
