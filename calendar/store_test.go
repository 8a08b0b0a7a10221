package calendar_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"examdesk/calendar"
	"examdesk/calendar/calendartest"
)

func newCache(t *testing.T, st calendar.Store) *calendar.Cache {
	t.Helper()
	c, err := calendar.NewCache(st, calendar.CacheOptions{})
	if err != nil {
		t.Fatalf("NewCache() error: %v", err)
	}
	return c
}

func ids(v *calendar.View) []string {
	var out []string
	for _, s := range v.Sessions {
		out = append(out, s.ID)
	}
	return out
}

func session(t testing.TB, id, opens, closes, exams, scores string) calendar.Session {
	t.Helper()
	s := calendar.Session{ID: id, Opens: day(t, opens), Closes: day(t, closes), Exams: days(t, exams)}
	if scores != "" {
		s.Scores = day(t, scores)
	}
	return s
}

func testYear(n int) calendar.Year {
	return calendar.Year{Year: n, Papers: []string{"https://example.org/notice"}, Days: []calendar.Day{
		{Name: "test", Date: calendar.NewDate(n, 1, 1), OffDay: true},
	}}
}

func TestCache(t *testing.T) {
	ctx := t.Context()
	st := new(calendartest.MemStore)
	c := newCache(t, st)
	if v := c.View(); len(v.Sessions) != 0 || !v.Holidays.Published(2026) || v.Holidays.Published(2099) {
		t.Fatalf("NewCache().View() = %v sessions, published 2026 %v, 2099 %v; want none, true, false", ids(v), v.Holidays.Published(2026), v.Holidays.Published(2099))
	}

	// Another process writes; Refresh loads, ordered by first exam.
	late := session(t, "a-late", "2027-03-01", "2027-03-10", "2027-04-10", "")
	early := session(t, "z-early", "2026-08-03", "2026-08-14", "2026-10-12", "2026-11-20")
	for _, s := range []calendar.Session{late, early} {
		if err := st.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// A year added before a release embedded it: the embedded one counts.
	mine := testYear(2026)
	if err := st.PutYear(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if err := st.PutYear(ctx, testYear(2099)); err != nil {
		t.Fatal(err)
	}
	if got := ids(c.View()); len(got) != 0 {
		t.Errorf("View() before Refresh = %v; want no sessions", got)
	}
	if err := c.Refresh(ctx); err != nil {
		t.Fatalf("Refresh() error: %v", err)
	}
	v := c.View()
	if got, want := ids(v), []string{"z-early", "a-late"}; !slices.Equal(got, want) {
		t.Errorf("View().Sessions = %v; want %v", got, want)
	}
	if !v.Holidays.Published(2099) || v.Holidays.Working(calendar.NewDate(2099, 1, 1)) {
		t.Errorf("View() does not have the added year 2099")
	}
	if !slices.Equal(v.Superseded, []int{2026}) || v.Holidays.Working(calendar.NewDate(2026, 10, 1)) {
		t.Errorf("View().Superseded = %v, and 2026-10-01 working %v; want [2026], false", v.Superseded, v.Holidays.Working(calendar.NewDate(2026, 10, 1)))
	}

	// Changes through the cache show at once.
	changed := early
	changed.Scores = day(t, "2026-11-27")
	replaced, err := c.PutSession(ctx, changed)
	if err != nil || !replaced {
		t.Fatalf("PutSession(changed) = %v, %v; want true, nil", replaced, err)
	}
	if s, _ := c.View().Session("z-early"); s.Scores != changed.Scores {
		t.Errorf("View().Session(z-early).Scores = %v; want %v", s.Scores, changed.Scores)
	}
	if v.Sessions[0].Scores != early.Scores {
		t.Errorf("PutSession changed an older View")
	}
	newer := session(t, "b", "2026-05-01", "2026-05-10", "2026-06-01", "")
	if replaced, err := c.PutSession(ctx, newer); err != nil || replaced {
		t.Fatalf("PutSession(new) = %v, %v; want false, nil", replaced, err)
	}
	if got, want := ids(c.View()), []string{"b", "z-early", "a-late"}; !slices.Equal(got, want) {
		t.Errorf("View().Sessions after PutSession = %v; want %v", got, want)
	}
	if ok, err := c.RemoveSession(ctx, "a-late"); !ok || err != nil {
		t.Errorf("RemoveSession(a-late) = %v, %v; want true, nil", ok, err)
	}
	if ok, err := c.RemoveSession(ctx, "a-late"); ok || err != nil {
		t.Errorf("RemoveSession(a-late) again = %v, %v; want false, nil", ok, err)
	}
	if got, want := ids(c.View()), []string{"b", "z-early"}; !slices.Equal(got, want) {
		t.Errorf("View().Sessions after RemoveSession = %v; want %v", got, want)
	}

	// A session that is not valid is refused, and nothing changes.
	bad := newer
	bad.Closes = day(t, "2026-06-02")
	var ce *calendar.Error
	if _, err := c.PutSession(ctx, bad); !errors.As(err, &ce) || ce.Key != "calendar.error.order" {
		t.Errorf("PutSession(closes after exam) = %v; want calendar.error.order", err)
	}

	// Years: an embedded one is refused; an added one counts at once.
	if _, err := c.AddYear(ctx, mine); !errors.Is(err, calendar.ErrBuiltinYear) {
		t.Errorf("AddYear(2026) = %v; want ErrBuiltinYear", err)
	}
	y := testYear(2098)
	if replaced, err := c.AddYear(ctx, y); err != nil || replaced {
		t.Errorf("AddYear(2098) = %v, %v; want false, nil", replaced, err)
	}
	if replaced, err := c.AddYear(ctx, y); err != nil || !replaced {
		t.Errorf("AddYear(2098) again = %v, %v; want true, nil", replaced, err)
	}
	if !c.View().Holidays.Published(2098) {
		t.Errorf("View() after AddYear(2098) does not have it")
	}
	if _, err := c.AddYear(ctx, calendar.Year{Year: 2097}); err == nil {
		t.Errorf("AddYear(no papers) = nil; want an error")
	}

	// The store as the cache left it, loaded afresh.
	c2 := newCache(t, st)
	if err := c2.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := ids(c2.View()), []string{"b", "z-early"}; !slices.Equal(got, want) {
		t.Errorf("a new cache's View().Sessions = %v; want %v", got, want)
	}
	if got, want := c2.View().Holidays.Years(), []int{2024, 2025, 2026, 2098, 2099}; !slices.Equal(got, want) {
		t.Errorf("a new cache's View().Holidays.Years() = %v; want %v", got, want)
	}
}

func TestCacheStoreDown(t *testing.T) {
	ctx := t.Context()
	st := new(calendartest.MemStore)
	c := newCache(t, st)
	s := session(t, "x", "2026-05-01", "2026-05-10", "2026-06-01", "")
	if _, err := c.PutSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	down := errors.New("store down")
	st.Fail(down)
	before := c.View()
	if err := c.Refresh(ctx); !errors.Is(err, down) {
		t.Errorf("Refresh() = %v; want %v", err, down)
	}
	s2 := s
	s2.ID = "y"
	if _, err := c.PutSession(ctx, s2); !errors.Is(err, down) {
		t.Errorf("PutSession() = %v; want %v", err, down)
	}
	if _, err := c.RemoveSession(ctx, "x"); !errors.Is(err, down) {
		t.Errorf("RemoveSession() = %v; want %v", err, down)
	}
	if _, err := c.AddYear(ctx, testYear(2099)); !errors.Is(err, down) {
		t.Errorf("AddYear() = %v; want %v", err, down)
	}
	if c.View() != before {
		t.Errorf("View() changed while the store was down")
	}
}

// slowStore holds Sessions until released, so that a change can happen
// while a Refresh reads.
type slowStore struct {
	*calendartest.MemStore
	reading chan struct{}
	release chan struct{}
}

func (s *slowStore) Sessions(ctx context.Context) ([]calendar.Session, error) {
	out, err := s.MemStore.Sessions(ctx)
	s.reading <- struct{}{}
	<-s.release
	return out, err
}

func TestCacheRefreshKeepsChange(t *testing.T) {
	ctx := t.Context()
	st := &slowStore{MemStore: new(calendartest.MemStore), reading: make(chan struct{}), release: make(chan struct{})}
	c := newCache(t, st)
	done := make(chan error)
	go func() { done <- c.Refresh(ctx) }()
	<-st.reading
	s := session(t, "x", "2026-05-01", "2026-05-10", "2026-06-01", "")
	if _, err := c.PutSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	close(st.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := ids(c.View()); !slices.Equal(got, []string{"x"}) {
		t.Errorf("View().Sessions after a Refresh that read before PutSession = %v; want [x]", got)
	}
}

// TestCacheRun checks that Run loads the calendar at once and then every
// Refresh, logs a failed reload and keeps the view, and returns once its
// context is done.
func TestCacheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := new(calendartest.MemStore)
		var logs syncBuffer
		c, err := calendar.NewCache(st, calendar.CacheOptions{Refresh: time.Minute, Log: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		ran := make(chan error)
		go func() { ran <- c.Run(ctx) }()
		synctest.Wait() // the first refresh, at once
		if err := st.PutSession(t.Context(), session(t, "x", "2026-05-01", "2026-05-10", "2026-06-01", "")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(c.View().Sessions); n != 0 {
			t.Errorf("View() before the next refresh = %d sessions; want none", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := len(c.View().Sessions); n != 1 {
			t.Errorf("View() a refresh later = %d sessions; want 1", n)
		}
		st.Fail(errors.New("store down"))
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := logs.String(); !strings.Contains(got, "reloading the exam calendar failed") || !strings.Contains(got, "store down") {
			t.Errorf("log after a failed refresh = %q; want the failure", got)
		}
		if n := len(c.View().Sessions); n != 1 {
			t.Errorf("View() lost the session when the store failed")
		}
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run() = %v; want nil", err)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
