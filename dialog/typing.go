package dialog

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"examdesk"
	"examdesk/rules"
)

// readAnswer reads a typed message as an answer to the question asked: a
// number picking a reading of a clarifying question, a number of years,
// an option's label in any language, or the phrases of the vocabulary.
// Readings that decide alike, given the answers so far, count as one.
func (c *conv) readAnswer(s string) typed {
	ch := c.st.Check
	q := c.e.rules.Ask(ch.Asking)
	if q.Kind == rules.Number {
		r, ok := c.e.vocab.readYears(q.ID, s, c.e.faq.Normalize, c.e.now())
		if !ok {
			return typed{}
		}
		return c.yearsReadings(q.ID, r)
	}
	if len(ch.Readings) > 0 {
		if n, err := strconv.Atoi(collapse(c.e.faq.Normalize(s))); err == nil && n >= 1 && n <= len(ch.Readings) {
			return typed{values: []rules.Value{{Choice: ch.Readings[n-1]}}, clean: true}
		}
	}
	if v, ok := c.labelAnswer(q, s); ok {
		return typed{values: []rules.Value{v}, clean: true}
	}
	t := c.e.vocab.readChoice(q, s, c.e.faq.Normalize)
	var distinct []rules.Value
	for _, v := range t.values {
		if !slices.ContainsFunc(distinct, func(w rules.Value) bool { return c.e.rules.Alike(ch.Answers, q.ID, v, w) }) {
			distinct = append(distinct, v)
		}
	}
	t.values = distinct
	return t
}

// labelAnswer reads an option's label typed in any language (or its
// value).
func (c *conv) labelAnswer(q rules.QuestionInfo, s string) (rules.Value, bool) {
	key := normalize(s)
	if key == "" {
		return rules.Value{}, false
	}
	for _, v := range q.Choices {
		if key == v {
			return rules.Value{Choice: v}, true
		}
		for _, l := range examdesk.Languages {
			if key == normalize(Render(c.e.labels, l, choiceLabel(q, v), plain)) {
				return rules.Value{Choice: v}, true
			}
		}
	}
	return rules.Value{}, false
}

// yearsReadings splits a range of years at the thresholds of q that fall
// inside it: each part is a reading, its lowest value the answer it
// records. Parts that decide alike, given the answers so far, are one.
func (c *conv) yearsReadings(q rules.Question, r yearsRange) typed {
	parts := []yearsRange{r}
	if r.to > r.from {
		parts = parts[:0]
		from := r.from
		for _, b := range c.e.rules.Bounds(q) {
			if b > from && b < r.to {
				parts = append(parts, yearsRange{from, b})
				from = b
			}
		}
		parts = append(parts, yearsRange{from, r.to})
	}
	t := typed{clean: true}
	answers := c.st.Check.Answers
	for _, p := range parts {
		v := rules.Value{Number: floor2(p.from)}
		if n := len(t.values); n > 0 && c.e.rules.Alike(answers, q, t.values[n-1], v) {
			t.ranges[n-1].to = p.to
			continue
		}
		t.values = append(t.values, v)
		t.ranges = append(t.ranges, p)
	}
	return t
}

// floor2 rounds v down to hundredths, so that an option's value is short
// and no higher than the range it stands for.
func floor2(v float64) float64 { return math.Floor(v*100) / 100 }

// take records a typed answer, or asks which of its readings is meant;
// asked already, it explains instead, so as not to ask the same again.
func (c *conv) take(s string, t typed) {
	if len(t.values) == 1 {
		c.record(t.values[0], t.upto(0))
		return
	}
	readings := make([]string, len(t.values))
	for i, v := range t.values {
		readings[i] = optionValue(v, t.upto(i))
	}
	if slices.Equal(readings, c.st.Check.Readings) {
		c.kind = KindUnread
		c.unread(s)
		return
	}
	c.clarify(s, t)
}

// clarify asks which reading of a typed answer is meant, with the readings
// as options: it never guesses.
func (c *conv) clarify(s string, t typed) {
	ch := c.st.Check
	q := c.e.rules.Ask(ch.Asking)
	opts := make([]Option, len(t.values))
	readings := make([]string, len(t.values))
	for i, v := range t.values {
		readings[i] = optionValue(v, t.upto(i))
		opts[i] = Option{Value: answerPrefix + readings[i], Label: choiceLabel(q, v.Choice)}
		if q.Kind == rules.Number {
			opts[i].Label = rangeLabel(t.ranges, i)
		}
	}
	key := "clarify.choice"
	if q.Kind == rules.Number {
		key = "clarify.years"
	}
	opts = append(opts, c.asideOptions()...)
	c.say(T(key, "Text", quote(s)), opts...)
	ch.Asked, ch.Readings = c.st.Step, readings
}

// unread answers a typed message that is neither an answer to the question
// asked nor a question the bot knows: twice an explanation with examples
// and the question again, then the options as buttons with a one-line
// hint. The answers stay as they were.
func (c *conv) unread(s string) {
	ch := c.st.Check
	q := c.e.rules.Ask(ch.Asking)
	ch.Misses++
	family := string(q.ID)
	switch q.Kind {
	case rules.Number:
		family = "years"
	case rules.YesNo:
		family = "yes_no"
	}
	if ch.Misses <= 2 {
		c.say(T("unread."+family+"."+strconv.Itoa(ch.Misses), "Text", quote(s)))
		c.ask()
		return
	}
	var opts []Option
	key := "hint.choice"
	if q.Kind == rules.Number {
		key = "hint.years"
		t := c.yearsReadings(q.ID, yearsRange{0, math.Inf(1)})
		for i, v := range t.values {
			opts = append(opts, Option{Label: rangeLabel(t.ranges, i), Value: answerPrefix + optionValue(v, t.upto(i))})
		}
	} else {
		for _, v := range q.Choices {
			opts = append(opts, Option{Label: choiceLabel(q, v), Value: answerPrefix + v})
		}
	}
	if ch.Misses%2 == 0 {
		key += ".again" // never the same prompt twice in a row
	}
	opts = append(opts, c.asideOptions()...)
	c.say(T(key, "Text", quote(s)), opts...)
	ch.Asked, ch.Readings = c.st.Step, nil
}

// rangeLabel names the i-th of ranges of years, which follow each other:
// the first as "fewer than", the last as "or more", the others from–to.
func rangeLabel(ranges []yearsRange, i int) Text {
	r := ranges[i]
	switch {
	case i == len(ranges)-1:
		return T("years.over", "N", saidText(r.from))
	case i == 0:
		return T("years.under", "N", saidText(r.to))
	}
	return T("years.between", "From", saidText(r.from), "To", saidText(r.to))
}

// upto is the end of the i-th reading's range of years, excluded, as
// record takes it: 0 for an exact number or a choice, +Inf for no end.
func (t typed) upto(i int) float64 {
	if i >= len(t.ranges) || !(t.ranges[i].to > t.ranges[i].from) {
		return 0
	}
	return t.ranges[i].to
}

// optionValue is the value of an option that answers with v: the choice,
// or "#" and the number, and for a range of years up to upto (see
// typed.upto) "~" and its end: "#13~19", "#19~" for no end.
func optionValue(v rules.Value, upto float64) string {
	if v.Choice != "" {
		return v.Choice
	}
	s := "#" + strconv.FormatFloat(v.Number, 'f', -1, 64)
	switch {
	case math.IsInf(upto, 1):
		s += "~"
	case upto > v.Number:
		s += "~" + strconv.FormatFloat(math.Ceil(upto*100)/100, 'f', -1, 64)
	}
	return s
}

// numberValue reads the number of an option's value made by optionValue,
// and the end of its range.
func numberValue(v string) (n, upto float64, ok bool) {
	s, ok := strings.CutPrefix(v, "#")
	if !ok {
		return 0, 0, false
	}
	s, end, isRange := strings.Cut(s, "~")
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, false
	}
	switch {
	case !isRange:
	case end == "":
		upto = math.Inf(1)
	default:
		if upto, err = strconv.ParseFloat(end, 64); err != nil || !(upto > n) {
			return 0, 0, false
		}
	}
	return n, upto, true
}

// validOption reports whether v, an option's value, answers q.
func (e *Engine) validOption(q rules.Question, v string) bool {
	if n, _, ok := numberValue(v); ok {
		return e.rules.Check(q, rules.Value{Number: n}) == nil
	}
	return e.rules.Check(q, rules.Value{Choice: v}) == nil
}

// maxQuote is the most runes of a message quoted back.
const maxQuote = 30

// quote is what the user typed, as quoted back to them: trimmed and cut
// short, or the message typed.nothing for nothing (a sticker, a photo).
func quote(s string) any {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return T("typed.nothing")
	}
	if utf8.RuneCountInString(s) > maxQuote {
		s = string([]rune(s)[:maxQuote]) + "…"
	}
	return s
}
