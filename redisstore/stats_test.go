package redisstore_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"examdesk"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/redisstore"
	"examdesk/stats"
	"examdesk/stats/statstest"
)

func TestStats(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			statstest.TestStore(t, func(t *testing.T) stats.Store { return b.open(t).Stats() })
		})
	}
}

// TestStatsLayout checks the keys of the statistics: a user's text only in
// the question's hash, which expires with its askers and the user's list
// Keep after it was last asked; the day's counters expire too.
func TestStatsLayout(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
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

// TestCommitCounted checks the events recorded by the update's commit:
// in its one round trip, once when the script is sent again after a lost
// reply, and not at all when the commit is refused (a conflict, a lease
// lost, events that do not validate); and that the outbox and the turn of
// its first entry, which follow the pace's and the counts' arguments, are
// the commit's as without counts.
func TestCommitCounted(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			st := b.open(t)
			q, err := st.Inbox(redisstore.WithPace(redisstore.DefaultPace))
			if err != nil {
				t.Fatal(err)
			}
			s, c, ctx := st.Stats(), st.Client(), t.Context()
			var trips roundTripHook
			var twice twiceHook
			c.AddHook(&trips)
			c.AddHook(&twice)
			ev := func(user int64, text string) stats.Events {
				return stats.Events{At: time.Now(), User: user, Lang: "en", Message: true, Topics: []string{"photo"}, Unanswered: text}
			}
			out := [][]byte{[]byte("a"), []byte("b")}
			tests := []struct {
				name    string
				edit    func(j *inbox.Job, st *dialog.State)
				ev      stats.Events
				twice   bool
				wantErr error // nil: committed
			}{
				{"committed", nil, ev(1, "Where to park?"), false, nil},
				{"sent again", nil, ev(2, "Where to park?"), true, nil},
				{"conflict", func(_ *inbox.Job, st *dialog.State) { st.Version = 7 }, ev(3, "Lunch?"), false, dialog.ErrConflict},
				{"lease lost", func(j *inbox.Job, _ *dialog.State) { j.Lease = "stolen" }, ev(4, "Lunch?"), false, inbox.ErrLeaseLost},
				{"invalid events", nil, stats.Events{At: time.Now(), User: 5, Message: true, Topics: []string{"Not An ID"}}, false, stats.ErrInvalid},
			}
			for i, tt := range tests {
				chat := int64(100 + i)
				if _, err := q.Add(ctx, []inbox.Update{testUpdate(int64(i+1), chat, tt.ev.User)}); err != nil {
					t.Fatal(err)
				}
				j := mustClaim(t, q)
				next := dialog.State{Step: 1}
				if tt.edit != nil {
					tt.edit(&j, &next)
				}
				twice.on.Store(tt.twice)
				trips.n.Store(0)
				_, turn, err := q.CommitCounted(ctx, j, next, out, tt.ev)
				twice.on.Store(false)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Errorf("%s: CommitCounted() = %v; want %v", tt.name, err, tt.wantErr)
				}
				if turn != (inbox.Turn{}) {
					t.Errorf("%s: CommitCounted() turn = %+v; want the first entry's at once", tt.name, turn)
				}
				if got := trips.n.Load(); got > 1 && i > 0 {
					t.Errorf("%s: %d round trips; want 1", tt.name, got)
				}
				wantOut := []string(nil)
				if tt.wantErr == nil {
					wantOut = []string{"a", "b"}
				}
				if got := c.LRange(ctx, st.Prefix()+"out:"+strconv.FormatInt(chat, 10), 0, -1).Val(); !slices.Equal(got, wantOut) {
					t.Errorf("%s: outbox after = %q; want %q", tt.name, got, wantOut)
				}
				saved, err := st.Load(ctx, examdesk.Key{Chat: chat, User: tt.ev.User})
				if err != nil {
					t.Fatal(err)
				}
				if committed := saved.Version == 1; committed != (tt.wantErr == nil) {
					t.Errorf("%s: state after = %+v; want committed %v", tt.name, saved, tt.wantErr == nil)
				}
			}
			r, err := s.Report(ctx, 1, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			d := r.Days[0]
			var asked []string
			for _, q := range r.Unanswered {
				asked = append(asked, fmt.Sprintf("%q ×%d by %d", q.Text, q.Count, q.Users))
			}
			got := fmt.Sprintf("messages %d, new users %d, don't know %d, photo %d, unanswered %v", d.Messages, d.NewUsers, d.DontKnow, r.Topics["photo"], asked)
			want := `messages 2, new users 2, don't know 2, photo 2, unanswered ["where to park" ×2 by 2]`
			if got != want {
				t.Errorf("after the commits: %s; want %s", got, want)
			}
		})
	}
}

// BenchmarkStatsReport measures the report of 90 days of 10,000 users:
// each user active on 9 days, with messages, checks, topics and a few
// unanswered questions (2,000 kept).
//
//	go test -run '^$' -bench StatsReport -benchtime 100x ./redisstore/
func BenchmarkStatsReport(b *testing.B) {
	st := openRedisStore(b)
	s, ctx := st.Stats(), b.Context()
	now := time.Now()
	questions := []string{"occupation_years", "certificate", "years_since_certificate", "education", "major", "years_since_graduation", "training.level4", "training.level3"}
	topics := []string{"photo", "exam_date", "materials", "location", "registration_time", "certificate", "score_review"}
	const users, days = 10000, 90
	start := time.Now()
	var evs []stats.Events
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
					ev.Completed, ev.Result = true, stats.Result{Level: examdesk.Level(u % 5), Route: []string{"", stats.RouteIndividual, stats.RouteTraining}[min(u%5, 1+u%2)]}
				}
			case 3:
				ev.Unanswered = fmt.Sprintf("問題 %d 怎麼辦", u%2000)
			}
			evs = append(evs, ev)
		}
	}
	// Recorded by 16 callers at once, as many serves' workers would.
	var g errgroup.Group
	g.SetLimit(16)
	for _, ev := range evs {
		g.Go(func() error { return s.Record(ctx, ev) })
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.Logf("recorded %d events in %v", len(evs), time.Since(start))
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
