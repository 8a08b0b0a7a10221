package stats

import (
	"context"
	"time"
)

// DefaultPoll is how often Follow looks for new examples when told an
// interval that is not positive.
const DefaultPoll = 2 * time.Second

// Follow gives learn every example added, at once and then each time the
// list changes, looking at its version every poll until ctx is done: every
// serve learns an example within a poll of its being added. A failed read
// is given to report, if not nil, and tried again at the next poll; learn
// is not called until a read succeeds. learn runs on Follow's goroutine
// and gets the whole list each time, in the order added.
func Follow(ctx context.Context, t Teacher, poll time.Duration, learn func(version int64, examples []Example), report func(error)) {
	if poll <= 0 {
		poll = DefaultPoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	learned, have := int64(0), false
	for {
		v, err := t.ExamplesVersion(ctx)
		if err == nil && (!have || v != learned) {
			var exs []Example
			if exs, v, err = t.Examples(ctx); err == nil {
				learn(v, exs)
				learned, have = v, true
			}
		}
		if err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
