package calendar

import (
	"fmt"
	"time"

	"examdesk"
)

// Date is a civil date: a day of the Gregorian calendar, without a time or a
// time zone. The zero Date is no date ("not known yet"); every other Date is
// a real day. Dates compare with ==.
type Date struct {
	y int
	m time.Month
	d int
}

// NewDate returns the date y-m-d, normalized like time.Date: month 13 is
// January of the next year, February 30 is March 1 or 2.
func NewDate(y int, m time.Month, d int) Date {
	return dateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// Today returns the date in China at the instant now, whatever now's
// location.
func Today(now time.Time) Date { return dateOf(now.In(examdesk.China)) }

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO date, YYYY-MM-DD with a four-digit year, like
// 2026-03-14. A string that is not one, or not a day of the calendar
// (2026-02-29), gives an *Error with the key "calendar.error.date".
func ParseDate(s string) (Date, error) {
	bad := &Error{Key: "calendar.error.date", Args: []any{"Value", s}}
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return Date{}, bad
	}
	num := func(s string) int {
		n := 0
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(s[:4]), num(s[5:7]), num(s[8:])
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, bad
	}
	return Date{y, time.Month(m), d}, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// Year returns the year of the date.
func (d Date) Year() int { return d.y }

// Month returns the month of the date.
func (d Date) Month() time.Month { return d.m }

// Day returns the day of the month of the date.
func (d Date) Day() int { return d.d }

// IsZero reports whether d is the zero Date, no date.
func (d Date) IsZero() bool { return d == Date{} }

// time returns noon of d in UTC, for arithmetic.
func (d Date) time() time.Time { return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// Weekend reports whether d is a Saturday or a Sunday.
func (d Date) Weekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// AddDays returns the date n days after d (before d for a negative n).
func (d Date) AddDays(n int) Date { return dateOf(d.time().AddDate(0, 0, n)) }

// AddYears returns the same day n years after d; February 29 becomes
// February 28 in a year that has none.
func (d Date) AddYears(n int) Date {
	y := d.y + n
	return Date{y, d.m, min(d.d, daysIn(y, d.m))}
}

// Sub returns the number of days from e to d: d.Sub(d.AddDays(-3)) is 3.
func (d Date) Sub(e Date) int { return d.days() - e.days() }

// days returns the number of days from 1970-01-01 to d (the civil-from-days
// algorithm of Howard Hinnant, exact for every year).
func (d Date) days() int {
	y, m := d.y, int(d.m)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Compare returns -1 if d is before e, 0 if they are the same day and +1
// if d is after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.y != e.y:
		return cmp(d.y, e.y)
	case d.m != e.m:
		return cmp(int(d.m), int(e.m))
	}
	return cmp(d.d, e.d)
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// String returns d as YYYY-MM-DD, or the empty string for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, int(d.m), d.d)
}

// MarshalText returns d as String does.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a date as ParseDate does; the empty text is the
// zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
