package bot_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"

	"examdesk/bot"
	"examdesk/locales"
	"examdesk/telegramtest"
)

// TestSetAdminMenu checks an administrator's own menu: the candidates'
// commands then theirs, in their language, and the dashboard's button
// only when there is a dashboard URL.
func TestSetAdminMenu(t *testing.T) {
	t.Parallel()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.NewServer(token)
	t.Cleanup(srv.Close)
	api, err := tgbot.New(token, tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe(), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	sender := bot.NewSender(api, catalog, slog.New(slog.NewTextHandler(io.Discard, nil)), bot.NewMetrics(prometheus.NewRegistry(), nil), bot.SenderOptions{Backoff: time.Millisecond})
	ctx := context.Background()

	if err := sender.SetAdminMenu(ctx, 7, "zh-Hant", ""); err != nil {
		t.Fatalf("SetAdminMenu(7, zh-Hant, no URL) = %v", err)
	}
	cmds := srv.Commands("chat:7", "")
	var names []string
	for _, c := range cmds {
		names = append(names, c.Command)
	}
	want := append(append([]string{}, bot.Commands...), "broadcast", "broadcasts", "calendar", "stats", "unanswered")
	if len(names) != len(want) {
		t.Fatalf("chat 7's commands = %v; want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("chat 7's commands = %v; want %v", names, want)
		}
	}
	if got := cmds[len(cmds)-1].Description; got != "機械人未能回答的問題" {
		t.Errorf("/unanswered is described as %q in zh-Hant", got)
	}
	if b := srv.MenuButton(7); b.Type != "default" {
		t.Errorf("menu button without a URL = %+v; want the default", b)
	}

	url := "https://desk.example.org/admin/?lang=en"
	if err := sender.SetAdminMenu(ctx, 7, "en", url); err != nil {
		t.Fatalf("SetAdminMenu(7, en, URL) = %v", err)
	}
	if b := srv.MenuButton(7); b.Type != "web_app" || b.Text != "Dashboard" || b.WebApp == nil || b.WebApp.URL != url {
		t.Errorf("menu button of chat 7 = %+v; want Dashboard opening %s", b, url)
	}
	if b := srv.MenuButton(8); b.Type != "default" {
		t.Errorf("menu button of another chat = %+v; want the default", b)
	}
	if got := srv.Commands("chat:7", "")[len(bot.Commands)].Description; got != "Write a notice to the subscribers" {
		t.Errorf("/broadcast is described as %q in en", got)
	}
	// Telegram opens Mini Apps over https only.
	if err := sender.SetAdminMenu(ctx, 7, "en", "http://desk.example.org/admin/"); err == nil {
		t.Errorf("SetAdminMenu with an http URL = nil; want Telegram's refusal")
	}
}
