// Package faq reads what a candidate writes, in Traditional Chinese,
// Simplified Chinese or English: which frequently asked question a message
// asks, whether it asks something the centre's notice does not state or
// about another exam, whether it is small talk or a command typed without
// its slash, and which script it is written in. It ranks the example
// questions of an embedded knowledge base by BM25 against the message and
// each of its clauses, after folding both to one script and form, and
// answers only when the best class is clearly better than nothing and than
// the others, on the strength of the words that say what is asked. The
// answers themselves are the messages faq.<topic> of the locales.
package faq

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"examdesk"
)

//go:embed knowledge.txt
var knowledgeFile string

// Kind is what a message is, as far as the matcher can tell.
type Kind uint8

const (
	// Unknown: nothing the matcher knows; a question it cannot place, or
	// not a question at all.
	Unknown Kind = iota
	// Topic: a question of one of the FAQ topics, Match.Topic.
	Topic
	// Unstated: a question about something the notice does not state
	// (fees, the exam's subjects or format, the pass mark, the exam venue,
	// phone numbers, opening hours); Match.Subject says which.
	Unstated
	// OtherExam: a question about another exam or qualification.
	OtherExam
	// SmallTalk: a greeting, thanks, an acknowledgement or a goodbye, and
	// nothing else; Match.Subject is greeting, thanks, ack or bye.
	SmallTalk
	// Command: one of the bot's commands typed without its slash, or
	// with a full-width one (help, 幫助, ／check); Match.Subject is the
	// command's name.
	Command
)

var kindNames = [...]string{"unknown", "topic", "unstated", "other_exam", "small_talk", "command"}

// String returns the kind's name: unknown, topic, unstated, other_exam,
// small_talk or command.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Match is what a message is and how sure the matcher is of it.
type Match struct {
	// Kind says what the message is; Unknown when the confidence is below
	// the threshold.
	Kind Kind
	// Topic is the topic id when Kind is Topic, else "".
	Topic string
	// Subject says more of an Unstated, SmallTalk or Command message.
	Subject string
	// Score is the confidence, from 0 (no evidence) to 1; for small talk
	// and commands, which are whole messages read word for word, 1.
	Score float64
	// Near are, when Kind is not Topic, the topics closest to the words
	// of the message, the closest first, at most maxNear.
	Near []string
}

// Matcher reads candidates' messages: the FAQ topic of a question, and the
// link of the map its answer shows. It is safe for concurrent use; what it
// reads changes only with the examples taught at run time (Learn).
type Matcher struct {
	*index

	// The examples taught at run time (see learn.go), and the examples
	// of the knowledge base by key.
	learned  atomic.Pointer[learned]
	learnMu  sync.Mutex
	keysOnce sync.Once
	keys     map[string]string
}

// index is what a Matcher reads with: built from a knowledge base, and
// never changed after.
type index struct {
	t2s     map[rune]rune // Traditional characters to Simplified ones
	topics  []string      // topicIDs
	classes []category    // the topics, then what is recognised but not answered
	maps    []string      // the map link of each topic's answer, or ""

	terms    map[string]int32 // term text → id
	idf      []float64        // of each term
	postings [][]posting      // of each term, by class
	generic  []bool           // of each term: it names the exam or a level
	unknown  [kinds]float64   // the idf of a term no example has, by kind

	// The examples, for a question that is nearly one of them: the
	// examples of each term, and the class and the sum of the idfs of the
	// terms of each example.
	examples     [][]int32
	exampleClass []int32
	exampleIDF   []float64

	// words are the Latin words of the examples as written, by length, and
	// the term each stems to: where a misspelt word is looked up.
	words     [][]string
	wordTerms map[string]int32

	phrases        *phrasebook
	exams          exams         // the names of other exams
	scratch        sync.Pool     // of *scratch, to score a message in
	simplifiedOnly map[rune]bool // characters written only in Simplified Chinese

	// The knowledge base it was built from.
	base *knowledge
}

// category is one thing a message may be asking: a topic, an unstated
// subject, or other exams. Its examples are one document of the index.
type category struct {
	kind Kind
	id   string
}

// posting is a term's credit in a class: its BM25 term score over the
// document of all the class's examples, divided by k1+1 so that it is at
// most the term's idf.
type posting struct {
	class  int32
	credit float64
}

// The constants of the ranking, chosen by cross-validation on the
// examples (see TestHeldOut) and the questions of the tests.
const (
	k1, b = 1.5, 0.75 // BM25's
	// typo is how much a misspelt word counts, as a share of the word it
	// is taken for.
	typo = 0.8
	// runnerUp is the share of the second class's coverage taken off the
	// best one's.
	runnerUp = 0.5
	// threshold is the lowest score that Best answers.
	threshold = 0.26
	// coreShare is the least share of a question's weight that its words
	// other than the generic ones (the exam, a level, 報名) must
	// earn in the best class: they say what is asked.
	coreShare = 0.12
	// maxNear is the most topics Match.Near suggests, and nearMin the
	// least coverage of one: below, a topic shares a character or two
	// with the question by chance.
	maxNear = 5
	nearMin = 0.12
	// maxClauses is the most clauses of a message read one by one.
	maxClauses = 12
)

// unknown is the idf of a term no example has, by kind, as a share of the
// idf of a term of one topic only: a character or word never seen is
// strong evidence of another subject, but two known characters never seen
// together mostly straddle two words.
var unknown = [kinds]float64{unigram: 1, bigram: 0.3, word: 1, number: 1}

// maxQuestion is how much of a question is read, in bytes: the head of a
// long message says what it asks.
const maxQuestion = 1024

// mapSearch is the address of a map search for the text that follows.
const mapSearch = "https://uri.amap.com/search?keyword="

//go:embed phrases.txt
var phrasesFile string

//go:embed simplified.txt
var simplifiedFile string

//go:embed t2s.txt
var t2sFile string

// Load returns a Matcher of the embedded knowledge base, faq/knowledge.txt,
// and phrases, faq/phrases.txt, after checking them. Each call returns a
// Matcher of its own, to teach examples to; the files are read once per
// process.
func Load() (*Matcher, error) {
	m, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return &Matcher{index: m.index}, nil
}

// loadEmbedded parses and indexes the embedded files the first time it is
// called. They are compiled in and an index is never changed, so one
// build serves every Matcher Load returns.
var loadEmbedded = sync.OnceValues(func() (*Matcher, error) {
	return Parse("faq/knowledge.txt", strings.NewReader(knowledgeFile))
})

// Parse reads a knowledge base in the format of faq/knowledge.txt and
// returns its Matcher, with the embedded phrases. Errors name the file, as
// name, and the line: an unknown, repeated or missing topic or class, an
// unknown field, an empty text, a topic without seed sentences, a class
// without examples in a language, a zh-Hans example in Traditional
// characters, and an example that is another one once normalised.
func Parse(name string, r io.Reader) (*Matcher, error) {
	k, err := parseKnowledge(name, r)
	if err != nil {
		return nil, err
	}
	t2s, err := parseT2S("faq/t2s.txt", t2sFile)
	if err != nil {
		return nil, err
	}
	m, err := build(name, k, t2s)
	if err != nil {
		return nil, err
	}
	m.base = k
	m.simplifiedOnly = parseSimplified(simplifiedFile)
	for r := range m.simplifiedOnly {
		if _, trad := t2s[r]; trad {
			delete(m.simplifiedOnly, r) // OpenCC has a few as both (麽): Traditional
		}
	}
	if m.phrases, err = parsePhrases("faq/phrases.txt", strings.NewReader(phrasesFile), m.Normalize); err != nil {
		return nil, err
	}
	return m, nil
}

// parseSimplified reads the characters of simplified.txt.
func parseSimplified(file string) map[rune]bool {
	set := map[rune]bool{}
	for line := range strings.Lines(file) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, r := range strings.TrimSpace(line) {
			set[r] = true
		}
	}
	return set
}

// parseT2S reads the pairs of t2s.txt. Errors name the file, as name, and
// the line.
func parseT2S(name, file string) (map[rune]rune, error) {
	t2s := map[rune]rune{}
	n := 0
	for line := range strings.Lines(file) {
		n++
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, pair := range strings.Fields(line) {
			trad, size := utf8.DecodeRuneInString(pair)
			simp, rest := utf8.DecodeRuneInString(pair[size:])
			if size+rest != len(pair) || trad == simp || simp == utf8.RuneError {
				return nil, fmt.Errorf("%s:%d: %q is not two different characters", name, n, pair)
			}
			if _, dup := t2s[trad]; dup {
				return nil, fmt.Errorf("%s:%d: %q again", name, n, string(trad))
			}
			t2s[trad] = simp
		}
	}
	return t2s, nil
}

// build indexes the examples of k, one document per class.
func build(name string, k *knowledge, t2s map[rune]rune) (*Matcher, error) {
	entries := k.entries
	m := &Matcher{index: &index{
		t2s: t2s, topics: topicIDs[:], maps: make([]string, len(topicIDs)),
		terms: map[string]int32{}, wordTerms: map[string]int32{},
	}}
	tfs := make([]map[int32]int, len(entries)) // of each term in each class
	lengths := make([]int, len(entries))       // of each class, in terms
	total := 0
	seen := map[string]int{} // the terms of each example → its line
	for ci, e := range entries {
		m.classes = append(m.classes, category{kind: e.kind, id: e.id})
		if e.mapQuery != "" {
			m.maps[ci] = mapSearch + url.QueryEscape(e.mapQuery)
		}
		tfs[ci] = map[int32]int{}
		for _, x := range e.examples {
			text, err := convert(name, t2s, x)
			if err != nil {
				return nil, err
			}
			var key strings.Builder
			ex := int32(len(m.exampleClass))
			m.exampleClass = append(m.exampleClass, int32(ci))
			tokens(text, func(t token) {
				key.WriteString(t.text + " ")
				id := m.term(t)
				for len(m.examples) <= int(id) {
					m.examples = append(m.examples, nil)
				}
				if list := m.examples[id]; len(list) == 0 || list[len(list)-1] != ex {
					m.examples[id] = append(list, ex)
				}
				tfs[ci][id]++
				lengths[ci]++
				total++
				if _, ok := m.wordTerms[t.raw]; t.kind == word && !ok {
					m.wordTerms[t.raw] = id
					for len(m.words) <= len(t.raw) {
						m.words = append(m.words, nil)
					}
					m.words[len(t.raw)] = append(m.words[len(t.raw)], t.raw)
				}
			})
			if key.Len() == 0 {
				return nil, fmt.Errorf("%s:%d: example %q has no words", name, x.line, x.text)
			}
			if first, dup := seen[key.String()]; dup {
				return nil, fmt.Errorf("%s:%d: example %q is the same as the one of line %d", name, x.line, x.text, first)
			}
			seen[key.String()] = x.line
		}
	}

	n := float64(len(entries))
	avg := float64(total) / n
	m.idf = make([]float64, len(m.terms))
	m.postings = make([][]posting, len(m.terms))
	for ci, tf := range tfs {
		norm := k1 * (1 - b + b*float64(lengths[ci])/avg)
		for id, f := range tf {
			m.postings[id] = append(m.postings[id], posting{class: int32(ci), credit: float64(f) / (float64(f) + norm)})
		}
	}
	for id, list := range m.postings {
		df := float64(len(list))
		m.idf[id] = math.Log(1 + (n-df+0.5)/(df+0.5))
		for i := range list {
			list[i].credit *= m.idf[id]
		}
	}
	m.exampleIDF = make([]float64, len(m.exampleClass))
	for id, list := range m.examples {
		for _, ex := range list {
			m.exampleIDF[ex] += m.idf[id]
		}
	}
	for k := range m.unknown {
		m.unknown[k] = unknown[k] * math.Log(1+(n-0.5)/1.5) // the idf of a term of one class
	}
	for _, x := range k.others {
		m.exams.addNames(x.text, m.Normalize)
	}
	m.scratch.New = func() any { return &scratch{} }
	m.generic = make([]bool, len(m.terms))
	for _, x := range k.generic {
		text, err := convert(name, t2s, x)
		if err != nil {
			return nil, err
		}
		for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			tokens(w, func(t token) {
				if id, ok := m.terms[t.text]; ok {
					m.generic[id] = true
				}
			})
		}
	}
	return m, nil
}

// convert folds an example and converts it to Simplified Chinese; a zh-Hans
// example in Traditional characters is an error.
func convert(name string, t2s map[rune]rune, x example) (string, error) {
	text := fold(x.text)
	s := toSimplified(t2s, text)
	if x.lang == examdesk.Simplified && s != text {
		return "", fmt.Errorf("%s:%d: zh-Hans example %q has Traditional characters: %q in Simplified", name, x.line, x.text, s)
	}
	return s, nil
}

// term returns the id of t's term, adding it if new.
func (m *Matcher) term(t token) int32 {
	if id, ok := m.terms[t.text]; ok {
		return id
	}
	id := int32(len(m.terms))
	m.terms[t.text] = id
	return id
}

// queryTerm is a term of a question: the term of the examples it is (id,
// -1 for a term no example has) or, for a misspelt word, the terms it may
// be (alts), the share of their credit it earns, its idf, and whether it
// only names the exam or a level.
type queryTerm struct {
	id      int32
	alts    []int32
	kind    int
	weight  float64
	idf     float64
	generic bool
}

// scored is how well one text fits each class.
type scored struct {
	best  int     // the best class
	score float64 // its coverage less runnerUp times the second's
	core  float64 // the share of the text's weight its core terms earn in best
	cov   []float64
}

// Best returns what question is and the confidence in it, from 0 to 1:
// small talk or a command when the whole message is one (see phrases.txt),
// another exam when it names one (see knowledge.txt), else the class of
// the knowledge base it most likely asks, a topic or a subject the notice
// does not state; Kind is Unknown when
// the confidence is below the threshold, and Score still says how close it
// came, or when the message is like the questions marked out of scope
// (Subject OffTopic). The examples taught at run time (Learn) count as
// those of the knowledge base.
//
// The terms of a text are its Chinese characters and pairs of them, in
// Simplified characters, and its English words and numbers, each once; a
// term weighs its idf over the classes, and a term no example has weighs
// as much as one of a single class. Each class is one document, all its
// examples together, where a term earns its BM25 term score divided by
// k1+1, at most its weight. A class's coverage is what the text's terms
// earn in it divided by their total weight: the share of the text,
// weighted by how telling each term is, that the class's examples account
// for, so that a text about something else covers little. A text that is
// nearly one of the examples (the weight of the terms they share, twice,
// over the weight of both, cubed: a text that is nearly an example counts
// as much as its class's coverage, a loose likeness much less) is covered
// by its class at least that
// much. The confidence is the best class's coverage less half the second
// best's, so that a text that fits two classes alike scores low; and it
// counts only when the terms other than the generic ones (the exam, the
// levels) earn coreShare of the weight in the best class, since a level's
// name or "exam" says nothing of what is asked.
//
// The whole message is read first; when it is not confident, each of its
// clauses (split at punctuation) is read, so that the question inside a
// long, polite or chatty message is found among the greetings and the
// story: the clause with the highest confident score wins.
func (m *Matcher) Best(question string) Match {
	if c := m.current(); c != m {
		return c.Best(question) // with the examples taught
	}
	question = clip(question)
	text := m.simplified(fold(question))
	norm := cantonese.Replace(text)
	if p, ok := m.phrases.match(norm); ok {
		return p
	}
	if m.otherExam(norm, question) {
		return Match{Kind: OtherExam, Score: 1}
	}
	if amount(text) {
		return Match{}
	}
	buf := m.scratch.Get().(*scratch)
	defer m.scratch.Put(buf)
	whole, ok := m.score(m.query(text, buf), buf)
	if !ok {
		return Match{}
	}
	top, found := whole, m.confident(whole)
	if parts := clauses(text); !found && len(parts) > 1 {
		for _, c := range parts {
			sc, ok := m.score(m.query(c, buf), buf)
			if !ok {
				continue
			}
			switch conf := m.confident(sc); {
			case conf && (!found || sc.score > top.score):
				top, found = sc, true
			case !conf && !found && sc.score > top.score:
				top = sc
			}
		}
	}
	score := max(0, min(1, top.score))
	if !found {
		return Match{Score: score, Near: m.near(whole.cov)}
	}
	c := m.classes[top.best]
	if c.kind == Topic {
		return Match{Kind: Topic, Topic: c.id, Score: score}
	}
	return Match{Kind: c.kind, Subject: c.id, Score: score, Near: m.near(whole.cov)}
}

// amountChars and amountWords are what an amount of time is written with:
// 兩年半, 3 years.
const amountChars = "0123456789.零〇一二两三四五六七八九十廿百半年月个多"

var amountWords = wordSet(`a an and half year years month months yr yrs`)

// amount reports whether a folded text is an amount of time and nothing
// else: an answer (how many years), not a question.
func amount(text string) bool {
	found := false
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return class(r) == sep && !strings.ContainsRune(amountChars, r) }) {
		if amountWords[f] {
			continue
		}
		for _, r := range f {
			if !strings.ContainsRune(amountChars, r) {
				return false
			}
		}
		found = true
	}
	return found
}

// clip cuts question to maxQuestion bytes, at a character's start.
func clip(question string) string {
	if len(question) <= maxQuestion {
		return question
	}
	n := maxQuestion
	for n > 0 && !utf8RuneStart(question[n]) {
		n--
	}
	return question[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// confident reports whether sc is sure enough to answer.
func (m *Matcher) confident(sc scored) bool {
	return sc.score >= threshold && sc.core >= coreShare
}

// scratch is memory that the texts of one message are scored in, one after
// the other.
type scratch struct {
	shared  []float64 // of each example: the weight it shares with the text
	touched []int32   // the examples with some
	alt     []float64
	terms   []queryTerm
	seen    map[string]bool
}

// score scores the terms of one text against every class; ok is false
// when the text has no terms, or only numbers, which answer a question
// (how many years) rather than ask one.
func (m *Matcher) score(q []queryTerm, buf *scratch) (scored, bool) {
	total, numbers := 0.0, 0
	for _, t := range q {
		total += t.idf
		if t.kind == number {
			numbers++
		}
	}
	if total == 0 || numbers == len(q) {
		return scored{}, false
	}
	cov, core := m.coverage(q, buf)
	for i, l := range m.likeness(q, total, buf) {
		cov[i] = max(cov[i]/total, l)
	}
	best, second := 0, 1
	if cov[second] > cov[best] {
		best, second = second, best
	}
	for i := 2; i < len(cov); i++ {
		switch {
		case cov[i] > cov[best]:
			best, second = i, best
		case cov[i] > cov[second]:
			second = i
		}
	}
	return scored{best: best, score: cov[best] - runnerUp*cov[second], core: core[best] / total, cov: cov}, true
}

// near returns the topics covered at least nearMin, the most covered
// first, at most maxNear.
func (m *Matcher) near(cov []float64) []string {
	var idx []int
	for i, c := range cov {
		if c >= nearMin && m.classes[i].kind == Topic {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return cov[idx[a]] > cov[idx[b]] })
	var out []string
	for _, i := range idx[:min(len(idx), maxNear)] {
		out = append(out, m.classes[i].id)
	}
	return out
}

// coverage returns what the terms of q earn in each class, all of them
// and the core ones (not generic).
func (m *Matcher) coverage(q []queryTerm, buf *scratch) (cov, core []float64) {
	cov = make([]float64, len(m.classes))
	core = make([]float64, len(m.classes))
	alt := buf.alt
	for _, t := range q {
		if t.alts == nil {
			if t.id < 0 {
				continue
			}
			for _, p := range m.postings[t.id] {
				cov[p.class] += t.weight * p.credit
				if !t.generic {
					core[p.class] += t.weight * p.credit
				}
			}
			continue
		}
		// A misspelt word earns in a class what the best of the words it
		// may be earns there.
		if alt == nil {
			alt = make([]float64, len(m.classes))
			buf.alt = alt
		}
		clear(alt)
		for _, a := range t.alts {
			for _, p := range m.postings[a] {
				alt[p.class] = max(alt[p.class], p.credit)
			}
		}
		for i, c := range alt {
			cov[i] += t.weight * c
			if !t.generic {
				core[i] += t.weight * c
			}
		}
	}
	return cov, core
}

// likeness returns, for each class, how nearly q is one of its examples:
// twice the weight of the terms they share over the weight of both (total
// is q's), cubed.
func (m *Matcher) likeness(q []queryTerm, total float64, buf *scratch) []float64 {
	if buf.shared == nil {
		buf.shared = make([]float64, len(m.exampleClass))
	}
	shared := buf.shared
	share := func(ex int32, w float64) {
		if shared[ex] == 0 {
			buf.touched = append(buf.touched, ex)
		}
		shared[ex] += w
	}
	var alt map[int32]float64
	for _, t := range q {
		if t.alts == nil {
			if t.id < 0 {
				continue
			}
			for _, ex := range m.examples[t.id] {
				share(ex, t.weight*m.idf[t.id])
			}
			continue
		}
		clear(alt)
		if alt == nil {
			alt = map[int32]float64{}
		}
		for _, a := range t.alts {
			for _, ex := range m.examples[a] {
				alt[ex] = max(alt[ex], m.idf[a])
			}
		}
		for ex, idf := range alt {
			share(ex, t.weight*idf)
		}
	}
	like := make([]float64, len(m.classes))
	for _, ex := range buf.touched {
		if s := shared[ex]; s > 0 {
			c := m.exampleClass[ex]
			r := 2 * s / (total + m.exampleIDF[ex])
			like[c] = max(like[c], r*r*r)
		}
		shared[ex] = 0
	}
	buf.touched = buf.touched[:0]
	return like
}

// query returns the terms of a text, folded and in Simplified Chinese,
// each once.
func (m *Matcher) query(text string, buf *scratch) []queryTerm {
	q := buf.terms[:0]
	if buf.seen == nil {
		buf.seen = map[string]bool{}
	}
	seen := buf.seen
	clear(seen)
	tokens(text, func(t token) {
		if seen[t.text] {
			return
		}
		seen[t.text] = true
		if id, ok := m.terms[t.text]; ok {
			q = append(q, queryTerm{id: id, kind: t.kind, weight: 1, idf: m.idf[id], generic: m.generic[id]})
			return
		}
		if t.kind == word {
			if alts := m.respell(t.raw); len(alts) > 0 {
				idf, generic := 0.0, true
				for _, a := range alts {
					idf = max(idf, m.idf[a])
					generic = generic && m.generic[a]
				}
				q = append(q, queryTerm{id: -1, alts: alts, kind: t.kind, weight: typo, idf: idf, generic: generic})
				return
			}
		}
		q = append(q, queryTerm{id: -1, kind: t.kind, weight: 1, idf: m.unknown[t.kind]})
	})
	buf.terms = q
	return q
}

// respell returns the terms of the examples' words that w may be a
// misspelling of: one edit away for a word of four to seven letters, two
// for a longer one.
func (m *Matcher) respell(w string) []int32 {
	if len(w) < 4 || !isASCII(w) {
		return nil
	}
	k := 1
	if len(w) >= 8 {
		k = 2
	}
	var alts []int32
	for n := len(w) - k; n <= len(w)+k && n < len(m.words); n++ {
		for _, v := range m.words[n] {
			if within(w, v, k) {
				if id := m.wordTerms[v]; !slices.Contains(alts, id) {
					alts = append(alts, id)
				}
			}
		}
	}
	return alts
}

// simplified returns s in Simplified Chinese characters.
func (m *Matcher) simplified(s string) string { return toSimplified(m.t2s, s) }

// toSimplified returns s with each Traditional character of t2s written
// as its Simplified one.
func toSimplified(t2s map[rune]rune, s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { _, ok := t2s[r]; return ok })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if to, ok := t2s[r]; ok {
			r = to
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Normalize returns text in the form the matcher compares texts in: lower
// case, full-width forms as half-width, Simplified Chinese characters, and
// the commonest words of written Cantonese as their Mandarin (冇 as 没有,
// 喺 as 在). Other readers of candidates' messages (the eligibility
// check's typed answers) compare in this form too.
func (m *Matcher) Normalize(text string) string {
	return cantonese.Replace(m.simplified(fold(text)))
}

// Match returns the topic of text, and false when the matcher is not
// confident it asks one (see Best).
func (m *Matcher) Match(text string) (topic string, ok bool) {
	b := m.Best(text)
	return b.Topic, b.Kind == Topic
}

// Topics returns the topic ids, in the order of DOMAIN.md.
func (m *Matcher) Topics() []string {
	return slices.Clone(m.topics)
}

// Subjects returns the subjects of the Unstated matches, in the order of
// the knowledge base.
func (m *Matcher) Subjects() []string {
	var out []string
	for _, c := range m.classes {
		if c.kind == Unstated {
			out = append(out, c.id)
		}
	}
	return out
}

// Args returns the values of the placeholders of the answer to topic, the
// message faq.<topic>: {"Map": a link to a map search for the address} for
// a topic whose answer names a place, nil for any other.
func (m *Matcher) Args(topic string) map[string]string {
	i := slices.Index(m.topics, topic)
	if i < 0 || m.maps[i] == "" {
		return nil
	}
	return map[string]string{"Map": m.maps[i]}
}
