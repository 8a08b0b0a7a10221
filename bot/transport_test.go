package bot_test

import (
	"errors"
	"testing"

	"examdesk/bot"
	"examdesk/conversation"
)

// TestTransport checks how the Telegram transport tells the pipeline of
// Telegram's answers, and which chats get a command menu of their own.
func TestTransport(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	tr := bot.NewTransport(f.sender, stubMessages)
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
}
