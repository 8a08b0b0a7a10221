package bot_test

import (
	"errors"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"examdesk/bot"
	"examdesk/conversation"
	"examdesk/telegramtest"
)

// TestTransport checks how the Telegram transport tells the pipeline of
// Telegram's answers, and which chats get a command menu of their own.
func TestTransport(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	sender := bot.NewSender(f.api, stubMessages, slog.New(slog.DiscardHandler), nil, bot.SenderOptions{Attempts: 1, Second: time.Millisecond})
	tr := bot.NewTransport(sender, stubMessages, bot.TransportOptions{
		Admins:    []int64{7},
		Dashboard: func(lang string) string { return "https://desk.example.org/admin/?lang=" + lang },
	})
	for _, tc := range []struct {
		name      string
		code      int
		desc      string
		retry     int
		blocked   bool
		rejected  bool
		after     time.Duration // of a *RetryAfterError
		wantError bool
	}{
		{"sent", 0, "", 0, false, false, 0, false},
		{"blocked", 403, "Forbidden: bot was blocked by the user", 0, true, false, 0, true},
		{"refused", 400, "Bad Request: can't parse entities", 0, false, true, 0, true},
		{"too many", 429, "", 35, false, false, 35 * time.Millisecond, true},
		{"not found", 404, "Not Found", 0, false, false, 0, true},
		{"bad gateway", 502, "Bad Gateway", 0, false, false, 0, true},
	} {
		if tc.code != 0 {
			f.srv.Fail("sendMessage", tc.code, tc.desc, 1, telegramtest.RetryAfter(tc.retry))
		}
		err := tr.Send(t.Context(), 42, conversation.Message{Text: "hi"})
		var later *conversation.RetryAfterError
		after := time.Duration(0)
		if errors.As(err, &later) {
			after = later.After
		}
		if (err != nil) != tc.wantError || errors.Is(err, conversation.ErrBlocked) != tc.blocked || errors.Is(err, conversation.ErrRejected) != tc.rejected || after != tc.after {
			t.Errorf("%s: Send = %v; want blocked %v, rejected %v, retry after %v", tc.name, err, tc.blocked, tc.rejected, tc.after)
		}
	}
	// One call each: the pipeline retries, not the transport.
	if got, want := len(f.srv.CallsTo("sendMessage")), 6; got != want {
		t.Errorf("sendMessage calls = %d; want %d, one a Send", got, want)
	}
	for _, tc := range []struct{ code, lang, want string }{
		{"en", "en", ""},
		{"en", "zh-Hant", "zh-Hant"},
		{"zh-CN", "zh-Hans", ""},
		{"zh-TW", "zh-Hant", "zh-Hant"},
		{"zh-TW", "zh-Hans", ""},
		{"fr", "zh-Hans", "zh-Hans"},
	} {
		if got := tr.Menu(tc.code, tc.lang); got != tc.want {
			t.Errorf("Menu(%q, %q) = %q; want %q", tc.code, tc.lang, got, tc.want)
		}
	}

	// A candidate's menu is the candidates' commands; an administrator's
	// their own, with the dashboard's button.
	for _, chat := range []int64{42, 7} {
		if err := tr.SetMenu(t.Context(), chat, "zh-Hant"); err != nil {
			t.Fatalf("SetMenu(%d) = %v", chat, err)
		}
	}
	for _, tc := range []struct {
		chat   int64
		admin  bool
		button string
	}{{42, false, ""}, {7, true, "https://desk.example.org/admin/?lang=zh-Hant"}} {
		admin := false
		for _, c := range f.srv.Commands("chat:"+strconv.FormatInt(tc.chat, 10), "") {
			admin = admin || c.Command == "unanswered"
		}
		url := ""
		if b := f.srv.MenuButton(tc.chat); b.WebApp != nil {
			url = b.WebApp.URL
		}
		if admin != tc.admin || url != tc.button {
			t.Errorf("SetMenu(%d): administrator's commands %v, menu button %q; want %v, %q", tc.chat, admin, url, tc.admin, tc.button)
		}
	}
}
