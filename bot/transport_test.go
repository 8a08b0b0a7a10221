package bot_test

import (
	"errors"
	"strconv"
	"testing"

	"examdesk/bot"
	"examdesk/conversation"
)

// TestTransport checks how the Telegram transport tells the pipeline of
// Telegram's answers, and which chats get a command menu of their own.
func TestTransport(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	tr := bot.NewTransport(f.sender, stubMessages, bot.TransportOptions{
		Admins:    []int64{7},
		Dashboard: func(lang string) string { return "https://desk.example.org/admin/?lang=" + lang },
	})
	for _, tc := range []struct {
		name      string
		code      int
		desc      string
		blocked   bool
		rejected  bool
		wantError bool
	}{
		{"sent", 0, "", false, false, false},
		{"blocked", 403, "Forbidden: bot was blocked by the user", true, false, true},
		{"refused", 400, "Bad Request: can't parse entities", false, true, true},
		{"not found", 404, "Not Found", false, false, true},
	} {
		if tc.code != 0 {
			f.srv.Fail("sendMessage", tc.code, tc.desc, 1)
		}
		err := tr.Send(t.Context(), 42, conversation.Message{Text: "hi"})
		if (err != nil) != tc.wantError || errors.Is(err, conversation.ErrBlocked) != tc.blocked || errors.Is(err, conversation.ErrRejected) != tc.rejected {
			t.Errorf("%s: Send = %v; want blocked %v, rejected %v", tc.name, err, tc.blocked, tc.rejected)
		}
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
