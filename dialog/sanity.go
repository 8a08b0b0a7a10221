package dialog

import (
	"math"

	"examdesk/rules"
)

// unlikely are the numbers of years above which an answer is questioned
// once: more than 50 years in the occupation, a graduation more than 60
// years ago.
var unlikely = map[rules.Question]float64{
	rules.OccupationYears:       50,
	rules.YearsSinceCertificate: 50,
	rules.YearsSinceGraduation:  60,
}

// clashing pairs the questions whose answers can contradict each other:
// the years since the certificate cannot exceed the years in the
// occupation.
var clashing = map[rules.Question]rules.Question{
	rules.YearsSinceCertificate: rules.OccupationYears,
	rules.OccupationYears:       rules.YearsSinceCertificate,
}

// doubt checks an answer to the question asked against the other answers
// before it is recorded; upto is the end of its range, as record takes
// it. A contradiction (more years since the certificate than in the
// occupation) is pointed out, every time, and told differently when it
// comes again in a row; an unlikely number is questioned once, and the
// next answer is taken as given. Either way the question is asked again,
// the answer is not recorded, and doubt reports true.
func (c *conv) doubt(v rules.Value, upto float64) bool {
	ch := c.st.Check
	if t, ok := contradiction(ch, v, upto); ok {
		ch.Clashes++
		if ch.Clashes%2 == 0 {
			t.Key += ".again" // never the same prompt twice in a row
		}
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

// contradiction tells why answering the question ch asks with v, up to
// upto, contradicts the answers of ch: the least the years since the
// certificate may be is more than the most the years in the occupation
// may be.
func contradiction(ch *Check, v rules.Value, upto float64) (Text, bool) {
	since := saidRange(v.Number, upto)
	work := since
	switch ch.Asking {
	case rules.YearsSinceCertificate:
		w, ok := ch.Answers[rules.OccupationYears]
		if !ok {
			return Text{}, false
		}
		work = saidRange(w.Number, ch.Upto[rules.OccupationYears])
	case rules.OccupationYears:
		s, ok := ch.Answers[rules.YearsSinceCertificate]
		if !ok {
			return Text{}, false
		}
		since = saidRange(s.Number, ch.Upto[rules.YearsSinceCertificate])
	default:
		return Text{}, false
	}
	if work.allows(since.from) {
		return Text{}, false
	}
	key := "sanity.since"
	if ch.Asking == rules.OccupationYears {
		key = "sanity.work"
	}
	return T(key, "Since", since.said(), "Work", work.said()), true
}

// saidRange is the range of years of an answer from, up to upto as record
// takes it (0 for exact, math.MaxFloat64 as kept for no end).
func saidRange(from, upto float64) yearsRange {
	switch {
	case upto == math.MaxFloat64:
		return yearsRange{from, math.Inf(1)}
	case upto > from:
		return yearsRange{from, upto}
	}
	return yearsRange{from, from}
}

// allows reports whether r allows as many years as n, or more.
func (r yearsRange) allows(n float64) bool {
	if r.to > r.from {
		return n < r.to
	}
	return n <= r.from
}

// said tells r as the candidate gave it: a number of years, or a range.
func (r yearsRange) said() Text {
	switch {
	case math.IsInf(r.to, 1):
		return T("years.over", "N", saidText(r.from))
	case r.to > r.from:
		return T("years.between", "From", saidText(r.from), "To", saidText(r.to))
	}
	return saidText(r.from)
}

// narrow keeps what the answer v to the question just answered, up to
// upto, says: the end of its range, when it is one; and it raises the
// answer it could have contradicted to v, when that answer was a range
// that v falls in (十多年 in all, 15 since the certificate: 15 in all).
// Within the range, every value decides alike.
func (c *conv) narrow(v rules.Value, upto float64) {
	ch := c.st.Check
	q := ch.Asking
	delete(ch.Upto, q)
	if upto > v.Number {
		if ch.Upto == nil {
			ch.Upto = map[rules.Question]float64{}
		}
		ch.Upto[q] = min(upto, math.MaxFloat64)
	}
	switch q {
	case rules.YearsSinceCertificate:
		if w, ok := ch.Answers[rules.OccupationYears]; ok && v.Number > w.Number {
			ch.Answers[rules.OccupationYears] = rules.Value{Number: v.Number}
		}
	case rules.OccupationYears:
		if s, ok := ch.Answers[rules.YearsSinceCertificate]; ok && s.Number > v.Number {
			ch.Answers[q] = rules.Value{Number: s.Number}
		}
	}
}
