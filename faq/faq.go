// Package faq finds which frequently asked question a candidate's message
// asks, in Traditional Chinese, Simplified Chinese or English. It ranks the
// example questions of an embedded knowledge base by BM25 against the
// message, after folding both to one script and form, and answers only when
// the best topic is clearly better than nothing and than the others. The
// answers themselves are the messages faq.<topic> of the locales.
package faq

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/longbridgeapp/opencc"
)

//go:embed knowledge.txt
var knowledgeFile string

// Match is the topic a question asks and how sure the matcher is of it.
type Match struct {
	// Topic is a topic id, or "" when Score is below the threshold.
	Topic string
	// Score is the confidence, from 0 (no evidence) to 1.
	Score float64
}

// Matcher finds the FAQ topic of a question, and the link of the map its
// answer shows. It is safe for concurrent use and never changes after it is
// built.
type Matcher struct {
	t2s    *opencc.OpenCC
	topics []string // topicIDs
	maps   []string // the map link of each topic's answer, or ""

	terms    map[string]int32 // term text → id
	idf      []float64        // of each term
	postings [][]posting      // of each term, by topic
	unknown  [kinds]float64   // the idf of a term no example has, by kind

	// The examples, for a question that is nearly one of them: the
	// examples of each term, and the topic and the sum of the idfs of the
	// terms of each example.
	examples     [][]int32
	exampleTopic []int32
	exampleIDF   []float64

	// words are the Latin words of the examples as written, by length, and
	// the term each stems to: where a misspelt word is looked up.
	words     [][]string
	wordTerms map[string]int32
}

// posting is a term's credit in a topic: its BM25 term score over the
// document of all the topic's examples, divided by k1+1 so that it is at
// most the term's idf.
type posting struct {
	topic  int32
	credit float64
}

// The constants of the ranking, chosen by cross-validation on the
// examples (see TestHeldOut) and the questions of the tests.
const (
	k1, b = 1.5, 0.75 // BM25's
	// typo is how much a misspelt word counts, as a share of the word it
	// is taken for.
	typo = 0.8
	// runnerUp is the share of the second topic's coverage taken off the
	// best one's.
	runnerUp = 0.5
	// likenessPower is the power a question's likeness to an example is
	// raised to: a question that is nearly an example counts as much as
	// its topic's coverage, a loose likeness much less.
	likenessPower = 3
	// threshold is the lowest score that Best answers.
	threshold = 0.28
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

// Load returns the Matcher of the embedded knowledge base, faq/knowledge.txt,
// after checking it.
func Load() (*Matcher, error) {
	return Parse("faq/knowledge.txt", strings.NewReader(knowledgeFile))
}

// Parse reads a knowledge base in the format of faq/knowledge.txt and
// returns its Matcher. Errors name the file, as name, and the line: an
// unknown, repeated or missing topic, an unknown field, an empty text, a
// topic without seed sentences or without examples in a language, a zh-Hans
// example in Traditional characters, and an example that is another one
// once normalised.
func Parse(name string, r io.Reader) (*Matcher, error) {
	entries, err := parseKnowledge(name, r)
	if err != nil {
		return nil, err
	}
	t2s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("load opencc t2s: %w", err)
	}
	return build(name, entries, t2s)
}

// build indexes the examples of entries, one document per topic.
func build(name string, entries []*entry, t2s *opencc.OpenCC) (*Matcher, error) {
	m := &Matcher{
		t2s: t2s, topics: topicIDs[:], maps: make([]string, len(entries)),
		terms: map[string]int32{}, wordTerms: map[string]int32{},
	}
	tfs := make([]map[int32]int, len(entries)) // of each term in each topic
	lengths := make([]int, len(entries))       // of each topic, in terms
	total := 0
	seen := map[string]int{} // the terms of each example → its line
	for ti, e := range entries {
		if e.mapQuery != "" {
			m.maps[ti] = mapSearch + url.QueryEscape(e.mapQuery)
		}
		tfs[ti] = map[int32]int{}
		for _, x := range e.examples {
			text := fold(x.text)
			if hasHan(text) {
				s, err := t2s.Convert(text)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: convert %q: %w", name, x.line, x.text, err)
				}
				if x.lang == "zh-Hans" && s != text {
					return nil, fmt.Errorf("%s:%d: zh-Hans example %q has Traditional characters: %q in Simplified", name, x.line, x.text, s)
				}
				text = s
			}
			var key strings.Builder
			ex := int32(len(m.exampleTopic))
			m.exampleTopic = append(m.exampleTopic, int32(ti))
			tokens(text, func(t token) {
				key.WriteString(t.text + " ")
				id := m.term(t)
				for len(m.examples) <= int(id) {
					m.examples = append(m.examples, nil)
				}
				if list := m.examples[id]; len(list) == 0 || list[len(list)-1] != ex {
					m.examples[id] = append(list, ex)
				}
				tfs[ti][id]++
				lengths[ti]++
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
	for ti, tf := range tfs {
		norm := k1 * (1 - b + b*float64(lengths[ti])/avg)
		for id, f := range tf {
			m.postings[id] = append(m.postings[id], posting{topic: int32(ti), credit: float64(f) / (float64(f) + norm)})
		}
	}
	for id, list := range m.postings {
		df := float64(len(list))
		m.idf[id] = math.Log(1 + (n-df+0.5)/(df+0.5))
		for i := range list {
			list[i].credit *= m.idf[id]
		}
	}
	m.exampleIDF = make([]float64, len(m.exampleTopic))
	for id, list := range m.examples {
		for _, ex := range list {
			m.exampleIDF[ex] += m.idf[id]
		}
	}
	for k := range m.unknown {
		m.unknown[k] = unknown[k] * math.Log(1+(n-0.5)/1.5) // the idf of a term of one topic
	}
	return m, nil
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

// queryTerm is a term of a question: the terms of the examples it may be
// (one, several for a misspelt word, none for a term no example has), the
// share of their credit it earns, and its idf.
type queryTerm struct {
	alts   []int32
	kind   int
	weight float64
	idf    float64
}

// Best returns the topic that question most likely asks and the confidence
// in it, from 0 to 1; Topic is "" when the confidence is below the
// threshold, and Score still says how close it came.
//
// The terms of a question are its Chinese characters and pairs of them, in
// Simplified characters, and its English words and numbers, each once; a
// term weighs its idf over the topics, and a term no example has weighs as
// much as one of a single topic. Each topic is one document, all its
// examples together, where a term earns its BM25 term score divided by
// k1+1, at most its weight. A topic's coverage is what the question's
// terms earn in it divided by their total weight: the share of the
// question, weighted by how telling each term is, that the topic's examples
// account for, so that a question about something else covers little. A
// question that is nearly one of the examples (the weight of the terms they
// share, twice, over the weight of both, cubed) is covered by its topic at
// least that much. The confidence is the best topic's coverage less half
// the second best's, so that a question that fits two topics alike scores
// low.
func (m *Matcher) Best(question string) Match {
	q := m.query(question)
	total, numbers := 0.0, 0
	for _, t := range q {
		total += t.idf
		if t.kind == number {
			numbers++
		}
	}
	if total == 0 || numbers == len(q) {
		// Numbers alone answer a question (how many years) rather than
		// ask one.
		return Match{}
	}
	cov := m.coverage(q)
	for i, l := range m.likeness(q, total) {
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
	score := max(0, min(1, cov[best]-runnerUp*cov[second]))
	if score < threshold {
		return Match{Score: score}
	}
	return Match{Topic: m.topics[best], Score: score}
}

// coverage returns what the terms of q earn in each topic.
func (m *Matcher) coverage(q []queryTerm) [len(topicIDs)]float64 {
	var cov, alt [len(topicIDs)]float64
	for _, t := range q {
		if len(t.alts) == 1 {
			for _, p := range m.postings[t.alts[0]] {
				cov[p.topic] += t.weight * p.credit
			}
			continue
		}
		// A misspelt word earns in a topic what the best of the words it
		// may be earns there.
		alt = [len(topicIDs)]float64{}
		for _, a := range t.alts {
			for _, p := range m.postings[a] {
				alt[p.topic] = max(alt[p.topic], p.credit)
			}
		}
		for i, c := range alt {
			cov[i] += t.weight * c
		}
	}
	return cov
}

// likeness returns, for each topic, how nearly q is one of its examples:
// twice the weight of the terms they share over the weight of both (total
// is q's), cubed.
func (m *Matcher) likeness(q []queryTerm, total float64) [len(topicIDs)]float64 {
	shared := make([]float64, len(m.exampleTopic))
	var alt map[int32]float64
	for _, t := range q {
		if len(t.alts) == 1 {
			for _, ex := range m.examples[t.alts[0]] {
				shared[ex] += t.weight * m.idf[t.alts[0]]
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
			shared[ex] += t.weight * idf
		}
	}
	var like [len(topicIDs)]float64
	for ex, s := range shared {
		if s > 0 {
			t := m.exampleTopic[ex]
			like[t] = max(like[t], math.Pow(2*s/(total+m.exampleIDF[ex]), likenessPower))
		}
	}
	return like
}

// query returns the terms of a question, each once.
func (m *Matcher) query(question string) []queryTerm {
	if len(question) > maxQuestion {
		question = question[:maxQuestion]
	}
	var q []queryTerm
	seen := map[string]bool{}
	tokens(m.simplified(fold(question)), func(t token) {
		if seen[t.text] {
			return
		}
		seen[t.text] = true
		if id, ok := m.terms[t.text]; ok {
			q = append(q, queryTerm{alts: []int32{id}, kind: t.kind, weight: 1, idf: m.idf[id]})
			return
		}
		if t.kind == word {
			if alts := m.respell(t.raw); len(alts) > 0 {
				idf := 0.0
				for _, a := range alts {
					idf = max(idf, m.idf[a])
				}
				q = append(q, queryTerm{alts: alts, kind: t.kind, weight: typo, idf: idf})
				return
			}
		}
		q = append(q, queryTerm{kind: t.kind, weight: 1, idf: m.unknown[t.kind]})
	})
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
func (m *Matcher) simplified(s string) string {
	if !hasHan(s) {
		return s
	}
	out, err := m.t2s.Convert(s)
	if err != nil {
		// OpenCC fails only on a dictionary it has not loaded, which
		// Parse would have reported: the text is then compared as is.
		return s
	}
	return out
}

// Match returns the topic of text, and false when the matcher is not
// confident of any (see Best). It implements dialog.FAQ.
func (m *Matcher) Match(text string) (topic string, ok bool) {
	b := m.Best(text)
	return b.Topic, b.Topic != ""
}

// Topics returns the topic ids, in the order of DOMAIN.md.
func (m *Matcher) Topics() []string {
	return slices.Clone(m.topics)
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

// Language returns the language text is most likely written in: "zh-Hant"
// when it has Chinese characters that differ in Simplified Chinese,
// "zh-Hans" when it has others, "en" when it has none.
func (m *Matcher) Language(text string) string {
	s := fold(text)
	switch {
	case !hasHan(s):
		return "en"
	case m.simplified(s) != s:
		return "zh-Hant"
	}
	return "zh-Hans"
}
