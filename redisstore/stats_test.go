package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/redisstore"
	"examdesk/stats"
	"examdesk/stats/statstest"
)

func TestStats(t *testing.T) {
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			statstest.TestStore(t, func(t *testing.T) stats.Store { return b.open(t).Stats() })
		})
	}
}

// TestStatsLayout checks the keys of the statistics: a user's text only in
// the question's hash, which expires with its askers and the user's list
// Keep after it was last asked; the day's counters expire too.
func TestStatsLayout(t *testing.T) {
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			s, c, ctx := st.Stats(), st.Client(), t.Context()
			at := time.Now().Add(-time.Hour)
			ev := stats.Events{At: at, User: 42, Lang: "en", Message: true, Topics: []string{"photo"}, Unanswered: "Secret question?"}
			if err := s.Record(ctx, ev); err != nil {
				t.Fatal(err)
			}
			id := stats.QuestionID("secret question")
			p := st.Prefix()
			keys, err := c.Keys(ctx, p+"*").Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				var values []string
				switch typ := c.Type(ctx, k).Val(); typ {
				case "hash":
					for f, v := range c.HGetAll(ctx, k).Val() {
						values = append(values, f, v)
					}
				case "set":
					values = c.SMembers(ctx, k).Val()
				case "zset":
					values = c.ZRange(ctx, k, 0, -1).Val()
				default:
					t.Errorf("key %s is a %s; want hashes and sets", k, typ)
				}
				if k != p+"stats:q:"+id && strings.Contains(strings.Join(values, "|"), "secret") {
					t.Errorf("key %s holds the user's text: %q", k, values)
				}
			}
			until := at.Add(stats.Keep)
			for _, k := range []string{"stats:q:" + id, "stats:q:" + id + ":askers", "stats:u:42"} {
				ttl, err := c.PTTL(ctx, p+k).Result()
				if err != nil || ttl <= 0 || time.Now().Add(ttl).Sub(until).Abs() > 5*time.Second {
					t.Errorf("PTTL(%s) = %v, %v; want it to expire at %v", k, ttl, err, until)
				}
			}
			day := p + "stats:day:" + stats.Day(at)
			if ttl := c.PTTL(ctx, day).Val(); ttl < (stats.MaxDays-1)*24*time.Hour {
				t.Errorf("PTTL(%s) = %v; want it kept over %d days", day, ttl, stats.MaxDays)
			}
			if got := c.HGet(ctx, day, "topic:photo").Val(); got != "1" {
				t.Errorf("HGET %s topic:photo = %q; want 1", day, got)
			}
		})
	}
}

// TestStatsPipelined checks a recording in the round trip of other
// commands: guarded by what they wrote, and run again after the server
// lost the script.
func TestStatsPipelined(t *testing.T) {
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			s, c, ctx := st.Stats(), st.Client(), t.Context()
			guardKey := st.Prefix() + "guard"
			if err := s.LoadScripts(ctx); err != nil {
				t.Fatal(err)
			}
			hooks := &tripHook{}
			c.AddHook(hooks)
			tests := []struct {
				name  string
				write string // what the commit writes in the guard's field
				guard string // what the guard wants there
				flush bool   // the server lost its scripts
				want  int    // messages counted after
				trips int64
			}{
				{"guard holds", "7", "7", false, 1, 1},
				{"guard fails", "6", "7", false, 1, 1},
				{"script lost", "8", "8", true, 2, 3}, // the pipeline, NOSCRIPT's EVALSHA and EVAL
			}
			for i, tt := range tests {
				if tt.flush {
					if err := c.ScriptFlush(ctx).Err(); err != nil {
						t.Fatal(err)
					}
				}
				before := hooks.n.Load()
				pipe := c.TxPipeline()
				pipe.HSet(ctx, guardKey, "v", tt.write)
				ev := stats.Events{At: time.Now(), User: int64(i + 1), Message: true}
				done, err := s.RecordPipelined(ctx, pipe, ev, &redisstore.StatsGuard{Key: guardKey, Field: "v", Value: tt.guard})
				if err != nil {
					t.Fatal(err)
				}
				pipe.Exec(ctx)
				if err := done(ctx); err != nil {
					t.Errorf("%s: done() = %v", tt.name, err)
				}
				if trips := hooks.n.Load() - before; trips > tt.trips {
					t.Errorf("%s: %d round trips; want %d", tt.name, trips, tt.trips)
				}
				r, err := s.Report(ctx, 1, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if got := r.Days[0].Messages; got != tt.want {
					t.Errorf("%s: %d messages counted; want %d", tt.name, got, tt.want)
				}
			}
			if _, err := s.RecordPipelined(ctx, c.Pipeline(), stats.Events{At: time.Now(), Sent: -1}, nil); !errors.Is(err, stats.ErrInvalid) {
				t.Errorf("RecordPipelined(invalid) = %v; want ErrInvalid", err)
			}
		})
	}
}

// tripHook counts the round trips of a client to Redis but those that
// set up a new connection.
type tripHook struct{ n atomic.Int64 }

func (h *tripHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *tripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "hello" {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *tripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) == 0 || cmds[0].Name() != "client" {
			h.n.Add(1)
		}
		return next(ctx, cmds)
	}
}

// BenchmarkStatsReport measures the report of 90 days of 10,000 users:
// each user active on 9 days, with messages, checks, topics and a few
// unanswered questions (2,000 kept).
//
//	go test -run '^$' -bench StatsReport -benchtime 100x ./redisstore/
func BenchmarkStatsReport(b *testing.B) {
	st := openRedisStore(b)
	s, c, ctx := st.Stats(), st.Client(), b.Context()
	now := time.Now()
	questions := []string{"occupation_years", "certificate", "years_since_certificate", "education", "major", "years_since_graduation", "training.level4", "training.level3"}
	topics := []string{"photo", "exam_date", "materials", "location", "registration_time", "certificate", "score_review"}
	const users, days = 10000, 90
	start := time.Now()
	pipe := c.Pipeline()
	n := 0
	for u := 1; u <= users; u++ {
		for k := range 9 {
			at := now.Add(-time.Duration((u*7+k*10)%days) * 24 * time.Hour)
			ev := stats.Events{At: at, User: int64(u), Lang: "zh-Hant", Message: true, Topics: []string{topics[(u+k)%len(topics)]}}
			switch k {
			case 0:
				ev.Started, ev.Reached = true, questions[:1]
			case 1:
				ev.Answered, ev.Reached = questions[:1], questions[1:2+u%6]
			case 2:
				if u%3 == 0 {
					ev.Abandoned = questions[1]
				} else {
					ev.Completed, ev.Result = true, stats.Result{Level: u % 5, Route: []string{"", stats.RouteIndividual, stats.RouteTraining}[min(u%5, 1+u%2)]}
				}
			case 3:
				ev.Unanswered = fmt.Sprintf("問題 %d 怎麼辦", u%2000)
			}
			done, err := s.RecordPipelined(ctx, pipe, ev, nil)
			if err != nil {
				b.Fatal(err)
			}
			_ = done
			if n++; n%1000 == 0 {
				if _, err := pipe.Exec(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("recorded %d events in %v", n, time.Since(start))
	b.ResetTimer()
	for b.Loop() {
		r, err := s.Report(ctx, days, now)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Days) != days || len(r.Unanswered) != stats.ReportQuestions || r.Total().NewUsers != users {
			b.Fatalf("Report(%d) has %d days, %d unanswered, %d new users; want %d, %d, %d", days, len(r.Days), len(r.Unanswered), r.Total().NewUsers, days, stats.ReportQuestions, users)
		}
	}
}
