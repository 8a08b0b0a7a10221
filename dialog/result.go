package dialog

import (
	"strconv"
	"time"

	"examdesk/rules"
)

// levelText names a level in the user's language.
func levelText(l rules.Level) Text { return T("level." + strconv.Itoa(int(l))) }

// conditionText quotes a condition in the user's language.
func conditionText(id string) Text {
	return T("result.condition", "ID", id, "Text", T("cond."+id))
}

// result tells the outcome of the finished check: the highest level, every
// eligible level with its met conditions and route, the nearest path to the
// next level, and what to bring.
func (c *conv) result() {
	res := c.e.rules.Outcome(c.st.Check.Answers)
	var parts Paragraphs
	if res.Highest == 0 {
		parts = append(parts, T("result.none"))
	} else {
		parts = append(parts, T("result.highest", "Level", levelText(res.Highest)))
	}
	for _, l := range []rules.Level{1, 2, 3, 4} {
		lr := levelResult(res, l)
		if !lr.Eligible {
			continue
		}
		met := make([]Text, len(lr.Met))
		for i, id := range lr.Met {
			met[i] = conditionText(id)
		}
		parts = append(parts, T("result.level",
			"Level", levelText(lr.Level),
			"Conditions", met,
			"Route", T("route."+string(lr.Route))))
	}
	if next := nextLevel(res.Highest); next != 0 {
		if p := levelResult(res, next).Path; p != nil {
			parts = append(parts, T("result.path",
				"Level", levelText(next), "Years", p.Years, "Condition", conditionText(p.Condition)))
		} else {
			parts = append(parts, T("result.nopath", "Level", levelText(next)))
		}
	}
	parts = append(parts, c.materials(res)...)
	parts = append(parts, T("result.footer"))
	c.say(T("result", "Body", parts), c.remindOptions()...)
}

// nextLevel is the level above l (4 when no level is reached), or 0 above
// level 1.
func nextLevel(l rules.Level) rules.Level {
	if l == 0 {
		return 4
	}
	return l - 1
}

// materials lists what to bring for the highest level applied for in
// person; when the highest level goes through a training institution, it
// says so first.
func (c *conv) materials(res rules.Result) []Text {
	var out []Text
	for _, l := range []rules.Level{1, 2, 3, 4} {
		lr := levelResult(res, l)
		if !lr.Eligible {
			continue
		}
		if lr.Route == rules.Training {
			if len(out) == 0 {
				out = append(out, T("result.training", "Level", levelText(l)))
			}
			continue
		}
		list := c.e.rules.Materials(l, lr.Met)
		items := make([]Text, len(list))
		for i, m := range list {
			items[i] = T("material." + string(m))
		}
		return append(out, T("result.materials", "Level", levelText(l), "List", items))
	}
	return out
}

func levelResult(res rules.Result, l rules.Level) rules.LevelResult {
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
