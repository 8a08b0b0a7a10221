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
	"time"

	"github.com/go-telegram/bot/models"

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
	// API is the Bot API base URL, Token the bot's token.
	API, Token string
	Queue      inbox.Queue
	// Timeout is getUpdates' long-polling timeout (default 25 s).
	Timeout time.Duration
	Client  *http.Client
	Log     *slog.Logger
	Metrics *Metrics
	// Added is called after updates were recorded, to wake the workers.
	Added func()
}

// Run polls until ctx is done. Errors are logged and retried with a backoff;
// nothing is confirmed to Telegram that is not recorded.
func (p *Poller) Run(ctx context.Context) error {
	var offset int64
	backoff := time.Duration(0)
	for {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		raws, err := p.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.Log.Warn("getUpdates failed", "err", err)
			backoff = nextBackoff(backoff)
			continue
		}
		last, err := p.add(ctx, raws)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.Metrics.StoreError()
			p.Log.Error("recording updates failed; they stay unconfirmed", "err", err)
			backoff = nextBackoff(backoff)
			continue
		}
		backoff = 0
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
			p.Log.Warn("dropping malformed update", "update_id", id.ID, "err", err)
			continue
		}
		last = max(last, u.ID)
		p.Metrics.update(kind)
		if ok {
			batch = append(batch, u)
		}
	}
	if len(batch) == 0 {
		return last, nil
	}
	if _, err := p.Queue.Add(ctx, batch); err != nil {
		return 0, fmt.Errorf("record %d updates: %w", len(batch), err)
	}
	if p.Added != nil {
		p.Added()
	}
	return last, nil
}

func (p *Poller) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 25 * time.Second
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.API+"/bot"+p.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactToken(err, p.Token))
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
		p.Metrics.apiError("getUpdates", r.ErrorCode)
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
	Secret  string
	Queue   inbox.Queue
	Log     *slog.Logger
	Metrics *Metrics
	Added   func()
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(h.Secret)) != 1 {
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
		h.Log.Warn("webhook: malformed update", "err", err)
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	h.Metrics.update(kind)
	if ok {
		if _, err := h.Queue.Add(r.Context(), []inbox.Update{u}); err != nil {
			h.Metrics.StoreError()
			h.Log.Error("webhook: recording update failed", "update_id", u.ID, "chat_id", u.Chat, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if h.Added != nil {
			h.Added()
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
}
