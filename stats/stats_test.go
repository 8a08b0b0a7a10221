package stats_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"examdesk"
	"examdesk/stats"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  照片 要多大？", "照片要多大"},
		{"How much is the EXAM fee??", "how much is the exam fee"},
		{"ＡＢＣ　１２３", "abc 123"},
		{"4寸 photo ok", "4寸 photo ok"},
		{"考試費用，多少。", "考試費用多少"},
		{"???", ""},
		{"", ""},
		{"café naïve", "café naïve"},
		{strings.Repeat("a ", 400), strings.TrimSpace(strings.Repeat("a ", 150))},
	}
	for _, tt := range tests {
		if got := stats.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuestionID(t *testing.T) {
	a, b := stats.QuestionID("照片要多大"), stats.QuestionID("照片要多小")
	if a == b {
		t.Errorf("QuestionID gives %s for two texts", a)
	}
	for _, id := range []string{a, b} {
		if n, ok := stats.ParseQuestionID(id); !ok || n <= 0 || n >= 1<<52 {
			t.Errorf("ParseQuestionID(%q) = %d, %t; want a number below 2^52", id, n, ok)
		}
	}
	for _, bad := range []string{"", "0", "012", "-5", "4503599627370496", "12a", "99999999999999999999"} {
		if _, ok := stats.ParseQuestionID(bad); ok {
			t.Errorf("ParseQuestionID(%q) = ok; want refused", bad)
		}
	}
}

func TestExampleLang(t *testing.T) {
	tests := []struct{ text, lang, want string }{
		{"照片要多大", "zh-Hant", "zh-Hant"},
		{"照片要多大", "zh-Hans", "zh-Hans"},
		{"照片要多大", "en", "zh-Hans"},
		{"photo size", "zh-Hant", "en"},
	}
	for _, tt := range tests {
		if got := stats.ExampleLang(tt.text, tt.lang); got != tt.want {
			t.Errorf("ExampleLang(%q, %q) = %q; want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestAddCheck(t *testing.T) {
	type cv = stats.CheckView
	level3 := stats.Result{Level: 3, Route: stats.RouteIndividual}
	tests := []struct {
		name          string
		before, after cv
		begun         bool
		want          stats.Events
	}{
		{"begin", cv{}, cv{Active: true, Asking: "a"}, true,
			stats.Events{Started: true, Reached: []string{"a"}}},
		{"answer", cv{Active: true, Asking: "a"}, cv{Active: true, Asking: "b", Answered: []string{"a"}}, false,
			stats.Events{Answered: []string{"a"}, Reached: []string{"b"}}},
		{"asked again after a question", cv{Active: true, Asking: "b", Answered: []string{"a"}}, cv{Active: true, Asking: "b", Answered: []string{"a"}}, false,
			stats.Events{}},
		{"back", cv{Active: true, Asking: "c", Answered: []string{"a", "b"}}, cv{Active: true, Asking: "b", Answered: []string{"a"}}, false,
			stats.Events{Reached: []string{"b"}}},
		{"result", cv{Active: true, Asking: "b", Answered: []string{"a"}}, cv{Active: true, Done: true, Answered: []string{"a", "b"}}, false,
			stats.Events{Answered: []string{"b"}, Completed: true, Result: level3}},
		{"result shown again", cv{Active: true, Done: true, Answered: []string{"a"}}, cv{Active: true, Done: true, Answered: []string{"a"}}, false,
			stats.Events{}},
		{"cancel", cv{Active: true, Asking: "b", Answered: []string{"a"}}, cv{}, false,
			stats.Events{Abandoned: "b"}},
		{"restart", cv{Active: true, Asking: "b", Answered: []string{"a"}}, cv{Active: true, Asking: "a"}, true,
			stats.Events{Abandoned: "b", Started: true, Reached: []string{"a"}}},
		{"check after a result", cv{Active: true, Done: true, Answered: []string{"a"}}, cv{Active: true, Asking: "a"}, true,
			stats.Events{Started: true, Reached: []string{"a"}}},
		{"done at once", cv{}, cv{Active: true, Done: true}, true,
			stats.Events{Started: true, Completed: true, Result: level3}},
		{"no check", cv{}, cv{}, false, stats.Events{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got stats.Events
			got.AddCheck(tt.before, tt.after, tt.begun, level3)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AddCheck(%+v, %+v, %t) = %+v; want %+v", tt.before, tt.after, tt.begun, got, tt.want)
			}
		})
	}
}

// TestReportJSON checks the JSON of `examdesk stats --json`, field by
// field, against the issue's.
func TestReportJSON(t *testing.T) {
	r := stats.Fold([]string{"2026-12-04", "2026-12-05"}, []map[string]int{
		{"messages": 3, "new_users": 2, "active_users": 2, "dont_know": 1, "unknown:future": 9},
		{"checks_started": 2, "checks_completed": 1, "reached:occupation_years": 2, "answered:occupation_years": 1,
			"reached:education": 1, "result:3:individual": 1, "topic:photo": 4, "broadcast_sent": 7},
	}, []stats.Question{{ID: "1", Text: "考試費用多少", Count: 3, Users: 2, Last: "2026-12-05", Lang: "zh-Hant"}})
	r = r.WithTopics([]string{"photo", "exam_date"})
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"days":[` +
		`{"date":"2026-12-04","new_users":2,"active_users":2,"messages":3,"checks_started":0,"checks_completed":0,"dont_know":1},` +
		`{"date":"2026-12-05","new_users":0,"active_users":0,"messages":0,"checks_started":2,"checks_completed":1,"dont_know":0}],` +
		`"funnel":[{"question":"occupation_years","reached":2,"answered":1},{"question":"education","reached":1,"answered":0}],` +
		`"results":{"0":0,"4":0,"3":1,"2":0,"1":0},` +
		`"topics":{"exam_date":0,"photo":4},` +
		`"unanswered":[{"text":"考試費用多少","count":3,"last":"2026-12-05"}]}`
	if string(got) != want {
		t.Errorf("json.Marshal(report) =\n%s\nwant\n%s", got, want)
	}
	if r.Days[1].BroadcastSent != 7 {
		t.Errorf("Fold: broadcast_sent = %d; want 7", r.Days[1].BroadcastSent)
	}
	var back stats.Report
	if err := json.Unmarshal(got, &back); err != nil || back.Results.ByLevel != r.Results.ByLevel {
		t.Errorf("json.Unmarshal(report).Results = %+v, %v; want %+v", back.Results, err, r.Results)
	}
	empty, _ := json.Marshal(stats.Fold([]string{"2026-12-05"}, nil, nil))
	if want := `{"days":[{"date":"2026-12-05","new_users":0,"active_users":0,"messages":0,"checks_started":0,"checks_completed":0,"dont_know":0}],"funnel":[],"results":{"0":0,"4":0,"3":0,"2":0,"1":0},"topics":{},"unanswered":[]}`; string(empty) != want {
		t.Errorf("json.Marshal(empty report) = %s; want %s", empty, want)
	}
}

func TestDates(t *testing.T) {
	// 2026-12-05 00:30 in China is still the 4th in UTC.
	now := time.Date(2026, 12, 4, 16, 30, 0, 0, time.UTC)
	if got, want := stats.Dates(3, now), []string{"2026-12-03", "2026-12-04", "2026-12-05"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dates(3, %v) = %v; want %v", now, got, want)
	}
	if got := stats.Day(now); got != "2026-12-05" {
		t.Errorf("Day(%v) = %s; want 2026-12-05", now, got)
	}
	jan := time.Date(2027, 1, 1, 12, 0, 0, 0, examdesk.China)
	if got, want := stats.Dates(2, jan), []string{"2026-12-31", "2027-01-01"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dates(2, %v) = %v; want %v", jan, got, want)
	}
}
