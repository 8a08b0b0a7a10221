package dashboard_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"examdesk/dashboard"
	"examdesk/stats"
)

// TestVerify checks initData as Telegram's documentation says, on a
// data-check string written out by hand: a name with "+" and "%" in it,
// decoded once.
func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1764900000, 0)
	user := `{"id":4242,"first_name":"A b+%","language_code":"zh-hant"}`
	check := "auth_date=1764899000\nquery_id=AAHx\nuser=" + user
	key := hmac.New(sha256.New, []byte("WebAppData"))
	key.Write([]byte(token))
	m := hmac.New(sha256.New, key.Sum(nil))
	m.Write([]byte(check))
	hash := hex.EncodeToString(m.Sum(nil))
	valid := "query_id=AAHx&user=" + url.QueryEscape(user) + "&auth_date=1764899000&hash=" + hash

	d, err := dashboard.Verify(valid, token, now)
	if err != nil || d.User.ID != 4242 || d.User.FirstName != "A b+%" || !d.AuthDate.Equal(time.Unix(1764899000, 0)) {
		t.Fatalf("Verify(valid) = %+v, %v; want user 4242 \"A b+%%\"", d, err)
	}
	tests := []struct {
		name, raw string
		now       time.Time
		want      error
	}{
		{"empty", "", now, dashboard.ErrNoInitData},
		{"user changed", strings.Replace(valid, "4242", "4243", 1), now, dashboard.ErrForged},
		{"auth_date changed", strings.Replace(valid, "auth_date=1764899000", "auth_date=1764899001", 1), now, dashboard.ErrForged},
		{"field added", valid + "&chat_type=private", now, dashboard.ErrForged},
		{"other bot's token", dashboard.SignUser(dashboard.User{ID: 4242}, now, "654321:other"), now, dashboard.ErrForged},
		{"no hash", strings.Replace(valid, "&hash="+hash, "", 1), now, dashboard.ErrForged},
		{"hash not hex", strings.Replace(valid, hash, "zz"+hash[2:], 1), now, dashboard.ErrForged},
		{"hash upper case", strings.Replace(valid, hash, strings.ToUpper(hash), 1), now, nil},
		{"field twice", valid + "&user=" + url.QueryEscape(user), now, dashboard.ErrMalformed},
		{"bad escape", valid + "&x=%zz", now, dashboard.ErrMalformed},
		{"an hour old", valid, time.Unix(1764899000, 0).Add(time.Hour), nil},
		{"over an hour old", valid, time.Unix(1764899000, 0).Add(time.Hour + time.Second), dashboard.ErrExpired},
		{"from the future", valid, time.Unix(1764899000, 0).Add(-10 * time.Minute), dashboard.ErrExpired},
		{"no user", dashboard.Sign(url.Values{"auth_date": {"1764899000"}}, token), now, dashboard.ErrMalformed},
		{"no auth_date", dashboard.Sign(url.Values{"user": {user}}, token), now, dashboard.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dashboard.Verify(tt.raw, token, tt.now)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("Verify(%s) = %v; want %v", tt.name, err, tt.want)
			}
		})
	}
}

// call makes a request to the dashboard with initData (none when "").
func call(t *testing.T, h http.Handler, method, target, init string, body string) *http.Response {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if init != "" {
		r.Header.Set("Authorization", "tma "+init)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func read(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := initData(adminID, "en", f.now)
	forged := strings.Replace(admin, "4242", "4243", 1)
	tests := []struct {
		name, header string
		want         int
		wantText     string
	}{
		{"none", "", 401, "opens from the Dashboard button"},
		{"not tma", "Bearer " + admin, 401, "opens from the Dashboard button"},
		{"forged", "tma " + forged, 401, "opens from the Dashboard button"},
		{"expired", "tma " + initData(adminID, "en", f.now.Add(-61*time.Minute)), 401, "has expired"},
		{"not an administrator", "tma " + initData(otherID, "en", f.now), 403, "Only the testing centre's administrators"},
		{"not an administrator, in Chinese", "tma " + initData(otherID, "zh-hk", f.now), 403, "只有鑑定中心的管理員"},
		{"administrator", "tma " + admin, 200, ""},
	}
	for _, path := range []string{"/admin/api/me", "/admin/api/stats", "/admin/api/overview", "/admin/api/unanswered", "/admin/api/broadcasts", "/admin/api/calendar"} {
		for _, tt := range tests {
			r := httptest.NewRequest("GET", path, nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if body := w.Body.String(); w.Code != tt.want || !strings.Contains(body, tt.wantText) {
				t.Errorf("GET %s %s = %d %s; want %d with %q", path, tt.name, w.Code, body, tt.want, tt.wantText)
			}
		}
	}
	// Unknown API paths answer nobody but administrators.
	if res := call(t, f.h, "GET", "/admin/api/secrets", "", ""); res.StatusCode != 401 {
		t.Errorf("GET /admin/api/secrets without initData = %d; want 401", res.StatusCode)
	}
	if res := call(t, f.h, "GET", "/admin/api/secrets", admin, ""); res.StatusCode != 404 {
		t.Errorf("GET /admin/api/secrets = %d; want 404", res.StatusCode)
	}
	if res := call(t, f.h, "POST", "/admin/api/unanswered/1", forged, "topic=photo"); res.StatusCode != 401 {
		t.Errorf("POST with forged initData = %d; want 401", res.StatusCode)
	}
}

// TestStatsAPI checks that GET /admin/api/stats answers what `examdesk
// stats --json` prints: the store's report with every topic.
func TestStatsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := initData(adminID, "en", f.now)
	for _, days := range []int{1, 7, 30, 366} {
		res := call(t, f.h, "GET", "/admin/api/stats?days="+strconv.Itoa(days), admin, "")
		rep, err := f.store.Report(t.Context(), days, f.now)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(rep.WithTopics(topics))
		if got := read(t, res); res.StatusCode != 200 || got != string(want)+"\n" {
			t.Errorf("GET /admin/api/stats?days=%d = %d\n%s\nwant\n%s", days, res.StatusCode, got, want)
		}
	}
	if got := read(t, call(t, f.h, "GET", "/admin/api/stats", admin, "")); !strings.Contains(got, `"days":[`) || strings.Count(got, `"date"`) != dashboard.DefaultDays {
		t.Errorf("GET /admin/api/stats = %s; want %d days", got, dashboard.DefaultDays)
	}
	for _, tt := range []struct{ days, lang, want string }{
		{"0", "en", "“0” is not a number of days from 1 to 366."},
		{"367", "zh-Hant", "「367」不是 1 至 366 之間的天數。"},
		{"x", "zh-Hans", "“x”不是 1 至 366 之间的天数。"},
	} {
		res := call(t, f.h, "GET", "/admin/api/stats?days="+tt.days+"&lang="+tt.lang, admin, "")
		var body map[string]string
		json.NewDecoder(res.Body).Decode(&body)
		if res.StatusCode != 400 || body["error"] != tt.want {
			t.Errorf("GET /admin/api/stats?days=%s&lang=%s = %d %v; want 400 %q", tt.days, tt.lang, res.StatusCode, body, tt.want)
		}
	}
}

// TestTeachAPI gives an unanswered question a topic, marks one out of
// scope, and checks that mistakes change nothing.
func TestTeachAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := initData(adminID, "en", f.now)
	id := stats.QuestionID("考試費用多少")
	before, _ := f.store.Question(t.Context(), id)
	tests := []struct {
		name, path, body string
		want             int
		wantText         string
	}{
		{"not a topic", "/admin/api/unanswered/" + id, "topic=fees", 400, "“fees” is not a topic"},
		{"no topic", "/admin/api/unanswered/" + id, "topic=", 400, "is not a topic"},
		{"no such question", "/admin/api/unanswered/123", "topic=materials", 404, "no longer in the list"},
		{"not a question id", "/admin/api/unanswered/..%2f..", "topic=materials", 404, "no longer in the list"},
		{"too long", "/admin/api/unanswered/" + id, "topic=" + strings.Repeat("a", 5000), 400, "could not be read"},
	}
	for _, tt := range tests {
		res := call(t, f.h, "POST", tt.path, admin, tt.body)
		if got := read(t, res); res.StatusCode != tt.want || !strings.Contains(got, tt.wantText) {
			t.Errorf("%s: POST %s %s = %d %s; want %d with %q", tt.name, tt.path, tt.body, res.StatusCode, got, tt.want, tt.wantText)
		}
	}
	if q, err := f.store.Question(t.Context(), id); err != nil || q != before {
		t.Errorf("the question after the mistakes = %+v, %v; want %+v unchanged", q, err, before)
	}
	res := call(t, f.h, "POST", "/admin/api/unanswered/"+id, admin, "topic=materials")
	if got := read(t, res); res.StatusCode != 200 || !strings.Contains(got, "Taught: “考試費用多少” is now answered with “What to bring”.") || strings.Contains(got, "<q>考試費用多少</q>") {
		t.Errorf("POST topic=materials = %d %s; want the notice and the list without it", res.StatusCode, got)
	}
	exs, _, _ := f.store.Examples(t.Context())
	if len(exs) != 1 || exs[0].Topic != "materials" || exs[0].By != "tg:4242" || exs[0].Text != "考試費用多少" {
		t.Errorf("Examples() = %+v; want 考試費用多少 → materials by tg:4242", exs)
	}
	if res := call(t, f.h, "POST", "/admin/api/unanswered/"+id, admin, "topic=materials"); res.StatusCode != 404 {
		t.Errorf("POST again = %d; want 404", res.StatusCode)
	}
	park := stats.QuestionID("is there parking near the centre")
	res = call(t, f.h, "POST", "/admin/api/unanswered/"+park+"?lang=zh-Hant", admin, "topic="+stats.OffTopic)
	if got := read(t, res); res.StatusCode != 200 || !strings.Contains(got, "已標為範圍以外") {
		t.Errorf("POST topic=off_topic = %d %s; want the notice in zh-Hant", res.StatusCode, got)
	}
	if exs, _, _ := f.store.Examples(t.Context()); len(exs) != 2 || exs[1].Topic != stats.OffTopic {
		t.Errorf("Examples() = %+v; want the off-topic one second", exs)
	}
}

// TestPages checks the pages' HTML: the charts, the lists, every text in
// the language asked for, the user's texts escaped.
func TestPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.store.Record(t.Context(), stats.Events{At: f.now, User: 99, Lang: "en", Unanswered: "<script>alert(1)</script> & more"})
	admin := initData(adminID, "en", f.now)
	tests := []struct {
		path string
		want []string
	}{
		{"/admin/api/overview?days=7", []string{`<svg class="chart"`, "Users per day", "Years in the occupation", "Level 3 Assistant Specialist", "Photo"}},
		{"/admin/api/overview?days=90&lang=zh-Hant", []string{"每日用戶", "本職業工作年數", "三級 助理電子商務師", "照片"}},
		{"/admin/api/unanswered", []string{"考試費用多少", `<option value="photo">Photo</option>`, "script alert 1 script more", `value="off_topic"`}},
		{"/admin/api/broadcasts?lang=zh-Hans", []string{"b-20261205T020000-abcdef", "发送中", "已发送 80／120", "cli:alice"}},
		{"/admin/api/calendar", []string{"Registration", "-09-01 – ", "Admission tickets"}},
	}
	for _, tt := range tests {
		res := call(t, f.h, "GET", tt.path, admin, "")
		got := read(t, res)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("GET %s = %d, %d bytes; want %q in it", tt.path, res.StatusCode, len(got), w)
			}
		}
		if strings.Contains(got, "dashboard.") || strings.Contains(got, "<script") {
			t.Errorf("GET %s has an unrendered key or a script:\n%s", tt.path, got)
		}
	}
}

// TestStatic checks the page and its files, served to anyone, with a
// policy that lets it load nothing but its own files and Telegram's
// script.
func TestStatic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tt := range []struct{ path, typ, want string }{
		{"/admin/", "text/html", `src="https://telegram.org/js/telegram-web-app.js"`},
		{"/admin/static/app.js", "javascript", "tgWebAppData"},
		{"/admin/static/app.css", "text/css", "--tg-theme-bg-color"},
		{"/admin/ui.json?lang=zh-Hant", "application/json", "管理面板"},
		{"/admin/ui.json?lang=fr", "application/json", "examdesk dashboard"},
	} {
		res := call(t, f.h, "GET", tt.path, "", "")
		got := read(t, res)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), tt.typ) || !strings.Contains(got, tt.want) {
			t.Errorf("GET %s = %d %s; want %s with %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.typ, tt.want)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' https://telegram.org") {
			t.Errorf("GET %s: Content-Security-Policy %q", tt.path, csp)
		}
	}
}
