// Package dialog is the conversation engine of examdesk: it takes what a
// candidate sends (text, a pressed option, a command) and the conversation's
// state, and returns the new state and the replies, as message keys with
// arguments and options. It knows nothing of Telegram or Redis: adapters
// render the replies and keep the state through the Store interface.
package dialog

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"examdesk"
	"examdesk/faq"
	"examdesk/rules"
)

// Language maps a Telegram language code to one of examdesk.Languages: Traditional
// Chinese for zh-TW, zh-HK, zh-MO and zh-Hant, Simplified Chinese for zh,
// zh-CN, zh-SG and zh-Hans, English for anything else.
func Language(code string) string {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "_", "-"))
	switch {
	case c == "zh-tw", c == "zh-hk", c == "zh-mo", c == "zh-hant", strings.HasPrefix(c, "zh-hant-"):
		return examdesk.Traditional
	case c == "zh", c == "zh-cn", c == "zh-sg", c == "zh-hans", strings.HasPrefix(c, "zh-hans-"):
		return examdesk.Simplified
	}
	return examdesk.English
}

// Input is one thing a user sent.
type Input struct {
	// Text is a typed message; a command starts with "/" ("/start check").
	Text string
	// Pick is a pressed option, nil for a typed message.
	Pick *Pick
	// LanguageCode is the user's language code as Telegram reports it; it
	// chooses the language until the user writes something in a language
	// or picks one with /lang (see State.Talk).
	LanguageCode string
	// Group is set in a group chat, where nobody subscribes.
	Group bool
	// Picture is a picture sent, as a photo or as a file, nil for none;
	// Text is then its caption.
	Picture *Picture
}

// ChoosesLanguage reports whether in starts the conversation or chooses
// its language: /start, /lang or a language option.
func (in Input) ChoosesLanguage() bool {
	if in.Pick != nil {
		return strings.HasPrefix(in.Pick.Value, languagePrefix)
	}
	if !strings.HasPrefix(strings.TrimSpace(in.Text), "/") {
		return false
	}
	name, _ := splitCommand(in.Text)
	return name == "start" || name == "lang"
}

// Pick is a pressed option: the option's Value and the Step it was offered
// at.
type Pick struct {
	Value string
	Step  int64
}

// Reply is what the bot answers to one Input.
type Reply struct {
	// Lang is the language to render the reply in.
	Lang string
	// Messages to send, in order.
	Messages []Message
	// Notice is a short note on the pressed option (for Telegram's
	// answerCallbackQuery), nil when there is nothing to say.
	Notice *Text
	// Subscription is the step's effect on the user's subscription, to
	// apply once the state is saved; nil when there is none.
	Subscription *Subscription
	// Kind says what the input was, as the engine took it: a FAQ topic
	// answered (Topic names it), a question not answered, small talk, an
	// answer to the check, a command... See Kind.
	Kind Kind
	// Topic is the FAQ topic answered when Kind is KindTopic.
	Topic string
	// Picture, if set, is a picture to check once the state is saved:
	// its checklist and print-ready files come before Messages (see
	// PhotoReport).
	Picture *Picture
}

// Message is one message: a text and the options offered with it.
type Message struct {
	Text    Text
	Options []Option
}

// Option is a choice offered with a message. Value is at most 24 bytes, so
// that it fits Telegram's callback data with the step.
type Option struct {
	Label Text
	Value string
	Step  int64
}

// FAQ reads what candidates write (*faq.Matcher is one): Best says what a
// message is (the topic it asks, small talk, a command typed without its
// slash...), Script which script it is written in, and Normalize gives the
// form typed answers are compared in. Topics lists every topic id; each
// topic's answer is the message "faq.<topic>", with the arguments Args
// gives for it.
type FAQ interface {
	Best(text string) faq.Match
	Script(text string) faq.Script
	Normalize(text string) string
	Topics() []string
	AnswerArgs
}

// Option values: an answer to the question asked, a command, a language, a
// FAQ topic, a detail of the check's result, the photo check. Answers and
// commands are only taken at the step they were offered at; languages,
// topics and the photo check are harmless to take late, and so are a
// result's details while it stands.
const (
	answerPrefix   = "a:"
	commandPrefix  = "c:"
	languagePrefix = "l:"
	topicPrefix    = "t:"
	resultPrefix   = "r:"
	photoPrefix    = "p:"
)

// Dates answers the FAQ topics about dates (registration_time, exam_date,
// admission_ticket, score_review, retake) from the exam calendar as it
// stands at now; ok is false for a topic it leaves to the fixed answer.
// It must not block: the engine calls it while stepping a conversation.
type Dates interface {
	Answer(topic string, now time.Time) (t Text, ok bool)
}

// Engine runs conversations. It is safe for concurrent use.
type Engine struct {
	rules  *rules.Set
	faq    FAQ
	topics []string
	labels Translator
	vocab  vocabulary // what candidates type at each question
	// Dates, if set, answers the topics about dates from the calendar.
	Dates Dates
	// Now tells the time for Dates; nil means time.Now.
	Now func() time.Time
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// New returns an engine asking the questions of set, answering questions
// through faq, and reading typed answers by the embedded vocabulary,
// dialog/answers.txt, and the option labels that labels renders. It fails
// when the vocabulary does not fit the questions of set.
func New(set *rules.Set, faq FAQ, labels Translator) (*Engine, error) {
	vocab, err := parseVocabulary("dialog/answers.txt", strings.NewReader(answersFile), set, faq.Normalize)
	if err != nil {
		return nil, err
	}
	return &Engine{rules: set, faq: faq, topics: faq.Topics(), labels: labels, vocab: vocab}, nil
}

// FAQ returns the FAQ the engine answers questions through.
func (e *Engine) FAQ() FAQ { return e.faq }

// Step returns the state after in and the reply to it. It does not modify
// st; the returned state keeps st's Version.
func (e *Engine) Step(st State, in Input) (State, Reply) {
	st = e.sane(st.clone())
	c := &conv{e: e, st: &st, group: in.Group}
	lang, done := st.language(in.LanguageCode), st.Check.Told()
	text := slash(in.Text)
	command := in.Pick == nil && in.Picture == nil && strings.HasPrefix(strings.TrimSpace(text), "/")
	c.lang = lang
	if in.Pick == nil && !command {
		c.follow(text)
	}
	switch {
	case in.Picture != nil:
		c.kind = KindPhoto
		c.picture(*in.Picture, text)
	case in.Pick != nil:
		c.kind = KindButton
		c.pick(*in.Pick)
	case command:
		c.kind = KindCommand
		name, arg := splitCommand(text)
		c.command(name, arg)
	default:
		c.text(text)
	}
	return st, Reply{Lang: c.lang, Messages: c.out, Notice: c.notice, Subscription: c.effect(lang, done), Kind: c.kind, Topic: c.topic, Picture: c.pic}
}

// slash writes a full-width slash at the start of a message, as phones
// type it (／check), as the slash of a command.
func slash(text string) string {
	t := strings.TrimLeftFunc(text, unicode.IsSpace)
	if rest, ok := strings.CutPrefix(t, "／"); ok {
		return "/" + rest
	}
	return text
}

// clone returns a copy of st that shares no maps or slices with it.
func (st State) clone() State {
	if st.Check != nil {
		c := *st.Check
		c.Answers = maps.Clone(c.Answers)
		if c.Answers == nil {
			c.Answers = rules.Answers{}
		}
		c.History = slices.Clone(c.History)
		c.Skipped = slices.Clone(c.Skipped)
		if c.Doubt != nil {
			d := *c.Doubt
			c.Doubt = &d
		}
		c.Readings = slices.Clone(c.Readings)
		c.Upto = maps.Clone(c.Upto)
		st.Check = &c
	}
	return st
}

// sane drops a check that the rules no longer accept (say, after the
// conditions changed between two releases), rather than failing on it.
func (e *Engine) sane(st State) State {
	if st.valid() != nil {
		return State{Version: st.Version, Step: max(st.Step, 0)}
	}
	c := st.Check
	if c == nil {
		return st
	}
	for q, v := range c.Answers {
		if e.rules.Check(q, v) != nil {
			st.Check = nil
			return st
		}
	}
	for q := range c.Upto {
		if e.rules.Ask(q).Kind != rules.Number {
			delete(c.Upto, q)
		}
	}
	if c.Done {
		return st
	}
	if c.Doubt != nil && e.rules.Check(c.Asking, *c.Doubt) != nil {
		c.Doubt = nil
	}
	for _, v := range c.Readings {
		if !e.validOption(c.Asking, v) {
			c.Readings = nil
			break
		}
	}
	if c.FollowUp {
		if !e.saneFollowUp(c) {
			st.Check = nil
		}
		return st
	}
	if next, done := e.rules.Next(c.Answers); done || next != c.Asking {
		st.Check = nil
		return st
	}
	if c.Asked == 0 && len(e.rules.Ask(c.Asking).Choices) > 0 {
		// Saved before Asked was kept: the question was the last
		// prompt with options.
		c.Asked = st.Step
	}
	return st
}

// splitCommand splits "/start@examdesk_bot check" into "start" and "check".
func splitCommand(text string) (name, arg string) {
	text = strings.TrimSpace(text)
	name, arg, _ = strings.Cut(text[1:], " ")
	name, _, _ = strings.Cut(name, "@")
	return strings.ToLower(name), strings.TrimSpace(arg)
}

// conv is one step of a conversation: the state being changed and the
// replies so far.
type conv struct {
	e      *Engine
	st     *State
	lang   string
	out    []Message
	notice *Text
	group  bool
	sub    *Subscription
	kind   Kind     // what the input was
	topic  string   // the topic answered, when kind is KindTopic
	pic    *Picture // the picture to check, if any
}

// say sends t with opts. Options that are only good at the step they were
// offered at (answers, commands) start a new step, which makes the
// options of earlier steps stale; topics and languages, good at any time,
// keep the step.
func (c *conv) say(t Text, opts ...Option) {
	if slices.ContainsFunc(opts, stepBound) {
		c.st.Step++
	}
	for i := range opts {
		opts[i].Step = c.st.Step
	}
	c.out = append(c.out, Message{Text: t, Options: opts})
}

// stepBound reports whether o is only good at the step it was offered at.
func stepBound(o Option) bool {
	return strings.HasPrefix(o.Value, answerPrefix) || strings.HasPrefix(o.Value, commandPrefix)
}

func (c *conv) command(name, arg string) {
	switch name {
	case "start":
		c.subscribe()
		c.start(arg)
	case "stop", "remind", "forget", forgetYes, forgetNo:
		c.subscription(name, arg)
	case "check":
		if c.asking() && !c.st.Check.FollowUp {
			c.say(T("check.resume"))
			c.ask()
			return
		}
		c.begin()
	case "restart":
		c.begin()
	case "back":
		c.back()
	case "cancel":
		c.cancel()
	case "lang":
		c.chooseLanguage(arg)
	case "help", "broadcast", "broadcasts", "calendar", "stats", "unanswered":
		// The administrators' commands: anyone else gets the help, then
		// the question of the check in progress.
		c.help()
		c.resume()
	case "photo":
		c.photoPrompt()
	case "where":
		c.topic = "location"
		c.answerTopic("location")
		c.resume()
	default:
		c.say(T("command.unknown", "Command", "/"+name))
		c.help()
		c.resume()
	}
}

func (c *conv) start(payload string) {
	switch {
	case payload == "check":
		c.begin()
		return
	case slices.Contains(c.e.topics, payload):
		c.topic = payload
		c.answerTopic(payload)
		c.resume()
		return
	}
	c.say(T("welcome"), c.menu()...)
	c.resume()
}

func (c *conv) menu() []Option {
	return []Option{
		{Label: T("menu.check"), Value: commandPrefix + "check"},
		{Label: T("menu.topics"), Value: commandPrefix + "help"},
		{Label: T("menu.lang"), Value: commandPrefix + "lang"},
	}
}

// unknown says that the bot cannot answer a question and where the centre
// publishes its news, and offers the topics nearest to its words (at most
// five, or the commonest when none is near), the check, and all the
// topics.
func (c *conv) unknown(near []string) {
	if len(near) == 0 {
		near = commonTopics
	}
	var opts []Option
	for _, topic := range near {
		if slices.Contains(c.e.topics, topic) {
			opts = append(opts, Option{Label: T("topic." + topic), Value: topicPrefix + topic})
		}
	}
	opts = append(opts,
		Option{Label: T("menu.check"), Value: commandPrefix + "check"},
		Option{Label: T("menu.more_topics"), Value: commandPrefix + "help"})
	c.say(T("unknown"), opts...)
}

// commonTopics are offered when a question is near none: what candidates
// ask most.
var commonTopics = []string{"eligibility", "registration_time", "materials", "exam_date", "certificate"}

func (c *conv) topicOptions() []Option {
	opts := make([]Option, len(c.e.topics))
	for i, topic := range c.e.topics {
		opts[i] = Option{Label: T("topic." + topic), Value: topicPrefix + topic}
	}
	return opts
}

func (c *conv) help() {
	c.say(T("help"), c.topicOptions()...)
}

func (c *conv) asking() bool { return c.st.Check != nil && !c.st.Check.Done }

// resume asks again, after answering something else (a question, small
// talk, a command), the question of the check in progress. An optional
// follow-up after the result is not asked again: the candidate has moved
// on, and it would follow every answer; it stays open, its buttons good,
// until it is answered, skipped, or the check is begun again.
func (c *conv) resume() {
	if c.asking() && !c.st.Check.FollowUp {
		c.ask()
	}
}

func (c *conv) begin() {
	c.st.Check = &Check{Answers: rules.Answers{}}
	c.st.Choosing = false
	c.say(T("check.intro"))
	c.advance()
}

// advance asks the next question, or gives the result when there is none.
func (c *conv) advance() {
	ch := c.st.Check
	q, done := c.e.rules.Next(ch.Answers)
	if done {
		ch.Asking, ch.Done, ch.Misses, ch.Readings, ch.Clashes = "", true, 0, nil, 0
		c.result()
		return
	}
	ch.Asking, ch.Asked, ch.FollowUp, ch.Doubt, ch.Misses, ch.Readings, ch.Clashes = q, 0, false, nil, 0, nil, 0
	c.ask()
}

// ask asks the question of the check in progress; a number typed next
// picks one of its options, not of a clarifying question before it.
func (c *conv) ask() {
	q := c.e.rules.Ask(c.st.Check.Asking)
	c.st.Check.Readings = nil
	n := len(c.st.Check.History) + 1
	var opts []Option
	for _, v := range q.Choices {
		opts = append(opts, Option{Label: choiceLabel(q, v), Value: answerPrefix + v})
	}
	opts = append(opts, c.asideOptions()...)
	text := T("question", "N", n, "Question", T("q."+string(q.ID)))
	if c.st.Check.FollowUp {
		text = T("followup", "Question", T("q."+string(q.ID)))
	}
	ch := c.st.Check
	if len(opts) > 0 && ch.Asked != 0 && ch.Asked == c.st.Step {
		// Asked again with nothing step-bound offered since: the buttons
		// sent the first time stay good, and the state stays as it was.
		for i := range opts {
			opts[i].Step = ch.Asked
		}
		c.out = append(c.out, Message{Text: text, Options: opts})
		return
	}
	c.say(text, opts...)
	if len(opts) > 0 {
		ch.Asked = c.st.Step
	}
}

func choiceLabel(q rules.QuestionInfo, v string) Text {
	if q.Kind == rules.YesNo {
		return T("choice." + v)
	}
	return T("choice." + string(q.ID) + "." + v)
}

func (c *conv) back() {
	ch := c.st.Check
	if ch == nil {
		c.say(T("back.nothing"))
		return
	}
	if q, ok := clashing[ch.Asking]; ok && ch.Clashes > 0 && slices.Contains(ch.History, q) {
		// Right after a contradiction: back to the answer it contradicts.
		c.unanswer(q)
		c.advance()
		return
	}
	if len(ch.History) == 0 {
		c.say(T("back.first"))
		c.ask()
		return
	}
	c.unanswer(ch.History[len(ch.History)-1])
	ch.Done = false
	c.advance()
}

// unanswer forgets the answer to q, so that it is asked again if it still
// matters; the other answers stay.
func (c *conv) unanswer(q rules.Question) {
	ch := c.st.Check
	ch.History = slices.DeleteFunc(ch.History, func(h rules.Question) bool { return h == q })
	delete(ch.Answers, q)
	delete(ch.Upto, q)
}

func (c *conv) cancel() {
	if c.st.Check == nil && !c.st.Choosing {
		c.say(T("cancel.nothing"))
		return
	}
	c.st.Check, c.st.Choosing = nil, false
	c.say(T("cancel.done"), c.menu()...)
}

func (c *conv) chooseLanguage(arg string) {
	if arg != "" {
		if lang, ok := matchLanguage(arg); ok {
			c.setLanguage(lang)
			return
		}
	}
	c.st.Choosing = true
	opts := make([]Option, len(examdesk.Languages))
	for i, l := range examdesk.Languages {
		opts[i] = Option{Label: T("lang.name." + l), Value: languagePrefix + l}
	}
	c.say(T("lang.choose"), opts...)
}

func (c *conv) setLanguage(lang string) {
	c.st.Lang, c.st.Choosing, c.lang = lang, false, lang
	c.say(T("lang.set"))
	c.resume()
}

// matchLanguage recognises a language by code ("en", "zh-TW") or number.
func matchLanguage(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(examdesk.Languages) {
		return examdesk.Languages[n-1], true
	}
	for _, l := range examdesk.Languages {
		if strings.EqualFold(s, l) {
			return l, true
		}
	}
	switch strings.ToLower(s) {
	case "zh-tw", "zh-hk", "zh-mo", "zh", "zh-cn", "zh-sg", "english":
		return Language(s), true
	}
	return "", false
}

func (c *conv) pick(p Pick) {
	i := strings.IndexByte(p.Value, ':')
	if i < 0 {
		c.stale()
		return
	}
	kind, value := p.Value[:i+1], p.Value[i+1:]
	switch kind {
	case languagePrefix:
		if slices.Contains(examdesk.Languages, value) {
			c.setLanguage(value)
			return
		}
	case topicPrefix:
		if slices.Contains(c.e.topics, value) {
			c.topic = value
			c.answerTopic(value)
			c.resume()
			return
		}
	case commandPrefix:
		if p.Step == c.st.Step {
			c.command(value, "")
			return
		}
	case answerPrefix:
		if c.asking() && p.Step == c.st.Check.Asked {
			c.answerChoice(value)
			return
		}
	case resultPrefix:
		if c.detail(value) {
			return
		}
	case photoPrefix:
		if value == photoCheck {
			c.photoPrompt()
			return
		}
	}
	c.stale()
}

// stale answers an option that no longer applies: a notice, then what is
// being asked now.
func (c *conv) stale() {
	n := T("stale")
	c.notice = &n
	c.say(n)
	c.current()
}

// current repeats what the conversation is waiting for.
func (c *conv) current() {
	switch {
	case c.asking():
		c.ask()
	case c.st.Choosing:
		c.chooseLanguage("")
	default:
		c.say(T("welcome.again"), c.menu()...)
	}
}

func (c *conv) answerChoice(v string) {
	if c.aside(v) {
		return
	}
	q := c.e.rules.Ask(c.st.Check.Asking)
	if q.Kind == rules.Number {
		n, upto, ok := numberValue(v)
		if !ok || c.e.rules.Check(q.ID, rules.Value{Number: n}) != nil {
			c.stale()
			return
		}
		c.record(rules.Value{Number: n}, upto)
		return
	}
	if !slices.Contains(q.Choices, v) {
		c.stale()
		return
	}
	c.record(rules.Value{Choice: v}, 0)
}

// record records an answer to the question asked, once it is plausible,
// and goes on: the next question, or the result. upto is, for years read
// as a range, the range's end (excluded), v its start; 0 for an exact
// answer.
func (c *conv) record(v rules.Value, upto float64) {
	if c.doubt(v, upto) {
		return
	}
	ch := c.st.Check
	if ch.FollowUp {
		c.followedUp(v)
		return
	}
	settled := c.e.rules.Outcome(ch.Answers).Settled
	ch.Answers[ch.Asking] = v
	ch.History = append(ch.History, ch.Asking)
	c.narrow(v, upto)
	if !settled {
		c.early()
	}
	c.advance()
}

// text answers a typed message: an answer to the question asked, a
// question, small talk, a command typed without its slash.
func (c *conv) text(s string) {
	var answer typed
	switch {
	case c.st.Choosing:
		if lang, ok := matchLanguage(s); ok {
			c.kind = KindCommand
			c.setLanguage(lang)
			return
		}
	case c.asking():
		if c.typedAside(s) {
			c.kind = KindAnswer
			return
		}
		// An answer, alone or among words that do not ask anything
		// (本科，讀市場營銷), is the answer.
		if answer = c.readAnswer(s); len(answer.values) > 0 && !answer.question {
			c.kind = KindAnswer
			c.take(s, answer)
			return
		}
	}
	m := c.e.faq.Best(s)
	switch m.Kind {
	case faq.Command:
		c.kind = KindCommand
		c.command(m.Subject, "")
		return
	case faq.SmallTalk:
		c.kind = KindSmallTalk
		c.say(T("smalltalk." + m.Subject))
	case faq.Topic:
		c.kind, c.topic = KindTopic, m.Topic
		c.answerTopic(m.Topic)
	case faq.Unstated:
		c.kind = KindUnstated
		c.say(T("faq.unstated", "Subject", T("unstated."+m.Subject)))
	case faq.OtherExam:
		c.kind = KindOtherExam
		c.say(T("faq.other_exam"))
	default:
		switch {
		case c.st.Choosing:
			c.kind = KindUnread
			c.chooseLanguage("")
		case c.asking() && len(answer.values) > 0:
			// An answer in a question that asks nothing the bot knows:
			// 本科可以嗎？
			c.kind = KindAnswer
			c.take(s, answer)
		case c.asking():
			c.kind = KindUnread
			c.unread(s)
		default:
			c.kind = KindUnknown
			c.unknown(m.Near)
		}
		return
	}
	c.resume()
}

func plain(s string) string { return s }

// normalize lower-cases s and drops spaces and punctuation, so that typed
// text compares with option labels.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
