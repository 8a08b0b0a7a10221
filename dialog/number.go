package dialog

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// maxYears is the largest number of years ParseYears accepts.
const maxYears = 100

// maxYearsInput is the longest input, in bytes, ParseYears reads: nobody
// writes a number of years in more.
const maxYearsInput = 128

// maxHedges is the most hedges ParseYears takes on either side of the
// number: 大概有 3 年多了.
const maxHedges = 2

// ParseYears reads a number of years as a person types it in a chat, in
// Chinese (Traditional or Simplified) or English, and reports whether it
// was one. It accepts
//
//   - digits, full-width or not, with an optional decimal point: 3, ３, 3.5;
//   - Chinese numerals up to 一百, with 兩 or 两 for two and 點 or 点 for a
//     decimal point: 三, 十三, 二十一, 三點五;
//   - English number words up to a hundred: three, thirteen, twenty-one;
//   - a unit of years (年, year, years, yr, yrs, y) or of months (個月, 个月,
//     month, months, mo), months being counted as twelfths of a year;
//     a bare number is years, and 月 without 個 (a month of the calendar) is
//     refused;
//   - halves: 半年, 一年半, 兩年半, 三個半月, half a year, a year and a half,
//     two and a half;
//   - years then months: 3年6個月, 兩年零三個月, 2 years and 6 months;
//   - the zero words 零, 〇, zero, none, 無 and 无 (but not a bare no or 沒有,
//     which answer yes/no questions, not "how many");
//   - hedges that keep the number a lower bound or an estimate: 約, 大概,
//     差不多, 有, 已經, 超過, 至少, about, around, roughly, approximately,
//     over, more than, at least, ~ before it; 多, 以上, 左右, 了, +, or so,
//     or more, plus after it (3年多 is 3).
//
// Tens with 多 or 幾 after them (十多年, 十幾年, 二十多年) are read as
// their lowest value. Everything else is refused: ranges (3到5年, 3-5),
// vague amounts (幾年), "less than" words (將近, 快, almost, nearly), a
// decimal comma (3,5), fractions (1/2), negative numbers, more than 100
// years, and words it does not know. An accepted value v is finite and
// 0 ≤ v ≤ 100.
func ParseYears(s string) (float64, bool) {
	lo, _, ok := ParseYearsRange(s)
	return lo, ok
}

// ParseYearsRange reads what ParseYears reads, and tells the range of years
// it may mean: from lo, included, to hi, excluded, or hi = lo when it is
// exact. An amount with 多, 幾 or + after it is a range: 3年多 and 3+ years
// from 3 to 4, 十多年 and 十幾年 from 10 to 20, 三個多月 from a quarter to a
// third of a year. The hedges (about, 以上, at least) leave an amount
// exact: the candidate means it as the number.
func ParseYearsRange(s string) (lo, hi float64, ok bool) {
	if len(s) > maxYearsInput {
		return 0, 0, false
	}
	toks, ok := lexYears(foldYears(s))
	if !ok {
		return 0, 0, false
	}
	p := yearsParser{toks: toks}
	lo, hi, ok = p.parse()
	if !ok || math.IsNaN(lo) || math.IsInf(lo, 0) || lo < 0 || lo > maxYears || hi < lo {
		return 0, 0, false
	}
	return lo, hi, true
}

// foldYears lower-cases s, folds full-width forms to ASCII and every space
// to ' ', and trims spaces and a final full stop or exclamation mark.
func foldYears(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case unicode.IsSpace(r):
			r = ' '
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimLeft(strings.TrimRight(b.String(), " .。!"), " ")
}

// yearsKind is the kind of a token of ParseYears's input.
type yearsKind uint8

const (
	kEnd     yearsKind = iota // past the last token
	kNum                      // a number
	kHundred                  // hundred
	kA                        // a, an
	kHalf                     // 半, half
	kYear                     // 年, year
	kMonth                    // month
	kGe                       // 個, 个: the measure word of 個月
	kYue                      // 月
	kAnd                      // and, 又, 零 between years and months, ",", "&"
	kPre                      // a hedge before the number: about, 大概
	kPost                     // a hedge after it: or so, 以上
	kDuo                      // 多: "and more"
	kPlus                     // +: "and more"
	kNone                     // none, 無
)

// wordClass says how an English number word combines with the next one.
type wordClass uint8

const (
	notWord  wordClass = iota // digits or Chinese numerals
	wordUnit                  // zero … nine
	wordTeen                  // ten … nineteen
	wordTens                  // twenty … ninety
)

type yearsTok struct {
	kind  yearsKind
	val   float64   // kNum: the value
	class wordClass // kNum: how an English word combines
	han   bool      // kHalf: written 半
	both  bool      // kPre: may also stand after the number (at least, 至少)
}

// yearsWords are the English words ParseYears knows.
var yearsWords = map[string]yearsTok{
	"zero": {kind: kNum, val: 0, class: wordUnit}, "one": {kind: kNum, val: 1, class: wordUnit},
	"two": {kind: kNum, val: 2, class: wordUnit}, "three": {kind: kNum, val: 3, class: wordUnit},
	"four": {kind: kNum, val: 4, class: wordUnit}, "five": {kind: kNum, val: 5, class: wordUnit},
	"six": {kind: kNum, val: 6, class: wordUnit}, "seven": {kind: kNum, val: 7, class: wordUnit},
	"eight": {kind: kNum, val: 8, class: wordUnit}, "nine": {kind: kNum, val: 9, class: wordUnit},
	"ten": {kind: kNum, val: 10, class: wordTeen}, "eleven": {kind: kNum, val: 11, class: wordTeen},
	"twelve": {kind: kNum, val: 12, class: wordTeen}, "thirteen": {kind: kNum, val: 13, class: wordTeen},
	"fourteen": {kind: kNum, val: 14, class: wordTeen}, "fifteen": {kind: kNum, val: 15, class: wordTeen},
	"sixteen": {kind: kNum, val: 16, class: wordTeen}, "seventeen": {kind: kNum, val: 17, class: wordTeen},
	"eighteen": {kind: kNum, val: 18, class: wordTeen}, "nineteen": {kind: kNum, val: 19, class: wordTeen},
	"twenty": {kind: kNum, val: 20, class: wordTens}, "thirty": {kind: kNum, val: 30, class: wordTens},
	"forty": {kind: kNum, val: 40, class: wordTens}, "fifty": {kind: kNum, val: 50, class: wordTens},
	"sixty": {kind: kNum, val: 60, class: wordTens}, "seventy": {kind: kNum, val: 70, class: wordTens},
	"eighty": {kind: kNum, val: 80, class: wordTens}, "ninety": {kind: kNum, val: 90, class: wordTens},
	"hundred": {kind: kHundred},
	"a":       {kind: kA}, "an": {kind: kA},
	"half": {kind: kHalf},
	"and":  {kind: kAnd},
	"year": {kind: kYear}, "years": {kind: kYear}, "yr": {kind: kYear}, "yrs": {kind: kYear}, "y": {kind: kYear},
	"month": {kind: kMonth}, "months": {kind: kMonth}, "mo": {kind: kMonth}, "mos": {kind: kMonth},
	"mth": {kind: kMonth}, "mths": {kind: kMonth},
	"about": {kind: kPre}, "around": {kind: kPre}, "roughly": {kind: kPre}, "approximately": {kind: kPre},
	"approx": {kind: kPre}, "circa": {kind: kPre}, "over": {kind: kPre},
	"plus": {kind: kPost}, "ish": {kind: kPost},
	"none": {kind: kNone},
	// Two-word phrases, looked up when the first word is "more", "at" or "or".
	"more than": {kind: kPre}, "at least": {kind: kPre, both: true}, "or so": {kind: kPost}, "or more": {kind: kPost},
}

// yearsHan are the Chinese words ParseYears knows, besides numerals, longest
// first so that the lexer takes the longest.
var yearsHan = []struct {
	word string
	tok  yearsTok
}{
	{"差不多", yearsTok{kind: kPre}},
	{"大約", yearsTok{kind: kPre}}, {"大约", yearsTok{kind: kPre}}, {"大概", yearsTok{kind: kPre}},
	{"大致", yearsTok{kind: kPre}}, {"約莫", yearsTok{kind: kPre}}, {"约莫", yearsTok{kind: kPre}},
	{"已經", yearsTok{kind: kPre}}, {"已经", yearsTok{kind: kPre}}, {"超過", yearsTok{kind: kPre}},
	{"超过", yearsTok{kind: kPre}}, {"至少", yearsTok{kind: kPre, both: true}},
	{"以上", yearsTok{kind: kPost}}, {"左右", yearsTok{kind: kPost}}, {"上下", yearsTok{kind: kPost}},
	{"約", yearsTok{kind: kPre}}, {"约", yearsTok{kind: kPre}}, {"有", yearsTok{kind: kPre}},
	{"已", yearsTok{kind: kPre}}, {"~", yearsTok{kind: kPre}}, {"〜", yearsTok{kind: kPre}},
	{"≈", yearsTok{kind: kPre}},
	{"了", yearsTok{kind: kPost}}, {"吧", yearsTok{kind: kPost}}, {"+", yearsTok{kind: kPlus}},
	{"多", yearsTok{kind: kDuo}}, {"幾", yearsTok{kind: kDuo}}, {"几", yearsTok{kind: kDuo}},
	{"年", yearsTok{kind: kYear}},
	{"個", yearsTok{kind: kGe}}, {"个", yearsTok{kind: kGe}}, {"箇", yearsTok{kind: kGe}},
	{"月", yearsTok{kind: kYue}},
	{"半", yearsTok{kind: kHalf, han: true}},
	{"又", yearsTok{kind: kAnd}}, {",", yearsTok{kind: kAnd}}, {"&", yearsTok{kind: kAnd}},
	{"無", yearsTok{kind: kNone}}, {"无", yearsTok{kind: kNone}},
}

// hanDigits are the values of the Chinese numerals that stand for a digit.
var hanDigits = map[rune]float64{
	'零': 0, '〇': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

func isHanNumeral(r rune) bool {
	_, ok := hanDigits[r]
	return ok || r == '兩' || r == '两' || r == '十' || r == '廿' || r == '百'
}

func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return r >= 'a' && r <= 'z' }

// lexYears splits folded input into tokens, or reports that it holds
// something ParseYears does not know.
func lexYears(s string) ([]yearsTok, bool) {
	rs := []rune(s)
	var toks []yearsTok
	last := func() yearsKind {
		if len(toks) == 0 {
			return kEnd
		}
		return toks[len(toks)-1].kind
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == ' ':
			i++
		case r == '-' && i > 0 && isLetter(rs[i-1]) && i+1 < len(rs) && isLetter(rs[i+1]):
			i++ // twenty-one
		case isDigit(r):
			j := i
			for j < len(rs) && isDigit(rs[j]) {
				j++
			}
			if j-i > 4 {
				return nil, false // nobody means 00003 or 10000
			}
			if j+1 < len(rs) && rs[j] == '.' && isDigit(rs[j+1]) {
				j++
				for j < len(rs) && isDigit(rs[j]) {
					j++
				}
			}
			v, err := strconv.ParseFloat(string(rs[i:j]), 64)
			if err != nil {
				return nil, false
			}
			toks = append(toks, yearsTok{kind: kNum, val: v})
			i = j
		case isLetter(r):
			word, j := englishWord(rs, i)
			if word == "more" || word == "at" || word == "or" {
				k := j
				for k < len(rs) && rs[k] == ' ' {
					k++
				}
				if k == len(rs) || !isLetter(rs[k]) {
					return nil, false
				}
				var next string
				next, j = englishWord(rs, k)
				word += " " + next
			}
			t, ok := yearsWords[word]
			if !ok {
				return nil, false
			}
			toks = append(toks, t)
			i = j
		case r == '零' && last() == kYear && i+1 < len(rs) && (isHanNumeral(rs[i+1]) || isDigit(rs[i+1])):
			toks = append(toks, yearsTok{kind: kAnd}) // 兩年零三個月
			i++
		case isHanNumeral(r):
			j := i
			for j < len(rs) && (isHanNumeral(rs[j]) || (rs[j] == '點' || rs[j] == '点') && j+1 < len(rs) && isHanNumeral(rs[j+1])) {
				j++
			}
			v, ok := parseHan(rs[i:j])
			if !ok {
				return nil, false
			}
			toks = append(toks, yearsTok{kind: kNum, val: v})
			i = j
		default:
			rest := string(rs[i:])
			found := false
			for _, w := range yearsHan {
				if strings.HasPrefix(rest, w.word) {
					toks = append(toks, w.tok)
					i += len([]rune(w.word))
					found = true
					break
				}
			}
			if !found {
				return nil, false
			}
		}
	}
	// "at least" after the number is a hedge after it.
	for i := 1; i < len(toks); i++ {
		if toks[i].both && toks[i-1].kind != kPre {
			toks[i].kind = kPost
		}
	}
	return toks, true
}

// englishWord returns the run of letters at rs[i:] and where it ends.
func englishWord(rs []rune, i int) (string, int) {
	j := i
	for j < len(rs) && isLetter(rs[j]) {
		j++
	}
	return string(rs[i:j]), j
}

// parseHan reads a run of Chinese numerals, 點 or 点 among them: 零, 三,
// 十三, 二十, 廿一, 一百, 三點五. Digit strings (二〇, 三五) are refused.
func parseHan(rs []rune) (float64, bool) {
	intPart, frac := rs, []rune(nil)
	for i, r := range rs {
		if r == '點' || r == '点' {
			intPart, frac = rs[:i], rs[i+1:]
			break
		}
	}
	v, ok := parseHanInt(intPart)
	if !ok {
		return 0, false
	}
	if frac == nil {
		return v, true
	}
	if len(frac) == 0 {
		return 0, false
	}
	digits := []byte("0.")
	for _, r := range frac {
		d, ok := hanDigits[r]
		if !ok {
			return 0, false
		}
		digits = append(digits, byte('0'+d))
	}
	f, err := strconv.ParseFloat(string(digits), 64)
	if err != nil {
		return 0, false
	}
	return v + f, true
}

// parseHanInt reads a whole number in Chinese numerals up to 一百.
func parseHanInt(rs []rune) (float64, bool) {
	switch string(rs) {
	case "":
		return 0, false
	case "兩", "两":
		return 2, true
	case "百", "一百":
		return 100, true
	}
	var tens float64
	rest := rs
	switch {
	case rs[0] == '廿':
		tens, rest = 2, rs[1:]
	case rs[0] == '十':
		tens, rest = 1, rs[1:]
	case len(rs) >= 2 && rs[1] == '十':
		d, ok := hanDigits[rs[0]]
		if !ok || d == 0 {
			return 0, false
		}
		tens, rest = d, rs[2:]
	default:
		if len(rs) != 1 {
			return 0, false
		}
		d, ok := hanDigits[rs[0]]
		return d, ok
	}
	switch len(rest) {
	case 0:
		return tens * 10, true
	case 1:
		d, ok := hanDigits[rest[0]]
		if !ok || d == 0 {
			return 0, false
		}
		return tens*10 + d, true
	}
	return 0, false
}

// yearsParser reads the tokens of one ParseYears input:
//
//	input  = "none" | pre* part [and? part] post*
//	part   = amount [unit]
//	amount = number ["and" ["a"] "half"] ["多" | "+"] | ["a"] "half" ["a"] | "a"
//	unit   = ("年" | "year" | "month") [tail half] | "個" ["半" | "多"] "月"
type yearsParser struct {
	toks []yearsTok
	i    int
}

// yearsPart is an amount in one unit.
type yearsPart struct {
	amount float64
	unit   yearsKind // kYear, kMonth or kEnd for none
	half   bool      // the amount has a half in it
	more   bool      // the amount had 多 or + after it
}

func (pt yearsPart) years() float64 {
	if pt.unit == kMonth {
		return pt.amount / 12
	}
	return pt.amount
}

func (p *yearsParser) peek(off int) yearsKind {
	if p.i+off < len(p.toks) {
		return p.toks[p.i+off].kind
	}
	return kEnd
}

func (p *yearsParser) parse() (lo, hi float64, ok bool) {
	if len(p.toks) == 1 && p.toks[0].kind == kNone {
		return 0, 0, true
	}
	for n := 0; p.peek(0) == kPre; n++ {
		if n == maxHedges {
			return 0, 0, false
		}
		p.i++
	}
	pt, ok := p.part()
	if !ok {
		return 0, 0, false
	}
	v := pt.years()
	if pt.unit == kYear && !pt.half && isWhole(pt.amount) && (p.peek(0) == kAnd || p.peek(0) == kNum) {
		if p.peek(0) == kAnd {
			p.i++
		}
		if pt, ok = p.part(); !ok || pt.unit != kMonth || pt.amount >= 12 {
			return 0, 0, false
		}
		v += pt.years()
	}
	for n := 0; p.i < len(p.toks); n++ {
		switch k := p.peek(0); {
		case n == maxHedges:
			return 0, 0, false
		case k == kPost:
		case k == kPlus && !pt.more:
			pt.more = true
		case k == kDuo && !pt.more && (pt.unit != kEnd || isTens(pt.amount)):
			pt.more = true // 3年多, 十多; but 3多 is not Chinese
		default:
			return 0, 0, false
		}
		p.i++
	}
	return v, v + pt.beyond(), true
}

// beyond is how much more than its amount a part with 多, 幾 or + may
// mean: up to the next ten for tens (十多), else up to the next unit (3年多),
// in years; 0 for an exact amount.
func (pt yearsPart) beyond() float64 {
	if !pt.more {
		return 0
	}
	more := yearsPart{amount: 1, unit: pt.unit}
	if isTens(pt.amount) {
		more.amount = 10
	}
	return more.years()
}

func (p *yearsParser) part() (yearsPart, bool) {
	var pt yearsPart
	needUnit := false
	switch p.peek(0) {
	case kHalf: // 半年, half a year, half year
		p.i++
		if p.peek(0) == kA {
			p.i++
		}
		pt.amount, pt.half, needUnit = 0.5, true, true
	case kA:
		p.i++
		switch p.peek(0) {
		case kHalf: // a half year
			p.i++
			pt.amount, pt.half, needUnit = 0.5, true, true
		case kHundred:
			p.i++
			pt.amount = 100
		default: // a year
			pt.amount, needUnit = 1, true
		}
	case kNum:
		v, ok := p.number()
		if !ok {
			return pt, false
		}
		pt.amount = v
		if p.andHalf() { // two and a half (years)
			pt.amount += 0.5
			pt.half = true
		}
		if k := p.peek(0); k == kPlus || k == kDuo && isTens(v) && !pt.half {
			switch p.peek(1) {
			case kYear, kMonth, kGe:
				p.i++ // 十多年, 3+ years
				pt.more = true
			}
		}
	default:
		return pt, false
	}
	switch p.peek(0) {
	case kYear, kMonth:
		pt.unit = p.peek(0)
		p.i++
		if pt.unit == kYear && p.peek(0) == kHalf && p.toks[p.i].han && !pt.half && isWhole(pt.amount) {
			p.i++ // 一年半
			pt.amount += 0.5
			pt.half = true
		} else if !pt.half && isWhole(pt.amount) && p.andHalf() { // a year and a half
			pt.amount += 0.5
			pt.half = true
		}
	case kGe:
		p.i++
		switch {
		case p.peek(0) == kHalf && p.toks[p.i].han && !pt.half && isWhole(pt.amount):
			p.i++ // 三個半月
			pt.amount += 0.5
			pt.half = true
		case p.peek(0) == kDuo && !pt.more:
			p.i++ // 三個多月
			pt.more = true
		}
		if p.peek(0) != kYue {
			return pt, false
		}
		p.i++
		pt.unit = kMonth
	default:
		if needUnit {
			return pt, false
		}
	}
	return pt, true
}

// number reads a number token, joining English words: twenty one, a
// hundred.
func (p *yearsParser) number() (float64, bool) {
	t := p.toks[p.i]
	p.i++
	v := t.val
	switch t.class {
	case wordTens:
		if p.peek(0) == kNum && p.toks[p.i].class == wordUnit && p.toks[p.i].val > 0 {
			v += p.toks[p.i].val
			p.i++
		}
	case wordUnit:
		if p.peek(0) == kHundred {
			if v < 1 {
				return 0, false
			}
			p.i++
			v *= 100
		}
	}
	return v, true
}

// andHalf consumes "and a half" or "and half" written in English.
func (p *yearsParser) andHalf() bool {
	if p.peek(0) != kAnd {
		return false
	}
	n := 1
	if p.peek(n) == kA {
		n++
	}
	if p.peek(n) != kHalf || p.toks[p.i+n].han {
		return false
	}
	p.i += n + 1
	return true
}

func isWhole(v float64) bool { return v == math.Trunc(v) }

// isTens reports whether v is a positive multiple of ten, the numbers 多
// may follow before a unit: 十多年, 二十多年.
func isTens(v float64) bool { return v > 0 && isWhole(v) && math.Mod(v, 10) == 0 }
