package stats

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"examdesk"
)

// MaxText is the longest text of an unanswered question kept, in
// characters after Normalize; a longer one is cut.
const MaxText = 300

// Normalize is the form an unanswered question is kept in, the same for
// everyone who asks it: compatibility forms folded (full-width to
// half-width), lower case, punctuation and symbols dropped, words
// separated by one space, except between Chinese (or Japanese, Korean)
// characters; at most MaxText characters. "" when nothing is left.
//
//	Normalize("  照片 要多大？") = "照片要多大"
//	Normalize("How much is the EXAM fee??") = "how much is the exam fee"
func Normalize(text string) string {
	text = strings.ToLower(norm.NFKC.String(text))
	var b strings.Builder
	var last rune // the last rune written, 0 at the start
	gap := false  // a separator since last
	n := 0
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
			gap = true
			continue
		}
		if n == MaxText {
			break
		}
		if gap && last != 0 && !(cjk(last) && cjk(r)) {
			b.WriteByte(' ')
			n++
			if n == MaxText {
				break
			}
		}
		b.WriteRune(r)
		last, gap = r, false
		n++
	}
	return strings.TrimSpace(b.String())
}

// cjk reports whether r is written without spaces between words.
func cjk(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// QuestionID names a question by its normalized text: a decimal number
// below 2^52 (so that it survives a JavaScript number, and fits a
// Telegram button's data), from its SHA-256.
func QuestionID(normalized string) string {
	sum := sha256.Sum256([]byte(normalized))
	id := binary.BigEndian.Uint64(sum[:8]) >> 12
	if id == 0 {
		id = 1
	}
	return strconv.FormatUint(id, 10)
}

// ParseQuestionID checks that s is an id QuestionID may return and gives
// its number.
func ParseQuestionID(s string) (int64, bool) {
	if s == "" || len(s) > 16 || s[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n >= 1<<52 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

// ExampleLang is the language of the example a question would become: its
// asker's Chinese when it is written in Chinese characters (Simplified
// when the asker's language is not Chinese), English otherwise.
func ExampleLang(text, userLang string) string {
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			if userLang == examdesk.Traditional || userLang == examdesk.Simplified {
				return userLang
			}
			return examdesk.Simplified
		}
	}
	return examdesk.English
}

// ValidTopic reports whether topic may be taught: a topic id (lower-case
// letters, digits and "_") or OffTopic.
func ValidTopic(topic string) bool {
	if topic == "" || len(topic) > 64 {
		return false
	}
	for _, r := range topic {
		if !('a' <= r && r <= 'z') && !('0' <= r && r <= '9') && r != '_' {
			return false
		}
	}
	return true
}
