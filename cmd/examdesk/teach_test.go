package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"examdesk/dashboard"
	"examdesk/redisstore/redistest"
	"examdesk/stats"
	"examdesk/telegramtest"
)

// TestServeTeaching is issue 12 end to end, through the fake Bot API, with
// two serves on one Redis: candidates complete and give up checks and ask
// what the bot cannot answer; /stats, /unanswered, `examdesk stats --json`
// and the dashboard's API show exactly those numbers; an administrator
// gives a question a topic, and the other serve, alone then, answers it
// with that topic once it has learned it; /forget removes the user's
// unanswered question; the administrator's menus are theirs.
func TestServeTeaching(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	var serves []*served
	for range 2 {
		env := serveEnv(t, fake, srv.URL)
		env["EXAMDESK_ADMINS"] = "900"
		env["EXAMDESK_PUBLIC_URL"] = "https://desk.example.org"
		env["WEBHOOK_URL"] = "http://" + env["HTTP_ADDR"] + "/telegram/hook"
		env["WEBHOOK_SECRET"] = "teach-token_1"
		serves = append(serves, startServe(t, fake, env))
	}
	// Telegram posts every update to the webhook set last, the second
	// serve's; the chats are handled by the workers of both.
	deliver := func(u telegramtest.Update) {
		u.ID = nextUpdateID()
		resp, err := fake.Deliver(context.Background(), u)
		if err != nil {
			t.Errorf("deliver: %v", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("webhook answered %d; want 200", resp.StatusCode)
		}
	}
	candidate := func(id int64, lang string) *chat {
		c := newChat(t, fake, id, lang)
		c.deliver = deliver
		return c
	}

	// The administrator's menu at start: their commands, and the
	// dashboard's button in the language they never chose.
	if b := fake.MenuButton(adminUser); b.WebApp == nil || b.WebApp.URL != "https://desk.example.org/admin/?lang=zh-Hans" {
		t.Errorf("menu button of the administrator at start = %+v; want the dashboard in zh-Hans", b)
	}

	// A check completed, with a topic asked in the middle.
	c1 := candidate(3001, "en")
	c1.say("/start", "E-commerce")
	c1.press("Check my eligibility", "Question 1.")
	c1.say("7 years", "Question 2.")
	c1.say("What size is the photo?", "Question 2.")
	c1.press("Bachelor", "Question 3.")
	c1.press("None", "Question 4.")
	c1.say("3", "3.1")
	// Given up at the second question; at the first, twice.
	c2 := candidate(3002, "zh-HK")
	c2.say("/check", "第1題")
	c2.say("三年", "第2題")
	c2.say("/cancel", "")
	c3 := candidate(3003, "en")
	c3.say("/check", "Question 1.")
	c3.say("/restart", "Question 1.")
	c3.say("/cancel", "")
	// Questions the bot cannot answer, and small talk, which is none.
	c4 := candidate(3004, "en")
	c4.say("where can I park my car", "don't know")
	c4.say("hello", "")
	c4.say("How much is the exam fee?", "")
	c5 := candidate(3005, "zh-HK")
	c5.say("Where can I park my car?", "don't know")
	c5.say("Is there a canteen?", "don't know")

	d := &desk{t: t, fake: fake, id: adminUser, deliver: deliver}
	report := d.say("/stats", "The last 7 days")
	for _, want := range []string{
		"New users: 5 ", "Messages: 18 · not answered: 4", "Checks: 4 started, 1 completed, 3 given up",
		"Highest level: 4 ×0 · 3 ×1 · 2 ×0 · 1 ×0 · none ×0", "Unanswered questions kept: 3",
	} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("/stats = %q; want it to say %q", report.Text, want)
		}
	}
	n := len(botMessages(fake, adminUser))
	d.say("/unanswered", "3. “is there a canteen”")
	var items []string
	for _, m := range botMessages(fake, adminUser)[n:] {
		if strings.Contains(m.Text, "times by") {
			// The header comes with the first question, as Telegram
			// renders a message without buttons and the next.
			_, item, _ := strings.Cut(m.Text, "\n\n")
			if item == "" {
				item = m.Text
			}
			items = append(items, item)
		}
	}
	today := stats.Day(time.Now())
	if want := []string{
		"1. “where can i park my car”\nasked 2 times by 2 users, last on " + today,
		"2. “how much is the exam fee”\nasked 1 times by 1 users, last on " + today,
		"3. “is there a canteen”\nasked 1 times by 1 users, last on " + today,
	}; !slices.Equal(items, want) {
		t.Errorf("/unanswered = %q; want %q", items, want)
	}

	// The same numbers in the CLI and the dashboard's API, the
	// administrator's two messages now among them.
	env := map[string]string{"REDIS_URL": srv.URL}
	code, stdout, stderr := cli(t, env, "stats", "--days", "1", "--json")
	want := fmt.Sprintf(`{"days":[{"date":"%s","new_users":6,"active_users":6,"messages":20,"checks_started":4,"checks_completed":1,"dont_know":4}],`+
		`"funnel":[{"question":"occupation_years","reached":4,"answered":2},{"question":"education","reached":2,"answered":1},`+
		`{"question":"certificate","reached":1,"answered":1},{"question":"years_since_graduation","reached":1,"answered":1}],`+
		`"results":{"0":0,"4":0,"3":1,"2":0,"1":0},"topics":%s,`+
		`"unanswered":[{"text":"where can i park my car","count":2,"last":"%[1]s"},{"text":"how much is the exam fee","count":1,"last":"%[1]s"},{"text":"is there a canteen","count":1,"last":"%[1]s"}]}`+"\n",
		today, topicsJSON(t, map[string]int{"photo": 1}))
	if code != 0 || stdout != want {
		t.Errorf("examdesk stats --days 1 --json = %d, %s%s; want\n%s", code, stdout, stderr, want)
	}
	if got := adminAPI(t, serves[0], "/admin/api/stats?days=1"); got != stdout {
		t.Errorf("GET /admin/api/stats?days=1 = %s; want what the CLI prints, %s", got, stdout)
	}

	// The administrator gives the most asked question a topic.
	var item telegramtest.ChatMessage
	for _, m := range botMessages(fake, adminUser) {
		if strings.Contains(m.Text, "1. “where can i park my car”") {
			item = m
		}
	}
	choose := d.press(item, "Choose a topic…", "Which topic answers “where can i park my car”?")
	d.press(choose, "Addresses", "Taught: “where can i park my car” is now answered with Addresses")

	// /forget removes the user's unanswered question; the others stay.
	c5.say("/forget", "")
	c5.press("Yes, delete everything", "")
	code, stdout, stderr = cli(t, env, "stats", "--days", "1", "--json")
	var r stats.Report
	if err := json.Unmarshal([]byte(stdout), &r); code != 0 || err != nil {
		t.Fatalf("examdesk stats --json = %d, %s%s (%v)", code, stdout, stderr, err)
	}
	var left []string
	for _, q := range r.Unanswered {
		left = append(left, fmt.Sprintf("%s ×%d", q.Text, q.Count))
	}
	if want := []string{"how much is the exam fee ×1"}; !slices.Equal(left, want) {
		t.Errorf("unanswered after teaching one and /forget of the user of another = %q; want %q", left, want)
	}

	// The administrator's /lang sets their own menu, in that language.
	d.say("/lang zh-TW", "")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func([]telegramtest.Call) bool {
		b := fake.MenuButton(adminUser)
		return b.WebApp != nil && b.WebApp.URL == "https://desk.example.org/admin/?lang=zh-Hant"
	}); err != nil {
		t.Errorf("menu button after /lang zh-TW = %+v; want the dashboard in zh-Hant", fake.MenuButton(adminUser))
	}
	found := false
	for _, c := range fake.Commands("chat:900", "") {
		found = found || (c.Command == "unanswered" && c.Description == "機械人未能回答的問題")
	}
	if !found {
		t.Errorf("the administrator's commands after /lang zh-TW = %+v; want theirs in zh-Hant", fake.Commands("chat:900", ""))
	}

	// The first serve stops; the other answers the question with its
	// topic once it has learned it. The test waits as long as that takes.
	serves[0].shutdown(t)
	c6 := candidate(3006, "en")
	start := time.Now()
	for asked := 1; ; asked++ {
		got := c6.say("where can I park my car", "")
		text := got[len(got)-1].Params["text"]
		if strings.Contains(text, "546 Huifu East Road") {
			t.Logf("the other serve answered with the topic at the %d. asking, %v after the first", asked, time.Since(start).Round(10*time.Millisecond))
			break
		}
		if !strings.Contains(text, "don't know") {
			t.Fatalf("asked %d times: %q; want I don't know until the topic", asked, text)
		}
		select {
		case <-t.Context().Done():
			t.Fatal("the test ended before the topic was learned")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// topicsJSON is the report's "topics": every topic, with counts.
func topicsJSON(t testing.TB, counts map[string]int) string {
	t.Helper()
	topics, err := faqTopics()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]int{}
	for _, id := range topics {
		all[id] = counts[id]
	}
	data, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// adminAPI gets path of serve s's dashboard API as the administrator, as
// the Mini App does.
func adminAPI(t testing.TB, s *served, path string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+s.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "tma "+dashboard.SignUser(dashboard.User{ID: adminUser}, time.Now(), testToken))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}
