package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/stats"
)

// Stats is a stats.Store in Redis, under the store's prefix: its keys are
// the stats:… keys of keys.go. Record is one script (stats_record.lua) and
// one round trip; the update's commit records its events itself
// (Inbox.CommitCounted), and a broadcast recipient's record its outcome
// (Broadcasts.Record), in their own round trips. A report is two round
// trips.
type Stats struct {
	st *Store
}

var _ stats.Store = (*Stats)(nil)

// Stats returns the statistics kept in the store's Redis under its prefix.
func (s *Store) Stats() *Stats { return &Stats{st: s} }

var (
	statsRecordScript     = mustScript("stats_record.lua")
	statsUnansweredScript = mustScript("stats_unanswered.lua")
	statsTeachScript      = mustScript("stats_teach.lua")
	statsForgetScript     = mustScript("stats_forget.lua")
)

// dayKept is how long a day's counters are kept after the day.
const dayKept = (stats.MaxDays + 34) * 24 * time.Hour

// dayExpires is when the counters of date's day expire, in ms since 1970.
func dayExpires(date string) (int64, error) {
	start, err := time.ParseInLocation(stats.DateLayout, date, examdesk.China)
	if err != nil {
		return 0, err
	}
	return start.Add(dayKept).UnixMilli(), nil
}

// recordArgs returns the keys and arguments of stats_record (lua/lib/stats.lua)
// for ev; now is the wall clock.
func recordArgs(k keys, ev stats.Events, now time.Time) ([]string, []any, error) {
	if err := ev.Validate(); err != nil {
		return nil, nil, err
	}
	date := stats.Day(ev.At)
	expires, err := dayExpires(date)
	if err != nil {
		return nil, nil, err
	}
	id, text := "", stats.Normalize(ev.Unanswered)
	if text != "" {
		id = stats.QuestionID(text)
	}
	keys := []string{
		k.statsDay(date), k.statsSeen(), k.question(id), k.askers(id),
		k.byCount(), k.byExpiry(), k.asked(ev.User), k.taught(),
	}
	message := "0"
	if ev.Message {
		message = "1"
	}
	fields := stats.Fields(ev)
	args := make([]any, 0, 9+2*len(fields))
	args = append(args, date, ev.User, message, expires,
		id, text, stats.ExampleLang(text, ev.Lang), ev.At.Add(stats.Keep).UnixMilli(), now.UnixMilli())
	for _, f := range fields {
		args = append(args, f.Name, f.N)
	}
	return keys, args, nil
}

// Record adds ev to the counts in one round trip.
func (s *Stats) Record(ctx context.Context, ev stats.Events) error {
	if ev.Empty() {
		return ev.Validate()
	}
	keys, args, err := recordArgs(s.st.k, ev, time.Now())
	if err != nil {
		return fmt.Errorf("record stats: %w", err)
	}
	if err := statsRecordScript.Run(ctx, s.st.client, keys, args...).Err(); err != nil {
		return fmt.Errorf("record stats: %w", err)
	}
	return nil
}

// Report returns the last days days up to now's: the unanswered questions
// in one round trip, the days' counters in a pipeline.
func (s *Stats) Report(ctx context.Context, days int, now time.Time) (stats.Report, error) {
	if err := stats.CheckDays(days); err != nil {
		return stats.Report{}, err
	}
	dates := stats.Dates(days, now)
	since, _ := time.ParseInLocation(stats.DateLayout, dates[0], examdesk.China)
	qs, err := s.Unanswered(ctx, stats.ReportQuestions, since)
	if err != nil {
		return stats.Report{}, fmt.Errorf("report %d days: %w", days, err)
	}
	pipe := s.st.client.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(dates))
	for i, d := range dates {
		cmds[i] = pipe.HGetAll(ctx, s.st.k.statsDay(d))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return stats.Report{}, fmt.Errorf("report %d days: %w", days, err)
	}
	counts := make([]map[string]int, len(dates))
	for i, cmd := range cmds {
		fields := cmd.Val()
		counts[i] = make(map[string]int, len(fields))
		for f, v := range fields {
			n, err := strconv.Atoi(v)
			if err != nil {
				return stats.Report{}, fmt.Errorf("report %d days: %s field %s = %q is not a count", days, s.st.k.statsDay(dates[i]), f, v)
			}
			counts[i][f] = n
		}
	}
	return stats.Fold(dates, counts, qs), nil
}

// Unanswered returns up to n questions last asked on since's day or later,
// the most asked first.
func (s *Stats) Unanswered(ctx context.Context, n int, since time.Time) ([]stats.Question, error) {
	if n <= 0 {
		return []stats.Question{}, nil
	}
	flat, err := statsUnansweredScript.Run(ctx, s.st.client, []string{s.st.k.byCount()},
		string(s.st.k), stats.Day(since), n, time.Now().UnixMilli()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("list unanswered questions: %w", err)
	}
	out := make([]stats.Question, 0, len(flat)/6)
	for i := 0; i+5 < len(flat); i += 6 {
		count, err1 := strconv.Atoi(flat[i+3])
		users, err2 := strconv.Atoi(flat[i+5])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("list unanswered questions: question %s: %w", flat[i], err)
		}
		out = append(out, stats.Question{ID: flat[i], Text: flat[i+1], Lang: flat[i+2], Count: count, Last: flat[i+4], Users: users})
	}
	stats.SortQuestions(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// Question returns the unanswered question id.
func (s *Stats) Question(ctx context.Context, id string) (stats.Question, error) {
	if _, ok := stats.ParseQuestionID(id); !ok {
		return stats.Question{}, fmt.Errorf("question %q: %w", id, stats.ErrNotFound)
	}
	pipe := s.st.client.Pipeline()
	fields := pipe.HMGet(ctx, s.st.k.question(id), "text", "lang", "count", "last", "until")
	users := pipe.HLen(ctx, s.st.k.askers(id))
	if _, err := pipe.Exec(ctx); err != nil {
		return stats.Question{}, fmt.Errorf("question %s: %w", id, err)
	}
	v := fields.Val()
	str := func(i int) string { s, _ := v[i].(string); return s }
	until, _ := strconv.ParseInt(str(4), 10, 64)
	if str(0) == "" || until <= time.Now().UnixMilli() {
		return stats.Question{}, fmt.Errorf("question %s: %w", id, stats.ErrNotFound)
	}
	count, err := strconv.Atoi(str(2))
	if err != nil {
		return stats.Question{}, fmt.Errorf("question %s: count %q is not a number", id, str(2))
	}
	return stats.Question{ID: id, Text: str(0), Lang: str(1), Count: count, Last: str(3), Users: int(users.Val())}, nil
}

// exampleRecord is an example as kept in stats:examples.
type exampleRecord struct {
	Text  string    `json:"text"`
	Lang  string    `json:"lang"`
	Topic string    `json:"topic"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// Teach makes the question id an example of topic: it reads the question,
// then adds the example in one script that checks the question is still
// the one read.
func (s *Stats) Teach(ctx context.Context, id, topic, by string, at time.Time) (stats.Example, error) {
	if !stats.ValidTopic(topic) {
		return stats.Example{}, fmt.Errorf("teach %s: topic %q: %w", id, topic, stats.ErrTopic)
	}
	q, err := s.Question(ctx, id)
	if err != nil {
		return stats.Example{}, fmt.Errorf("teach: %w", err)
	}
	ex := stats.Example{Text: q.Text, Lang: q.Lang, Topic: topic, By: by, At: at, Count: q.Count}
	record, err := json.Marshal(exampleRecord{Text: ex.Text, Lang: ex.Lang, Topic: topic, By: by, At: at, Count: ex.Count})
	if err != nil {
		return stats.Example{}, fmt.Errorf("teach %s: %w", id, err)
	}
	k := s.st.k
	seq, err := statsTeachScript.Run(ctx, s.st.client,
		[]string{k.question(id), k.askers(id), k.byCount(), k.byExpiry(), k.taught(), k.examples(), k.examplesVersion()},
		id, q.Text, record, time.Now().UnixMilli()).Int64()
	if err != nil {
		return stats.Example{}, fmt.Errorf("teach %s: %w", id, err)
	}
	if seq == 0 {
		return stats.Example{}, fmt.Errorf("teach %s: %w", id, stats.ErrNotFound)
	}
	ex.Seq = seq
	return ex, nil
}

// Examples returns the examples and their version, read together.
func (s *Stats) Examples(ctx context.Context) ([]stats.Example, int64, error) {
	tx := s.st.client.TxPipeline()
	list := tx.LRange(ctx, s.st.k.examples(), 0, -1)
	version := tx.Get(ctx, s.st.k.examplesVersion())
	if _, err := tx.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, fmt.Errorf("read examples: %w", err)
	}
	v, err := versionOf(version)
	if err != nil {
		return nil, 0, fmt.Errorf("read examples: %w", err)
	}
	out := make([]stats.Example, 0, len(list.Val()))
	for i, raw := range list.Val() {
		var r exampleRecord
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, 0, fmt.Errorf("read examples: %s[%d]: %w", s.st.k.examples(), i, err)
		}
		out = append(out, stats.Example{Seq: int64(i + 1), Text: r.Text, Lang: r.Lang, Topic: r.Topic, By: r.By, At: r.At, Count: r.Count})
	}
	return slices.Clip(out), v, nil
}

func versionOf(cmd *redis.StringCmd) (int64, error) {
	v, err := cmd.Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return v, err
}

// ExamplesVersion returns the version of the examples in one GET.
func (s *Stats) ExamplesVersion(ctx context.Context) (int64, error) {
	v, err := versionOf(s.st.client.Get(ctx, s.st.k.examplesVersion()))
	if err != nil {
		return 0, fmt.Errorf("read the examples' version: %w", err)
	}
	return v, nil
}

// Forget removes user's share of the unanswered questions and the day
// they were last seen, in one script.
func (s *Stats) Forget(ctx context.Context, user int64) error {
	k := s.st.k
	err := statsForgetScript.Run(ctx, s.st.client,
		[]string{k.statsSeen(), k.asked(user), k.byCount(), k.byExpiry()}, user, string(k)).Err()
	if err != nil {
		return fmt.Errorf("forget stats of %d: %w", user, err)
	}
	return nil
}
