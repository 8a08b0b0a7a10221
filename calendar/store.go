package calendar

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Store keeps the exam sessions and the holiday years that administrators
// enter, until they are removed or replaced.
//
// PutSession and PutYear refuse a value that does not validate
// (Session.Validate, Year.Validate) with an error that wraps Validate's, and
// store nothing, so what is read back is valid. Whether a year may be added over an embedded
// one is not the store's concern: Cache.AddYear refuses those. A method
// that fails changes nothing. Values passed in and returned share no memory
// with what is stored. A Store is safe for concurrent use.
type Store interface {
	// Sessions returns every session, ordered by ID.
	Sessions(ctx context.Context) ([]Session, error)
	// PutSession adds s, or replaces the session with its ID.
	PutSession(ctx context.Context, s Session) error
	// RemoveSession removes the session id and reports whether there was
	// one.
	RemoveSession(ctx context.Context, id string) (bool, error)
	// Years returns the holiday years added, ordered by year.
	Years(ctx context.Context) ([]Year, error)
	// PutYear adds y, or replaces the year added with its number.
	PutYear(ctx context.Context, y Year) error
}

// View is the exam calendar as the bot answers from it. A View is never
// changed once made: do not modify what it holds.
type View struct {
	// Sessions are every session, by first exam date, then ID.
	Sessions []Session
	// Holidays are the embedded years and those added.
	Holidays *Holidays
	// Superseded are years added to the Store that the embedded holidays
	// now have (a release published them): the embedded ones count.
	Superseded []int
}

// Session returns the session id.
func (v *View) Session(id string) (Session, bool) {
	for _, s := range v.Sessions {
		if s.ID == id {
			return s, true
		}
	}
	return Session{}, false
}

// Derive returns the dates derived from s with the view's working days.
func (v *View) Derive(s Session) Derived { return v.Holidays.Derive(s) }

// DefaultRefresh is how often Run reloads the calendar by default.
const DefaultRefresh = 5 * time.Second

// Cache holds the calendar of a Store in memory: View answers at once,
// from what was loaded last. Refresh and Run reload it from the store;
// changes made through the Cache show in its View at once. It is safe for
// concurrent use.
type Cache struct {
	store   Store
	builtin *Holidays
	view    atomic.Pointer[View]
	opts    CacheOptions

	mu  sync.Mutex // serializes changes of view
	gen uint64     // counts the changes made through the cache, under mu
}

// CacheOptions tune a Cache; a zero field takes its default.
type CacheOptions struct {
	// Refresh is how often Run reloads the calendar (default
	// DefaultRefresh).
	Refresh time.Duration
	// Log receives Run's failed reloads (default: nowhere).
	Log *slog.Logger
}

// NewCache returns a cache of store, with the embedded holidays and no
// session until the first Refresh. The error is that of Embedded.
func NewCache(store Store, o CacheOptions) (*Cache, error) {
	h, err := Embedded()
	if err != nil {
		return nil, err
	}
	if o.Refresh <= 0 {
		o.Refresh = DefaultRefresh
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c := &Cache{store: store, builtin: h, opts: o}
	c.view.Store(&View{Holidays: h})
	return c, nil
}

// View returns the calendar as loaded last, without waiting.
func (c *Cache) View() *View { return c.view.Load() }

// Refresh reloads the calendar from the store. On error the view is
// unchanged. A change made through the cache while Refresh reads is kept:
// that Refresh then leaves the view as it is, for the next to load.
func (c *Cache) Refresh(ctx context.Context) error {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	sessions, err := c.store.Sessions(ctx)
	if err != nil {
		return fmt.Errorf("refresh calendar: %w", err)
	}
	years, err := c.store.Years(ctx)
	if err != nil {
		return fmt.Errorf("refresh calendar: %w", err)
	}
	v := &View{Sessions: sessions, Holidays: c.builtin}
	sortSessions(v.Sessions)
	for _, y := range years {
		if c.builtin.Builtin(y.Year) {
			v.Superseded = append(v.Superseded, y.Year)
			continue
		}
		if v.Holidays, err = v.Holidays.With(y); err != nil {
			return fmt.Errorf("refresh calendar: %w", err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.view.Store(v)
	}
	return nil
}

// Run refreshes the view at once and then every Refresh until ctx is
// done. A failed refresh is logged and leaves the view as it was, for the
// next to load; Run returns nil once ctx is done.
func (c *Cache) Run(ctx context.Context) error {
	t := time.NewTicker(c.opts.Refresh)
	defer t.Stop()
	for {
		if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
			c.opts.Log.Warn("reloading the exam calendar failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// change replaces the view by edit's copy of it, as a change made through
// the cache.
func (c *Cache) change(edit func(v *View)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := *c.view.Load()
	edit(&v)
	c.gen++
	c.view.Store(&v)
}

// PutSession validates s and adds it to the store, or replaces the session
// with its ID; replaced tells which, as far as the view knew. The error
// of a session that is not valid is an *Error.
func (c *Cache) PutSession(ctx context.Context, s Session) (replaced bool, err error) {
	if err := s.Validate(); err != nil {
		return false, err
	}
	s = s.clone()
	if err := c.store.PutSession(ctx, s); err != nil {
		return false, err
	}
	c.change(func(v *View) {
		v.Sessions = slices.DeleteFunc(slices.Clone(v.Sessions), func(old Session) bool {
			replaced = replaced || old.ID == s.ID
			return old.ID == s.ID
		})
		v.Sessions = append(v.Sessions, s)
		sortSessions(v.Sessions)
	})
	return replaced, nil
}

// RemoveSession removes the session id from the store and reports whether
// there was one.
func (c *Cache) RemoveSession(ctx context.Context, id string) (bool, error) {
	ok, err := c.store.RemoveSession(ctx, id)
	if err != nil {
		return false, err
	}
	c.change(func(v *View) {
		v.Sessions = slices.DeleteFunc(slices.Clone(v.Sessions), func(s Session) bool { return s.ID == id })
	})
	return ok, nil
}

// AddYear validates the holidays of a year and adds them to the store, or
// replaces the ones added for that year; replaced tells which, as far as
// the view knew. An embedded year is refused with ErrBuiltinYear.
func (c *Cache) AddYear(ctx context.Context, y Year) (replaced bool, err error) {
	if c.builtin.Builtin(y.Year) {
		return false, fmt.Errorf("add holidays of %d: %w", y.Year, ErrBuiltinYear)
	}
	if err := y.Validate(); err != nil {
		return false, err
	}
	if err := c.store.PutYear(ctx, y); err != nil {
		return false, err
	}
	c.change(func(v *View) {
		replaced = v.Holidays.Published(y.Year)
		// y is valid and not embedded: With cannot fail.
		if h, err := v.Holidays.With(y); err == nil {
			v.Holidays = h
		}
	})
	return replaced, nil
}
