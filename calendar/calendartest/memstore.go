package calendartest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"examdesk/calendar"
)

// MemStore is a calendar.Store in memory, for tests of code that uses a
// Store. Like a real store it keeps every value encoded as JSON, so values
// read and written share no memory with the stored ones. Fail makes it
// fail like a store whose server is down.
//
// The zero MemStore is empty and ready to use.
type MemStore struct {
	mu       sync.Mutex
	sessions map[string][]byte
	years    map[int][]byte
	err      error
}

var _ calendar.Store = (*MemStore)(nil)

// Fail makes every later call fail with err, or work again for nil.
func (s *MemStore) Fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// check returns why a call cannot be made now; s.mu is held.
func (s *MemStore) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.err
}

// Sessions returns every session, ordered by ID.
func (s *MemStore) Sessions(ctx context.Context) ([]calendar.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	out := make([]calendar.Session, 0, len(s.sessions))
	for _, id := range slices.Sorted(maps.Keys(s.sessions)) {
		var ses calendar.Session
		if err := json.Unmarshal(s.sessions[id], &ses); err != nil {
			return nil, fmt.Errorf("read session %s: %w", id, err)
		}
		out = append(out, ses)
	}
	return out, nil
}

// PutSession adds ses, or replaces the session with its ID.
func (s *MemStore) PutSession(ctx context.Context, ses calendar.Session) error {
	if err := ses.Validate(); err != nil {
		return fmt.Errorf("put session %s: %w", ses.ID, err)
	}
	data, err := json.Marshal(ses)
	if err != nil {
		return fmt.Errorf("put session %s: %w", ses.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("put session %s: %w", ses.ID, err)
	}
	if s.sessions == nil {
		s.sessions = map[string][]byte{}
	}
	s.sessions[ses.ID] = data
	return nil
}

// RemoveSession removes the session id and reports whether there was one.
func (s *MemStore) RemoveSession(ctx context.Context, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return false, fmt.Errorf("remove session %s: %w", id, err)
	}
	_, ok := s.sessions[id]
	delete(s.sessions, id)
	return ok, nil
}

// Years returns the holiday years added, ordered by year.
func (s *MemStore) Years(ctx context.Context) ([]calendar.Year, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("read holiday years: %w", err)
	}
	out := make([]calendar.Year, 0, len(s.years))
	for _, n := range slices.Sorted(maps.Keys(s.years)) {
		var y calendar.Year
		if err := json.Unmarshal(s.years[n], &y); err != nil {
			return nil, fmt.Errorf("read holidays of %d: %w", n, err)
		}
		out = append(out, y)
	}
	return out, nil
}

// PutYear adds y, or replaces the year added with its number.
func (s *MemStore) PutYear(ctx context.Context, y calendar.Year) error {
	if err := y.Validate(); err != nil {
		return fmt.Errorf("put holidays of %d: %w", y.Year, err)
	}
	data, err := json.Marshal(y)
	if err != nil {
		return fmt.Errorf("put holidays of %d: %w", y.Year, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("put holidays of %d: %w", y.Year, err)
	}
	if s.years == nil {
		s.years = map[int][]byte{}
	}
	s.years[y.Year] = data
	return nil
}
