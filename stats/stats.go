// Package stats is what examdesk counts of its use, and what administrators
// teach it: per day in China time, the new and active users, the messages,
// the eligibility checks (started, completed, given up, and how far they
// got), the results by highest level and route, the FAQ topics answered,
// the questions it could not answer and the broadcasts' outcomes; the
// texts of the unanswered questions, kept 90 days with who asked them so
// that /forget removes them; and the examples administrators add by giving
// such a question a topic or marking it out of scope. It imports no
// Telegram and no Redis package: handling an update produces an Events,
// which is recorded with the update's commit (conversation.Counter) or by
// a Store, and the Report is what `examdesk stats`, /stats and the
// dashboard show.
package stats

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"examdesk"
)

// DateLayout is how a day is written: "2026-12-05".
const DateLayout = "2006-01-02"

// Day returns the day of t in China, as DateLayout writes it.
func Day(t time.Time) string { return t.In(examdesk.China).Format(DateLayout) }

// Keep is how long the text of an unanswered question is kept after it
// was last asked.
const Keep = 90 * 24 * time.Hour

// ReportQuestions is how many unanswered questions a Report lists.
const ReportQuestions = 20

// MaxDays is the longest report: the daily counts are kept a little longer
// than that.
const MaxDays = 366

// Routes of a result, as rules names them.
const (
	RouteIndividual = "individual"
	RouteTraining   = "training"
)

// OffTopic is the topic of an example that an administrator marked out of
// scope: the bot should refuse questions like it.
const OffTopic = "off_topic"

// Events is what handling one update adds to the statistics. The zero
// Events adds nothing. It holds no user text but Unanswered.
type Events struct {
	// At is when the update was handled; its day in China is the day
	// counted.
	At time.Time
	// User is who sent the update, 0 for none.
	User int64
	// Lang is the user's language (one of examdesk.Languages), kept with an
	// unanswered question as the language of the example it may become.
	Lang string
	// Message is set when the update is a message or a pressed button of
	// User: it counts a message and User as active that day, and as new
	// the first time they are seen.
	Message bool

	// Started is set when a check began (/check, /restart, the check
	// button).
	Started bool
	// Reached are the questions of the check that were asked anew
	// (not asked again after another message).
	Reached []string
	// Answered are the questions of the check answered.
	Answered []string
	// Completed is set when a check gave its result, Result.
	Completed bool
	Result    Result
	// Abandoned is the question an unfinished check was waiting for when
	// it was given up (/cancel, or begun again), "" for none.
	Abandoned string

	// Topics are the FAQ topics answered.
	Topics []string
	// Unanswered is the text of a question the bot did not answer from a
	// topic (it did not know, or it is not in the notice; small talk is
	// not a question). It counts a don't-know; its text is kept for Keep.
	Unanswered string

	// Sent, Blocked and Failed count broadcast messages by outcome.
	Sent, Blocked, Failed int
}

// Result is the outcome of a check: the highest eligible level, 1–4, 0 for
// none, and the route of that level, "" for none.
type Result struct {
	Level examdesk.Level
	Route string
}

// Empty reports whether ev counts nothing.
func (ev Events) Empty() bool {
	return !ev.Message && !ev.Started && len(ev.Reached) == 0 && len(ev.Answered) == 0 &&
		!ev.Completed && ev.Abandoned == "" && len(ev.Topics) == 0 && ev.Unanswered == "" &&
		ev.Sent == 0 && ev.Blocked == 0 && ev.Failed == 0
}

// name is what a question or topic id may be: it becomes part of a field
// name.
var name = regexp.MustCompile(`^[a-z0-9_.]{1,64}$`)

// ErrInvalid is wrapped by the error of Events.Validate.
var ErrInvalid = errors.New("stats: invalid events")

// Validate reports what in ev cannot be recorded: a question or topic id
// that is not lower-case letters, digits, "_" and ".", a level outside
// 0–4, an unknown route, negative counts.
func (ev Events) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if ev.At.IsZero() && !ev.Empty() {
		return bad("no time")
	}
	for _, list := range [][]string{ev.Reached, ev.Answered, ev.Topics} {
		for _, id := range list {
			if !name.MatchString(id) {
				return bad("id %q", id)
			}
		}
	}
	if ev.Abandoned != "" && !name.MatchString(ev.Abandoned) {
		return bad("abandoned question %q", ev.Abandoned)
	}
	if ev.Completed {
		if ev.Result.Level < 0 || ev.Result.Level > 4 {
			return bad("level %d", ev.Result.Level)
		}
		switch {
		case ev.Result.Level == 0 && ev.Result.Route != "":
			return bad("route %q without a level", ev.Result.Route)
		case ev.Result.Level > 0 && ev.Result.Route != RouteIndividual && ev.Result.Route != RouteTraining:
			return bad("route %q", ev.Result.Route)
		}
	}
	if ev.Sent < 0 || ev.Blocked < 0 || ev.Failed < 0 {
		return bad("negative broadcast counts")
	}
	if ev.Unanswered != "" && ev.User == 0 {
		return bad("an unanswered question without its user")
	}
	return nil
}

// Question is an unanswered question as kept: its text normalized
// (Normalize), the same for everyone who asked it.
type Question struct {
	// ID names the question: Normalize's text hashed (QuestionID).
	ID   string `json:"-"`
	Text string `json:"text"`
	// Count is how many times it was asked while kept; Users by how many
	// users.
	Count int `json:"count"`
	Users int `json:"-"`
	// Last is the day it was last asked.
	Last string `json:"last"`
	// Lang is the language of the example it would become.
	Lang string `json:"-"`
}

// Example is a question an administrator gave a topic (or OffTopic).
type Example struct {
	// Seq numbers the examples in the order they were added, from 1.
	Seq   int64
	Text  string
	Lang  string
	Topic string
	// By is who added it: "tg:<user id>".
	By string
	At time.Time
	// Count is how many times the question had been asked.
	Count int
}

// Errors of a Store.
var (
	// ErrNotFound: no such unanswered question (it was taught already,
	// forgotten, or it expired).
	ErrNotFound = errors.New("stats: no such unanswered question")
	// ErrTopic: a topic that is not a topic id.
	ErrTopic = errors.New("stats: not a topic")
)

// Recorder records the events of updates.
type Recorder interface {
	// Record adds ev, which must Validate, to the counts: the day of
	// ev.At, the funnel, the results, the topics, the unanswered question
	// and its asker. A question already taught is counted as a
	// don't-know but not listed again. Recording the same Events twice
	// counts them twice.
	Record(ctx context.Context, ev Events) error
}

// Reporter reads the counts.
type Reporter interface {
	// Report returns the last days days (1 to MaxDays) up to and
	// including now's day in China.
	Report(ctx context.Context, days int, now time.Time) (Report, error)
}

// Teacher lists the unanswered questions and takes what administrators
// teach.
type Teacher interface {
	// Unanswered returns up to n questions still unanswered, last asked
	// on since's day in China or later, the most asked first (then the
	// most recent, then by text).
	Unanswered(ctx context.Context, n int, since time.Time) ([]Question, error)
	// Question returns the unanswered question id; ErrNotFound when it is
	// not (or no longer) kept.
	Question(ctx context.Context, id string) (Question, error)
	// Teach makes the unanswered question id an example of topic (a
	// topic id, or OffTopic) added by by at at, takes it off the
	// unanswered list, and returns the example. ErrNotFound when there is
	// no such question, ErrTopic for a topic that is not an id; either
	// way nothing changes.
	Teach(ctx context.Context, id, topic, by string, at time.Time) (Example, error)
	// Examples returns every example added, in the order added, and the
	// version of the list.
	Examples(ctx context.Context) ([]Example, int64, error)
	// ExamplesVersion returns the version of the list of examples, which
	// changes whenever an example is added: a serve polls it to learn of
	// new ones.
	ExamplesVersion(ctx context.Context) (int64, error)
}

// Store keeps the statistics. Implementations are safe for concurrent
// use; a method that fails changes nothing.
type Store interface {
	Recorder
	Reporter
	Teacher
	// Forget removes what is kept of user: their share of the unanswered
	// questions (a question only they asked is deleted, text and all)
	// and the day they were last seen. The counts, which name nobody,
	// stay.
	Forget(ctx context.Context, user int64) error
}

// CheckDays checks the number of days of a report.
func CheckDays(days int) error {
	if days < 1 || days > MaxDays {
		return fmt.Errorf("stats: %d days: want 1 to %d", days, MaxDays)
	}
	return nil
}

// Dates returns the days days up to and including now's day in China,
// oldest first.
func Dates(days int, now time.Time) []string {
	today := now.In(examdesk.China)
	y, m, d := today.Date()
	out := make([]string, days)
	for i := range days {
		out[i] = time.Date(y, m, d-(days-1-i), 12, 0, 0, 0, examdesk.China).Format(DateLayout)
	}
	return out
}
