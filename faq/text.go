package faq

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of terms a text is cut into.
const (
	unigram = iota // one Chinese character
	bigram         // two Chinese characters in a row
	word           // a Latin word, stemmed
	number         // a run of digits
	kinds
)

// token is a term of a text before it is looked up: its text and kind, and
// for a word its spelling before stemming (what typos are measured on).
type token struct {
	text string
	kind int
	raw  string
}

// Character classes.
const (
	sep   = iota // space, punctuation, symbols, particles
	latin        // letters of alphabets written with spaces
	digit        // 0-9
	han          // Chinese characters, kana, hangul: written without spaces
)

func class(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return digit
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		return latin
	case r < utf8.RuneSelf:
		return sep
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		if strings.ContainsRune(particles, r) {
			return sep
		}
		return han
	case unicode.IsLetter(r):
		return latin
	}
	return sep
}

// particles are the sentence-final particles of questions: they say that a
// text asks, not what, so they only separate.
const particles = "吗呢吧啊呀哦嘛啦咯喔嗎囉"

// clauseBreaks are the marks that end a clause: a long message is read
// clause by clause too, so that its question is found among the greetings
// and the story around it. The enumeration comma 、 does not end one.
const clauseBreaks = ",;!?，。！？；：～~\n"

// clauses splits a folded text into its clauses, at most maxClauses: at
// clauseBreaks, and at a full stop or colon that a space or the end
// follows (so that 2.5 and 10:30 stay whole).
func clauses(s string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		if c := strings.TrimSpace(s[start:end]); c != "" && len(out) < maxClauses {
			out = append(out, c)
		}
	}
	for i, r := range s {
		next := i + utf8.RuneLen(r)
		brk := strings.ContainsRune(clauseBreaks, r)
		if (r == '.' || r == ':') && (next == len(s) || s[next] == ' ') {
			brk = true
		}
		if brk {
			emit(i)
			start = next
		}
	}
	emit(len(s))
	return out
}

// fold returns s in lower case with full-width forms as half-width, and
// apostrophes inside words dropped (didn't: didnt).
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		r = half(r)
		if (r == '\'' || r == '’') && class(prev) == latin {
			if next, _ := utf8.DecodeRuneInString(s[i:]); class(half(next)) == latin {
				continue
			}
		}
		r = unicode.ToLower(r)
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// half returns the half-width form of a full-width character.
func half(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// fillers are courtesies that say nothing about what is asked; they are
// dropped from a text (in Simplified Chinese, since texts are converted
// before they are cut).
var fillers = strings.NewReplacer(
	"请问", " ", "请教", " ", "你好", " ", "您好", " ", "谢谢", " ", "多谢", " ",
	"麻烦", " ", "唔该", " ", "想问", " ", "问一下", " ", "问下", " ",
)

// cantonese maps the commonest words of written Cantonese, which many
// candidates in Guangdong type, to the Mandarin words of the examples (in
// Simplified Chinese, since texts are converted before they are cut):
// "幾時可以攞准考證" asks what "什么时候可以领准考证" asks.
var cantonese = strings.NewReplacer(
	"点样", "怎样", "点算", "怎么办", "点解", "为什么", "边度", "哪里", "边处", "哪里",
	"边个", "哪个", "边种", "哪种", "边间", "哪间", "几时", "什么时候", "乜嘢", "什么",
	"使唔使", "需不需要", "得唔得", "可不可以", "影相", "拍照", "而家", "现在",
	"喺", "在", "咩", "什么", "唔", "不", "嘅", "的", "咗", "了", "啲", "些", "冇", "没有",
	"攞", "领", "拎", "领", "畀", "给", "俾", "给", "睇", "看", "搵", "找", "揾", "找",
	"嚟", "来", "佢", "他", "仲", "还",
)

// names are the qualification's own names. Questions of every topic carry
// them ("电子商务师的照片…", "when is the E-commerce Specialist exam"), and
// cut into characters and pairs they would outweigh the few words that
// say what is asked; so each name counts as one word, and the level words
// (助理, 高级, level 3) stay apart.
var names = strings.NewReplacer(
	"电子商务师", " xqualx ", "电子商务员", " xclerkx ",
	"e-commerce specialist", " xqualx ", "ecommerce specialist", " xqualx ", "e commerce specialist", " xqualx ",
	"e-commerce clerk", " xclerkx ", "ecommerce clerk", " xclerkx ", "e commerce clerk", " xclerkx ",
)

// stopwords are English words too common in questions to tell topics apart.
var stopwords = wordSet(`
	a an the is are am be been was were do does did doing done
	i im me my mine myself you your yours we our us it its this that these those there here
	to of for on in at by with and or but so if as from about into
	can could would should will shall may might must cant couldnt wouldnt shouldnt wont dont doesnt didnt
	please pls plz thanks thank thx hi hello hey dear sir madam ok okay`)

func wordSet(list string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(list) {
		set[w] = true
	}
	return set
}

// tokens cuts a text, already folded and converted to Simplified Chinese,
// into terms: each Chinese character and each pair of adjacent ones, Latin
// words (stemmed, without stop words) and numbers. Calls add for each, in
// order.
func tokens(s string, add func(token)) {
	s = names.Replace(cantonese.Replace(fillers.Replace(s)))
	start, runStart := -1, -1 // start of the current word; of the current Chinese run
	prevClass := sep
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		switch {
		case w[0] >= '0' && w[0] <= '9':
			if n := strings.TrimLeft(w, "0"); n != "" {
				w = n
			} else {
				w = "0"
			}
			add(token{text: w, kind: number})
		default:
			if len(w) < 2 || stopwords[w] {
				return
			}
			add(token{text: stem(w), kind: word, raw: w})
		}
	}
	for i, r := range s {
		c := class(r)
		if c == han {
			flush(i)
			add(token{text: s[i : i+utf8.RuneLen(r)], kind: unigram})
			if prevClass == han {
				add(token{text: s[runStart : i+utf8.RuneLen(r)], kind: bigram})
			}
			runStart = i
		} else if c == sep || c != prevClass {
			flush(i)
			if c != sep {
				start = i
			}
		}
		prevClass = c
	}
	flush(len(s))
}

// stem strips the commonest English inflections, so that a question's
// "collecting" finds the examples' "collect".
func stem(w string) string {
	if len(w) <= 3 || !isASCII(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		w = undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ed") && len(w) > 4:
		w = undouble(w[:len(w)-2])
	}
	if len(w) > 4 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

// undouble drops the doubled consonant an ending added: getting, stopped.
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouslz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && class(r) == han {
			return true
		}
	}
	return false
}

// within reports whether a and b are at most k edits apart, an edit being
// an insertion, a deletion, a substitution or a swap of two adjacent
// letters (the optimal string alignment distance).
func within(a, b string, k int) bool {
	if d := len(a) - len(b); d > k || -d > k {
		return false
	}
	// Three rows of the distance table: two back, previous, current.
	var buf [3][32]int
	if len(b) >= len(buf[0]) {
		return false
	}
	pp, p, c := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range p {
		p[j] = j
	}
	for i := 1; i <= len(a); i++ {
		c[0] = i
		low := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(p[j]+1, c[j-1]+1, p[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, pp[j-2]+1)
			}
			c[j] = v
			low = min(low, v)
		}
		if low > k {
			return false
		}
		pp, p, c = p, c, pp
	}
	return p[len(b)] <= k
}
