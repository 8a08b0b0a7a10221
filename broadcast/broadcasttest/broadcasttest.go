// Package broadcasttest supports tests of the broadcast package's
// interfaces: an in-memory subscriber list, and the conformance suite
// every broadcast.Subscribers implementation must pass (TestSubscribers).
package broadcasttest

import (
	"context"
	"slices"
	"sync"

	"examdesk/broadcast"
)

// Subscribers is a broadcast.Subscribers in memory. It is safe for
// concurrent use; its zero value is an empty list.
type Subscribers struct {
	mu   sync.Mutex
	subs map[int64]*sub
}

type sub struct {
	s       broadcast.Subscriber
	active  bool
	blocked bool
}

var _ broadcast.Subscribers = (*Subscribers)(nil)

// Subscribe adds or updates s and makes it active.
func (l *Subscribers) Subscribe(_ context.Context, s broadcast.Subscriber) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[int64]*sub{}
	}
	l.subs[s.Chat] = &sub{s: s, active: true}
	return nil
}

// Unsubscribe keeps chat, inactive.
func (l *Subscribers) Unsubscribe(_ context.Context, chat int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.subs[chat]; s != nil {
		s.active = false
	}
	return nil
}

// SetRemind changes chat's reminder choice, active or not.
func (l *Subscribers) SetRemind(_ context.Context, chat int64, remind bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.subs[chat]; s != nil {
		s.s.Remind = remind
	}
	return nil
}

// Block keeps chat, inactive and blocked.
func (l *Subscribers) Block(_ context.Context, chat int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.subs[chat]; s != nil {
		s.active, s.blocked = false, true
	}
	return nil
}

// Blocked reports whether chat was blocked.
func (l *Subscribers) Blocked(chat int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.subs[chat]
	return s != nil && s.blocked
}

// Forget deletes chat.
func (l *Subscribers) Forget(_ context.Context, chat int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, chat)
	return nil
}

// Get returns chat's subscriber.
func (l *Subscribers) Get(_ context.Context, chat int64) (broadcast.Subscriber, bool, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.subs[chat]
	if s == nil {
		return broadcast.Subscriber{}, false, false, nil
	}
	return s.s, s.active, true, nil
}

// Count counts the active subscribers matching f.
func (l *Subscribers) Count(ctx context.Context, f broadcast.Filter) (int, error) {
	all, err := l.List(ctx, f, -1<<63, 1<<30)
	return len(all), err
}

// List returns up to n active subscribers matching f with Chat > after,
// by Chat ascending.
func (l *Subscribers) List(_ context.Context, f broadcast.Filter, after int64, n int) ([]broadcast.Subscriber, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []broadcast.Subscriber
	for _, s := range l.subs {
		if s.active && s.s.Chat > after && f.Match(s.s) {
			out = append(out, s.s)
		}
	}
	slices.SortFunc(out, func(a, b broadcast.Subscriber) int { return cmpInt(a.Chat, b.Chat) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
