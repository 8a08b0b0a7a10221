package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"examdesk"
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
	// processes, left by a dead one or due again (default 250 ms).
	Poll time.Duration
	// Drain bounds the time to finish the update in hand once shutdown
	// begins (default 8 s).
	Drain time.Duration
	// Heartbeat is how often Run renews the leases of the chats in hand
	// (default 1 s); it must be well within the inbox's lease.
	Heartbeat time.Duration
	// Hold is the longest a worker waits for a message's turn in the
	// chat's pace; a later turn gives the chat up until then, for the
	// worker to go on with other chats (default 250 ms). A part of a
	// picture's answer waits up to PhotoOptions.Hold.
	Hold time.Duration
	// Backoff is the wait before sending a message again after a
	// transient failure, doubling with each further one up to a minute
	// (default 1 s).
	Backoff time.Duration
	// GiveUp is how long a message failing with transient errors is
	// tried again before it is given up, logged at ERROR and counted
	// (default 10 min).
	GiveUp time.Duration

	// Stats, if set, counts what each update does (Stats.Events) and
	// commits it with the update, through Stats.Queue.
	Stats *Stats
}

// Pipeline handles the updates recorded in an inbox: chats in parallel,
// each chat's updates one at a time in update_id order. For each update
// it steps the conversation, commits the new state together with the
// outbox, then sends the outbox, each message at its turn in the chat's
// pace, at least once: a failure of the transport or of the inbox, or the
// end of the process, delays what is owed and never drops it (but for a
// message failing for Options.GiveUp). A message is sent twice only when
// its process died while sending it, or when it failed after the
// transport delivered it.
type Pipeline struct {
	queue     inbox.Queue
	dialog    Stepper
	transport Transport
	opts      Options

	mu   sync.Mutex
	wake chan struct{}
	held map[*inbox.Job]struct{} // the jobs the workers hold, for the heartbeat
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
	if o.Heartbeat <= 0 {
		o.Heartbeat = time.Second
	}
	if o.Hold <= 0 {
		o.Hold = 250 * time.Millisecond
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.GiveUp <= 0 {
		o.GiveUp = 10 * time.Minute
	}
	return &Pipeline{queue: q, dialog: d, transport: t, opts: o, held: map[*inbox.Job]struct{}{}}
}

type noMetrics struct{}

func (noMetrics) Handled(time.Duration) {}
func (noMetrics) StoreError()           {}
func (noMetrics) Deferred(inbox.Cause)  {}
func (noMetrics) GaveUp()               {}

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
// back. Meanwhile it renews the leases of the chats in hand every
// Options.Heartbeat, so that a chat stays with its worker however long a
// send takes, and goes to another process soon after this one dies. A
// failure of the inbox or of the transport delays work and is logged,
// never returned: what is owed stays recorded and is done later. Run
// returns nil once every worker has stopped, or the errors of giving
// leases back at shutdown (the chats then wait for their leases to
// expire).
func (p *Pipeline) Run(ctx context.Context) error {
	errs := make([]error, p.opts.Workers)
	var wg sync.WaitGroup
	for i := range p.opts.Workers {
		wg.Go(func() { errs[i] = p.work(ctx) })
	}
	stop := p.beat(ctx)
	wg.Wait()
	stop()
	return errors.Join(errs...)
}

// beat runs the heartbeat, even once ctx is done, until the returned func
// is called; that func returns once the heartbeat has stopped.
func (p *Pipeline) beat(ctx context.Context) (stop func()) {
	beat, cancel := context.WithCancel(context.WithoutCancel(ctx))
	beating := make(chan struct{})
	go func() {
		defer close(beating)
		p.heartbeat(beat)
	}()
	return func() {
		cancel()
		<-beating
	}
}

// heartbeat renews the leases of the jobs in hand every Heartbeat until
// ctx is done.
func (p *Pipeline) heartbeat(ctx context.Context) {
	t := time.NewTicker(p.opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		jobs := make([]inbox.Job, 0, len(p.held))
		for j := range p.held {
			jobs = append(jobs, *j)
		}
		p.mu.Unlock()
		if len(jobs) == 0 {
			continue
		}
		if err := p.queue.Renew(ctx, jobs); err != nil && ctx.Err() == nil {
			p.opts.Metrics.StoreError()
			p.opts.Log.Warn("renewing the leases of the chats in hand failed", "chats", len(jobs), "err", err)
		}
	}
}

// hold tells the heartbeat of the job a worker holds now (its lease),
// until the returned func is called.
func (p *Pipeline) hold(j *inbox.Job) (release func()) {
	p.mu.Lock()
	p.held[j] = struct{}{}
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.held, j)
		p.mu.Unlock()
	}
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
// adds updates itself and waits for their replies (examdesk chat). A chat
// given up until later (see Options.Hold) is not waited for. The leases
// of the chat in hand are renewed as Run renews them.
func (p *Pipeline) HandleReady(ctx context.Context) error {
	defer p.beat(ctx)()
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
// to, until there is none, or until it gives a chat up until later; at
// shutdown it finishes the job in hand and gives its lease back. After a
// failure it gives the lease back, so that the update is handled again,
// and returns the failure; when the lease was lost it returns an error
// wrapping inbox.ErrLeaseLost, and another holder has the chat.
func (p *Pipeline) serve(ctx context.Context, job inbox.Job) error {
	held := job
	defer p.hold(&held)()
	for {
		// The job in hand is finished even when shutdown begins, within
		// Drain; no deadline before: every call has its own.
		jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		stop := context.AfterFunc(ctx, func() { time.AfterFunc(p.opts.Drain, cancel) })
		done, err := p.handle(ctx, jctx, job)
		end := func() { stop(); cancel() }
		switch {
		case err == nil && done < 0:
			// Given up until later, or lost.
			end()
			return nil
		case err == nil && ctx.Err() != nil:
			err = p.queue.Release(jctx, job, done)
			end()
			if err != nil {
				return &releaseError{fmt.Errorf("give chat %d back at shutdown: %w", job.Chat, err)}
			}
			return nil
		case err != nil:
			end()
			if !errors.Is(err, inbox.ErrLeaseLost) {
				if rerr := p.queue.Release(context.WithoutCancel(ctx), job, done); rerr != nil {
					p.opts.Log.Warn("giving a chat back failed", "chat_id", job.Chat, "err", rerr)
				}
			}
			return &jobError{job.Update.ID, job.Chat, err}
		}
		next, ok, err := p.queue.Next(jctx, job)
		end()
		if err != nil {
			return &jobError{0, job.Chat, err}
		}
		if !ok {
			return nil
		}
		p.mu.Lock()
		held = next
		p.mu.Unlock()
		job = next
	}
}

// handle sends what a previous holder left in the job's outbox, then
// handles the job's update: commit, then send. It returns how many
// entries of the outbox (the job's, or the one committed) are done, or -1
// when the chat was given up until later or its lease lost.
func (p *Pipeline) handle(ctx, jctx context.Context, job inbox.Job) (done int, err error) {
	start := time.Now()
	if len(job.Outbox) > 0 {
		left := turn{wait: job.Turn.Wait, later: job.Turn.Later, tries: job.Tries, failing: job.Failing, at: start}
		if !p.send(ctx, jctx, job, p.decode(job, job.Outbox), left) {
			return -1, nil
		}
	}
	done = len(job.Outbox)
	if job.Update.ID == 0 {
		return done, nil
	}
	entries, first, err := p.commit(jctx, job)
	if err != nil {
		return done, err
	}
	if !p.send(ctx, jctx, job, entries, turn{wait: first.Wait, later: first.Later, at: time.Now()}) {
		return -1, nil
	}
	p.opts.Metrics.Handled(time.Since(start))
	return len(entries), nil
}

// maxConflicts bounds the times a job's update is stepped again when the
// conversation's state changed under it.
const maxConflicts = 5

// commit routes the job's update to the console or the dialog, steps the
// conversation, renders the reply into outbox entries and commits them
// with the new state; when the state changed under the job, it steps
// again from the state stored now. It returns the entries committed and
// the turn of the first message.
func (p *Pipeline) commit(ctx context.Context, job inbox.Job) ([]Entry, inbox.Turn, error) {
	if job.Unreadable {
		p.opts.Log.Warn("dropping an update recorded in a form this release cannot read", "update_id", job.Update.ID, "chat_id", job.Chat)
		_, _, err := p.queue.Commit(ctx, job, job.State, nil)
		return nil, inbox.Turn{}, err
	}
	u := job.Update
	key := examdesk.Key{Chat: u.Chat, User: u.User}
	step, console := p.route(ctx, job)
	st := job.State
	for attempt := 1; ; attempt++ {
		next, r := step(st, u.Input)
		entries := p.outbox(key, u, r)
		out, err := encode(entries)
		if err != nil {
			return nil, inbox.Turn{}, err
		}
		now, first, err := p.commitStep(ctx, job, st, next, r, console, out)
		if errors.Is(err, dialog.ErrConflict) && attempt < maxConflicts {
			st = now
			continue
		}
		if err != nil {
			return nil, inbox.Turn{}, fmt.Errorf("commit: %w", err)
		}
		return entries, first, nil
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
	r, ok, err := c.Handle(ctx, examdesk.Key{Chat: u.Chat, User: u.User}, lang, u.Input)
	if err != nil {
		p.opts.Log.Error("an administrator's command failed", "update_id", u.ID, "chat_id", u.Chat, "err", err)
		r = dialog.Reply{Lang: lang, Messages: []dialog.Message{{Text: dialog.T("error.apology")}}}
	} else if !ok {
		return p.dialog.Step, false
	}
	return func(st dialog.State, _ dialog.Input) (dialog.State, dialog.Reply) { return st, r }, true
}

// outbox renders a reply as outbox entries: the reply's effect on the
// subscription (in a private chat), the answer to the pressed button,
// and, when the user starts or picks a language that the transport's
// menus for everyone do not speak, or is an administrator, a command menu
// for the chat; then the answer to its picture, if any (see Photo), and
// the messages. What comes before the picture's answer and the messages
// is harmless to do twice: a holder's successor does it again, and the
// parts and messages that were not done, the first of them perhaps twice
// (see send). So only a message after another needs its progress
// recorded, and a reply of one message none.
func (p *Pipeline) outbox(key examdesk.Key, u inbox.Update, r dialog.Reply) []Entry {
	private := key.Chat == key.User
	var entries []Entry
	if r.Subscription != nil && p.opts.Subscribers != nil && private {
		entries = append(entries, Entry{Lang: r.Lang, Chat: key.Chat, Subscription: r.Subscription})
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
	entries = append(entries, photoEntries(key.Chat, r)...)
	for _, m := range p.transport.Render(r) {
		entries = append(entries, Entry{Lang: r.Lang, Chat: key.Chat, Message: &m})
	}
	for i := range entries {
		entries[i].Update = u.ID
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

// decode reads what a previous holder left in the outbox; an entry that
// does not decode is dropped (it stays in its place, empty, so that the
// entries keep their numbers).
func (p *Pipeline) decode(job inbox.Job, out [][]byte) []Entry {
	entries := make([]Entry, len(out))
	for i, data := range out {
		if err := json.Unmarshal(data, &entries[i]); err != nil {
			p.opts.Log.Error("dropping an outbox entry that does not decode", "chat_id", job.Chat, "err", err)
			entries[i] = Entry{}
		}
	}
	return entries
}

func nextBackoff(d time.Duration) time.Duration {
	return min(max(2*d, 100*time.Millisecond), 5*time.Second)
}

// idle waits d, or until wake is closed or ctx is done, and reports
// whether it waited d out.
func idle(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
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
