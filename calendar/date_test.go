package calendar_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"examdesk/calendar"
)

func date(y int, m time.Month, d int) calendar.Date { return calendar.NewDate(y, m, d) }

// day parses an ISO date of a test table.
func day(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q) error: %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want calendar.Date // zero: an error
	}{
		{"2026-03-14", date(2026, 3, 14)},
		{"2024-02-29", date(2024, 2, 29)},
		{"0001-01-01", date(1, 1, 1)},
		{"9999-12-31", date(9999, 12, 31)},
		{"2026-02-29", calendar.Date{}},
		{"2026-04-31", calendar.Date{}},
		{"2026-13-01", calendar.Date{}},
		{"2026-00-10", calendar.Date{}},
		{"2026-01-00", calendar.Date{}},
		{"0000-01-01", calendar.Date{}},
		{"2026-3-14", calendar.Date{}},
		{"26-03-14xx", calendar.Date{}},
		{"2026/03/14", calendar.Date{}},
		{"+026-03-14", calendar.Date{}},
		{"2026-03-1a", calendar.Date{}},
		{" 2026-03-14", calendar.Date{}},
		{"", calendar.Date{}},
		{"２０２６-03-14", calendar.Date{}},
	} {
		got, err := calendar.ParseDate(tc.in)
		if tc.want.IsZero() {
			var ce *calendar.Error
			if !errors.As(err, &ce) || ce.Key != "calendar.error.date" {
				t.Errorf("ParseDate(%q) = %v, %v; want a calendar.error.date", tc.in, got, err)
			}
			continue
		}
		if got != tc.want || err != nil {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if s := got.String(); s != tc.in {
			t.Errorf("ParseDate(%q).String() = %q; want %q", tc.in, s, tc.in)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	for _, tc := range []struct {
		d    calendar.Date
		n    int
		want calendar.Date
	}{
		{date(2026, 2, 28), 1, date(2026, 3, 1)},
		{date(2024, 2, 28), 1, date(2024, 2, 29)},
		{date(2026, 12, 31), 1, date(2027, 1, 1)},
		{date(2026, 1, 1), -1, date(2025, 12, 31)},
		{date(2026, 10, 12), -13, date(2026, 9, 29)},
		{date(2000, 1, 1), 36524, date(2099, 12, 31)},
		{date(1, 1, 1), 3652058, date(9999, 12, 31)},
	} {
		if got := tc.d.AddDays(tc.n); got != tc.want {
			t.Errorf("%v.AddDays(%d) = %v; want %v", tc.d, tc.n, got, tc.want)
		}
		if got := tc.want.Sub(tc.d); got != tc.n {
			t.Errorf("%v.Sub(%v) = %d; want %d", tc.want, tc.d, got, tc.n)
		}
	}
	for _, tc := range []struct {
		d, want calendar.Date
	}{
		{date(2026, 5, 29), date(2027, 5, 29)},
		{date(2028, 2, 29), date(2029, 2, 28)},
		{date(2027, 2, 28), date(2028, 2, 28)},
		{date(2026, 12, 31), date(2027, 12, 31)},
	} {
		if got := tc.d.AddYears(1); got != tc.want {
			t.Errorf("%v.AddYears(1) = %v; want %v", tc.d, got, tc.want)
		}
	}
	if got := calendar.NewDate(2026, 2, 30); got != date(2026, 3, 2) {
		t.Errorf("NewDate(2026, 2, 30) = %v; want 2026-03-02", got)
	}
	if got := date(2026, 10, 12).Weekday(); got != time.Monday {
		t.Errorf("2026-10-12 is a %v; want Monday", got)
	}
	a, b := date(2026, 3, 14), date(2026, 3, 15)
	if !a.Before(b) || a.After(b) || b.Before(a) || !b.After(a) || a.Compare(a) != 0 || a.Compare(b) != -1 || b.Compare(a) != 1 {
		t.Errorf("comparing %v and %v is wrong", a, b)
	}
}

func TestToday(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		want calendar.Date
	}{
		{time.Date(2026, 3, 13, 15, 59, 59, 0, time.UTC), date(2026, 3, 13)},
		{time.Date(2026, 3, 13, 16, 0, 0, 0, time.UTC), date(2026, 3, 14)},
		{time.Date(2026, 3, 14, 0, 30, 0, 0, time.FixedZone("X", 9*3600)), date(2026, 3, 13)},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, time.FixedZone("Y", -5*3600)), date(2027, 1, 1)},
	} {
		if got := calendar.Today(tc.now); got != tc.want {
			t.Errorf("Today(%v) = %v; want %v", tc.now, got, tc.want)
		}
	}
}

func TestDateJSON(t *testing.T) {
	type rec struct {
		D calendar.Date `json:"d"`
		Z calendar.Date `json:"z,omitzero"`
	}
	in := rec{D: date(2026, 10, 12)}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"d":"2026-10-12"}` {
		t.Fatalf("json.Marshal(%v) = %s, %v; want {\"d\":\"2026-10-12\"}", in, b, err)
	}
	var out rec
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("json.Unmarshal(%s) = %v, %v; want %v", b, out, err, in)
	}
	for _, bad := range []string{`{"d":"2026-02-30"}`, `{"d":3}`, `{"d":"12 Oct"}`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("json.Unmarshal(%s) = nil; want an error", bad)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-14", "2024-02-29", "9999-12-31", "2026-13-01", "", "0000-00-00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Errorf("ParseDate(%q).String() = %q", s, d.String())
		}
		if got := d.AddDays(1).AddDays(-1); got != d {
			t.Errorf("%v.AddDays(1).AddDays(-1) = %v", d, got)
		}
		if d.AddDays(40).Sub(d) != 40 {
			t.Errorf("%v.AddDays(40).Sub() = %d", d, d.AddDays(40).Sub(d))
		}
	})
}
