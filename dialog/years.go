package dialog

import "math"

// waitText tells a time still to wait in years and months, 4.75 → "4
// years 9 months", "4年9個月": the months rounded up, so that the time told
// is enough.
func waitText(years float64) Text { return yearsText(years, math.Ceil) }

// saidText tells a number of years the candidate gave in years and months,
// to the nearest month.
func saidText(years float64) Text { return yearsText(years, math.Round) }

// yearsText tells years in years and months, the months rounded by round;
// anything more than 0 is at least a month.
func yearsText(years float64, round func(float64) float64) Text {
	if !(years > 0) || math.IsInf(years, 0) {
		return T("years.zero")
	}
	// A hair under a whole month is that month: 0.1 years is 1.2 months,
	// but 57 months may be 56.99999999999999 after multiplying.
	months := max(1, int(round(years*12-1e-9*years)))
	y, m := months/12, months%12
	yt := T("years.y.other", "N", y)
	if y == 1 {
		yt = T("years.y.one", "N", y)
	}
	mt := T("years.m.other", "N", m)
	if m == 1 {
		mt = T("years.m.one", "N", m)
	}
	switch {
	case m == 0:
		return yt
	case y == 0:
		return mt
	}
	return T("years.ym", "Years", yt, "Months", mt)
}
