package bot

import (
	"github.com/go-telegram/bot/models"

	"examdesk"
	"examdesk/dialog"
)

// InputOf reads what a user sent in an update: the conversation it belongs
// to (the chat and the user, in private chats and groups alike), the input
// for the dialog, and for a pressed button the callback query's id, to
// answer it with Sender.AnswerCallback. It reports false for updates that
// are no user's input: edits, channel posts, service messages (a member
// joined, a title changed...), inline queries, and presses on buttons of
// messages the bot cannot see.
//
// A picture, sent as a photo or as a file, is an input with Picture set
// and its caption as Text. Another message without text (a sticker, a
// voice note) is an input with empty Text, which the dialog answers as
// not understood. Callback data that
// DecodeCallback rejects is a Pick with an empty Value, which the dialog
// answers as a stale button.
func InputOf(u *models.Update) (key examdesk.Key, in dialog.Input, callbackID string, ok bool) {
	switch {
	case u == nil:
		return examdesk.Key{}, dialog.Input{}, "", false
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.Chat.Type == models.ChatTypeChannel || !userContent(m) {
			return examdesk.Key{}, dialog.Input{}, "", false
		}
		key = examdesk.Key{Chat: m.Chat.ID, User: m.From.ID}
		in = dialog.Input{Text: m.Text, LanguageCode: m.From.LanguageCode}
		if in.Picture = pictureOf(m); in.Picture != nil {
			in.Text = m.Caption
		}
		return key, in, "", true
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		var chat *models.Chat
		switch {
		case q.Message.Message != nil:
			chat = &q.Message.Message.Chat
		case q.Message.InaccessibleMessage != nil:
			chat = &q.Message.InaccessibleMessage.Chat
		}
		if chat == nil || chat.ID == 0 || q.From.ID == 0 || chat.Type == models.ChatTypeChannel {
			return examdesk.Key{}, dialog.Input{}, "", false
		}
		pick, valid := DecodeCallback(q.Data)
		if !valid {
			pick = dialog.Pick{}
		}
		key = examdesk.Key{Chat: chat.ID, User: q.From.ID}
		return key, dialog.Input{Pick: &pick, LanguageCode: q.From.LanguageCode}, q.ID, true
	}
	return examdesk.Key{}, dialog.Input{}, "", false
}

// userContent reports whether m is something a user sent, rather than a
// service message.
func userContent(m *models.Message) bool {
	return m.Text != "" || m.Caption != "" ||
		m.Animation != nil || m.Audio != nil || m.Document != nil || m.PaidMedia != nil ||
		len(m.Photo) > 0 || m.Sticker != nil || m.Story != nil || m.Video != nil ||
		m.VideoNote != nil || m.Voice != nil || m.Checklist != nil || m.Contact != nil ||
		m.Dice != nil || m.Game != nil || m.Poll != nil || m.Venue != nil ||
		m.Location != nil || m.Invoice != nil
}
