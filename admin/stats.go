package admin

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"examdesk/dialog"
	"examdesk/stats"
)

// Commands are the administrators' commands, in the order their /help and
// their command menu list them; each is described by the message
// "admin.command.<name>".
var Commands = []string{"broadcast", "broadcasts", "calendar", "stats", "unanswered"}

// Help is /help for administrators: the candidates' help, then the
// administrators' commands.
type Help struct {
	// Candidates, if set, is the candidates' help in a language, as the
	// dialog answers /help.
	Candidates func(lang string) dialog.Reply
}

// Name is "help".
func (h *Help) Name() string { return "help" }

// Handle answers /help.
func (h *Help) Handle(_ context.Context, r Request) (dialog.Reply, error) {
	var out dialog.Reply
	if h.Candidates != nil {
		out = h.Candidates(r.Lang)
	}
	items := make([]dialog.Text, len(Commands))
	for i, name := range Commands {
		items[i] = dialog.T("admin.help.item", "Command", "/"+name, "About", dialog.T("admin.command."+name))
	}
	out.Messages = append(out.Messages, dialog.Message{Text: dialog.T("admin.help", "Commands", items)})
	out.Lang = r.Lang
	return out, nil
}

// StatsDays is how many days /stats sums up.
const StatsDays = 7

// Stats is /stats: the last StatsDays days in a few lines.
type Stats struct {
	// Report reads the statistics.
	Report stats.Reporter
	// Unanswered counts the unanswered questions kept.
	Unanswered stats.Teacher
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// Name is "stats".
func (s *Stats) Name() string { return "stats" }

func now(f func() time.Time) time.Time {
	if f != nil {
		return f()
	}
	return time.Now()
}

// Handle answers /stats; anything else the command is given is answered
// with its usage.
func (s *Stats) Handle(ctx context.Context, r Request) (dialog.Reply, error) {
	if r.Pick != nil || r.Text != "" || strings.TrimSpace(r.Arg) != "" {
		return say(dialog.T("admin.stats.usage", "Days", StatsDays)), nil
	}
	t := now(s.Now)
	rep, err := s.Report.Report(ctx, StatsDays, t)
	if err != nil {
		return dialog.Reply{}, fmt.Errorf("stats: %w", err)
	}
	open, err := s.Unanswered.Unanswered(ctx, unansweredListed, t.Add(-stats.Keep))
	if err != nil {
		return dialog.Reply{}, fmt.Errorf("stats: %w", err)
	}
	total := rep.Total()
	active := make([]string, len(rep.Days))
	for i, d := range rep.Days {
		active[i] = strconv.Itoa(d.ActiveUsers)
	}
	var topics []dialog.Text
	for _, id := range rep.TopicsByCount() {
		if n := rep.Topics[id]; n > 0 && len(topics) < 3 {
			topics = append(topics, dialog.T("admin.stats.topic", "Topic", dialog.T("topic."+id), "Count", n))
		}
	}
	if len(topics) == 0 {
		topics = append(topics, dialog.T("admin.stats.no_topic"))
	}
	res := rep.Results.ByLevel
	return say(dialog.T("admin.stats",
		"Days", StatsDays, "From", rep.Days[0].Date, "To", rep.Days[len(rep.Days)-1].Date,
		"New", total.NewUsers, "Active", strings.Join(active, " "),
		"Messages", total.Messages, "DontKnow", total.DontKnow,
		"Started", total.ChecksStarted, "Completed", total.ChecksCompleted, "Abandoned", total.ChecksAbandoned,
		"None", res[0], "L4", res[4], "L3", res[3], "L2", res[2], "L1", res[1],
		"Topics", topics, "Unanswered", len(open))), nil
}

// unansweredListed is how many questions /unanswered lists.
const unansweredListed = 10

// Option values of /unanswered (after "!unanswered:"); each option's step
// is the question's number (stats.ParseQuestionID).
const (
	unansweredCmd = "unanswered"
	pickChoose    = "o" // offer the topics
	pickTopic     = "t" // + the topic's index, two digits, and its check: teach it
	pickOffTopic  = "x" // mark it out of scope
	pickKeep      = "c" // leave it as it is
)

// Unanswered is /unanswered: the questions the bot could not answer, the
// most asked first, each with buttons to give it a topic (it becomes an
// example that every serve learns within seconds) or to mark it out of
// scope.
type Unanswered struct {
	// Store lists the questions and takes what is taught.
	Store stats.Teacher
	// Topics are the FAQ's topics, in the order their buttons are
	// offered.
	Topics []string
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// Name is "unanswered".
func (u *Unanswered) Name() string { return unansweredCmd }

// topicValue is the option value of topic i: its index and a check of its
// name, so that a button offered before the topics changed is stale.
func topicValue(i int, topic string) string {
	return fmt.Sprintf("%s%02d%s", pickTopic, i, topicCheck(topic))
}

// topicCheck is two letters or digits from topic's name.
func topicCheck(topic string) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	v := crc32.ChecksumIEEE([]byte(topic)) % (36 * 36)
	return string([]byte{digits[v/36], digits[v%36]})
}

// Handle answers /unanswered and its buttons.
func (u *Unanswered) Handle(ctx context.Context, r Request) (dialog.Reply, error) {
	if r.Pick == nil {
		if r.Text != "" || strings.TrimSpace(r.Arg) != "" {
			return say(dialog.T("admin.unanswered.usage")), nil
		}
		return u.list(ctx)
	}
	id := strconv.FormatInt(r.Pick.Step, 10)
	var out dialog.Reply
	var err error
	switch v := r.Pick.Value; {
	case v == pickChoose:
		out, err = u.choose(ctx, id)
	case v == pickOffTopic:
		out, err = u.teach(ctx, r, id, stats.OffTopic)
	case v == pickKeep:
		out = say(dialog.T("admin.unanswered.kept"))
	case strings.HasPrefix(v, pickTopic) && len(v) == 5:
		i, perr := strconv.Atoi(v[1:3])
		if perr != nil || i < 0 || i >= len(u.Topics) || topicValue(i, u.Topics[i]) != v {
			out = say(dialog.T("admin.unanswered.stale"))
			break
		}
		out, err = u.teach(ctx, r, id, u.Topics[i])
	default:
		out = say(dialog.T("admin.unanswered.stale"))
	}
	if err != nil {
		return dialog.Reply{}, err
	}
	out.Notice = &out.Messages[0].Text
	return out, nil
}

// list lists the most asked questions, each in a message of its own with
// its buttons.
func (u *Unanswered) list(ctx context.Context) (dialog.Reply, error) {
	qs, err := u.Store.Unanswered(ctx, unansweredListed, now(u.Now).Add(-stats.Keep))
	if err != nil {
		return dialog.Reply{}, fmt.Errorf("unanswered: %w", err)
	}
	if len(qs) == 0 {
		return say(dialog.T("admin.unanswered.none")), nil
	}
	out := dialog.Reply{Messages: []dialog.Message{{Text: dialog.T("admin.unanswered.header", "N", len(qs))}}}
	for i, q := range qs {
		step, ok := stats.ParseQuestionID(q.ID)
		if !ok {
			continue
		}
		out.Messages = append(out.Messages, dialog.Message{
			Text: dialog.T("admin.unanswered.item", "N", i+1, "Text", q.Text, "Count", q.Count, "Users", q.Users, "Last", q.Last),
			Options: []dialog.Option{
				{Label: dialog.T("admin.button.choose_topic"), Value: Value(unansweredCmd, pickChoose), Step: step},
				{Label: dialog.T("admin.button.off_topic"), Value: Value(unansweredCmd, pickOffTopic), Step: step},
			},
		})
	}
	return out, nil
}

// choose offers the topics for question id.
func (u *Unanswered) choose(ctx context.Context, id string) (dialog.Reply, error) {
	q, err := u.Store.Question(ctx, id)
	switch {
	case errors.Is(err, stats.ErrNotFound):
		return say(dialog.T("admin.unanswered.gone")), nil
	case err != nil:
		return dialog.Reply{}, fmt.Errorf("unanswered: %w", err)
	}
	step, _ := stats.ParseQuestionID(id)
	opts := make([]dialog.Option, 0, len(u.Topics)+2)
	for i, t := range u.Topics {
		opts = append(opts, dialog.Option{Label: dialog.T("topic." + t), Value: Value(unansweredCmd, topicValue(i, t)), Step: step})
	}
	opts = append(opts,
		dialog.Option{Label: dialog.T("admin.button.off_topic"), Value: Value(unansweredCmd, pickOffTopic), Step: step},
		dialog.Option{Label: dialog.T("admin.button.keep"), Value: Value(unansweredCmd, pickKeep), Step: step})
	return say(dialog.T("admin.unanswered.choose", "Text", q.Text), opts...), nil
}

// teach makes question id an example of topic.
func (u *Unanswered) teach(ctx context.Context, r Request, id, topic string) (dialog.Reply, error) {
	ex, err := u.Store.Teach(ctx, id, topic, "tg:"+strconv.FormatInt(r.User, 10), now(u.Now))
	switch {
	case errors.Is(err, stats.ErrNotFound):
		return say(dialog.T("admin.unanswered.gone")), nil
	case err != nil:
		return dialog.Reply{}, fmt.Errorf("unanswered: %w", err)
	case topic == stats.OffTopic:
		return say(dialog.T("admin.unanswered.dismissed", "Text", ex.Text)), nil
	}
	return say(dialog.T("admin.unanswered.taught", "Text", ex.Text, "Topic", dialog.T("topic."+topic))), nil
}
