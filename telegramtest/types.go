package telegramtest

import (
	"strconv"
	"time"
	"unicode/utf16"
)

// Update is an incoming update, shaped like the Bot API's Update object. The
// fake covers the kinds of update a dialog bot handles; build them with
// Message and Callback, or fill the fields yourself.
type Update struct {
	ID            int64          `json:"update_id"`
	Message       *ChatMessage   `json:"message,omitempty"`
	EditedMessage *ChatMessage   `json:"edited_message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// Kind returns the update's type as allowed_updates names it ("message",
// "edited_message", "callback_query"), or "" for an empty update.
func (u Update) Kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	}
	return ""
}

// ChatMessage is a message, shaped like the Bot API's Message object, as the
// fake hands it to the bot in updates and in the results of sendMessage and
// the edit methods.
type ChatMessage struct {
	ID       int      `json:"message_id"`
	From     *User    `json:"from,omitempty"`
	Date     int64    `json:"date"`
	Chat     Chat     `json:"chat"`
	EditDate int64    `json:"edit_date,omitempty"`
	Text     string   `json:"text,omitempty"`
	Entities []Entity `json:"entities,omitempty"`
	// Photo, Document and Caption are those of a photo or a file; see
	// the Photo and File updates and sendDocument.
	Photo           []PhotoSize           `json:"photo,omitempty"`
	Document        *Document             `json:"document,omitempty"`
	Caption         string                `json:"caption,omitempty"`
	CaptionEntities []Entity              `json:"caption_entities,omitempty"`
	ReplyMarkup     *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
}

// User is a Telegram user or bot, shaped like the Bot API's User object.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a chat, shaped like the Bot API's Chat object.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// CallbackQuery is a press on an inline button, shaped like the Bot API's
// CallbackQuery object.
type CallbackQuery struct {
	ID           string       `json:"id"`
	From         User         `json:"from"`
	Message      *ChatMessage `json:"message,omitempty"`
	ChatInstance string       `json:"chat_instance"`
	Data         string       `json:"data,omitempty"`
}

// Entity is a span of special text, shaped like the Bot API's
// MessageEntity: offsets and lengths count UTF-16 code units.
type Entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// InlineKeyboardMarkup is an inline keyboard as Telegram echoes it back: each
// button keeps the one action Telegram chose for it.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]Button `json:"inline_keyboard"`
}

// Button is an inline keyboard button. Of the actions, the fake keeps only
// those a dialog bot uses: a URL or callback data.
type Button struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`
}

// BotCommand is one command of a bot's menu, as setMyCommands takes it.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Message returns an update in which user userID, whose app speaks langCode,
// sends text to chat chatID. A positive chatID is the private chat with the
// user; a negative one is a group. Like Telegram, it marks each /command in
// text with a bot_command entity. Server.Send assigns the update and message
// identifiers.
func Message(chatID, userID int64, langCode, text string) Update {
	return Update{Message: &ChatMessage{
		From:     sender(userID, langCode),
		Date:     time.Now().Unix(),
		Chat:     chatOf(chatID),
		Text:     text,
		Entities: commandEntities(text),
	}}
}

// Callback returns an update in which user userID, whose app speaks
// langCode, presses the inline button carrying data under message messageID
// of chat chatID. Server.Send assigns the query identifier and, when the fake
// knows that message, fills in its text and keyboard.
func Callback(chatID, userID int64, langCode, data string, messageID int) Update {
	return Update{CallbackQuery: &CallbackQuery{
		From: *sender(userID, langCode),
		Message: &ChatMessage{
			ID:   messageID,
			Date: time.Now().Unix(),
			Chat: chatOf(chatID),
		},
		Data: data,
	}}
}

func sender(userID int64, langCode string) *User {
	return &User{
		ID:           userID,
		FirstName:    "User",
		LastName:     strconv.FormatInt(userID, 10),
		Username:     "user" + strconv.FormatInt(userID, 10),
		LanguageCode: langCode,
	}
}

// chatOf returns the chat with id: private when positive, a supergroup when
// it has the -100 prefix of supergroup identifiers, a basic group otherwise.
func chatOf(id int64) Chat {
	switch {
	case id > 0:
		return Chat{ID: id, Type: "private", FirstName: "User", Username: "user" + strconv.FormatInt(id, 10)}
	case id < -1000000000000:
		return Chat{ID: id, Type: "supergroup", Title: "Group " + strconv.FormatInt(-id, 10)}
	default:
		return Chat{ID: id, Type: "group", Title: "Group " + strconv.FormatInt(-id, 10)}
	}
}

// commandEntities returns a bot_command entity for every /command in text
// that starts it or follows white space, as Telegram detects them.
func commandEntities(text string) []Entity {
	var out []Entity
	units := utf16.Encode([]rune(text))
	for i := 0; i < len(units); i++ {
		if units[i] != '/' || (i > 0 && !isSpace16(units[i-1])) {
			continue
		}
		j := i + 1
		for j < len(units) && j-i <= 64 && isCommandUnit(units[j]) {
			j++
		}
		if j == i+1 {
			continue
		}
		if j < len(units) && units[j] == '@' {
			k := j + 1
			for k < len(units) && isCommandUnit(units[k]) {
				k++
			}
			if k-j-1 >= 3 {
				j = k
			}
		}
		out = append(out, Entity{Type: "bot_command", Offset: i, Length: j - i})
		i = j
	}
	return out
}

func isCommandUnit(u uint16) bool {
	return u == '_' || ('0' <= u && u <= '9') || ('a' <= u && u <= 'z') || ('A' <= u && u <= 'Z')
}

func isSpace16(u uint16) bool {
	return u == ' ' || u == '\n' || u == '\t' || u == '\r'
}
