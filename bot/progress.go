package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"examdesk"
	"examdesk/admin"
	"examdesk/broadcast"
	"examdesk/dialog"
)

// Watches keeps, for every broadcast whose notice names a Watch chat, its
// progress message and who may edit it, shared by every serve process.
//
// Claim gives owner the right to edit broadcast id's progress message for
// ttl, renewing it when owner holds it already; it reports false while
// another owner holds it. Message returns the id of the progress message
// (0 when none was sent yet) and whether its final edit was made.
// SetMessage records the message's id; End records the final edit.
// Release gives owner's claim up, so that another process takes over at
// once; it does nothing when owner does not hold it.
type Watches interface {
	Claim(ctx context.Context, id, owner string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, id, owner string) error
	Message(ctx context.Context, id string) (msg int, ended bool, err error)
	SetMessage(ctx context.Context, id string, msg int) error
	End(ctx context.Context, id string) error
}

// Progress keeps one progress message in the Watch chat of each broadcast
// that has one (the administrator who queued it): sent once the broadcast
// is queued, then edited in place every Every while it is queued or
// sending (sent, blocked, failed, remaining and the time left at the
// recent rate), with a button to cancel it, and a last time when it is
// done or cancelled. One process at a time edits a broadcast's message;
// its id is kept in Watches, so that after a restart, or when another
// process takes over, the same message is edited rather than a new one
// sent. Broadcasts that ended over Recent ago are left alone.
type Progress struct {
	queue   broadcast.Queue
	watches Watches
	sender  *Sender
	tr      dialog.Translator
	opts    ProgressOptions

	owner   string
	watched map[string]*watched
}

// ProgressOptions tune a Progress; a zero field takes its default.
type ProgressOptions struct {
	// Log receives what goes wrong (default: nowhere).
	Log *slog.Logger
	// Every is how often the messages are brought up to date (default
	// 2 s).
	Every time.Duration
	// Recent bounds how long after a broadcast ended its final edit is
	// still made (default 1 h).
	Recent time.Duration
	// Scan is how many of the most recent broadcasts are looked at
	// (default 50).
	Scan int
	// Now tells the time (default time.Now).
	Now func() time.Time
}

// NewProgress returns the progress messages of the broadcasts of q, kept
// in w, sent with s and rendered with tr.
func NewProgress(q broadcast.Queue, w Watches, s *Sender, tr dialog.Translator, o ProgressOptions) *Progress {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Every <= 0 {
		o.Every = 2 * time.Second
	}
	if o.Recent <= 0 {
		o.Recent = time.Hour
	}
	if o.Scan <= 0 {
		o.Scan = 50
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Progress{queue: q, watches: w, sender: s, tr: tr, opts: o, owner: rand.Text(), watched: map[string]*watched{}}
}

// watched is what a process remembers of a broadcast between ticks.
type watched struct {
	chat    int64 // the Watch chat; 0 when the broadcast has none
	lang    string
	msg     int    // the progress message; 0 when unknown
	last    string // the text last sent or edited in, "" when unknown
	ended   bool   // the final edit was made
	held    bool   // this process holds the claim
	samples []sample
}

// sample is how many recipients a broadcast had been through at a time.
type sample struct {
	at   time.Time
	done int
}

// settle is how long after its creation a broadcast's first progress
// message waits.
const settle = time.Second

// updateTimeout bounds the update of one progress message.
const updateTimeout = 5 * time.Second

// window is how far back the rate is measured.
const window = 30 * time.Second

// Run brings the progress messages up to date every Every until ctx is
// done, then gives its claims up. A failed update is logged and tried
// again at the next tick; Run returns the failures to give claims up at
// shutdown (another process then waits for them to run out).
func (p *Progress) Run(ctx context.Context) error {
	t := time.NewTicker(p.opts.Every)
	defer t.Stop()
	for {
		if err := p.Tick(ctx); err != nil && ctx.Err() == nil {
			p.opts.Log.Warn("updating broadcast progress failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return p.release(context.WithoutCancel(ctx))
		case <-t.C:
		}
	}
}

// release gives up the claims this process holds.
func (p *Progress) release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var errs []error
	for id, w := range p.watched {
		if !w.held {
			continue
		}
		if err := p.watches.Release(ctx, id, p.owner); err != nil {
			errs = append(errs, fmt.Errorf("give up the progress message of %s: %w", id, err))
		}
		w.held = false
	}
	return errors.Join(errs...)
}

// Tick brings the progress message of every watched broadcast up to date
// once. It is not safe for concurrent use: Run calls it.
func (p *Progress) Tick(ctx context.Context) error {
	list, err := p.queue.List(ctx, p.opts.Scan)
	if err != nil {
		return fmt.Errorf("progress: list broadcasts: %w", err)
	}
	now := p.opts.Now()
	keep := make(map[string]*watched, len(list))
	var errs []error
	for _, st := range list {
		w := p.watched[st.ID]
		if w == nil {
			w = &watched{}
		}
		keep[st.ID] = w
		final := st.State == broadcast.Done || st.State == broadcast.Cancelled
		if ctx.Err() != nil || w.ended || (final && (st.Finished.IsZero() || now.Sub(st.Finished) > p.opts.Recent)) {
			continue
		}
		// A message sent is recorded even when ctx ends meanwhile: its
		// id must not be lost.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), updateTimeout)
		err := p.update(uctx, st, w, final, now)
		cancel()
		if err != nil {
			errs = append(errs, err)
		}
	}
	p.watched = keep
	return errors.Join(errs...)
}

// update brings the progress message of the broadcast st up to date.
func (p *Progress) update(ctx context.Context, st broadcast.Status, w *watched, final bool, now time.Time) error {
	if w.lang == "" {
		_, n, err := p.queue.Status(ctx, st.ID)
		if err != nil {
			return fmt.Errorf("progress of %s: %w", st.ID, err)
		}
		w.chat, w.lang = n.Watch, n.WatchLang
		if w.lang == "" {
			w.lang = examdesk.Languages[0]
		}
	}
	if w.chat == 0 {
		return nil
	}
	ok, err := p.watches.Claim(ctx, st.ID, p.owner, 5*p.opts.Every)
	if err != nil {
		return fmt.Errorf("progress of %s: claim: %w", st.ID, err)
	}
	w.held = ok
	if !ok {
		w.msg, w.last, w.samples = 0, "", nil // another process edits it
		return nil
	}
	if w.msg == 0 {
		msg, ended, err := p.watches.Message(ctx, st.ID)
		if err != nil {
			return fmt.Errorf("progress of %s: %w", st.ID, err)
		}
		if ended {
			w.ended = true
			return nil
		}
		w.msg = msg
	}
	w.samples = append(w.samples, sample{at: now, done: st.Sent + st.Blocked + st.Failed})
	for len(w.samples) > 2 && now.Sub(w.samples[1].at) >= window {
		w.samples = w.samples[1:]
	}
	o := p.render(st, w, final, now)
	switch err := p.show(ctx, st, w, o, final, now); {
	case errors.Is(err, ErrBlocked):
		// The administrator blocked the bot: nobody is watching any more.
		p.opts.Log.Info("the chat watching a broadcast blocked the bot; its progress is no longer shown", "id", st.ID, "chat_id", w.chat)
		final = true
	case err != nil:
		return fmt.Errorf("progress of %s: %w", st.ID, err)
	}
	if final {
		if err := p.watches.End(ctx, st.ID); err != nil {
			return fmt.Errorf("progress of %s: %w", st.ID, err)
		}
		w.ended = true
	}
	return nil
}

// show sends or edits the progress message o, as due.
func (p *Progress) show(ctx context.Context, st broadcast.Status, w *watched, o Outgoing, final bool, now time.Time) error {
	switch {
	case w.msg == 0 && !final && now.Sub(st.Created) < settle:
		// Let the answer to the confirmation, which announces this
		// message, arrive first.
		return nil
	case w.msg == 0:
		return p.send(ctx, st.ID, w, o)
	case o.Text != w.last || final:
		err := p.sender.Edit(ctx, w.chat, w.msg, o)
		if errors.Is(err, ErrUneditable) {
			// The administrator deleted it: a new one takes its place.
			return p.send(ctx, st.ID, w, o)
		}
		if err != nil {
			return err
		}
		w.last = o.Text
	}
	return nil
}

// send sends a new progress message and records it.
func (p *Progress) send(ctx context.Context, id string, w *watched, o Outgoing) error {
	msg, err := p.sender.SendMessage(ctx, w.chat, o)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if err := p.watches.SetMessage(ctx, id, msg); err != nil {
		return err
	}
	w.msg, w.last = msg, o.Text
	return nil
}

// render makes the progress message of st.
func (p *Progress) render(st broadcast.Status, w *watched, final bool, now time.Time) Outgoing {
	var line dialog.Text
	switch {
	case final:
		line = dialog.T("admin.progress.ended", "Time", st.Finished.In(examdesk.China).Format(admin.TimeLayout))
	case st.State == broadcast.Queued && st.At.After(now):
		line = dialog.T("admin.progress.starts", "Time", st.At.In(examdesk.China).Format(admin.TimeLayout))
	default:
		line = dialog.T("admin.progress.estimating")
		if left, ok := timeLeft(w.samples, st.Pending); ok {
			line = dialog.T("admin.progress.eta", "Left", duration(left))
		}
	}
	m := dialog.Message{Text: dialog.T("admin.progress",
		"ID", st.ID, "State", admin.StateName(st.State), "Time", line,
		"Sent", st.Sent, "Total", st.Total, "Blocked", st.Blocked, "Failed", st.Failed, "Pending", st.Pending)}
	if !final {
		m.Options = []dialog.Option{{Label: dialog.T("admin.button.stop"), Value: admin.CancelValue(st.ID)}}
	}
	out := Render(p.tr, dialog.Reply{Lang: w.lang, Messages: []dialog.Message{m}})
	if len(out) == 0 {
		return Outgoing{}
	}
	return out[len(out)-1]
}

// timeLeft estimates the time to go through pending recipients at the rate
// of the samples; ok is false while there is no rate to go by.
func timeLeft(samples []sample, pending int) (time.Duration, bool) {
	if pending == 0 {
		return 0, true
	}
	if len(samples) < 2 {
		return 0, false
	}
	first, last := samples[0], samples[len(samples)-1]
	dt := last.at.Sub(first.at)
	if dt < time.Second || last.done <= first.done {
		return 0, false
	}
	rate := float64(last.done-first.done) / dt.Seconds()
	return time.Duration(float64(pending) / rate * float64(time.Second)), true
}

// duration says d roughly: seconds under a minute, minutes under an hour
// (both rounded up), else hours and minutes.
func duration(d time.Duration) dialog.Text {
	switch {
	case d < time.Minute:
		return dialog.T("admin.duration.seconds", "N", int(math.Ceil(d.Seconds())))
	case d < time.Hour:
		return dialog.T("admin.duration.minutes", "N", int(math.Ceil(d.Minutes())))
	}
	m := int(d.Round(time.Minute).Minutes())
	return dialog.T("admin.duration.hours", "H", m/60, "M", m%60)
}
