package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// PollerLease is the right to poll Telegram for the bot's updates, which
// one serve at a time holds among those sharing the Redis of a Store:
// the key poller under its prefix, "<owner>:<expiry in ms>", which runs
// out by the server's clock (see keys.go and lua/poller_*.lua). Every
// method is one round trip.
type PollerLease struct {
	client *redis.Client
	k      keys
}

// PollerLease returns the poller lease kept in the store's Redis.
func (s *Store) PollerLease() *PollerLease { return &PollerLease{client: s.client, k: s.k} }

// Hold gives owner the lease for ttl (at least a millisecond), renewing it
// when owner holds it already, and reports true; while another owner
// holds it, it reports false and how long that owner's lease has left.
func (l *PollerLease) Hold(ctx context.Context, owner string, ttl time.Duration) (bool, time.Duration, error) {
	left, err := pollerHoldScript.Run(ctx, l.client, []string{l.k.poller()}, owner, max(ttl.Milliseconds(), 1)).Int64()
	if err != nil {
		return false, 0, fmt.Errorf("hold the poller lease: %w", err)
	}
	return left == 0, time.Duration(left) * time.Millisecond, nil
}

// Release gives owner's lease up; it does nothing when owner does not
// hold it.
func (l *PollerLease) Release(ctx context.Context, owner string) error {
	if err := pollerReleaseScript.Run(ctx, l.client, []string{l.k.poller()}, owner).Err(); err != nil {
		return fmt.Errorf("release the poller lease: %w", err)
	}
	return nil
}
