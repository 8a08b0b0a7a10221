package rules

import "slices"

// Bounds returns the thresholds that the conditions and the gates compare
// the answer to the number question q with, in ascending order: two
// answers on the same side of every bound decide the same. It is nil for
// any other question.
func (s *Set) Bounds(q Question) []float64 {
	i := s.index(q)
	if i < 0 || s.qs[i].def.kind != Number {
		return nil
	}
	return slices.Clone(s.qs[i].bounds)
}

// Alike reports whether v and w, as answers to q, are alike given the
// other answers in a (q's own answer, if any, is left out): every clause
// that a has not already failed, and every gate, tests them alike, so that
// the check goes on, and its result comes out, the same whichever is
// recorded. A value that Check rejects is like no other.
func (s *Set) Alike(a Answers, q Question, v, w Value) bool {
	i := s.index(q)
	if i < 0 {
		return false
	}
	qq := &s.qs[i]
	cv, cw := qq.class(v), qq.class(w)
	switch {
	case cv < 0 || cw < 0:
		return false
	case cv == cw:
		return true
	}
	rest := make(Answers, len(a))
	for k, x := range a {
		if k != q {
			rest[k] = x
		}
	}
	st, _ := s.read(rest)
	differ := qq.trueAt[cv] ^ qq.trueAt[cw]
	for _, atoms := range s.clauses {
		if atoms&st.f == 0 && atoms&differ != 0 {
			return false
		}
	}
	for j := range s.qs {
		if g := s.qs[j].gate; g >= 0 && differ&(1<<g) != 0 {
			return false
		}
	}
	return true
}
