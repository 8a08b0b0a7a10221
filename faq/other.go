package faq

import (
	"strings"
	"unicode/utf8"
)

// examWords are the words that say "an exam" or "a certificate": a Latin
// word no example has just before one names another exam (the CFA exam,
// PMP考試).
var examWords = wordSet(`exam exams examination test tests certificate certificates certification licence license qualification`)

// examHan are the same words in Chinese, in Simplified characters.
var examHan = []string{"考试", "证书", "证", "资格", "执照", "认证"}

// ownMarks are the words before another exam's name that make it the
// candidate's background rather than what is asked: 我有教師資格證, I
// hold a CPA.
var (
	ownHan   = "有过持拿获取了"
	ownLatin = wordSet(`have has hold holds held got passed with own`)
)

// ourNames are the words that name this qualification: a question that
// names it is about it, whatever other exam it names too.
var ourNames = []string{"电子商务", "电商", "e-commerce", "ecommerce", "e commerce"}

// exams are the names of other exams, normalised: Chinese ones are found
// as they are in a text, Latin ones as a run of whole words.
type exams struct {
	han   []string
	latin [][]string
}

// addNames adds the names of a comma-separated list, normalised with norm.
func (x *exams) addNames(list string, norm func(string) string) {
	for _, name := range splitList(list) {
		name = norm(name)
		if hasHan(name) {
			x.han = append(x.han, strings.ReplaceAll(name, " ", ""))
			continue
		}
		if w := latinWords(name); len(w) > 0 {
			x.latin = append(x.latin, w)
		}
	}
}

// latinWords returns the runs of Latin letters and digits of s.
func latinWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// otherExam reports whether a message asks about another exam: it names
// one, or calls an exam by a name the knowledge base has never seen (an
// acronym in capitals before an exam word, or a Latin word before a
// Chinese one: the CFA exam, PMP考試), and names neither this
// qualification nor the other exam as one the candidate already holds.
// text is the message normalised, original as written.
func (m *Matcher) otherExam(text, original string) bool {
	for _, n := range ourNames {
		if strings.Contains(text, n) {
			return false
		}
	}
	han := strings.ReplaceAll(text, " ", "")
	for _, name := range m.exams.han {
		for i := 0; ; {
			j := strings.Index(han[i:], name)
			if j < 0 {
				break
			}
			if !ownedHan(han[:i+j]) {
				return true
			}
			i += j + len(name)
		}
	}
	words := latinWords(text)
	for i := range words {
		for _, name := range m.exams.latin {
			if i+len(name) <= len(words) && equalWords(words[i:i+len(name)], name) && (i == 0 || !ownLatin[words[i-1]]) {
				return true
			}
		}
		if i+1 < len(words) && examWords[words[i+1]] && m.unseen(words[i]) && acronym(original, words[i]) && (i == 0 || !ownLatin[words[i-1]]) {
			return true
		}
	}
	// A Latin word right before a Chinese exam word: PMP考試.
	for _, w := range examHan {
		for i := 0; ; {
			j := strings.Index(han[i:], w)
			if j < 0 {
				break
			}
			before := han[:i+j]
			k := len(before)
			for k > 0 && (before[k-1] >= 'a' && before[k-1] <= 'z' || before[k-1] >= '0' && before[k-1] <= '9') {
				k--
			}
			if word := before[k:]; word != "" && m.unseen(word) && !ownedHan(before[:k]) {
				return true
			}
			i += j + len(w)
		}
	}
	return false
}

// ownedHan reports whether the text before a name ends with a word that
// makes the name what the candidate holds: 有, 考過, 持.
func ownedHan(before string) bool {
	for n := 0; n < 3 && before != ""; n++ {
		r, size := utf8.DecodeLastRuneInString(before)
		if strings.ContainsRune(ownHan, r) {
			return true
		}
		before = before[:len(before)-size]
	}
	return false
}

// acronym reports whether w, a folded word, is written in capitals in
// original: CFA, ACCA.
func acronym(original, w string) bool {
	for _, o := range strings.FieldsFunc(original, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if strings.ToLower(o) == w && strings.ToUpper(o) == o {
			return true
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unseen reports whether w, a Latin word, is one the knowledge base has
// never seen, even misspelt, and says something: not a number, a stop
// word or a single letter.
func (m *Matcher) unseen(w string) bool {
	if len(w) < 2 || stopwords[w] || w[0] >= '0' && w[0] <= '9' {
		return false
	}
	if _, ok := m.terms[stem(w)]; ok {
		return false
	}
	return len(m.respell(w)) == 0
}
