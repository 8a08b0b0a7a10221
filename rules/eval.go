package rules

import (
	"math"
	"slices"

	"examdesk"
)

// Result is the outcome of the eligibility check.
type Result struct {
	// Highest is the highest level known to be eligible (the smallest
	// number), 0 when none is.
	Highest examdesk.Level
	// Settled: no further answer can change Highest. Every level above it
	// is known not to be eligible (every level, when Highest is 0).
	Settled bool
	// Levels has one entry per level, in the order of Levels (4, 3, 2, 1).
	Levels []LevelResult
}

// LevelResult is the outcome for one level.
type LevelResult struct {
	Level examdesk.Level
	// Eligible: some condition of the level is known to be met.
	Eligible bool
	// Met lists the ids of the conditions known to be met, sorted.
	Met []string
	// Route is how to apply when Eligible: Training when every met
	// condition needs training, else Individual; "" when not eligible.
	Route Route
	// Path is, when the level is known not to be eligible, the condition
	// reached soonest by continuing to work; nil when there is none or the
	// level is not known to be ineligible.
	Path *Path
	// Trained is, when the level is known not to be eligible, the condition
	// reached soonest by continuing to work and completing the training
	// courses it names that are not known to be completed, when that is
	// sooner than Path or Path is nil; nil otherwise.
	Trained *Path
}

// Path says: after Years more years of continuing work in the occupation,
// every count of years (in the occupation, since the certificate, since
// graduation) growing alike, Condition is met, once the training courses
// of the levels in Training are completed too. Training is nil for a path
// by time alone. Years is the exact difference of the numbers as written
// in decimal (1 − 0.9 is 0.1): more than 0 for a path by time alone, 0 or
// more with training.
type Path struct {
	Condition string
	Years     float64
	Training  []examdesk.Level
}

// Material is something a candidate brings when registering.
type Material string

// The materials, in the order Materials lists them.
const (
	// ApplicationForm is the 職業技能鑑定個人申請表.
	ApplicationForm Material = "application_form"
	// IDCard is the ID card, original and copy.
	IDCard Material = "id_card"
	// EducationCertificates are the education and degree certificates,
	// originals and copies.
	EducationCertificates Material = "education_certificates"
	// WorkProof is the employer's original certificate of the years worked
	// in the occupation.
	WorkProof Material = "work_proof"
	// CertificateCopy is the qualification certificate, original and copy.
	CertificateCopy Material = "certificate_copy"
	// Thesis is a thesis of the specialty, five copies.
	Thesis Material = "thesis"
)

// tri is a three-valued truth.
type tri uint8

const (
	unknown tri = iota
	isTrue
	isFalse
)

// state is what the answers say about the atoms.
type state struct {
	t, f uint64 // atoms known to hold, and known not to hold
}

// read turns answers into a state and the numbers answered. An answer that
// Check rejects counts as no answer.
func (s *Set) read(a Answers) (state, [numQuestions]float64) {
	var st state
	var nums [numQuestions]float64
	for i := range s.qs {
		q := &s.qs[i]
		if q.atoms == 0 {
			continue
		}
		v, ok := a[q.def.question]
		if !ok {
			continue
		}
		c := q.class(v)
		if c < 0 {
			continue
		}
		st.t |= q.trueAt[c]
		st.f |= q.atoms &^ q.trueAt[c]
		nums[i] = v.Number
	}
	return st, nums
}

// class returns the class of a valid answer, or -1.
func (q *question) class(v Value) int {
	if q.def.kind == Number {
		if v.Choice != "" || v.Number < 0 || math.IsInf(v.Number, 0) || math.IsNaN(v.Number) {
			return -1
		}
		c := 0
		for c < len(q.bounds) && q.bounds[c] <= v.Number {
			c++
		}
		return c
	}
	if v.Number != 0 {
		return -1
	}
	return slices.Index(q.def.values, v.Choice)
}

// analysis is what a state decides: for each level whether it is eligible
// (e) and whether by a condition without training (i), and what is still
// open.
type analysis struct {
	e, i [4]tri
	// live are the clauses, not yet failed, of the targets still open: e of
	// a level not yet decided, i of an eligible level whose route is open.
	live uint64
	// need are the atoms of the live clauses.
	need uint64
	done bool
}

func (s *Set) analyse(st state) analysis {
	var holds, alive uint64
	for k, atoms := range s.clauses {
		if atoms&st.f == 0 {
			alive |= 1 << k
			if atoms&^st.t == 0 {
				holds |= 1 << k
			}
		}
	}
	an := analysis{done: true}
	for l := range s.levels {
		lr := &s.levels[l]
		an.e[l] = target(lr.all, holds, alive)
		an.i[l] = target(lr.individual, holds, alive)
		switch {
		case an.e[l] == unknown:
			an.live |= lr.all & alive
		case an.e[l] == isTrue && an.i[l] == unknown:
			an.live |= lr.individual & alive
		}
	}
	if an.live != 0 {
		an.done = false
		for k := range s.clauses {
			if an.live&(1<<k) != 0 {
				an.need |= s.clauses[k]
			}
		}
	}
	return an
}

// settled reports whether the highest eligible level is decided: going
// from level 1 down, the first level not known to be ineligible is known
// to be eligible, or there is none.
func (an analysis) settled() bool {
	for l := range an.e {
		switch an.e[l] {
		case isTrue:
			return true
		case unknown:
			return false
		}
	}
	return true
}

// target is the truth of the disjunction of the clauses in set.
func target(set, holds, alive uint64) tri {
	switch {
	case set&holds != 0:
		return isTrue
	case set&alive == 0:
		return isFalse
	}
	return unknown
}

// Evaluate decides every level on complete facts: Outcome(f.Answers()). A
// fact with a value Check rejects counts as unknown.
func (s *Set) Evaluate(f Facts) Result {
	return s.Outcome(f.Answers())
}

// Outcome decides what the answers so far decide: a level is Eligible when
// some condition is known to be met, Met lists the conditions known to be
// met, and Path and Trained never rely on an unanswered question other
// than a training course (which Trained counts as not completed). Answers
// that Check rejects count as unanswered.
func (s *Set) Outcome(a Answers) Result {
	st, nums := s.read(a)
	an := s.analyse(st)
	res := Result{Settled: an.settled(), Levels: make([]LevelResult, 0, len(Levels))}
	for _, l := range Levels {
		lr := LevelResult{Level: l}
		training := true
		for _, ci := range s.levels[l-1].conds {
			c := &s.conds[ci]
			if s.holds(c, st) {
				lr.Met = append(lr.Met, c.ID)
				training = training && c.NeedsTraining
			}
		}
		switch {
		case len(lr.Met) > 0:
			lr.Eligible = true
			lr.Route = Individual
			if training {
				lr.Route = Training
			}
			if res.Highest == 0 || l < res.Highest {
				res.Highest = l
			}
		case an.e[l-1] == isFalse:
			lr.Path = s.path(l, st, nums, false)
			if p := s.path(l, st, nums, true); p != nil && (lr.Path == nil || p.Years < lr.Path.Years) {
				lr.Trained = p
			}
		}
		res.Levels = append(res.Levels, lr)
	}
	return res
}

// holds reports whether some clause of c is known to hold.
func (s *Set) holds(c *cond, st state) bool {
	for _, k := range c.clauses {
		if s.clauses[k]&^st.t == 0 {
			return true
		}
	}
	return false
}

// Condition returns the condition with the given id.
func (s *Set) Condition(id string) (Condition, bool) {
	i, ok := s.byID[id]
	if !ok {
		return Condition{}, false
	}
	return s.conds[i].Condition, true
}

// Conditions returns every condition, in the order of the conditions file.
func (s *Set) Conditions() []Condition {
	out := make([]Condition, len(s.conds))
	for i, c := range s.conds {
		out[i] = c.Condition
	}
	return out
}

// Materials lists what a candidate brings to register for level l by the
// met conditions: always the form, ID card and education certificates; the
// employer's proof of years when a met condition counts years of work; the
// qualification certificate when one names a certificate; the thesis for
// levels 2 and 1. Unknown ids are ignored.
func (s *Set) Materials(l examdesk.Level, met []string) []Material {
	out := []Material{ApplicationForm, IDCard, EducationCertificates}
	years, certificate := false, false
	for _, id := range met {
		if c, ok := s.Condition(id); ok {
			years = years || c.CountsYears
			certificate = certificate || c.NamesCertificate
		}
	}
	if years {
		out = append(out, WorkProof)
	}
	if certificate {
		out = append(out, CertificateCopy)
	}
	if slices.Contains([]examdesk.Level{2, 1}, l) {
		out = append(out, Thesis)
	}
	return out
}
