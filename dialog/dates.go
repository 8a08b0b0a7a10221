package dialog

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"examdesk/calendar"
)

// CalendarSource gives the exam calendar as it stands, without waiting;
// *calendar.Cache is one.
type CalendarSource interface {
	View() *calendar.View
}

// AnswerArgs gives the arguments of the fixed answer of a topic, the
// message faq.<topic> (a map link, say), nil for none; *faq.Matcher is
// one.
type AnswerArgs interface {
	Args(topic string) map[string]string
}

// DateAnswers answers the FAQ topics about dates from the exam calendar:
// it is the engine's Dates. It is safe for concurrent use.
//
// Each answer tells concrete dates, with their weekday and how many days
// away they are from now (in China's time), then the topic's fixed answer
// (faq.<topic>, with its AnswerArgs), whose facts hold whatever the dates.
// The sessions that
// matter at now are, by topic:
//
//   - registration_time: those whose registration has not closed; the
//     first is told in full (open now, or when it opens);
//   - exam_date: those whose last exam is today or later;
//   - admission_ticket: those whose first exam is after today, with the
//     five working days before it (a window already over is said so until
//     the exam day);
//   - score_review: those whose review deadline is today or later, and
//     those whose scores date is not known yet and whose last exam is less
//     than a year ago or still to come;
//   - retake: those whose scores are published and whose retake year is
//     not over, then the next session open for registration, the one to
//     retake in.
//
// Sessions go by first exam date. The first session of the first three
// topics is told in full, the next ones listed; each session of the last
// two is told in full. With no session that matters, the answer says the
// dates are not announced yet and where the centre publishes them. Dates
// counted in a year whose holidays are not published carry a warning that
// they may shift.
type DateAnswers struct {
	cal  CalendarSource
	args AnswerArgs
}

var _ Dates = (*DateAnswers)(nil)

// NewDateAnswers returns answers from the calendar of cal, followed by the
// fixed answers with the arguments args gives (nil: none).
func NewDateAnswers(cal CalendarSource, args AnswerArgs) *DateAnswers {
	return &DateAnswers{cal: cal, args: args}
}

// fixedAnswer is the fixed answer of topic with its arguments.
func (a *DateAnswers) fixedAnswer(topic string) Text { return topicAnswer(a.args, topic) }

// topicAnswer is the fixed answer of a FAQ topic, the message
// "faq.<topic>", with the arguments args gives for it (map links).
func topicAnswer(args AnswerArgs, topic string) Text {
	var kv []any
	if args != nil {
		values := args.Args(topic)
		for _, name := range slices.Sorted(maps.Keys(values)) {
			kv = append(kv, name, values[name])
		}
	}
	return T("faq."+topic, kv...)
}

// Most sessions an answer tells about beside the first.
const maxLater = 3

// Answer answers topic from the calendar at now; ok is false for a topic
// that is not about dates.
func (a *DateAnswers) Answer(topic string, now time.Time) (t Text, ok bool) {
	v := a.cal.View()
	if v == nil {
		v = &calendar.View{}
	}
	d := &dateAnswer{v: v, today: calendar.Today(now)}
	switch topic {
	case "registration_time":
		d.registration()
	case "exam_date":
		d.exam()
	case "admission_ticket":
		d.ticket()
	case "score_review":
		d.review()
	case "retake":
		d.retake()
	default:
		return Text{}, false
	}
	if len(d.unpublished) > 0 {
		years := make([]any, len(d.unpublished))
		for i, y := range d.unpublished {
			years[i] = y
		}
		d.parts = append(d.parts, T("dates.estimated", "Years", join(years)))
	}
	if d.fixed {
		d.parts = append(d.parts, a.fixedAnswer(topic))
	}
	return T("dates.answer", "Body", d.parts), true
}

// dateAnswer is one answer being built.
type dateAnswer struct {
	v     *calendar.View
	today calendar.Date
	parts Paragraphs
	// unpublished are the years without published holidays that the
	// dates told count working days in.
	unpublished []int
	// fixed is whether the topic's fixed answer follows.
	fixed bool
}

// say adds a paragraph.
func (d *dateAnswer) say(t Text) { d.parts = append(d.parts, t) }

// none says no dates are announced; key is the message that says it.
func (d *dateAnswer) none(key string, fixed bool) {
	d.say(T(key))
	d.fixed = fixed
}

// sessions returns the sessions that matter by keep.
func (d *dateAnswer) sessions(keep func(calendar.Session) bool) []calendar.Session {
	var out []calendar.Session
	for _, s := range d.v.Sessions {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// later lists the sessions after the first, by item.
func (d *dateAnswer) later(ss []calendar.Session, item func(calendar.Session) Text) {
	if len(ss) == 0 {
		return
	}
	items := make([]Text, 0, maxLater)
	for _, s := range ss[:min(len(ss), maxLater)] {
		items = append(items, item(s))
	}
	d.say(T("dates.later", "Items", items))
}

// counted records the unpublished years a window counted in.
func (d *dateAnswer) counted(w calendar.Window) {
	for _, y := range w.Unpublished {
		if !slices.Contains(d.unpublished, y) {
			d.unpublished = append(d.unpublished, y)
			slices.Sort(d.unpublished)
		}
	}
}

func (d *dateAnswer) when(day calendar.Date) Text { return whenText(d.today, day) }

func (d *dateAnswer) registration() {
	ss := d.sessions(func(s calendar.Session) bool { return !s.Closes.Before(d.today) })
	if len(ss) == 0 {
		d.none("dates.none.registration_time", false)
		return
	}
	s := ss[0]
	if d.today.Before(s.Opens) {
		d.say(T("dates.registration.soon", "ID", s.ID, "Opens", DateText(s.Opens), "Closes", DateText(s.Closes),
			"Exam", DateText(s.FirstExam()), "When", d.when(s.Opens)))
	} else {
		d.say(T("dates.registration.open", "ID", s.ID, "Closes", DateText(s.Closes),
			"Exam", DateText(s.FirstExam()), "When", d.when(s.Closes)))
	}
	d.later(ss[1:], func(s calendar.Session) Text {
		return T("dates.later.registration", "ID", s.ID, "Opens", DateText(s.Opens), "Closes", DateText(s.Closes))
	})
	d.fixed = true
}

func (d *dateAnswer) exam() {
	ss := d.sessions(func(s calendar.Session) bool { return !s.LastExam().Before(d.today) })
	if len(ss) == 0 {
		d.none("dates.none.exam_date", false)
		return
	}
	s := ss[0]
	if len(s.Exams) == 1 {
		d.say(T("dates.exam.one", "ID", s.ID, "Date", DateText(s.Exams[0]), "When", d.when(s.Exams[0])))
	} else {
		items := make([]Text, len(s.Exams))
		next := s.LastExam()
		for i, e := range s.Exams {
			items[i] = T("dates.item", "Date", DateText(e))
			if !e.Before(d.today) && e.Before(next) {
				next = e
			}
		}
		d.say(T("dates.exam.many", "ID", s.ID, "Dates", items, "When", d.when(next)))
	}
	d.later(ss[1:], func(s calendar.Session) Text {
		return T("dates.later.exam", "ID", s.ID, "Date", DateText(s.FirstExam()))
	})
	d.fixed = true
}

func (d *dateAnswer) ticket() {
	ss := d.sessions(func(s calendar.Session) bool { return s.FirstExam().After(d.today) })
	if len(ss) == 0 {
		d.none("dates.none", true)
		return
	}
	s := ss[0]
	w := d.v.Derive(s).Ticket
	d.counted(w)
	items := make([]Text, len(w.Days))
	for i, day := range w.Days {
		if d.v.Holidays.Adjusted(day) {
			items[i] = T("dates.item.adjusted", "Date", DateText(day))
		} else {
			items[i] = T("dates.item", "Date", DateText(day))
		}
	}
	var status Text
	switch {
	case d.today.Before(w.From):
		status = T("dates.ticket.soon", "When", d.when(w.From))
	case !d.today.After(w.To):
		status = T("dates.ticket.now", "When", d.when(w.To))
	default:
		status = T("dates.ticket.over")
	}
	d.say(T("dates.ticket", "ID", s.ID, "Exam", DateText(s.FirstExam()), "Days", items, "Status", status))
	d.later(ss[1:], func(s calendar.Session) Text {
		w := d.v.Derive(s).Ticket
		d.counted(w)
		return T("dates.later.ticket", "ID", s.ID, "From", DateText(w.From), "To", DateText(w.To))
	})
	d.fixed = true
}

func (d *dateAnswer) review() {
	yearAgo := d.today.AddYears(-1)
	ss := d.sessions(func(s calendar.Session) bool {
		if s.Scores.IsZero() {
			return !s.LastExam().Before(yearAgo)
		}
		return !d.v.Derive(s).Review.To.Before(d.today)
	})
	if len(ss) == 0 {
		d.none("dates.none", true)
		return
	}
	for _, s := range ss[:min(len(ss), 1+maxLater)] {
		w := d.v.Derive(s).Review
		switch {
		case w.IsZero():
			d.say(T("dates.review.unknown", "ID", s.ID, "Exam", DateText(s.LastExam())))
			continue
		case d.today.Before(s.Scores):
			d.say(T("dates.review.soon", "ID", s.ID, "Scores", DateText(s.Scores), "When", d.when(s.Scores), "Deadline", DateText(w.To)))
		default:
			d.say(T("dates.review.open", "ID", s.ID, "Scores", DateText(s.Scores), "Deadline", DateText(w.To), "When", d.when(w.To)))
		}
		d.counted(w)
	}
	d.fixed = true
}

func (d *dateAnswer) retake() {
	open := d.sessions(func(s calendar.Session) bool {
		return !s.Scores.IsZero() && !s.Scores.After(d.today) && !d.v.Derive(s).Retake.To.Before(d.today)
	})
	next := d.sessions(func(s calendar.Session) bool { return !s.Closes.Before(d.today) })
	if len(open) == 0 && len(next) == 0 {
		d.none("dates.none", true)
		return
	}
	for _, s := range open[:min(len(open), 1+maxLater)] {
		w := d.v.Derive(s).Retake
		d.say(T("dates.retake.open", "ID", s.ID, "Scores", DateText(s.Scores), "Until", DateText(w.To), "When", d.when(w.To)))
	}
	if len(next) > 0 {
		s := next[0]
		d.say(T("dates.retake.next", "ID", s.ID, "Opens", DateText(s.Opens), "Closes", DateText(s.Closes), "Exam", DateText(s.FirstExam())))
	}
	d.fixed = true
}

// DateText is d in the style of the language it is rendered in:
// 2026年10月12日（星期一）, Mon 12 Oct 2026.
func DateText(d calendar.Date) Text {
	return T("dates.date",
		"Y", d.Year(),
		"M", T("dates.month."+strconv.Itoa(int(d.Month()))),
		"D", d.Day(),
		"W", T("dates.weekday."+strconv.Itoa(int(d.Weekday()))))
}

// DatesText is the dates ds one after the other, in the style of the
// language: "Sat 10 Oct 2026, Sun 11 Oct 2026"; the zero Text for none.
func DatesText(ds []calendar.Date) Text {
	if len(ds) == 0 {
		return Text{}
	}
	items := make([]any, len(ds))
	for i, d := range ds {
		items[i] = DateText(d)
	}
	t, _ := join(items).(Text)
	return t
}

// join joins items (Texts, strings or numbers) in the style of the
// language: "a, b, c", "a、b、c".
func join(items []any) any {
	if len(items) == 0 {
		return ""
	}
	out := items[len(items)-1]
	for i := len(items) - 2; i >= 0; i-- {
		out = T("dates.join", "A", items[i], "B", out)
	}
	return out
}

// whenText tells how far day is from today: today, tomorrow, in 3 days,
// yesterday, 3 days ago.
func whenText(today, day calendar.Date) Text {
	switch n := day.Sub(today); {
	case n == 0:
		return T("dates.when.today")
	case n == 1:
		return T("dates.when.tomorrow")
	case n == -1:
		return T("dates.when.yesterday")
	case n < 0:
		return T("dates.when.ago", "N", -n)
	default:
		return T("dates.when.days", "N", n)
	}
}
