// Package bot is the Telegram adapter of examdesk: it turns Telegram updates
// into dialog inputs, renders the dialog's replies as Telegram messages in
// HTML with inline keyboards, and sends them through the Bot API, with the
// retries and error reporting the API asks for.
package bot

import (
	"html"
	"strings"
	"unicode"

	"examdesk/conversation"
	"examdesk/dialog"
)

// Telegram's limits.
const (
	// MaxTextLength is the longest message text, in UTF-16 code units of
	// the text without markup (see Length).
	MaxTextLength = 4096
	// MaxCallbackData is the longest callback data of a button, in bytes.
	MaxCallbackData = 64
	// MaxNoticeLength is the longest text of a callback answer, in UTF-16
	// code units.
	MaxNoticeLength = 200
)

// Outgoing is one message to send: its Text in Telegram's HTML, at most
// MaxTextLength long, and its inline keyboard, whose buttons' Data is
// callback data made by EncodeCallback.
type Outgoing = conversation.Message

// Button is an inline keyboard button that sends Data back when pressed.
type Button = conversation.Button

// Render renders a reply as the messages to send, in order. Dialog
// messages follow one another in one Telegram message, a blank line apart,
// up to and including one with options, whose keyboard goes under it: a
// notice and the question asked again arrive as one message. A text longer
// than Telegram takes is split into several, the keyboard under the last.
// Arguments are escaped for HTML. An option whose callback data would not
// fit in MaxCallbackData bytes is left out (the dialog promises it never
// happens).
func Render(tr dialog.Translator, r dialog.Reply) []Outgoing {
	var (
		out   []Outgoing
		texts []string
	)
	for i, m := range r.Messages {
		texts = append(texts, dialog.Render(tr, r.Lang, m.Text, html.EscapeString))
		if len(m.Options) == 0 && i < len(r.Messages)-1 {
			continue
		}
		parts := split(strings.Join(texts, "\n\n"), MaxTextLength)
		texts = texts[:0]
		for j, p := range parts {
			o := Outgoing{Text: p}
			if j == len(parts)-1 {
				o.Keyboard = keyboard(tr, r.Lang, m.Options)
			}
			out = append(out, o)
		}
	}
	return out
}

// Notice renders the reply's notice as the plain text of a callback answer,
// or "" when it has none.
func Notice(tr dialog.Translator, r dialog.Reply) string {
	if r.Notice == nil {
		return ""
	}
	return Plain(tr, r.Lang, *r.Notice)
}

// Plain renders t in lang as plain text, without markup, for the places
// Telegram takes no HTML.
func Plain(tr dialog.Translator, lang string, t dialog.Text) string {
	return plain(dialog.Render(tr, lang, t, html.EscapeString))
}

// shortLabel is the widest label, in columns (a CJK character takes two),
// that still fits two buttons in a row on a phone.
const shortLabel = 16

// keyboard lays options out two in a row when every label is short, one in
// a row otherwise, so that no label is cut.
func keyboard(tr dialog.Translator, lang string, opts []dialog.Option) [][]Button {
	var buttons []Button
	perRow := 2
	for _, o := range opts {
		data := EncodeCallback(o.Step, o.Value)
		if len(data) > MaxCallbackData {
			continue
		}
		label := Plain(tr, lang, o.Label)
		if columns(label) > shortLabel {
			perRow = 1
		}
		buttons = append(buttons, Button{Text: label, Data: data})
	}
	var rows [][]Button
	for len(buttons) > 0 {
		n := min(perRow, len(buttons))
		rows = append(rows, buttons[:n:n])
		buttons = buttons[n:]
	}
	return rows
}

// columns estimates how wide s shows: two columns for a wide East Asian
// character, one for any other.
func columns(s string) int {
	n := 0
	for _, r := range s {
		n++
		if wide(r) {
			n++
		}
	}
	return n
}

func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(0x3000 <= r && r <= 0x303F) || // CJK punctuation
		(0xFF01 <= r && r <= 0xFF60) || (0xFFE0 <= r && r <= 0xFFE6) // full-width forms
}
