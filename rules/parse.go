package rules

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"examdesk"
)

// conditionsFile is the embedded conditions file that Load parses.
//
//go:embed conditions.rules
var conditionsFile string

// maxAtoms and maxClauses bound the distinct atoms and the clauses of a
// Set: the evaluator keeps them as bits of a uint64.
const (
	maxAtoms   = 64
	maxClauses = 64
)

// Set is a validated set of eligibility conditions and the questions that
// decide them. A Set is immutable and safe for concurrent use.
type Set struct {
	qs      [numQuestions]question
	order   []int // declared questions, in file order
	atoms   []atom
	clauses []uint64 // the atoms of each clause, a conjunction
	conds   []cond   // in file order
	byID    map[string]int
	levels  [4]levelRules // index: level-1
	// policy maps each state that asking relevant questions, gates
	// permitting, can reach from no answers to the best question there.
	policy map[key]int8
}

// question is one question of the vocabulary as this Set uses it.
type question struct {
	def      factDef
	declared bool
	line     int // of its ask line
	gate     int // atom that must be known to hold before asking; -1: none
	// bounds are, for a number, the lower bounds of classes 1..len(bounds);
	// class 0 starts at 0. A number's class is how many bounds it reaches.
	bounds []float64
	nclass int
	atoms  uint64   // the atoms on this question
	trueAt []uint64 // per class, the atoms on this question that hold
}

// atom is one distinct FACT OP VALUE test on one question.
type atom struct {
	q    int
	mask uint64  // the classes of the question for which the atom holds
	min  float64 // for a number: the threshold
}

// cond is a parsed condition.
type cond struct {
	Condition
	n       int // N of its id LEVEL.N
	line    int
	clauses []int
}

// levelRules are the conditions of one level, and the clauses of its two
// targets: eligible (any clause) and individual (any clause of a condition
// that does not need training).
type levelRules struct {
	conds      []int // sorted by id
	all        uint64
	individual uint64
}

// Condition describes one eligibility condition. The three properties
// follow from its formula.
type Condition struct {
	// ID is LEVEL.N, N as numbered in the notice.
	ID    string
	Level examdesk.Level
	// NeedsTraining: every clause of the condition requires a completed
	// training course, so a candidate who meets only such conditions applies
	// through the training institution.
	NeedsTraining bool
	// CountsYears: the condition tests years of work in the occupation, so
	// the candidate brings the employer's proof of them.
	CountsYears bool
	// NamesCertificate: the condition names a qualification certificate, so
	// the candidate brings its original and a copy.
	NamesCertificate bool
}

// Load parses and validates the embedded conditions file. The file is read
// once per process: every call returns the same Set, or the same error.
func Load() (*Set, error) { return loadEmbedded() }

// loadEmbedded parses conditionsFile the first time it is called. It is
// compiled in and a Set is immutable, so one parse (and its plan of the
// questions, the costly part) serves every caller.
var loadEmbedded = sync.OnceValues(func() (*Set, error) {
	s, err := Parse("conditions.rules", strings.NewReader(conditionsFile))
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return s, nil
})

// Parse reads a conditions file (see conditions.rules for the format) and
// validates it: an unknown fact, operator, value or level, a duplicate id or
// question, a malformed line, a clause that can never hold, or a gate that
// does not guard its question is an error naming name and the line.
func Parse(name string, r io.Reader) (*Set, error) {
	p := &parser{name: name, vocab: vocabulary(), ids: map[string]int{}}
	for i := range p.asked {
		p.asked[i] = -1
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		text = strings.Join(strings.Fields(text), " ")
		if text == "" {
			continue
		}
		if err := p.line(line, text); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return p.build()
}

// parser collects the lines of a conditions file.
type parser struct {
	name  string
	vocab [numQuestions]factDef
	asks  []rawAsk
	asked [numQuestions]int // index into asks, -1: not asked
	conds []rawCond
	ids   map[string]int // id → line
}

type rawAsk struct {
	line int
	q    int
	gate *rawAtom
}

type rawCond struct {
	line    int
	id      string
	level   examdesk.Level
	n       int
	clauses [][]rawAtom
}

type rawAtom struct {
	q    int
	mask uint64 // for a choice or yes/no; a number's is set in build
	min  float64
}

func (p *parser) errf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, line, fmt.Sprintf(format, args...))
}

func (p *parser) line(line int, text string) error {
	head, rest, _ := strings.Cut(text, " ")
	if head == "ask" {
		return p.ask(line, rest)
	}
	if rest == "" {
		return p.errf(line, "malformed line %q: want \"ask QUESTION [when ATOM]\" or \"ID FORMULA\"", text)
	}
	return p.condition(line, head, rest)
}

func (p *parser) ask(line int, text string) error {
	name, gate, hasGate := strings.Cut(text, " when ")
	if name == "" || strings.Contains(name, " ") || hasGate && gate == "" {
		return p.errf(line, "malformed ask line: want \"ask QUESTION [when ATOM]\"")
	}
	q := p.question(Question(name))
	if q < 0 {
		return p.errf(line, "unknown question %q", name)
	}
	if i := p.asked[q]; i >= 0 {
		return p.errf(line, "duplicate question %q (first asked on line %d)", name, p.asks[i].line)
	}
	a := rawAsk{line: line, q: q}
	if hasGate {
		g, err := p.atom(gate)
		if err != nil {
			return p.errf(line, "gate of %q: %v", name, err)
		}
		if g.q == q {
			return p.errf(line, "question %q gated on itself", name)
		}
		if p.asked[g.q] < 0 {
			return p.errf(line, "gate of %q must be on a question asked on an earlier line, not %q", name, p.vocab[g.q].question)
		}
		a.gate = &g
	}
	p.asked[q] = len(p.asks)
	p.asks = append(p.asks, a)
	return nil
}

func (p *parser) question(q Question) int {
	for i, d := range p.vocab {
		if d.question == q {
			return i
		}
	}
	return -1
}

func (p *parser) condition(line int, id, formula string) error {
	lv, n, ok := parseID(id)
	if !ok {
		return p.errf(line, "malformed condition id %q: want LEVEL.N", id)
	}
	if lv < 1 || lv > 4 {
		return p.errf(line, "unknown level %d in condition id %q", lv, id)
	}
	if first, dup := p.ids[id]; dup {
		return p.errf(line, "duplicate condition id %q (first on line %d)", id, first)
	}
	c := rawCond{line: line, id: id, level: examdesk.Level(lv), n: n}
	for text := range strings.SplitSeq(formula, "|") {
		var cl []rawAtom
		for at := range strings.SplitSeq(text, "&") {
			a, err := p.atom(strings.TrimSpace(at))
			if err != nil {
				return p.errf(line, "condition %s: %v", id, err)
			}
			cl = append(cl, a)
		}
		c.clauses = append(c.clauses, cl)
	}
	p.ids[id] = line
	p.conds = append(p.conds, c)
	return nil
}

// parseID splits LEVEL.N into its two positive numbers.
func parseID(id string) (level, n int, ok bool) {
	l, r, found := strings.Cut(id, ".")
	if !found {
		return 0, 0, false
	}
	level, err1 := strconv.Atoi(l)
	n, err2 := strconv.Atoi(r)
	if err1 != nil || err2 != nil || n < 1 || l != strconv.Itoa(level) || r != strconv.Itoa(n) {
		return 0, 0, false
	}
	return level, n, true
}

// atom parses FACT OP VALUE.
func (p *parser) atom(text string) (rawAtom, error) {
	f := strings.Fields(text)
	if len(f) < 3 {
		if text == "" {
			return rawAtom{}, fmt.Errorf("empty atom")
		}
		return rawAtom{}, fmt.Errorf("malformed atom %q: want FACT OP VALUE", text)
	}
	fact, op, value := f[0], f[1], strings.Join(f[2:], " ")
	var a rawAtom
	if fact == "training" {
		a.q = p.question(Question("training." + value))
		if a.q < 0 {
			return rawAtom{}, fmt.Errorf("unknown level %q", value)
		}
	} else {
		a.q = p.question(Question(fact))
		if a.q < 0 || p.vocab[a.q].fact != fact {
			return rawAtom{}, fmt.Errorf("unknown fact %q", fact)
		}
	}
	d := p.vocab[a.q]
	switch op {
	case ">=", "=", "!=", "in", "has":
	default:
		return rawAtom{}, fmt.Errorf("unknown operator %q", op)
	}
	switch d.kind {
	case YesNo:
		if op != "has" {
			return rawAtom{}, fmt.Errorf("operator %q does not apply to %s (want has)", op, d.fact)
		}
		a.mask = 1 << slices.Index(d.values, yes)
	case Number:
		if op != ">=" {
			return rawAtom{}, fmt.Errorf("operator %q does not apply to %s (want >=)", op, d.fact)
		}
		x, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) || x < 0 {
			return rawAtom{}, fmt.Errorf("bad number %q for %s: want a number of years ≥ 0", value, d.fact)
		}
		a.min = x
	case Choice:
		values := []string{value}
		if op == "in" {
			values = strings.Split(strings.ReplaceAll(value, " ", ""), ",")
		}
		var set uint64
		for _, v := range values {
			i := slices.Index(d.values, v)
			if i < 0 {
				return rawAtom{}, fmt.Errorf("unknown value %q for %s", v, d.fact)
			}
			set |= 1 << i
		}
		switch op {
		case "=", "in":
			a.mask = set
		case "!=":
			a.mask = (1<<len(d.values) - 1) &^ set
		case ">=":
			if d.atLeast < 0 {
				return rawAtom{}, fmt.Errorf("operator >= does not apply to %s: its values are not ordered", d.fact)
			}
			i := slices.Index(d.values, value)
			if i < d.atLeast {
				return rawAtom{}, fmt.Errorf("%s >= %s: >= may only name %s or above (the vocational conditions need exactly that school)", d.fact, value, d.values[d.atLeast])
			}
			a.mask = (1<<len(d.values) - 1) &^ (1<<i - 1)
		default:
			return rawAtom{}, fmt.Errorf("operator %q does not apply to %s (want =, != or in)", op, d.fact)
		}
	}
	return a, nil
}

// build checks what needs the whole file and compiles the Set.
func (p *parser) build() (*Set, error) {
	for l := examdesk.Level(1); l <= 4; l++ {
		if !slices.ContainsFunc(p.conds, func(c rawCond) bool { return c.level == l }) {
			return nil, fmt.Errorf("%s: no condition for level %d", p.name, l)
		}
	}
	s := &Set{byID: map[string]int{}}
	for i := range s.qs {
		s.qs[i] = question{def: p.vocab[i], gate: -1}
	}
	for _, a := range p.asks {
		s.qs[a.q].declared = true
		s.qs[a.q].line = a.line
		s.order = append(s.order, a.q)
	}
	for _, step := range []func(*Set) error{p.classes, p.compile, p.checkGates} {
		if err := step(s); err != nil {
			return nil, err
		}
	}
	for ci, c := range s.conds {
		lr := &s.levels[c.Level-1]
		lr.conds = append(lr.conds, ci)
		for _, k := range c.clauses {
			lr.all |= 1 << k
			if !c.NeedsTraining {
				lr.individual |= 1 << k
			}
		}
	}
	for i := range s.levels {
		slices.SortFunc(s.levels[i].conds, func(a, b int) int { return s.conds[a].n - s.conds[b].n })
	}
	s.policy = s.plan()
	return s, nil
}

// classes splits the answers to each question into classes that decide
// the same atoms: a number's classes lie between the thresholds any atom
// names.
func (p *parser) classes(s *Set) error {
	for _, c := range p.conds {
		for _, cl := range c.clauses {
			for _, a := range cl {
				if !s.qs[a.q].declared {
					return p.errf(c.line, "condition %s: question %q is not declared with ask", c.id, s.qs[a.q].def.question)
				}
				s.addBound(a)
			}
		}
	}
	for _, a := range p.asks {
		if a.gate != nil {
			s.addBound(*a.gate)
		}
	}
	for i := range s.qs {
		q := &s.qs[i]
		switch q.def.kind {
		case Number:
			slices.Sort(q.bounds)
			q.nclass = len(q.bounds) + 1
		default:
			q.nclass = len(q.def.values)
		}
		if q.nclass > 64 {
			return fmt.Errorf("%s: question %q has more than 63 thresholds", p.name, q.def.question)
		}
		q.trueAt = make([]uint64, q.nclass)
	}
	return nil
}

// compile interns the gates' and conditions' atoms and builds the clauses
// and conditions, deriving what each condition needs.
func (p *parser) compile(s *Set) error {
	for _, a := range p.asks {
		if a.gate != nil {
			g, err := s.intern(*a.gate)
			if err != nil {
				return p.errf(a.line, "%v", err)
			}
			s.qs[a.q].gate = g
		}
	}
	for _, rc := range p.conds {
		c := cond{Condition: Condition{ID: rc.id, Level: rc.level, NeedsTraining: true}, n: rc.n, line: rc.line}
		for k, cl := range rc.clauses {
			var atoms uint64
			training := false
			var meet [numQuestions]uint64 // classes every atom on the question allows
			for i := range meet {
				meet[i] = ^uint64(0)
			}
			for _, ra := range cl {
				ai, err := s.intern(ra)
				if err != nil {
					return p.errf(rc.line, "%v", err)
				}
				atoms |= 1 << ai
				d := s.qs[ra.q].def
				training = training || d.kind == YesNo
				c.CountsYears = c.CountsYears || d.work
				c.NamesCertificate = c.NamesCertificate || d.certificate
				meet[ra.q] &= s.atoms[ai].mask
			}
			for q, m := range meet {
				if m == 0 {
					return p.errf(rc.line, "condition %s: clause %d can never hold: its atoms on %s exclude each other", rc.id, k+1, s.qs[q].def.question)
				}
			}
			c.NeedsTraining = c.NeedsTraining && training
			if len(s.clauses) == maxClauses {
				return p.errf(rc.line, "too many clauses (at most %d)", maxClauses)
			}
			c.clauses = append(c.clauses, len(s.clauses))
			s.clauses = append(s.clauses, atoms)
		}
		s.byID[c.ID] = len(s.conds)
		s.conds = append(s.conds, c)
	}
	return nil
}

// checkGates makes sure a gated question cannot matter while its gate
// fails, or the check could need an answer it may not ask: every clause
// that tests the question also tests the gate's question, in a way that
// fails whenever the gate fails.
func (p *parser) checkGates(s *Set) error {
	for _, c := range s.conds {
		for _, k := range c.clauses {
			for qi, q := range s.qs {
				if q.gate < 0 || s.clauses[k]&q.atoms == 0 {
					continue
				}
				g := s.atoms[q.gate]
				guarded := false
				for ai, a := range s.atoms {
					if s.clauses[k]&(1<<ai) != 0 && a.q == g.q && a.mask&^g.mask == 0 {
						guarded = true
					}
				}
				if !guarded {
					return p.errf(c.line, "condition %s tests %s without a test on %s that fails whenever its gate (line %d) fails",
						c.ID, s.qs[qi].def.question, s.qs[g.q].def.question, q.line)
				}
			}
		}
	}
	return nil
}

// addBound records a number atom's threshold as a class bound.
func (s *Set) addBound(a rawAtom) {
	q := &s.qs[a.q]
	if q.def.kind == Number && a.min > 0 && !slices.Contains(q.bounds, a.min) {
		q.bounds = append(q.bounds, a.min)
	}
}

// intern returns the index of the atom equal to a, adding it if new.
func (s *Set) intern(a rawAtom) (int, error) {
	q := &s.qs[a.q]
	mask := a.mask
	if q.def.kind == Number {
		mask = 0
		for c := range q.nclass {
			if lower(q.bounds, c) >= a.min {
				mask |= 1 << c
			}
		}
	}
	for i, x := range s.atoms {
		if x.q == a.q && x.mask == mask {
			return i, nil
		}
	}
	if len(s.atoms) == maxAtoms {
		return 0, fmt.Errorf("too many distinct atoms (at most %d)", maxAtoms)
	}
	i := len(s.atoms)
	s.atoms = append(s.atoms, atom{q: a.q, mask: mask, min: a.min})
	q.atoms |= 1 << i
	for c := range q.nclass {
		if mask&(1<<c) != 0 {
			q.trueAt[c] |= 1 << i
		}
	}
	return i, nil
}

// lower is the lowest number of class c.
func lower(bounds []float64, c int) float64 {
	if c == 0 {
		return 0
	}
	return bounds[c-1]
}
