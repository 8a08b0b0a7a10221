package dialog_test

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"examdesk"
	"examdesk/dialog"
	"examdesk/rules"
)

// typedFile holds the held-out phrasings of the typed-answers evaluation:
// how candidates answer each question in words, written apart from the
// vocabulary (answers.txt).
const typedFile = "testdata/typed.tsv"

// phrasing is one line of typedFile.
type phrasing struct {
	line                  int
	question, value, lang string
	text                  string
}

func readPhrasings(t *testing.T) []phrasing {
	t.Helper()
	f, err := os.Open(typedFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []phrasing
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 || !slices.Contains(examdesk.Languages, cols[2]) {
			t.Fatalf("%s:%d: want QUESTION, VALUE, LANG (one of %v), PHRASING separated by tabs", typedFile, n, examdesk.Languages)
		}
		out = append(out, phrasing{line: n, question: cols[0], value: cols[1], lang: cols[2], text: cols[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// typedNow is when the evaluation's checks take place: calendar years
// count from it.
var typedNow = time.Date(2026, time.June, 15, 10, 0, 0, 0, time.UTC)

// typedYears are the numbers of years the personas have, on and around
// every threshold of the conditions.
var typedYears = []float64{0, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13, 15, 19, 20, 25}

// longYears are the numbers of years of the few personas with a long
// career or an old degree: more than 50 years in the occupation, a
// graduation more than 60 years ago, which the check questions once.
var longYears = []float64{51, 55, 62, 65}

// persona is a candidate with complete facts, who answers in words.
type persona struct {
	facts rules.Facts
	lang  string
	seq   int // chooses among the phrasings, so that personas differ
}

// personas returns n candidates with facts drawn from every value of
// every fact, the same ones on every run. Their facts are true of someone:
// the years since a certificate are no more than the years in the
// occupation, as the check requires; one in ten has worked more than 50
// years, or graduated more than 60 years ago.
func personas(n int, lang string, seed uint64) []persona {
	r := rand.New(rand.NewPCG(seed, 9))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	years := func() float64 {
		if r.IntN(10) == 0 {
			return longYears[r.IntN(len(longYears))]
		}
		return typedYears[r.IntN(len(typedYears))]
	}
	// upTo draws years of work since a certificate, at most work.
	upTo := func(work float64) float64 {
		var ys []float64
		for _, y := range append(slices.Clone(typedYears), longYears...) {
			if y <= work {
				ys = append(ys, y)
			}
		}
		return ys[r.IntN(len(ys))]
	}
	out := make([]persona, n)
	for i := range out {
		f := rules.Facts{
			OccupationYears: years(),
			Certificate:     pick([]string{"none", "level4", "level3", "level2", "level1"}),
			Education:       pick([]string{"none", "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"}),
			Major:           pick([]string{"ecommerce", "related", "other"}),
		}
		if f.Certificate != "none" {
			f.YearsSinceCertificate = upTo(f.OccupationYears)
		}
		if f.Education != "none" {
			f.YearsSinceGraduation = years()
		}
		for _, l := range []string{"level4", "level3", "level2", "level1"} {
			if r.IntN(4) == 0 {
				f.Training = append(f.Training, l)
			}
		}
		out[i] = persona{facts: f, lang: lang, seq: i}
	}
	return out
}

// truth is the persona's answer to q: a choice, or a number of years.
func (p persona) truth(q rules.Question) (choice string, years float64) {
	f := p.facts
	switch q {
	case rules.OccupationYears:
		return "", f.OccupationYears
	case rules.YearsSinceCertificate:
		return "", f.YearsSinceCertificate
	case rules.YearsSinceGraduation:
		return "", f.YearsSinceGraduation
	case rules.Certificate:
		return f.Certificate, 0
	case rules.Education:
		return f.Education, 0
	case rules.Major:
		return f.Major, 0
	}
	if slices.Contains(f.Training, strings.TrimPrefix(string(q), "training.")) {
		return "yes", 0
	}
	return "no", 0
}

// say returns what the persona types at q, the attempt-th time it is
// asked: the persona's phrasings of its answer, in turn.
func (p persona) say(all []phrasing, q rules.Question, attempt int) string {
	name := string(q)
	if strings.HasPrefix(name, "training.") {
		name = "training"
	}
	choice, years := p.truth(q)
	var texts []string
	for _, ph := range all {
		if ph.question != name || ph.lang != p.lang {
			continue
		}
		switch {
		case choice != "" && ph.value == choice:
			texts = append(texts, ph.text)
		case choice == "" && ph.value == "*":
			if s, ok := fillYears(ph.text, years, p.lang); ok {
				texts = append(texts, s)
			}
		case choice == "" && ph.value == strconv.FormatFloat(years, 'f', -1, 64):
			texts = append(texts, ph.text)
		}
	}
	if len(texts) == 0 {
		return "?"
	}
	return texts[(p.seq+attempt)%len(texts)]
}

// beside returns the n-th phrasing, in turn, of what the persona's
// language types beside an answer: kind is skip or confirm.
func (p persona) beside(all []phrasing, kind string, n int) string {
	var texts []string
	for _, ph := range all {
		if ph.question == kind && ph.lang == p.lang {
			texts = append(texts, ph.text)
		}
	}
	if len(texts) == 0 {
		return "?"
	}
	return texts[n%len(texts)]
}

// fillYears writes n into a template; ok is false when the template
// cannot say n ({y} for half a year).
func fillYears(tmpl string, n float64, lang string) (string, bool) {
	whole := n == math.Trunc(n)
	if strings.Contains(tmpl, "{y}") && !whole {
		return "", false
	}
	r := strings.NewReplacer(
		"{n}", strconv.FormatFloat(n, 'f', -1, 64),
		"{cn}", chinese(n, lang == "zh-Hant"),
		"{en}", english(n),
		"{y}", strconv.Itoa(typedNow.Year()-int(n)))
	return r.Replace(tmpl), true
}

// chinese writes n in Chinese numerals: 十三, 兩 (or 两), 零點五.
func chinese(n float64, traditional bool) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	two, point := "两", "点"
	if traditional {
		two, point = "兩", "點"
	}
	whole := int(n)
	var s string
	switch {
	case whole == 2:
		s = two
	case whole < 10:
		s = digits[whole]
	case whole < 20:
		s = "十" + strings.TrimPrefix(digits[whole%10], "零")
	default:
		s = digits[whole/10] + "十" + strings.TrimPrefix(digits[whole%10], "零")
	}
	if frac := n - float64(whole); frac > 0 {
		s += point + digits[int(math.Round(frac*10))]
	}
	return s
}

// english writes n in English words: thirteen, twenty-five, 0.5.
func english(n float64) string {
	if n != math.Trunc(n) {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	ones := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens := []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	w := int(n)
	if w < 20 {
		return ones[w]
	}
	if w%10 == 0 {
		return tens[w/10]
	}
	return tens[w/10] + "-" + ones[w%10]
}

// typedTally counts what happened to the checks of one language.
type typedTally struct {
	checks, right, stuck, repeated int
	messages, clarified, unread    int
	// doubts counts the numbers questioned as unlikely, confirmed by
	// confirmation words; confirmed those of them kept at once.
	doubts, confirmations, confirmed int
	// followUps counts the follow-ups after the result, skips those
	// skipped in words, skipped those skips understood as such.
	followUps, skips, skipped int
	// clashes counts the answers told they contradict an earlier one:
	// none should be, the personas' facts being true of someone.
	clashes int
}

// TestTypedChecks runs whole eligibility checks answered in words, in each
// language, by personas whose facts cover every value: every check must
// end at the highest level the rules give the persona's facts, none may
// get stuck, and no reply may repeat the one before it unchanged. A
// persona presses the option of a clarifying question that is its truth,
// and types its answer another way when it was not understood. When a
// number of theirs is questioned as unlikely, they keep it as a candidate
// would: by its button, by sending the same again, or in words; after the
// result they answer the follow-ups, or skip one in words now and then.
// Run with -v for the figures.
func TestTypedChecks(t *testing.T) {
	t.Parallel()
	all := readPhrasings(t)
	e, _ := newEngine(t)
	e.Now = func() time.Time { return typedNow }
	set, _, _ := loadData(t)
	const perLang, maxMessages = 120, 40
	for i, lang := range examdesk.Languages {
		var tl typedTally
		for _, p := range personas(perLang, lang, uint64(i+1)) {
			tl.checks++
			done, wrong := runTyped(t, e, set, all, p, maxMessages, &tl)
			switch {
			case !done:
				tl.stuck++
				t.Errorf("%s: stuck with %+v", lang, p.facts)
			case wrong != "":
				t.Errorf("%s: %s", lang, wrong)
			default:
				tl.right++
			}
		}
		t.Logf("%-7s %d checks: right level %d (%.1f%%), stuck %d, replies repeated unchanged %d; %.1f messages a check, %d clarifying questions, %d answers not read",
			lang, tl.checks, tl.right, 100*float64(tl.right)/float64(tl.checks), tl.stuck, tl.repeated,
			float64(tl.messages)/float64(tl.checks), tl.clarified, tl.unread)
		t.Logf("%-7s %d numbers questioned as unlikely, %d confirmed in words, %d of those kept at once; %d follow-ups, %d skipped in words, %d of those skipped at once",
			lang, tl.doubts, tl.confirmations, tl.confirmed, tl.followUps, tl.skips, tl.skipped)
		if ratio := float64(tl.right) / float64(tl.checks); ratio < 0.95 || tl.stuck > 0 || tl.repeated > 0 {
			t.Errorf("%s: right level %.1f%%, stuck %d, repeated %d; want at least 95%%, none, none", lang, 100*ratio, tl.stuck, tl.repeated)
		}
		if tl.clashes > 0 {
			t.Errorf("%s: %d answers of consistent personas told they contradict an earlier one; want none", lang, tl.clashes)
		}
	}
}

// runTyped runs one persona's check; wrong describes a wrong result.
func runTyped(t *testing.T, e *dialog.Engine, set *rules.Set, all []phrasing, p persona, max int, tl *typedTally) (done bool, wrong string) {
	t.Helper()
	st, r := e.Step(dialog.State{}, dialog.Input{Text: "/check", LanguageCode: p.lang})
	attempts := map[rules.Question]int{}
	var said []string
	typed := ""                 // the last text the persona typed
	var followed rules.Question // the last follow-up asked
	for n := 0; n < max; n++ {
		if st.Check == nil {
			return false, ""
		}
		if st.Check.Done {
			want := set.Evaluate(p.facts).Highest
			if got := set.Outcome(st.Check.Answers).Highest; got != want {
				return true, fmt.Sprintf("highest level %d; want %d for %+v, having said %q", got, want, p.facts, said)
			}
			return true, ""
		}
		q := st.Check.Asking
		last := r.Messages[len(r.Messages)-1]
		in := dialog.Input{LanguageCode: p.lang}
		keep, doubted := keepOption(r)
		confirming, skipping := false, false
		if st.Check.FollowUp && q != followed {
			followed = q
			tl.followUps++
		}
		switch {
		case doubted:
			tl.doubts++
			switch p.seq % 3 {
			case 0:
				in.Pick = &dialog.Pick{Value: keep.Value, Step: keep.Step}
			case 1:
				in.Text = typed
			default:
				in.Text = p.beside(all, "confirm", tl.confirmations)
				confirming = true
				tl.confirmations++
			}
		case st.Check.FollowUp && last.Text.Key == "followup" && (p.seq+tl.followUps)%4 == 0:
			in.Text = p.beside(all, "skip", tl.skips)
			skipping = true
			tl.skips++
		default:
			if o, ok := truthOption(p, q, last); ok && (strings.HasPrefix(last.Text.Key, "clarify.") || strings.HasPrefix(last.Text.Key, "hint.")) {
				in.Pick = &dialog.Pick{Value: o.Value, Step: o.Step}
			} else {
				in.Text = p.say(all, q, attempts[q])
				attempts[q]++
			}
		}
		if in.Pick != nil {
			said = append(said, "#"+in.Pick.Value)
		} else {
			typed = in.Text
			said = append(said, in.Text)
		}
		next, reply := e.Step(st, in)
		switch {
		case confirming && next.Check != nil && next.Check.Asking != q:
			tl.confirmed++
		case skipping && reply.Messages[0].Text.Key == "followup.skipped":
			tl.skipped++
		}
		tl.messages++
		for _, m := range reply.Messages {
			switch {
			case strings.HasPrefix(m.Text.Key, "sanity."):
				tl.clashes++
				t.Logf("%s: %+v told %s, having said %q", p.lang, p.facts, m.Text.Key, said)
			case strings.HasPrefix(m.Text.Key, "clarify."):
				tl.clarified++
			case strings.HasPrefix(m.Text.Key, "unread.") || strings.HasPrefix(m.Text.Key, "hint."):
				tl.unread++
			}
		}
		if reflect.DeepEqual(reply.Messages, r.Messages) {
			tl.repeated++
		}
		st, r = next, reply
	}
	return false, ""
}

// keepOption returns the option that keeps a number questioned as
// unlikely, when the reply r questions one.
func keepOption(r dialog.Reply) (dialog.Option, bool) {
	doubted := slices.ContainsFunc(r.Messages, func(m dialog.Message) bool {
		return strings.HasPrefix(m.Text.Key, "doubt.") && m.Text.Key != "doubt.wrong"
	})
	if !doubted {
		return dialog.Option{}, false
	}
	for _, m := range r.Messages {
		for _, o := range m.Options {
			if o.Label.Key == "doubt.keep" {
				return o, true
			}
		}
	}
	return dialog.Option{}, false
}

// truthOption returns the option of m that is the persona's answer to q:
// its choice, or for years the range its number falls in.
func truthOption(p persona, q rules.Question, m dialog.Message) (dialog.Option, bool) {
	choice, years := p.truth(q)
	var best dialog.Option
	found := false
	for _, o := range m.Options {
		v, ok := strings.CutPrefix(o.Value, "a:")
		if !ok {
			continue
		}
		if choice != "" {
			if v == choice {
				return o, true
			}
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimPrefix(v, "#"), 64)
		if err == nil && n <= years {
			best, found = o, true // the options go up: the last below is the range
		}
	}
	return best, found
}

// TestTypedAsides reads every phrasing of typedFile that skips a
// follow-up, or keeps a number questioned as unlikely, where it applies:
// after the result of a holder of the level 4 certificate, who is asked
// about the level 3 training; after 70 years of work. A phrasing the
// vocabulary does not read as such may be read as an answer (冇所謂 as
// "no") or not at all, and is asked again; but a confirmation must never
// be read as the opposite, a number given wrong. Run with -v for the
// figures.
func TestTypedAsides(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	e.Now = func() time.Time { return typedNow }
	all := readPhrasings(t)
	for _, lang := range examdesk.Languages {
		followUp, _ := run(t, e, dialog.State{}, holder4...)
		doubted, _ := run(t, e, dialog.State{}, "/check", "70")
		if !followUp.Check.FollowUp || doubted.Check.Doubt == nil {
			t.Fatalf("setting up: follow-up %+v, doubt %+v", followUp.Check, doubted.Check)
		}
		var skips, skipped, confirms, kept int
		for _, ph := range all {
			if ph.lang != lang {
				continue
			}
			in := dialog.Input{Text: ph.text, LanguageCode: lang}
			switch ph.question {
			case "skip":
				skips++
				st, r := step(t, e, followUp, in)
				if slices.Contains(st.Check.Skipped, rules.TrainingLevel3) {
					skipped++
				} else {
					t.Logf("%s:%d: %q at a follow-up: %s", typedFile, ph.line, ph.text, r.Messages[0].Text.Key)
				}
			case "confirm":
				confirms++
				st, r := step(t, e, doubted, in)
				switch got, ok := st.Check.Answers[rules.OccupationYears]; {
				case ok && got.Number == 70:
					kept++
				case ok, st.Check.Doubt == nil:
					t.Errorf("%s:%d: %q after 70 years was questioned: answer %v, doubt %v, %s; want 70 kept, or the question asked again", typedFile, ph.line, ph.text, got, st.Check.Doubt, r.Messages[0].Text.Key)
				default:
					t.Logf("%s:%d: %q after 70 years was questioned: %s", typedFile, ph.line, ph.text, r.Messages[0].Text.Key)
				}
			}
		}
		t.Logf("%-7s skips read %d/%d, confirmations read %d/%d", lang, skipped, skips, kept, confirms)
	}
}
