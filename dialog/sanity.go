package dialog

import "examdesk/rules"

// unlikely are the numbers of years above which an answer is questioned
// once: more than 50 years in the occupation, a graduation more than 60
// years ago.
var unlikely = map[rules.Question]float64{
	rules.OccupationYears:       50,
	rules.YearsSinceCertificate: 50,
	rules.YearsSinceGraduation:  60,
}

// doubt checks an answer to the question asked against the other answers
// before it is recorded. A contradiction (more years since the
// certificate than in the occupation) is pointed out, every time; an
// unlikely number is questioned once, and the next answer is taken as
// given. Either way the question is asked again, the answer is not
// recorded, and doubt reports true.
func (c *conv) doubt(v rules.Value) bool {
	ch := c.st.Check
	if t, ok := contradiction(ch.Answers, ch.Asking, v); ok {
		c.say(t)
		c.ask()
		return true
	}
	if limit, ok := unlikely[ch.Asking]; ok && ch.Doubt == nil && v.Number > limit {
		ch.Doubt = &v
		c.say(T("doubt."+string(ch.Asking), "Years", saidText(v.Number)))
		c.ask()
		return true
	}
	return false
}

// contradiction tells why answering q with v contradicts the answers a.
func contradiction(a rules.Answers, q rules.Question, v rules.Value) (Text, bool) {
	switch q {
	case rules.YearsSinceCertificate:
		if work, ok := a[rules.OccupationYears]; ok && v.Number > work.Number {
			return T("sanity.since", "Since", saidText(v.Number), "Work", saidText(work.Number)), true
		}
	case rules.OccupationYears:
		if since, ok := a[rules.YearsSinceCertificate]; ok && since.Number > v.Number {
			return T("sanity.work", "Since", saidText(since.Number), "Work", saidText(v.Number)), true
		}
	}
	return Text{}, false
}
