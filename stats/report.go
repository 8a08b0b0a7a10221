package stats

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Report is what happened over some days: what `examdesk stats --json`
// prints and GET /admin/api/stats answers,
//
//	{"days":[{"date":"2026-12-05","new_users":0,"active_users":0,"messages":0,"checks_started":0,"checks_completed":0,"dont_know":0}],
//	 "funnel":[{"question":"occupation_years","reached":0,"answered":0}],
//	 "results":{"0":0,"4":0,"3":0,"2":0,"1":0},
//	 "topics":{"photo":0},
//	 "unanswered":[{"text":"…","count":0,"last":"2026-12-05"}]}
//
// Fields without a JSON name are shown by the CLI's table and the
// dashboard only.
type Report struct {
	// Days are every day of the report, oldest first.
	Days []DayCounts `json:"days"`
	// Funnel is the check's questions, the most reached first.
	Funnel []Step `json:"funnel"`
	// Results are the results given, by highest level.
	Results Results `json:"results"`
	// Topics are how often each FAQ topic was answered.
	Topics map[string]int `json:"topics"`
	// Unanswered are the most asked questions the bot could not answer,
	// last asked within the report's days.
	Unanswered []Question `json:"unanswered"`
}

// DayCounts are the counts of one day.
type DayCounts struct {
	Date            string `json:"date"`
	NewUsers        int    `json:"new_users"`
	ActiveUsers     int    `json:"active_users"`
	Messages        int    `json:"messages"`
	ChecksStarted   int    `json:"checks_started"`
	ChecksCompleted int    `json:"checks_completed"`
	DontKnow        int    `json:"dont_know"`

	ChecksAbandoned  int `json:"-"`
	BroadcastSent    int `json:"-"`
	BroadcastBlocked int `json:"-"`
	BroadcastFailed  int `json:"-"`
}

// Step is one question of the check in the funnel.
type Step struct {
	Question string `json:"question"`
	// Reached counts the times the question was asked anew, Answered the
	// answers to it, Abandoned the checks given up while it waited.
	Reached   int `json:"reached"`
	Answered  int `json:"answered"`
	Abandoned int `json:"-"`
}

// Results count the results given by highest level, 0 for none, and of
// those, the ones whose highest level goes through a training
// institution.
type Results struct {
	ByLevel  [5]int
	Training [5]int
}

// Total is the number of results.
func (r Results) Total() int {
	n := 0
	for _, c := range r.ByLevel {
		n += c
	}
	return n
}

// resultOrder is the order of the levels in the JSON: none, then the
// lowest level to the highest.
var resultOrder = [5]int{0, 4, 3, 2, 1}

// MarshalJSON writes {"0":n,"4":n,"3":n,"2":n,"1":n}.
func (r Results) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, l := range resultOrder {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d":%d`, l, r.ByLevel[l])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes (the training counts are
// not in it).
func (r *Results) UnmarshalJSON(data []byte) error {
	var m map[string]int
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*r = Results{}
	for k, n := range m {
		l, err := strconv.Atoi(k)
		if err != nil || l < 0 || l > 4 {
			return fmt.Errorf("stats: results: level %q", k)
		}
		r.ByLevel[l] = n
	}
	return nil
}

// WithTopics returns r with every topic of all in Topics, 0 for those
// never answered.
func (r Report) WithTopics(all []string) Report {
	t := make(map[string]int, len(all)+len(r.Topics))
	maps.Copy(t, r.Topics)
	for _, id := range all {
		t[id] += 0
	}
	r.Topics = t
	return r
}

// Total sums the days' counts.
func (r Report) Total() DayCounts {
	var t DayCounts
	for _, d := range r.Days {
		t.NewUsers += d.NewUsers
		t.ActiveUsers += d.ActiveUsers
		t.Messages += d.Messages
		t.ChecksStarted += d.ChecksStarted
		t.ChecksCompleted += d.ChecksCompleted
		t.DontKnow += d.DontKnow
		t.ChecksAbandoned += d.ChecksAbandoned
		t.BroadcastSent += d.BroadcastSent
		t.BroadcastBlocked += d.BroadcastBlocked
		t.BroadcastFailed += d.BroadcastFailed
	}
	return t
}

// TopicsByCount returns the topics of r, the most answered first, then by
// id.
func (r Report) TopicsByCount() []string {
	ids := slices.Collect(maps.Keys(r.Topics))
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Topics[b], r.Topics[a]), strings.Compare(a, b))
	})
	return ids
}

// The fields of a day's counts, as Fields and Fold name them.
const (
	FieldMessages         = "messages"
	FieldNewUsers         = "new_users"
	FieldActiveUsers      = "active_users"
	FieldChecksStarted    = "checks_started"
	FieldChecksCompleted  = "checks_completed"
	FieldChecksAbandoned  = "checks_abandoned"
	FieldDontKnow         = "dont_know"
	FieldBroadcastSent    = "broadcast_sent"
	FieldBroadcastBlocked = "broadcast_blocked"
	FieldBroadcastFailed  = "broadcast_failed"

	prefixReached   = "reached:"
	prefixAnswered  = "answered:"
	prefixAbandoned = "abandoned:"
	prefixResult    = "result:"
	prefixTopic     = "topic:"
)

// Field is a counter of a day and what to add to it.
type Field struct {
	Name string
	N    int
}

// Fields returns the counters of ev's day that ev adds to, but the users
// (new and active), which only a store that remembers who it has seen can
// count. A store keeps a day as these counters and reads it with Fold.
func Fields(ev Events) []Field {
	var out []Field
	add := func(name string, n int) {
		if n != 0 {
			out = append(out, Field{name, n})
		}
	}
	if ev.Message {
		add(FieldMessages, 1)
	}
	if ev.Started {
		add(FieldChecksStarted, 1)
	}
	for _, q := range ev.Reached {
		add(prefixReached+q, 1)
	}
	for _, q := range ev.Answered {
		add(prefixAnswered+q, 1)
	}
	if ev.Completed {
		add(FieldChecksCompleted, 1)
		add(resultField(ev.Result), 1)
	}
	if ev.Abandoned != "" {
		add(FieldChecksAbandoned, 1)
		add(prefixAbandoned+ev.Abandoned, 1)
	}
	for _, t := range ev.Topics {
		add(prefixTopic+t, 1)
	}
	if ev.Unanswered != "" {
		add(FieldDontKnow, 1)
	}
	add(FieldBroadcastSent, ev.Sent)
	add(FieldBroadcastBlocked, ev.Blocked)
	add(FieldBroadcastFailed, ev.Failed)
	return out
}

// resultField names the counter of a result: "result:0",
// "result:3:individual".
func resultField(r Result) string {
	if r.Level == 0 {
		return prefixResult + "0"
	}
	return prefixResult + strconv.Itoa(int(r.Level)) + ":" + r.Route
}

// Fold makes a report of the counters of each day of dates (oldest first;
// a day without counters is all zeros) and the unanswered questions. A
// counter it does not know is ignored: one written by a newer release.
func Fold(dates []string, days []map[string]int, unanswered []Question) Report {
	r := Report{Days: make([]DayCounts, len(dates)), Topics: map[string]int{}, Unanswered: unanswered}
	if r.Unanswered == nil {
		r.Unanswered = []Question{}
	}
	funnel := map[string]*Step{}
	step := func(q string) *Step {
		s := funnel[q]
		if s == nil {
			s = &Step{Question: q}
			funnel[q] = s
		}
		return s
	}
	for i, date := range dates {
		d := DayCounts{Date: date}
		var fields map[string]int
		if i < len(days) {
			fields = days[i]
		}
		for f, n := range fields {
			switch f {
			case FieldMessages:
				d.Messages += n
			case FieldNewUsers:
				d.NewUsers += n
			case FieldActiveUsers:
				d.ActiveUsers += n
			case FieldChecksStarted:
				d.ChecksStarted += n
			case FieldChecksCompleted:
				d.ChecksCompleted += n
			case FieldChecksAbandoned:
				d.ChecksAbandoned += n
			case FieldDontKnow:
				d.DontKnow += n
			case FieldBroadcastSent:
				d.BroadcastSent += n
			case FieldBroadcastBlocked:
				d.BroadcastBlocked += n
			case FieldBroadcastFailed:
				d.BroadcastFailed += n
			default:
				foldField(&r, step, f, n)
			}
		}
		r.Days[i] = d
	}
	r.Funnel = make([]Step, 0, len(funnel))
	for _, s := range funnel {
		r.Funnel = append(r.Funnel, *s)
	}
	slices.SortFunc(r.Funnel, func(a, b Step) int {
		return cmp.Or(cmp.Compare(b.Reached, a.Reached), cmp.Compare(b.Answered, a.Answered), strings.Compare(a.Question, b.Question))
	})
	return r
}

// foldField adds a counter of a question, a result or a topic to r.
func foldField(r *Report, step func(string) *Step, f string, n int) {
	switch {
	case strings.HasPrefix(f, prefixReached):
		step(f[len(prefixReached):]).Reached += n
	case strings.HasPrefix(f, prefixAnswered):
		step(f[len(prefixAnswered):]).Answered += n
	case strings.HasPrefix(f, prefixAbandoned):
		step(f[len(prefixAbandoned):]).Abandoned += n
	case strings.HasPrefix(f, prefixTopic):
		r.Topics[f[len(prefixTopic):]] += n
	case strings.HasPrefix(f, prefixResult):
		level, route, _ := strings.Cut(f[len(prefixResult):], ":")
		l, err := strconv.Atoi(level)
		if err != nil || l < 0 || l > 4 {
			return
		}
		r.Results.ByLevel[l] += n
		if route == RouteTraining {
			r.Results.Training[l] += n
		}
	}
}

// SortQuestions sorts questions as Unanswered returns them: the most
// asked first, then the most recent, then by text.
func SortQuestions(qs []Question) {
	slices.SortFunc(qs, func(a, b Question) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(b.Last, a.Last), strings.Compare(a.Text, b.Text))
	})
}
