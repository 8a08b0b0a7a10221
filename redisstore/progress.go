package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// progressTTL is how long the record of a progress message is kept after
// it was written last.
const progressTTL = 30 * 24 * time.Hour

// Progress keeps the progress messages of broadcasts (bot.Watches) in the
// Redis of a Store, under its prefix: progress:<id>, expiring 30 days
// after it was written last, and progress:<id>:lock, which runs out by the
// server's clock (see keys.go and lua/progress_*.lua). Every method is one
// round trip.
type Progress struct {
	client *redis.Client
	k      keys
}

// Progress returns the progress records kept in the store's Redis.
func (s *Store) Progress() *Progress { return &Progress{client: s.client, k: s.k} }

// Claim gives owner the right to edit broadcast id's progress message for
// ttl (at least a millisecond), renewing it when owner holds it already;
// it reports false while another owner holds it.
func (p *Progress) Claim(ctx context.Context, id, owner string, ttl time.Duration) (bool, error) {
	ok, err := progressClaimScript.Run(ctx, p.client, []string{p.k.progressLock(id)}, owner, max(ttl.Milliseconds(), 1)).Int()
	if err != nil {
		return false, fmt.Errorf("claim progress of %s: %w", id, err)
	}
	return ok == 1, nil
}

// Release gives owner's claim on broadcast id's progress message up; it
// does nothing when owner does not hold it.
func (p *Progress) Release(ctx context.Context, id, owner string) error {
	if err := progressReleaseScript.Run(ctx, p.client, []string{p.k.progressLock(id)}, owner).Err(); err != nil {
		return fmt.Errorf("release progress of %s: %w", id, err)
	}
	return nil
}

// Message returns the id of broadcast id's progress message (0 when none
// was recorded) and whether its final edit was made.
func (p *Progress) Message(ctx context.Context, id string) (int, bool, error) {
	vals, err := p.client.HMGet(ctx, p.k.progress(id), "msg", "ended").Result()
	if err != nil {
		return 0, false, fmt.Errorf("read progress of %s: %w", id, err)
	}
	var msg int
	if s, ok := vals[0].(string); ok {
		if msg, err = strconv.Atoi(s); err != nil {
			return 0, false, fmt.Errorf("read progress of %s: message id %q: %w", id, s, err)
		}
	}
	ended, _ := vals[1].(string)
	return msg, ended == "1", nil
}

// SetMessage records msg as broadcast id's progress message.
func (p *Progress) SetMessage(ctx context.Context, id string, msg int) error {
	return p.set(ctx, id, "msg", strconv.Itoa(msg))
}

// End records that the final edit of broadcast id's progress message was
// made.
func (p *Progress) End(ctx context.Context, id string) error {
	return p.set(ctx, id, "ended", "1")
}

func (p *Progress) set(ctx context.Context, id, field, value string) error {
	if id == "" {
		return errors.New("record progress: empty broadcast id")
	}
	tx := p.client.TxPipeline()
	tx.HSet(ctx, p.k.progress(id), field, value)
	tx.Expire(ctx, p.k.progress(id), progressTTL)
	if _, err := tx.Exec(ctx); err != nil {
		return fmt.Errorf("record progress of %s: %w", id, err)
	}
	return nil
}
