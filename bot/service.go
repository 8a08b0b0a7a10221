package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"examdesk/admin"
	"examdesk/broadcast"
	"examdesk/dialog"
	"examdesk/inbox"
)

// Service handles the updates recorded in the inbox: chats in parallel,
// each chat's updates one at a time in update_id order. For each update it
// steps the conversation, commits the new state together with the replies
// (the outbox), then sends the replies; a reply is never sent twice.
type Service struct {
	Queue   inbox.Queue
	Engine  *dialog.Engine
	Catalog dialog.Translator
	Sender  *Sender
	// Console, if set, answers the administrators' commands before the
	// dialog sees them.
	Console *admin.Console
	Log     *slog.Logger
	Metrics *Metrics
	// Subscribers, if set, takes the replies' effects on the users'
	// subscriptions (see dialog.Subscription) and is told of a chat whose
	// user blocked the bot.
	Subscribers broadcast.Subscribers
	// Inactive, if set, is also told of a chat whose user blocked the bot.
	Inactive func(ctx context.Context, chat int64) error
	// Workers is how many chats are handled at once (default 64).
	Workers int
	// Poll is how often idle workers look for work added by other
	// processes or left by a dead one (default 250 ms).
	Poll time.Duration
	// Drain bounds the time to finish the update in hand at shutdown
	// (default 8 s).
	Drain time.Duration

	mu   sync.Mutex
	wake chan struct{}
}

// reply is one outbox entry: a message, or the answer to a pressed button.
type reply struct {
	Lang       string    `json:"lang"`
	Chat       int64     `json:"chat,omitempty"`
	Message    *Outgoing `json:"message,omitempty"`
	CallbackID string    `json:"callback,omitempty"`
	Notice     string    `json:"notice,omitempty"`
	// Menu is the language of the command menu to set for Chat.
	Menu string `json:"menu,omitempty"`
	// Subscription is an effect on the subscription of Chat, a private
	// chat, to apply with ApplySubscription.
	Subscription *dialog.Subscription `json:"subscription,omitempty"`
}

// Wake tells idle workers that updates were added.
func (s *Service) Wake() {
	s.mu.Lock()
	if s.wake != nil {
		close(s.wake)
		s.wake = nil
	}
	s.mu.Unlock()
}

func (s *Service) woken() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wake == nil {
		s.wake = make(chan struct{})
	}
	return s.wake
}

// Run handles updates until ctx is done, then finishes the update each
// worker has in hand, gives the chats' leases back and returns.
func (s *Service) Run(ctx context.Context) error {
	workers := s.Workers
	if workers <= 0 {
		workers = 64
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { s.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (s *Service) work(ctx context.Context) {
	poll := s.Poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		wake := s.woken()
		job, ok, err := s.Queue.Claim(ctx)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			s.Metrics.redisError()
			s.Log.Error("claiming a chat failed", "err", err)
			backoff = nextBackoff(backoff)
			_ = sleep(ctx, backoff)
			continue
		case !ok:
			backoff = 0
			timer := time.NewTimer(poll)
			select {
			case <-ctx.Done():
			case <-wake:
			case <-timer.C:
			}
			timer.Stop()
			continue
		}
		backoff = 0
		s.chat(ctx, job)
	}
}

// chat handles the jobs of one claimed chat until it has none left, or
// until shutdown, when it finishes the job in hand and gives the lease
// back.
func (s *Service) chat(ctx context.Context, job inbox.Job) {
	drain := s.Drain
	if drain <= 0 {
		drain = 8 * time.Second
	}
	for {
		// The job in hand is finished even when shutdown begins.
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
		err := s.handle(jctx, &job)
		if err == nil && ctx.Err() != nil {
			err = s.Queue.Release(jctx, job)
			cancel()
			if err != nil {
				s.Log.Warn("releasing a chat at shutdown failed", "chat_id", job.Chat, "err", err)
			}
			return
		}
		if err != nil {
			cancel()
			if !errors.Is(err, inbox.ErrLeaseLost) {
				s.Metrics.redisError()
				s.Log.Error("handling an update failed; it stays queued", "update_id", job.Update.ID, "chat_id", job.Chat, "err", err)
				if rerr := s.Queue.Release(context.WithoutCancel(ctx), job); rerr != nil {
					s.Log.Warn("releasing a chat failed", "chat_id", job.Chat, "err", rerr)
				}
			}
			return
		}
		next, ok, err := s.Queue.Next(jctx, job)
		cancel()
		if err != nil {
			if !errors.Is(err, inbox.ErrLeaseLost) {
				s.Metrics.redisError()
				s.Log.Error("taking the next update failed", "chat_id", job.Chat, "err", err)
			}
			return
		}
		if !ok {
			return
		}
		job = next
	}
}

// applyAttempts bounds the attempts at a subscription effect.
const applyAttempts = 4

// maxConflicts bounds the reloads when the state changes under a job.
const maxConflicts = 5

// handle sends what a dead holder left unsent, then handles the job's
// update: the conversation steps, the new state and the replies are
// committed at once, then the replies are sent.
func (s *Service) handle(ctx context.Context, job *inbox.Job) error {
	start := time.Now()
	if len(job.Outbox) > 0 {
		s.send(ctx, *job, s.decode(*job, job.Outbox))
	}
	if job.Update.ID == 0 {
		return nil
	}
	if job.Unreadable {
		s.Log.Warn("dropping an update recorded in a form this release cannot read", "update_id", job.Update.ID, "chat_id", job.Chat)
		_, err := s.Queue.Commit(ctx, *job, job.State, nil)
		return err
	}
	key := dialog.Key{Chat: job.Update.Chat, User: job.Update.User}
	in, callbackID := job.Update.Input, job.Update.Callback
	st := job.State
	step := s.Engine.Step
	if key.Chat == key.User && s.Console.IsAdmin(key.User) {
		// Only in the administrator's private chat: previews, audience
		// counts and progress are not for a group to see.
		lang := st.Lang
		if lang == "" {
			lang = dialog.Language(in.LanguageCode)
		}
		r, ok, err := s.Console.Handle(ctx, key, lang, in)
		if err != nil {
			s.Log.Error("an administrator's command failed", "update_id", job.Update.ID, "chat_id", key.Chat, "err", err)
			r = dialog.Reply{Lang: lang, Messages: []dialog.Message{{Text: dialog.T("error.apology")}}}
		}
		if ok || err != nil {
			// The console's reply, committed with the conversation as
			// it stands.
			step = func(st dialog.State, _ dialog.Input) (dialog.State, dialog.Reply) { return st, r }
		}
	}
	for attempt := 1; ; attempt++ {
		next, r := step(st, in)
		entries := s.outbox(key, in, callbackID, r)
		out, err := encode(entries)
		if err != nil {
			return err
		}
		now, err := s.Queue.Commit(ctx, *job, next, out)
		if errors.Is(err, dialog.ErrConflict) && attempt < maxConflicts {
			st, job.State = now, now
			continue
		}
		if err != nil {
			return fmt.Errorf("commit update %d: %w", job.Update.ID, err)
		}
		s.send(ctx, *job, entries)
		s.Metrics.handled(time.Since(start).Seconds())
		return nil
	}
}

// outbox renders a reply as outbox entries: the messages, then the answer
// to the pressed button, then, when the user starts or picks a language
// that the bot-wide menus do not speak, a command menu for the chat. Only
// messages must never be sent twice, so nothing but messages follows
// another message: see send.
//
// The reply's effect on the subscription, in a private chat, comes right
// after the first entry: committed with the state, it is applied by
// whoever sends the outbox, this holder or the successor of one that died
// (which skips only the first entry not recorded as sent, the one that may
// have been in flight), so at least once; applying it again is harmless.
func (s *Service) outbox(key dialog.Key, in dialog.Input, callbackID string, r dialog.Reply) []reply {
	var entries []reply
	for _, o := range Render(s.Catalog, r) {
		entries = append(entries, reply{Lang: r.Lang, Chat: key.Chat, Message: &o})
	}
	if r.Subscription != nil && s.Subscribers != nil && key.Chat == key.User {
		e := reply{Lang: r.Lang, Chat: key.Chat, Subscription: r.Subscription}
		entries = slices.Insert(entries, min(1, len(entries)), e)
	}
	if callbackID != "" {
		entries = append(entries, reply{Lang: r.Lang, CallbackID: callbackID, Notice: Notice(s.Catalog, r)})
	}
	if key.Chat == key.User && in.ChoosesLanguage() && r.Lang != menuLanguage(in.LanguageCode) {
		entries = append(entries, reply{Lang: r.Lang, Chat: key.Chat, Menu: r.Lang})
	}
	return entries
}

func encode(entries []reply) ([][]byte, error) {
	out := make([][]byte, len(entries))
	for i, e := range entries {
		data, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode reply: %w", err)
		}
		out[i] = data
	}
	return out, nil
}

// decode reads what a dead holder left in the outbox; an entry that does
// not decode is dropped.
func (s *Service) decode(job inbox.Job, out [][]byte) []reply {
	entries := make([]reply, 0, len(out))
	for _, data := range out {
		var r reply
		if err := json.Unmarshal(data, &r); err != nil {
			s.Log.Error("dropping an outbox entry that does not decode", "chat_id", job.Chat, "err", err)
			continue
		}
		entries = append(entries, r)
	}
	return entries
}

// send sends the outbox of a job and applies the subscription effects in
// it. Errors are handled here: a user who blocked the bot is marked
// inactive and gets no more messages; a message Telegram refuses is
// replaced by an apology; anything else, a failed effect too, is logged.
//
// The successor of a holder that dies midway skips the entry after the
// last one recorded as sent, which may have been in flight, and sends the
// rest; so progress is recorded before each message that follows another
// entry (entries may be what such a holder left: the queue counts them
// from the first). Button answers and menus, repeated or skipped, harm
// nobody, and only they follow messages, so a reply of one message and a
// button answer costs no record.
func (s *Service) send(ctx context.Context, job inbox.Job, entries []reply) {
	blocked := false
	for i, r := range entries {
		if r.Subscription != nil {
			if s.Subscribers == nil {
				continue
			}
			// The user has been told it is done: a failure is retried
			// a few times before it is given up and logged.
			var err error
			for attempt, wait := 1, 100*time.Millisecond; attempt <= applyAttempts; attempt, wait = attempt+1, 2*wait {
				if err = ApplySubscription(ctx, s.Subscribers, r.Chat, *r.Subscription); err == nil || attempt == applyAttempts {
					break
				}
				if sleep(ctx, wait) != nil {
					break
				}
			}
			if err != nil {
				s.Metrics.redisError()
				s.Log.Error("applying a subscription change failed", "chat_id", r.Chat, "update_id", job.Update.ID, "op", r.Subscription.Op.String(), "err", err)
			}
			continue
		}
		if blocked {
			continue // only subscription effects are left to apply
		}
		if i > 0 && r.Message != nil {
			if err := s.Queue.Sent(ctx, job, i); err != nil {
				s.Log.Warn("recording sending progress failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
			}
		}
		switch {
		case r.CallbackID != "":
			if err := s.Sender.AnswerCallback(ctx, r.CallbackID, r.Notice); err != nil {
				s.Log.Debug("answering a button failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
			}
		case r.Menu != "":
			if err := s.Sender.SetChatCommands(ctx, r.Chat, r.Menu); err != nil {
				s.Log.Debug("setting the chat's command menu failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
			}
		case r.Message != nil:
			blocked = s.sendMessage(ctx, job, r)
		}
	}
}

// sendMessage sends one message; it reports whether the user blocked the
// bot.
func (s *Service) sendMessage(ctx context.Context, job inbox.Job, r reply) (blocked bool) {
	err := s.Sender.Send(ctx, r.Chat, *r.Message)
	var apiErr *APIError
	switch {
	case errors.Is(err, ErrBlocked):
		s.Log.Info("the user blocked the bot; marking the chat inactive", "chat_id", r.Chat, "update_id", job.Update.ID)
		if s.Subscribers != nil {
			if err := s.Subscribers.Block(ctx, r.Chat); err != nil {
				s.Log.Warn("marking a chat inactive failed", "chat_id", r.Chat, "err", err)
			}
		}
		if s.Inactive != nil {
			if err := s.Inactive(ctx, r.Chat); err != nil {
				s.Log.Warn("marking a chat inactive failed", "chat_id", r.Chat, "err", err)
			}
		}
		return true
	case errors.As(err, &apiErr) && apiErr.Code == 400:
		if err := s.Sender.SendApology(ctx, r.Chat, r.Lang); err != nil {
			s.Log.Warn("sending the apology failed", "chat_id", r.Chat, "update_id", job.Update.ID, "err", err)
		}
	case err != nil:
		s.Log.Warn("sending a message failed", "chat_id", r.Chat, "update_id", job.Update.ID, "err", err)
	}
	return false
}

// ApplySubscription applies the effect sub of a step on the subscription
// of the private chat chat to subs; applying it again changes nothing
// more. It keeps what the step does not change: Subscribe and Remind keep
// the level of an earlier check when the step knows of none, Subscribe
// keeps the reminder choice, NoRemind changes only the reminder choice (in
// one step, leaving an unsubscribed user unsubscribed), and Update changes
// only a user who is subscribed and active. For Subscribe, Remind and
// Update the record is read then written: a change made in between by
// another process (a broadcast meeting a 403) may be overwritten.
func ApplySubscription(ctx context.Context, subs broadcast.Subscribers, chat int64, sub dialog.Subscription) error {
	switch sub.Op {
	case dialog.Unsubscribe:
		if err := subs.Unsubscribe(ctx, chat); err != nil {
			return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
		}
		return nil
	case dialog.Forget:
		if err := subs.Forget(ctx, chat); err != nil {
			return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
		}
		return nil
	case dialog.NoRemind:
		// Active or not, the user stays as they are: /remind off after
		// /stop must not bring the broadcasts back.
		if err := subs.SetRemind(ctx, chat, false); err != nil {
			return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
		}
		return nil
	case dialog.Subscribe, dialog.Remind, dialog.Update:
	default:
		return fmt.Errorf("apply subscription change to chat %d: unknown operation %d", chat, int(sub.Op))
	}
	old, active, found, err := subs.Get(ctx, chat)
	if err != nil {
		return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
	}
	if sub.Op == dialog.Update && !active {
		return nil
	}
	next := broadcast.Subscriber{Chat: chat, Lang: sub.Lang, Level: old.Level, Remind: old.Remind}
	if sub.Checked {
		next.Level = sub.Level
	}
	if sub.Op == dialog.Remind {
		next.Remind = true
	}
	if found && active && next == old {
		return nil
	}
	if err := subs.Subscribe(ctx, next); err != nil {
		return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
	}
	return nil
}
