package dialog

import (
	"reflect"
	"slices"

	"examdesk/rules"
)

// Answers to a question that are not one of its choices: skipping a
// follow-up, keeping an answer questioned as unlikely, going back to the
// answer one contradicts. No choice starts with "!".
const (
	skipAnswer = "!skip"
	keepAnswer = "!keep"
	backAnswer = "!back"
)

// followUps lists the follow-up questions worth asking after the result
// of the check ch: those whose answer could bring one of the levels to
// reach nearer (rules.Set.FollowUps), but for the ones skipped.
func (e *Engine) followUps(ch *Check) []rules.Question {
	s := standingOf(e.rules, ch.Answers)
	return slices.DeleteFunc(e.rules.FollowUps(ch.Answers, s.above...), func(q rules.Question) bool {
		return slices.Contains(ch.Skipped, q)
	})
}

// saneFollowUp checks a stored follow-up against the rules: it reports
// false when the check is no longer done, and ends the follow-up when its
// question is no longer worth asking.
func (e *Engine) saneFollowUp(ch *Check) bool {
	if _, done := e.rules.Next(ch.Answers); !done {
		return false
	}
	if _, answered := ch.Answers[ch.Asking]; answered || !slices.Contains(e.followUps(ch), ch.Asking) {
		ch.Asking, ch.Asked, ch.Done, ch.FollowUp, ch.Doubt, ch.Misses, ch.Readings, ch.Clashes = "", 0, true, false, nil, 0, nil, 0
	}
	return true
}

// offerFollowUp closes the check and asks the first follow-up, if any: it
// is optional, and the result stands meanwhile.
func (c *conv) offerFollowUp() {
	ch := c.st.Check
	ch.Asking, ch.Asked, ch.Done, ch.FollowUp, ch.Doubt, ch.Misses, ch.Readings, ch.Clashes = "", 0, true, false, nil, 0, nil, 0
	qs := c.e.followUps(ch)
	if len(qs) == 0 {
		return
	}
	ch.Asking, ch.Done, ch.FollowUp = qs[0], false, true
	c.ask()
}

// followedUp records the answer to a follow-up: the result again when the
// answer changes it, else a word that it does not; then the next
// follow-up.
func (c *conv) followedUp(v rules.Value) {
	ch := c.st.Check
	before := c.report(c.standing())
	ch.Answers[ch.Asking] = v
	ch.History = append(ch.History, ch.Asking)
	s := c.standing()
	if after := c.report(s); reflect.DeepEqual(after, before) {
		c.say(T("followup.same"))
	} else {
		c.say(after, c.resultOptions(s)...)
	}
	c.offerFollowUp()
}

// asideOptions are the options of the question asked beside its choices:
// skipping a follow-up, keeping an answer questioned as unlikely, going
// back to the answer the last one contradicted.
func (c *conv) asideOptions() []Option {
	ch := c.st.Check
	var opts []Option
	if ch.Doubt != nil {
		opts = append(opts, Option{Label: T("doubt.keep", "Years", saidText(ch.Doubt.Number)), Value: answerPrefix + keepAnswer})
	}
	if q, ok := clashing[ch.Asking]; ok && ch.Clashes > 0 {
		opts = append(opts, Option{Label: T("sanity.back." + string(q)), Value: answerPrefix + backAnswer})
	}
	if ch.FollowUp {
		opts = append(opts, Option{Label: T("followup.skip"), Value: answerPrefix + skipAnswer})
	}
	return opts
}

// aside takes a pressed aside option; it reports false for any other
// value, or one that does not apply now.
func (c *conv) aside(v string) bool {
	ch := c.st.Check
	switch {
	case v == skipAnswer && ch.FollowUp:
		ch.Skipped = append(ch.Skipped, ch.Asking)
		c.say(T("followup.skipped"))
		c.offerFollowUp()
		return true
	case v == keepAnswer && ch.Doubt != nil:
		c.record(*ch.Doubt, 0)
		return true
	case v == backAnswer && ch.Clashes > 0:
		c.back()
		return true
	}
	return false
}

// typedAside takes a typed message that says what an aside option does:
// skipping a follow-up (跳過, skip), keeping an answer questioned as
// unlikely (係, yes) or saying it was wrong (打錯, no), as the vocabulary's
// asides read them. After keep or wrong, the rest of the message is the
// answer (打錯，應該係10年). It reports false, and changes nothing, for
// any other message, or when no aside applies.
func (c *conv) typedAside(s string) bool {
	ch := c.st.Check
	section := asideFollowUp
	switch {
	case ch.Doubt != nil:
		section = asideDoubt
	case !ch.FollowUp:
		return false
	}
	word, rest := c.e.vocab.readAside(section, s, c.e.faq.Normalize)
	switch {
	case word == "":
		return false
	case rest != "" && word == asideSkip:
		return false // 跳過，有冇其他問題: not a skip alone
	case rest != "":
		t := c.readAnswer(rest)
		if len(t.values) == 0 || t.question {
			return false
		}
		if word == asideWrong {
			ch.Doubt = nil // a correction, questioned afresh
		}
		c.take(rest, t)
		return true
	case word == asideWrong:
		ch.Doubt = nil
		c.say(T("doubt.wrong"))
		c.ask()
		return true
	case word == asideSkip:
		return c.aside(skipAnswer)
	}
	return c.aside(keepAnswer)
}
