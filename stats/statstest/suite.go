package statstest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"examdesk/stats"
)

// TestStore checks that the stores open returns (each empty, and the
// test's own) keep the promises of stats.Store. Questions expire by the
// wall clock: the events are dated around time.Now.
func TestStore(t *testing.T, open func(t *testing.T) stats.Store) {
	now := time.Now()
	day := func(ago int) time.Time { return now.Add(-time.Duration(ago) * 24 * time.Hour) }
	date := func(ago int) string { return stats.Day(day(ago)) }
	msg := func(ago int, user int64) stats.Events {
		return stats.Events{At: day(ago), User: user, Lang: "en", Message: true}
	}
	record := func(t *testing.T, s stats.Store, evs ...stats.Events) {
		t.Helper()
		for _, ev := range evs {
			if err := s.Record(t.Context(), ev); err != nil {
				t.Fatalf("Record(%+v) = %v", ev, err)
			}
		}
	}
	report := func(t *testing.T, s stats.Store, days int) stats.Report {
		t.Helper()
		r, err := s.Report(t.Context(), days, now)
		if err != nil {
			t.Fatalf("Report(%d) = %v", days, err)
		}
		return r
	}

	t.Run("days", func(t *testing.T) {
		s := open(t)
		record(t, s,
			msg(2, 1), msg(2, 2), msg(2, 1),
			msg(1, 1),
			msg(0, 3), msg(0, 2), msg(0, 2),
			stats.Events{At: day(0), Sent: 5, Blocked: 1, Failed: 2},
			stats.Events{At: day(0), User: 2}, // not a message: counts nothing
		)
		want := []stats.DayCounts{
			{Date: date(3)},
			{Date: date(2), NewUsers: 2, ActiveUsers: 2, Messages: 3},
			{Date: date(1), ActiveUsers: 1, Messages: 1},
			{Date: date(0), NewUsers: 1, ActiveUsers: 2, Messages: 3, BroadcastSent: 5, BroadcastBlocked: 1, BroadcastFailed: 2},
		}
		if got := report(t, s, 4).Days; !reflect.DeepEqual(got, want) {
			t.Errorf("Report(4).Days = %+v; want %+v", got, want)
		}
		if got := report(t, s, 1).Days; !reflect.DeepEqual(got, want[3:]) {
			t.Errorf("Report(1).Days = %+v; want %+v", got, want[3:])
		}
		for _, days := range []int{0, -1, stats.MaxDays + 1} {
			if _, err := s.Report(t.Context(), days, now); err == nil {
				t.Errorf("Report(%d) = nil error; want one", days)
			}
		}
	})

	t.Run("check", func(t *testing.T) {
		s := open(t)
		ev := func(user int64, edit func(*stats.Events)) stats.Events {
			e := msg(0, user)
			edit(&e)
			return e
		}
		record(t, s,
			// 1 completes at level 3, in person.
			ev(1, func(e *stats.Events) { e.Started, e.Reached = true, []string{"occupation_years"} }),
			ev(1, func(e *stats.Events) { e.Answered, e.Reached = []string{"occupation_years"}, []string{"education"} }),
			ev(1, func(e *stats.Events) {
				e.Answered, e.Completed, e.Result = []string{"education"}, true, stats.Result{Level: 3, Route: stats.RouteIndividual}
			}),
			// 2 gives up at the first question.
			ev(2, func(e *stats.Events) { e.Started, e.Reached = true, []string{"occupation_years"} }),
			ev(2, func(e *stats.Events) { e.Abandoned = "occupation_years" }),
			// 3 completes at level 2 through training, 4 at none.
			ev(3, func(e *stats.Events) {
				e.Started, e.Completed, e.Result = true, true, stats.Result{Level: 2, Route: stats.RouteTraining}
			}),
			ev(4, func(e *stats.Events) { e.Completed = true }),
			ev(4, func(e *stats.Events) { e.Topics = []string{"photo", "exam_date"} }),
			ev(5, func(e *stats.Events) { e.Topics = []string{"photo"} }),
		)
		r := report(t, s, 7)
		today := r.Days[6]
		if today.ChecksStarted != 3 || today.ChecksCompleted != 3 || today.ChecksAbandoned != 1 || today.Messages != 9 || today.NewUsers != 5 {
			t.Errorf("Report(7).Days[6] = %+v; want 3 started, 3 completed, 1 abandoned, 9 messages, 5 new users", today)
		}
		wantFunnel := []stats.Step{
			{Question: "occupation_years", Reached: 2, Answered: 1, Abandoned: 1},
			{Question: "education", Reached: 1, Answered: 1},
		}
		if !reflect.DeepEqual(r.Funnel, wantFunnel) {
			t.Errorf("Report(7).Funnel = %+v; want %+v", r.Funnel, wantFunnel)
		}
		wantResults := stats.Results{ByLevel: [5]int{1, 0, 1, 1, 0}, Training: [5]int{0, 0, 1, 0, 0}}
		if r.Results != wantResults {
			t.Errorf("Report(7).Results = %+v; want %+v", r.Results, wantResults)
		}
		if want := map[string]int{"photo": 2, "exam_date": 1}; !reflect.DeepEqual(r.Topics, want) {
			t.Errorf("Report(7).Topics = %v; want %v", r.Topics, want)
		}
	})

	t.Run("unanswered", func(t *testing.T) {
		s := open(t)
		ask := func(ago int, user int64, lang, text string) stats.Events {
			e := msg(ago, user)
			e.Lang, e.Unanswered = lang, text
			return e
		}
		record(t, s,
			ask(0, 1, "zh-Hant", "考試費用 多少？"),
			ask(1, 2, "zh-Hant", "考試費用多少"),
			ask(0, 1, "zh-Hant", "考試費用多少!!"),
			ask(3, 3, "en", "Is there PARKING?"),
			ask(10, 4, "en", "Is the exam online"),
			ask(0, 5, "en", "???"), // a don't-know, but nothing to keep
			// Asked last long ago: expired.
			ask(int(stats.Keep/(24*time.Hour))+1, 6, "en", "an old question"),
		)
		fee := stats.Question{ID: stats.QuestionID("考試費用多少"), Text: "考試費用多少", Count: 3, Users: 2, Last: date(0), Lang: "zh-Hant"}
		parking := stats.Question{ID: stats.QuestionID("is there parking"), Text: "is there parking", Count: 1, Users: 1, Last: date(3), Lang: "en"}
		online := stats.Question{ID: stats.QuestionID("is the exam online"), Text: "is the exam online", Count: 1, Users: 1, Last: date(10), Lang: "en"}
		r := report(t, s, 7)
		if want := []stats.Question{fee, parking}; !reflect.DeepEqual(r.Unanswered, want) {
			t.Errorf("Report(7).Unanswered = %+v; want %+v", r.Unanswered, want)
		}
		if got := r.Total().DontKnow; got != 5 {
			t.Errorf("Report(7) counts %d don't-knows; want 5", got)
		}
		got, err := s.Unanswered(t.Context(), 10, day(30))
		if want := []stats.Question{fee, parking, online}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Unanswered(10, 30 days ago) = %+v, %v; want %+v", got, err, want)
		}
		if got, err := s.Unanswered(t.Context(), 1, day(30)); err != nil || len(got) != 1 || got[0].ID != fee.ID {
			t.Errorf("Unanswered(1, …) = %+v, %v; want the fee question alone", got, err)
		}
		if q, err := s.Question(t.Context(), parking.ID); err != nil || q != parking {
			t.Errorf("Question(%s) = %+v, %v; want %+v", parking.ID, q, err, parking)
		}
		old := stats.QuestionID("an old question")
		if _, err := s.Question(t.Context(), old); !errors.Is(err, stats.ErrNotFound) {
			t.Errorf("Question(the expired one) = %v; want ErrNotFound", err)
		}
	})

	t.Run("teach", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		record(t, s,
			stats.Events{At: day(0), User: 1, Lang: "zh-Hans", Unanswered: "相片可以用手机拍吗"},
			stats.Events{At: day(0), User: 2, Lang: "zh-Hans", Unanswered: "相片可以用手机拍吗？"},
			stats.Events{At: day(0), User: 1, Lang: "en", Unanswered: "what is the weather"},
		)
		v0, err := s.ExamplesVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		photo := stats.QuestionID("相片可以用手机拍吗")
		weather := stats.QuestionID("what is the weather")
		at := now.Truncate(time.Second)
		for _, tt := range []struct {
			id, topic string
			want      error
		}{
			{"123", "photo", stats.ErrNotFound},
			{photo, "", stats.ErrTopic},
			{photo, "Photo!", stats.ErrTopic},
		} {
			if _, err := s.Teach(ctx, tt.id, tt.topic, "tg:9", at); !errors.Is(err, tt.want) {
				t.Errorf("Teach(%s, %q) = %v; want %v", tt.id, tt.topic, err, tt.want)
			}
		}
		if v, _ := s.ExamplesVersion(ctx); v != v0 {
			t.Errorf("ExamplesVersion after failed Teach = %d; want %d unchanged", v, v0)
		}
		ex, err := s.Teach(ctx, photo, "photo", "tg:9", at)
		want := stats.Example{Seq: 1, Text: "相片可以用手机拍吗", Lang: "zh-Hans", Topic: "photo", By: "tg:9", At: at, Count: 2}
		if err != nil || !sameExample(ex, want) {
			t.Fatalf("Teach(photo) = %+v, %v; want %+v", ex, err, want)
		}
		if _, err := s.Teach(ctx, photo, "photo", "tg:9", at); !errors.Is(err, stats.ErrNotFound) {
			t.Errorf("Teach(photo) again = %v; want ErrNotFound", err)
		}
		if _, err := s.Teach(ctx, weather, stats.OffTopic, "tg:8", at.Add(time.Second)); err != nil {
			t.Fatalf("Teach(weather, off topic) = %v", err)
		}
		v2, err := s.ExamplesVersion(ctx)
		if err != nil || v2 == v0 {
			t.Errorf("ExamplesVersion after two examples = %d, %v; want a change from %d", v2, err, v0)
		}
		exs, v, err := s.Examples(ctx)
		if err != nil || v != v2 || len(exs) != 2 || !sameExample(exs[0], want) || exs[1].Topic != stats.OffTopic || exs[1].Seq != 2 || exs[1].By != "tg:8" || exs[1].Lang != "en" {
			t.Errorf("Examples() = %+v, %d, %v; want the photo example then the off-topic one, version %d", exs, v, err, v2)
		}
		// Taught questions are not listed again, but still counted.
		record(t, s, stats.Events{At: day(0), User: 3, Lang: "zh-Hans", Unanswered: "相片可以用手机拍吗"})
		if got, err := s.Unanswered(ctx, 10, day(1)); err != nil || len(got) != 0 {
			t.Errorf("Unanswered() after teaching both = %+v, %v; want none", got, err)
		}
		if got := report(t, s, 1).Days[0].DontKnow; got != 4 {
			t.Errorf("don't-knows = %d; want 4", got)
		}
	})

	t.Run("forget", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		ask := func(user int64, text string) stats.Events {
			return stats.Events{At: day(1), User: user, Lang: "en", Message: true, Unanswered: text}
		}
		record(t, s, ask(1, "shared question"), ask(1, "shared question"), ask(2, "shared question"), ask(1, "my own question"))
		for range 2 {
			if err := s.Forget(ctx, 1); err != nil {
				t.Fatalf("Forget(1) = %v", err)
			}
		}
		got, err := s.Unanswered(ctx, 10, day(7))
		want := []stats.Question{{ID: stats.QuestionID("shared question"), Text: "shared question", Count: 1, Users: 1, Last: date(1), Lang: "en"}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Unanswered() after Forget(1) = %+v, %v; want %+v", got, err, want)
		}
		if err := s.Forget(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Unanswered(ctx, 10, day(7)); err != nil || len(got) != 0 {
			t.Errorf("Unanswered() after Forget(2) = %+v, %v; want none", got, err)
		}
		// The counts stay; a forgotten user seen again is new again.
		record(t, s, msg(0, 1))
		r := report(t, s, 2)
		if r.Days[0].NewUsers != 2 || r.Days[0].DontKnow != 4 || r.Days[1].NewUsers != 1 {
			t.Errorf("Report(2).Days = %+v; want 2 new users and 4 don't-knows kept, then user 1 new again", r.Days)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		s := open(t)
		bad := []stats.Events{
			{At: day(0), User: 1, Message: true, Reached: []string{"Bad Question"}},
			{At: day(0), User: 1, Message: true, Completed: true, Result: stats.Result{Level: 5}},
			{At: day(0), User: 1, Message: true, Completed: true, Result: stats.Result{Level: 2, Route: "walk"}},
			{At: day(0), Sent: -1},
			{At: day(0), Unanswered: "who asked?"},
			{User: 1, Message: true},
		}
		for _, ev := range bad {
			if err := s.Record(t.Context(), ev); !errors.Is(err, stats.ErrInvalid) {
				t.Errorf("Record(%+v) = %v; want ErrInvalid", ev, err)
			}
		}
		if r := report(t, s, 1); r.Days[0] != (stats.DayCounts{Date: date(0)}) || len(r.Funnel) != 0 || r.Results.Total() != 0 {
			t.Errorf("Report(1) after invalid events = %+v; want nothing counted", r)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				for i := range 25 {
					ev := msg(0, int64(1+i%10))
					ev.Topics = []string{"photo"}
					if g == 0 && i == 0 {
						ev.Unanswered = fmt.Sprintf("question %d", g)
					}
					if err := s.Record(t.Context(), ev); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("Record = %v", err)
		}
		r := report(t, s, 1)
		if d := r.Days[0]; d.Messages != 200 || d.NewUsers != 10 || d.ActiveUsers != 10 || r.Topics["photo"] != 200 || len(r.Unanswered) != 1 {
			t.Errorf("Report(1) after 8×25 concurrent records = %+v; want 200 messages, 10 new and active users, 200 photo, 1 unanswered", r)
		}
	})
}

// sameExample compares examples, their times as instants.
func sameExample(a, b stats.Example) bool {
	return a.At.Equal(b.At) && a.Seq == b.Seq && a.Text == b.Text && a.Lang == b.Lang && a.Topic == b.Topic && a.By == b.By && a.Count == b.Count
}
