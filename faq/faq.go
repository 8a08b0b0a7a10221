// Package faq maps a question, written in Traditional Chinese, Simplified
// Chinese or English, to the topic of the frequently asked question it asks,
// by keywords kept in an embedded data file; the answers themselves live in
// the locales, under faq.<topic>.
package faq

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed topics.txt
var topicsFile string

// allTopics has a bit for each topic of topicIDs.
const allTopics = 1<<len(topicIDs) - 1

// topicIDs are the FAQ topics of the domain; the data must give keywords
// for each and for no other.
var topicIDs = [...]string{
	"eligibility", "levels", "registration_time", "registration_place", "materials",
	"application_form", "work_proof", "thesis", "exam_date", "admission_ticket", "photo",
	"score_review", "defence", "certificate", "retake", "training_route", "location",
}

// Matcher finds the FAQ topic a question asks. It is safe for concurrent
// use and never changes after it is built.
type Matcher struct {
	topics   []string
	keywords []keyword
	// terms are the normalised texts of the terms of the keywords, by id.
	terms []string
	// byTerm lists, for each term, the keywords that use it.
	byTerm [][]int32
	// termTopics has, for each term, the bits of the topics that use it.
	termTopics []uint32
	// longest is the length of the longest spelling, in bytes.
	longest int
	// ascii and other list the spellings of terms by their first rune,
	// longest first.
	ascii [utf8.RuneSelf][]spelling
	other map[rune][]spelling
}

// keyword is a line item of the data file: one term, or terms joined by
// "+" that must all occur.
type keyword struct {
	topic  int
	terms  []int32 // sorted
	weight int
}

// spelling is one way a term is written in normalised text.
type spelling struct {
	text  string
	term  int32
	word  bool // starts with a Latin letter or digit: must start a word
	latin bool // ends with a Latin letter: may take an inflection
	digit bool // ends with a digit: must end a number
}

// Load returns the Matcher of the embedded keyword file, faq/topics.txt.
func Load() (*Matcher, error) {
	return Parse("faq/topics.txt", strings.NewReader(topicsFile))
}

// Parse reads a keyword file and returns its Matcher. Each line that is
// neither blank nor a comment (#) is
//
//	topic: keyword, keyword, ...
//
// where topic is one of the FAQ topic ids; a topic may take several lines,
// which must be together. A keyword is a word or phrase, or several joined by
// "+", which then must all occur in a question, anywhere. Every topic must
// have a keyword, and no keyword may be repeated. Errors name the file (as
// name) and the line.
func Parse(name string, r io.Reader) (*Matcher, error) {
	b := builder{m: &Matcher{other: map[rune][]spelling{}}, termIDs: map[string]int32{}}
	known := map[string]bool{}
	for _, id := range topicIDs {
		known[id] = true
	}
	topicLine := map[string]int{}
	keyLine := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	current := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, list, ok := strings.Cut(line, ":")
		id = strings.TrimSpace(id)
		if !ok || id == "" {
			return nil, fmt.Errorf("%s:%d: want \"topic: keyword, keyword, ...\"", name, n)
		}
		if !known[id] {
			return nil, fmt.Errorf("%s:%d: unknown topic %q", name, n, id)
		}
		if id != current {
			if first, dup := topicLine[id]; dup {
				return nil, fmt.Errorf("%s:%d: topic %q again, after line %d: keep its lines together", name, n, id, first)
			}
			topicLine[id] = n
			b.m.topics = append(b.m.topics, id)
			current = id
		}
		for _, raw := range strings.Split(list, ",") {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				return nil, fmt.Errorf("%s:%d: empty keyword", name, n)
			}
			var parts []string
			for _, p := range strings.Split(raw, "+") {
				norm := string(normalize(nil, p))
				if norm == "" {
					return nil, fmt.Errorf("%s:%d: keyword %q: %q has no letter or digit", name, n, raw, strings.TrimSpace(p))
				}
				if slices.Contains(parts, norm) {
					return nil, fmt.Errorf("%s:%d: keyword %q repeats %q", name, n, raw, norm)
				}
				parts = append(parts, norm)
			}
			slices.Sort(parts)
			key := strings.Join(parts, "+")
			if first, dup := keyLine[key]; dup {
				return nil, fmt.Errorf("%s:%d: keyword %q repeats one of line %d", name, n, raw, first)
			}
			keyLine[key] = n
			b.add(len(b.m.topics)-1, parts)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	for _, id := range topicIDs {
		if _, ok := topicLine[id]; !ok {
			return nil, fmt.Errorf("%s: topic %q has no keywords", name, id)
		}
	}
	b.finish()
	return b.m, nil
}

type builder struct {
	m       *Matcher
	termIDs map[string]int32
}

func (b *builder) add(topic int, parts []string) {
	kw := keyword{topic: topic}
	for _, p := range parts {
		kw.terms = append(kw.terms, b.term(p))
		kw.weight += weight(p)
	}
	slices.Sort(kw.terms)
	b.m.keywords = append(b.m.keywords, kw)
}

// term returns the id of the normalised term text, adding it if new.
func (b *builder) term(text string) int32 {
	if id, ok := b.termIDs[text]; ok {
		return id
	}
	id := int32(len(b.m.byTerm))
	b.termIDs[text] = id
	b.m.terms = append(b.m.terms, text)
	b.m.byTerm = append(b.m.byTerm, nil)
	for _, s := range spellings(text) {
		r, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		sp := spelling{text: s, term: id, word: class(r) != han, latin: class(last) == latin, digit: isDigit(last)}
		b.m.longest = max(b.m.longest, len(s))
		if r < utf8.RuneSelf {
			b.m.ascii[r] = append(b.m.ascii[r], sp)
		} else {
			b.m.other[r] = append(b.m.other[r], sp)
		}
	}
	return id
}

func (b *builder) finish() {
	m := b.m
	for i, kw := range m.keywords {
		for _, t := range kw.terms {
			m.byTerm[t] = append(m.byTerm[t], int32(i))
		}
	}
	m.termTopics = make([]uint32, len(m.terms))
	for _, kw := range m.keywords {
		for _, t := range kw.terms {
			m.termTopics[t] |= 1 << kw.topic
		}
	}
	byLength := func(a, b spelling) int { return len(b.text) - len(a.text) }
	for r := range m.ascii {
		slices.SortStableFunc(m.ascii[r], byLength)
	}
	for r := range m.other {
		slices.SortStableFunc(m.other[r], byLength)
	}
}

// spellings returns the ways normalised term text is written: itself and,
// when its last word is English, the inflections that do not just add an
// ending (take: taking; apply: applies, applied).
func spellings(text string) []string {
	out := []string{text}
	n := len(text)
	if n < 3 || !isLetter(text[n-1]) || !isLetter(text[n-2]) {
		return out
	}
	switch c := text[n-1]; {
	case c == 'e' && text[n-2] != 'e':
		out = append(out, text[:n-1]+"ing")
	case c == 'y' && !strings.ContainsRune("aeiou", rune(text[n-2])):
		out = append(out, text[:n-1]+"ies", text[:n-1]+"ied")
	}
	return out
}

// weight is how much a term counts: the longer, the more specific. A
// Chinese character says about as much as two Latin letters.
func weight(text string) int {
	w := 0
	for _, r := range text {
		switch class(r) {
		case han:
			w += 2
		case latin, digit:
			w++
		}
	}
	return w
}

// Topics returns the topic ids in the order of the keyword file.
func (m *Matcher) Topics() []string {
	return slices.Clone(m.topics)
}

// Match returns the FAQ topic that text asks about, and false when it asks
// about none that the keywords recognise, or when two topics fit it equally
// well. Text is compared after normalisation: lower case, full-width forms
// folded to half-width, punctuation and spaces dropped (English words stay
// apart). Each keyword found counts by its length, and the topic whose
// keywords count most wins; but a word found only inside a longer keyword
// found is that keyword's (證書 in 結業證書), and a keyword does not count
// when a heavier one of another topic found uses its words (where in
// where + register).
func (m *Matcher) Match(text string) (topic string, ok bool) {
	scores := m.score(text, nil)
	best, second := -1, 0
	for i, s := range scores {
		switch {
		case best < 0 || s > scores[best]:
			if best >= 0 {
				second = scores[best]
			}
			best = i
		case s > second:
			second = s
		}
	}
	if best < 0 || scores[best] == 0 || scores[best] == second {
		return "", false
	}
	return m.topics[best], true
}

// occurrence is where a term was found in normalised text.
type occurrence struct {
	term       int32
	start, end int
	// claim has the bits of the topics that may use this occurrence: those
	// of every longer occurrence around it, or all when there is none.
	claim uint32
}

// score returns the score of each topic for text, in the order of
// m.topics, and calls counted, if not nil, with each keyword that counts.
func (m *Matcher) score(text string, counted func(k int)) []int {
	scores := make([]int, len(m.topics))
	var buf [512]byte
	t := string(normalize(buf[:0], text))

	// Every spelling at a boundary, by start, longest first.
	var occs []occurrence
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		var cands []spelling
		switch {
		case r < utf8.RuneSelf && i > 0 && t[i-1] != ' ':
			// Inside a word, where no ASCII spelling may start.
		case r < utf8.RuneSelf:
			cands = m.ascii[r]
		default:
			cands = m.other[r]
		}
		for _, c := range cands {
			if c.at(t, i) {
				occs = append(occs, occurrence{term: c.term, start: i, end: i + len(c.text), claim: allTopics})
			}
		}
		i += size
	}
	if len(occs) == 0 {
		return scores
	}

	// What each occurrence is inside of: any container starts no earlier
	// and comes before it.
	nTerms := len(m.terms)
	present := make([]uint64, (nTerms+63)/64)
	free := make([]uint64, len(present))
	freeFor := map[int32]uint32{} // topics each found term may serve
	inside := map[[2]int32]bool{} // {outer, inner}: inner found in outer
	inners := map[int32][]int32{} // the terms found in each term
	for i, o := range occs {
		contained := false
		for j := i - 1; j >= 0 && occs[j].start >= o.start-m.longest; j-- {
			p := occs[j]
			if p.start <= o.start && p.end >= o.end && p.end-p.start > o.end-o.start {
				contained = true
				occs[i].claim &= m.termTopics[p.term]
				if pair := [2]int32{p.term, o.term}; !inside[pair] {
					inside[pair] = true
					inners[p.term] = append(inners[p.term], o.term)
				}
			}
		}
		set(present, o.term)
		if !contained {
			set(free, o.term)
		}
		freeFor[o.term] |= occs[i].claim
	}

	// Keywords found: a single term on its own; the terms of a "+" keyword
	// anywhere, but one of them on its own or inside a term of the same
	// topic (帶 in 要帶 serves 領證 + 帶; 報名 in 報名表 does not serve
	// 報名 + 哪).
	var matched []int32
	isMatched := make([]uint64, (len(m.keywords)+63)/64)
	seen := make([]uint64, len(isMatched))
	for term := range freeFor {
		for _, k := range m.byTerm[term] {
			if has(seen, k) {
				continue
			}
			set(seen, k)
			kw := &m.keywords[k]
			ok := false
			if len(kw.terms) == 1 {
				ok = has(free, kw.terms[0])
			} else {
				all, anchored := true, false
				for _, t := range kw.terms {
					all = all && has(present, t)
					anchored = anchored || freeFor[t]&(1<<kw.topic) != 0
				}
				ok = all && anchored
			}
			if ok {
				set(isMatched, k)
				matched = append(matched, k)
			}
		}
	}
	slices.Sort(matched)

	// A keyword does not count when a heavier keyword of another topic
	// found (or one as heavy with more terms) uses its words: has, for each
	// of its terms, the same term or one found inside it.
	uses := func(outer, inner int32) bool { return outer == inner || inside[[2]int32{outer, inner}] }
	for _, k := range matched {
		kw := &m.keywords[k]
		void := false
		for _, u := range append([]int32{kw.terms[0]}, inners[kw.terms[0]]...) {
			for _, k2 := range m.byTerm[u] {
				kw2 := &m.keywords[k2]
				if kw2.topic == kw.topic || !has(isMatched, k2) || kw2.weight < kw.weight ||
					kw2.weight == kw.weight && len(kw2.terms) <= len(kw.terms) {
					continue
				}
				void = !slices.ContainsFunc(kw.terms, func(t int32) bool {
					return !slices.ContainsFunc(kw2.terms, func(t2 int32) bool { return uses(t, t2) })
				})
				if void {
					break
				}
			}
			if void {
				break
			}
		}
		if !void {
			scores[kw.topic] += kw.weight
			if counted != nil {
				counted(int(k))
			}
		}
	}
	return scores
}

// at reports whether the spelling occurs in t at byte i, starting and
// ending where it must.
func (s spelling) at(t string, i int) bool {
	if !strings.HasPrefix(t[i:], s.text) {
		return false
	}
	if s.word && i > 0 && t[i-1] != ' ' {
		return false
	}
	j := i + len(s.text)
	if j == len(t) || t[j] == ' ' {
		return true
	}
	switch {
	case s.digit:
		return !isDigit(rune(t[j]))
	case s.latin:
		return inflection(t[j:])
	}
	return true
}

// inflections are the endings an English keyword may take in a question.
var inflections = [...]string{"s", "es", "d", "ed", "ing"}

// inflection reports whether rest, what follows a keyword in normalised
// text, begins with an ending that closes the word.
func inflection(rest string) bool {
	for _, e := range inflections {
		if strings.HasPrefix(rest, e) && (len(rest) == len(e) || rest[len(e)] == ' ') {
			return true
		}
	}
	return false
}

func set(bits []uint64, i int32)      { bits[i/64] |= 1 << (i % 64) }
func has(bits []uint64, i int32) bool { return bits[i/64]&(1<<(i%64)) != 0 }

// Character classes of normalisation.
const (
	sep   = iota // space, punctuation, symbols
	latin        // letters of alphabets written with spaces
	digit        // 0-9
	han          // Chinese characters, kana, hangul: written without spaces
)

func class(r rune) int {
	switch {
	case isDigit(r):
		return digit
	case r < utf8.RuneSelf:
		if isLetter(byte(r)) || r >= 'A' && r <= 'Z' {
			return latin
		}
		return sep
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return han
	case unicode.IsLetter(r):
		return latin
	}
	return sep
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// normalize appends to dst the normal form of s: lower case, full-width
// forms folded to half-width, runs of Latin letters and of digits as words
// separated by one space, Chinese characters without spaces between them
// and a space between them and a word, and nothing else.
func normalize(dst []byte, s string) []byte {
	prev, gap := sep, false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		r = unicode.ToLower(r)
		c := class(r)
		switch {
		case c == sep:
			gap = true
			continue
		case prev == sep:
		case c == han && prev == han:
		case c != prev || gap:
			dst = append(dst, ' ')
		}
		dst = utf8.AppendRune(dst, r)
		prev, gap = c, false
	}
	return dst
}
