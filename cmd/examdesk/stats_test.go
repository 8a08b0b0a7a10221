package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"examdesk"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/stats"
)

func TestStatsCLIBadInput(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // in the one line on stderr
	}{
		{"no REDIS_URL", map[string]string{}, []string{"stats"}, "REDIS_URL is not set"},
		{"days 0", env, []string{"stats", "--days", "0"}, `--days "0" is not a number of days from 1 to 366`},
		{"days 367", env, []string{"stats", "--days", "367"}, `--days "367"`},
		{"days word", env, []string{"stats", "--days", "week"}, `--days "week"`},
		{"unknown flag", env, []string{"stats", "--all"}, "flag provided but not defined: -all"},
		{"extra argument", env, []string{"stats", "today"}, `unexpected argument "today"`},
		{"export argument", env, []string{"faq", "export", "photo"}, `unexpected argument "photo"`},
		{"export without REDIS_URL", map[string]string{}, []string{"faq", "export"}, "REDIS_URL is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.env, tt.args...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("examdesk %s = %d, %q, %q; want 2 and %q on stderr", strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
			}
		})
	}
}

// TestStatsCLI records a few days' events in the Redis serve would use and
// checks what `examdesk stats` and `examdesk faq export` print.
func TestStatsCLI(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	st, err := redisstore.Open(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := st.Stats()
	now := time.Now()
	yesterday := now.Add(-24 * time.Hour)
	evs := []stats.Events{
		{At: yesterday, User: 1, Lang: "zh-Hant", Message: true, Started: true, Reached: []string{"occupation_years"}},
		{At: yesterday, User: 1, Lang: "zh-Hant", Message: true, Answered: []string{"occupation_years"}, Completed: true, Result: stats.Result{Level: 3, Route: stats.RouteIndividual}},
		{At: now, User: 2, Lang: "en", Message: true, Started: true, Reached: []string{"occupation_years"}},
		{At: now, User: 2, Lang: "en", Message: true, Topics: []string{"photo"}},
		{At: now, User: 2, Lang: "en", Message: true, Unanswered: "How much is the fee?"},
		{At: now, User: 1, Lang: "zh-Hant", Message: true, Unanswered: "考試費用多少"},
		{At: now, User: 3, Lang: "zh-Hant", Message: true, Unanswered: "考試費用 多少？"},
	}
	for _, ev := range evs {
		if err := s.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"REDIS_URL": srv.URL}
	code, stdout, stderr := cli(t, env, "stats", "--days", "2", "--json")
	topics := `"topics":{"admission_ticket":0,"application_form":0,"certificate":0,"defence":0,"eligibility":0,"exam_date":0,"levels":0,"location":0,"materials":0,"photo":1,"registration_place":0,"registration_time":0,"retake":0,"score_review":0,"thesis":0,"training_route":0,"work_proof":0}`
	want := fmt.Sprintf(`{"days":[`+
		`{"date":"%s","new_users":1,"active_users":1,"messages":2,"checks_started":1,"checks_completed":1,"dont_know":0},`+
		`{"date":"%s","new_users":2,"active_users":3,"messages":5,"checks_started":1,"checks_completed":0,"dont_know":3}],`+
		`"funnel":[{"question":"occupation_years","reached":2,"answered":1}],`+
		`"results":{"0":0,"4":0,"3":1,"2":0,"1":0},`+topics+`,`+
		`"unanswered":[{"text":"考試費用多少","count":2,"last":"%[2]s"},{"text":"how much is the fee","count":1,"last":"%[2]s"}]}`+"\n",
		stats.Day(yesterday), stats.Day(now))
	if code != 0 || stdout != want {
		t.Errorf("examdesk stats --days 2 --json = %d, %s%s; want 0,\n%s", code, stdout, stderr, want)
	}

	code, stdout, stderr = cli(t, env, "stats", "--days", "2")
	for _, line := range []string{
		"2 days, " + stats.Day(yesterday) + " to " + stats.Day(now) + " (China time)",
		"total          3                       7               2          1         0           3",
		"occupation_years        2         1               0",
		"level 3        1          1                 0",
		"photo  1",
		"2      " + stats.Day(now) + "  考試費用多少",
	} {
		if !strings.Contains(stdout, line) {
			t.Errorf("examdesk stats --days 2 = %d, %s%s; want a line with %q", code, stdout, stderr, line)
		}
	}

	// Asked in Traditional characters by a user whose language is
	// Simplified Chinese, and one that knowledge.txt has already.
	for _, ev := range []stats.Events{
		{At: now, User: 4, Lang: "zh-Hans", Message: true, Unanswered: "停車場喺邊度"},
		{At: now, User: 4, Lang: "zh-Hans", Message: true, Unanswered: "照片要多大"},
	} {
		if err := s.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 12, 5, 10, 30, 0, 0, examdesk.China)
	for _, tt := range []struct{ text, topic string }{
		{"考試費用多少", stats.OffTopic}, {"how much is the fee", "materials"}, {"停車場喺邊度", "location"}, {"照片要多大", "photo"},
	} {
		if _, err := s.Teach(ctx, stats.QuestionID(tt.text), tt.topic, "tg:7", at); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = cli(t, env, "faq", "export")
	wantExport := `
[materials]
# added 2026-12-05 10:30 by tg:7, asked 1 times
en: how much is the fee

[photo]
# added 2026-12-05 10:30 by tg:7, asked 1 times
# already an example of photo: zh-Hans: 照片要多大

[location]
# added 2026-12-05 10:30 by tg:7, asked 1 times
zh-Hant: 停車場喺邊度

[off_topic]
# added 2026-12-05 10:30 by tg:7, asked 2 times
zh-Hant: 考試費用多少
`
	if code != 0 || !strings.HasPrefix(stdout, "# 4 examples added by administrators") || !strings.HasSuffix(stdout, wantExport) {
		t.Errorf("examdesk faq export = %d, %s%s; want the two examples:%s", code, stdout, stderr, wantExport)
	}
}
