// Package remind reminds the candidates who opted in of the exam
// calendar's dates: three days before registration closes, on the first
// day admission tickets can be collected, and two days before the score
// review closes. Each reminder of a session is queued once, as a
// broadcast with a deterministic ID, so that every serve process may plan
// the same reminders and the queue sends each once, across restarts. It
// knows nothing of Telegram or Redis.
package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/calendar"
)

// Kind is what a reminder is about.
type Kind string

// The kinds of reminder, in the order of a session.
const (
	// RegistrationClosing: registration closes in a few days.
	RegistrationClosing Kind = "registration_closing"
	// TicketsOpen: admission tickets can be collected from today.
	TicketsOpen Kind = "tickets_open"
	// ReviewClosing: score review requests close in a few days.
	ReviewClosing Kind = "review_closing"
)

// When reminders are sent, in days before what they remind of.
const (
	// RegistrationDays is how many days before registration closes its
	// reminder is sent (not before registration opens).
	RegistrationDays = 3
	// ReviewDays is how many days before the score review closes its
	// reminder is sent (not before the scores are published).
	ReviewDays = 2
)

// SendHour is the hour of the day, in China, at which reminders are sent.
const SendHour = 9

// Reminder is one reminder of an exam session.
type Reminder struct {
	Session string
	Kind    Kind
	// At is when it is sent: SendHour in China on its day.
	At time.Time
	// Until is the end of the last day it still applies to (registration's
	// last day, the tickets' last day, the review's last day): a reminder
	// found due after Until is not sent.
	Until time.Time
	// Date is the date it reminds of: the day registration closes, the
	// first day of the ticket window, the last day of the review.
	Date calendar.Date
	// To is the last day of the ticket window, zero for the other kinds.
	To calendar.Date
	// Unpublished are the years whose holidays were not published that
	// its dates were counted in (Monday to Friday only): the reminder
	// says they may shift.
	Unpublished []int
}

// ID is the ID of the reminder's broadcast: "r-<session>-<kind>".
func (r Reminder) ID() string { return "r-" + r.Session + "-" + string(r.Kind) }

// sendTime returns SendHour in China on day d.
func sendTime(d calendar.Date) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), SendHour, 0, 0, 0, examdesk.China)
}

// dayEnd returns the end of day d in China (the start of the next one).
func dayEnd(d calendar.Date) time.Time {
	n := d.AddDays(1)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, examdesk.China)
}

func later(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}

// Plan returns the reminders of session s, whose derived dates are d, in
// the order they are sent: none for what the session does not know yet
// (the review before the scores date is entered).
func Plan(s calendar.Session, d calendar.Derived) []Reminder {
	var out []Reminder
	if !s.Closes.IsZero() {
		day := s.Closes.AddDays(-RegistrationDays)
		if !s.Opens.IsZero() {
			day = later(day, s.Opens)
		}
		out = append(out, Reminder{Session: s.ID, Kind: RegistrationClosing, At: sendTime(day), Until: dayEnd(s.Closes), Date: s.Closes})
	}
	if !d.Ticket.IsZero() {
		out = append(out, Reminder{Session: s.ID, Kind: TicketsOpen, At: sendTime(d.Ticket.From), Until: dayEnd(d.Ticket.To), Date: d.Ticket.From, To: d.Ticket.To, Unpublished: d.Ticket.Unpublished})
	}
	if !d.Review.IsZero() {
		day := later(d.Review.To.AddDays(-ReviewDays), d.Review.From)
		out = append(out, Reminder{Session: s.ID, Kind: ReviewClosing, At: sendTime(day), Until: dayEnd(d.Review.To), Date: d.Review.To, Unpublished: d.Review.Unpublished})
	}
	return out
}

// Due returns the reminders of every session of v that are due at now:
// their time has come and what they remind of has not passed.
func Due(v *calendar.View, now time.Time) []Reminder {
	if v == nil {
		return nil
	}
	var out []Reminder
	for _, s := range v.Sessions {
		for _, r := range Plan(s, v.Derive(s)) {
			if !now.Before(r.At) && now.Before(r.Until) {
				out = append(out, r)
			}
		}
	}
	return out
}

// Translator renders a message of a language with its arguments, as
// locales.Catalog does; the reminder messages are plain text.
type Translator interface {
	Translate(lang, key string, args map[string]string) string
}

// Texts renders the reminder r in every language broadcast speaks, by
// language; "" holds the English text, for any other.
func Texts(tr Translator, r Reminder) map[string]string {
	out := make(map[string]string, len(examdesk.Languages)+1)
	for _, lang := range examdesk.Languages {
		args := map[string]string{"Session": r.Session, "Date": date(tr, lang, r.Date)}
		if !r.To.IsZero() {
			args["To"] = date(tr, lang, r.To)
		}
		out[lang] = tr.Translate(lang, "reminder."+string(r.Kind), args)
		if len(r.Unpublished) > 0 {
			years := make([]string, len(r.Unpublished))
			for i, y := range r.Unpublished {
				years[i] = strconv.Itoa(y)
			}
			out[lang] += "\n\n" + tr.Translate(lang, "reminder.estimated", map[string]string{"Years": strings.Join(years, ", ")})
		}
	}
	out[""] = out[examdesk.English]
	return out
}

// date renders d in lang, with its day of the week.
func date(tr Translator, lang string, d calendar.Date) string {
	return tr.Translate(lang, "reminder.date", map[string]string{
		"Year":    strconv.Itoa(d.Year()),
		"Month":   tr.Translate(lang, "reminder.month."+strconv.Itoa(int(d.Month())), nil),
		"Day":     strconv.Itoa(d.Day()),
		"Weekday": tr.Translate(lang, "reminder.weekday."+strconv.Itoa(int(d.Weekday())), nil),
	})
}

// Scheduler queues the reminders as they fall due, to the subscribers who
// want reminders (Filter{Remind: true}).
type Scheduler struct {
	calendar    func() *calendar.View
	queue       broadcast.Queue
	subscribers broadcast.Subscribers
	messages    Translator
	opts        SchedulerOptions

	mu      sync.Mutex
	created map[string]bool // IDs known to be queued, by this process or another
}

// SchedulerOptions tune a Scheduler; a zero field takes its default.
type SchedulerOptions struct {
	// Log receives what Run queues and what fails (default: nowhere).
	Log *slog.Logger
	// Every is how often Run checks (default DefaultEvery).
	Every time.Duration
	// Now tells the time for Run (default time.Now).
	Now func() time.Time
}

// NewScheduler returns a scheduler of the reminders of the calendar as cal
// returns it as it stands (calendar.Cache.View), queueing them in q to the
// audience subs, rendered with msgs.
func NewScheduler(cal func() *calendar.View, q broadcast.Queue, subs broadcast.Subscribers, msgs Translator, o SchedulerOptions) *Scheduler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Scheduler{calendar: cal, queue: q, subscribers: subs, messages: msgs, opts: o}
}

// Check queues the reminders due at now that are not queued yet, and
// returns the IDs of those it queued. A reminder queued before, by this
// process or any other, is not queued again (Queue.Create is idempotent on
// the ID). It goes on past a reminder it fails to queue, and returns the
// errors joined; the next Check tries that one again.
func (s *Scheduler) Check(ctx context.Context, now time.Time) ([]string, error) {
	var queued []string
	var errs []error
	for _, r := range Due(s.calendar(), now) {
		id := r.ID()
		s.mu.Lock()
		done := s.created[id]
		s.mu.Unlock()
		if done {
			continue
		}
		n := broadcast.Notice{
			ID:     id,
			Texts:  Texts(s.messages, r),
			Filter: broadcast.Filter{Remind: true},
			By:     "remind",
		}
		_, err := s.queue.Create(ctx, n, s.subscribers)
		switch {
		case err == nil:
			queued = append(queued, id)
		case errors.Is(err, broadcast.ErrExists):
		default:
			errs = append(errs, fmt.Errorf("queue reminder %s: %w", id, err))
			continue
		}
		s.mu.Lock()
		if s.created == nil {
			s.created = map[string]bool{}
		}
		s.created[id] = true
		s.mu.Unlock()
	}
	return queued, errors.Join(errs...)
}

// DefaultEvery is how often Run checks by default.
const DefaultEvery = time.Minute

// Run checks at once and then every Every until ctx is done, logging what
// it queues; a reminder it fails to queue is logged and tried again at the
// next check. It returns nil once ctx is done.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Every)
	defer t.Stop()
	for {
		queued, err := s.Check(ctx, s.opts.Now())
		for _, id := range queued {
			s.opts.Log.Info("reminder queued", "broadcast", id)
		}
		if err != nil && ctx.Err() == nil {
			s.opts.Log.Error("queueing reminders failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
