package calendar_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"examdesk/calendar"
)

func embedded(t testing.TB) *calendar.Holidays {
	t.Helper()
	h, err := calendar.Embedded()
	if err != nil {
		t.Fatalf("Embedded() error: %v", err)
	}
	return h
}

func TestEmbedded(t *testing.T) {
	h := embedded(t)
	if got, want := h.Years(), []int{2024, 2025, 2026}; !slices.Equal(got, want) {
		t.Errorf("Embedded().Years() = %v; want %v", got, want)
	}
	for _, y := range []int{2024, 2025, 2026} {
		if !h.Published(y) || !h.Builtin(y) {
			t.Errorf("Published(%d), Builtin(%d) = %v, %v; want true, true", y, y, h.Published(y), h.Builtin(y))
		}
		yr, _ := h.Year(y)
		if len(yr.Papers) == 0 || !strings.HasPrefix(yr.Papers[0], "https://www.gov.cn/") {
			t.Errorf("Year(%d).Papers = %v; want the State Council's notice", y, yr.Papers)
		}
	}
	for _, y := range []int{2023, 2027} {
		if h.Published(y) {
			t.Errorf("Published(%d) = true; want false (not embedded)", y)
		}
	}
}

func TestWorking(t *testing.T) {
	h := embedded(t)
	for _, tc := range []struct {
		d                 string
		working, adjusted bool
	}{
		{"2026-10-01", false, false}, // National Day, Thursday
		{"2026-10-07", false, false}, // National Day, Wednesday
		{"2026-10-08", true, false},
		{"2026-10-10", true, true}, // Saturday, adjusted working day
		{"2026-10-11", false, false},
		{"2026-02-14", true, true}, // Saturday before Spring Festival
		{"2026-02-23", false, false},
		{"2026-01-04", true, true}, // Sunday after New Year
		{"2025-09-28", true, true},
		{"2025-10-11", true, true},
		{"2025-10-08", false, false},
		{"2026-03-16", true, false},
		{"2026-03-14", false, false},
		{"2027-01-01", true, false}, // not published: a Friday counts
		{"2027-10-01", true, false},
		{"2027-10-02", false, false},
	} {
		d := day(t, tc.d)
		if got := h.Working(d); got != tc.working {
			t.Errorf("Working(%s) = %v; want %v", tc.d, got, tc.working)
		}
		if got := h.Adjusted(d); got != tc.adjusted {
			t.Errorf("Adjusted(%s) = %v; want %v", tc.d, got, tc.adjusted)
		}
	}
	var none *calendar.Holidays
	if !none.Working(day(t, "2026-10-01")) || none.Published(2026) || none.Years() != nil {
		t.Errorf("a nil *Holidays is not weekends only")
	}
}

const goodYear = `{
    "$schema": "https://raw.githubusercontent.com/NateScarlet/holiday-cn/master/schema.json",
    "year": 2099,
    "papers": ["https://example.org/notice"],
    "days": [
        {"name": "test", "date": "2099-01-01", "isOffDay": true},
        {"name": "test", "date": "2099-01-03", "isOffDay": false}
    ]
}`

func TestParseYear(t *testing.T) {
	y, err := calendar.ParseYear("2099.json", []byte(goodYear))
	if err != nil {
		t.Fatalf("ParseYear(good) error: %v", err)
	}
	want := calendar.Year{Year: 2099, Papers: []string{"https://example.org/notice"}, Days: []calendar.Day{
		{Name: "test", Date: day(t, "2099-01-01"), OffDay: true},
		{Name: "test", Date: day(t, "2099-01-03"), OffDay: false},
	}}
	if !reflect.DeepEqual(y, want) {
		t.Errorf("ParseYear(good) = %v; want %v", y, want)
	}
	edit := func(old, new string) string { return strings.Replace(goodYear, old, new, 1) }
	for _, tc := range []struct {
		name, data string
		want       []string // each a line of the error
	}{
		{"bad date", edit(`"2099-01-01"`, `"2099-02-30"`), []string{`2099.json:6: date "2099-02-30" is not a date`}},
		{"other year", edit(`"2099-01-01"`, `"2098-12-31"`), []string{`2099.json:6: date 2098-12-31 is not in 2099`}},
		{"duplicate", edit(`"2099-01-03"`, `"2099-01-01"`), []string{`2099.json:7: date 2099-01-01 is listed twice (also line 6)`, `2099.json:7: 2099-01-01 is a Thursday: an adjusted working day`}},
		{"no papers", edit(`["https://example.org/notice"]`, `[]`), []string{`2099.json: papers is missing`}},
		{"papers not an address", edit(`"https://example.org/notice"`, `"a notice"`), []string{`2099.json: papers[0] "a notice" is not an http(s) address`}},
		{"papers absent", edit(`"papers": ["https://example.org/notice"],`, ``), []string{`2099.json: papers is missing`}},
		{"no isOffDay", edit(`, "isOffDay": false`, ``), []string{`2099.json:7: isOffDay is missing`}},
		{"no name", edit(`"name": "test", "date": "2099-01-01"`, `"date": "2099-01-01"`), []string{`2099.json:6: name is missing for 2099-01-01`}},
		{"unknown day field", edit(`"name": "test", "date": "2099-01-01"`, `"nam": "test", "date": "2099-01-01"`), []string{`2099.json:6: json: unknown field "nam"`}},
		{"unknown field", edit(`"year"`, `"yaer"`), []string{`2099.json:3: unknown field "yaer"`}},
		{"year not a number", edit(`2099,`, `"2099",`), []string{`2099.json:3:`, `cannot unmarshal string`}},
		{"syntax", edit(`"isOffDay": true}`, `"isOffDay": true`), []string{`2099.json:7: invalid character`}},
		{"truncated", goodYear[:200], []string{`2099.json:6: unexpected end of JSON input`}},
		{"not an object", `[]`, []string{`2099.json:1: not a JSON object`}},
		{"empty", ``, []string{`2099.json:1: unexpected end of JSON input`}},
		{"trailing data", goodYear + `{}`, []string{`2099.json:9: invalid character '{' after top-level value`}},
		{"isOffDay a string", edit(`"isOffDay": true`, `"isOffDay": "yes"`), []string{`2099.json:6:`, `cannot unmarshal string`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := calendar.ParseYear("2099.json", []byte(tc.data))
			if err == nil {
				t.Fatalf("ParseYear(%s) = nil; want an error", tc.name)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseYear(%s) = %v; want it to say %q", tc.name, err, w)
				}
			}
		})
	}
}

func TestWith(t *testing.T) {
	h := embedded(t)
	y, err := calendar.ParseYear("2099.json", []byte(goodYear))
	if err != nil {
		t.Fatal(err)
	}
	h2, err := h.With(y)
	if err != nil {
		t.Fatalf("With(2099) error: %v", err)
	}
	if h.Published(2099) || !h2.Published(2099) || h2.Builtin(2099) {
		t.Errorf("With(2099): Published before, after, Builtin = %v, %v, %v; want false, true, false", h.Published(2099), h2.Published(2099), h2.Builtin(2099))
	}
	if h2.Working(day(t, "2099-01-01")) || !h2.Working(day(t, "2099-01-03")) || !h2.Working(day(t, "2099-01-02")) {
		t.Errorf("With(2099) does not count the added days")
	}
	// Added again with fewer days: replaced, not merged.
	y.Days = y.Days[:1]
	h3, err := h2.With(y)
	if err != nil {
		t.Fatalf("With(2099 again) error: %v", err)
	}
	if h3.Working(day(t, "2099-01-03")) {
		t.Errorf("With(2099 again) kept a day of the replaced year")
	}
	b, _ := h.Year(2026)
	b.Papers = []string{"https://example.org/mine"}
	if _, err := h.With(b); !errors.Is(err, calendar.ErrBuiltinYear) {
		t.Errorf("With(2026) = %v; want ErrBuiltinYear", err)
	}
	if _, err := h.With(calendar.Year{Year: 2099}); err == nil {
		t.Errorf("With(a year without papers) = nil; want an error")
	}
}

func FuzzParseYear(f *testing.F) {
	f.Add([]byte(goodYear))
	f.Add([]byte(`{"year":2099,"papers":["http://x"],"days":[{"name":"a","date":"2099-01-01","isOffDay":true}]}`))
	f.Add([]byte(`{"days":[{"date":"2099-13-01"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := calendar.ParseYear("f.json", data)
		if err != nil {
			return
		}
		if err := y.Validate(); err != nil {
			t.Errorf("ParseYear accepted a year Validate refuses: %v", err)
		}
	})
}
