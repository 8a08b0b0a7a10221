package redisstore_test

import (
	"strings"
	"testing"

	"examdesk/calendar"
	"examdesk/calendar/calendartest"
)

func TestCalendar(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			calendartest.TestStore(t, func(t *testing.T) calendar.Store { return b.open(t).Calendar() })
		})
	}
}

// TestCalendarLayout checks the keys of the calendar, as documented on
// Calendar: two hashes under the store's prefix, without expiry.
func TestCalendarLayout(t *testing.T) {
	t.Parallel()
	s := calendar.Session{ID: "2026-2", Opens: calendar.NewDate(2026, 8, 3), Closes: calendar.NewDate(2026, 8, 14), Exams: []calendar.Date{calendar.NewDate(2026, 10, 12)}}
	y := calendar.Year{Year: 2099, Papers: []string{"https://example.org/notice"}, Days: []calendar.Day{{Name: "test", Date: calendar.NewDate(2099, 1, 1), OffDay: true}}}
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			st := b.open(t)
			cal := st.Calendar()
			ctx := t.Context()
			if err := cal.PutSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			if err := cal.PutYear(ctx, y); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ key, field, want string }{
				{st.Prefix() + "calendar:sessions", "2026-2", `{"id":"2026-2","opens":"2026-08-03","closes":"2026-08-14","exams":["2026-10-12"]}`},
				{st.Prefix() + "calendar:holidays", "2099", `{"year":2099,"papers":["https://example.org/notice"],"days":[{"name":"test","date":"2099-01-01","isOffDay":true}]}`},
			} {
				got, err := st.Client().HGet(ctx, tc.key, tc.field).Result()
				if err != nil || got != tc.want {
					t.Errorf("HGET %s %s = %s, %v; want %s", tc.key, tc.field, got, err, tc.want)
				}
				if ttl, err := st.Client().PTTL(ctx, tc.key).Result(); err != nil || ttl != -1 {
					t.Errorf("PTTL %s = %v, %v; want -1 (no expiry)", tc.key, ttl, err)
				}
			}
		})
	}
}

// TestCalendarBadRecord checks that a record edited by hand into something
// invalid is an error naming its key, not a wrong calendar.
func TestCalendarBadRecord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, field, value, want string
	}{
		{"not JSON", "calendar:sessions", "x", "{", "read session x from"},
		{"invalid session", "calendar:sessions", "x", `{"id":"x","opens":"2026-08-03","closes":"2026-10-13","exams":["2026-10-12"]}`, "calendar.error.order"},
		{"session under another ID", "calendar:sessions", "x", `{"id":"y","opens":"2026-08-03","closes":"2026-08-14","exams":["2026-10-12"]}`, `the record is of session "y"`},
		{"bad date", "calendar:sessions", "x", `{"id":"x","opens":"2026-02-30","closes":"2026-08-14","exams":["2026-10-12"]}`, "read session x from"},
		{"year not JSON", "calendar:holidays", "2099", "{", "calendar:holidays 2099:1"},
		{"year without papers", "calendar:holidays", "2099", `{"year":2099,"papers":[],"days":[]}`, "papers is missing"},
		{"year under another number", "calendar:holidays", "2098", `{"year":2099,"papers":["https://example.org/n"],"days":[]}`, "the record is of 2099"},
		{"field not a year", "calendar:holidays", "next", `{}`, "the field is not a year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := openEmbeddedStore(t)
			ctx := t.Context()
			if err := st.Client().HSet(ctx, st.Prefix()+tc.key, tc.field, tc.value).Err(); err != nil {
				t.Fatal(err)
			}
			var err error
			if strings.HasSuffix(tc.key, "sessions") {
				_, err = st.Calendar().Sessions(ctx)
			} else {
				_, err = st.Calendar().Years(ctx)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("reading %s = %v; want an error saying %q", tc.value, err, tc.want)
			}
		})
	}
}
