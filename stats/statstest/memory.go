// Package statstest supports tests of the stats package's interfaces: an
// in-memory Store, and the conformance suite every stats.Store
// implementation must pass (TestStore).
package statstest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"examdesk"
	"examdesk/stats"
)

// Store is a stats.Store in memory. It is safe for concurrent use; its
// zero value is empty and tells the time with time.Now.
type Store struct {
	// Now tells the time questions expire by; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	days      map[string]map[string]int
	seen      map[int64]string // user → the last day seen
	questions map[string]*question
	taught    map[string]bool
	examples  []stats.Example
	version   int64
}

type question struct {
	q     stats.Question
	until time.Time     // when it expires
	users map[int64]int // user → times asked
}

var _ stats.Store = (*Store)(nil)

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// expire drops the questions kept past their time. s.mu is held.
func (s *Store) expire() {
	now := s.now()
	for id, q := range s.questions {
		if !q.until.After(now) {
			delete(s.questions, id)
		}
	}
}

// Record adds ev.
func (s *Store) Record(_ context.Context, ev stats.Events) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	if ev.Empty() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.days == nil {
		s.days, s.seen, s.questions, s.taught = map[string]map[string]int{}, map[int64]string{}, map[string]*question{}, map[string]bool{}
	}
	day := stats.Day(ev.At)
	counts := s.days[day]
	if counts == nil {
		counts = map[string]int{}
		s.days[day] = counts
	}
	for _, f := range stats.Fields(ev) {
		counts[f.Name] += f.N
	}
	if ev.Message && ev.User != 0 {
		last, seen := s.seen[ev.User]
		switch {
		case !seen:
			counts[stats.FieldNewUsers]++
			counts[stats.FieldActiveUsers]++
			s.seen[ev.User] = day
		case last < day:
			counts[stats.FieldActiveUsers]++
			s.seen[ev.User] = day
		}
	}
	s.expire()
	text := stats.Normalize(ev.Unanswered)
	if text == "" {
		return nil
	}
	id := stats.QuestionID(text)
	if s.taught[id] {
		return nil
	}
	until := ev.At.Add(stats.Keep)
	if !until.After(s.now()) {
		return nil // kept until a time already past
	}
	q := s.questions[id]
	if q == nil {
		q = &question{q: stats.Question{ID: id, Text: text, Lang: stats.ExampleLang(text, ev.Lang)}, users: map[int64]int{}}
		s.questions[id] = q
	}
	q.q.Count++
	q.users[ev.User]++
	if day > q.q.Last {
		q.q.Last = day
	}
	if until.After(q.until) {
		q.until = until
	}
	return nil
}

// Report returns the last days days up to now's.
func (s *Store) Report(ctx context.Context, days int, now time.Time) (stats.Report, error) {
	if err := stats.CheckDays(days); err != nil {
		return stats.Report{}, err
	}
	dates := stats.Dates(days, now)
	s.mu.Lock()
	counts := make([]map[string]int, len(dates))
	for i, d := range dates {
		counts[i] = maps.Clone(s.days[d])
	}
	s.mu.Unlock()
	since, _ := time.ParseInLocation(stats.DateLayout, dates[0], examdesk.China)
	qs, err := s.Unanswered(ctx, stats.ReportQuestions, since)
	if err != nil {
		return stats.Report{}, err
	}
	return stats.Fold(dates, counts, qs), nil
}

// Unanswered returns up to n questions last asked on since's day or
// later.
func (s *Store) Unanswered(_ context.Context, n int, since time.Time) ([]stats.Question, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	from := stats.Day(since)
	var out []stats.Question
	for _, q := range s.questions {
		if q.q.Last >= from {
			out = append(out, q.value())
		}
	}
	stats.SortQuestions(out)
	if len(out) > n {
		out = out[:max(n, 0)]
	}
	return out, nil
}

func (q *question) value() stats.Question {
	v := q.q
	v.Users = len(q.users)
	return v
}

// Question returns the unanswered question id.
func (s *Store) Question(_ context.Context, id string) (stats.Question, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	q := s.questions[id]
	if q == nil {
		return stats.Question{}, fmt.Errorf("question %s: %w", id, stats.ErrNotFound)
	}
	return q.value(), nil
}

// Teach makes the question id an example of topic.
func (s *Store) Teach(_ context.Context, id, topic, by string, at time.Time) (stats.Example, error) {
	if !stats.ValidTopic(topic) {
		return stats.Example{}, fmt.Errorf("teach %s: topic %q: %w", id, topic, stats.ErrTopic)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	q := s.questions[id]
	if q == nil {
		return stats.Example{}, fmt.Errorf("teach %s: %w", id, stats.ErrNotFound)
	}
	delete(s.questions, id)
	s.taught[id] = true
	s.version++
	ex := stats.Example{Seq: int64(len(s.examples) + 1), Text: q.q.Text, Lang: q.q.Lang, Topic: topic, By: by, At: at, Count: q.q.Count}
	s.examples = append(s.examples, ex)
	return ex, nil
}

// Examples returns the examples added and the version.
func (s *Store) Examples(context.Context) ([]stats.Example, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.examples), s.version, nil
}

// ExamplesVersion returns the version of the examples.
func (s *Store) ExamplesVersion(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, nil
}

// Forget removes user's share of the questions and the day they were seen.
func (s *Store) Forget(_ context.Context, user int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, user)
	for id, q := range s.questions {
		n, asked := q.users[user]
		if !asked {
			continue
		}
		delete(q.users, user)
		q.q.Count -= n
		if len(q.users) == 0 {
			delete(s.questions, id)
		}
	}
	return nil
}
