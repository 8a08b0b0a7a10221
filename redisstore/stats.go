package redisstore

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/stats"
)

// Stats is a stats.Store in Redis.
//
// Keys, under the store's prefix:
//
//	stats:day:<date>        hash of the day's counters (stats.Fields, and
//	                        new_users, active_users); expires MaxDays+34
//	                        days after the day
//	stats:seen              hash user id → the last day they were seen
//	stats:q:<id>            hash of an unanswered question: text, lang,
//	                        count, last (day), until (Unix ms); expires at
//	                        until, stats.Keep after it was last asked
//	stats:q:<id>:askers     hash user id → times they asked it; likewise
//	stats:qs                sorted set of the questions, score = count
//	stats:qexp              sorted set of the questions, score = until
//	stats:u:<user>          set of the questions the user asked; expires
//	                        with the last of them
//	stats:taught            set of the questions made examples
//	stats:examples          list of the examples, JSON, oldest first
//	stats:examples:v        the version of the examples: +1 each
//
// No key holds a user's text but stats:q:<id>, and that expires. Record
// is one script (stats_record.lua) and one round trip, or none of its own
// when pipelined with the update's commit (RecordPipelined); a report is
// two round trips.
type Stats struct {
	st *Store
}

var _ stats.Store = (*Stats)(nil)

// Stats returns the statistics kept in the store's Redis under its prefix.
func (s *Store) Stats() *Stats { return &Stats{st: s} }

var (
	//go:embed lua/stats_keys.lua
	statsKeysLua string
	//go:embed lua/stats_record.lua
	statsRecordLua string
	//go:embed lua/stats_unanswered.lua
	statsUnansweredLua string
	//go:embed lua/stats_teach.lua
	statsTeachLua string
	//go:embed lua/stats_forget.lua
	statsForgetLua string

	statsRecordScript     = redis.NewScript(statsRecordLua + "\nreturn stats_record(KEYS, ARGV)\n")
	statsUnansweredScript = redis.NewScript(statsKeysLua + statsUnansweredLua)
	statsTeachScript      = redis.NewScript(statsTeachLua)
	statsForgetScript     = redis.NewScript(statsKeysLua + statsForgetLua)
)

// dayKept is how long a day's counters are kept after the day.
const dayKept = (stats.MaxDays + 34) * 24 * time.Hour

func (s *Stats) key(parts ...string) string {
	k := string(s.st.k) + "stats"
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

// questionKeys returns the keys of question id: its hash and who asked
// it. lua/stats_keys.lua builds the same.
func (s *Stats) questionKeys(id string) (question, askers string) {
	q := s.key("q", id)
	return q, q + ":askers"
}

// StatsGuard makes a recording conditional on what the caller's own
// commands wrote in the same round trip: it counts only if field Field of
// the hash Key then holds Value. The value must be one that only the
// command the recording belongs to writes (an update id the commit stores,
// say): a state version is not, since a concurrent writer may have written
// the same one.
type StatsGuard struct {
	Key, Field, Value string
}

// recordArgs returns the keys and arguments of stats_record for ev, with
// guard when not nil; now is the wall clock.
func (s *Stats) recordArgs(ev stats.Events, guard *StatsGuard, now time.Time) ([]string, []any, error) {
	if err := ev.Validate(); err != nil {
		return nil, nil, err
	}
	date := stats.Day(ev.At)
	dayStart, err := time.ParseInLocation(stats.DateLayout, date, stats.China)
	if err != nil {
		return nil, nil, err
	}
	id, text := "", stats.Normalize(ev.Unanswered)
	if text != "" {
		id = stats.QuestionID(text)
	}
	question, askers := s.questionKeys(id)
	user := strconv.FormatInt(ev.User, 10)
	keys := []string{
		s.key("day", date), s.key("seen"), question, askers,
		s.key("qs"), s.key("qexp"), s.key("u", user), s.key("taught"),
	}
	message := "0"
	if ev.Message {
		message = "1"
	}
	fields := stats.Fields(ev)
	args := make([]any, 0, 11+2*len(fields))
	args = append(args, date, user, message, dayStart.Add(dayKept).UnixMilli(),
		id, text, stats.ExampleLang(text, ev.Lang), ev.At.Add(stats.Keep).UnixMilli(), now.UnixMilli())
	if guard != nil {
		keys = append(keys, guard.Key)
		args = append(args, guard.Field, guard.Value)
	} else {
		args = append(args, "", "")
	}
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
	keys, args, err := s.recordArgs(ev, nil, time.Now())
	if err != nil {
		return fmt.Errorf("record stats: %w", err)
	}
	if err := statsRecordScript.Run(ctx, s.st.client, keys, args...).Err(); err != nil {
		return fmt.Errorf("record stats: %w", err)
	}
	return nil
}

// RecordPipelined queues the recording of ev on pipe, a pipeline or
// transaction that also carries the caller's own commands, so that it
// costs no round trip of its own. With guard, it counts only if the guard
// holds when it runs: queued after a commit, only if the commit wrote it.
// Call done after pipe's Exec: it returns the recording's error, and when
// the server had lost the script (a restart), runs the recording again on
// its own, guarded the same way. Nothing is queued for an ev that counts
// nothing.
//
// A pipeline that go-redis sends again after losing its reply records
// again. Where a recording must count exactly once with a script that
// already knows whether it ran before (the inbox's commit), call
// stats_record.lua from inside that script instead (recordArgs gives its
// keys and arguments).
func (s *Stats) RecordPipelined(ctx context.Context, pipe redis.Pipeliner, ev stats.Events, guard *StatsGuard) (done func(ctx context.Context) error, err error) {
	if ev.Empty() {
		return func(context.Context) error { return nil }, ev.Validate()
	}
	keys, args, err := s.recordArgs(ev, guard, time.Now())
	if err != nil {
		return nil, fmt.Errorf("record stats: %w", err)
	}
	cmd := statsRecordScript.EvalSha(ctx, pipe, keys, args...)
	return func(ctx context.Context) error {
		err := cmd.Err()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			err = statsRecordScript.Run(ctx, s.st.client, keys, args...).Err()
		}
		if err != nil {
			return fmt.Errorf("record stats: %w", err)
		}
		return nil
	}, nil
}

// LoadScripts loads the scripts into Redis, so that a pipeline's first
// recording finds its script (see RecordPipelined).
func (s *Stats) LoadScripts(ctx context.Context) error {
	for _, sc := range []*redis.Script{statsRecordScript, statsUnansweredScript, statsTeachScript, statsForgetScript} {
		if err := sc.Load(ctx, s.st.client).Err(); err != nil {
			return fmt.Errorf("load stats scripts: %w", err)
		}
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
	since, _ := time.ParseInLocation(stats.DateLayout, dates[0], stats.China)
	qs, err := s.Unanswered(ctx, stats.ReportQuestions, since)
	if err != nil {
		return stats.Report{}, fmt.Errorf("report %d days: %w", days, err)
	}
	pipe := s.st.client.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(dates))
	for i, d := range dates {
		cmds[i] = pipe.HGetAll(ctx, s.key("day", d))
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
				return stats.Report{}, fmt.Errorf("report %d days: %s field %s = %q is not a count", days, s.key("day", dates[i]), f, v)
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
	flat, err := statsUnansweredScript.Run(ctx, s.st.client, []string{s.key("qs")},
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
	question, askers := s.questionKeys(id)
	pipe := s.st.client.Pipeline()
	fields := pipe.HMGet(ctx, question, "text", "lang", "count", "last", "until")
	users := pipe.HLen(ctx, askers)
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
	question, askers := s.questionKeys(id)
	seq, err := statsTeachScript.Run(ctx, s.st.client,
		[]string{question, askers, s.key("qs"), s.key("qexp"), s.key("taught"), s.key("examples"), s.key("examples", "v")},
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
	list := tx.LRange(ctx, s.key("examples"), 0, -1)
	version := tx.Get(ctx, s.key("examples", "v"))
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
			return nil, 0, fmt.Errorf("read examples: %s[%d]: %w", s.key("examples"), i, err)
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
	v, err := versionOf(s.st.client.Get(ctx, s.key("examples", "v")))
	if err != nil {
		return 0, fmt.Errorf("read the examples' version: %w", err)
	}
	return v, nil
}

// Forget removes user's share of the unanswered questions and the day
// they were last seen, in one script.
func (s *Stats) Forget(ctx context.Context, user int64) error {
	u := strconv.FormatInt(user, 10)
	err := statsForgetScript.Run(ctx, s.st.client,
		[]string{s.key("seen"), s.key("u", u), s.key("qs"), s.key("qexp")}, u, string(s.st.k)).Err()
	if err != nil {
		return fmt.Errorf("forget stats of %d: %w", user, err)
	}
	return nil
}
