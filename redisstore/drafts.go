package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/admin"
)

// DefaultDraftTTL is how long an administrator's broadcast draft is kept
// after it was saved last.
const DefaultDraftTTL = 24 * time.Hour

// Drafts keeps the administrators' broadcast drafts (admin.Drafts) in the
// Redis of a Store, under its prefix, so that any serve process continues
// an administrator's flow. Each draft is one key, draft:<user> (see
// keys.go), holding the draft as JSON and expiring a time to live after it was saved last.
// Every method is one round trip.
type Drafts struct {
	client *redis.Client
	k      keys
	ttl    time.Duration
}

var _ admin.Drafts = (*Drafts)(nil)

// Drafts returns the drafts kept in the store's Redis, each expiring ttl
// after it was saved last (DefaultDraftTTL when ttl is under a
// millisecond).
func (s *Store) Drafts(ttl time.Duration) *Drafts {
	if ttl < time.Millisecond {
		ttl = DefaultDraftTTL
	}
	return &Drafts{client: s.client, k: s.k, ttl: ttl}
}

func (d *Drafts) key(user int64) string { return d.k.draft(user) }

// Load returns user's draft. A record that does not decode (written by an
// incompatible release) counts as no draft, so that the administrator can
// start over rather than be stuck on it.
func (d *Drafts) Load(ctx context.Context, user int64) (admin.Draft, bool, error) {
	data, err := d.client.Get(ctx, d.key(user)).Bytes()
	if errors.Is(err, redis.Nil) {
		return admin.Draft{}, false, nil
	}
	if err != nil {
		return admin.Draft{}, false, fmt.Errorf("load draft of %d: %w", user, err)
	}
	var dr admin.Draft
	if err := json.Unmarshal(data, &dr); err != nil {
		return admin.Draft{}, false, nil
	}
	return dr, true, nil
}

// Save stores dr as user's draft, replacing any, for the time to live.
func (d *Drafts) Save(ctx context.Context, user int64, dr admin.Draft) error {
	data, err := json.Marshal(dr)
	if err != nil {
		return fmt.Errorf("save draft of %d: %w", user, err)
	}
	if err := d.client.Set(ctx, d.key(user), data, d.ttl).Err(); err != nil {
		return fmt.Errorf("save draft of %d: %w", user, err)
	}
	return nil
}

// Delete drops user's draft.
func (d *Drafts) Delete(ctx context.Context, user int64) error {
	if err := d.client.Del(ctx, d.key(user)).Err(); err != nil {
		return fmt.Errorf("delete draft of %d: %w", user, err)
	}
	return nil
}
