package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// maxPollTimeout caps the timeout of getUpdates, in seconds, as Telegram
// does.
const maxPollTimeout = 50

// updateState is the server's side of update delivery.
type updateState struct {
	lastID  int64
	queue   []queued
	allowed []string      // allowed_updates; nil for Telegram's default
	poll    chan struct{} // closed to end the getUpdates waiting, if any
	hook    Webhook
}

type queued struct {
	id  int64
	raw json.RawMessage
}

// Webhook is the webhook set with setWebhook.
type Webhook struct {
	URL            string
	SecretToken    string
	MaxConnections int
	// AllowedUpdates is the allowed_updates setting, which Telegram shares
	// between the webhook and getUpdates; nil for the default.
	AllowedUpdates []string
}

// Send queues u for the bot's getUpdates and returns its update_id. An update
// without an ID gets the next one; a message without an ID gets the chat's
// next message_id; a callback query gets an ID the fake will accept in
// answerCallbackQuery and, when its message is one the bot sent, that
// message's text and keyboard. Like Telegram, Send drops an update whose type
// the last allowed_updates leaves out, and returns 0 for it.
func (s *Server) Send(u Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	u = s.prepare(u)
	if !s.allows(u.Kind()) {
		return 0
	}
	s.updates.queue = append(s.updates.queue, queued{id: u.ID, raw: mustJSON(u)})
	s.notify()
	return u.ID
}

// Deliver posts u to the webhook set with setWebhook, with the secret token
// in the X-Telegram-Bot-Api-Secret-Token header, as Telegram does, and
// returns the webhook's response for the caller to close. It prepares u as
// Send does, and fails when no webhook is set or allowed_updates leaves the
// update's type out.
func (s *Server) Deliver(ctx context.Context, u Update) (*http.Response, error) {
	s.mu.Lock()
	hook := s.updates.hook
	if hook.URL == "" {
		s.mu.Unlock()
		return nil, errors.New("telegramtest: deliver: no webhook is set")
	}
	u = s.prepare(u)
	allowed := s.allows(u.Kind())
	s.mu.Unlock()
	if !allowed {
		return nil, fmt.Errorf("telegramtest: deliver update %d: allowed_updates leaves out %q", u.ID, u.Kind())
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(mustJSON(u)))
	if err != nil {
		return nil, fmt.Errorf("telegramtest: deliver update %d: %w", u.ID, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.SecretToken != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.SecretToken)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegramtest: deliver update %d: %w", u.ID, err)
	}
	return resp, nil
}

// Webhook returns the webhook set, with an empty URL when there is none.
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.updates.hook
	if h.URL != "" {
		h.AllowedUpdates = slices.Clone(s.updates.allowed)
	}
	return h
}

// AllowedUpdates returns the update types the bot last asked for with
// allowed_updates, nil when it never did or asked for Telegram's default.
func (s *Server) AllowedUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.updates.allowed)
}

// allows reports whether updates of kind reach the bot. s.mu must be held.
func (s *Server) allows(kind string) bool {
	if len(s.updates.allowed) == 0 {
		switch kind {
		case "chat_member", "message_reaction", "message_reaction_count":
			return false
		}
		return true
	}
	return slices.Contains(s.updates.allowed, kind)
}

// setAllowed applies an allowed_updates parameter: absent keeps the last
// setting, an empty list restores the default. s.mu must be held.
func (s *Server) setAllowed(p params) *apiError {
	raw, present := p["allowed_updates"]
	if !present {
		return nil
	}
	var kinds []string
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &kinds); err != nil {
			return &apiError{code: http.StatusBadRequest, description: "Bad Request: can't parse allowed updates JSON object"}
		}
	}
	if len(kinds) == 0 {
		kinds = nil
	}
	s.updates.allowed = kinds
	return nil
}

// prepare fills in the identifiers of u and remembers what it brings: the
// user's message, the callback query to answer. s.mu must be held.
func (s *Server) prepare(u Update) Update {
	if u.ID == 0 {
		s.updates.lastID++
		u.ID = s.updates.lastID
	} else if u.ID > s.updates.lastID {
		s.updates.lastID = u.ID
	}
	if u.Message != nil {
		m := *u.Message
		c := s.chat(m.Chat.ID)
		if m.ID == 0 {
			c.lastID++
			m.ID = c.lastID
		} else if m.ID > c.lastID {
			c.lastID = m.ID
		}
		s.storeFiles(&m)
		stored := m
		c.msgs = append(c.msgs, &stored)
		u.Message = &m
	}
	if u.EditedMessage != nil {
		m := *u.EditedMessage
		if m.EditDate == 0 {
			m.EditDate = time.Now().Unix()
		}
		if old := s.chat(m.Chat.ID).find(m.ID); old != nil {
			*old = m
		}
		u.EditedMessage = &m
	}
	if u.CallbackQuery != nil {
		q := *u.CallbackQuery
		if q.ID == "" {
			s.queryN++
			q.ID = strconv.FormatInt(1_000_000_000_000_000_000+s.queryN, 10)
		}
		s.queries[q.ID] = false
		if q.Message != nil {
			m := *q.Message
			if q.ChatInstance == "" {
				q.ChatInstance = strconv.FormatUint(uint64(m.Chat.ID)*2654435761, 10)
			}
			if old := s.chat(m.Chat.ID).find(m.ID); old != nil && m.Text == "" {
				m = *old
			}
			if m.From == nil {
				me := s.me
				m.From = &me
			}
			q.Message = &m
		}
		u.CallbackQuery = &q
	}
	return u
}

// confirm forgets the updates offset confirms: those before it, or all but
// the last -offset ones. s.mu must be held.
func (s *Server) confirm(offset int64) {
	q := s.updates.queue
	switch {
	case offset > 0:
		i := 0
		for i < len(q) && q[i].id < offset {
			i++
		}
		s.updates.queue = q[i:]
	case offset < 0 && int64(len(q)) > -offset:
		s.updates.queue = q[int64(len(q))+offset:]
	}
}

// pending returns up to limit queued updates. s.mu must be held.
func (s *Server) pending(limit int) []json.RawMessage {
	out := []json.RawMessage{}
	for _, q := range s.updates.queue {
		if len(out) == limit {
			break
		}
		out = append(out, q.raw)
	}
	return out
}

func (s *Server) getUpdates(ctx context.Context, p params) reply {
	offset := p.int("offset", 0)
	limit := int(min(max(p.int("limit", 100), 1), 100))
	timeout := time.Duration(min(max(p.int("timeout", 0), 0), maxPollTimeout)) * time.Second

	s.mu.Lock()
	if s.updates.hook.URL != "" {
		s.mu.Unlock()
		return s.paced(ctx, fail(http.StatusConflict, webhookConflict))
	}
	if err := s.setAllowed(p); err != nil {
		s.mu.Unlock()
		return reply{err: err}
	}
	s.confirm(offset)
	s.notify() // for whoever waits for the bot to poll
	if ups := s.pending(limit); len(ups) > 0 || timeout == 0 {
		s.mu.Unlock()
		return ok(ups)
	}
	// This one waits: it ends the one waiting before it (conflict.go).
	s.endPoll()
	mine := make(chan struct{})
	s.updates.poll = mine
	// leave gives up the poll slot and answers. s.mu must be held.
	leave := func(r reply) reply {
		if s.updates.poll == mine {
			s.updates.poll = nil
		}
		s.mu.Unlock()
		return s.paced(ctx, r)
	}

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-mine:
			return leave(s.pollEnded())
		default:
		}
		if ups := s.pending(limit); len(ups) > 0 || timeout == 0 {
			return leave(ok(ups))
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
			s.mu.Lock()
		case <-timer.C:
			s.mu.Lock()
			return leave(ok(s.pending(limit)))
		case <-s.done:
			s.mu.Lock()
			return leave(ok([]json.RawMessage{}))
		case <-ctx.Done():
			s.mu.Lock()
			return leave(reply{canceled: true})
		case <-mine:
			s.mu.Lock()
			return leave(s.pollEnded())
		}
	}
}

func (s *Server) setWebhook(_ context.Context, p params) reply {
	raw := p["url"]
	if raw == "" {
		return s.removeWebhook(p)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// Unlike Telegram, plain http is accepted, for httptest servers.
		return badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p["secret_token"]
	if len(secret) > 256 {
		return badRequest("secret token is too long")
	}
	for i := 0; i < len(secret); i++ {
		if c := secret[i]; !isAlnum(c) && c != '_' && c != '-' {
			return badRequest("secret token contains unallowed characters")
		}
	}
	maxConn := int(min(max(p.int("max_connections", 40), 1), 100))

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.setAllowed(p); err != nil {
		return reply{err: err}
	}
	h := s.updates.hook
	same := h.URL == raw && h.SecretToken == secret && h.MaxConnections == maxConn && !p.bool("drop_pending_updates")
	s.updates.hook = Webhook{URL: raw, SecretToken: secret, MaxConnections: maxConn}
	if p.bool("drop_pending_updates") {
		s.updates.queue = nil
	}
	s.endPoll()
	s.notify()
	if same {
		return reply{result: true, description: "Webhook is already set"}
	}
	return reply{result: true, description: "Webhook was set"}
}

func (s *Server) deleteWebhook(_ context.Context, p params) reply {
	return s.removeWebhook(p)
}

func (s *Server) removeWebhook(p params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	had := s.updates.hook.URL != ""
	s.updates.hook = Webhook{}
	if p.bool("drop_pending_updates") {
		s.updates.queue = nil
	}
	s.notify()
	if !had {
		return reply{result: true, description: "Webhook is already deleted"}
	}
	return reply{result: true, description: "Webhook was deleted"}
}

func (s *Server) getWebhookInfo(context.Context, params) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{
		"url":                    s.updates.hook.URL,
		"has_custom_certificate": false,
		"pending_update_count":   len(s.updates.queue),
	}
	if s.updates.hook.URL != "" {
		info["max_connections"] = s.updates.hook.MaxConnections
		if s.updates.allowed != nil {
			info["allowed_updates"] = s.updates.allowed
		}
	}
	return ok(info)
}
