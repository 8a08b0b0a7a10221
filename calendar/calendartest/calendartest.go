// Package calendartest helps test code that keeps the exam calendar:
// TestStore is the conformance suite every calendar.Store implementation
// runs, and MemStore is an in-memory Store for tests of the code that uses
// one.
package calendartest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"examdesk/calendar"
)

// TestStore tests that the stores newStore makes keep the contract of
// calendar.Store. It calls newStore once per subtest, with the subtest's t,
// for a new empty store; newStore registers with t.Cleanup whatever that
// store must release, and fails t if it cannot make one.
func TestStore(t *testing.T, newStore func(t *testing.T) calendar.Store) {
	t.Helper()
	t.Run("empty", func(t *testing.T) { testEmpty(t, newStore(t)) })
	t.Run("sessions round trip", func(t *testing.T) { testSessions(t, newStore(t)) })
	t.Run("replace session", func(t *testing.T) { testReplace(t, newStore(t)) })
	t.Run("remove session", func(t *testing.T) { testRemove(t, newStore(t)) })
	t.Run("invalid session", func(t *testing.T) { testInvalidSession(t, newStore(t)) })
	t.Run("years", func(t *testing.T) { testYears(t, newStore(t)) })
	t.Run("invalid year", func(t *testing.T) { testInvalidYear(t, newStore(t)) })
	t.Run("no sharing", func(t *testing.T) { testNoSharing(t, newStore(t)) })
	t.Run("concurrent writers", func(t *testing.T) { testConcurrent(t, newStore(t)) })
	t.Run("canceled context", func(t *testing.T) { testCanceled(t, newStore(t)) })
}

func date(y int, m time.Month, d int) calendar.Date { return calendar.NewDate(y, m, d) }

// sessions returns valid sessions that between them set every field, in ID
// order.
func sessions() []calendar.Session {
	return []calendar.Session{
		{ID: "2026-2", Opens: date(2026, 8, 3), Closes: date(2026, 8, 14), Exams: []calendar.Date{date(2026, 10, 12)}},
		{ID: "2027-1", Opens: date(2027, 3, 1), Closes: date(2027, 3, 1), Exams: []calendar.Date{date(2027, 4, 10), date(2027, 4, 11), date(2027, 4, 17)}, Scores: date(2027, 5, 28)},
		{ID: "a", Opens: date(2000, 1, 1), Closes: date(2000, 1, 2), Exams: []calendar.Date{date(2000, 1, 3)}, Scores: date(2000, 1, 3)},
		{ID: "zzzzzzzzzzzzzzzz", Opens: date(2099, 12, 1), Closes: date(2099, 12, 2), Exams: []calendar.Date{date(2099, 12, 31)}, Scores: date(2099, 12, 31)},
	}
}

// year returns a valid year of test data (not a published one) with n
// days.
func year(y, n int) calendar.Year {
	out := calendar.Year{Year: y, Papers: []string{fmt.Sprintf("https://example.org/notice/%d", y)}}
	for i := range n {
		out.Days = append(out.Days, calendar.Day{Name: "test holiday", Date: calendar.NewDate(y, 3, 2+i), OffDay: true})
	}
	// 2098-03-01 and 2099-03-01 are a Saturday and a Sunday: adjusted
	// working days.
	out.Days = append(out.Days, calendar.Day{Name: "test holiday", Date: calendar.NewDate(y, 3, 1), OffDay: false})
	return out
}

func mustSessions(t *testing.T, s calendar.Store) []calendar.Session {
	t.Helper()
	got, err := s.Sessions(t.Context())
	if err != nil {
		t.Fatalf("Sessions() error: %v", err)
	}
	return got
}

func mustYears(t *testing.T, s calendar.Store) []calendar.Year {
	t.Helper()
	got, err := s.Years(t.Context())
	if err != nil {
		t.Fatalf("Years() error: %v", err)
	}
	return got
}

func mustPut(t *testing.T, s calendar.Store, ses calendar.Session) {
	t.Helper()
	if err := s.PutSession(t.Context(), ses); err != nil {
		t.Fatalf("PutSession(%s) error: %v", ses.ID, err)
	}
}

func checkSessions(t *testing.T, s calendar.Store, want []calendar.Session) {
	t.Helper()
	got := mustSessions(t, s)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sessions() = %v; want %v", got, want)
	}
}

func testEmpty(t *testing.T, s calendar.Store) {
	checkSessions(t, s, nil)
	if got := mustYears(t, s); len(got) != 0 {
		t.Errorf("Years() = %v; want none", got)
	}
	if ok, err := s.RemoveSession(t.Context(), "2027-1"); ok || err != nil {
		t.Errorf("RemoveSession(2027-1) = %v, %v; want false, nil", ok, err)
	}
}

func testSessions(t *testing.T, s calendar.Store) {
	all := sessions()
	// Put in reverse order: Sessions orders by ID.
	for i := len(all) - 1; i >= 0; i-- {
		mustPut(t, s, all[i])
	}
	checkSessions(t, s, all)
}

func testReplace(t *testing.T, s calendar.Store) {
	all := sessions()
	mustPut(t, s, all[0])
	mustPut(t, s, all[1])
	changed := all[0]
	changed.Exams = []calendar.Date{date(2026, 10, 12), date(2026, 10, 13)}
	changed.Scores = date(2026, 11, 20)
	mustPut(t, s, changed)
	checkSessions(t, s, []calendar.Session{changed, all[1]})
	// Back to no scores: the field is cleared, not kept.
	mustPut(t, s, all[0])
	checkSessions(t, s, []calendar.Session{all[0], all[1]})
}

func testRemove(t *testing.T, s calendar.Store) {
	all := sessions()
	for _, ses := range all[:3] {
		mustPut(t, s, ses)
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{{all[1].ID, true}, {all[1].ID, false}, {"nope", false}, {"", false}} {
		ok, err := s.RemoveSession(t.Context(), tc.id)
		if ok != tc.want || err != nil {
			t.Errorf("RemoveSession(%q) = %v, %v; want %v, nil", tc.id, ok, err, tc.want)
		}
	}
	checkSessions(t, s, []calendar.Session{all[0], all[2]})
}

func testInvalidSession(t *testing.T, s calendar.Store) {
	good := sessions()[0]
	mustPut(t, s, good)
	for _, tc := range []struct {
		name string
		edit func(*calendar.Session)
	}{
		{"no ID", func(s *calendar.Session) { s.ID = "" }},
		{"bad ID", func(s *calendar.Session) { s.ID = "2027 1" }},
		{"no exam", func(s *calendar.Session) { s.Exams = nil }},
		{"closes after exam", func(s *calendar.Session) { s.Closes = s.Exams[0] }},
		{"scores before exam", func(s *calendar.Session) { s.Scores = s.Exams[0].AddDays(-1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := good
			bad.Exams = append([]calendar.Date(nil), good.Exams...)
			bad.ID = "other"
			tc.edit(&bad)
			err := s.PutSession(t.Context(), bad)
			var ce *calendar.Error
			if !errors.As(err, &ce) {
				t.Errorf("PutSession(%s) = %v; want a *calendar.Error", tc.name, err)
			}
		})
	}
	checkSessions(t, s, []calendar.Session{good})
}

func testYears(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	y98, y99 := year(2098, 3), year(2099, 1)
	for _, y := range []calendar.Year{y99, y98} {
		if err := s.PutYear(ctx, y); err != nil {
			t.Fatalf("PutYear(%d) error: %v", y.Year, err)
		}
	}
	if got := mustYears(t, s); !reflect.DeepEqual(got, []calendar.Year{y98, y99}) {
		t.Errorf("Years() = %v; want %v", got, []calendar.Year{y98, y99})
	}
	y99b := year(2099, 5)
	y99b.Papers = append(y99b.Papers, "https://example.org/amended")
	if err := s.PutYear(ctx, y99b); err != nil {
		t.Fatalf("PutYear(2099 again) error: %v", err)
	}
	if got := mustYears(t, s); !reflect.DeepEqual(got, []calendar.Year{y98, y99b}) {
		t.Errorf("Years() after replacing 2099 = %v; want %v", got, []calendar.Year{y98, y99b})
	}
}

func testInvalidYear(t *testing.T, s calendar.Store) {
	for _, tc := range []struct {
		name string
		edit func(*calendar.Year)
	}{
		{"no papers", func(y *calendar.Year) { y.Papers = nil }},
		{"day of another year", func(y *calendar.Year) { y.Days[0].Date = calendar.NewDate(2097, 3, 2) }},
		{"day twice", func(y *calendar.Year) { y.Days[1].Date = y.Days[0].Date }},
		{"not a year", func(y *calendar.Year) { y.Year = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := year(2098, 2)
			tc.edit(&y)
			if err := s.PutYear(t.Context(), y); err == nil {
				t.Errorf("PutYear(%s) = nil; want an error", tc.name)
			}
		})
	}
	if got := mustYears(t, s); len(got) != 0 {
		t.Errorf("Years() after invalid puts = %v; want none", got)
	}
}

func testNoSharing(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ses := sessions()[1]
	want := ses
	want.Exams = append([]calendar.Date(nil), ses.Exams...)
	mustPut(t, s, ses)
	ses.Exams[0] = date(2027, 4, 9)
	got := mustSessions(t, s)
	got[0].Exams[1] = date(2027, 4, 12)
	checkSessions(t, s, []calendar.Session{want})

	y := year(2098, 2)
	if err := s.PutYear(ctx, y); err != nil {
		t.Fatalf("PutYear() error: %v", err)
	}
	y.Days[0].OffDay = false
	y.Papers[0] = "https://example.org/changed"
	ys := mustYears(t, s)
	ys[0].Days[1].Name = "changed"
	if got := mustYears(t, s); !reflect.DeepEqual(got, []calendar.Year{year(2098, 2)}) {
		t.Errorf("Years() = %v; want %v", got, []calendar.Year{year(2098, 2)})
	}
}

func testConcurrent(t *testing.T, s calendar.Store) {
	const writers = 8
	base := sessions()[0]
	var wg sync.WaitGroup
	want := make([]calendar.Session, writers)
	for i := range writers {
		ses := base
		ses.ID = fmt.Sprintf("w%d", i)
		want[i] = ses
		wg.Go(func() {
			if err := s.PutSession(t.Context(), ses); err != nil {
				t.Errorf("PutSession(%s) error: %v", ses.ID, err)
			}
		})
	}
	wg.Wait()
	checkSessions(t, s, want)
}

func testCanceled(t *testing.T, s calendar.Store) {
	mustPut(t, s, sessions()[0])
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Sessions", func() error { _, err := s.Sessions(ctx); return err }},
		{"PutSession", func() error { return s.PutSession(ctx, sessions()[1]) }},
		{"RemoveSession", func() error { _, err := s.RemoveSession(ctx, sessions()[0].ID); return err }},
		{"Years", func() error { _, err := s.Years(ctx); return err }},
		{"PutYear", func() error { return s.PutYear(ctx, year(2098, 1)) }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s(canceled context) = %v; want context.Canceled", c.name, err)
		}
	}
	checkSessions(t, s, sessions()[:1])
	if got := mustYears(t, s); len(got) != 0 {
		t.Errorf("Years() after a canceled PutYear = %v; want none", got)
	}
}
