package telegramtest

import "context"

// Follow calls f with every call the server answers, in the order they were
// answered, from the first call ever, as they come, until ctx is done; it
// then returns ctx's error. Unlike WaitFor, which looks at every call again
// at each change, it hands each call over once, so that a load test can
// watch hundreds of thousands of calls. f runs on Follow's goroutine, one
// call at a time, and may use the server.
func (s *Server) Follow(ctx context.Context, f func(Call)) error {
	next := 0
	for {
		s.mu.Lock()
		// Recorded calls are never modified, so the slice can be read
		// after the lock is released; appends only write beyond it.
		calls := s.calls[next:len(s.calls):len(s.calls)]
		changed := s.changed
		s.mu.Unlock()
		for _, c := range calls {
			f(c)
		}
		next += len(calls)
		if len(calls) > 0 {
			continue
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
