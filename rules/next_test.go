package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"examdesk"
)

// dim is one question of the dialog with its representative answers.
type dim struct {
	q      Question
	values []Value
}

// dialogDims lists the questions and their representative answers, from
// the same space as the oracle test.
func dialogDims(sp space) []dim {
	nums := func(xs []float64) []Value {
		var vs []Value
		for _, x := range xs {
			vs = append(vs, Value{Number: x})
		}
		return vs
	}
	choices := func(xs ...string) []Value {
		var vs []Value
		for _, x := range xs {
			vs = append(vs, Value{Choice: x})
		}
		return vs
	}
	return []dim{
		{OccupationYears, nums(sp.occupation)},
		{Certificate, choices(sp.certificates...)},
		{YearsSinceCertificate, nums(sp.sinceCertificate)},
		{TrainingLevel4, choices("yes", "no")},
		{TrainingLevel3, choices("yes", "no")},
		{TrainingLevel2, choices("yes", "no")},
		{TrainingLevel1, choices("yes", "no")},
		{Education, choices(sp.educations...)},
		{Major, choices(sp.majors...)},
		{YearsSinceGraduation, nums(sp.sinceGraduation)},
	}
}

// dialog enumerates the fact space as a mixed-radix number, one digit per
// dim, and keeps what the oracle says of every combination: for each level
// whether it is eligible (bit 2(l-1)) and whether by a condition without
// training (bit 2(l-1)+1), and which conditions are met.
type dialog struct {
	dims    []dim
	stride  []int
	conds   []oracleCondition
	targets []uint8  // E/I vector per combination
	met     []uint32 // met conditions (bit i: conds[i]) per combination
}

func newDialog() *dialog {
	d := &dialog{dims: dialogDims(domainSpace()), conds: oracle()}
	n := 1
	for i := len(d.dims) - 1; i >= 0; i-- {
		d.stride = append([]int{n}, d.stride...)
		n *= len(d.dims[i].values)
	}
	d.targets = make([]uint8, n)
	d.met = make([]uint32, n)
	for idx := range n {
		f := d.facts(idx)
		for i, c := range d.conds {
			if c.met(f) {
				d.met[idx] |= 1 << i
				d.targets[idx] |= 1 << (2 * (c.level - 1))
				if !c.training {
					d.targets[idx] |= 1 << (2*(c.level-1) + 1)
				}
			}
		}
	}
	return d
}

func (d *dialog) digit(idx, i int) int { return idx / d.stride[i] % len(d.dims[i].values) }

func (d *dialog) facts(idx int) Facts {
	v := func(i int) Value { return d.dims[i].values[d.digit(idx, i)] }
	f := Facts{
		OccupationYears: v(0).Number, Certificate: v(1).Choice, YearsSinceCertificate: v(2).Number,
		Education: v(7).Choice, Major: v(8).Choice, YearsSinceGraduation: v(9).Number,
	}
	for i, l := range []string{"level4", "level3", "level2", "level1"} {
		if v(3+i).Choice == "yes" {
			f.Training = append(f.Training, l)
		}
	}
	return f
}

// partial is a partial state: a digit per dim, -1 when unanswered.
type partial []int

// each calls fn with the index of every combination that agrees with p
// and has digit 0 at dim skip (-1: no dim skipped).
func (d *dialog) each(p partial, skip int, fn func(idx int)) {
	var rec func(i, idx int)
	rec = func(i, idx int) {
		switch {
		case i == len(d.dims):
			fn(idx)
		case p[i] >= 0:
			rec(i+1, idx+p[i]*d.stride[i])
		case i == skip:
			rec(i+1, idx)
		default:
			for v := range d.dims[i].values {
				rec(i+1, idx+v*d.stride[i])
			}
		}
	}
	rec(0, 0)
}

// changes reports whether two combinations that agree with p and differ
// only in dim q differ in what view says of them.
func (d *dialog) changes(p partial, q int, view func(idx int) uint32) bool {
	found := false
	d.each(p, q, func(base int) {
		first := view(base)
		for v := 1; v < len(d.dims[q].values) && !found; v++ {
			found = view(base+v*d.stride[q]) != first
		}
	})
	return found
}

// unexplained returns the conditions of each level that is decided in
// every combination agreeing with p, eligible, and with its route decided,
// but for which no condition of the kind the route needs is met in every
// such combination: asking on is then the only way to name one.
func (d *dialog) unexplained(p partial) uint32 {
	and, or, metAll := uint8(0xff), uint8(0), ^uint32(0)
	d.each(p, -1, func(idx int) {
		and &= d.targets[idx]
		or |= d.targets[idx]
		metAll &= d.met[idx]
	})
	var out uint32
	for l := examdesk.Level(1); l <= 4; l++ {
		e, i := uint8(1)<<(2*(l-1)), uint8(1)<<(2*(l-1)+1)
		var all, individual uint32
		for k, c := range d.conds {
			if c.level == l {
				all |= 1 << k
				if !c.training {
					individual |= 1 << k
				}
			}
		}
		switch {
		case and&e == 0: // not eligible everywhere
		case and&i != 0 && metAll&individual == 0,
			or&i == 0 && metAll&all == 0:
			out |= all
		}
	}
	return out
}

// walk runs the dialog from p (with answers a), branching on every
// representative answer of each question Next asks.
type walk struct {
	t        *testing.T
	s        *Set
	d        *dialog
	asked    map[int]int      // questions asked → number of fact combinations
	first    map[int]int      // questions asked until the highest level was settled → combinations
	witness  int              // fact combinations whose dialog needed a witness question
	witnessQ map[Question]int // witness questions → dialog states asking them
	farther  int              // combinations whose path to the next level is farther than on the full facts
	followed map[int]int      // follow-up questions answered after the result → combinations
	followQ  map[Question]int // follow-up questions → combinations asked them
	nodes    int
	fails    int
}

func (w *walk) errorf(format string, args ...any) {
	w.t.Helper()
	if w.fails++; w.fails <= 10 {
		w.t.Errorf(format, args...)
	}
}

// run walks on from p. settled is where the highest level was first
// settled on the way, nil until it is.
func (w *walk) run(p partial, a Answers, depth int, witnessed bool, settled *milestone) {
	w.nodes++
	if settled == nil {
		if got := w.s.Outcome(a); got.Settled {
			settled = &milestone{depth: depth, highest: got.Highest}
		}
	}
	q, done := w.s.Next(a)
	if done {
		w.leaf(p, a, depth, witnessed, settled)
		return
	}
	qi := slices.IndexFunc(w.d.dims, func(x dim) bool { return x.q == q })
	switch {
	case qi < 0:
		w.errorf("Next(%v) = %q, not a question of the check", a, q)
		return
	case p[qi] >= 0:
		w.errorf("Next(%v) = %q, already answered", a, q)
		return
	}
	// Gates, as DOMAIN.md's questions need them.
	certificate, education := a[Certificate].Choice, a[Education].Choice
	switch q {
	case YearsSinceCertificate:
		if certificate == "" || certificate == "none" {
			w.errorf("Next(%v) = %q while certificate is %q", a, q, certificate)
		}
	case Major, YearsSinceGraduation:
		if education == "" || education == "none" {
			w.errorf("Next(%v) = %q while education is %q", a, q, education)
		}
	}
	if !w.s.Relevant(a, q) {
		w.errorf("Relevant(%v, %q) = false for the question Next asks", a, q)
	}
	targets := func(idx int) uint32 { return uint32(w.d.targets[idx]) }
	if !w.d.changes(p, qi, targets) {
		// The eligibility and routes are decided; the question may still
		// be needed to name a met condition.
		un := w.d.unexplained(p)
		if un == 0 || !w.d.changes(p, qi, func(idx int) uint32 { return w.d.met[idx] & un }) {
			w.errorf("Next(%v) = %q, which changes nothing still open", a, q)
			return
		}
		witnessed = true
		w.witnessQ[q]++
	}
	for v, val := range w.d.dims[qi].values {
		p[qi] = v
		a[q] = val
		w.run(p, a, depth+1, witnessed, settled)
	}
	p[qi] = -1
	delete(a, q)
}

// milestone is the number of questions asked when the highest level was
// settled, and that level.
type milestone struct {
	depth   int
	highest examdesk.Level
}

func (w *walk) leaf(p partial, a Answers, depth int, witnessed bool, settled *milestone) {
	got := w.s.Outcome(a)
	if settled == nil {
		w.errorf("after %v the check is done, yet the highest level is not settled", a)
		return
	}
	above := levelsAbove(got.Highest)
	ups := w.s.FollowUps(a, above...)
	useful := map[Question]bool{} // follow-ups that bring some combination a nearer path
	w.d.each(p, -1, func(idx int) {
		w.followUp(a, got, above, w.d.facts(idx), useful)
		w.asked[depth]++
		w.first[settled.depth]++
		if witnessed {
			w.witness++
		}
		f := w.d.facts(idx)
		want := w.s.Evaluate(f)
		if got.Highest != 1 {
			next := 0 // level 4, when none is reached
			if got.Highest != 0 {
				next = 5 - int(got.Highest) // the index of level Highest-1
			}
			if gp, wp := got.Levels[next].Path, want.Levels[next].Path; wp != nil && (gp == nil || gp.Years > wp.Years) {
				w.farther++
			}
		}
		if got.Highest != want.Highest || settled.highest != want.Highest {
			w.errorf("facts %+v: after %v, Highest = %d (settled at question %d as %d); want %d", f, a, got.Highest, settled.depth, settled.highest, want.Highest)
		}
		for i, g := range got.Levels {
			wl := want.Levels[i]
			switch {
			case g.Eligible != wl.Eligible || g.Route != wl.Route:
				w.errorf("facts %+v: after %v, level %d eligible %v route %q; want %v %q", f, a, g.Level, g.Eligible, g.Route, wl.Eligible, wl.Route)
			case g.Eligible && len(g.Met) == 0:
				w.errorf("facts %+v: after %v, level %d eligible with no met condition", f, a, g.Level)
			case slices.ContainsFunc(g.Met, func(id string) bool { return !slices.Contains(wl.Met, id) }):
				w.errorf("facts %+v: after %v, level %d met %v; want a subset of %v", f, a, g.Level, g.Met, wl.Met)
			}
		}
	})
	for _, q := range ups {
		if !useful[q] {
			w.errorf("after %v, FollowUps = %v: %s brings no combination a nearer path", a, ups, q)
		}
	}
}

// levelsAbove lists the levels above l, every level when l is 0.
func levelsAbove(l examdesk.Level) []examdesk.Level {
	var out []examdesk.Level
	for _, x := range []examdesk.Level{1, 2, 3, 4} {
		if l == 0 || x < l {
			out = append(out, x)
		}
	}
	return out
}

// followUp answers, from the complete facts f, the follow-ups after the
// dialog's answers a, one at a time as the dialog asks them, until there
// are none: then every level above the highest has the path the complete
// facts give, and nothing else changed. It marks in useful the follow-ups
// that the nearer paths test.
func (w *walk) followUp(a Answers, got Result, above []examdesk.Level, f Facts, useful map[Question]bool) {
	full, fa := f.Answers(), maps(a)
	n := 0
	for ; ; n++ {
		ups := w.s.FollowUps(fa, above...)
		if len(ups) == 0 {
			break
		}
		q := ups[0]
		if _, answered := fa[q]; answered || n == numQuestions {
			w.errorf("facts %+v: after %v, FollowUps = %v asks %s again", f, fa, ups, q)
			return
		}
		if i := w.s.index(q); w.s.qs[i].gate >= 0 {
			if st, _ := w.s.read(fa); st.t&(1<<w.s.qs[i].gate) == 0 {
				w.errorf("facts %+v: after %v, FollowUps = %v asks %s before its gate holds", f, fa, ups, q)
			}
		}
		fa[q] = full[q]
		w.followQ[q]++
	}
	w.followed[n]++
	after, want := w.s.Outcome(fa), w.s.Evaluate(f)
	if after.Highest != got.Highest {
		w.errorf("facts %+v: follow-ups after %v changed the highest level from %d to %d", f, a, got.Highest, after.Highest)
	}
	for _, l := range above {
		g, wl, before := after.Levels[4-l], want.Levels[4-l], got.Levels[4-l]
		// On a tie the full facts may name a condition listed earlier that
		// only a question bringing it no nearer would show.
		if g.Eligible || g.Route != before.Route || (g.Path == nil) != (wl.Path == nil) || g.Path != nil && g.Path.Years != wl.Path.Years {
			w.errorf("facts %+v: after %v and its follow-ups, level %d eligible %v path %+v; want not eligible, path as near as %+v", f, a, l, g.Eligible, g.Path, wl.Path)
			continue
		}
		if g.Path != nil && (before.Path == nil || g.Path.Years < before.Path.Years) {
			for _, k := range w.s.conds[w.s.byID[g.Path.Condition]].clauses {
				for ai, at := range w.s.atoms {
					if w.s.clauses[k]&(1<<ai) != 0 {
						useful[w.s.qs[at.q].def.question] = true
					}
				}
			}
		}
	}
}

// TestFewestQuestions runs the dialog on every fact combination: every
// question asked is relevant and allowed by its gate, and the answer at
// the end is the one the complete facts give. The numbers of questions
// are logged (go test -v -run FewestQuestions ./rules/).
func TestFewestQuestions(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	d := newDialog()
	w := &walk{t: t, s: s, d: d, asked: map[int]int{}, first: map[int]int{}, followed: map[int]int{}, followQ: map[Question]int{}, witnessQ: map[Question]int{}}
	p := make(partial, len(d.dims))
	for i := range p {
		p[i] = -1
	}
	w.run(p, Answers{}, 0, false, nil)

	all, first := tally(w.asked), tally(w.first)
	if all.total != len(d.targets) || first.total != len(d.targets) {
		t.Fatalf("the dialog ended for %d fact combinations (%d settled); want %d", all.total, first.total, len(d.targets))
	}
	t.Logf("questions over %d fact combinations (%d dialog states)", all.total, w.nodes)
	t.Logf("to the complete result: mean %.4f, max %d; distribution (questions:combinations): %s", all.mean, all.max, all.dist)
	t.Logf("to the highest level:    mean %.4f, max %d; distribution (questions:combinations): %s", first.mean, first.max, first.dist)
	t.Logf("combinations that needed a question only to name a met condition: %d (dialog states asking it: %v)", w.witness, w.witnessQ)
	t.Logf("combinations whose path to the next level, from the answers only, is farther than on the full facts: %d", w.farther)
	t.Logf("follow-up questions after the result (questions: combinations), after which every path is as near as on the full facts: %s (%v)", tally(w.followed).dist, w.followQ)
	// Regression guards on the plan, not timings: the measured means. The
	// mean to the complete result is the optimum (an exhaustive search);
	// the mean to the highest level is the best among plans that keep it.
	if want := 3.87; math.IsNaN(all.mean) || all.mean > want+1e-9 {
		t.Errorf("mean questions to the complete result = %.4f; want at most %.2f", all.mean, want)
	}
	if want := 3.45; math.IsNaN(first.mean) || first.mean > want+1e-9 {
		t.Errorf("mean questions to the highest level = %.4f; want at most %.2f", first.mean, want)
	}
}

// counts are the numbers of fact combinations by number of questions.
type counts struct {
	total, max int
	mean       float64
	dist       string
}

func tally(byQuestions map[int]int) counts {
	var c counts
	sum := 0
	for n, k := range byQuestions {
		c.total += k
		sum += n * k
		c.max = max(c.max, n)
	}
	c.mean = float64(sum) / float64(c.total)
	var dist []string
	for n := range c.max + 1 {
		if byQuestions[n] > 0 {
			dist = append(dist, fmt.Sprintf("%d: %d", n, byQuestions[n]))
		}
	}
	c.dist = strings.Join(dist, " · ")
	return c
}

// TestSettledFirst: among plans as short as any, the check settles the
// highest level first. A master's graduate of 9 years with no work learns
// level 1 at the third question.
func TestSettledFirst(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		name           string
		f              Facts
		settled, asked int
	}{
		{"master's graduate without work", Facts{Education: "master", Major: "other", YearsSinceGraduation: 9}, 3, 7},
		{"twenty years of work", Facts{OccupationYears: 20}, 1, 1},
		{"level 4 holder", Facts{OccupationYears: 3, Certificate: "level4", YearsSinceCertificate: 2, Education: "none"}, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full, a := tt.f.Answers(), Answers{}
			settled := -1
			for {
				if settled < 0 && s.Outcome(a).Settled {
					settled = len(a)
				}
				q, done := s.Next(a)
				if done {
					break
				}
				a[q] = full[q]
			}
			if settled != tt.settled || len(a) != tt.asked {
				t.Errorf("check of %+v settles the highest level after %d questions of %d; want %d of %d", tt.f, settled, len(a), tt.settled, tt.asked)
			}
		})
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		name string
		a    Answers
		want Question
		done bool
	}{
		{"first question", Answers{}, OccupationYears, false},
		{"all facts known", Facts{}.Answers(), "", true},
		{"decided by work alone", Answers{OccupationYears: {Number: 19}}, "", true},
		{"decided without training", Answers{OccupationYears: {Number: 0.5}, Certificate: {Choice: "none"}, Education: {Choice: "none"},
			TrainingLevel4: {Choice: "yes"}, TrainingLevel3: {Choice: "no"}, TrainingLevel2: {Choice: "no"}, TrainingLevel1: {Choice: "no"}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if q, done := s.Next(tt.a); q != tt.want || done != tt.done {
				t.Errorf("Next(%v) = %q, %v; want %q, %v", tt.a, q, done, tt.want, tt.done)
			}
		})
	}
}

// TestNextOffPlan gives answers in an order Next would not ask them: Next
// still asks an unanswered, relevant question whose gate holds.
func TestNextOffPlan(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		name string
		a    Answers
	}{
		{"years since certificate without certificate", Answers{YearsSinceCertificate: {Number: 4}}},
		{"major without education", Answers{Major: {Choice: "ecommerce"}, OccupationYears: {Number: 2}}},
		{"graduation without education", Answers{YearsSinceGraduation: {Number: 13}, TrainingLevel1: {Choice: "yes"}}},
		{"irrelevant answers", Answers{Certificate: {Choice: "none"}, YearsSinceCertificate: {Number: 30}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, done := s.Next(tt.a)
			_, answered := tt.a[q]
			gate := true
			switch q {
			case YearsSinceCertificate:
				gate = tt.a[Certificate].Choice != "" && tt.a[Certificate].Choice != "none"
			case Major, YearsSinceGraduation:
				gate = tt.a[Education].Choice != "" && tt.a[Education].Choice != "none"
			}
			if done || answered || !gate || !s.Relevant(tt.a, q) {
				t.Errorf("Next(%v) = %q, %v; want an unanswered relevant question whose gate holds", tt.a, q, done)
			}
		})
	}
}

func TestRelevant(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	noCert := Answers{Certificate: {Choice: "none"}}
	worked := Answers{OccupationYears: {Number: 1}}
	tests := []struct {
		a    Answers
		q    Question
		want bool
	}{
		{Answers{}, OccupationYears, true},
		{Answers{}, YearsSinceCertificate, true}, // relevant, but gated
		{noCert, YearsSinceCertificate, false},
		{Answers{Education: {Choice: "none"}}, Major, false},
		{Answers{Education: {Choice: "none"}}, YearsSinceGraduation, false},
		{Answers{Education: {Choice: "associate"}}, YearsSinceGraduation, false},
		{Answers{Education: {Choice: "bachelor"}}, YearsSinceGraduation, true},
		{worked, TrainingLevel4, false}, // level 4 decided, individually
		{worked, OccupationYears, true}, // its own answer is left out
		{Facts{}.Answers(), Education, false},
		{Answers{}, "training", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.a, tt.q), func(t *testing.T) {
			if got := s.Relevant(tt.a, tt.q); got != tt.want {
				t.Errorf("Relevant(%v, %q) = %v; want %v", tt.a, tt.q, got, tt.want)
			}
		})
	}
}

func TestAsk(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		q    Question
		want QuestionInfo
	}{
		{OccupationYears, QuestionInfo{ID: OccupationYears, Kind: Number}},
		{YearsSinceGraduation, QuestionInfo{ID: YearsSinceGraduation, Kind: Number}},
		{Certificate, QuestionInfo{ID: Certificate, Kind: Choice, Choices: []string{"none", "level4", "level3", "level2", "level1"}}},
		{Education, QuestionInfo{ID: Education, Kind: Choice, Choices: []string{"none", "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"}}},
		{Major, QuestionInfo{ID: Major, Kind: Choice, Choices: []string{"ecommerce", "related", "other"}}},
		{TrainingLevel2, QuestionInfo{ID: TrainingLevel2, Kind: YesNo, Choices: []string{"yes", "no"}}},
		{"training", QuestionInfo{ID: "training"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.q), func(t *testing.T) {
			got := s.Ask(tt.q)
			if got.ID != tt.want.ID || got.Kind != tt.want.Kind || !slices.Equal(got.Choices, tt.want.Choices) {
				t.Errorf("Ask(%q) = %+v; want %+v", tt.q, got, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		q    Question
		v    Value
		want string // "" for a valid answer
	}{
		{OccupationYears, Value{Number: 0}, ""},
		{OccupationYears, Value{Number: 2.5}, ""},
		{OccupationYears, Value{Number: -1}, "check answer to occupation_years: want a finite number ≥ 0, got -1"},
		{OccupationYears, Value{Number: math.Inf(1)}, "check answer to occupation_years: want a finite number ≥ 0, got +Inf"},
		{OccupationYears, Value{Number: math.NaN()}, "check answer to occupation_years: want a finite number ≥ 0, got NaN"},
		{OccupationYears, Value{Choice: "five"}, `check answer to occupation_years: want a number, got choice "five"`},
		{Education, Value{Number: 4}, "check answer to education: want one of [none secondary_vocational advanced_vocational associate bachelor master doctorate], got number 4"},
		{Certificate, Value{Choice: "level3"}, ""},
		{Certificate, Value{Choice: "level5"}, `check answer to certificate: want one of [none level4 level3 level2 level1], got "level5"`},
		{Education, Value{Choice: "doctorate"}, ""},
		{Major, Value{}, `check answer to major: want one of [ecommerce related other], got ""`},
		{TrainingLevel1, Value{Choice: "yes"}, ""},
		{TrainingLevel1, Value{Choice: "true"}, `check answer to training.level1: want one of [yes no], got "true"`},
		{"training", Value{Choice: "yes"}, `check answer: unknown question "training"`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.q, tt.v), func(t *testing.T) {
			err := s.Check(tt.q, tt.v)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Check(%q, %+v) = %q; want %q", tt.q, tt.v, got, tt.want)
			}
		})
	}
}

func BenchmarkNext(b *testing.B) {
	s := loadSet(b)
	// The states of a few dialogs, from no answers to the end.
	var states []Answers
	for _, f := range []Facts{
		{},
		{OccupationYears: 1, Education: "associate", Major: "other"},
		{OccupationYears: 3, Certificate: "level3", YearsSinceCertificate: 4, Training: []string{"level2"}, Education: "bachelor", Major: "related", YearsSinceGraduation: 8},
		{OccupationYears: 20, Certificate: "level2", YearsSinceCertificate: 5, Education: "doctorate", Major: "ecommerce", YearsSinceGraduation: 10},
	} {
		full, a := f.Answers(), Answers{}
		for {
			states = append(states, maps(a))
			q, done := s.Next(a)
			if done {
				break
			}
			a[q] = full[q]
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Next(states[i%len(states)])
	}
}

func maps(a Answers) Answers {
	c := make(Answers, len(a))
	for k, v := range a {
		c[k] = v
	}
	return c
}

func TestFollowUps(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	holder := Answers{OccupationYears: {Number: 3}, Certificate: {Choice: "level4"}, YearsSinceCertificate: {Number: 2}, Education: {Choice: "none"}}
	with := func(a Answers, q Question, v string) Answers {
		b := maps(a)
		b[q] = Value{Choice: v}
		return b
	}
	tests := []struct {
		name   string
		a      Answers
		levels []examdesk.Level
		want   []Question
	}{
		{"level 4 holder: the level 3 training could bring 3.4", holder, []examdesk.Level{3, 2, 1}, []Question{TrainingLevel3}},
		{"not when it is known", with(holder, TrainingLevel3, "no"), []examdesk.Level{3, 2, 1}, nil},
		{"only for the levels asked about", holder, []examdesk.Level{2, 1}, nil},
		{"education could bring 2.7; level 1 is open", Answers{OccupationYears: {Number: 1}, Certificate: {Choice: "none"}}, []examdesk.Level{2, 1}, []Question{Education}},
		{"nothing for a level not known to be ineligible", Answers{}, []examdesk.Level{1, 2, 3, 4}, nil},
		{"nothing nearer than 2.1 in half a year", Answers{OccupationYears: {Number: 12.5}, Certificate: {Choice: "level3"}, YearsSinceCertificate: {Number: 4.5}, Education: {Choice: "none"}}, []examdesk.Level{2}, nil},
		{"ties go to the question listed first", Answers{OccupationYears: {Number: 2}, Certificate: {Choice: "level3"}, YearsSinceCertificate: {Number: 2}, Education: {Choice: "bachelor"}},
			[]examdesk.Level{2}, []Question{TrainingLevel2, Major}},
		{"an unknown level is ignored", holder, []examdesk.Level{0, 9}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.FollowUps(tt.a, tt.levels...); !slices.Equal(got, tt.want) {
				t.Errorf("FollowUps(%v, %v) = %v; want %v", tt.a, tt.levels, got, tt.want)
			}
		})
	}
}

// TestShortfall: differences of years are exact in decimal.
func TestShortfall(t *testing.T) {
	t.Parallel()
	tests := []struct{ need, have, want float64 }{
		{1, 0.9, 0.1},
		{13, 12.3, 0.7},
		{6, 5.9, 0.1},
		{19, 0.1, 18.9},
		{8, 7.7, 0.3},
		{3, 2.99, 0.01},
		{4, 1.75, 2.25},
		{13, 0.000001, 12.999999},
		{19, 3, 16},
	}
	for _, tt := range tests {
		if got := shortfall(tt.need, tt.have); got != tt.want {
			t.Errorf("shortfall(%v, %v) = %v; want %v", tt.need, tt.have, got, tt.want)
		}
	}
}
