package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxTextLength is the longest message text Telegram takes, in characters
// of the text after its markup is parsed.
const maxTextLength = 4096

// chat is what the fake remembers of a chat.
type chat struct {
	lastID int            // the last message_id used
	msgs   []*ChatMessage // messages not deleted, oldest first
}

// chat returns chat id, creating it. s.mu must be held.
func (s *Server) chat(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{}
		s.chats[id] = c
	}
	return c
}

func (c *chat) find(id int) *ChatMessage {
	for _, m := range c.msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Messages returns the messages of chatID as they stand: the user's and the
// bot's, oldest first, with edits applied and deleted ones gone.
func (s *Server) Messages(chatID int64) []ChatMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChatMessage
	if c := s.chats[chatID]; c != nil {
		for _, m := range c.msgs {
			out = append(out, *m)
		}
	}
	return out
}

// Commands returns the commands set with setMyCommands for scope and
// language code lang ("" for none). The scope is its type ("" is "default"),
// followed for a chat scope by ":" and the chat_id, and for chat_member by
// ":" and the user_id too: "chat:42", "chat_member:42:7".
func (s *Server) Commands(scope, lang string) []BotCommand {
	if scope == "" {
		scope = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[scope+"|"+lang])
}

// chatID reads the chat_id parameter.
func chatID(p params) (int64, *apiError) {
	raw := strings.TrimSpace(p["chat_id"])
	if raw == "" {
		return 0, &apiError{code: 400, description: "Bad Request: chat_id is empty"}
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id == 0 {
		return 0, &apiError{code: 400, description: "Bad Request: chat not found"}
	}
	return id, nil
}

// messageText reads and checks the text, parse_mode and entities
// parameters, returning the text as Telegram shows it and its entities.
func messageText(p params) (string, []Entity, *apiError) {
	bad := func(d string) (string, []Entity, *apiError) {
		return "", nil, &apiError{code: 400, description: "Bad Request: " + d}
	}
	text := p["text"]
	if !utf8.ValidString(text) {
		return bad("strings must be encoded in UTF-8")
	}
	if text == "" {
		return bad("message text is empty")
	}
	var (
		plain = text
		ents  []Entity
	)
	if raw := p["entities"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &ents); err != nil {
			return bad("can't parse entities JSON object")
		}
	} else {
		var err error
		plain, ents, err = parseText(text, p["parse_mode"])
		if errors.Is(err, errUnsupportedParseMode) {
			return bad("unsupported parse_mode")
		}
		if err != nil {
			return bad("can't parse entities: " + err.Error())
		}
	}
	if strings.TrimSpace(plain) == "" {
		return bad("message text is empty")
	}
	if utf8.RuneCountInString(plain) > maxTextLength {
		return bad("message is too long")
	}
	if raw := p["link_preview_options"]; raw != "" && !json.Valid([]byte(raw)) {
		return bad("can't parse link preview options JSON object")
	}
	return plain, ents, nil
}

func (s *Server) getMe(context.Context, params) reply {
	return ok(struct {
		User
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
		CanConnectToBusiness    bool `json:"can_connect_to_business"`
		HasMainWebApp           bool `json:"has_main_web_app"`
	}{User: s.me, CanJoinGroups: true})
}

func (s *Server) sendMessage(_ context.Context, p params) reply {
	markup, errText := parseMarkup(p["reply_markup"])
	if errText != "" {
		return fail(400, errText)
	}
	text, ents, err := messageText(p)
	if err != nil {
		return reply{err: err}
	}
	id, err := chatID(p)
	if err != nil {
		return reply{err: err}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	return ok(s.post(id, ChatMessage{Text: text, Entities: ents, ReplyMarkup: markup}))
}

// post records m as the bot's next message in chat id and returns it as
// Telegram does, numbered, dated and from the bot. s.mu must be held.
func (s *Server) post(id int64, m ChatMessage) ChatMessage {
	c := s.chat(id)
	c.lastID++
	me := s.me
	m.ID, m.From, m.Date, m.Chat = c.lastID, &me, time.Now().Unix(), chatOf(id)
	c.msgs = append(c.msgs, &m)
	return m
}

// botMessage finds the message an edit is about. s.mu must be held.
func (s *Server) botMessage(p params) (*ChatMessage, *apiError) {
	if p.has("inline_message_id") {
		return nil, &apiError{code: 400, description: "Bad Request: MESSAGE_ID_INVALID"}
	}
	id, err := chatID(p)
	if err != nil {
		return nil, err
	}
	msgID := p.int("message_id", 0)
	if msgID <= 0 {
		return nil, &apiError{code: 400, description: "Bad Request: message identifier is not specified"}
	}
	m := s.chat(id).find(int(msgID))
	if m == nil {
		return nil, &apiError{code: 400, description: "Bad Request: message to edit not found"}
	}
	if m.From == nil || m.From.ID != s.me.ID {
		return nil, &apiError{code: 400, description: "Bad Request: message can't be edited"}
	}
	return m, nil
}

const notModified = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message"

// editMessageText replaces a message's text and, as in Telegram, its inline
// keyboard: an edit without reply_markup removes the keyboard.
func (s *Server) editMessageText(_ context.Context, p params) reply {
	markup, errText := parseMarkup(p["reply_markup"])
	if errText != "" {
		return fail(400, errText)
	}
	text, ents, err := messageText(p)
	if err != nil {
		return reply{err: err}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.botMessage(p)
	if err != nil {
		return reply{err: err}
	}
	if m.Text == text && slices.Equal(m.Entities, ents) && sameMarkup(m.ReplyMarkup, markup) {
		return fail(400, notModified)
	}
	m.Text, m.Entities, m.ReplyMarkup, m.EditDate = text, ents, markup, time.Now().Unix()
	return ok(*m)
}

func (s *Server) deleteMessage(_ context.Context, p params) reply {
	id, err := chatID(p)
	if err != nil {
		return reply{err: err}
	}
	msgID := p.int("message_id", 0)

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(id)
	i := slices.IndexFunc(c.msgs, func(m *ChatMessage) bool { return int64(m.ID) == msgID })
	if i < 0 {
		return badRequest("message to delete not found")
	}
	c.msgs = slices.Delete(c.msgs, i, i+1)
	return ok(true)
}

func (s *Server) answerCallbackQuery(_ context.Context, p params) reply {
	id := p["callback_query_id"]
	if utf8.RuneCountInString(p["text"]) > 200 {
		return badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	answered, known := s.queries[id]
	if !known || answered {
		return badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.queries[id] = true
	return ok(true)
}

// commandsKey returns the key of the commands for the scope and
// language_code parameters.
func commandsKey(p params) (string, *apiError) {
	key := "default"
	if raw := p["scope"]; raw != "" {
		var scope struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"`
			UserID json.RawMessage `json:"user_id"`
		}
		if err := json.Unmarshal([]byte(raw), &scope); err != nil {
			return "", &apiError{code: 400, description: "Bad Request: can't parse BotCommandScope JSON object"}
		}
		key = scope.Type
		switch scope.Type {
		case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		case "chat", "chat_administrators":
			key += ":" + strings.Trim(string(scope.ChatID), `"`)
		case "chat_member":
			key += ":" + strings.Trim(string(scope.ChatID), `"`) + ":" + string(scope.UserID)
		default:
			return "", &apiError{code: 400, description: "Bad Request: unsupported type of BotCommandScope specified"}
		}
	}
	return key + "|" + p["language_code"], nil
}

func (s *Server) setMyCommands(_ context.Context, p params) reply {
	raw, present := p["commands"]
	if !present {
		return badRequest(`parameter "commands" is required`)
	}
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return badRequest("BOT_COMMAND_INVALID")
		}
		if d := strings.TrimSpace(c.Description); d == "" || utf8.RuneCountInString(d) > 256 {
			return badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, err := commandsKey(p)
	if err != nil {
		return reply{err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return ok(true)
}

// validCommand reports whether Telegram takes name as a command: 1 to 32
// lower-case letters, digits and underscores.
func validCommand(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z') && !('0' <= c && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}
