package faq

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"examdesk"
)

// Script is the writing a message shows, which tells the language to
// answer it in.
type Script uint8

const (
	// NoScript: nothing that shows a language: digits, a command, emoji,
	// punctuation, or Latin words any language uses alone (ok, yes, MBA).
	NoScript Script = iota
	// Latin: English words.
	Latin
	// Traditional: Chinese with characters that only Traditional Chinese
	// writes, or written Cantonese (冇, 喺, 嘅), more than Simplified ones.
	Traditional
	// Simplified: Chinese with characters that only Simplified Chinese
	// writes (们, 这, 证), more than Traditional ones.
	Simplified
	// Chinese: Chinese characters that both scripts write (照片要多大), or
	// as many of one as of the other.
	Chinese
)

var scriptNames = [...]string{"none", "latin", "traditional", "simplified", "chinese"}

// String returns the script's name: none, latin, traditional, simplified
// or chinese.
func (s Script) String() string {
	if int(s) < len(scriptNames) {
		return scriptNames[s]
	}
	return "none"
}

// cantoneseChars are characters of written Cantonese that Mandarin does not
// write; OpenCC leaves them as they are, but they are Hong Kong's and
// Guangdong's, written with Traditional characters.
const cantoneseChars = "冇喺嘅咗啲攞唔咩乜嘢佢哋嚟畀睇搵揾嗰噉咁㗎啱吖囉喇嗱諗嘞嚿嘥冚𠵱"

// neutralWords are Latin words that people writing any of the three
// languages use alone: they show no language.
var neutralWords = wordSet(`
	ok okay okk k kk yes no y n yep nope
	mba emba phd dba msc bsc ba ma bba mpa mpacc hnd
	haha hahaha hh hhh lol`)

// Script returns the script of text: a command (starting with a slash)
// shows none; else Chinese characters decide, by counting those only one
// script writes; else English words (not only neutral ones such as ok, yes
// or MBA) show Latin.
func (m *Matcher) Script(text string) Script {
	s := strings.TrimSpace(fold(text))
	if strings.HasPrefix(s, "/") {
		return NoScript
	}
	var han strings.Builder
	english := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= utf8.RuneSelf && unicode.Is(unicode.Han, r):
			han.WriteRune(r)
		case class(r) == latin:
			j := i
			for j < len(s) {
				q, n := utf8.DecodeRuneInString(s[j:])
				if class(q) != latin || q >= utf8.RuneSelf {
					break
				}
				j += n
			}
			if j > i && !neutralWords[s[i:j]] {
				english = true
			}
			if j > i {
				i = j
				continue
			}
		}
		i += size
	}
	if han.Len() == 0 {
		if english {
			return Latin
		}
		return NoScript
	}
	chars := han.String()
	trad, simp := 0, 0
	for _, r := range chars {
		switch {
		case strings.ContainsRune(cantoneseChars, r):
			trad++
		case m.simplifiedOnly[r]:
			simp++
		}
	}
	for _, r := range chars {
		if _, ok := m.t2s[r]; ok {
			trad++
		}
	}
	switch {
	case trad > simp:
		return Traditional
	case simp > trad:
		return Simplified
	}
	return Chinese
}

// Language returns the language text is most likely written in: "zh-Hant"
// or "zh-Hans" by its Chinese characters (Simplified when they fit both),
// "en" when it has none.
func (m *Matcher) Language(text string) string {
	switch m.Script(text) {
	case Traditional:
		return examdesk.Traditional
	case Simplified, Chinese:
		return examdesk.Simplified
	}
	return examdesk.English
}
