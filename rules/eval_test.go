package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"examdesk"
)

// oracleCondition is one DOMAIN.md condition written directly in Go,
// independently of the data file and the evaluator.
type oracleCondition struct {
	id       string
	level    examdesk.Level
	training bool // needs training (DOMAIN: the formal course is part of it)
	met      func(f Facts) bool
}

// oracle returns the 21 conditions of DOMAIN.md, level 4 first, each level
// in id order.
func oracle() []oracleCondition {
	rank := func(e string) int {
		return slices.Index([]string{"none", "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"}, e)
	}
	atLeast := func(f Facts, e string) bool { return rank(f.Education) >= rank(e) }
	trained := func(f Facts, l string) bool { return slices.Contains(f.Training, l) }
	return []oracleCondition{
		{"4.1", 4, false, func(f Facts) bool { return f.OccupationYears >= 1 }},
		{"4.2", 4, false, func(f Facts) bool { return f.Education == "secondary_vocational" && f.Major == "ecommerce" }},
		{"4.3", 4, true, func(f Facts) bool { return trained(f, "level4") }},
		{"3.1", 3, false, func(f Facts) bool { return f.OccupationYears >= 6 }},
		{"3.2", 3, false, func(f Facts) bool {
			return f.Education == "advanced_vocational" && (f.Major == "ecommerce" || f.Major == "related")
		}},
		{"3.3", 3, false, func(f Facts) bool { return f.Certificate == "level4" && f.YearsSinceCertificate >= 4 }},
		{"3.4", 3, true, func(f Facts) bool {
			return f.Certificate == "level4" && f.YearsSinceCertificate >= 3 && trained(f, "level3")
		}},
		{"3.5", 3, false, func(f Facts) bool { return atLeast(f, "associate") && f.Major == "ecommerce" }},
		{"3.6", 3, false, func(f Facts) bool {
			return atLeast(f, "associate") && f.Major != "ecommerce" && f.OccupationYears >= 1
		}},
		{"3.7", 3, true, func(f Facts) bool {
			return atLeast(f, "associate") && f.Major != "ecommerce" && trained(f, "level3")
		}},
		{"2.1", 2, false, func(f Facts) bool { return f.OccupationYears >= 13 }},
		{"2.2", 2, false, func(f Facts) bool { return f.Certificate == "level3" && f.YearsSinceCertificate >= 5 }},
		{"2.3", 2, true, func(f Facts) bool {
			return f.Certificate == "level3" && f.YearsSinceCertificate >= 4 && trained(f, "level2")
		}},
		{"2.4", 2, false, func(f Facts) bool {
			return atLeast(f, "bachelor") && f.Major == "ecommerce" && f.Certificate == "level3" && f.YearsSinceCertificate >= 4
		}},
		{"2.5", 2, true, func(f Facts) bool {
			return atLeast(f, "bachelor") && f.Major == "ecommerce" && f.Certificate == "level3" && f.YearsSinceCertificate >= 3 && trained(f, "level2")
		}},
		{"2.6", 2, true, func(f Facts) bool {
			return atLeast(f, "bachelor") && f.Major != "ecommerce" && f.Certificate == "level3" && f.YearsSinceCertificate >= 4 && trained(f, "level2")
		}},
		{"2.7", 2, false, func(f Facts) bool { return atLeast(f, "master") && f.OccupationYears >= 2 }},
		{"1.1", 1, false, func(f Facts) bool { return f.OccupationYears >= 19 }},
		{"1.2", 1, false, func(f Facts) bool { return f.Certificate == "level2" && f.YearsSinceCertificate >= 4 }},
		{"1.3", 1, true, func(f Facts) bool {
			return f.Certificate == "level2" && f.YearsSinceCertificate >= 3 && trained(f, "level1")
		}},
		{"1.4", 1, false, func(f Facts) bool {
			return f.Education == "bachelor" && f.YearsSinceGraduation >= 13 || atLeast(f, "master") && f.YearsSinceGraduation >= 8
		}},
	}
}

// oracleResult decides the facts with the oracle, as DOMAIN.md says: the
// highest eligible level, and per level the met conditions, the route, and
// for an ineligible level the condition reached soonest when every count of
// years grows by the same amount (ties: the lowest id).
func oracleResult(conds []oracleCondition, f Facts) Result {
	res := Result{}
	for _, l := range []examdesk.Level{4, 3, 2, 1} {
		lr := LevelResult{Level: l}
		training := true
		for i := range conds {
			c := &conds[i]
			if c.level == l && c.met(f) {
				lr.Met = append(lr.Met, c.id)
				training = training && c.training
			}
		}
		if len(lr.Met) > 0 {
			lr.Eligible = true
			lr.Route = Individual
			if training {
				lr.Route = Training
			}
			if res.Highest == 0 || l < res.Highest {
				res.Highest = l
			}
		} else {
			lr.Path = oraclePath(conds, l, f)
			if p := oracleTrained(conds, l, f); p != nil && (lr.Path == nil || p.Years < lr.Path.Years) {
				lr.Trained = p
			}
		}
		res.Levels = append(res.Levels, lr)
	}
	return res
}

func oraclePath(conds []oracleCondition, l examdesk.Level, f Facts) *Path {
	// The conditions' thresholds are whole years, so are the representative
	// facts, so the nearest path is a whole number of years ≤ 19.
	for d := 1.0; d <= 19; d++ {
		later := f
		later.OccupationYears += d
		later.YearsSinceCertificate += d
		later.YearsSinceGraduation += d
		for i := range conds {
			c := &conds[i]
			if c.level == l && c.met(later) {
				return &Path{Condition: c.id, Years: d}
			}
		}
		if d == 1 && !slices.ContainsFunc(conds, func(c oracleCondition) bool { return c.level == l && c.met(forever(f)) }) {
			return nil // no amount of work will do
		}
	}
	return nil
}

// oracleTrained is the condition of level l met soonest when every count
// of years grows alike and the training courses not completed may be
// completed, among those that need one of them: the first whole year (from
// 0) at which completing every course meets a condition that it does not
// meet without them. Its courses are those it cannot do without.
func oracleTrained(conds []oracleCondition, l examdesk.Level, f Facts) *Path {
	var missing []string
	for _, t := range []string{"level4", "level3", "level2", "level1"} {
		if !slices.Contains(f.Training, t) {
			missing = append(missing, t)
		}
	}
	for d := 0.0; d <= 19; d++ {
		later := f
		later.OccupationYears += d
		later.YearsSinceCertificate += d
		later.YearsSinceGraduation += d
		trained := later
		trained.Training = append(slices.Clone(f.Training), missing...)
		for i := range conds {
			c := &conds[i]
			if c.level != l || !c.met(trained) || c.met(later) {
				continue
			}
			p := &Path{Condition: c.id, Years: d}
			for _, t := range missing {
				without := trained
				without.Training = slices.DeleteFunc(slices.Clone(trained.Training), func(x string) bool { return x == t })
				if !c.met(without) {
					p.Training = append(p.Training, examdesk.Level(t[len(t)-1]-'0'))
				}
			}
			return p
		}
	}
	return nil
}

// forever is f after more years than any condition needs.
func forever(f Facts) Facts {
	f.OccupationYears += 100
	f.YearsSinceCertificate += 100
	f.YearsSinceGraduation += 100
	return f
}

// space lists the representative values of each fact: 0 and each threshold
// of DOMAIN.md for the numbers, every value otherwise.
type space struct {
	occupation, sinceCertificate, sinceGraduation []float64
	certificates, educations, majors              []string
}

func domainSpace() space {
	return space{
		occupation:       []float64{0, 1, 2, 6, 13, 19},
		sinceCertificate: []float64{0, 3, 4, 5},
		sinceGraduation:  []float64{0, 8, 13},
		certificates:     []string{"none", "level4", "level3", "level2", "level1"},
		educations:       []string{"none", "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"},
		majors:           []string{"ecommerce", "related", "other"},
	}
}

// each calls fn with every combination of representative facts.
func (sp space) each(fn func(Facts)) {
	levels := []string{"level4", "level3", "level2", "level1"}
	for _, occ := range sp.occupation {
		for _, cert := range sp.certificates {
			for _, ysc := range sp.sinceCertificate {
				for subset := range 16 {
					var training []string
					for i, l := range levels {
						if subset&(1<<i) != 0 {
							training = append(training, l)
						}
					}
					for _, edu := range sp.educations {
						for _, major := range sp.majors {
							for _, ysg := range sp.sinceGraduation {
								fn(Facts{OccupationYears: occ, Certificate: cert, YearsSinceCertificate: ysc,
									Training: training, Education: edu, Major: major, YearsSinceGraduation: ysg})
							}
						}
					}
				}
			}
		}
	}
}

// formatResult prints a result compactly, for comparing and for messages.
func formatResult(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "highest %d;", r.Highest)
	for _, l := range r.Levels {
		fmt.Fprintf(&b, " %d:%v %v %q", l.Level, l.Eligible, l.Met, l.Route)
		if l.Path != nil {
			fmt.Fprintf(&b, " path %s+%g", l.Path.Condition, l.Path.Years)
		}
		if l.Trained != nil {
			fmt.Fprintf(&b, " trained %s+%g%v", l.Trained.Condition, l.Trained.Years, l.Trained.Training)
		}
		b.WriteString(";")
	}
	return b.String()
}

func sameResult(a, b Result) bool {
	return a.Highest == b.Highest && slices.EqualFunc(a.Levels, b.Levels, func(x, y LevelResult) bool {
		return x.Level == y.Level && x.Eligible == y.Eligible && slices.Equal(x.Met, y.Met) && x.Route == y.Route &&
			samePath(x.Path, y.Path) && samePath(x.Trained, y.Trained)
	})
}

func samePath(x, y *Path) bool {
	return x == nil && y == nil ||
		x != nil && y != nil && x.Condition == y.Condition && x.Years == y.Years && slices.Equal(x.Training, y.Training)
}

func TestEvaluateOracle(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	conds := oracle()
	n, failed := 0, 0
	domainSpace().each(func(f Facts) {
		n++
		got, want := s.Evaluate(f), oracleResult(conds, f)
		if !sameResult(got, want) {
			failed++
			if failed <= 10 {
				t.Errorf("Evaluate(%+v) = %s; want %s", f, formatResult(got), formatResult(want))
			}
		}
	})
	if failed > 0 {
		t.Errorf("%d of %d fact combinations disagree with the oracle", failed, n)
	}
	if n != 6*5*4*16*7*3*3 {
		t.Errorf("enumerated %d fact combinations; want %d", n, 6*5*4*16*7*3*3)
	}
	t.Logf("Evaluate agrees with the oracle on %d fact combinations", n)
}

func TestEvaluateConditions(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		name string
		f    Facts
		id   string
		want bool
	}{
		{"4.1 one year, inclusive", Facts{OccupationYears: 1}, "4.1", true},
		{"4.1 just under a year", Facts{OccupationYears: 0.99}, "4.1", false},
		{"4.2 secondary vocational e-commerce", Facts{Education: "secondary_vocational", Major: "ecommerce"}, "4.2", true},
		{"4.2 needs exactly that school", Facts{Education: "advanced_vocational", Major: "ecommerce"}, "4.2", false},
		{"4.2 a degree is not that school", Facts{Education: "bachelor", Major: "ecommerce"}, "4.2", false},
		{"4.2 related major", Facts{Education: "secondary_vocational", Major: "related"}, "4.2", false},
		{"4.3 level 4 training", Facts{Training: []string{"level4"}}, "4.3", true},
		{"4.3 other training", Facts{Training: []string{"level3", "level2"}}, "4.3", false},
		{"3.1 six years", Facts{OccupationYears: 6}, "3.1", true},
		{"3.1 under six years", Facts{OccupationYears: 5.9}, "3.1", false},
		{"3.2 advanced vocational related", Facts{Education: "advanced_vocational", Major: "related"}, "3.2", true},
		{"3.2 advanced vocational e-commerce", Facts{Education: "advanced_vocational", Major: "ecommerce"}, "3.2", true},
		{"3.2 other major", Facts{Education: "advanced_vocational", Major: "other"}, "3.2", false},
		{"3.2 secondary vocational is not enough", Facts{Education: "secondary_vocational", Major: "ecommerce"}, "3.2", false},
		{"3.2 a degree is not that school", Facts{Education: "associate", Major: "related"}, "3.2", false},
		{"3.3 four years after level 4", Facts{Certificate: "level4", YearsSinceCertificate: 4}, "3.3", true},
		{"3.3 under four years", Facts{Certificate: "level4", YearsSinceCertificate: 3.9}, "3.3", false},
		{"3.3 needs that exact certificate", Facts{Certificate: "level3", YearsSinceCertificate: 10}, "3.3", false},
		{"3.4 three years and training", Facts{Certificate: "level4", YearsSinceCertificate: 3, Training: []string{"level3"}}, "3.4", true},
		{"3.4 without training", Facts{Certificate: "level4", YearsSinceCertificate: 3}, "3.4", false},
		{"3.4 too few years", Facts{Certificate: "level4", YearsSinceCertificate: 2, Training: []string{"level3"}}, "3.4", false},
		{"3.5 associate e-commerce", Facts{Education: "associate", Major: "ecommerce"}, "3.5", true},
		{"3.5 doctorate e-commerce", Facts{Education: "doctorate", Major: "ecommerce"}, "3.5", true},
		{"3.5 advanced vocational is below associate", Facts{Education: "advanced_vocational", Major: "ecommerce"}, "3.5", false},
		{"3.5 related major", Facts{Education: "associate", Major: "related"}, "3.5", false},
		{"3.6 bachelor related one year", Facts{Education: "bachelor", Major: "related", OccupationYears: 1}, "3.6", true},
		{"3.6 e-commerce major is 3.5", Facts{Education: "bachelor", Major: "ecommerce", OccupationYears: 1}, "3.6", false},
		{"3.6 no year of work", Facts{Education: "associate", Major: "other", OccupationYears: 0.5}, "3.6", false},
		{"3.7 master other training", Facts{Education: "master", Major: "other", Training: []string{"level3"}}, "3.7", true},
		{"3.7 without training", Facts{Education: "master", Major: "other"}, "3.7", false},
		{"2.1 thirteen years", Facts{OccupationYears: 13}, "2.1", true},
		{"2.1 twelve and a half", Facts{OccupationYears: 12.5}, "2.1", false},
		{"2.2 five years after level 3", Facts{Certificate: "level3", YearsSinceCertificate: 5}, "2.2", true},
		{"2.2 a higher certificate is not that certificate", Facts{Certificate: "level2", YearsSinceCertificate: 9}, "2.2", false},
		{"2.3 four years and training", Facts{Certificate: "level3", YearsSinceCertificate: 4, Training: []string{"level2"}}, "2.3", true},
		{"2.3 training of another level", Facts{Certificate: "level3", YearsSinceCertificate: 4, Training: []string{"level1", "level3"}}, "2.3", false},
		{"2.4 bachelor e-commerce four years", Facts{Education: "bachelor", Major: "ecommerce", Certificate: "level3", YearsSinceCertificate: 4}, "2.4", true},
		{"2.4 associate is below bachelor", Facts{Education: "associate", Major: "ecommerce", Certificate: "level3", YearsSinceCertificate: 4}, "2.4", false},
		{"2.5 three years and training", Facts{Education: "master", Major: "ecommerce", Certificate: "level3", YearsSinceCertificate: 3, Training: []string{"level2"}}, "2.5", true},
		{"2.5 related major", Facts{Education: "master", Major: "related", Certificate: "level3", YearsSinceCertificate: 3, Training: []string{"level2"}}, "2.5", false},
		{"2.6 bachelor related", Facts{Education: "bachelor", Major: "related", Certificate: "level3", YearsSinceCertificate: 4, Training: []string{"level2"}}, "2.6", true},
		{"2.6 three years are not enough", Facts{Education: "bachelor", Major: "related", Certificate: "level3", YearsSinceCertificate: 3, Training: []string{"level2"}}, "2.6", false},
		{"2.7 master two years", Facts{Education: "master", OccupationYears: 2}, "2.7", true},
		{"2.7 doctorate is at least master", Facts{Education: "doctorate", OccupationYears: 2}, "2.7", true},
		{"2.7 bachelor", Facts{Education: "bachelor", OccupationYears: 12}, "2.7", false},
		{"1.1 nineteen years", Facts{OccupationYears: 19}, "1.1", true},
		{"1.1 under nineteen", Facts{OccupationYears: 18.9}, "1.1", false},
		{"1.2 four years after level 2", Facts{Certificate: "level2", YearsSinceCertificate: 4}, "1.2", true},
		{"1.2 level 1 is not that certificate", Facts{Certificate: "level1", YearsSinceCertificate: 10}, "1.2", false},
		{"1.3 three years and training", Facts{Certificate: "level2", YearsSinceCertificate: 3, Training: []string{"level1"}}, "1.3", true},
		{"1.3 without training", Facts{Certificate: "level2", YearsSinceCertificate: 3}, "1.3", false},
		{"1.4 bachelor thirteen years", Facts{Education: "bachelor", YearsSinceGraduation: 13}, "1.4", true},
		{"1.4 bachelor twelve years", Facts{Education: "bachelor", YearsSinceGraduation: 12}, "1.4", false},
		{"1.4 master eight years", Facts{Education: "master", YearsSinceGraduation: 8}, "1.4", true},
		{"1.4 doctorate eight years", Facts{Education: "doctorate", YearsSinceGraduation: 8}, "1.4", true},
		{"1.4 master seven years", Facts{Education: "master", YearsSinceGraduation: 7}, "1.4", false},
		{"1.4 associate never", Facts{Education: "associate", YearsSinceGraduation: 30}, "1.4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := s.Condition(tt.id)
			if !ok {
				t.Fatalf("Condition(%q) not found", tt.id)
			}
			res := s.Evaluate(tt.f)
			got := slices.Contains(res.Levels[4-c.Level].Met, tt.id)
			if got != tt.want {
				t.Errorf("Evaluate(%+v) meets %s = %v; want %v (%s)", tt.f, tt.id, got, tt.want, formatResult(res))
			}
		})
	}
}

func TestEvaluateResults(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		name string
		f    Facts
		want string
	}{
		{"nothing at all", Facts{},
			`highest 0; 4:false [] "" path 4.1+1 trained 4.3+0[4]; 3:false [] "" path 3.1+6; 2:false [] "" path 2.1+13; 1:false [] "" path 1.1+19;`},
		{"training only", Facts{Training: []string{"level4"}},
			`highest 4; 4:true [4.3] "training"; 3:false [] "" path 3.1+6; 2:false [] "" path 2.1+13; 1:false [] "" path 1.1+19;`},
		{"training and work", Facts{OccupationYears: 2, Training: []string{"level4"}},
			`highest 4; 4:true [4.1 4.3] "individual"; 3:false [] "" path 3.1+4; 2:false [] "" path 2.1+11; 1:false [] "" path 1.1+17;`},
		{"nearer by certificate", Facts{OccupationYears: 3, Certificate: "level4", YearsSinceCertificate: 2},
			`highest 4; 4:true [4.1] "individual"; 3:false [] "" path 3.3+2 trained 3.4+1[3]; 2:false [] "" path 2.1+10; 1:false [] "" path 1.1+16;`},
		{"tie goes to the lowest id", Facts{OccupationYears: 9, Certificate: "level3", YearsSinceCertificate: 1},
			`highest 3; 4:true [4.1] "individual"; 3:true [3.1] "individual"; 2:false [] "" path 2.1+4 trained 2.3+3[2]; 1:false [] "" path 1.1+10;`},
		{"fractional years", Facts{OccupationYears: 12.5},
			`highest 3; 4:true [4.1] "individual"; 3:true [3.1] "individual"; 2:false [] "" path 2.1+0.5; 1:false [] "" path 1.1+6.5;`},
		{"graduation counts for 1.4", Facts{OccupationYears: 1, Education: "master", Major: "other", YearsSinceGraduation: 6},
			`highest 3; 4:true [4.1] "individual"; 3:true [3.6] "individual"; 2:false [] "" path 2.7+1; 1:false [] "" path 1.4+2;`},
		{"training route on level 3 only", Facts{Education: "bachelor", Major: "related", Training: []string{"level3"}},
			`highest 3; 4:false [] "" path 4.1+1 trained 4.3+0[4]; 3:true [3.7] "training"; 2:false [] "" path 2.1+13; 1:false [] "" path 1.4+13;`},
		{"decimal differences are exact", Facts{OccupationYears: 0.9, Certificate: "level2", YearsSinceCertificate: 0.7, Training: []string{"level4"}},
			`highest 4; 4:true [4.3] "training"; 3:false [] "" path 3.1+5.1; 2:false [] "" path 2.1+12.1; 1:false [] "" path 1.2+3.3 trained 1.3+2.3[1];`},
		{"graduation grows with the years of work", Facts{OccupationYears: 5.5, Education: "master", Major: "other", YearsSinceGraduation: 7.75},
			`highest 2; 4:true [4.1] "individual"; 3:true [3.6] "individual"; 2:true [2.7] "individual"; 1:false [] "" path 1.4+0.25;`},
		{"senior specialist", Facts{OccupationYears: 20, Certificate: "level2", YearsSinceCertificate: 5, Training: []string{"level1"}, Education: "doctorate", Major: "ecommerce", YearsSinceGraduation: 10},
			`highest 1; 4:true [4.1] "individual"; 3:true [3.1 3.5] "individual"; 2:true [2.1 2.7] "individual"; 1:true [1.1 1.2 1.3 1.4] "individual";`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatResult(s.Evaluate(tt.f)); got != tt.want {
				t.Errorf("Evaluate(%+v) = %s; want %s", tt.f, got, tt.want)
			}
		})
	}
}

func TestOutcomePartial(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		name string
		a    Answers
		want string
	}{
		{"no answers", Answers{},
			`highest 0; 4:false [] ""; 3:false [] ""; 2:false [] ""; 1:false [] "";`},
		{"work only: paths wait for the other facts", Answers{OccupationYears: {Number: 7}},
			`highest 3; 4:true [4.1] "individual"; 3:true [3.1] "individual"; 2:false [] ""; 1:false [] "";`},
		{"level 1 known out, its path only from known clauses", Answers{
			OccupationYears: {Number: 5}, Certificate: {Choice: "none"}, Education: {Choice: "associate"}},
			`highest 4; 4:true [4.1] "individual"; 3:false [] ""; 2:false [] "" path 2.1+8; 1:false [] "" path 1.1+14;`},
		{"unknown years since graduation: no path", Answers{
			OccupationYears: {Number: 5}, Certificate: {Choice: "none"}, Education: {Choice: "bachelor"}},
			`highest 4; 4:true [4.1] "individual"; 3:false [] ""; 2:false [] "" path 2.1+8; 1:false [] "";`},
		{"invalid answers count as none", Answers{
			OccupationYears: {Number: -3}, Education: {Choice: "phd"}, TrainingLevel4: {Choice: "maybe"}},
			`highest 0; 4:false [] ""; 3:false [] ""; 2:false [] ""; 1:false [] "";`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatResult(s.Outcome(tt.a)); got != tt.want {
				t.Errorf("Outcome(%v) = %s; want %s", tt.a, got, tt.want)
			}
		})
	}
}

func TestMaterials(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	basic := []Material{ApplicationForm, IDCard, EducationCertificates}
	with := func(m ...Material) []Material { return append(slices.Clone(basic), m...) }
	tests := []struct {
		level examdesk.Level
		met   []string
		want  []Material
	}{
		{4, []string{"4.2"}, basic},
		{4, []string{"4.3"}, basic},
		{4, []string{"4.1"}, with(WorkProof)},
		{3, []string{"3.3"}, with(WorkProof, CertificateCopy)},
		{3, []string{"3.5"}, basic},
		{3, []string{"3.1", "3.5"}, with(WorkProof)},
		{2, []string{"2.2"}, with(WorkProof, CertificateCopy, Thesis)},
		{2, []string{"2.7"}, with(WorkProof, Thesis)},
		{1, []string{"1.4"}, with(Thesis)},
		{1, []string{"9.9"}, with(Thesis)},
		{3, nil, basic},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.level, tt.met), func(t *testing.T) {
			if got := s.Materials(tt.level, tt.met); !slices.Equal(got, tt.want) {
				t.Errorf("Materials(%d, %q) = %v; want %v", tt.level, tt.met, got, tt.want)
			}
		})
	}
}

func BenchmarkEvaluate(b *testing.B) {
	s := loadSet(b)
	facts := []Facts{
		{},
		{OccupationYears: 3, Certificate: "level4", YearsSinceCertificate: 2},
		{OccupationYears: 20, Certificate: "level2", YearsSinceCertificate: 5, Training: []string{"level1"},
			Education: "doctorate", Major: "ecommerce", YearsSinceGraduation: 10},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Evaluate(facts[i%len(facts)])
	}
}
