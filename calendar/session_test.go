package calendar_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"examdesk/calendar"
)

// days parses ISO dates separated by spaces.
func days(t testing.TB, s string) []calendar.Date {
	t.Helper()
	var out []calendar.Date
	for f := range strings.FieldsSeq(s) {
		out = append(out, day(t, f))
	}
	return out
}

func TestValidate(t *testing.T) {
	good := calendar.Session{ID: "2026-2", Opens: date(2026, 8, 3), Closes: date(2026, 8, 14), Exams: days(t, "2026-10-12 2026-10-13"), Scores: date(2026, 11, 20)}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(%v) = %v; want nil", good, err)
	}
	for _, tc := range []struct {
		name string
		edit func(s *calendar.Session)
		key  string
		args []any
	}{
		{"no ID", func(s *calendar.Session) { s.ID = "" }, "calendar.error.id", []any{"ID", "", "Max", 16}},
		{"ID too long", func(s *calendar.Session) { s.ID = "2026-autumn-extra" }, "calendar.error.id", []any{"ID", "2026-autumn-extra", "Max", 16}},
		{"ID upper case", func(s *calendar.Session) { s.ID = "2026-A" }, "calendar.error.id", []any{"ID", "2026-A", "Max", 16}},
		{"ID with a space", func(s *calendar.Session) { s.ID = "2026 2" }, "calendar.error.id", []any{"ID", "2026 2", "Max", 16}},
		{"ID starting with a hyphen", func(s *calendar.Session) { s.ID = "-2" }, "calendar.error.id", []any{"ID", "-2", "Max", 16}},
		{"ID not ASCII", func(s *calendar.Session) { s.ID = "二〇二六" }, "calendar.error.id", []any{"ID", "二〇二六", "Max", 16}},
		{"no opens", func(s *calendar.Session) { s.Opens = calendar.Date{} }, "calendar.error.missing", []any{"Field", "opens"}},
		{"no closes", func(s *calendar.Session) { s.Closes = calendar.Date{} }, "calendar.error.missing", []any{"Field", "closes"}},
		{"no exam", func(s *calendar.Session) { s.Exams = nil }, "calendar.error.no_exam", nil},
		{"zero exam", func(s *calendar.Session) { s.Exams[1] = calendar.Date{} }, "calendar.error.missing", []any{"Field", "exam"}},
		{"too many exams", func(s *calendar.Session) {
			for i := range 10 {
				s.Exams = append(s.Exams, date(2026, 10, 14+i))
			}
		}, "calendar.error.too_many_exams", []any{"Max", 10}},
		{"out of range", func(s *calendar.Session) { s.Scores = date(2206, 11, 20) }, "calendar.error.range", []any{"Value", "2206-11-20", "From", "2000-01-01", "To", "2099-12-31"}},
		{"before 2000", func(s *calendar.Session) { s.Opens = date(1999, 12, 31) }, "calendar.error.range", []any{"Value", "1999-12-31", "From", "2000-01-01", "To", "2099-12-31"}},
		{"opens after closes", func(s *calendar.Session) { s.Opens = date(2026, 8, 15) }, "calendar.error.opens_after_closes", []any{"Opens", "2026-08-15", "Closes", "2026-08-14"}},
		{"closes on the exam day", func(s *calendar.Session) { s.Closes = date(2026, 10, 12) }, "calendar.error.order", []any{"Closes", "2026-10-12", "Exam", "2026-10-12"}},
		{"closes after the exam", func(s *calendar.Session) { s.Closes = date(2026, 10, 20) }, "calendar.error.order", []any{"Closes", "2026-10-20", "Exam", "2026-10-12"}},
		{"exams out of order", func(s *calendar.Session) { s.Exams = days(t, "2026-10-13 2026-10-12") }, "calendar.error.exam_order", []any{"Exam", "2026-10-13", "Next", "2026-10-12"}},
		{"exam twice", func(s *calendar.Session) { s.Exams = days(t, "2026-10-12 2026-10-12") }, "calendar.error.exam_order", []any{"Exam", "2026-10-12", "Next", "2026-10-12"}},
		{"scores before the last exam", func(s *calendar.Session) { s.Scores = date(2026, 10, 12) }, "calendar.error.scores_before_exam", []any{"Scores", "2026-10-12", "Exam", "2026-10-13"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			s.Exams = slices.Clone(good.Exams)
			tc.edit(&s)
			err := s.Validate()
			var ce *calendar.Error
			if !errors.As(err, &ce) || ce.Key != tc.key || !reflect.DeepEqual(ce.Args, tc.args) {
				t.Errorf("Validate(%s) = %#v; want %s %v", tc.name, err, tc.key, tc.args)
			}
		})
	}
	// Equal dates where the order allows them.
	same := calendar.Session{ID: "x", Opens: date(2026, 8, 3), Closes: date(2026, 8, 3), Exams: days(t, "2026-08-04"), Scores: date(2026, 8, 4)}
	if err := same.Validate(); err != nil {
		t.Errorf("Validate(%v) = %v; want nil", same, err)
	}
}

func TestErrorString(t *testing.T) {
	err := calendar.Session{ID: "x", Opens: date(2026, 8, 3), Closes: date(2026, 9, 3), Exams: days(t, "2026-09-03")}.Validate()
	if got, want := fmt.Sprint(err), "calendar.error.order (Closes=2026-09-03, Exam=2026-09-03)"; got != want {
		t.Errorf("Validate().Error() = %q; want %q", got, want)
	}
}

// TestDerive works the derived dates out across holidays and adjusted
// working days (調休) of the published years, and in 2027, not published.
func TestDerive(t *testing.T) {
	h := embedded(t)
	for _, tc := range []struct {
		name   string
		exam   string // the first exam
		ticket string // the working days before it
		unpub  []int
	}{
		// National Day 2026: 10-01..10-07 off, Saturday 10-10 works.
		{"after National Day 2026", "2026-10-12", "2026-09-29 2026-09-30 2026-10-08 2026-10-09 2026-10-10", nil},
		// Spring Festival 2026: 02-15..02-23 off, Saturday 02-14 works.
		{"after Spring Festival 2026", "2026-02-24", "2026-02-10 2026-02-11 2026-02-12 2026-02-13 2026-02-14", nil},
		// Mid-Autumn 2026: 09-25..09-27 off, Sunday 09-20 works.
		{"after Mid-Autumn 2026", "2026-09-28", "2026-09-20 2026-09-21 2026-09-22 2026-09-23 2026-09-24", nil},
		// New Year 2026: 01-01..01-03 off, Sunday 01-04 works.
		{"across New Year 2026", "2026-01-05", "2025-12-26 2025-12-29 2025-12-30 2025-12-31 2026-01-04", nil},
		{"ordinary week", "2026-03-16", "2026-03-09 2026-03-10 2026-03-11 2026-03-12 2026-03-13", nil},
		{"exam on a Saturday", "2026-03-14", "2026-03-09 2026-03-10 2026-03-11 2026-03-12 2026-03-13", nil},
		// 2027 is not published: 2027-01-01, a Friday, counts.
		{"across New Year 2027", "2027-01-04", "2026-12-28 2026-12-29 2026-12-30 2026-12-31 2027-01-01", []int{2027}},
		{"in 2027", "2027-03-15", "2027-03-08 2027-03-09 2027-03-10 2027-03-11 2027-03-12", []int{2027}},
		// The window looks at days of 2026 only.
		{"window in 2026, exam in 2027", "2027-01-01", "2026-12-25 2026-12-28 2026-12-29 2026-12-30 2026-12-31", nil},
		// 2024-01-01 is off; 2023 is not embedded.
		{"2023 not embedded", "2024-01-03", "2023-12-26 2023-12-27 2023-12-28 2023-12-29 2024-01-02", []int{2023}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := calendar.Session{ID: "t", Exams: []calendar.Date{day(t, tc.exam)}}
			got := h.Derive(s).Ticket
			want := days(t, tc.ticket)
			if !slices.Equal(got.Days, want) || got.From != want[0] || got.To != want[len(want)-1] || !slices.Equal(got.Unpublished, tc.unpub) {
				t.Errorf("Derive(exam %s).Ticket = %v %v..%v unpublished %v; want %v unpublished %v", tc.exam, got.Days, got.From, got.To, got.Unpublished, want, tc.unpub)
			}
			if got.Estimated() != (len(tc.unpub) > 0) {
				t.Errorf("Derive(exam %s).Ticket.Estimated() = %v; want %v", tc.exam, got.Estimated(), len(tc.unpub) > 0)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		scores   string
		deadline string
		retake   string
		unpub    []int
	}{
		// 2025-09-28 (Sunday) and 2025-10-11 (Saturday) work; 10-01..10-08
		// off: 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13, 10-14,
		// 10-15, 10-16.
		{"National Day and Mid-Autumn 2025", "2025-09-26", "2025-10-16", "2026-09-26", nil},
		// 09-20, 21, 22, 23, 24, 28, 29, 30, 10-08, 10-09.
		{"Mid-Autumn and National Day 2026", "2026-09-18", "2026-10-09", "2027-09-18", nil},
		// 02-09..02-13, Saturday 02-14, then 02-24..02-27.
		{"Spring Festival 2026", "2026-02-06", "2026-02-27", "2027-02-06", nil},
		{"publication day not counted", "2026-03-02", "2026-03-16", "2027-03-02", nil},
		{"published on a Sunday", "2026-03-15", "2026-03-27", "2027-03-15", nil},
		// 12-28..12-31, 2027-01-01 (a Friday, counted: unpublished),
		// 01-04..01-08.
		{"into 2027", "2026-12-25", "2027-01-08", "2027-12-25", []int{2027}},
		{"leap day", "2028-02-29", "2028-03-14", "2029-02-28", []int{2028}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := day(t, tc.scores)
			d := h.Derive(calendar.Session{ID: "t", Exams: []calendar.Date{sc.AddDays(-20)}, Scores: sc})
			if d.Review.From != sc || d.Review.To != day(t, tc.deadline) || !slices.Equal(d.Review.Unpublished, tc.unpub) || d.Review.Days != nil {
				t.Errorf("Derive(scores %s).Review = %v..%v unpublished %v; want %v..%s unpublished %v", tc.scores, d.Review.From, d.Review.To, d.Review.Unpublished, sc, tc.deadline, tc.unpub)
			}
			if d.Retake.From != sc || d.Retake.To != day(t, tc.retake) || d.Retake.Estimated() {
				t.Errorf("Derive(scores %s).Retake = %v..%v estimated %v; want %v..%s, not estimated", tc.scores, d.Retake.From, d.Retake.To, d.Retake.Estimated(), sc, tc.retake)
			}
			if !d.Review.Contains(sc) || !d.Review.Contains(d.Review.To) || d.Review.Contains(d.Review.To.AddDays(1)) || d.Review.Contains(sc.AddDays(-1)) {
				t.Errorf("Derive(scores %s).Review.Contains is wrong at its ends", tc.scores)
			}
		})
	}
	t.Run("no scores yet", func(t *testing.T) {
		d := h.Derive(calendar.Session{ID: "t", Exams: days(t, "2026-10-12")})
		if !d.Review.IsZero() || !d.Retake.IsZero() || d.Review.Contains(date(2026, 10, 12)) {
			t.Errorf("Derive(no scores) = review %v, retake %v; want zero windows", d.Review, d.Retake)
		}
	})
}
