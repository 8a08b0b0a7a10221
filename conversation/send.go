package conversation

import (
	"context"
	"errors"
	"math"
	"time"

	"examdesk/broadcast"
	"examdesk/dialog"
	"examdesk/inbox"
)

// applyAttempts bounds the attempts at a subscription effect.
const applyAttempts = 4

// maxBackoff bounds the wait before sending a message again after a
// transient failure.
const maxBackoff = time.Minute

// turn is what a holder knows, as of at, of the entries it is to send:
// the wait for the first message's turn (later if the turn was not
// taken), and how many times the first entry failed before (tries) and
// for how long (failing).
type turn struct {
	wait    time.Duration
	later   bool
	tries   int
	failing time.Duration
	at      time.Time
}

// send is the send step: it does what the entries of a job's outbox say,
// in order, once they are committed, each message, and each part of a
// picture's answer that sends something, at its turn. It reports false
// when it gave the chat up until later (a turn further than Options.Hold,
// a message refused for now, a transient failure) or could not go on
// (the lease lost, the inbox failing), leaving what is not done recorded
// for whoever holds the chat next; true when every entry is done.
//
// Errors are handled here: a user who blocked the bot is marked so and
// gets no more messages (the effects are still applied); a message the
// transport refuses is replaced by the apology; a message refused for now
// (429) or failing (5xx, network) is sent again later, the failing one
// for Options.GiveUp at most, then given up, logged and counted. A
// picture whose fetching is refused for now or fails is fetched again
// later likewise.
//
// The successor of a holder that dies midway does again, from the first,
// what was not recorded done: the entries before the first message
// (harmless twice), then the messages from the one that may have been in
// flight. So each message after another takes its turn with Sent, which
// records the one before done; entries may be what such a holder left:
// the queue counts them from the first. The parts of a picture's answer
// are messages like any, but for the first that sends, which takes its
// turn anew once the picture is checked; the successor fetches and checks
// the picture again for those left (see Photo).
func (p *Pipeline) send(ctx, jctx context.Context, job inbox.Job, entries []Entry, t turn) bool {
	blocked := false
	messages := 0
	wait, later, at := t.wait, t.later, t.at // the next message's turn
	var pic *checked                         // the picture checked for the parts so far
	// retake is set when a picture was fetched and checked since the turn
	// in hand was taken: the first part to send takes its turn anew, for
	// the messenger counts the time it is sent, not the time its turn was
	// taken, and a burst's messages must be a second apart from it.
	retake := false
	for i, e := range entries {
		switch {
		case e.Subscription != nil:
			p.apply(jctx, job, e)
			continue
		case blocked:
			continue // only subscription effects are left to apply
		case e.Callback != "":
			if err := p.transport.Answer(jctx, e.Callback, e.Notice); err != nil {
				p.opts.Log.Debug("answering a button failed", "chat_id", job.Chat, "update_id", e.Update, "err", err)
			}
			continue
		case e.Photo != nil:
			if pic == nil || pic.file != e.Photo.File {
				c, err := p.checkPhoto(jctx, job, e)
				if err != nil {
					if p.retry(jctx, job, i, e, err, t) {
						return false
					}
					c = &checked{file: e.Photo.File, problem: dialog.PhotoDownloadFailed()}
				}
				pic = c
				retake = messages == 0
			}
			if !pic.sends(e.Photo.Part) {
				continue
			}
		case e.Menu == "" && e.Message == nil:
			continue // an entry that did not decode
		}
		if e.Message != nil || e.Photo != nil {
			// A part of a picture's answer waits longer in place: the
			// picture checked is in hand, the successor would check it
			// again.
			hold := p.opts.Hold
			if e.Photo != nil && p.opts.Photos != nil {
				hold = max(hold, p.opts.Photos.hold)
			}
			if messages > 0 || retake {
				if retake {
					// Given up until later, this part would have the
					// next holder take a turn, check the picture and take
					// this one again, one further, again and again: it is
					// waited for however far it is (shutdown aside).
					hold = math.MaxInt64
				}
				retake = false
				next, err := p.queue.Sent(jctx, job, i)
				if err != nil {
					p.storeFailed(job, "recording sending progress failed; the chat waits for its lease", err)
					return false
				}
				wait, later, at = next.Wait, next.Later, time.Now()
			}
			messages++
			for later || wait > time.Since(at) {
				left := wait - time.Since(at)
				if left > hold || !idle(ctx, left, nil) {
					return p.giveUp(jctx, job, i, left, inbox.Waiting)
				}
				if !later {
					break
				}
				// The turn was not taken, for it was further than the
				// queue takes turns ahead; it is near now.
				next, err := p.queue.Sent(jctx, job, i)
				if err != nil {
					p.storeFailed(job, "recording sending progress failed; the chat waits for its lease", err)
					return false
				}
				wait, later, at = next.Wait, next.Later, time.Now()
			}
		}
		var err error
		switch {
		case e.Message != nil:
			err = p.sendMessage(jctx, job, e)
		case e.Photo != nil:
			err = p.sendPhoto(jctx, job, e, pic)
		default:
			err = p.transport.SetMenu(jctx, e.Chat, e.Menu)
		}
		switch {
		case err == nil:
		case errors.Is(err, ErrBlocked):
			p.opts.Log.Info("the user blocked the bot; marking the chat inactive", "chat_id", e.Chat, "update_id", e.Update)
			if subs := p.opts.Subscribers; subs != nil {
				if err := subs.Block(jctx, e.Chat); err != nil {
					p.opts.Metrics.StoreError()
					p.opts.Log.Warn("marking a chat inactive failed", "chat_id", e.Chat, "err", err)
				}
			}
			blocked = true
		case errors.Is(err, ErrRejected):
			// A menu, or a message's apology, refused for good: nothing
			// more to do.
			p.opts.Log.Warn("the transport refused an entry for good", "chat_id", job.Chat, "update_id", e.Update, "err", err)
		default:
			if p.retry(jctx, job, i, e, err, t) {
				return false
			}
		}
	}
	return true
}

// sendMessage sends one message; a message the transport refuses is
// replaced by the apology. Its error is the transport's (see Transport).
func (p *Pipeline) sendMessage(ctx context.Context, job inbox.Job, e Entry) error {
	err := p.transport.Send(ctx, e.Chat, *e.Message)
	if errors.Is(err, ErrRejected) {
		p.opts.Log.Warn("the transport refused a message; sending the apology", "chat_id", e.Chat, "update_id", e.Update, "err", err)
		return p.transport.Apologize(ctx, e.Chat, e.Lang)
	}
	return err
}

// retry handles err, a failure of entry i that may not last: a refusal
// for now (a *RetryAfterError) gives the chat up until the transport
// asks; any other failure, until a backoff that doubles with each one,
// or, when the entry has been failing for Options.GiveUp, gives the
// entry up, logged at ERROR and counted. It reports whether it gave the
// chat up (send then reports false); false when the entry is given up
// and send goes on.
func (p *Pipeline) retry(ctx context.Context, job inbox.Job, i int, e Entry, err error, t turn) bool {
	what := "sending"
	if e.Photo != nil && e.Photo.Part == PhotoCheck {
		what = "fetching a picture"
	}
	var refused *RetryAfterError
	if errors.As(err, &refused) {
		p.opts.Log.Info("the transport asks to wait before sending to the chat again", "chat_id", job.Chat, "update_id", e.Update, "retry_after", refused.After)
		p.giveUp(ctx, job, i, refused.After, inbox.Flood)
		return true
	}
	// The failures before count for the first entry only: the one
	// Defer(Failure) left first.
	tries, failing := 0, time.Duration(0)
	if i == 0 && t.tries > 0 {
		tries, failing = t.tries, t.failing+time.Since(t.at)
	}
	if failing >= p.opts.GiveUp {
		p.opts.Metrics.GaveUp()
		msg := "giving a message up: sending it failed again and again"
		if e.Photo != nil {
			msg = "giving a part of a picture's answer up: " + what + " failed again and again"
		}
		p.opts.Log.Error(msg, "chat_id", job.Chat, "update_id", e.Update,
			"tries", tries+1, "failing_for", failing.Round(time.Second).String(), "err", err)
		return false
	}
	p.opts.Log.Warn(what+" failed; trying again later", "chat_id", job.Chat, "update_id", e.Update, "tries", tries+1, "err", err)
	p.giveUp(ctx, job, i, p.backoff(tries), inbox.Failure)
	return true
}

// giveUp gives the chat up until d from now, entry n first, for cause,
// and reports false, for send.
func (p *Pipeline) giveUp(ctx context.Context, job inbox.Job, n int, d time.Duration, cause inbox.Cause) bool {
	p.opts.Metrics.Deferred(cause)
	if err := p.queue.Defer(ctx, job, n, max(d, 0), cause); err != nil {
		p.storeFailed(job, "giving a chat up until later failed; it waits for its lease", err)
	}
	return false
}

// storeFailed logs a failure of the inbox while sending; a lease lost is
// no failure: another holder has the chat.
func (p *Pipeline) storeFailed(job inbox.Job, msg string, err error) {
	if errors.Is(err, inbox.ErrLeaseLost) {
		p.opts.Log.Info("the chat's lease was lost while sending; another holder has it", "chat_id", job.Chat)
		return
	}
	p.opts.Metrics.StoreError()
	p.opts.Log.Warn(msg, "chat_id", job.Chat, "err", err)
}

// backoff is the wait before sending again after tries failures before
// the last.
func (p *Pipeline) backoff(tries int) time.Duration {
	b := p.opts.Backoff
	for range min(tries, 16) {
		b *= 2
	}
	return min(b, maxBackoff)
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
