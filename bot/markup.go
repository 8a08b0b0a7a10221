package bot

import (
	"html"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// token is a piece of a text in Telegram's HTML: one character (itself or
// as a character reference such as &amp;) or one tag. A text is only ever
// cut between tokens, so a cut never falls inside a tag or a reference.
type token struct {
	raw   string
	kind  tokenKind
	units int    // UTF-16 code units the token adds to the text Telegram shows
	char  rune   // the character of a char token
	name  string // the lower-case name of a tag
}

type tokenKind int

const (
	tokChar tokenKind = iota
	tokOpen
	tokClose
)

// tokenize splits s, a text in Telegram's HTML, into tokens. A '<' without a
// closing '>' and a '&' that starts no reference are taken as characters.
func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 {
				raw := s[i : i+end+1]
				toks = append(toks, tagToken(raw))
				i += end + 1
				continue
			}
		case '&':
			if n := referenceLen(s[i:]); n > 0 {
				raw := s[i : i+n]
				r, _ := utf8.DecodeRuneInString(html.UnescapeString(raw))
				toks = append(toks, token{raw: raw, kind: tokChar, units: utf16.RuneLen(r), char: r})
				i += n
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		toks = append(toks, token{raw: s[i : i+n], kind: tokChar, units: utf16.RuneLen(r), char: r})
		i += n
	}
	return toks
}

// tagToken makes the token of a tag, raw being "<...>".
func tagToken(raw string) token {
	inner := raw[1 : len(raw)-1]
	kind := tokOpen
	if strings.HasPrefix(inner, "/") {
		kind, inner = tokClose, inner[1:]
	}
	name, _, _ := strings.Cut(strings.TrimSpace(inner), " ")
	return token{raw: raw, kind: kind, name: strings.ToLower(name)}
}

// referenceLen returns the length of the character reference at the start
// of s ("&lt;", "&#60;", "&#x3C;"), or 0 when s starts with none that
// Telegram decodes. The semicolon is required here, as html.EscapeString
// and the message files always write it.
func referenceLen(s string) int {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0
	}
	body := s[1:end]
	switch body {
	case "lt", "gt", "amp", "quot":
		return end + 1
	}
	if body[0] != '#' || len(body) < 2 {
		return 0
	}
	digits, isDigit := body[1:], isDecimal
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, isDigit = digits[1:], isHex
	}
	if digits == "" {
		return 0
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return 0
		}
	}
	r, _ := utf8.DecodeRuneInString(html.UnescapeString(s[:end+1]))
	if r == utf8.RuneError || r == 0 {
		return 0
	}
	return end + 1
}

func isDecimal(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDecimal(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// Length returns the length of text, in Telegram's HTML, as Telegram counts
// it against its limits: UTF-16 code units of the text without markup.
func Length(text string) int {
	n := 0
	for _, t := range tokenize(text) {
		n += t.units
	}
	return n
}

// plain turns a text in Telegram's HTML into the plain text it shows, for
// the places that take no markup: buttons, callback answers, command
// descriptions and the apology.
func plain(text string) string {
	var b strings.Builder
	for _, t := range tokenize(text) {
		if t.kind == tokChar {
			b.WriteRune(t.char)
		}
	}
	return b.String()
}

// split cuts text, in Telegram's HTML, into parts of at most limit units
// (see Length). It cuts at the last paragraph break that fits, else the last
// line break, else the last space, else between two characters; never inside
// a tag or a character reference. Tags open at a cut are closed at the end
// of the part and opened again at the start of the next one. White space at
// a cut is dropped, and so are elements left empty. A text that fits is
// returned as is.
func split(text string, limit int) []string {
	// A text of at most limit bytes has at most limit UTF-16 code units:
	// most messages need no counting.
	if len(text) <= limit || Length(text) <= limit {
		return []string{text}
	}
	toks := tokenize(text)
	var (
		parts []string
		open  []token // tags open at toks[i]
	)
	i := skipGap(toks, 0, &open)
	for i < len(toks) {
		cut := cutPoint(toks, i, limit)
		var b strings.Builder
		for _, t := range open {
			b.WriteString(t.raw)
		}
		for _, t := range toks[i:cut] {
			b.WriteString(t.raw)
			track(&open, t)
		}
		for k := len(open) - 1; k >= 0; k-- {
			b.WriteString("</" + open[k].name + ">")
		}
		parts = append(parts, b.String())
		i = skipGap(toks, cut, &open)
	}
	return parts
}

// cutPoint returns where the part starting at toks[i] ends: the index of
// its first token not taken.
func cutPoint(toks []token, i, limit int) int {
	const (
		paragraph = iota
		line
		space
		anywhere
	)
	var best [anywhere]int // the last break of each kind that fits; 0 for none
	units, content := 0, false
	afterNewline := false // the last character seen is a '\n'
	j := i
	for ; j < len(toks); j++ {
		t := toks[j]
		if units+t.units > limit {
			break
		}
		units += t.units
		if t.kind != tokChar {
			continue
		}
		switch {
		case t.char == '\n':
			if content && !afterNewline {
				best[line] = j
				if nextChar(toks, j+1) == '\n' {
					best[paragraph] = j
				}
			}
			afterNewline = true
			continue
		case isSpace(t.char):
			if content {
				best[space] = j
			}
		default:
			content = true
		}
		afterNewline = false
	}
	if j == len(toks) {
		return j
	}
	cut := j
	for _, c := range best[:anywhere] {
		if c > i {
			cut = c
			break
		}
	}
	if cut == i { // a single token over the limit cannot happen; stay safe
		cut = i + 1
	}
	// An open tag just before the cut belongs to the next part.
	for cut > i+1 && toks[cut-1].kind == tokOpen {
		cut--
	}
	return cut
}

// nextChar returns the character of the first character token from
// toks[i] on, or 0 when there is none.
func nextChar(toks []token, i int) rune {
	for ; i < len(toks); i++ {
		if toks[i].kind == tokChar {
			return toks[i].char
		}
	}
	return 0
}

// skipGap skips the white space and tags at toks[i], keeping track of the
// open tags, and returns the index of the next character that is not white
// space: a part starts there, with the open tags opened again.
func skipGap(toks []token, i int, open *[]token) int {
	for ; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokChar && !isSpace(t.char) {
			return i
		}
		track(open, t)
	}
	return i
}

// track updates the stack of open tags with t.
func track(open *[]token, t token) {
	switch t.kind {
	case tokOpen:
		*open = append(*open, t)
	case tokClose:
		if n := len(*open); n > 0 {
			*open = (*open)[:n-1]
		}
	}
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\n' || r == '\t' || r == '\r'
}
