package bot_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/go-telegram/bot/models"

	"examdesk"
	"examdesk/bot"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/telegramtest"
)

// update decodes a Bot API update, as go-telegram/bot does.
func update(t *testing.T, v any) *models.Update {
	t.Helper()
	raw, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	var u models.Update
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return &u
}

func TestInputOf(t *testing.T) {
	t.Parallel()
	pick := func(step int64, value string) *dialog.Pick { return &dialog.Pick{Step: step, Value: value} }
	callback := func(chat, user int64, data string) telegramtest.Update {
		u := telegramtest.Callback(chat, user, "zh-HK", data, 5)
		u.CallbackQuery.ID = "q1"
		return u
	}
	tests := []struct {
		name   string
		update any // a telegramtest.Update or raw JSON
		key    examdesk.Key
		in     dialog.Input
		id     string
		ok     bool
		kind   string // for the metrics
	}{
		{"private text", telegramtest.Message(42, 42, "zh-TW", "3年"),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{Text: "3年", LanguageCode: "zh-TW"}, "", true, "message"},
		{"group command with the bot's name", telegramtest.Message(-1001234, 7, "en", "/start@test_bot check"),
			examdesk.Key{Chat: -1001234, User: 7}, dialog.Input{Text: "/start@test_bot check", LanguageCode: "en"}, "", true, "message"},
		{"basic group", telegramtest.Message(-55, 7, "", "/help"),
			examdesk.Key{Chat: -55, User: 7}, dialog.Input{Text: "/help"}, "", true, "message"},
		{"button", callback(42, 42, "12|a:yes"),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{Pick: pick(12, "a:yes"), LanguageCode: "zh-HK"}, "q1", true, "callback_query"},
		{"button in a group", callback(-1001234, 7, "3|l:en"),
			examdesk.Key{Chat: -1001234, User: 7}, dialog.Input{Pick: pick(3, "l:en"), LanguageCode: "zh-HK"}, "q1", true, "callback_query"},
		{"malformed callback data", callback(42, 42, "hello"),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{Pick: pick(0, ""), LanguageCode: "zh-HK"}, "q1", true, "callback_query"},
		{"sticker", `{"update_id":1,"message":{"message_id":3,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A","language_code":"en"},"sticker":{"file_id":"x","file_unique_id":"y","type":"regular","width":512,"height":512,"is_animated":false,"is_video":false}}}`,
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{LanguageCode: "en"}, "", true, "message"},
		{"photo with caption", `{"update_id":1,"message":{"message_id":3,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"photo":[{"file_id":"x","file_unique_id":"y","width":90,"height":90}],"caption":"is this ok?"}}`,
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{Text: "is this ok?", Picture: &dialog.Picture{File: "x", Source: dialog.PhotoAsPhoto}}, "", true, "message"},
		{"photo: the largest size", telegramtest.Photo(42, 42, "zh-CN",
			telegramtest.PhotoSize{FileID: "s", Width: 90, Height: 68, FileSize: 1200},
			telegramtest.PhotoSize{FileID: "l", Width: 2560, Height: 1920, FileSize: 480_000},
			telegramtest.PhotoSize{FileID: "m", Width: 800, Height: 600, FileSize: 60_000}),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{LanguageCode: "zh-CN", Picture: &dialog.Picture{File: "l", Source: dialog.PhotoAsPhoto, Size: 480_000}}, "", true, "message"},
		{"photo in a group", telegramtest.Photo(-1001234, 7, "en", telegramtest.PhotoSize{FileID: "g", Width: 1280, Height: 960}),
			examdesk.Key{Chat: -1001234, User: 7}, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "g", Source: dialog.PhotoAsPhoto}}, "", true, "message"},
		{"picture file by MIME type", telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "d", FileName: "scan", MIMEType: "image/jpeg", FileSize: 3_000_000}),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "d", Source: dialog.PhotoAsFile, Size: 3_000_000}}, "", true, "message"},
		{"picture file by name", telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "h", FileName: "IMG_0042.HEIC", MIMEType: "application/octet-stream", FileSize: 25 << 20}),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "h", Source: dialog.PhotoAsFile, Size: 25 << 20}}, "", true, "message"},
		{"a file that is no picture", telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "p", FileName: "form.pdf", MIMEType: "application/pdf"}),
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{LanguageCode: "en"}, "", true, "message"},
		{"button of an old message", `{"update_id":1,"callback_query":{"id":"q2","from":{"id":42,"is_bot":false,"first_name":"A","language_code":"en"},"message":{"message_id":3,"date":0,"chat":{"id":42,"type":"private"}},"chat_instance":"1","data":"2|c:check"}}`,
			examdesk.Key{Chat: 42, User: 42}, dialog.Input{Pick: pick(2, "c:check"), LanguageCode: "en"}, "q2", true, "callback_query"},
		{"member joined", `{"update_id":1,"message":{"message_id":3,"date":1,"chat":{"id":-55,"type":"group","title":"G"},"from":{"id":7,"is_bot":false,"first_name":"A"},"new_chat_members":[{"id":8,"is_bot":false,"first_name":"B"}]}}`,
			examdesk.Key{}, dialog.Input{}, "", false, "message"},
		{"edited message", `{"update_id":1,"edited_message":{"message_id":3,"date":1,"edit_date":2,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"text":"4"}}`,
			examdesk.Key{}, dialog.Input{}, "", false, "other"},
		{"channel post", `{"update_id":1,"channel_post":{"message_id":3,"date":1,"chat":{"id":-1009,"type":"channel","title":"C"},"text":"/start"}}`,
			examdesk.Key{}, dialog.Input{}, "", false, "other"},
		{"inline query", `{"update_id":1,"inline_query":{"id":"i","from":{"id":42,"is_bot":false,"first_name":"A"},"query":"x","offset":""}}`,
			examdesk.Key{}, dialog.Input{}, "", false, "other"},
		{"button of an inline message", `{"update_id":1,"callback_query":{"id":"q3","from":{"id":42,"is_bot":false,"first_name":"A"},"inline_message_id":"im","chat_instance":"1","data":"2|c:check"}}`,
			examdesk.Key{}, dialog.Input{}, "", false, "callback_query"},
		{"message without sender", `{"update_id":1,"message":{"message_id":3,"date":1,"chat":{"id":-55,"type":"group","title":"G"},"text":"hi"}}`,
			examdesk.Key{}, dialog.Input{}, "", false, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := update(t, tt.update)
			key, in, id, ok := bot.InputOf(u)
			if key != tt.key || !reflect.DeepEqual(in, tt.in) || id != tt.id || ok != tt.ok {
				t.Errorf("InputOf = %+v, %+v, %q, %v; want %+v, %+v, %q, %v", key, in, id, ok, tt.key, tt.in, tt.id, tt.ok)
			}
			// Decode is InputOf on the raw update, at intake.
			if u.ID == 0 {
				u.ID = 77 // the fake Bot API numbers the updates it sends
			}
			raw, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			want := inbox.Update{ID: u.ID}
			if tt.ok {
				want.Chat, want.User, want.Input, want.Callback = tt.key.Chat, tt.key.User, tt.in, tt.id
				want.Input.Group = tt.key.Chat != tt.key.User
			}
			got, kind, ok, err := bot.Decode(raw)
			if err != nil || !reflect.DeepEqual(got, want) || ok != tt.ok || kind != tt.kind {
				t.Errorf("Decode = %+v, %q, %v, %v; want %+v, %q, %v", got, kind, ok, err, want, tt.kind, tt.ok)
			}
		})
	}
	if _, _, _, ok := bot.InputOf(nil); ok {
		t.Error("InputOf(nil) = ok; want not ok")
	}
	for _, raw := range []string{``, `[]`, `{"message":{}}`, `{"update_id":0}`, `{"update_id":"1"}`} {
		if u, _, ok, err := bot.Decode([]byte(raw)); err == nil || ok {
			t.Errorf("Decode(%q) = %+v, %v, nil error; want an error", raw, u, ok)
		}
	}
}
