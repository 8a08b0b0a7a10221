package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"examdesk/rules"
)

// persona is a candidate's facts with every count of years in hundredths
// of a year, so that the reference below computes in integers, exactly.
type persona struct {
	occupation, sinceCertificate, sinceGraduation int
	certificate, education, major                 string
	training                                      []string
}

// refCondition is one condition of the notice, written here once more,
// apart from the rules file and its evaluator, on a persona.
type refCondition struct {
	id       string
	training bool // needs a completed training course
	met      func(p persona) bool
}

// refLevels are the conditions of levels 4, 3, 2 and 1, each level in the
// order of the notice.
func refLevels() [][]refCondition {
	degree := map[string]int{"associate": 1, "bachelor": 2, "master": 3, "doctorate": 4}
	atLeast := func(p persona, e string) bool { return degree[p.education] >= degree[e] }
	trained := func(p persona, l string) bool { return slices.Contains(p.training, l) }
	cert := func(p persona, c string, hundredths int) bool {
		return p.certificate == c && p.sinceCertificate >= hundredths
	}
	return [][]refCondition{
		{
			{"4.1", false, func(p persona) bool { return p.occupation >= 100 }},
			{"4.2", false, func(p persona) bool { return p.education == "secondary_vocational" && p.major == "ecommerce" }},
			{"4.3", true, func(p persona) bool { return trained(p, "level4") }},
		},
		{
			{"3.1", false, func(p persona) bool { return p.occupation >= 600 }},
			{"3.2", false, func(p persona) bool { return p.education == "advanced_vocational" && p.major != "other" }},
			{"3.3", false, func(p persona) bool { return cert(p, "level4", 400) }},
			{"3.4", true, func(p persona) bool { return cert(p, "level4", 300) && trained(p, "level3") }},
			{"3.5", false, func(p persona) bool { return atLeast(p, "associate") && p.major == "ecommerce" }},
			{"3.6", false, func(p persona) bool { return atLeast(p, "associate") && p.major != "ecommerce" && p.occupation >= 100 }},
			{"3.7", true, func(p persona) bool { return atLeast(p, "associate") && p.major != "ecommerce" && trained(p, "level3") }},
		},
		{
			{"2.1", false, func(p persona) bool { return p.occupation >= 1300 }},
			{"2.2", false, func(p persona) bool { return cert(p, "level3", 500) }},
			{"2.3", true, func(p persona) bool { return cert(p, "level3", 400) && trained(p, "level2") }},
			{"2.4", false, func(p persona) bool {
				return atLeast(p, "bachelor") && p.major == "ecommerce" && cert(p, "level3", 400)
			}},
			{"2.5", true, func(p persona) bool {
				return atLeast(p, "bachelor") && p.major == "ecommerce" && cert(p, "level3", 300) && trained(p, "level2")
			}},
			{"2.6", true, func(p persona) bool {
				return atLeast(p, "bachelor") && p.major != "ecommerce" && cert(p, "level3", 400) && trained(p, "level2")
			}},
			{"2.7", false, func(p persona) bool { return atLeast(p, "master") && p.occupation >= 200 }},
		},
		{
			{"1.1", false, func(p persona) bool { return p.occupation >= 1900 }},
			{"1.2", false, func(p persona) bool { return cert(p, "level2", 400) }},
			{"1.3", true, func(p persona) bool { return cert(p, "level2", 300) && trained(p, "level1") }},
			{"1.4", false, func(p persona) bool {
				return p.education == "bachelor" && p.sinceGraduation >= 1300 || atLeast(p, "master") && p.sinceGraduation >= 800
			}},
		},
	}
}

// later is p after d hundredths of a year of more work: the years since the
// certificate grow when one is held, those since graduation when schooling
// is given.
func (p persona) later(d int) persona {
	p.occupation += d
	if p.certificate != "none" {
		p.sinceCertificate += d
	}
	if p.education != "none" {
		p.sinceGraduation += d
	}
	return p
}

// decimal writes hundredths as the shortest decimal: 10 → "0.1", 1900 → "19".
func decimal(hundredths int) string {
	s := fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// referenceJSON is what `examdesk eligibility` must print for p: the
// conditions met at once, and for a level not met the first condition met
// by stepping time forward a hundredth of a year at a time, for as long
// as the largest threshold (19 years) can need.
func referenceJSON(p persona) string {
	var levels []string
	highest := 0
	for i, conds := range refLevels() {
		level := 4 - i
		met, route := []string{}, "training"
		for _, c := range conds {
			if c.met(p) {
				met = append(met, strconv.Quote(c.id))
				if !c.training {
					route = "individual"
				}
			}
		}
		item := fmt.Sprintf(`{"level":%d,"eligible":%v,"met":[%s]`, level, len(met) > 0, strings.Join(met, ","))
		if len(met) > 0 {
			highest = level
			item += `,"route":"` + route + `"`
		} else {
		steps:
			for d := 1; d <= 1900; d++ {
				for _, c := range conds {
					if c.met(p.later(d)) {
						item += fmt.Sprintf(`,"nearest":{"condition":%q,"years":%s}`, c.id, decimal(d))
						break steps
					}
				}
			}
		}
		levels = append(levels, item+"}")
	}
	return fmt.Sprintf(`{"highest":%d,"levels":[%s]}`, highest, strings.Join(levels, ","))
}

// factsJSON writes p as the facts `examdesk eligibility` reads, the
// numbers as decimals.
func (p persona) factsJSON() string {
	training, _ := json.Marshal(p.training)
	return fmt.Sprintf(`{"occupation_years":%s,"certificate":%q,"years_since_certificate":%s,"training":%s,"education":%q,"major":%q,"years_since_graduation":%s}`,
		decimal(p.occupation), p.certificate, decimal(p.sinceCertificate), training, p.education, p.major, decimal(p.sinceGraduation))
}

// generatePersonas generates n personas from a fixed seed: counts of years near
// every threshold (a hundredth, a tenth or a quarter under it, or on it),
// whole, or anywhere up to 25 years.
func generatePersonas(n int) []persona {
	r := rand.New(rand.NewPCG(10, 2026))
	thresholds := []int{100, 200, 300, 400, 500, 600, 800, 1300, 1900}
	years := func() int {
		switch r.IntN(3) {
		case 0:
			return max(0, thresholds[r.IntN(len(thresholds))]-[]int{0, 1, 10, 25, 90}[r.IntN(5)])
		case 1:
			return 100 * r.IntN(26)
		}
		return r.IntN(2501)
	}
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	out := make([]persona, n)
	for i := range out {
		p := persona{
			occupation:      years(),
			certificate:     pick("none", "level4", "level3", "level2", "level1"),
			education:       pick("none", "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"),
			major:           pick("ecommerce", "related", "other"),
			sinceGraduation: years(),
			training:        []string{},
		}
		if p.certificate != "none" {
			p.sinceCertificate = min(years(), p.occupation)
		}
		for _, l := range []string{"level4", "level3", "level2", "level1"} {
			if r.IntN(4) == 0 {
				p.training = append(p.training, l)
			}
		}
		out[i] = p
	}
	return out
}

// TestEligibilityReference compares the output of `examdesk eligibility`
// with the reference above on generated personas: through the whole
// command for some, through the function that writes its output for the
// rest (the command loads the rules each time).
func TestEligibilityReference(t *testing.T) {
	t.Parallel()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	ps := generatePersonas(3000)
	nearest := 0
	for i, p := range ps {
		want := referenceJSON(p)
		nearest += strings.Count(want, `"nearest"`)
		var got string
		if i < 10 {
			stdout, stderr, code := runCmd(t, nil, p.factsJSON(), "eligibility")
			if code != 0 {
				t.Fatalf("eligibility < %s = %d, stderr %q; want 0", p.factsJSON(), code, stderr)
			}
			got = strings.TrimSuffix(stdout, "\n")
		} else {
			facts, err := rules.DecodeFacts(strings.NewReader(p.factsJSON()))
			if err != nil {
				t.Fatalf("DecodeFacts(%s) = %v", p.factsJSON(), err)
			}
			data, err := eligibilityJSON(set, facts)
			if err != nil {
				t.Fatal(err)
			}
			got = string(data)
		}
		if got != want {
			t.Errorf("eligibility < %s\n got %s\nwant %s", p.factsJSON(), got, want)
		}
	}
	if nearest < len(ps) {
		t.Errorf("the personas have %d nearest paths; want a test that exercises them", nearest)
	}
}

// TestEligibilityNearest: the nearest path by time alone, exact in
// decimal, with its ties and absences.
func TestEligibilityNearest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, facts string
		want        []string // per level 4, 3, 2, 1: the nearest object, "" for none
	}{
		{"0.9 years of work: 0.1 to 4.1", `{"occupation_years": 0.9}`,
			[]string{`{"condition":"4.1","years":0.1}`, `{"condition":"3.1","years":5.1}`, `{"condition":"2.1","years":12.1}`, `{"condition":"1.1","years":18.1}`}},
		{"eligible levels have none", `{"occupation_years": 6}`,
			[]string{"", "", `{"condition":"2.1","years":7}`, `{"condition":"1.1","years":13}`}},
		{"a higher level sooner by graduation", `{"occupation_years": 10, "education": "bachelor", "major": "other", "years_since_graduation": 12}`,
			[]string{"", "", `{"condition":"2.1","years":3}`, `{"condition":"1.4","years":1}`}},
		{"the certificate's years grow with the work", `{"occupation_years": 3, "certificate": "level4", "years_since_certificate": 2}`,
			[]string{"", `{"condition":"3.3","years":2}`, `{"condition":"2.1","years":10}`, `{"condition":"1.1","years":16}`}},
		{"a tie goes to the condition listed first", `{"occupation_years": 9, "certificate": "level3", "years_since_certificate": 1}`,
			[]string{"", "", `{"condition":"2.1","years":4}`, `{"condition":"1.1","years":10}`}},
		{"training alone is not time", `{"occupation_years": 2.5, "certificate": "level4", "years_since_certificate": 2.5, "training": ["level3"]}`,
			[]string{"", `{"condition":"3.4","years":0.5}`, `{"condition":"2.1","years":10.5}`, `{"condition":"1.1","years":16.5}`}},
		{"tiny amounts stay exact", `{"occupation_years": 12.99}`,
			[]string{"", "", `{"condition":"2.1","years":0.01}`, `{"condition":"1.1","years":6.01}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, tt.facts, "eligibility")
			if code != 0 {
				t.Fatalf("eligibility < %s = %d, stderr %q", tt.facts, code, stderr)
			}
			var out struct {
				Levels []struct {
					Nearest json.RawMessage `json:"nearest"`
				} `json:"levels"`
			}
			if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Levels) != 4 {
				t.Fatalf("eligibility < %s = %s: %v", tt.facts, stdout, err)
			}
			for i, l := range out.Levels {
				if got := string(l.Nearest); got != tt.want[i] {
					t.Errorf("eligibility < %s: level %d nearest = %s; want %s", tt.facts, 4-i, got, tt.want[i])
				}
			}
		})
	}
}
