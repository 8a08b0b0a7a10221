package conversation

import (
	"context"
	"errors"
	"time"

	"examdesk/broadcast"
	"examdesk/inbox"
)

// applyAttempts bounds the attempts at a subscription effect.
const applyAttempts = 4

// send is the send step: it does what the entries of a job's outbox say,
// in order, once they are committed. Errors are handled here: a user who
// blocked the bot is marked so and gets no more messages (the effects
// are still applied); a message the transport refuses is replaced by the
// apology; anything else, a failed effect too, is logged.
//
// The successor of a holder that dies midway skips the entry after the
// last one recorded as sent, which may have been in flight, and sends the
// rest; so progress is recorded before each message that follows another
// entry (entries may be what such a holder left: the queue counts them
// from the first). Button answers and menus, repeated or skipped, harm
// nobody, and only they follow messages, so a reply of one message and a
// button answer costs no record.
func (p *Pipeline) send(ctx context.Context, job inbox.Job, entries []Entry) {
	blocked := false
	var pic *checked // the picture checked for the entries so far
	for i, e := range entries {
		if e.Subscription != nil {
			p.apply(ctx, job, e)
			continue
		}
		if blocked {
			continue // only subscription effects are left to apply
		}
		if i > 0 && e.Message != nil {
			if err := p.queue.Sent(ctx, job, i); err != nil {
				p.opts.Log.Warn("recording sending progress failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
			}
		}
		switch {
		case e.Callback != "":
			if err := p.transport.Answer(ctx, e.Callback, e.Notice); err != nil {
				p.opts.Log.Debug("answering a button failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
			}
		case e.Menu != "":
			if err := p.transport.SetMenu(ctx, e.Chat, e.Menu); err != nil {
				p.opts.Log.Debug("setting the chat's command menu failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
			}
		case e.Message != nil:
			blocked = p.sendMessage(ctx, job, e)
		case e.Photo != nil:
			blocked = p.photo(ctx, job, i, e, &pic)
		}
	}
}

// sendMessage sends one message; it reports whether the user blocked the
// bot.
func (p *Pipeline) sendMessage(ctx context.Context, job inbox.Job, e Entry) (blocked bool) {
	err := p.transport.Send(ctx, e.Chat, *e.Message)
	switch {
	case errors.Is(err, ErrBlocked):
		p.opts.Log.Info("the user blocked the bot; marking the chat inactive", "chat_id", e.Chat, "update_id", job.Update.ID)
		if subs := p.opts.Subscribers; subs != nil {
			if err := subs.Block(ctx, e.Chat); err != nil {
				p.opts.Metrics.StoreError()
				p.opts.Log.Warn("marking a chat inactive failed", "chat_id", e.Chat, "err", err)
			}
		}
		return true
	case errors.Is(err, ErrRejected):
		if err := p.transport.Apologize(ctx, e.Chat, e.Lang); err != nil {
			p.opts.Log.Warn("sending the apology failed", "chat_id", e.Chat, "update_id", job.Update.ID, "err", err)
		}
	case err != nil:
		p.opts.Log.Warn("sending a message failed", "chat_id", e.Chat, "update_id", job.Update.ID, "err", err)
	}
	return false
}

// apply applies the subscription effect of e. The user has been told it
// is done: a failure is retried a few times before it is given up and
// logged.
func (p *Pipeline) apply(ctx context.Context, job inbox.Job, e Entry) {
	subs := p.opts.Subscribers
	if subs == nil {
		return
	}
	var err error
	for attempt, wait := 1, 100*time.Millisecond; attempt <= applyAttempts; attempt, wait = attempt+1, 2*wait {
		if err = broadcast.Apply(ctx, subs, e.Chat, *e.Subscription); err == nil || attempt == applyAttempts {
			break
		}
		if !idle(ctx, wait, nil) {
			break
		}
	}
	if err != nil {
		p.opts.Metrics.StoreError()
		p.opts.Log.Error("applying a subscription change failed", "chat_id", e.Chat, "update_id", job.Update.ID, "op", e.Subscription.Op.String(), "err", err)
	}
}
