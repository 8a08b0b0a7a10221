package dialogtest_test

import (
	"errors"
	"testing"
	"time"

	"examdesk"
	"examdesk/dialog"
	"examdesk/dialog/dialogtest"
)

func TestMemStore(t *testing.T) {
	dialogtest.TestStore(t, func(t *testing.T) dialog.Store { return new(dialogtest.MemStore) })
}

func TestMemStoreTTL(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	key := examdesk.Key{Chat: 1, User: 1}
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		// saved is when each save happens; the one at index i saves
		// version i.
		saved []time.Duration
		at    time.Duration
		want  int64 // version loaded at t0+at
	}{
		{"forever", 0, []time.Duration{0}, 10000 * time.Hour, 1},
		{"before expiry", time.Hour, []time.Duration{0}, time.Hour - time.Nanosecond, 1},
		{"at expiry", time.Hour, []time.Duration{0}, time.Hour, 0},
		{"after expiry", time.Hour, []time.Duration{0}, 2 * time.Hour, 0},
		{"saved again", time.Hour, []time.Duration{0, 50 * time.Minute}, 100 * time.Minute, 2},
		{"expired after saved again", time.Hour, []time.Duration{0, 50 * time.Minute}, 110 * time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			s := &dialogtest.MemStore{TTL: tc.ttl, Now: func() time.Time { return now }}
			ctx := t.Context()
			for i, at := range tc.saved {
				now = t0.Add(at)
				if err := s.Save(ctx, key, dialog.State{Version: int64(i), Step: 5}); err != nil {
					t.Fatalf("Save(version %d) at +%v error: %v", i, at, err)
				}
			}
			now = t0.Add(tc.at)
			st, err := s.Load(ctx, key)
			if err != nil {
				t.Fatalf("Load() at +%v error: %v", tc.at, err)
			}
			if st.Version != tc.want {
				t.Errorf("Load() at +%v = version %d; want %d", tc.at, st.Version, tc.want)
			}
			// A saver that missed the expiry conflicts.
			if tc.want == 0 {
				stale := dialog.State{Version: int64(len(tc.saved))}
				if err := s.Save(ctx, key, stale); !errors.Is(err, dialog.ErrConflict) {
					t.Errorf("Save(version %d) after expiry = %v; want ErrConflict", stale.Version, err)
				}
			}
			// Saving the loaded state succeeds, expired or not.
			if err := s.Save(ctx, key, st); err != nil {
				t.Errorf("Save(version %d) at +%v error: %v", st.Version, tc.at, err)
			}
		})
	}
}
