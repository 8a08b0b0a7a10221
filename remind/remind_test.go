package remind_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
	"examdesk/calendar"
	"examdesk/locales"
	"examdesk/remind"
)

func date(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// utc parses a time in UTC: 09:00 in China is 01:00 UTC.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// sessions are, with the holidays of 2026 (National Day 1–7 October, 10
// October a working Saturday):
//
//	2026-4   registration 1–18 September, exam Wednesday 14 October
//	         (tickets 8, 9, 10, 12, 13 October), scores Friday 6 November
//	         (review until Friday 20 November)
//	2026-1   all past by September
//	short    registration 17–18 September only, exam 14 October
//	2027-1   registration 1–4 March 2027, scores not known yet
func view(t testing.TB) *calendar.View {
	t.Helper()
	h, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ss := []calendar.Session{
		{ID: "2026-1", Opens: date(t, "2026-03-02"), Closes: date(t, "2026-03-13"), Exams: []calendar.Date{date(t, "2026-04-18")}, Scores: date(t, "2026-05-15")},
		{ID: "2026-4", Opens: date(t, "2026-09-01"), Closes: date(t, "2026-09-18"), Exams: []calendar.Date{date(t, "2026-10-14")}, Scores: date(t, "2026-11-06")},
		{ID: "short", Opens: date(t, "2026-09-17"), Closes: date(t, "2026-09-18"), Exams: []calendar.Date{date(t, "2026-10-14")}},
		{ID: "2027-1", Opens: date(t, "2027-03-01"), Closes: date(t, "2027-03-04"), Exams: []calendar.Date{date(t, "2027-04-17")}},
	}
	for _, s := range ss {
		if err := s.Validate(); err != nil {
			t.Fatalf("session %s: %v", s.ID, err)
		}
	}
	return &calendar.View{Sessions: ss, Holidays: h}
}

func TestPlan(t *testing.T) {
	v := view(t)
	s, _ := v.Session("2026-4")
	got := remind.Plan(s, v.Derive(s))
	want := []remind.Reminder{
		{Session: "2026-4", Kind: remind.RegistrationClosing, At: utc(t, "2026-09-15 01:00"), Until: utc(t, "2026-09-18 16:00"), Date: date(t, "2026-09-18")},
		{Session: "2026-4", Kind: remind.TicketsOpen, At: utc(t, "2026-10-08 01:00"), Until: utc(t, "2026-10-13 16:00"), Date: date(t, "2026-10-08"), To: date(t, "2026-10-13")},
		{Session: "2026-4", Kind: remind.ReviewClosing, At: utc(t, "2026-11-18 01:00"), Until: utc(t, "2026-11-20 16:00"), Date: date(t, "2026-11-20")},
	}
	if len(got) != len(want) {
		t.Fatalf("Plan(2026-4) = %+v; want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Session != w.Session || g.Kind != w.Kind || !g.At.Equal(w.At) || !g.Until.Equal(w.Until) || g.Date != w.Date || g.To != w.To {
			t.Errorf("Plan(2026-4)[%d] = %+v; want %+v", i, g, w)
		}
	}
	if id := got[0].ID(); id != "r-2026-4-registration_closing" {
		t.Errorf("ID() = %q; want r-2026-4-registration_closing", id)
	}
	// Without a scores date there is no review reminder; a registration
	// shorter than three days is reminded of when it opens.
	s, _ = v.Session("short")
	got = remind.Plan(s, v.Derive(s))
	if len(got) != 2 || got[0].Kind != remind.RegistrationClosing || !got[0].At.Equal(utc(t, "2026-09-17 01:00")) || got[1].Kind != remind.TicketsOpen {
		t.Errorf("Plan(short) = %+v; want registration at 2026-09-17 01:00 UTC and tickets", got)
	}
	if got := remind.Plan(calendar.Session{ID: "empty"}, calendar.Derived{}); len(got) != 0 {
		t.Errorf("Plan of a session without dates = %+v; want none", got)
	}
}

func TestDue(t *testing.T) {
	v := view(t)
	tests := []struct {
		now  string // UTC
		want []string
	}{
		{"2026-05-01 00:00", nil}, // 2026-1's review is over; its reminders are never sent late
		{"2026-09-15 00:59", nil},
		{"2026-09-15 01:00", []string{"r-2026-4-registration_closing"}},
		{"2026-09-17 03:00", []string{"r-2026-4-registration_closing", "r-short-registration_closing"}},
		{"2026-09-18 15:59", []string{"r-2026-4-registration_closing", "r-short-registration_closing"}},
		{"2026-09-18 16:00", nil},
		{"2026-10-08 00:59", nil},
		{"2026-10-08 01:00", []string{"r-2026-4-tickets_open", "r-short-tickets_open"}},
		{"2026-10-13 15:59", []string{"r-2026-4-tickets_open", "r-short-tickets_open"}},
		{"2026-10-13 16:00", nil},
		{"2026-11-18 00:59", nil},
		{"2026-11-18 01:00", []string{"r-2026-4-review_closing"}},
		{"2026-11-20 16:00", nil},
		{"2027-03-01 01:00", []string{"r-2027-1-registration_closing"}},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range remind.Due(v, utc(t, tt.now)) {
			got = append(got, r.ID())
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Due(%s UTC) = %v; want %v", tt.now, got, tt.want)
		}
	}
	if got := remind.Due(nil, utc(t, "2026-09-15 01:00")); got != nil {
		t.Errorf("Due(nil) = %v; want nothing", got)
	}
}

func TestTexts(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := view(t)
	s, _ := v.Session("2026-4")
	want := map[remind.Kind]map[string][]string{
		remind.RegistrationClosing: {
			"en":      {"2026-4", "Friday, 18 September 2026", "/remind off"},
			"zh-Hant": {"2026-4", "2026年9月18日（星期五）", "/remind off"},
			"zh-Hans": {"2026-4", "2026年9月18日（星期五）", "/remind off"},
		},
		remind.TicketsOpen: {
			"en":      {"Thursday, 8 October 2026", "Tuesday, 13 October 2026"},
			"zh-Hant": {"2026年10月8日（星期四）", "2026年10月13日（星期二）"},
			"zh-Hans": {"2026年10月8日（星期四）", "2026年10月13日（星期二）"},
		},
		remind.ReviewClosing: {
			"en":      {"Friday, 20 November 2026"},
			"zh-Hant": {"2026年11月20日（星期五）"},
			"zh-Hans": {"2026年11月20日（星期五）"},
		},
	}
	for _, r := range remind.Plan(s, v.Derive(s)) {
		texts := remind.Texts(catalog, r)
		if texts[""] != texts["en"] {
			t.Errorf("Texts(%s)[\"\"] = %q; want the English text", r.ID(), texts[""])
		}
		for lang, words := range want[r.Kind] {
			got := texts[lang]
			for _, w := range words {
				if !strings.Contains(got, w) {
					t.Errorf("Texts(%s)[%s] = %q; lacks %q", r.ID(), lang, got, w)
				}
			}
			// Notices are sent exactly as written: no markup, no
			// placeholder left, no message missing.
			if strings.ContainsAny(got, "<>&") || strings.Contains(got, "{{") || strings.Contains(got, "reminder.") {
				t.Errorf("Texts(%s)[%s] = %q; want plain, complete text", r.ID(), lang, got)
			}
		}
	}
}

// TestTextsEstimated: a reminder whose working days fall in a year whose
// holidays are not published says its dates may shift.
func TestTextsEstimated(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	s := calendar.Session{ID: "2027-1", Opens: calendar.NewDate(2027, 3, 1), Closes: calendar.NewDate(2027, 3, 12),
		Exams: []calendar.Date{calendar.NewDate(2027, 4, 10)}, Scores: calendar.NewDate(2027, 5, 14)}
	want := map[string]string{"en": "2027 are not published", "zh-Hant": "2027年的法定節假日尚未公佈", "zh-Hans": "2027年的法定节假日尚未公布"}
	for _, r := range remind.Plan(s, h.Derive(s)) {
		texts := remind.Texts(catalog, r)
		for lang, w := range want {
			has := strings.Contains(texts[lang], w)
			if estimated := r.Kind != remind.RegistrationClosing; has != estimated {
				t.Errorf("Texts(%s)[%s] = %q; has the warning %t, want %t", r.ID(), lang, texts[lang], has, estimated)
			}
		}
	}
}

// queue is a broadcast.Queue in memory: Create is idempotent on the ID and
// counts the audience; fail makes the next Creates fail.
type queue struct {
	mu      sync.Mutex
	notices map[string]broadcast.Notice
	total   map[string]int
	creates int
	fail    int
}

var errDown = errors.New("queue is down")

func (q *queue) Create(ctx context.Context, n broadcast.Notice, audience broadcast.Subscribers) (broadcast.Status, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.creates++
	if q.fail > 0 {
		q.fail--
		return broadcast.Status{}, errDown
	}
	if _, ok := q.notices[n.ID]; ok {
		return broadcast.Status{ID: n.ID, State: broadcast.Queued, Total: q.total[n.ID]}, broadcast.ErrExists
	}
	total, err := audience.Count(ctx, n.Filter)
	if err != nil {
		return broadcast.Status{}, err
	}
	if q.notices == nil {
		q.notices, q.total = map[string]broadcast.Notice{}, map[string]int{}
	}
	q.notices[n.ID], q.total[n.ID] = n, total
	return broadcast.Status{ID: n.ID, State: broadcast.Queued, Total: total}, nil
}

func (q *queue) Status(_ context.Context, id string) (broadcast.Status, broadcast.Notice, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n, ok := q.notices[id]
	if !ok {
		return broadcast.Status{}, broadcast.Notice{}, broadcast.ErrNotFound
	}
	return broadcast.Status{ID: id, State: broadcast.Queued, Total: q.total[id]}, n, nil
}

func (q *queue) Cancel(ctx context.Context, id string) (broadcast.Status, error) {
	st, _, err := q.Status(ctx, id)
	return st, err
}

func (q *queue) List(context.Context, int) ([]broadcast.Status, error) { return nil, nil }

func TestScheduler(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	subs := &broadcasttest.Subscribers{}
	for _, s := range []broadcast.Subscriber{
		{Chat: 1, Lang: "en", Remind: true},
		{Chat: 2, Lang: "zh-Hant", Remind: true},
		{Chat: 3, Lang: "zh-Hans"},
	} {
		if err := subs.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	v := view(t)
	q := &queue{}
	newScheduler := func() *remind.Scheduler {
		return remind.NewScheduler(func() *calendar.View { return v }, q, subs, catalog, remind.SchedulerOptions{})
	}
	s := newScheduler()
	steps := []struct {
		name  string
		s     *remind.Scheduler
		now   string
		fail  int
		want  []string
		error bool
	}{
		{"before", s, "2026-09-15 00:59", 0, nil, false},
		{"due", s, "2026-09-15 01:00", 0, []string{"r-2026-4-registration_closing"}, false},
		{"not twice", s, "2026-09-15 01:01", 0, nil, false},
		{"not twice after a restart", newScheduler(), "2026-09-16 01:00", 0, nil, false},
		{"queue down", s, "2026-09-17 01:00", 1, nil, true},
		{"after the queue is back", s, "2026-09-17 01:01", 0, []string{"r-short-registration_closing"}, false},
		{"past session", s, "2027-01-01 01:00", 0, nil, false},
	}
	for _, st := range steps {
		q.mu.Lock()
		q.fail = st.fail
		q.mu.Unlock()
		got, err := st.s.Check(ctx, utc(t, st.now))
		if !reflect.DeepEqual(got, st.want) || (err != nil) != st.error {
			t.Errorf("%s: Check(%s UTC) = %v, %v; want %v, error %v", st.name, st.now, got, err, st.want, st.error)
		}
	}
	n := q.notices["r-2026-4-registration_closing"]
	if n.Filter != (broadcast.Filter{Remind: true}) || q.total[n.ID] != 2 || n.Texts["zh-Hant"] == "" || n.Texts["zh-Hans"] == "" || n.Texts["en"] == "" {
		t.Errorf("notice = %+v to %d; want to the 2 who want reminders, in every language", n, q.total[n.ID])
	}
	if len(q.notices) != 2 {
		t.Errorf("queued %d reminders; want 2", len(q.notices))
	}
	// The scheduler that queued a reminder does not ask the queue again;
	// one that restarted asks once.
	creates := q.creates
	for range 3 {
		s.Check(ctx, utc(t, "2026-09-17 02:00"))
	}
	if q.creates != creates {
		t.Errorf("Check called Create %d more times for reminders it queued; want 0", q.creates-creates)
	}
}

// TestRun checks that Run checks at once, then every Every, until its
// context is done.
func TestRun(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	v := view(t)
	synctest.Test(t, func(t *testing.T) {
		q := &queue{}
		now, start := utc(t, "2026-09-15 00:59"), time.Now()
		s := remind.NewScheduler(func() *calendar.View { return v }, q, &broadcasttest.Subscribers{}, catalog, remind.SchedulerOptions{
			Every: time.Minute,
			Now:   func() time.Time { return now.Add(time.Since(start)) },
		})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		count := func() int {
			synctest.Wait()
			q.mu.Lock()
			defer q.mu.Unlock()
			return len(q.notices)
		}
		if n := count(); n != 0 {
			t.Errorf("Run queued %d reminders at 00:59 UTC; want none", n)
		}
		time.Sleep(time.Minute)
		if n := count(); n != 1 {
			t.Errorf("Run queued %d reminders a minute later, at 01:00 UTC (09:00 in China); want 1", n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v; want nil", err)
		}
	})
}
