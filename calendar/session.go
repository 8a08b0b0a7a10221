// Package calendar is the exam calendar of examdesk: civil dates in China's
// time, the working days of mainland China from the holidays the State
// Council publishes (embedded, and extended by administrators), the exam
// sessions administrators enter, and the dates derived from them by the
// centre's notice: the admission-ticket window, the score-review deadline
// and the retake year. Sessions and added years are kept in a Store; a
// Cache holds them in memory for the bot to answer from without waiting.
// It knows nothing of Telegram or Redis.
package calendar

import (
	"slices"
	"strings"
)

// Limits of a session.
const (
	// MaxIDLength is the longest session ID, in bytes.
	MaxIDLength = 16
	// MaxExams is the most exam dates a session has.
	MaxExams = 10
)

// The dates a session may have: a typo in a year (2206) is an error rather
// than a session two centuries away.
var (
	firstDate = Date{2000, 1, 1}
	lastDate  = Date{2099, 12, 31}
)

// Session is an exam session as the centre announces it and an
// administrator enters it: the registration window, the exam dates and,
// once known, the date the scores are published.
type Session struct {
	// ID names the session, like 2027-1: 1 to MaxIDLength lower-case
	// letters, digits and hyphens, starting with a letter or a digit.
	ID string `json:"id"`
	// Opens and Closes are the first and the last day of registration.
	Opens  Date `json:"opens"`
	Closes Date `json:"closes"`
	// Exams are the exam dates, in order, one or more.
	Exams []Date `json:"exams"`
	// Scores is the day the scores are published, zero until known.
	Scores Date `json:"scores,omitzero"`
}

// FirstExam returns the first exam date of s, zero if it has none.
func (s Session) FirstExam() Date {
	if len(s.Exams) == 0 {
		return Date{}
	}
	return s.Exams[0]
}

// LastExam returns the last exam date of s, zero if it has none.
func (s Session) LastExam() Date {
	if len(s.Exams) == 0 {
		return Date{}
	}
	return s.Exams[len(s.Exams)-1]
}

// clone returns a copy of s that shares no memory with it.
func (s Session) clone() Session {
	s.Exams = slices.Clone(s.Exams)
	return s
}

// ValidID checks a session ID; an ID that is not valid is an *Error with
// the key calendar.error.id.
func ValidID(id string) error {
	ok := id != "" && len(id) <= MaxIDLength && id[0] != '-'
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		return errorf("calendar.error.id", "ID", id, "Max", MaxIDLength)
	}
	return nil
}

// Validate checks s: a valid ID, every date set and within 2000–2099, and
// registration opens ≤ registration closes < first exam < … < last exam ≤
// scores (exam dates each once, in order). The error is the first problem
// found, an *Error.
func (s Session) Validate() error {
	if err := ValidID(s.ID); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		d    Date
	}{{"opens", s.Opens}, {"closes", s.Closes}} {
		if f.d.IsZero() {
			return errorf("calendar.error.missing", "Field", f.name)
		}
	}
	switch {
	case len(s.Exams) == 0:
		return errorf("calendar.error.no_exam")
	case len(s.Exams) > MaxExams:
		return errorf("calendar.error.too_many_exams", "Max", MaxExams)
	case slices.Contains(s.Exams, Date{}):
		return errorf("calendar.error.missing", "Field", "exam")
	}
	for _, d := range append([]Date{s.Opens, s.Closes, s.Scores}, s.Exams...) {
		if !d.IsZero() && (d.Before(firstDate) || d.After(lastDate)) {
			return errorf("calendar.error.range", "Value", d.String(), "From", firstDate.String(), "To", lastDate.String())
		}
	}
	if s.Opens.After(s.Closes) {
		return errorf("calendar.error.opens_after_closes", "Opens", s.Opens.String(), "Closes", s.Closes.String())
	}
	if !s.Closes.Before(s.FirstExam()) {
		return errorf("calendar.error.order", "Closes", s.Closes.String(), "Exam", s.FirstExam().String())
	}
	for i := 1; i < len(s.Exams); i++ {
		if !s.Exams[i-1].Before(s.Exams[i]) {
			return errorf("calendar.error.exam_order", "Exam", s.Exams[i-1].String(), "Next", s.Exams[i].String())
		}
	}
	if !s.Scores.IsZero() && s.Scores.Before(s.LastExam()) {
		return errorf("calendar.error.scores_before_exam", "Scores", s.Scores.String(), "Exam", s.LastExam().String())
	}
	return nil
}

// sortSessions sorts sessions by first exam date, then ID.
func sortSessions(ss []Session) {
	slices.SortFunc(ss, func(a, b Session) int {
		if c := a.FirstExam().Compare(b.FirstExam()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// The working days of the centre's notice.
const (
	// TicketDays is how many working days before the exam admission
	// tickets are collected.
	TicketDays = 5
	// ReviewDays is how many working days after the scores are published
	// a review may be asked for.
	ReviewDays = 10
)

// Window is a span of days derived from a session, From and To included.
type Window struct {
	From, To Date
	// Days are the working days of the window, for the admission-ticket
	// window; nil for the others.
	Days []Date
	// Unpublished are the years whose holidays were not published that
	// the computation looked at: the window counts Monday to Friday there,
	// and may shift when they are.
	Unpublished []int
}

// IsZero reports whether w is no window (its dates are not known yet).
func (w Window) IsZero() bool { return w.From.IsZero() }

// Estimated reports whether w counts working days in a year whose holidays
// were not published.
func (w Window) Estimated() bool { return len(w.Unpublished) > 0 }

// Contains reports whether d is within w.
func (w Window) Contains(d Date) bool {
	return !w.IsZero() && !d.Before(w.From) && !d.After(w.To)
}

// Derived are the dates the centre's notice derives from a session.
type Derived struct {
	// Ticket is the admission-ticket window: the TicketDays working days
	// before the first exam, the exam day not counted.
	Ticket Window
	// Review is the score-review window: from the day the scores are
	// published to the ReviewDays-th working day after it (the
	// publication day not counted, the last day included). Zero while the
	// scores date is not known.
	Review Window
	// Retake is the year a passed subject's score is kept for the retake
	// of a failed one: from the day the scores are published to the same
	// date a year later, included. Zero while the scores date is not
	// known. It counts calendar days, so it is never estimated.
	Retake Window
}

// Derive returns the dates derived from s with the working days of h.
func (h *Holidays) Derive(s Session) Derived {
	var d Derived
	if exam := s.FirstExam(); !exam.IsZero() {
		days, unpub := h.Before(exam, TicketDays)
		d.Ticket = Window{From: days[0], To: days[len(days)-1], Days: days, Unpublished: unpub}
	}
	if !s.Scores.IsZero() {
		last, unpub := h.After(s.Scores, ReviewDays)
		d.Review = Window{From: s.Scores, To: last, Unpublished: unpub}
		d.Retake = Window{From: s.Scores, To: s.Scores.AddYears(1)}
	}
	return d
}
