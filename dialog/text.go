package dialog

import (
	"strconv"
	"strings"

	"examdesk"
)

// Text is a message key with its arguments, rendered in the user's language
// by a Translator. An argument is a string, an integer, a float64, a Text, a
// []Text (rendered one per line) or Paragraphs.
type Text struct {
	Key  string
	Args map[string]any
}

// Paragraphs is an argument rendered as paragraphs: one text after another,
// with a blank line between them.
type Paragraphs []Text

// T builds a Text from a key and alternating argument names and values.
func T(key string, kv ...any) Text {
	t := Text{Key: key}
	if len(kv) > 0 {
		t.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			name, _ := kv[i].(string)
			t.Args[name] = kv[i+1]
		}
	}
	return t
}

// Translator renders one message of a language with arguments already
// rendered to strings. It never fails: a missing message renders as some
// fallback text.
type Translator interface {
	Translate(lang, key string, args map[string]string) string
}

// Render renders t in lang. Plain string and number arguments pass through
// escape (for the parse mode of the text's destination); nested texts are
// rendered by Render and not escaped again, since message files hold text
// that is already valid markup.
func Render(tr Translator, lang string, t Text, escape func(string) string) string {
	var args map[string]string
	if len(t.Args) > 0 {
		args = make(map[string]string, len(t.Args))
		for name, v := range t.Args {
			args[name] = renderArg(tr, lang, v, escape)
		}
	}
	return tr.Translate(lang, t.Key, args)
}

func renderArg(tr Translator, lang string, v any, escape func(string) string) string {
	switch v := v.(type) {
	case Text:
		return Render(tr, lang, v, escape)
	case []Text:
		lines := make([]string, len(v))
		for i, t := range v {
			lines[i] = Render(tr, lang, t, escape)
		}
		return strings.Join(lines, "\n")
	case Paragraphs:
		parts := make([]string, len(v))
		for i, t := range v {
			parts[i] = Render(tr, lang, t, escape)
		}
		return strings.Join(parts, "\n\n")
	case string:
		return escape(v)
	case int:
		return escape(strconv.Itoa(v))
	case examdesk.Level:
		return escape(strconv.Itoa(int(v)))
	case int64:
		return escape(strconv.FormatInt(v, 10))
	case float64:
		return escape(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return ""
	}
}
