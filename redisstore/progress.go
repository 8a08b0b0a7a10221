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
// Redis of a Store, under its prefix:
//
//	progress:<id>       hash: msg (the message id) and ended ("1" once the
//	                    final edit was made), expiring 30 days after it
//	                    was written last
//	progress:<id>:lock  "<expiry in ms>:<owner>": who edits the message,
//	                    until when (by the server's clock)
//
// Every method is one round trip.
type Progress struct {
	client *redis.Client
	prefix string
}

// Progress returns the progress records kept in the store's Redis.
func (s *Store) Progress() *Progress { return &Progress{client: s.client, prefix: s.prefix} }

func (p *Progress) key(id string) string { return p.prefix + "progress:" + id }

// progressClaimScript takes or renews the lock KEYS[1] for owner ARGV[1]
// for ARGV[2] ms; it returns 1, or 0 when another owner holds it. The lock
// is "<expiry in ms>:<owner>", by the server's clock (TIME), so that it
// runs out on the embedded server too, whose keys expire only when told
// to; the key expires as well, for cleaning.
var progressClaimScript = redis.NewScript(luaNow + `
local v = redis.call('GET', KEYS[1])
if v then
	local exp, owner = string.match(v, '^(%d+):(.*)$')
	if exp and owner ~= ARGV[1] and tonumber(exp) > now then return 0 end
end
redis.call('SET', KEYS[1], (now + tonumber(ARGV[2])) .. ':' .. ARGV[1], 'PX', ARGV[2])
return 1
`)

// Claim gives owner the right to edit broadcast id's progress message for
// ttl (at least a millisecond), renewing it when owner holds it already;
// it reports false while another owner holds it.
func (p *Progress) Claim(ctx context.Context, id, owner string, ttl time.Duration) (bool, error) {
	ok, err := progressClaimScript.Run(ctx, p.client, []string{p.key(id) + ":lock"}, owner, max(ttl.Milliseconds(), 1)).Int()
	if err != nil {
		return false, fmt.Errorf("claim progress of %s: %w", id, err)
	}
	return ok == 1, nil
}

// progressReleaseScript deletes the lock KEYS[1] if owner ARGV[1] holds
// it.
var progressReleaseScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and string.match(v, '^%d+:(.*)$') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

// Release gives owner's claim on broadcast id's progress message up; it
// does nothing when owner does not hold it.
func (p *Progress) Release(ctx context.Context, id, owner string) error {
	if err := progressReleaseScript.Run(ctx, p.client, []string{p.key(id) + ":lock"}, owner).Err(); err != nil {
		return fmt.Errorf("release progress of %s: %w", id, err)
	}
	return nil
}

// Message returns the id of broadcast id's progress message (0 when none
// was recorded) and whether its final edit was made.
func (p *Progress) Message(ctx context.Context, id string) (int, bool, error) {
	vals, err := p.client.HMGet(ctx, p.key(id), "msg", "ended").Result()
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
	tx.HSet(ctx, p.key(id), field, value)
	tx.Expire(ctx, p.key(id), progressTTL)
	if _, err := tx.Exec(ctx); err != nil {
		return fmt.Errorf("record progress of %s: %w", id, err)
	}
	return nil
}
