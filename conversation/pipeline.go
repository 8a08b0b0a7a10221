package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"examdesk/broadcast"
	"examdesk/dialog"
	"examdesk/inbox"
)

// Options tune a Pipeline; a zero field takes its default.
type Options struct {
	// Console, if set, answers the administrators' commands in their
	// private chats before the dialog sees them.
	Console Console
	// Subscribers, if set, takes the replies' effects on the users'
	// subscriptions (see dialog.Subscription) and is told of a user who
	// blocked the bot. Without it no effect is kept in the outbox.
	Subscribers broadcast.Subscribers
	// Log receives what goes wrong (default: nowhere).
	Log *slog.Logger
	// Metrics, if set, counts what the pipeline does.
	Metrics Metrics
	// Photos, if set, checks the pictures users send, when the transport
	// is one of Files too; without them a picture gets the apology.
	Photos *Photos
	// Workers is how many chats Run handles at once (default 64).
	Workers int
	// Poll is how often Run's idle workers look for work added by other
	// processes or left by a dead one (default 250 ms).
	Poll time.Duration
	// Drain bounds the time to finish the update in hand once shutdown
	// begins (default 8 s).
	Drain time.Duration

	// Stats, if set, counts what each update does (Stats.Events) and
	// commits it with the update, through Stats.Queue.
	Stats *Stats
}

// Pipeline handles the updates recorded in an inbox: chats in parallel,
// each chat's updates one at a time in update_id order. For each update
// it steps the conversation, commits the new state together with the
// outbox, then sends the outbox; a message is never sent twice.
type Pipeline struct {
	queue     inbox.Queue
	dialog    Stepper
	transport Transport
	opts      Options

	mu   sync.Mutex
	wake chan struct{}
}

// New returns a pipeline handling the updates of q with the dialog d,
// talking through t.
func New(q inbox.Queue, d Stepper, t Transport, o Options) *Pipeline {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Drain <= 0 {
		o.Drain = 8 * time.Second
	}
	return &Pipeline{queue: q, dialog: d, transport: t, opts: o}
}

type noMetrics struct{}

func (noMetrics) Handled(time.Duration) {}
func (noMetrics) StoreError()           {}

// Wake tells idle workers that updates were added.
func (p *Pipeline) Wake() {
	p.mu.Lock()
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
	p.mu.Unlock()
}

func (p *Pipeline) woken() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.wake == nil {
		p.wake = make(chan struct{})
	}
	return p.wake
}

// Run handles updates with Options.Workers workers until ctx is done, then
// finishes the update each worker has in hand and gives the chats' leases
// back. A failure of the inbox or of the transport delays work and is
// logged, never returned: the update stays queued and is handled again.
// Run returns nil once every worker has stopped, or the errors of giving
// leases back at shutdown (the chats then wait for their leases to expire).
func (p *Pipeline) Run(ctx context.Context) error {
	errs := make([]error, p.opts.Workers)
	var wg sync.WaitGroup
	for i := range p.opts.Workers {
		wg.Go(func() { errs[i] = p.work(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// work is one worker of Run: it claims a chat, handles it, and claims
// again, until ctx is done.
func (p *Pipeline) work(ctx context.Context) error {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		wake := p.woken()
		job, ok, err := p.queue.Claim(ctx)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			p.opts.Metrics.StoreError()
			p.opts.Log.Error("claiming a chat failed", "err", err)
			backoff = nextBackoff(backoff)
			idle(ctx, backoff, nil)
			continue
		case !ok:
			backoff = 0
			idle(ctx, p.opts.Poll, wake)
			continue
		}
		backoff = 0
		err = p.serve(ctx, job)
		var shutdown *releaseError
		var failed *jobError
		switch {
		case errors.As(err, &shutdown):
			return err
		case errors.Is(err, inbox.ErrLeaseLost):
			// Another holder has the chat.
		case errors.As(err, &failed):
			p.opts.Metrics.StoreError()
			p.opts.Log.Error("handling a chat failed; its updates stay queued", "update_id", failed.update, "chat_id", failed.chat, "err", failed.err)
		}
	}
	return nil
}

// HandleReady handles every chat that has work ready, one at a time, until
// none is left, and returns the first error, if any: for a caller that
// adds updates itself and waits for their replies (examdesk chat).
func (p *Pipeline) HandleReady(ctx context.Context) error {
	for {
		job, ok, err := p.queue.Claim(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := p.serve(ctx, job); err != nil {
			return err
		}
	}
}

// jobError is a failure to handle the update of a job, or to take the
// next job (update 0).
type jobError struct {
	update, chat int64
	err          error
}

func (e *jobError) Error() string {
	if e.update == 0 {
		return fmt.Sprintf("next update after chat %d: %v", e.chat, e.err)
	}
	return fmt.Sprintf("update %d of chat %d: %v", e.update, e.chat, e.err)
}

func (e *jobError) Unwrap() error { return e.err }

// releaseError is a failure to give a lease back at shutdown.
type releaseError struct{ err error }

func (e *releaseError) Error() string { return e.err.Error() }
func (e *releaseError) Unwrap() error { return e.err }

// serve handles the jobs of a claimed chat, and of the chats Next moves on
// to, until there is none; at shutdown it finishes the job in hand and
// gives its lease back. After a failure it gives the lease back, so that
// the update is handled again, and returns the failure; when the lease
// was lost it returns an error wrapping inbox.ErrLeaseLost, and another
// holder has the chat.
func (p *Pipeline) serve(ctx context.Context, job inbox.Job) error {
	for {
		// The job in hand is finished even when shutdown begins (a
		// picture's answer may take longer: see drain).
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.drain(job))
		err := p.handle(jctx, job)
		if err == nil && ctx.Err() != nil {
			err = p.queue.Release(jctx, job)
			cancel()
			if err != nil {
				return &releaseError{fmt.Errorf("give chat %d back at shutdown: %w", job.Chat, err)}
			}
			return nil
		}
		if err != nil {
			cancel()
			if !errors.Is(err, inbox.ErrLeaseLost) {
				if rerr := p.queue.Release(context.WithoutCancel(ctx), job); rerr != nil {
					p.opts.Log.Warn("giving a chat back failed", "chat_id", job.Chat, "err", rerr)
				}
			}
			return &jobError{job.Update.ID, job.Chat, err}
		}
		next, ok, err := p.queue.Next(jctx, job)
		cancel()
		if err != nil {
			return &jobError{0, job.Chat, err}
		}
		if !ok {
			return nil
		}
		job = next
	}
}

// handle sends what a dead holder left in the job's outbox, then handles
// the job's update: commit, then send.
func (p *Pipeline) handle(ctx context.Context, job inbox.Job) error {
	start := time.Now()
	if len(job.Outbox) > 0 {
		p.send(ctx, job, p.decode(job, job.Outbox))
	}
	if job.Update.ID == 0 {
		return nil
	}
	entries, err := p.commit(ctx, job)
	if err != nil {
		return err
	}
	p.send(ctx, job, entries)
	p.opts.Metrics.Handled(time.Since(start))
	return nil
}

// maxConflicts bounds the times a job's update is stepped again when the
// conversation's state changed under it.
const maxConflicts = 5

// commit routes the job's update to the console or the dialog, steps the
// conversation, renders the reply into outbox entries and commits them
// with the new state; when the state changed under the job, it steps
// again from the state stored now. It returns the entries committed.
func (p *Pipeline) commit(ctx context.Context, job inbox.Job) ([]Entry, error) {
	if job.Unreadable {
		p.opts.Log.Warn("dropping an update recorded in a form this release cannot read", "update_id", job.Update.ID, "chat_id", job.Chat)
		_, err := p.queue.Commit(ctx, job, job.State, nil)
		return nil, err
	}
	u := job.Update
	key := dialog.Key{Chat: u.Chat, User: u.User}
	step, console := p.route(ctx, job)
	st := job.State
	for attempt := 1; ; attempt++ {
		next, r := step(st, u.Input)
		entries := p.outbox(key, u, r)
		out, err := encode(entries)
		if err != nil {
			return nil, err
		}
		now, err := p.commitStep(ctx, job, st, next, r, console, out)
		if errors.Is(err, dialog.ErrConflict) && attempt < maxConflicts {
			st = now
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("commit: %w", err)
		}
		return entries, nil
	}
}

// route returns what steps the job's update: the console, for a command
// of an administrator in their private chat (previews, audience counts and
// progress are not for a group to see), else the dialog; console says
// which. The console answers at once, with the conversation as it stands;
// a failure of the console is answered with the apology.
func (p *Pipeline) route(ctx context.Context, job inbox.Job) (step func(dialog.State, dialog.Input) (dialog.State, dialog.Reply), console bool) {
	u := job.Update
	c := p.opts.Console
	// A picture is for the dialog, whoever sends it: the console takes
	// text (a broadcast it waits for must not become a caption).
	if c == nil || u.Chat != u.User || !c.IsAdmin(u.User) || u.Input.Picture != nil {
		return p.dialog.Step, false
	}
	lang := job.State.Lang
	if lang == "" {
		lang = dialog.Language(u.Input.LanguageCode)
	}
	r, ok, err := c.Handle(ctx, dialog.Key{Chat: u.Chat, User: u.User}, lang, u.Input)
	if err != nil {
		p.opts.Log.Error("an administrator's command failed", "update_id", u.ID, "chat_id", u.Chat, "err", err)
		r = dialog.Reply{Lang: lang, Messages: []dialog.Message{{Text: dialog.T("error.apology")}}}
	} else if !ok {
		return p.dialog.Step, false
	}
	return func(st dialog.State, _ dialog.Input) (dialog.State, dialog.Reply) { return st, r }, true
}

// outbox renders a reply as outbox entries: the answer to its picture,
// if any (see Photo), the messages, then the answer
// to the pressed button, then, when the user starts or picks a language
// that the transport's menus for everyone do not speak, or is an
// administrator, a command menu for the chat. Only messages must never be sent twice, so nothing but
// messages follows another message: see send.
//
// The reply's effect on the subscription, in a private chat, comes right
// after the first entry: committed with the state, it is applied by
// whoever sends the outbox, this holder or the successor of one that died
// (which skips only the first entry not recorded as sent, the one that may
// have been in flight), so at least once; applying it again is harmless.
func (p *Pipeline) outbox(key dialog.Key, u inbox.Update, r dialog.Reply) []Entry {
	private := key.Chat == key.User
	entries := photoEntries(key.Chat, r)
	for _, m := range p.transport.Render(r) {
		entries = append(entries, Entry{Lang: r.Lang, Chat: key.Chat, Message: &m})
	}
	if r.Subscription != nil && p.opts.Subscribers != nil && private {
		e := Entry{Lang: r.Lang, Chat: key.Chat, Subscription: r.Subscription}
		entries = slices.Insert(entries, min(1, len(entries)), e)
	}
	if u.Callback != "" {
		entries = append(entries, Entry{Lang: r.Lang, Callback: u.Callback, Notice: p.transport.Notice(r)})
	}
	if private && u.Input.ChoosesLanguage() {
		lang := p.transport.Menu(u.Input.LanguageCode, r.Lang)
		if c := p.opts.Console; c != nil && c.IsAdmin(key.User) {
			// No menu for everyone has an administrator's commands: the
			// transport sets theirs, in every language.
			lang = r.Lang
		}
		if lang != "" {
			entries = append(entries, Entry{Lang: r.Lang, Chat: key.Chat, Menu: lang})
		}
	}
	return entries
}

func encode(entries []Entry) ([][]byte, error) {
	out := make([][]byte, len(entries))
	for i, e := range entries {
		data, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode outbox entry: %w", err)
		}
		out[i] = data
	}
	return out, nil
}

// decode reads what a dead holder left in the outbox; an entry that does
// not decode is dropped.
func (p *Pipeline) decode(job inbox.Job, out [][]byte) []Entry {
	entries := make([]Entry, 0, len(out))
	for _, data := range out {
		var e Entry
		if err := json.Unmarshal(data, &e); err != nil {
			p.opts.Log.Error("dropping an outbox entry that does not decode", "chat_id", job.Chat, "err", err)
			continue
		}
		entries = append(entries, e)
	}
	return entries
}

func nextBackoff(d time.Duration) time.Duration {
	return min(max(2*d, 100*time.Millisecond), 5*time.Second)
}

// idle waits d, or until wake is closed or ctx is done, and reports
// whether it waited d out.
func idle(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-wake:
	case <-ctx.Done():
	}
	return false
}
