package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"examdesk"
)

// Delivery is one recipient of a broadcast, claimed under a lease by one
// worker of one process.
type Delivery struct {
	// ID is the broadcast's.
	ID   string
	Chat int64
	Lang string
	// Attempt counts the calls made for this recipient before, 0 at first.
	Attempt int
	// Lease identifies the claim; Until is when it runs out, after which
	// another worker may claim the recipient.
	Lease string
	Until time.Time
}

// Result is what became of a delivery.
type Result string

// Results of a delivery.
const (
	Sent    Result = "sent"
	Blocked Result = "blocked"
	Failed  Result = "failed"
)

// ErrLeaseLost means a delivery's lease ran out and the recipient may have
// been claimed again: the holder records nothing.
var ErrLeaseLost = errors.New("broadcast: lease on delivery lost")

// Deliveries is the delivery side of the queue, shared by every worker of
// every process (redisstore.Broadcasts implements it).
//
// Claim hands out one pending recipient of a broadcast whose time has
// come and that is not cancelled, under a lease; ok is false when there is
// none. A recipient whose lease ran out (its holder died) is handed out
// again. A broadcast whose recipients are all recorded becomes Done.
//
// Renew extends a delivery's lease (ErrLeaseLost when it ran out and was
// claimed again, or the broadcast was cancelled).
//
// Record records the result of a delivery, with a reason for Failed, once:
// the recipient is no longer pending. Without the lease it returns
// ErrLeaseLost and changes nothing.
//
// Retry gives a delivery back, to be claimed again no sooner than after,
// with the Attempt of d (a caller counting an attempt adds one first).
//
// Notice returns the notice of a broadcast (ErrNotFound when unknown).
type Deliveries interface {
	Claim(ctx context.Context) (d Delivery, ok bool, err error)
	Renew(ctx context.Context, d Delivery) (Delivery, error)
	Record(ctx context.Context, d Delivery, r Result, reason string) error
	Retry(ctx context.Context, d Delivery, after time.Duration) error
	Notice(ctx context.Context, id string) (Notice, error)
}

// Limiter paces the messages of every process sharing it.
//
// Wait returns once the bot may send one message to chat: within the
// global rate and at most one message per second to the chat; the message
// counts as sent. Slow is told of a 429 with retry_after: nobody sends for
// retry_after, and the rate is lowered for a while, then recovers.
type Limiter interface {
	Wait(ctx context.Context, chat int64) error
	Slow(ctx context.Context, retryAfter time.Duration) error
}

// Sender sends one plain-text message. Its errors tell what to do next:
// ErrBlocked (403, the user blocked the bot), a *RetryAfterError (429), a
// *RejectedError (any other 4xx: retrying does not help); anything else is
// transient (network, 5xx) and may be retried.
type Sender interface {
	Send(ctx context.Context, chat int64, text string, paid bool) error
}

// ErrBlocked is a Sender's error when Telegram forbids writing to the
// chat.
var ErrBlocked = errors.New("broadcast: the user blocked the bot")

// RetryAfterError is a Sender's error when Telegram asks to wait (429).
type RetryAfterError struct{ After time.Duration }

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("broadcast: too many requests, retry after %v", e.After)
}

// RejectedError is a Sender's error when Telegram refused the message for
// good (400 and the like), with Telegram's description.
type RejectedError struct{ Reason string }

func (e *RejectedError) Error() string { return "broadcast: message rejected: " + e.Reason }

// CheckText returns ErrEmpty, ErrTooLong or an error for text that is not
// UTF-8; nil when Telegram takes it as a message.
func CheckText(text string) error {
	switch {
	case !utf8.ValidString(text):
		return errors.New("broadcast: text is not UTF-8")
	case len(text) == 0 || isSpace(text):
		return ErrEmpty
	case examdesk.UTF16Len(text) > MaxText:
		return ErrTooLong
	}
	return nil
}

func isSpace(s string) bool {
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f', 0x85, 0xA0, 0x3000:
		default:
			return false
		}
	}
	return true
}

// Deliverer sends the broadcasts of a queue: its workers claim recipients
// one at a time, wait for the limiter, send, and record the result. A
// recipient whose send Telegram accepted is recorded Sent; one who blocked
// the bot is recorded Blocked and made inactive; a message Telegram refuses
// is recorded Failed with its reason; a network error or a 5xx is retried
// with a growing backoff, MaxAttempts calls in all, then recorded Failed.
//
// A recipient is sent to once, except after a process dies: a recipient
// whose message the dead process had in flight (Telegram accepted it, the
// record was not written) is claimed again when its lease runs out and gets
// a second copy. Each worker has at most one message in flight, so a
// process that dies causes at most Workers duplicates. Run renews the
// leases of the recipients in hand every Heartbeat, so that the queue's
// leases can be short: a dead process's recipients go to another soon.
type Deliverer struct {
	queue   Deliveries
	limiter Limiter
	sender  Sender
	opts    DelivererOptions

	mu      sync.Mutex
	notices map[string]Notice
	held    map[*Delivery]struct{} // in hand, for the heartbeat
}

// DelivererOptions tune a Deliverer; a zero field takes its default.
type DelivererOptions struct {
	// Subscribers, if set, is told of users who blocked the bot, and
	// asked before each send whether the recipient still subscribes.
	Subscribers Subscribers
	// Paid sends with allow_paid_broadcast.
	Paid bool
	// Log receives what goes wrong (default: nowhere).
	Log *slog.Logger
	// Workers is how many messages may be in flight at once (default 4).
	Workers int
	// Poll is how often idle workers look for work (default 500 ms).
	Poll time.Duration
	// MaxAttempts bounds the calls for one recipient after transient
	// errors (default 5).
	MaxAttempts int
	// Backoff is the wait before the first retry after a transient error;
	// each further one waits twice as long (default 2 s).
	Backoff time.Duration
	// Recorded, if set, is told of each recipient's outcome once it is
	// recorded (for metrics). It must not block.
	Recorded func(Result)
	// Heartbeat is how often Run renews the leases of the recipients in
	// hand (default 1 s); it must be well within the queue's lease.
	Heartbeat time.Duration
}

// NewDeliverer returns a deliverer of the broadcasts of q, paced by l,
// sending with s.
func NewDeliverer(q Deliveries, l Limiter, s Sender, o DelivererOptions) *Deliverer {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = time.Second
	}
	return &Deliverer{queue: q, limiter: l, sender: s, opts: o, held: map[*Delivery]struct{}{}}
}

// Run delivers until ctx is done, then lets each worker finish the message
// in hand (record it, or give it back) and returns. A failure of the queue
// or of Telegram delays work and is logged, never returned; Run returns
// the failures to record or give back the messages in hand at shutdown,
// whose recipients then wait for their leases to run out.
func (d *Deliverer) Run(ctx context.Context) error {
	errs := make([]error, d.opts.Workers)
	var wg sync.WaitGroup
	for i := range d.opts.Workers {
		wg.Go(func() { errs[i] = d.work(ctx) })
	}
	beat, stop := context.WithCancel(context.WithoutCancel(ctx))
	beating := make(chan struct{})
	go func() {
		defer close(beating)
		d.heartbeat(beat)
	}()
	wg.Wait()
	stop()
	<-beating
	return errors.Join(errs...)
}

// heartbeat renews the leases of the recipients in hand every Heartbeat
// until ctx is done.
func (d *Deliverer) heartbeat(ctx context.Context) {
	t := time.NewTicker(d.opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.mu.Lock()
		held := make([]*Delivery, 0, len(d.held))
		for dl := range d.held {
			held = append(held, dl)
		}
		d.mu.Unlock()
		for _, dl := range held {
			d.mu.Lock()
			cur := *dl
			d.mu.Unlock()
			renewed, err := d.queue.Renew(ctx, cur)
			switch {
			case err == nil:
				d.mu.Lock()
				if dl.Lease == renewed.Lease {
					dl.Until = renewed.Until
				}
				d.mu.Unlock()
			case ctx.Err() == nil && !errors.Is(err, ErrLeaseLost):
				d.opts.Log.Warn("renewing a broadcast recipient's lease failed", "broadcast", cur.ID, "chat_id", cur.Chat, "err", err)
			}
		}
	}
}

// hold tells the heartbeat of the delivery in hand, until the returned
// func is called.
func (d *Deliverer) hold(dl *Delivery) (release func()) {
	d.mu.Lock()
	d.held[dl] = struct{}{}
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		delete(d.held, dl)
		d.mu.Unlock()
	}
}

func (d *Deliverer) work(ctx context.Context) error {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		dl, ok, err := d.queue.Claim(ctx)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			d.opts.Log.Error("claiming a broadcast recipient failed", "err", err)
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			_ = examdesk.Sleep(ctx, backoff)
			continue
		case !ok:
			backoff = 0
			_ = examdesk.Sleep(ctx, d.opts.Poll)
			continue
		}
		backoff = 0
		// The delivery in hand is finished even when shutdown begins,
		// unless it still waits for its turn.
		held := dl
		release := d.hold(&held)
		err = d.deliver(ctx, &held)
		release()
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("broadcast %s to chat %d at shutdown: %w", dl.ID, dl.Chat, err)
		case err != nil:
			d.opts.Log.Error("delivering a broadcast failed", "broadcast", dl.ID, "chat_id", dl.Chat, "err", err)
		}
	}
	return nil
}

// renewBelow is the lease left under which a delivery's lease is renewed
// before sending, when the heartbeat has not (Redis was slow or failing):
// more than a send takes.
const renewBelow = 2 * time.Second

// Unsubscribed is the reason recorded for a recipient who stopped or
// forgot the bot after the broadcast was queued: nothing is sent.
const Unsubscribed = "unsubscribed"

// deliver sends one claimed delivery, held (the heartbeat renews its
// lease), and records what became of it.
func (d *Deliverer) deliver(ctx context.Context, held *Delivery) error {
	d.mu.Lock()
	dl := *held
	d.mu.Unlock()
	n, err := d.notice(ctx, dl.ID)
	if err != nil {
		// Given back at once, for this or another worker to try again.
		if rerr := d.queue.Retry(context.WithoutCancel(ctx), dl, time.Second); rerr != nil && !errors.Is(rerr, ErrLeaseLost) {
			d.opts.Log.Warn("giving a broadcast recipient back failed", "broadcast", dl.ID, "chat_id", dl.Chat, "err", rerr)
		}
		return err
	}
	text := n.Text(dl.Lang)
	if err := CheckText(text); err != nil {
		// Create refuses such notices; one stored by hand still ends.
		return d.record(ctx, dl, Failed, err.Error())
	}
	if d.opts.Subscribers != nil {
		// The audience was taken when the broadcast was queued: a user
		// who has since sent /stop or /forget gets nothing.
		_, active, found, err := d.opts.Subscribers.Get(ctx, dl.Chat)
		if err != nil {
			if rerr := d.queue.Retry(context.WithoutCancel(ctx), dl, time.Second); rerr != nil && !errors.Is(rerr, ErrLeaseLost) {
				d.opts.Log.Warn("giving a broadcast recipient back failed", "broadcast", dl.ID, "chat_id", dl.Chat, "err", rerr)
			}
			return fmt.Errorf("look up subscriber %d: %w", dl.Chat, err)
		}
		if !found || !active {
			return d.record(ctx, dl, Failed, Unsubscribed)
		}
	}
	if err := d.limiter.Wait(ctx, dl.Chat); err != nil {
		// Shutdown, or the limiter failed: give the recipient back, for
		// this or the next process.
		if rerr := d.queue.Retry(context.WithoutCancel(ctx), dl, 0); rerr != nil && !errors.Is(rerr, ErrLeaseLost) {
			return fmt.Errorf("wait for the rate limiter: %w; give the recipient back: %w", err, rerr)
		}
		if ctx.Err() != nil {
			return nil // given back
		}
		return fmt.Errorf("wait for the rate limiter: %w", err)
	}
	// A lease that could run out before the send and its record are done
	// (the heartbeat failing) is renewed first, so that nobody else claims
	// the recipient while the message is in flight.
	d.mu.Lock()
	dl = *held
	d.mu.Unlock()
	if time.Until(dl.Until) < renewBelow {
		if dl, err = d.queue.Renew(ctx, dl); err != nil {
			return fmt.Errorf("renew lease of broadcast %s to chat %d: %w", dl.ID, dl.Chat, err)
		}
	}
	sctx := context.WithoutCancel(ctx)
	err = d.sender.Send(sctx, dl.Chat, text, d.opts.Paid)
	var ra *RetryAfterError
	var rej *RejectedError
	switch {
	case err == nil:
		return d.record(sctx, dl, Sent, "")
	case errors.Is(err, ErrBlocked):
		if d.opts.Subscribers != nil {
			if err := d.opts.Subscribers.Block(sctx, dl.Chat); err != nil {
				d.opts.Log.Warn("marking a subscriber blocked failed", "chat_id", dl.Chat, "err", err)
			}
		}
		return d.record(sctx, dl, Blocked, "blocked by the user")
	case errors.As(err, &rej):
		return d.record(sctx, dl, Failed, rej.Reason)
	case errors.As(err, &ra):
		d.opts.Log.Warn("telegram asks to slow down", "retry_after", ra.After, "chat_id", dl.Chat)
		if err := d.limiter.Slow(sctx, ra.After); err != nil {
			d.opts.Log.Warn("slowing the rate limiter failed", "err", err)
		}
		// Telegram's flood limit is the bot's, not the recipient's: the
		// attempt does not count, so that nobody is missed for it.
		return d.retry(sctx, dl, ra.After, "too many requests", false)
	default:
		d.opts.Log.Warn("sending a broadcast message failed", "broadcast", dl.ID, "chat_id", dl.Chat, "attempt", dl.Attempt+1, "err", err)
		return d.retry(sctx, dl, d.backoff(dl.Attempt), err.Error(), true)
	}
}

// retry gives dl back for a later attempt, or records it Failed when it
// had its attempts; an attempt that is not counted never fails it.
func (d *Deliverer) retry(ctx context.Context, dl Delivery, after time.Duration, reason string, counted bool) error {
	attempts := d.opts.MaxAttempts
	if counted {
		dl.Attempt++
	}
	if dl.Attempt >= attempts {
		return d.record(ctx, dl, Failed, fmt.Sprintf("%d attempts: %s", dl.Attempt, reason))
	}
	if err := d.queue.Retry(ctx, dl, after); err != nil && !errors.Is(err, ErrLeaseLost) {
		return fmt.Errorf("give broadcast %s to chat %d back: %w", dl.ID, dl.Chat, err)
	}
	return nil
}

func (d *Deliverer) backoff(attempt int) time.Duration {
	b := d.opts.Backoff
	for range min(attempt, 10) {
		b *= 2
	}
	return b
}

func (d *Deliverer) record(ctx context.Context, dl Delivery, r Result, reason string) error {
	err := d.queue.Record(ctx, dl, r, reason)
	if errors.Is(err, ErrLeaseLost) {
		d.opts.Log.Warn("a broadcast delivery's lease ran out before its result was recorded", "broadcast", dl.ID, "chat_id", dl.Chat, "result", r)
		return nil
	}
	if err != nil {
		return fmt.Errorf("record broadcast %s to chat %d %s: %w", dl.ID, dl.Chat, r, err)
	}
	if d.opts.Recorded != nil {
		d.opts.Recorded(r)
	}
	return nil
}

// notice returns the notice of broadcast id, read once per process.
func (d *Deliverer) notice(ctx context.Context, id string) (Notice, error) {
	d.mu.Lock()
	n, ok := d.notices[id]
	d.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := d.queue.Notice(ctx, id)
	if err != nil {
		return Notice{}, fmt.Errorf("read broadcast %s: %w", id, err)
	}
	d.mu.Lock()
	if d.notices == nil || len(d.notices) > 1000 {
		d.notices = map[string]Notice{}
	}
	d.notices[id] = n
	d.mu.Unlock()
	return n, nil
}
