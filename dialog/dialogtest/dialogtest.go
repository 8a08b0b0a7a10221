// Package dialogtest helps test code that keeps conversation state: TestStore
// is the conformance suite every dialog.Store implementation runs, and
// MemStore is an in-memory Store for tests of the code that uses one.
package dialogtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"

	"examdesk"
	"examdesk/dialog"
	"examdesk/rules"
)

// Concurrent writers of the race test, and increments each one makes.
const (
	writers    = 8
	increments = 25
)

// TestStore tests that the stores newStore makes keep the contract of
// dialog.Store. It calls newStore once per subtest, with the subtest's t, for
// a new empty store; newStore registers with t.Cleanup whatever that store
// must release, and fails t if it cannot make one.
func TestStore(t *testing.T, newStore func(t *testing.T) dialog.Store) {
	t.Helper()
	t.Run("missing", func(t *testing.T) { testMissing(t, newStore(t)) })
	t.Run("round trip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("no sharing", func(t *testing.T) { testNoSharing(t, newStore(t)) })
	t.Run("conflict", func(t *testing.T) { testConflict(t, newStore(t)) })
	t.Run("independent keys", func(t *testing.T) { testIndependent(t, newStore(t)) })
	t.Run("concurrent writers", func(t *testing.T) { testConcurrent(t, newStore(t)) })
	t.Run("canceled context", func(t *testing.T) { testCanceled(t, newStore(t)) })
}

// states returns states that between them set every field of dialog.State
// and dialog.Check, with Version 0.
func states() []struct {
	name string
	st   dialog.State
} {
	first, last := examdesk.Languages[0], examdesk.Languages[len(examdesk.Languages)-1]
	return []struct {
		name string
		st   dialog.State
	}{
		{"zero", dialog.State{}},
		{"lang", dialog.State{Lang: first}},
		{"step", dialog.State{Step: 7}},
		{"choosing", dialog.State{Lang: last, Step: 1, Choosing: true}},
		{"check started", dialog.State{Step: 1, Check: &dialog.Check{
			Answers: rules.Answers{},
			Asking:  rules.OccupationYears,
		}}},
		{"check under way", dialog.State{Lang: last, Step: 4, Check: &dialog.Check{
			Answers: rules.Answers{
				rules.OccupationYears: {Number: 2.5},
				rules.TrainingLevel4:  {Choice: "yes"},
				rules.TrainingLevel3:  {Choice: "no"},
			},
			History: []rules.Question{rules.OccupationYears, rules.TrainingLevel4, rules.TrainingLevel3},
			Asking:  rules.TrainingLevel2,
		}}},
		{"written in", dialog.State{Talk: last}},
		{"everything", dialog.State{Lang: first, Talk: last, Step: 1 << 40, Choosing: true, Check: &dialog.Check{
			Answers: rules.Answers{
				rules.OccupationYears:      {Number: 12},
				rules.YearsSinceGraduation: {Number: 0.5},
				rules.Certificate:          {Choice: "none"},
			},
			History:  []rules.Question{rules.Certificate, rules.OccupationYears},
			Asking:   rules.Education,
			Asked:    1 << 40,
			FollowUp: true,
			Skipped:  []rules.Question{rules.TrainingLevel3},
			Doubt:    &rules.Value{Number: 70},
			Misses:   2,
			Readings: []string{"secondary_vocational", "advanced_vocational"},
			Upto:     map[rules.Question]float64{rules.OccupationYears: 12.46},
			Clashes:  1,
		}}},
	}
}

// show formats st with its Check, not the Check's address.
func show(st dialog.State) string {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Sprintf("%+v (%v)", st, err)
	}
	return fmt.Sprintf("version %d %s", st.Version, b)
}

func load(t *testing.T, s dialog.Store, key examdesk.Key) dialog.State {
	t.Helper()
	st, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatalf("Load(%v) error: %v", key, err)
	}
	return st
}

func save(t *testing.T, s dialog.Store, key examdesk.Key, st dialog.State) {
	t.Helper()
	if err := s.Save(t.Context(), key, st); err != nil {
		t.Fatalf("Save(%v, %s) error: %v", key, show(st), err)
	}
}

// checkLoad fails t unless Load(key) returns want.
func checkLoad(t *testing.T, s dialog.Store, key examdesk.Key, want dialog.State) {
	t.Helper()
	if got := load(t, s, key); !reflect.DeepEqual(got, want) {
		t.Errorf("Load(%v) = %s; want %s", key, show(got), show(want))
	}
}

func testMissing(t *testing.T, s dialog.Store) {
	for _, key := range []examdesk.Key{{Chat: 1, User: 1}, {Chat: -1001234567890, User: 5}, {}} {
		checkLoad(t, s, key, dialog.State{})
	}
}

func testRoundTrip(t *testing.T, s dialog.Store) {
	for i, tc := range states() {
		t.Run(tc.name, func(t *testing.T) {
			key := examdesk.Key{Chat: int64(i + 1), User: 100}
			save(t, s, key, tc.st)
			want := tc.st
			want.Version = 1
			checkLoad(t, s, key, want)

			save(t, s, key, want)
			want.Version = 2
			checkLoad(t, s, key, want)
		})
	}
}

// everything returns a new state that sets every field but Version.
func everything() dialog.State {
	all := states()
	return all[len(all)-1].st
}

// testNoSharing checks that changing a state after saving it, or after
// loading it, changes nothing stored.
func testNoSharing(t *testing.T, s dialog.Store) {
	key := examdesk.Key{Chat: 3, User: 3}
	st := everything()
	save(t, s, key, st)
	st.Check.Answers[rules.Major] = rules.Value{Choice: "other"}
	st.Check.History[0] = rules.Major
	st.Check.Readings[0] = "doctorate"
	st.Check.Skipped[0] = rules.Major
	st.Check.Doubt.Number = 1
	st.Check.Upto[rules.OccupationYears] = 20

	got := load(t, s, key)
	got.Check.Answers[rules.Education] = rules.Value{Choice: "other"}
	got.Check.History[0] = rules.Education
	got.Check.Asking = rules.Major
	got.Check.Readings[0] = "doctorate"
	got.Check.Skipped[0] = rules.Major
	got.Check.Doubt.Number = 1
	got.Check.Upto[rules.OccupationYears] = 20

	want := everything()
	want.Version = 1
	checkLoad(t, s, key, want)
}

func testConflict(t *testing.T, s dialog.Store) {
	a, b := states()[1].st, everything()
	key, other := examdesk.Key{Chat: 7, User: 7}, examdesk.Key{Chat: 8, User: 8}
	save(t, s, key, a) // now at version 1
	a.Version = 1

	for _, tc := range []struct {
		name    string
		key     examdesk.Key
		version int64
	}{
		{"stale", key, 0},
		{"ahead", key, 2},
		{"far ahead", key, 1 << 50},
		{"negative", key, -1},
		{"missing key", other, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := b
			st.Version = tc.version
			if err := s.Save(t.Context(), tc.key, st); !errors.Is(err, dialog.ErrConflict) {
				t.Errorf("Save(%v, version %d) = %v; want ErrConflict", tc.key, tc.version, err)
			}
			checkLoad(t, s, key, a)
			checkLoad(t, s, other, dialog.State{})
		})
	}

	t.Run("current", func(t *testing.T) {
		st := b
		st.Version = 1
		save(t, s, key, st)
		st.Version = 2
		checkLoad(t, s, key, st)
		if err := s.Save(t.Context(), key, a); !errors.Is(err, dialog.ErrConflict) {
			t.Errorf("Save(%v, version 1) after save = %v; want ErrConflict", key, err)
		}
		checkLoad(t, s, key, st)
	})
}

func testIndependent(t *testing.T, s dialog.Store) {
	keys := []examdesk.Key{
		{Chat: 1, User: 1},
		{Chat: 1, User: 2},
		{Chat: 2, User: 1},
		{Chat: 1, User: 23},
		{Chat: 12, User: 3},
		{Chat: -1001234567890, User: 1},
		{Chat: 1001234567890, User: 1},
	}
	for i, key := range keys {
		save(t, s, key, dialog.State{Step: int64(i + 1)})
	}
	// Saving one key again moves only its version.
	save(t, s, keys[0], dialog.State{Version: 1, Step: 1})
	for i, key := range keys {
		want := dialog.State{Version: 1, Step: int64(i + 1)}
		if i == 0 {
			want.Version = 2
		}
		checkLoad(t, s, key, want)
	}
}

// testConcurrent races writers that each count Step up increments times by
// load, increment, save, and load again on ErrConflict. Every save that
// succeeds must have started from a different version, and none is lost.
func testConcurrent(t *testing.T, s dialog.Store) {
	key := examdesk.Key{Chat: -100, User: 42}
	var (
		mu        sync.Mutex
		wins      = make(map[int64]int) // base version of each successful save → saves
		conflicts int
		wg        sync.WaitGroup
	)
	start := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			<-start
			ctx := t.Context()
			for done, tries := 0, 0; done < increments; tries++ {
				if tries > 1000*increments {
					t.Errorf("writer %d: %d saves of %d after %d tries", w, done, increments, tries)
					return
				}
				st, err := s.Load(ctx, key)
				if err != nil {
					t.Errorf("writer %d: Load(%v) error: %v", w, key, err)
					return
				}
				if st.Step != st.Version {
					t.Errorf("writer %d: Load(%v) = %s; want Step == Version", w, key, show(st))
					return
				}
				base := st.Version
				st.Step++
				runtime.Gosched() // let the others load the same version
				switch err := s.Save(ctx, key, st); {
				case errors.Is(err, dialog.ErrConflict):
					mu.Lock()
					conflicts++
					mu.Unlock()
					continue
				case err != nil:
					t.Errorf("writer %d: Save(%v, %s) error: %v", w, key, show(st), err)
					return
				}
				done++
				mu.Lock()
				wins[base]++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}

	const n = writers * increments
	t.Logf("%d writers, %d saves, %d conflicts", writers, n, conflicts)
	checkLoad(t, s, key, dialog.State{Version: n, Step: n})
	total := 0
	for _, base := range slices.Sorted(maps.Keys(wins)) {
		saves := wins[base]
		total += saves
		if saves != 1 {
			t.Errorf("%d saves from version %d; want 1", saves, base)
		}
		if base < 0 || base >= n {
			t.Errorf("save from version %d; want 0 to %d", base, n-1)
		}
	}
	if total != n {
		t.Errorf("%d successful saves; want %d", total, n)
	}
}

func testCanceled(t *testing.T, s dialog.Store) {
	key := examdesk.Key{Chat: 9, User: 9}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Save(ctx, key, dialog.State{Step: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save(canceled, %v) = %v; want context.Canceled", key, err)
	}
	if st, err := s.Load(ctx, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Load(canceled, %v) = %s, %v; want context.Canceled", key, show(st), err)
	}
	checkLoad(t, s, key, dialog.State{})
}
