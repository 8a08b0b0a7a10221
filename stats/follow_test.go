package stats_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"examdesk/stats"
	"examdesk/stats/statstest"
)

// failing is a Teacher whose reads fail while down is set.
type failing struct {
	*statstest.Store
	mu   sync.Mutex
	down bool
}

var errDown = errors.New("store down")

func (f *failing) ExamplesVersion(ctx context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return 0, errDown
	}
	return f.Store.ExamplesVersion(ctx)
}

// TestFollow checks that a follower learns the examples there are, then
// each one added, after a failed read too.
func TestFollow(t *testing.T) {
	mem := &statstest.Store{}
	store := &failing{Store: mem, down: true}
	ctx, cancel := context.WithCancel(t.Context())
	learned := make(chan []stats.Example)
	reported := make(chan error, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		stats.Follow(ctx, store, time.Millisecond, func(_ int64, exs []stats.Example) { learned <- exs }, func(err error) {
			select {
			case reported <- err:
			default:
			}
		})
	}()
	if err := <-reported; !errors.Is(err, errDown) {
		t.Errorf("reported %v; want %v", err, errDown)
	}
	store.mu.Lock()
	store.down = false
	store.mu.Unlock()
	if exs := <-learned; len(exs) != 0 {
		t.Errorf("first learned %+v; want no example", exs)
	}
	now := time.Now()
	for i, text := range []string{"可以帶筆嗎", "is there parking"} {
		if err := mem.Record(ctx, stats.Events{At: now, User: 1, Lang: "zh-Hant", Unanswered: text}); err != nil {
			t.Fatal(err)
		}
		if _, err := mem.Teach(ctx, stats.QuestionID(stats.Normalize(text)), "materials", "tg:1", now); err != nil {
			t.Fatal(err)
		}
		exs := <-learned
		if len(exs) != i+1 || exs[i].Text != stats.Normalize(text) || exs[i].Topic != "materials" {
			t.Errorf("learned %+v; want %d examples, the last %q", exs, i+1, text)
		}
	}
	cancel()
	<-done
}
