package dialog

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"examdesk/rules"
)

//go:embed answers.txt
var answersFile string

// questions are every question of the rules' vocabulary.
var questions = []rules.Question{
	rules.OccupationYears, rules.Certificate, rules.YearsSinceCertificate, rules.Education,
	rules.Major, rules.YearsSinceGraduation, rules.TrainingLevel4, rules.TrainingLevel3,
	rules.TrainingLevel2, rules.TrainingLevel1,
}

// vocabulary is what answers.txt says candidates type at each question,
// and beside the answers.
type vocabulary struct {
	answers map[rules.Question]*lexicon
	// asides are the sections of what candidates type beside an answer,
	// by name (see asideWords).
	asides map[string]*lexicon
}

// asideWords are the sections of answers.txt of what candidates type
// beside an answer, and the words each section's phrases may mean: at a
// follow-up after the result, skipping it; at an answer questioned as
// unlikely, keeping it or saying it was wrong.
var asideWords = map[string][]string{
	asideFollowUp: {asideSkip},
	asideDoubt:    {asideKeep, asideWrong},
}

// The sections and words of asideWords.
const (
	asideFollowUp = "follow-up"
	asideDoubt    = "doubt"
	asideSkip     = "skip"
	asideKeep     = "keep"
	asideWrong    = "wrong"
)

// lexicon is the phrases of one question, normalised.
type lexicon struct {
	phrases map[string]*phrase
	longest int // the longest phrase, in runes
}

// phrase is what one phrase means at a question.
type phrase struct {
	values   []string // the readings of a choice
	years    float64  // with isYears: a number of years
	isYears  bool
	calendar int // with isCal: a year, counted from this one
	isCal    bool
	under    bool   // "less than" the amount after it
	not      bool   // the opposite of the phrase after it
	filler   bool   // says nothing
	question bool   // makes the message a question, or a wish, not an answer
	aside    string // in a section of asideWords, the word it means
	line     int    // where it was defined last
}

// isFiller reports whether p is a phrase that says nothing; nil, for text
// no phrase covers, says something.
func (p *phrase) isFiller() bool { return p != nil && p.filler }

// meaning returns what p says, for telling two definitions apart.
func (p *phrase) meaning() string {
	return fmt.Sprint(p.values, p.years, p.isYears, p.calendar, p.isCal, p.under, p.not, p.filler, p.question, p.aside)
}

// scope is how widely a section of answers.txt applies; a narrower one
// overrides a wider one for the same phrase.
type scope int

const (
	scopeAny      scope = iota // [any]
	scopeKind                  // [yes_no], [years]
	scopeQuestion              // [education]
)

// definition is one phrase of one line, for the questions of its section.
type definition struct {
	scope     scope
	questions []rules.Question
	key       string
	p         phrase
}

// parseVocabulary reads a vocabulary file in the format of answers.txt for
// the questions of set, comparing phrases in the form norm gives them.
// Errors name the file, as name, and the line.
func parseVocabulary(name string, r io.Reader, set *rules.Set, norm func(string) string) (vocabulary, error) {
	var (
		defs     []definition
		sc       = bufio.NewScanner(r)
		n        int
		qs       []rules.Question
		sc0      scope
		inHeader bool
		aside    string // the section of asideWords being read, if any
		asides   = map[string]*lexicon{}
	)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			head, ok := strings.CutSuffix(line[1:], "]")
			if !ok {
				return vocabulary{}, fmt.Errorf("%s:%d: want a header \"[question]\", \"[yes_no]\", \"[years]\" or \"[any]\"", name, n)
			}
			inHeader = true
			if aside = strings.TrimSpace(head); asideWords[aside] != nil {
				if asides[aside] == nil {
					asides[aside] = &lexicon{phrases: map[string]*phrase{}}
				}
				continue
			}
			aside = ""
			var err error
			if qs, sc0, err = sectionQuestions(set, strings.TrimSpace(head)); err != nil {
				return vocabulary{}, fmt.Errorf("%s:%d: %v", name, n, err)
			}
			continue
		}
		if !inHeader {
			return vocabulary{}, fmt.Errorf("%s:%d: a line before the first header", name, n)
		}
		head, list, ok := strings.Cut(line, ":")
		if !ok {
			return vocabulary{}, fmt.Errorf("%s:%d: want \"VALUE: phrase, phrase…\"", name, n)
		}
		var (
			p   phrase
			err error
		)
		if aside != "" {
			p, err = parseAside(aside, strings.TrimSpace(head))
		} else {
			p, err = parseValue(set, qs, strings.TrimSpace(head))
		}
		if err != nil {
			return vocabulary{}, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		p.line = n
		phrases := splitPhrases(list)
		if len(phrases) == 0 {
			return vocabulary{}, fmt.Errorf("%s:%d: no phrases", name, n)
		}
		for _, ph := range phrases {
			key := collapse(norm(ph))
			if key == "" {
				return vocabulary{}, fmt.Errorf("%s:%d: phrase %q has nothing to read", name, n, ph)
			}
			if aside != "" {
				if err := asides[aside].add(key, p); err != nil {
					return vocabulary{}, fmt.Errorf("%s:%d: %v", name, n, err)
				}
				continue
			}
			defs = append(defs, definition{scope: sc0, questions: qs, key: key, p: p})
		}
	}
	if err := sc.Err(); err != nil {
		return vocabulary{}, fmt.Errorf("read %s: %w", name, err)
	}
	v := vocabulary{answers: map[rules.Question]*lexicon{}, asides: asides}
	for _, q := range questions {
		if set.Ask(q).Kind == 0 {
			continue
		}
		lx := &lexicon{phrases: map[string]*phrase{}}
		for s := scopeAny; s <= scopeQuestion; s++ {
			defined := map[string]*phrase{} // at this scope
			for _, d := range defs {
				if d.scope != s || !slices.Contains(d.questions, q) {
					continue
				}
				p := d.p
				if prev, ok := defined[d.key]; ok {
					// The same phrase twice at one scope: a negation and a
					// value may be one phrase (沒有), nothing else may.
					merged, ok := merge(prev, &p)
					if !ok {
						return vocabulary{}, fmt.Errorf("%s:%d: %q at %s means %s here and %s on line %d", name, p.line, d.key, q, describe(&p), describe(prev), prev.line)
					}
					p = *merged
				}
				defined[d.key] = &p
				lx.phrases[d.key] = &p
				lx.longest = max(lx.longest, utf8.RuneCountInString(d.key))
			}
		}
		v.answers[q] = lx
	}
	for section, lx := range asides {
		if !slices.ContainsFunc(slices.Collect(maps.Values(lx.phrases)), func(p *phrase) bool { return p.aside != "" }) {
			return vocabulary{}, fmt.Errorf("%s: section [%s] has no phrase of %s", name, section, strings.Join(asideWords[section], " or "))
		}
	}
	return v, nil
}

// parseAside reads the VALUE of a line of the section aside of
// asideWords: one of its words, or filler.
func parseAside(aside, head string) (phrase, error) {
	switch {
	case head == "filler":
		return phrase{filler: true}, nil
	case head == "not" && asideOpposite[asideWords[aside][0]] != "":
		return phrase{not: true}, nil
	case slices.Contains(asideWords[aside], head):
		return phrase{aside: head}, nil
	}
	want := strings.Join(asideWords[aside], ", ")
	if asideOpposite[asideWords[aside][0]] != "" {
		want += ", not"
	}
	return phrase{}, fmt.Errorf("value %q in [%s]: want %s or filler", head, aside, want)
}

// asideOpposite are the words of asideWords that a negation turns into
// each other: 沒打錯 keeps, "not right" is wrong.
var asideOpposite = map[string]string{asideKeep: asideWrong, asideWrong: asideKeep}

// add adds the phrase key, meaning p, to l; the same phrase twice must
// mean the same, or be a negation and a word (沒有 is wrong, and negates
// what follows).
func (l *lexicon) add(key string, p phrase) error {
	if prev, ok := l.phrases[key]; ok && prev.meaning() != p.meaning() {
		bare := func(p *phrase) bool { return p.not && p.aside == "" }
		switch {
		case bare(&p) && prev.aside != "":
			p.aside = prev.aside
		case bare(prev) && p.aside != "":
			p.not = true
		default:
			return fmt.Errorf("%q means %s here and %s on line %d", key, describe(&p), describe(prev), prev.line)
		}
	}
	l.phrases[key] = &p
	l.longest = max(l.longest, utf8.RuneCountInString(key))
	return nil
}

// sectionQuestions returns the questions a header names, and its scope.
func sectionQuestions(set *rules.Set, head string) ([]rules.Question, scope, error) {
	var out []rules.Question
	switch head {
	case "any":
		for _, q := range questions {
			if set.Ask(q).Kind != 0 {
				out = append(out, q)
			}
		}
		return out, scopeAny, nil
	case "yes_no", "years":
		kind := rules.YesNo
		if head == "years" {
			kind = rules.Number
		}
		for _, q := range questions {
			if set.Ask(q).Kind == kind {
				out = append(out, q)
			}
		}
		return out, scopeKind, nil
	}
	if set.Ask(rules.Question(head)).Kind == 0 {
		return nil, 0, fmt.Errorf("unknown question %q: want a question of the rules, yes_no, years or any", head)
	}
	return []rules.Question{rules.Question(head)}, scopeQuestion, nil
}

// parseValue reads the VALUE of a line for the questions qs.
func parseValue(set *rules.Set, qs []rules.Question, head string) (phrase, error) {
	var p phrase
	kinds := map[rules.Kind]bool{}
	for _, q := range qs {
		kinds[set.Ask(q).Kind] = true
	}
	number := len(kinds) == 1 && kinds[rules.Number]
	switch {
	case head == "filler":
		p.filler = true
		return p, nil
	case head == "question":
		p.question = true
		return p, nil
	case head == "not" && !number && !kinds[rules.Number]:
		p.not = true
		return p, nil
	case head == "under" && number:
		p.under = true
		return p, nil
	case strings.HasPrefix(head, "calendar ") && number:
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(head, "calendar ")))
		if err != nil || n > 0 || n < -maxYears {
			return p, fmt.Errorf("calendar %q: want 0 or a negative whole number of years", strings.TrimPrefix(head, "calendar "))
		}
		p.calendar, p.isCal = n, true
		return p, nil
	case number:
		y, err := strconv.ParseFloat(head, 64)
		if err != nil || y < 0 || y > maxYears || math.IsNaN(y) {
			return p, fmt.Errorf("value %q: want a number of years from 0 to %d, calendar N, under, not or filler", head, maxYears)
		}
		p.years, p.isYears = y, true
		return p, nil
	case len(kinds) != 1 || kinds[rules.Number]:
		return p, fmt.Errorf("value %q in a section of several kinds of question: want filler", head)
	}
	for _, v := range strings.Split(head, "|") {
		v = strings.TrimSpace(v)
		for _, q := range qs {
			if !slices.Contains(set.Ask(q).Choices, v) {
				return p, fmt.Errorf("value %q: %s has no choice %q (want one of %s, A | B, not or filler)", head, q, v, strings.Join(set.Ask(q).Choices, ", "))
			}
		}
		if slices.Contains(p.values, v) {
			return p, fmt.Errorf("value %q names %q twice", head, v)
		}
		p.values = append(p.values, v)
	}
	return p, nil
}

// merge joins two definitions of one phrase at one scope: the same
// meaning twice (冇 and 沒有 are one phrase once normalised), or a
// negation and a choice (沒有 is "no" and negates what follows).
func merge(a, b *phrase) (*phrase, bool) {
	bare := func(p *phrase) bool { return p.not && p.values == nil }
	choice := func(p *phrase) bool { return p.values != nil }
	var m phrase
	switch {
	case a.meaning() == b.meaning():
		m = *b
	case bare(b) && (choice(a) || bare(a)):
		m = *a
	case bare(a) && choice(b):
		m = *b
	default:
		return nil, false
	}
	m.not = a.not || b.not
	m.line = b.line
	return &m, true
}

func describe(p *phrase) string {
	switch {
	case p.filler:
		return "filler"
	case p.question:
		return "question"
	case p.under:
		return "under"
	case p.isCal:
		return fmt.Sprintf("calendar %d", p.calendar)
	case p.isYears:
		return strconv.FormatFloat(p.years, 'f', -1, 64)
	case p.not && p.values == nil:
		return "not"
	case p.aside != "":
		return p.aside
	}
	return strings.Join(p.values, " | ")
}

// splitPhrases splits a list at commas, ASCII or full-width.
func splitPhrases(list string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '，' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// collapse turns punctuation and runs of spaces into one space, and trims:
// "e-commerce" is "e commerce", "Ph.D." is "ph d". The signs that a number
// is written with stay where a digit is beside them (-3, 3.5, 3+, 3~5), so
// that an amount is read as written.
func collapse(s string) string {
	rs := []rune(s)
	digit := func(i int) bool { return i >= 0 && i < len(rs) && rs[i] >= '0' && rs[i] <= '9' }
	var b strings.Builder
	space := false
	for i, r := range rs {
		drop := unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
		if strings.ContainsRune(".-+/~%", r) && (digit(i-1) || digit(i+1)) {
			drop = false
		}
		if drop {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isWordChar reports whether r is part of a Latin word or a number, whose
// phrases must match whole words.
func isWordChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
}

// span is a stretch of a message: a phrase of the lexicon, or text it does
// not know (p nil).
type span struct {
	p    *phrase
	text string
}

// scan cuts a collapsed text into the phrases of l, the longest first at
// each place, and what is between them. Latin phrases match whole words.
func (l *lexicon) scan(text string) []span {
	var out []span
	unknown := -1 // the start of the unknown text being read
	flush := func(end int) {
		if unknown >= 0 {
			if t := strings.TrimSpace(text[unknown:end]); t != "" {
				out = append(out, span{text: t})
			}
			unknown = -1
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == ' ' {
			i += size
			continue
		}
		if j, p := l.longestAt(text, i); p != nil {
			flush(i)
			out = append(out, span{p: p, text: text[i:j]})
			i = j
			continue
		}
		if unknown < 0 {
			unknown = i
		}
		if isWordChar(r) {
			for i < len(text) && isWordChar(rune(text[i])) {
				i++
			}
			continue
		}
		i += size
	}
	flush(len(text))
	return out
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// longestAt returns the end of the longest phrase of l at text[i:], and
// the phrase, or nil.
func (l *lexicon) longestAt(text string, i int) (int, *phrase) {
	if i > 0 && isWordChar(lastRune(text[:i])) {
		return 0, nil // in the middle of a word
	}
	ends := make([]int, 0, l.longest)
	for j, n := i, 0; j < len(text) && n < l.longest; n++ {
		_, size := utf8.DecodeRuneInString(text[j:])
		j += size
		ends = append(ends, j)
	}
	for k := len(ends) - 1; k >= 0; k-- {
		j := ends[k]
		p, ok := l.phrases[text[i:j]]
		if !ok {
			continue
		}
		if j < len(text) && isWordChar(lastRune(text[:j])) && isWordChar(rune(text[j])) {
			continue // a word goes on
		}
		return j, p
	}
	return 0, nil
}

// typed is what a typed answer may mean.
type typed struct {
	// values are the readings: one is the answer, several are asked
	// about. A number's readings are the lowest value of each range.
	values []rules.Value
	// ranges are, for a number, the range of each reading.
	ranges []yearsRange
	// clean: the message has nothing else; else it may be a question.
	clean bool
	// question: the message has a question mark, or words that ask or
	// wish (嗎, how, 想報): it is taken as an answer only when it asks
	// nothing the bot knows.
	question bool
}

// yearsRange is a range of years, from from to to, to excluded; to is
// +Inf for no end, and equals from for an exact number.
type yearsRange struct{ from, to float64 }

// readChoice reads a typed answer to the choice or yes/no question q: the
// number of an option, or the phrases of the vocabulary.
func (v vocabulary) readChoice(q rules.QuestionInfo, text string, norm func(string) string) typed {
	key := collapse(norm(text))
	if n, err := strconv.Atoi(key); err == nil {
		if n >= 1 && n <= len(q.Choices) {
			return typed{values: []rules.Value{{Choice: q.Choices[n-1]}}, clean: true}
		}
		return typed{}
	}
	lx := v.answers[q.ID]
	if lx == nil || key == "" {
		return typed{}
	}
	spans := lx.scan(key)
	var sets [][]string
	clean, question := true, strings.ContainsAny(text, "?？")
	for i := 0; i < len(spans); i++ {
		s := spans[i]
		switch {
		case s.p == nil:
			clean = false
			continue
		case s.p.question:
			question = true
			continue
		case s.p.filler:
			continue
		case s.p.not:
			if j := nextValue(spans, i+1); j > 0 {
				sets = append(sets, complement(q.Choices, spans[j].p.values))
				i = j
				continue
			}
		}
		if s.p.values != nil {
			sets = append(sets, s.p.values)
		}
	}
	var values []rules.Value
	switch {
	case len(sets) == 0:
		return typed{}
	case len(sets) == 1:
		for _, c := range sets[0] {
			values = append(values, rules.Value{Choice: c})
		}
	default:
		// Every reading the phrases agree on; when they disagree (本科,
		// 碩士), every one of them, in the order of the choices.
		for _, c := range q.Choices {
			if !slices.ContainsFunc(sets, func(set []string) bool { return !slices.Contains(set, c) }) {
				values = append(values, rules.Value{Choice: c})
			}
		}
		if len(values) == 0 {
			for _, c := range q.Choices {
				if slices.ContainsFunc(sets, func(set []string) bool { return slices.Contains(set, c) }) {
					values = append(values, rules.Value{Choice: c})
				}
			}
		}
	}
	return typed{values: values, clean: clean && !question, question: question}
}

// readAside reads a typed message by the section of asideWords named
// section: word is the word its first phrases mean, with nothing but
// fillers before them, and rest what follows them, collapsed ("" when
// only fillers and phrases of the same word follow: 係呀, 冇錯; "10年" in
// 打錯，10年). A negation before a word means its opposite (沒打錯 keeps).
// word is "" when the message starts otherwise.
func (v vocabulary) readAside(section, text string, norm func(string) string) (word, rest string) {
	lx := v.asides[section]
	key := collapse(norm(text))
	if lx == nil || key == "" {
		return "", ""
	}
	spans := lx.scan(key)
	// Where each span starts in key: a negation is of the phrase right
	// after it, not across a comma (唔係，打錯咗 is wrong).
	starts := make([]int, len(spans))
	for i, at := 0, 0; i < len(spans); i++ {
		starts[i] = at + strings.Index(key[at:], spans[i].text)
		at = starts[i] + len(spans[i].text)
	}
	joined := func(i, j int) bool {
		gap := key[starts[i]+len(spans[i].text) : starts[j]]
		return gap == "" || gap == " " && isWordChar(lastRune(spans[i].text))
	}
	for i := 0; i < len(spans); i++ {
		s := spans[i]
		if s.p.isFiller() {
			continue
		}
		w, at := "", i
		if s.p != nil {
			w = s.p.aside
			if j := i + 1; s.p.not && j < len(spans) && joined(i, j) && spans[j].p != nil && asideOpposite[spans[j].p.aside] != "" {
				w, i = asideOpposite[spans[j].p.aside], j
			}
		}
		if w == "" || word != "" && w != word {
			if word == "" {
				return "", ""
			}
			return word, key[starts[at]:]
		}
		word = w
	}
	return word, ""
}

// nextValue returns the index of the first span from i on that is a
// value and not a negation, past fillers only; 0 when there is none.
func nextValue(spans []span, i int) int {
	for ; i < len(spans); i++ {
		s := spans[i]
		switch {
		case s.p == nil:
			return 0
		case s.p.filler && !s.p.not:
			continue
		case s.p.values != nil && !s.p.not:
			return i
		}
		return 0
	}
	return 0
}

// complement returns the choices not in set.
func complement(choices, set []string) []string {
	var out []string
	for _, c := range choices {
		if !slices.Contains(set, c) {
			out = append(out, c)
		}
	}
	return out
}

// calendarDate is a year, or a year and month, as candidates type one:
// 2018, 2018年, 2018年6月, 2018.6, 2018-06.
var calendarDate = regexp.MustCompile(`^((?:19|20)\d\d) ?(?:年|year)? ?(?:(\d{1,2}) ?月?)?$`)

// readYears reads a typed answer to a number question: an amount of years
// as ParseYearsRange reads it, a calendar year or month from which the
// years are counted up to now (2018年畢業), or the phrases of the
// vocabulary (沒有 for 0, 去年, 不到三年), with the question's fillers
// around them (工作了3年, 3年前畢業). ok is false unless all of the
// message is that.
func (v vocabulary) readYears(q rules.Question, text string, norm func(string) string, now time.Time) (yearsRange, bool) {
	key := collapse(norm(text))
	if lo, hi, ok := ParseYearsRange(key); ok {
		return yearsRange{lo, hi}, true
	}
	lx := v.answers[q]
	if lx == nil || key == "" {
		return yearsRange{}, false
	}
	var (
		amount []string
		under  bool
		fixed  []*phrase
		all    strings.Builder // the text but the fillers: 零 is a phrase, 零點五年 an amount
	)
	for _, s := range lx.scan(key) {
		if !s.p.isFiller() {
			if all.Len() > 0 && isWordChar(lastRune(all.String())) && isWordChar(rune(s.text[0])) {
				all.WriteByte(' ')
			}
			all.WriteString(s.text)
		}
		switch {
		case s.p == nil:
			amount = append(amount, s.text)
		case s.p.question:
			return yearsRange{}, false
		case s.p.filler:
		case s.p.under:
			if under || len(amount) > 0 {
				return yearsRange{}, false
			}
			under = true
		default:
			fixed = append(fixed, s.p)
		}
	}
	if lo, hi, ok := ParseYearsRange(all.String()); ok && !under && all.Len() > 0 {
		return yearsRange{lo, hi}, true
	}
	// Phrases of a number (沒有) outweigh phrases of a year (今年剛畢業 is
	// 0), and must agree.
	exact := slices.DeleteFunc(slices.Clone(fixed), func(p *phrase) bool { return !p.isYears })
	if len(exact) > 0 {
		fixed = exact
		for _, p := range exact[1:] {
			if p.years != exact[0].years {
				return yearsRange{}, false
			}
		}
		fixed = fixed[:1]
	}
	var r yearsRange
	switch {
	case len(amount) > 0 && len(fixed) > 0, len(fixed) > 1:
		return yearsRange{}, false
	case len(fixed) == 1 && fixed[0].isCal:
		var ok bool
		if r, ok = sinceDate(now, now.Year()+fixed[0].calendar, 0); !ok {
			return yearsRange{}, false
		}
	case len(fixed) == 1:
		r = yearsRange{fixed[0].years, fixed[0].years}
	case len(amount) == 0:
		return yearsRange{}, false
	default:
		a := strings.Join(amount, " ")
		if lo, hi, ok := ParseYearsRange(a); ok {
			r = yearsRange{lo, hi}
		} else if m := calendarDate.FindStringSubmatch(strings.TrimSpace(a)); m != nil && !under {
			year, _ := strconv.Atoi(m[1])
			month := 0
			if m[2] != "" {
				month, _ = strconv.Atoi(m[2])
				if month < 1 || month > 12 {
					return yearsRange{}, false
				}
			}
			if r, ok = sinceDate(now, year, month); !ok {
				return yearsRange{}, false
			}
		} else {
			return yearsRange{}, false
		}
	}
	if under {
		if r.from <= 0 || r.to != r.from {
			return yearsRange{}, false
		}
		r = yearsRange{0, r.from}
	}
	return r, true
}

// sinceDate returns the years from a calendar year, or a month of it
// (month 0: the whole year), to now: from its end to its start. A date
// after now, or more than maxYears before, is not read.
func sinceDate(now time.Time, year, month int) (yearsRange, bool) {
	start := time.Date(year, time.January, 1, 0, 0, 0, 0, now.Location())
	end := start.AddDate(1, 0, 0)
	if month > 0 {
		start = time.Date(year, time.Month(month), 1, 0, 0, 0, 0, now.Location())
		end = start.AddDate(0, 1, 0)
	}
	if start.After(now) || now.Year()-year > maxYears {
		return yearsRange{}, false
	}
	years := func(t time.Time) float64 { return max(0, now.Sub(t).Hours()/24/365.2425) }
	return yearsRange{years(end), years(start)}, true
}
