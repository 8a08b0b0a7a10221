package rules

import (
	"cmp"
	"math"
	"math/big"
	"slices"
	"strconv"

	"examdesk"
)

// path finds, for a level known to be ineligible, the clause that fails
// only on numbers of years and needs the fewest more years; with training,
// the clause that may also fail on training courses not known to be
// completed (and needs one), else nil. Every other atom of the clause must
// be known. Ties go to the condition listed first.
func (s *Set) path(l examdesk.Level, st state, nums [numQuestions]float64, training bool) *Path {
	var best *Path
	for _, ci := range s.levels[l-1].conds {
		c := &s.conds[ci]
		for _, k := range c.clauses {
			years, courses, ok := s.reach(k, st, nums, training)
			if !ok || training && len(courses) == 0 {
				continue
			}
			if best == nil || years < best.Years {
				best = &Path{Condition: c.ID, Years: years, Training: courses}
			}
		}
	}
	return best
}

// reach tells how many more years of work clause k needs, and with
// training, which training courses not known to be completed; ok is false
// when the clause fails, or may fail, on anything else.
func (s *Set) reach(k int, st state, nums [numQuestions]float64, training bool) (years float64, courses []examdesk.Level, ok bool) {
	atoms := s.clauses[k] &^ st.t
	// By index: ranging by value copies each atom, and under the race
	// detector pays a pointer check for each, on the planner's hot path.
	for ai := range s.atoms {
		a := &s.atoms[ai]
		if atoms&(1<<ai) == 0 {
			continue
		}
		d := s.qs[a.q].def
		switch {
		case d.kind == Number && st.f&(1<<ai) != 0:
			years = max(years, shortfall(a.min, nums[a.q]))
		case training && d.kind == YesNo:
			courses = append(courses, trainingLevel(d.level))
		default:
			return 0, nil, false
		}
	}
	return years, courses, true
}

// FollowUps lists the questions not answered yet, whose gates hold, whose
// answer could bring one of the given levels nearer by time alone: the
// question is tested in a clause of a level known to be ineligible that
// fails on nothing but numbers of years, and that, were its unknown atoms
// to hold, would be reached sooner than the level's Path (or the level has
// none). The question that could bring a level soonest comes first; ties
// go to the question listed first in the conditions file. Levels not known
// to be ineligible are left out. Answers that Check rejects count as
// unanswered.
func (s *Set) FollowUps(a Answers, levels ...examdesk.Level) []Question {
	st, nums := s.read(a)
	an := s.analyse(st)
	soonest := map[int]float64{} // question → the soonest it could bring
	for _, l := range levels {
		if l < 1 || l > 4 || an.e[l-1] != isFalse {
			continue
		}
		now := s.path(l, st, nums, false)
		for _, ci := range s.levels[l-1].conds {
			for _, k := range s.conds[ci].clauses {
				s.hope(k, st, nums, now, soonest)
			}
		}
	}
	var out []int
	for q := range soonest {
		out = append(out, q)
	}
	rank := func(q int) int { return slices.Index(s.order, q) }
	slices.SortFunc(out, func(x, y int) int {
		return cmp.Or(cmp.Compare(soonest[x], soonest[y]), cmp.Compare(rank(x), rank(y)))
	})
	qs := make([]Question, len(out))
	for i, q := range out {
		qs[i] = s.qs[q].def.question
	}
	return qs
}

// hope records in soonest the askable questions of the unknown atoms of
// clause k, when the clause fails on nothing but numbers of years and would,
// were those atoms to hold, be reached sooner than now.
func (s *Set) hope(k int, st state, nums [numQuestions]float64, now *Path, soonest map[int]float64) {
	atoms := s.clauses[k] &^ st.t
	open := atoms &^ st.f
	if open == 0 {
		return // known: now accounts for it
	}
	years := 0.0
	for ai := range s.atoms {
		a := &s.atoms[ai]
		if atoms&^open&(1<<ai) == 0 {
			continue
		}
		if s.qs[a.q].def.kind != Number {
			return // fails on more than time
		}
		years = max(years, shortfall(a.min, nums[a.q]))
	}
	if now != nil && years >= now.Years {
		return
	}
	for ai, a := range s.atoms {
		q := &s.qs[a.q]
		if open&(1<<ai) == 0 || q.gate >= 0 && st.t&(1<<q.gate) == 0 {
			continue
		}
		if y, ok := soonest[a.q]; !ok || years < y {
			soonest[a.q] = years
		}
	}
}

// trainingLevel is the level of a training list value, "level3" → 3.
func trainingLevel(v string) examdesk.Level {
	return examdesk.Level(4 - slices.Index(trainingLevels(), v))
}

// shortfall is need − have, as the float64 nearest to the difference of
// the two numbers written as the shortest decimals that read back as them:
// 1 − 0.9 is 0.1, not 0.09999999999999998. A count of years is read from
// a decimal (JSON, or what the candidate typed), and the difference is
// meant in decimal.
func shortfall(need, have float64) float64 {
	const exact = 1 << 53 // integers below are exact, and so is their difference
	if need == math.Trunc(need) && have == math.Trunc(have) && math.Abs(need) < exact && math.Abs(have) < exact {
		return need - have
	}
	var n, h big.Rat
	if _, ok := n.SetString(strconv.FormatFloat(need, 'g', -1, 64)); !ok {
		return need - have
	}
	if _, ok := h.SetString(strconv.FormatFloat(have, 'g', -1, 64)); !ok {
		return need - have
	}
	d, _ := n.Sub(&n, &h).Float64()
	return d
}
