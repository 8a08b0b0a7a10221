package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"examdesk/calendar"
)

// Calendar is a calendar.Store in the Redis of a Store, under the Store's
// prefix, kept without expiry until removed: calendar:sessions (session
// ID → calendar.Session's JSON) and calendar:holidays (year → the year's
// holidays in the holiday-cn JSON format); see keys.go. Each method is one round trip. What is read back is checked again, so a
// record edited by hand into something invalid is an error naming its key
// and field rather than a wrong answer.
type Calendar struct {
	s *Store
}

var _ calendar.Store = (*Calendar)(nil)

// Calendar returns the exam calendar kept in the store's Redis. It is
// valid until the store is closed.
func (s *Store) Calendar() *Calendar { return &Calendar{s: s} }

func (c *Calendar) sessionsKey() string { return c.s.k.sessions() }
func (c *Calendar) yearsKey() string    { return c.s.k.holidays() }

// Sessions returns every session, ordered by ID.
func (c *Calendar) Sessions(ctx context.Context) ([]calendar.Session, error) {
	key := c.sessionsKey()
	fields, err := c.s.client.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	out := make([]calendar.Session, 0, len(fields))
	for _, id := range slices.Sorted(maps.Keys(fields)) {
		var s calendar.Session
		if err := json.Unmarshal([]byte(fields[id]), &s); err != nil {
			return nil, fmt.Errorf("read session %s from %s: %w", id, key, err)
		}
		if s.ID != id {
			return nil, fmt.Errorf("read session %s from %s: the record is of session %q", id, key, s.ID)
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("read session %s from %s: %w", id, key, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// PutSession adds s, or replaces the session with its ID.
func (c *Calendar) PutSession(ctx context.Context, s calendar.Session) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("put session %s: %w", s.ID, err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("put session %s: %w", s.ID, err)
	}
	if err := c.s.client.HSet(ctx, c.sessionsKey(), s.ID, data).Err(); err != nil {
		return fmt.Errorf("put session %s: %w", s.ID, err)
	}
	return nil
}

// RemoveSession removes the session id and reports whether there was one.
func (c *Calendar) RemoveSession(ctx context.Context, id string) (bool, error) {
	n, err := c.s.client.HDel(ctx, c.sessionsKey(), id).Result()
	if err != nil {
		return false, fmt.Errorf("remove session %s: %w", id, err)
	}
	return n > 0, nil
}

// Years returns the holiday years added, ordered by year.
func (c *Calendar) Years(ctx context.Context) ([]calendar.Year, error) {
	key := c.yearsKey()
	fields, err := c.s.client.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("read holiday years: %w", err)
	}
	type entry struct {
		n    int
		year calendar.Year
	}
	entries := make([]entry, 0, len(fields))
	for field, data := range fields {
		name := key + " " + field
		n, err := strconv.Atoi(field)
		if err != nil {
			return nil, fmt.Errorf("read holidays: %s: the field is not a year", name)
		}
		y, err := calendar.ParseYear(name, []byte(data))
		if err != nil {
			return nil, fmt.Errorf("read holidays: %w", err)
		}
		if y.Year != n {
			return nil, fmt.Errorf("read holidays: %s: the record is of %d", name, y.Year)
		}
		entries = append(entries, entry{n, y})
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.n - b.n })
	out := make([]calendar.Year, len(entries))
	for i, e := range entries {
		out[i] = e.year
	}
	return out, nil
}

// PutYear adds y, or replaces the year added with its number.
func (c *Calendar) PutYear(ctx context.Context, y calendar.Year) error {
	if err := y.Validate(); err != nil {
		return fmt.Errorf("put holidays of %d: %w", y.Year, err)
	}
	data, err := json.Marshal(y)
	if err != nil {
		return fmt.Errorf("put holidays of %d: %w", y.Year, err)
	}
	if err := c.s.client.HSet(ctx, c.yearsKey(), strconv.Itoa(y.Year), data).Err(); err != nil {
		return fmt.Errorf("put holidays of %d: %w", y.Year, err)
	}
	return nil
}
