package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"examdesk"
)

// Lease is the right to poll Telegram, which one poller at a time holds
// among those sharing it (redisstore.PollerLease): Telegram answers 409
// Conflict to one of two getUpdates at once.
type Lease interface {
	// Hold gives owner the lease for ttl, renewing it when owner holds it
	// already, and reports true; while another owner holds it, it reports
	// false and how long that owner's lease has left.
	Hold(ctx context.Context, owner string, ttl time.Duration) (bool, time.Duration, error)
	// Release gives owner's lease up; it does nothing when owner does not
	// hold it.
	Release(ctx context.Context, owner string) error
}

// DefaultLeaseTime is how long the poller lease lasts after it was taken
// or renewed last, for a poller without PollerOptions.LeaseTime.
const DefaultLeaseTime = 5 * time.Second

// errConflict is Telegram's 409: another getUpdates, or a webhook.
var errConflict = errors.New("conflict")

// Conflicted reports whether the last getUpdates answered 409 Conflict
// that this poller's turn does not explain: another process polls with
// the token (one not sharing the lease), or a webhook is set. It is false
// again once a getUpdates succeeds (while it is true, getUpdates waits a
// second at most, so that within seconds of the conflict's end), or the
// poller's turn ends.
func (p *Poller) Conflicted() bool { return p.conflicted.Load() }

// runLeased polls in turns with the other pollers of the lease: it waits
// until it holds the lease, polls while it holds it, renewing it, and
// waits again when another poller took it over; it gives it up when ctx
// is done.
func (p *Poller) runLeased(ctx context.Context) error {
	owner := p.opts.Owner
	if owner == "" {
		owner = rand.Text()
	}
	defer func() {
		p.opts.Metrics.polling(false)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := p.opts.Lease.Release(rctx, owner); err != nil {
			p.opts.Log.Warn("giving the poller lease up failed; another serve takes over when it runs out", "err", err)
		}
	}()
	for {
		since, ok := p.acquire(ctx, owner)
		if !ok {
			return nil
		}
		p.opts.Log.Info("polling Telegram: this serve holds the poller lease")
		p.opts.Metrics.polling(true)
		err := p.whileHeld(ctx, owner, since)
		p.opts.Metrics.polling(false)
		p.conflicted.Store(false)
		if err != nil || ctx.Err() != nil {
			return err
		}
		p.opts.Log.Info("another serve polls Telegram now: this one works the queue and waits for its turn")
	}
}

// acquire waits until owner holds the lease, and returns when it asked
// for it; ok is false when ctx is done first.
func (p *Poller) acquire(ctx context.Context, owner string) (since time.Time, ok bool) {
	ttl := p.opts.LeaseTime
	wait := time.Duration(0)
	for {
		if wait > 0 && examdesk.Sleep(ctx, wait) != nil {
			return time.Time{}, false
		}
		if ctx.Err() != nil {
			return time.Time{}, false
		}
		since = time.Now()
		held, left, err := p.hold(ctx, owner)
		switch {
		case ctx.Err() != nil:
			return time.Time{}, false
		case err != nil:
			p.opts.Metrics.StoreError()
			p.opts.Log.Warn("asking for the poller lease failed", "err", err)
			wait = ttl / 5
		case held:
			return since, true
		default:
			// Ask again when it runs out, or sooner, in case its holder
			// gives it up.
			wait = min(left, ttl/5)
		}
	}
}

// hold asks for the lease, or renews it, within the lease's renewal
// period.
func (p *Poller) hold(ctx context.Context, owner string) (bool, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.LeaseTime/5)
	defer cancel()
	return p.opts.Lease.Hold(ctx, owner, p.opts.LeaseTime)
}

// whileHeld polls while owner holds the lease, taken at since, renewing
// it every fifth of its time. Polling stops when another poller took it
// over, or when it could not be renewed before it would run out.
func (p *Poller) whileHeld(ctx context.Context, owner string, since time.Time) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.owner = owner
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		defer cancel()
		t := time.NewTicker(p.opts.LeaseTime / 5)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			asked := time.Now()
			held, _, err := p.hold(ctx, owner)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				p.opts.Metrics.StoreError()
				if time.Since(since) >= p.opts.LeaseTime*4/5 {
					p.opts.Log.Warn("the poller lease could not be renewed before it runs out: polling stops, so that another serve may take over", "err", err)
					return
				}
				p.opts.Log.Warn("renewing the poller lease failed", "err", err)
			case !held:
				return
			default:
				since = asked
			}
		}
	}()
	err := p.poll(ctx)
	cancel()
	<-renewed
	return err
}

// handover reports whether a 409 is this poller's turn ending (the lease
// is another's now), rather than a conflict with a poller that does not
// share the lease, or a webhook.
func (p *Poller) handover(ctx context.Context) bool {
	if p.opts.Lease == nil {
		return false
	}
	held, _, err := p.hold(ctx, p.owner)
	return err == nil && !held
}

// conflict records a 409 Conflict that is not a handover, err, and says
// what it means.
func (p *Poller) conflict(err error) {
	p.conflicted.Store(true)
	p.opts.Metrics.conflict()
	if strings.Contains(strings.ToLower(err.Error()), "webhook") {
		p.opts.Log.Error("getUpdates: 409 Conflict: a webhook is set for this bot's token (another deployment in webhook mode?), so Telegram gives this serve no updates; "+
			"run every serve of the token in one mode (deleteWebhook to poll)", "err", err)
		return
	}
	p.opts.Log.Error("getUpdates: 409 Conflict: another process polls Telegram with this bot's token, one that does not share this Redis "+
		"(the serves on one Redis poll by turns), so updates are split between them; stop it, or point it at this Redis", "err", err)
}
