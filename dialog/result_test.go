package dialog

import (
	"fmt"
	"html"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk/calendar"
	"examdesk/locales"
	"examdesk/rules"
)

// eachFacts calls fn with every combination of representative facts: 0
// and each threshold of the notice for the numbers, every value
// otherwise; 120,960 in all.
func eachFacts(fn func(rules.Facts)) {
	levels := []string{"level4", "level3", "level2", "level1"}
	for _, occupation := range []float64{0, 1, 2, 6, 13, 19} {
		for _, certificate := range []string{"none", "level4", "level3", "level2", "level1"} {
			for _, sinceCertificate := range []float64{0, 3, 4, 5} {
				for subset := range 16 {
					var training []string
					for i, l := range levels {
						if subset&(1<<i) != 0 {
							training = append(training, l)
						}
					}
					for _, education := range []string{"none", "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"} {
						for _, major := range []string{"ecommerce", "related", "other"} {
							for _, sinceGraduation := range []float64{0, 8, 13} {
								fn(rules.Facts{OccupationYears: occupation, Certificate: certificate, YearsSinceCertificate: sinceCertificate,
									Training: slices.Clone(training), Education: education, Major: major, YearsSinceGraduation: sinceGraduation})
							}
						}
					}
				}
			}
		}
	}
}

// checked returns the answers a check of f ends with: the questions the
// dialog asks, answered from f.
func checked(set *rules.Set, f rules.Facts) rules.Answers {
	full, a := f.Answers(), rules.Answers{}
	for {
		q, done := set.Next(a)
		if done {
			return a
		}
		a[q] = full[q]
	}
}

// end is a combination of facts and the answers its check ends with.
type end struct {
	f rules.Facts
	a rules.Answers
}

// checks are the ends of the checks of every combination of eachFacts
// (all) and the distinct answers among them (distinct), in the order
// they first end a check.
type checks struct {
	all      []end
	distinct []rules.Answers
}

// ends works out the checks once, on every core, for the tests that go
// through them.
var ends = sync.OnceValues(func() (*checks, error) {
	set, err := rules.Load()
	if err != nil {
		return nil, err
	}
	var all []end
	eachFacts(func(f rules.Facts) { all = append(all, end{f: f}) })
	keys := make([]string, len(all))
	parallel(len(all), func(i int) {
		all[i].a = checked(set, all[i].f)
		keys[i] = fmt.Sprint(all[i].a)
	})
	seen := map[string]bool{}
	var distinct []rules.Answers
	for i, key := range keys {
		if !seen[key] {
			seen[key] = true
			distinct = append(distinct, all[i].a)
		}
	}
	return &checks{all: all, distinct: distinct}, nil
})

// parallel calls fn with 0..n-1, spread over every core.
func parallel(n int, fn func(i int)) {
	procs := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for p := range procs {
		wg.Go(func() {
			for i := p; i < n; i += procs {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// allEnds returns ends, failing t if the rules do not load.
func allEnds(t *testing.T) *checks {
	t.Helper()
	es, err := ends()
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// fixedCalendar is an exam calendar that stands still.
type fixedCalendar struct{ v *calendar.View }

func (f fixedCalendar) View() *calendar.View { return f.v }

// resultEngine is an engine on the embedded rules whose calendar has a
// session open for registration on 10 September 2026, and the messages.
func resultEngine(t *testing.T) (*Engine, *locales.Catalog) {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	holidays, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	date := func(s string) calendar.Date {
		d, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	session := calendar.Session{ID: "2026-2", Opens: date("2026-09-01"), Closes: date("2026-09-30"), Exams: []calendar.Date{date("2026-11-14")}}
	e := &Engine{rules: set, labels: catalog}
	e.Dates = NewDateAnswers(fixedCalendar{&calendar.View{Holidays: holidays, Sessions: []calendar.Session{session}}}, nil)
	e.Now = func() time.Time { return time.Date(2026, 9, 10, 2, 0, 0, 0, time.UTC) }
	return e, catalog
}

// contains reports whether t has the text key, itself or among its
// arguments at any depth.
func contains(t Text, key string) bool {
	if t.Key == key {
		return true
	}
	for _, v := range t.Args {
		var texts []Text
		switch v := v.(type) {
		case Text:
			texts = []Text{v}
		case []Text:
			texts = v
		case Paragraphs:
			texts = v
		}
		for _, a := range texts {
			if contains(a, key) {
				return true
			}
		}
	}
	return false
}

var markup = regexp.MustCompile(`</?[a-z]+>`)

func renderPlain(catalog *locales.Catalog, lang string, t Text) string {
	return html.UnescapeString(markup.ReplaceAllString(Render(catalog, lang, t, html.EscapeString), ""))
}

// hall is how each language names the service hall where candidates
// apply in person.
var hall = map[string]string{"en": "546 Huifu East Road", "zh-Hant": "服務大廳", "zh-Hans": "服务大厅"}

// TestClosingFollowsRoutes checks the closing of the result on every
// combination of facts, with all of them known and with the answers the
// check asks: a candidate who qualifies only through training is never
// sent to the service hall, nor given its registration dates; one who
// qualifies in person is; one who qualifies both ways is told which level
// goes which way; one who qualifies for nothing gets the soonest way
// instead of a registration line, but for the holder of the highest
// certificate. The distinct results of the check are rendered in every
// language too.
func TestClosingFollowsRoutes(t *testing.T) {
	t.Parallel()
	e, catalog := resultEngine(t)
	// check returns the kind of closing of the result after answers a,
	// and what is wrong with it, "" if nothing.
	check := func(a rules.Answers, render bool) (kind, bad string) {
		c := &conv{e: e, st: &State{Check: &Check{Answers: a, Done: true}}}
		s := c.standing()
		individual, training := s.routes()
		closing, _ := c.closing(s)
		var want string
		switch {
		case len(individual) > 0 && len(training) > 0:
			kind, want = "both", "result.apply.both.training"
		case len(individual) > 0:
			kind, want = "individual", "result.apply.hall"
		case len(training) > 0:
			kind, want = "training", "result.apply.training"
		case s.held == 1:
			kind = "held the highest"
		default:
			kind, want = "none", "result.apply.none"
		}
		toHall := contains(closing, "result.apply.hall") || contains(closing, "result.apply.both.hall")
		dated := contains(closing, "dates.registration.open")
		switch {
		case want != "" && !contains(closing, want):
			bad = "lacks " + want
		case want == "" && closing.Key != "":
			bad = "has a closing"
		case toHall != (len(individual) > 0) || dated != toHall:
			bad = fmt.Sprintf("sends to the hall %v with dates %v", toHall, dated)
		case render && (kind == "training" || kind == "none"):
			report := c.report(s)
			for lang, name := range hall {
				if r := renderPlain(catalog, lang, report); strings.Contains(r, name) {
					bad = fmt.Sprintf("names the hall in %s: %q", lang, r)
				}
			}
		}
		return kind, bad
	}
	// Each combination with every fact known, then each distinct end of
	// the check, rendered, once.
	type result struct {
		a         rules.Answers
		kind, bad string
	}
	es := allEnds(t)
	full := make([]result, len(es.all))
	parallel(len(es.all), func(i int) {
		a := es.all[i].f.Answers()
		full[i].a = a
		full[i].kind, full[i].bad = check(a, false)
	})
	distinct := make([]result, len(es.distinct))
	for i, a := range es.distinct {
		distinct[i].a = a
	}
	parallel(len(distinct), func(i int) { distinct[i].kind, distinct[i].bad = check(distinct[i].a, true) })
	counts := map[string]int{}
	fails := 0
	for _, r := range append(full, distinct...) {
		counts[r.kind]++
		if r.bad != "" {
			if fails++; fails <= 10 {
				t.Errorf("answers %v (%s): the result %s", r.a, r.kind, r.bad)
			}
		}
	}
	t.Logf("closings over every combination and %d distinct ends of the check: %v", len(distinct), counts)
	for _, kind := range []string{"both", "individual", "training", "none", "held the highest"} {
		if counts[kind] == 0 {
			t.Errorf("no combination closes as %q; want every closing tested", kind)
		}
	}
}

// TestResultFitsScreen renders the result of every distinct end of the
// check in every language, with registration dates: at most 15 lines,
// and at most 28 lines on a phone 40 columns wide (a CJK character or an
// emoji takes two).
func TestResultFitsScreen(t *testing.T) {
	t.Parallel()
	e, catalog := resultEngine(t)
	distinct := allEnds(t).distinct
	most := map[string]int{}
	for _, a := range distinct {
		c := &conv{e: e, st: &State{Check: &Check{Answers: a, Done: true}}}
		report := c.report(c.standing())
		for _, lang := range []string{"en", "zh-Hant", "zh-Hans"} {
			r := renderPlain(catalog, lang, report)
			lines, wrapped := strings.Count(r, "\n")+1, screenLines(r, 40)
			most[lang+" lines"] = max(most[lang+" lines"], lines)
			most[lang+" on a phone"] = max(most[lang+" on a phone"], wrapped)
			if lines > 15 || wrapped > 28 {
				t.Errorf("the result after %v in %s takes %d lines, %d on a phone; want at most 15 and 28:\n%s", a, lang, lines, wrapped, r)
			}
		}
	}
	t.Logf("%d distinct results; the longest: %v", len(distinct), most)
}

// screenLines counts the lines s takes on a screen width columns wide,
// breaking lines at spaces where it can.
func screenLines(s string, width int) int {
	n := 0
	for _, line := range strings.Split(s, "\n") {
		n++
		col := 0
		for _, word := range strings.SplitAfter(line, " ") {
			w := 0
			for _, r := range word {
				w++
				if r >= 0x1100 { // CJK, full-width forms and emoji: two columns
					w++
				}
			}
			for col+w > width {
				if col == 0 { // a word wider than the screen breaks anywhere
					w -= width
				}
				n++
				col = 0
			}
			col += w
		}
	}
	return n
}

func TestYearsText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		years    float64
		wait, at string
	}{
		{4.75, "4 years 9 months", "4 years 9 months"},
		{1, "1 year", "1 year"},
		{6, "6 years", "6 years"},
		{0.5, "6 months", "6 months"},
		{1 / 12.0, "1 month", "1 month"},
		{0.1, "2 months", "1 month"},
		{13.08, "13 years 1 month", "13 years 1 month"},
		{2.01, "2 years 1 month", "2 years"},
		{0.001, "1 month", "1 month"},
		{0, "0 years", "0 years"},
		{100, "100 years", "100 years"},
	}
	_, catalog := resultEngine(t)
	for _, tt := range tests {
		if got := renderPlain(catalog, "en", waitText(tt.years)); got != tt.wait {
			t.Errorf("waitText(%v) = %q; want %q", tt.years, got, tt.wait)
		}
		if got := renderPlain(catalog, "en", saidText(tt.years)); got != tt.at {
			t.Errorf("saidText(%v) = %q; want %q", tt.years, got, tt.at)
		}
	}
	for lang, want := range map[string]string{"zh-Hant": "4年9個月", "zh-Hans": "4年9个月", "en": "4 years 9 months"} {
		if got := renderPlain(catalog, lang, waitText(4.75)); got != want {
			t.Errorf("waitText(4.75) in %s = %q; want %q", lang, got, want)
		}
	}
}

// TestRegistration: the closing's registration window is the first
// session whose registration has not closed.
func TestRegistration(t *testing.T) {
	t.Parallel()
	e, _ := resultEngine(t)
	r := e.Dates.(Registration)
	tests := []struct {
		day  time.Time
		want string // the message key, "" for none
	}{
		{time.Date(2026, 8, 20, 2, 0, 0, 0, time.UTC), "dates.registration.soon"},
		{time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC), "dates.registration.open"},
		{time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC), "dates.registration.open"},
		{time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		got, ok := r.Registration(tt.day)
		if got.Key != tt.want || ok != (tt.want != "") {
			t.Errorf("Registration(%v) = %s, %v; want %q", tt.day, got.Key, ok, tt.want)
		}
	}
	if got, ok := NewDateAnswers(fixedCalendar{}, nil).Registration(time.Now()); ok {
		t.Errorf("Registration without a calendar = %s; want none", got.Key)
	}
}
