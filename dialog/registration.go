package dialog

import (
	"time"

	"examdesk/calendar"
)

var _ Registration = (*DateAnswers)(nil)

// Registration tells the registration window of the first session whose
// registration has not closed at now, as the registration_time answer
// tells it; ok is false when there is none.
func (a *DateAnswers) Registration(now time.Time) (Text, bool) {
	v := a.cal.View()
	if v == nil {
		return Text{}, false
	}
	d := &dateAnswer{v: v, today: calendar.Today(now)}
	for _, s := range v.Sessions {
		switch {
		case s.Closes.Before(d.today):
			continue
		case d.today.Before(s.Opens):
			return T("dates.registration.soon", "ID", s.ID, "Opens", DateText(s.Opens), "Closes", DateText(s.Closes),
				"Exam", DateText(s.FirstExam()), "When", d.when(s.Opens)), true
		}
		return T("dates.registration.open", "ID", s.ID, "Closes", DateText(s.Closes),
			"Exam", DateText(s.FirstExam()), "When", d.when(s.Closes)), true
	}
	return Text{}, false
}
