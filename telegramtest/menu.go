package telegramtest

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MenuButton is a chat's menu button, as setChatMenuButton takes it: type
// "commands", "web_app" (with Text and WebApp) or "default".
type MenuButton struct {
	Type   string      `json:"type"`
	Text   string      `json:"text,omitempty"`
	WebApp *WebAppInfo `json:"web_app,omitempty"`
}

// WebAppInfo is the Mini App a button opens.
type WebAppInfo struct {
	URL string `json:"url"`
}

// MenuButton returns the menu button set with setChatMenuButton for chatID,
// or for the bot's default when chatID is 0; {Type: "default"} when none
// was set.
func (s *Server) MenuButton(chatID int64) MenuButton {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.menus[chatID]; ok {
		return b
	}
	return MenuButton{Type: "default"}
}

// setChatMenuButton sets a private chat's menu button, or the default one
// without chat_id, checking it as Telegram does: a web_app button needs a
// text and an https URL.
func (s *Server) setChatMenuButton(_ context.Context, p params) reply {
	var chat int64
	if p.has("chat_id") {
		id, err := chatID(p)
		if err != nil {
			return reply{err: err}
		}
		if id < 0 {
			return badRequest("chat_id must be a private chat")
		}
		chat = id
	}
	b := MenuButton{Type: "default"}
	if raw := p["menu_button"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			return badRequest("can't parse menu button JSON object")
		}
	}
	switch b.Type {
	case "default", "commands":
		b.Text, b.WebApp = "", nil
	case "web_app":
		if t := strings.TrimSpace(b.Text); t == "" || utf8.RuneCountInString(t) > 64 {
			return badRequest("BUTTON_TEXT_INVALID")
		}
		if b.WebApp == nil {
			return badRequest("web app is required")
		}
		if u, err := url.Parse(b.WebApp.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			return badRequest("BUTTON_URL_INVALID")
		}
	default:
		return badRequest("unsupported menu button type")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.menus == nil {
		s.menus = map[int64]MenuButton{}
	}
	s.menus[chat] = b
	return ok(true)
}

func (s *Server) getChatMenuButton(_ context.Context, p params) reply {
	var chat int64
	if p.has("chat_id") {
		id, err := chatID(p)
		if err != nil {
			return reply{err: err}
		}
		chat = id
	}
	return ok(s.MenuButton(chat))
}
