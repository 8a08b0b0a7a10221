package dashboard_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/calendar"
	"examdesk/calendar/calendartest"
	"examdesk/dashboard"
	"examdesk/locales"
	"examdesk/stats"
	"examdesk/stats/statstest"
)

const (
	token   = "123456:dashboard-test-token"
	adminID = 4242
	otherID = 5151
)

var topics = []string{"eligibility", "levels", "registration_time", "registration_place", "materials",
	"application_form", "work_proof", "thesis", "exam_date", "admission_ticket", "photo",
	"score_review", "defence", "certificate", "retake", "training_route", "location"}

// queue is a list of broadcasts in memory.
type queue struct {
	mu   sync.Mutex
	list []broadcast.Status
}

func (q *queue) List(_ context.Context, n int) ([]broadcast.Status, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.list[:min(n, len(q.list))], nil
}

// fixture is a dashboard on statistics, broadcasts and a calendar in
// memory, with a few weeks of use.
type fixture struct {
	h     *dashboard.Handler
	store *statstest.Store
	now   time.Time
}

var catalog = sync.OnceValues(locales.Load)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	c, err := catalog()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: &statstest.Store{}, now: time.Now()}
	cal := calendartest.MemStore{}
	cache, err := calendar.NewCache(&cal, calendar.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	y := f.now.In(examdesk.China).Year()
	_, err = cache.PutSession(context.Background(), calendar.Session{ID: fmt.Sprintf("%d-2", y),
		Opens: calendar.NewDate(y, 9, 1), Closes: calendar.NewDate(y, 9, 15),
		Exams: []calendar.Date{calendar.NewDate(y, 11, 14)}, Scores: calendar.NewDate(y, 12, 20)})
	if err != nil {
		t.Fatal(err)
	}
	created := f.now.Add(-26 * time.Hour)
	q := &queue{list: []broadcast.Status{
		{ID: "b-20261205T020000-abcdef", State: broadcast.Sending, Total: 120, Sent: 80, Blocked: 3, Failed: 1, Pending: 36, By: "tg:4242", Created: f.now.Add(-time.Hour), At: f.now.Add(-time.Hour)},
		{ID: "b-20261204T010000-ghijkl", State: broadcast.Done, Total: 300, Sent: 290, Blocked: 8, Failed: 2, By: "cli:alice", Created: created, At: created},
	}}
	f.h = dashboard.New(dashboard.Config{
		Token: token, Admins: []int64{adminID}, Stats: f.store, Broadcasts: q,
		Calendar: cache.View, Messages: c, Topics: topics,
	})
	f.populate(t)
	return f
}

// populate records four weeks of candidates.
func (f *fixture) populate(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	questions := []string{"occupation_years", "certificate", "education", "major"}
	asked := []string{"考試費用多少", "可以網上報名嗎", "考場有冷氣嗎", "is there parking near the centre", "报名费怎么交"}
	for _, ev := range []stats.Events{
		{At: f.now.Add(-26 * time.Hour), Sent: 290, Blocked: 8, Failed: 2},
		{At: f.now, Sent: 80, Blocked: 3, Failed: 1},
	} {
		if err := f.store.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for day := 27; day >= 0; day-- {
		at := f.now.Add(-time.Duration(day) * 24 * time.Hour)
		users := 3 + (27-day)%5 + (27-day)/4
		for u := 1; u <= users; u++ {
			user := int64(day*100 + u)
			lang := []string{"zh-Hant", "zh-Hans", "en"}[u%3]
			evs := []stats.Events{
				{At: at, User: user, Lang: lang, Message: true, Started: true, Reached: questions[:1]},
				{At: at, User: user, Lang: lang, Message: true, Answered: questions[:1], Reached: questions[1 : 2+u%3]},
				{At: at, User: user, Lang: lang, Message: true, Topics: []string{topics[(u*7+day)%len(topics)]}},
			}
			if u%4 == 0 {
				evs = append(evs, stats.Events{At: at, User: user, Lang: lang, Message: true, Abandoned: questions[1]})
			} else {
				evs = append(evs, stats.Events{At: at, User: user, Lang: lang, Message: true, Completed: true,
					Result: stats.Result{Level: examdesk.Level(u % 5), Route: []string{"", stats.RouteIndividual, stats.RouteTraining}[min(u%5, 1+u%2)]}})
			}
			if u%3 == 0 {
				evs = append(evs, stats.Events{At: at, User: user, Lang: lang, Message: true, Unanswered: asked[(u+day)%len(asked)]})
			}
			for _, ev := range evs {
				if err := f.store.Record(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// initData returns an initData of user signed at authDate.
func initData(user int64, lang string, authDate time.Time) string {
	return dashboard.SignUser(dashboard.User{ID: user, FirstName: "陳", LastName: "大文 + %", LanguageCode: lang}, authDate, token)
}
