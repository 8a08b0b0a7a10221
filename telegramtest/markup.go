package telegramtest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// parseMarkup checks a reply_markup as Telegram does and returns the inline
// keyboard in it, as Telegram echoes it back, or nil for any other markup.
// The error is the description Telegram answers with.
func parseMarkup(raw string) (*InlineKeyboardMarkup, string) {
	if strings.TrimSpace(raw) == "" {
		return nil, ""
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, "Bad Request: can't parse reply keyboard markup JSON object"
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return nil, "Bad Request: object expected as reply markup"
	}
	if kb, has := obj["keyboard"]; has {
		rows, isRows := kb.([]any)
		if !isRows {
			return nil, `Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array`
		}
		for _, row := range rows {
			buttons, isRow := row.([]any)
			if !isRow {
				return nil, `Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays`
			}
			for _, b := range buttons {
				if !keyboardButtonOK(b) {
					return nil, "Bad Request: can't parse keyboard button: KeyboardButton must be a String or an Object"
				}
			}
		}
	}
	ik, has := obj["inline_keyboard"]
	if !has {
		return nil, ""
	}
	rows, isRows := ik.([]any)
	if !isRows {
		return nil, `Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array`
	}
	m := &InlineKeyboardMarkup{InlineKeyboard: [][]Button{}}
	for _, row := range rows {
		buttons, isRow := row.([]any)
		if !isRow {
			return nil, `Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays`
		}
		out := []Button{}
		for _, b := range buttons {
			button, errText := inlineButton(b)
			if errText != "" {
				return nil, errText
			}
			out = append(out, button)
		}
		m.InlineKeyboard = append(m.InlineKeyboard, out)
	}
	if len(m.InlineKeyboard) == 0 {
		// An empty inline keyboard is no keyboard: the way to remove one.
		return nil, ""
	}
	return m, ""
}

func keyboardButtonOK(b any) bool {
	switch b := b.(type) {
	case string:
		return true
	case map[string]any:
		_, isText := b["text"].(string)
		return isText
	}
	return false
}

// inlineButton checks an inline button as Telegram does: the first action
// set, in Telegram's order, is the button's action, and the others are
// ignored. go-telegram/bot always sends "copy_text":{"text":""}, which is
// therefore harmless next to a url or callback_data, and fatal alone.
func inlineButton(v any) (Button, string) {
	const prefix = "Bad Request: can't parse inline keyboard button: "
	obj, isObj := v.(map[string]any)
	if !isObj {
		return Button{}, prefix + "InlineKeyboardButton must be an Object"
	}
	rawText, has := obj["text"]
	if !has {
		return Button{}, prefix + `Can't find field "text"`
	}
	text, isText := rawText.(string)
	if !isText {
		return Button{}, prefix + `Field "text" must be of type String`
	}
	b := Button{Text: text}
	str := func(name string) (string, bool) {
		s, isStr := obj[name].(string)
		return s, isStr
	}
	if u, _ := str("url"); u != "" {
		b.URL = u
		return b, ""
	}
	if data, _ := str("callback_data"); data != "" {
		if len(data) > 64 {
			return Button{}, "Bad Request: BUTTON_DATA_INVALID"
		}
		b.CallbackData = data
		return b, ""
	}
	for _, action := range []string{"callback_game", "pay", "switch_inline_query",
		"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "login_url", "web_app"} {
		if _, set := obj[action]; set {
			return b, ""
		}
	}
	if ct, set := obj["copy_text"]; set {
		if c, isObj := ct.(map[string]any); !isObj || c["text"] == "" || c["text"] == nil {
			return Button{}, "Bad Request: BUTTON_COPY_TEXT_INVALID"
		}
		return b, ""
	}
	return Button{}, prefix + "Text buttons are unallowed in the inline keyboard"
}

// sameMarkup reports whether two inline keyboards are equal.
func sameMarkup(a, b *InlineKeyboardMarkup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return bytes.Equal(mustJSON(a), mustJSON(b))
}
