package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"

	"examdesk"
	"examdesk/bot"
	"examdesk/dashboard"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/stats"
	"examdesk/stats/statstest"
	"examdesk/telegramtest"
)

// TestTeaching checks what serve is to wire for the administrators: the
// commands, the dashboard under /admin/ for them only, and their menus.
func TestTeaching(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := newApp(ctx, func(string) string { return "" }, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cfg := config{token: "123456:teach", admins: []int64{7, 8}, publicURL: "https://desk.example.org"}
	tt := newTeaching(a, cfg, a.store.Broadcasts(0), log)
	var names []string
	for _, c := range tt.commands {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, " "); got != "stats unanswered help" {
		t.Errorf("commands = %s; want stats unanswered help", got)
	}
	if r := candidatesHelp(a.engine)("en"); len(r.Messages) == 0 || r.Messages[0].Text.Key != "help" || len(r.Messages[0].Options) == 0 {
		t.Errorf("candidatesHelp(en) = %+v; want the help with its topics", r)
	}
	for _, c := range []struct {
		user int64
		want int
	}{{0, http.StatusUnauthorized}, {9, http.StatusForbidden}, {7, http.StatusOK}} {
		r := httptest.NewRequest("GET", "/admin/api/stats?days=3", nil)
		if c.user != 0 {
			r.Header.Set("Authorization", "tma "+dashboard.SignUser(dashboard.User{ID: c.user}, time.Now(), cfg.token))
		}
		w := httptest.NewRecorder()
		tt.dashboard.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("GET /admin/api/stats as %d = %d %s; want %d", c.user, w.Code, w.Body, c.want)
		}
	}

	// Menus: 7 chose English with /lang, 8 never chose.
	if err := a.store.Save(ctx, examdesk.Key{Chat: 7, User: 7}, dialog.State{Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.NewServer("123456:teach")
	defer srv.Close()
	api, err := tg.New("123456:teach", tg.WithServerURL(srv.URL()), tg.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	sender := bot.NewSender(api, a.catalog, log, bot.NewMetrics(prometheus.NewRegistry(), nil), bot.SenderOptions{})
	if err := setAdminMenus(context.Background(), sender, a.store, cfg.admins, cfg.publicURL, log); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		chat       int64
		url, stats string
	}{
		{7, "https://desk.example.org/admin/?lang=en", "The last 7 days in numbers"},
		{8, "https://desk.example.org/admin/?lang=zh-Hans", "最近 7 天的数字"},
	} {
		if b := srv.MenuButton(c.chat); b.WebApp == nil || b.WebApp.URL != c.url {
			t.Errorf("menu button of %d = %+v; want %s", c.chat, b, c.url)
		}
		found := false
		for _, cmd := range srv.Commands("chat:"+itoa64(c.chat), "") {
			found = found || (cmd.Command == "stats" && cmd.Description == c.stats)
		}
		if !found {
			t.Errorf("menu of %d = %+v; want /stats %q", c.chat, srv.Commands("chat:"+itoa64(c.chat), ""), c.stats)
		}
	}
	if got := dashboardURL("", "en"); got != "" {
		t.Errorf(`dashboardURL("", en) = %q; want ""`, got)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestPublicURLConfig(t *testing.T) {
	t.Parallel()
	env := func(public string) func(string) string {
		return func(k string) string {
			switch k {
			case "TELEGRAM_BOT_TOKEN":
				return "123456:abc"
			case "EXAMDESK_PUBLIC_URL":
				return public
			}
			return ""
		}
	}
	for _, c := range []struct{ in, want, problem string }{
		{"", "", ""},
		{"https://desk.example.org/", "https://desk.example.org", ""},
		{" https://example.org/examdesk ", "https://example.org/examdesk", ""},
		{"http://desk.example.org", "", "EXAMDESK_PUBLIC_URL"},
		{"desk.example.org", "", "EXAMDESK_PUBLIC_URL"},
		{"https://desk.example.org/?x=1", "", "EXAMDESK_PUBLIC_URL"},
	} {
		cfg, err := loadConfig(env(c.in))
		switch {
		case c.problem == "" && (err != nil || cfg.publicURL != c.want):
			t.Errorf("EXAMDESK_PUBLIC_URL=%q: %q, %v; want %q", c.in, cfg.publicURL, err, c.want)
		case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
			t.Errorf("EXAMDESK_PUBLIC_URL=%q: %v; want a problem naming %s", c.in, err, c.problem)
		}
	}
}

// TestLearner checks that the examples taught reach the matcher serve
// answers with, an off-topic one as refused: run until it has learned
// both, as serve runs it.
func TestLearner(t *testing.T) {
	t.Parallel()
	matcher, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	store := &statstest.Store{}
	ctx := t.Context()
	now := time.Now()
	for user, text := range map[int64]string{1: "where can I park my car", 2: "is there parking near the centre"} {
		if err := store.Record(ctx, stats.Events{At: now, User: user, Lang: "en", Message: true, Unanswered: text}); err != nil {
			t.Fatal(err)
		}
	}
	for text, topic := range map[string]string{"where can i park my car": "location", "is there parking near the centre": stats.OffTopic} {
		if _, err := store.Teach(ctx, stats.QuestionID(text), topic, "tg:7", now); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncBuffer
	l := &learner{teacher: store, matcher: matcher, log: slog.New(slog.NewJSONHandler(&logs, nil)), poll: 10 * time.Millisecond}
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Run(run) }()
	for !strings.Contains(logs.String(), `"version":2`) {
		select {
		case <-ctx.Done():
			t.Fatal("the test ended before the examples were learned")
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v; want nil", err)
	}
	if got := matcher.Best("Where can I park my car?"); got.Kind != faq.Topic || got.Topic != "location" {
		t.Errorf("Best(where can I park my car) = %+v; want location", got)
	}
	if got := matcher.Best("is there parking near the centre?"); got.Kind != faq.Unknown || got.Subject != faq.OffTopic {
		t.Errorf("Best(is there parking near the centre) = %+v; want refused as off_topic", got)
	}
	if strings.Contains(logs.String(), "park") {
		t.Errorf("the logs carry the examples' text:\n%s", logs.String())
	}
}
