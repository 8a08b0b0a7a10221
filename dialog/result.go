package dialog

import (
	"strconv"
	"strings"
	"time"

	"examdesk"
	"examdesk/rules"
)

// levelText names a level in the user's language.
func levelText(l examdesk.Level) Text { return T("level." + strconv.Itoa(int(l))) }

// levelShort names a level briefly: "Level 3", "三級".
func levelShort(l examdesk.Level) Text { return T("level.short." + strconv.Itoa(int(l))) }

// conditionText quotes a condition in the user's language.
func conditionText(id string) Text {
	return T("result.condition", "ID", id, "Text", T("cond."+id))
}

// standing is what a check's answers say, as the result tells it: the
// rules read every level literally, and a candidate who holds a
// certificate looks at the levels above it.
type standing struct {
	res rules.Result
	// held is the level of the certificate held, 0 for none or not asked.
	held examdesk.Level
	// shown are the eligible levels above the certificate held, highest
	// first.
	shown []rules.LevelResult
	// above are the levels to reach: those above the highest shown, or
	// above the certificate when none is shown; nearest first.
	above []examdesk.Level
}

func (c *conv) standing() standing { return standingOf(c.e.rules, c.st.Check.Answers) }

func standingOf(set *rules.Set, a rules.Answers) standing {
	s := standing{res: set.Outcome(a), held: heldLevel(a)}
	bound := examdesk.Level(5)
	if s.held != 0 {
		bound = s.held
	}
	for _, l := range []examdesk.Level{1, 2, 3, 4} {
		if lr := levelResult(s.res, l); lr.Eligible && l < bound {
			s.shown = append(s.shown, lr)
		}
	}
	if len(s.shown) > 0 {
		bound = s.shown[0].Level
	}
	for l := bound - 1; l >= 1; l-- {
		s.above = append(s.above, l)
	}
	return s
}

// heldLevel is the level of the certificate the answers say is held, 0
// for none or no answer.
func heldLevel(a rules.Answers) examdesk.Level {
	n, err := strconv.Atoi(strings.TrimPrefix(a[rules.Certificate].Choice, "level"))
	if err != nil || n < 1 || n > 4 {
		return 0
	}
	return examdesk.Level(n)
}

// routes splits the shown levels by route.
func (s standing) routes() (individual, training []examdesk.Level) {
	for _, lr := range s.shown {
		if lr.Route == rules.Training {
			training = append(training, lr.Level)
		} else {
			individual = append(individual, lr.Level)
		}
	}
	return individual, training
}

// result tells the outcome of the finished check, on one screen, with the
// details behind buttons; then it asks the first follow-up, if any.
func (c *conv) result() {
	s := c.standing()
	c.say(c.report(s), c.resultOptions(s)...)
	c.offerFollowUp()
}

// report is the result: the highest level (or the certificate held), the
// eligible levels with their conditions' ids, the soonest path to each
// level above, and where to apply.
func (c *conv) report(s standing) Text {
	parts := Paragraphs{s.headline()}
	if len(s.shown) > 0 {
		items := make([]any, len(s.shown))
		for i, lr := range s.shown {
			items[i] = T("result.eligible.item", "Level", levelShort(lr.Level), "IDs", strings.Join(lr.Met, ", "))
		}
		parts = append(parts, T("result.eligible", "Levels", join(items)))
	}
	if len(s.above) > 0 {
		var lines []Text
		for _, l := range s.above {
			lines = append(lines, T("result.next.item", "Item", s.reach(l)))
		}
		for _, l := range s.above {
			if lower := s.overtaken(l); len(lower) > 0 {
				lines = append(lines, T("result.sooner", "Level", levelShort(l), "Lower", join(lower)))
			}
		}
		parts = append(parts, T("result.lines", "Lines", lines))
	}
	if closing, ok := c.closing(s); ok {
		parts = append(parts, closing)
	}
	parts = append(parts, T("result.footer"))
	return T("result", "Body", parts)
}

// headline says the highest level the candidate may apply for, and names
// the certificate held.
func (s standing) headline() Text {
	switch {
	case s.held == 1:
		return T("result.held.top", "Level", levelText(1))
	case len(s.shown) > 0 && s.held != 0:
		return T("result.lines", "Lines", []Text{
			T("result.highest", "Level", levelText(s.shown[0].Level)),
			T("result.held", "Level", levelText(s.held)),
		})
	case len(s.shown) > 0:
		return T("result.highest", "Level", levelText(s.shown[0].Level))
	case s.held != 0:
		return T("result.held.none", "Level", levelText(s.held))
	}
	return T("result.none")
}

// early tells the highest level as soon as the answers settle it, when
// questions remain.
func (c *conv) early() {
	ch := c.st.Check
	if _, done := c.e.rules.Next(ch.Answers); done {
		return
	}
	if s := c.standing(); s.res.Settled {
		c.say(T("result.early", "Headline", s.headline()))
	}
}

// closing says where to apply, from the routes of the levels shown: in
// person at the service hall (with the registration dates, when the
// calendar has them), through the training institution, which level which
// way; with no level to apply for, the soonest way to one.
func (c *conv) closing(s standing) (Text, bool) {
	individual, training := s.routes()
	switch {
	case len(individual) > 0 && len(training) > 0:
		// Which level goes which way, the highest level's way first.
		lines := []Text{
			T("result.apply.both.hall", "Levels", shortList(individual)),
			T("result.apply.both.training", "Levels", shortList(training)),
		}
		if training[0] < individual[0] {
			lines[0], lines[1] = lines[1], lines[0]
		}
		return c.withDates(T("result.lines", "Lines", lines)), true
	case len(individual) > 0:
		return c.withDates(T("result.apply.hall")), true
	case len(training) > 0:
		return T("result.apply.training"), true
	}
	if l, ok := s.soonest(); ok {
		return T("result.apply.none", "Way", s.reach(l)), true
	}
	return Text{}, false
}

// Registration tells the registration window of the next exam session
// from the exam calendar at now; ok is false when the calendar has none.
// *DateAnswers is one.
type Registration interface {
	Registration(now time.Time) (t Text, ok bool)
}

// withDates follows t with the registration window, when the engine's
// Dates tell it.
func (c *conv) withDates(t Text) Text {
	r, ok := c.e.Dates.(Registration)
	if !ok {
		return t
	}
	dates, ok := r.Registration(c.e.now())
	if !ok {
		return t
	}
	return T("result.lines", "Lines", []Text{t, dates})
}

// shortList names levels briefly, one after the other.
func shortList(levels []examdesk.Level) any {
	items := make([]any, len(levels))
	for i, l := range levels {
		items[i] = levelShort(l)
	}
	return join(items)
}

// soonestYears is how soon level l comes within reach, by time or with
// training; ok is false when neither brings it.
func (s standing) soonestYears(l examdesk.Level) (years float64, ok bool) {
	lr := levelResult(s.res, l)
	switch {
	case lr.Trained != nil:
		return lr.Trained.Years, true
	case lr.Path != nil:
		return lr.Path.Years, true
	}
	return 0, false
}

// soonest is the level above that comes within reach soonest; on a tie,
// the higher one.
func (s standing) soonest() (examdesk.Level, bool) {
	var best examdesk.Level
	bestYears, found := 0.0, false
	for _, l := range s.above {
		if y, ok := s.soonestYears(l); ok && (!found || y <= bestYears) {
			best, bestYears, found = l, y, true
		}
	}
	return best, found
}

// overtaken lists the levels below l, among those to reach, that come
// within reach later than l.
func (s standing) overtaken(l examdesk.Level) []any {
	y, ok := s.soonestYears(l)
	if !ok {
		return nil
	}
	var out []any
	for _, lower := range s.above {
		if lower <= l {
			continue
		}
		if ly, ok := s.soonestYears(lower); !ok || y < ly {
			out = append(out, levelShort(lower))
		}
	}
	return out
}

// reach says briefly how soon level l comes within reach.
func (s standing) reach(l examdesk.Level) Text {
	lr := levelResult(s.res, l)
	switch p := lr.Trained; {
	case p != nil && p.Years == 0:
		return T("result.reach.trained.now", "Level", levelShort(l), "Course", courses(p.Training), "ID", p.Condition)
	case p != nil:
		return T("result.reach.trained", "Level", levelShort(l), "Years", waitText(p.Years), "Course", courses(p.Training), "ID", p.Condition)
	case lr.Path != nil:
		return T("result.reach.time", "Level", levelShort(l), "Years", waitText(lr.Path.Years), "ID", lr.Path.Condition)
	}
	return T("result.reach.none", "Level", levelShort(l))
}

// courses names the training courses of the levels.
func courses(levels []examdesk.Level) any {
	items := make([]any, len(levels))
	for i, l := range levels {
		items[i] = T("result.course", "Level", levelShort(l))
	}
	return join(items)
}

// The details of a result, the values of its buttons.
const (
	detailWhy    = "why"
	detailBring  = "bring"
	detailNext   = "next"
	detailRemind = "remind"
)

// resultOptions are the buttons under a result: its details, and in a
// private chat the reminders. They stay good while the result stands.
func (c *conv) resultOptions(s standing) []Option {
	var opts []Option
	if len(s.shown) > 0 {
		opts = append(opts, Option{Label: T("result.button.why"), Value: resultPrefix + detailWhy})
	}
	if individual, _ := s.routes(); len(individual) > 0 {
		opts = append(opts, Option{Label: T("result.button.bring"), Value: resultPrefix + detailBring})
	}
	if len(s.above) > 0 {
		opts = append(opts, Option{Label: T("result.button.next"), Value: resultPrefix + detailNext})
	}
	return append(opts, c.remindOptions()...)
}

// detail answers a button under a result, from the answers of the check,
// while its result stands; it reports false when none does.
func (c *conv) detail(v string) bool {
	if !c.st.Check.Told() {
		return false
	}
	s := c.standing()
	switch v {
	case detailWhy:
		c.say(s.why())
	case detailBring:
		c.say(c.bring(s))
	case detailNext:
		c.say(s.next())
	case detailRemind:
		c.subscription("remind", "")
	default:
		return false
	}
	return true
}

// why lists the conditions met of every level shown, and its route.
func (s standing) why() Text {
	parts := Paragraphs{s.headline()}
	for _, lr := range s.shown {
		met := make([]Text, len(lr.Met))
		for i, id := range lr.Met {
			met[i] = conditionText(id)
		}
		parts = append(parts, T("result.level",
			"Level", levelText(lr.Level),
			"Conditions", met,
			"Route", T("route."+string(lr.Route))))
	}
	return T("result.why", "Body", parts)
}

// bring lists what to bring for the highest level applied for in person;
// for a higher level that goes through a training institution, it says so
// first.
func (c *conv) bring(s standing) Text {
	var parts Paragraphs
	for _, lr := range s.shown {
		if lr.Route == rules.Training {
			parts = append(parts, T("result.bring.training", "Level", levelText(lr.Level)))
			continue
		}
		list := c.e.rules.Materials(lr.Level, lr.Met)
		items := make([]Text, len(list))
		for i, m := range list {
			items[i] = T("material." + string(m))
		}
		parts = append(parts, T("result.materials", "Level", levelText(lr.Level), "List", items))
		break
	}
	if len(parts) == 0 {
		parts = append(parts, s.headline())
	}
	return T("result.bring", "Body", parts)
}

// next tells, for every level to reach, the soonest path by time alone,
// the sooner one with a training course, and whether it comes sooner than
// a level below it.
func (s standing) next() Text {
	var parts Paragraphs
	for _, l := range s.above {
		lr := levelResult(s.res, l)
		var lines []Text
		if p := lr.Path; p != nil {
			lines = append(lines, T("result.path.time", "Years", waitText(p.Years), "ID", p.Condition, "Text", T("cond."+p.Condition)))
		} else {
			lines = append(lines, T("result.path.none"))
		}
		switch p := lr.Trained; {
		case p != nil && p.Years == 0:
			lines = append(lines, T("result.path.trained.now", "Course", courses(p.Training), "ID", p.Condition, "Text", T("cond."+p.Condition)))
		case p != nil:
			lines = append(lines, T("result.path.trained", "Years", waitText(p.Years), "Course", courses(p.Training), "ID", p.Condition, "Text", T("cond."+p.Condition)))
		}
		if lower := s.overtaken(l); len(lower) > 0 {
			lines = append(lines, T("result.path.sooner", "Lower", join(lower)))
		}
		parts = append(parts, T("result.next.level", "Level", levelText(l), "Lines", lines))
	}
	if len(parts) == 0 {
		parts = append(parts, s.headline())
	}
	return T("result.next", "Body", parts)
}

func levelResult(res rules.Result, l examdesk.Level) rules.LevelResult {
	for _, lr := range res.Levels {
		if lr.Level == l {
			return lr
		}
	}
	return rules.LevelResult{Level: l}
}

// answerTopic answers a FAQ topic; the eligibility topic offers the check.
func (c *conv) answerTopic(topic string) {
	t := TopicAnswer(c.e.faq, c.e.Dates, topic, c.e.now())
	if topic == "eligibility" && !c.asking() {
		c.say(t, Option{Label: T("menu.check"), Value: commandPrefix + "check"})
		return
	}
	if topic == "photo" {
		c.say(t, photoOption())
		return
	}
	c.say(t)
}

// TopicAnswer is the answer to a FAQ topic at now: from dates, when set
// and it answers the topic, else the fixed answer "faq.<topic>" with the
// arguments args gives for it. The engine and the faq command answer
// through it alike.
func TopicAnswer(args AnswerArgs, dates Dates, topic string, now time.Time) Text {
	if dates != nil {
		if t, ok := dates.Answer(topic, now); ok {
			return t
		}
	}
	return topicAnswer(args, topic)
}
