package rules

import (
	"fmt"
	"math"
	"slices"
)

// QuestionInfo is what the dialog needs to ask a question.
type QuestionInfo struct {
	ID   Question
	Kind Kind
	// Choices are the values of a Choice question in display order, and
	// "yes", "no" for a YesNo question; nil for a Number.
	Choices []string
}

// Ask describes question q; an unknown question has Kind 0.
func (s *Set) Ask(q Question) QuestionInfo {
	i := s.index(q)
	if i < 0 {
		return QuestionInfo{ID: q}
	}
	d := s.qs[i].def
	return QuestionInfo{ID: q, Kind: d.kind, Choices: slices.Clone(d.values)}
}

// Check returns nil when v is a valid answer to q (one of its choices, or
// for a number a finite number ≥ 0), else an error saying what is wrong.
func (s *Set) Check(q Question, v Value) error {
	i := s.index(q)
	if i < 0 {
		return fmt.Errorf("check answer: unknown question %q", q)
	}
	qq := &s.qs[i]
	if qq.class(v) >= 0 {
		return nil
	}
	switch {
	case qq.def.kind == Number && v.Choice != "":
		return fmt.Errorf("check answer to %s: want a number, got choice %q", q, v.Choice)
	case qq.def.kind == Number:
		return fmt.Errorf("check answer to %s: want a finite number ≥ 0, got %v", q, v.Number)
	case v.Number != 0:
		return fmt.Errorf("check answer to %s: want one of %v, got number %v", q, qq.def.values, v.Number)
	}
	return fmt.Errorf("check answer to %s: want one of %v, got %q", q, qq.def.values, v.Choice)
}

func (s *Set) index(q Question) int {
	for i := range s.qs {
		if s.qs[i].def.question == q {
			return i
		}
	}
	return -1
}

// Relevant reports whether the answer to q can still change what the check
// must decide, given the other answers in a (q's own answer, if any, is
// left out): q is tested in a clause, not yet failed, of a level not yet
// decided, or of an eligible level whose route is still open. It does not
// look at q's gate; Next asks a relevant question only once its gate holds.
func (s *Set) Relevant(a Answers, q Question) bool {
	i := s.index(q)
	if i < 0 {
		return false
	}
	if _, ok := a[q]; ok {
		rest := make(Answers, len(a))
		for k, v := range a {
			if k != q {
				rest[k] = v
			}
		}
		a = rest
	}
	st, _ := s.read(a)
	an := s.analyse(st)
	return s.qs[i].atoms&an.need != 0
}

// Next returns the question to ask after the answers a, or done when the
// answers decide the check: for every level either that no condition can
// be met, or a met condition and the route, that is, a met condition
// without training (Individual) or that none can be met (Training). Then
// Outcome(a) agrees with Evaluate on the complete facts in Highest and in
// every level's Eligible and Route.
//
// Next asks only a relevant question (see Relevant) whose gate holds, and
// among those the one that leaves the fewest questions to ask on average,
// every answer counted as equally likely (answers that decide the same
// atoms count as one); among those equally good, the one after which the
// highest eligible level is settled (Result.Settled) soonest on average;
// ties go to the question listed first in the conditions file. Answers
// that Check rejects count as unanswered.
func (s *Set) Next(a Answers) (q Question, done bool) {
	st, _ := s.read(a)
	an := s.analyse(st)
	if an.done {
		return "", true
	}
	i, ok := s.policy[s.key(st, an)]
	if !ok {
		// Answers given out of gate order: plan from here (a few ms).
		i = int8(s.best(st, map[key]move{}).q)
	}
	if i < 0 {
		return "", true // cannot happen: Parse checks that gates never block
	}
	return s.qs[i].def.question, false
}

// key identifies a state by what still matters in it: two states with the
// same key have the same open targets, live clauses and known atoms among
// those, so the same best question.
type key struct {
	t, f, live uint64
	targets    uint16
}

func (s *Set) key(st state, an analysis) key {
	mask := an.need
	open := an.need &^ (st.t | st.f)
	for _, q := range s.qs {
		if q.gate >= 0 && q.atoms&open != 0 {
			mask |= 1 << q.gate
		}
	}
	var targets uint16
	for l := range 4 {
		targets |= uint16(an.e[l])<<(4*l) | uint16(an.i[l])<<(4*l+2)
	}
	return key{t: st.t & mask, f: st.f & mask, live: an.live, targets: targets}
}

// move is a question to ask (-1: none), the mean number of questions still
// to ask when asking it and then asking the best ones, and the mean number
// of those asked before the highest eligible level is settled.
type move struct {
	q     int
	cost  float64
	first float64
}

// better reports whether m is a better move than o: fewer questions on
// average; among those equally good, the highest level settled sooner.
func (m move) better(o move) bool {
	const eps = 1e-9
	return m.cost < o.cost-eps || m.cost <= o.cost+eps && m.first < o.first-eps
}

// best finds the best move in st by exhaustive search over the answers'
// classes (every answer in a class decides the same atoms), memoised by key.
func (s *Set) best(st state, memo map[key]move) move {
	an := s.analyse(st)
	if an.done {
		return move{q: -1}
	}
	k := s.key(st, an)
	if m, ok := memo[k]; ok {
		return m
	}
	settled := an.settled()
	m := move{q: -1, cost: math.Inf(1), first: math.Inf(1)}
	open := an.need &^ (st.t | st.f)
	for _, i := range s.order {
		q := &s.qs[i]
		if q.atoms&open == 0 || q.gate >= 0 && st.t&(1<<q.gate) == 0 {
			continue
		}
		cost, first := 0.0, 0.0
		for c := range q.nclass {
			next := s.best(state{t: st.t | q.trueAt[c], f: st.f | q.atoms&^q.trueAt[c]}, memo)
			cost += next.cost
			first += next.first
		}
		try := move{q: i, cost: 1 + cost/float64(q.nclass), first: 1 + first/float64(q.nclass)}
		if settled {
			try.first = 0
		}
		if try.better(m) {
			m = try
		}
	}
	if m.q < 0 {
		m.cost, m.first = 0, 0
	}
	memo[k] = m
	return m
}

// plan searches every way the dialog can go from no answers, asking
// relevant questions whose gates hold, and keeps the best question of each
// state.
func (s *Set) plan() map[key]int8 {
	memo := map[key]move{}
	s.best(state{}, memo)
	policy := make(map[key]int8, len(memo))
	for k, m := range memo {
		policy[k] = int8(m.q)
	}
	return policy
}
