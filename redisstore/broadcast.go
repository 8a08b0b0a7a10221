package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/broadcast"
)

// DefaultBroadcastLease is how long a claimed broadcast recipient stays
// with its worker unless renewed.
const DefaultBroadcastLease = 60 * time.Second

// Broadcasts is the durable broadcast queue (broadcast.Queue and
// broadcast.Deliveries) in the Redis of a Store, under the Store's prefix.
//
// Its keys are:
//
//	bc:<id>        hash: the broadcast's record, kept for the audit and never
//	               expiring: notice (JSON), state, total, sent, blocked,
//	               failed, by, created, at, finished (times in ms since 1970)
//	bc:<id>:todo   sorted set of the recipients not recorded yet, members
//	               "<chat>|<lang>", scored by the time in ms from which they
//	               may be claimed: the broadcast's At, the end of a lease, or
//	               the time of a retry
//	bc:<id>:lease  hash: member → the lease token of its claim, while claimed
//	bc:<id>:try    hash: member → the attempts made, after a retry
//	bc:<id>:out    hash: chat → what became of it: "sent", "blocked" or
//	               "failed: <reason>" (the audit of each recipient)
//	bc:active      sorted set of the broadcasts queued or sending, scored by
//	               their At in ms
//	bc:index       sorted set of every broadcast, scored by its creation in ms
//	bc:stage:<r>   the recipients gathered by one Create, until it commits
//
// Times are the server's (TIME), as the inbox's. Each method is one round
// trip (a Lua script), except Create, which reads the audience page by
// page and writes each page before committing in one script, and List.
// Like Inbox it needs a single Redis server, not a Cluster.
type Broadcasts struct {
	client *redis.Client
	prefix string
	lease  time.Duration
}

var (
	_ broadcast.Queue      = (*Broadcasts)(nil)
	_ broadcast.Deliveries = (*Broadcasts)(nil)
)

// Broadcasts returns the broadcast queue kept in the store's Redis, under
// its prefix, sharing its connection; a claimed recipient stays with its
// worker for lease unless renewed (DefaultBroadcastLease when lease <= 0).
func (s *Store) Broadcasts(lease time.Duration) *Broadcasts {
	if lease <= 0 {
		lease = DefaultBroadcastLease
	}
	return &Broadcasts{client: s.client, prefix: s.prefix, lease: lease}
}

func (b *Broadcasts) key(id, kind string) string {
	if kind == "" {
		return b.prefix + "bc:" + id
	}
	return b.prefix + "bc:" + id + ":" + kind
}

// audiencePage is how many subscribers Create reads at a time.
const audiencePage = 1000

// checkNotice checks the texts of n: every language its filter selects
// must have a text, and every text must be one Telegram takes.
func checkNotice(n broadcast.Notice) error {
	for lang, text := range n.Texts {
		switch lang {
		case "", broadcast.LangHant, broadcast.LangHans, broadcast.LangEn:
		default:
			return fmt.Errorf("text for unknown language %q", lang)
		}
		if err := broadcast.CheckText(text); err != nil {
			if lang == "" {
				return err
			}
			return fmt.Errorf("text in %s: %w", lang, err)
		}
	}
	langs := []string{broadcast.LangHant, broadcast.LangHans, broadcast.LangEn}
	if n.Filter.Lang != "" {
		langs = []string{n.Filter.Lang}
	}
	for _, l := range langs {
		if n.Text(l) == "" {
			return fmt.Errorf("no text for %s: %w", l, broadcast.ErrEmpty)
		}
	}
	return nil
}

// commitScript commits a Create. KEYS are bc:<id>, the stage, todo,
// active and index; ARGV are id, the notice JSON, by, created ms, at ms.
// It returns 0 when the broadcast exists (the stage is dropped), else its
// total.
var bcCommitScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
	redis.call('DEL', KEYS[2])
	return -1
end
local total = redis.call('ZCARD', KEYS[2])
local state = 'queued'
redis.call('HSET', KEYS[1], 'notice', ARGV[2], 'by', ARGV[3], 'created', ARGV[4], 'at', ARGV[5],
	'total', total, 'sent', 0, 'blocked', 0, 'failed', 0)
if total > 0 then
	redis.call('RENAME', KEYS[2], KEYS[3])
	redis.call('PERSIST', KEYS[3])
	redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
else
	state = 'done'
	redis.call('HSET', KEYS[1], 'finished', ARGV[4])
end
redis.call('HSET', KEYS[1], 'state', state)
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
return total
`)

// Create records a broadcast of n to the active subscribers of audience
// matching n.Filter, as they are now; see broadcast.Queue. The notice must
// have a text for every language its filter selects (errors wrapping
// broadcast.ErrEmpty or ErrTooLong otherwise). Its recipients are gathered
// apart and committed at once, so a Create that fails midway leaves no
// broadcast, and two Creates of one ID make one.
func (b *Broadcasts) Create(ctx context.Context, n broadcast.Notice, audience broadcast.Subscribers) (broadcast.Status, error) {
	if err := checkNotice(n); err != nil {
		return broadcast.Status{}, fmt.Errorf("create broadcast: %w", err)
	}
	now := time.Now()
	if n.Created.IsZero() {
		n.Created = now
	}
	if n.At.IsZero() {
		n.At = n.Created
	}
	if n.ID == "" {
		n.ID = broadcast.NewID(now)
	} else if strings.ContainsAny(n.ID, " |:\n") || len(n.ID) > 128 {
		return broadcast.Status{}, fmt.Errorf("create broadcast: id %q has a space, | or : or is over 128 bytes", n.ID)
	}
	if st, _, err := b.Status(ctx, n.ID); err == nil {
		return st, fmt.Errorf("create broadcast %s: %w", n.ID, broadcast.ErrExists)
	} else if !errors.Is(err, broadcast.ErrNotFound) {
		return broadcast.Status{}, fmt.Errorf("create broadcast %s: %w", n.ID, err)
	}
	data, err := json.Marshal(n)
	if err != nil {
		return broadcast.Status{}, fmt.Errorf("create broadcast %s: %w", n.ID, err)
	}

	stage := b.prefix + "bc:stage:" + rand.Text()
	at := n.At.UnixMilli()
	var after int64
	for {
		page, err := audience.List(ctx, n.Filter, after, audiencePage)
		if err != nil {
			b.client.Del(context.WithoutCancel(ctx), stage)
			return broadcast.Status{}, fmt.Errorf("create broadcast %s: list the audience after chat %d: %w", n.ID, after, err)
		}
		if len(page) == 0 {
			break
		}
		members := make([]redis.Z, len(page))
		for i, s := range page {
			lang := s.Lang
			if lang == "" {
				lang = broadcast.LangHant
			}
			members[i] = redis.Z{Score: float64(at), Member: strconv.FormatInt(s.Chat, 10) + "|" + lang}
			after = s.Chat
		}
		p := b.client.TxPipeline()
		p.ZAdd(ctx, stage, members...)
		p.Expire(ctx, stage, time.Hour)
		if _, err := p.Exec(ctx); err != nil {
			b.client.Del(context.WithoutCancel(ctx), stage)
			return broadcast.Status{}, fmt.Errorf("create broadcast %s: record recipients: %w", n.ID, err)
		}
		if len(page) < audiencePage {
			break
		}
	}
	total, err := bcCommitScript.Run(ctx, b.client,
		[]string{b.key(n.ID, ""), stage, b.key(n.ID, "todo"), b.prefix + "bc:active", b.prefix + "bc:index"},
		n.ID, data, n.By, n.Created.UnixMilli(), at).Int()
	if err != nil {
		return broadcast.Status{}, fmt.Errorf("create broadcast %s: %w", n.ID, err)
	}
	st, _, err := b.Status(ctx, n.ID)
	if err != nil {
		return broadcast.Status{}, fmt.Errorf("create broadcast %s: %w", n.ID, err)
	}
	if total < 0 {
		return st, fmt.Errorf("create broadcast %s: %w", n.ID, broadcast.ErrExists)
	}
	return st, nil
}

// Status returns the broadcast's counts and notice, in one round trip.
func (b *Broadcasts) Status(ctx context.Context, id string) (broadcast.Status, broadcast.Notice, error) {
	p := b.client.Pipeline()
	rec := p.HGetAll(ctx, b.key(id, ""))
	pending := p.ZCard(ctx, b.key(id, "todo"))
	if _, err := p.Exec(ctx); err != nil {
		return broadcast.Status{}, broadcast.Notice{}, fmt.Errorf("read broadcast %s: %w", id, err)
	}
	return b.statusOf(id, rec.Val(), pending.Val())
}

func (b *Broadcasts) statusOf(id string, rec map[string]string, pending int64) (broadcast.Status, broadcast.Notice, error) {
	if len(rec) == 0 {
		return broadcast.Status{}, broadcast.Notice{}, fmt.Errorf("broadcast %s: %w", id, broadcast.ErrNotFound)
	}
	var n broadcast.Notice
	if err := json.Unmarshal([]byte(rec["notice"]), &n); err != nil {
		return broadcast.Status{}, broadcast.Notice{}, fmt.Errorf("broadcast %s: notice: %w", id, err)
	}
	num := func(f string) int { v, _ := strconv.Atoi(rec[f]); return v }
	ms := func(f string) time.Time {
		v, err := strconv.ParseInt(rec[f], 10, 64)
		if err != nil || v == 0 {
			return time.Time{}
		}
		return time.UnixMilli(v)
	}
	st := broadcast.Status{
		ID:       id,
		State:    broadcast.State(rec["state"]),
		Total:    num("total"),
		Sent:     num("sent"),
		Blocked:  num("blocked"),
		Failed:   num("failed"),
		Pending:  int(pending),
		At:       ms("at"),
		By:       rec["by"],
		Created:  ms("created"),
		Finished: ms("finished"),
	}
	return st, n, nil
}

// Notice returns the notice of broadcast id; see broadcast.Deliveries.
func (b *Broadcasts) Notice(ctx context.Context, id string) (broadcast.Notice, error) {
	_, n, err := b.Status(ctx, id)
	return n, err
}

// bcCancelScript cancels. KEYS are bc:<id> and active; ARGV is the id. It
// returns 0 for an unknown broadcast, else 1.
var bcCancelScript = redis.NewScript(luaNow + `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
if state == 'queued' or state == 'sending' then
	redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finished', now)
	redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
`)

// Cancel stops a queued or sending broadcast: no recipient is claimed
// afterwards; see broadcast.Queue. Its recipients not sent stay pending in
// its record (Status.Pending), for the audit.
func (b *Broadcasts) Cancel(ctx context.Context, id string) (broadcast.Status, error) {
	ok, err := bcCancelScript.Run(ctx, b.client, []string{b.key(id, ""), b.prefix + "bc:active"}, id).Int()
	if err != nil {
		return broadcast.Status{}, fmt.Errorf("cancel broadcast %s: %w", id, err)
	}
	if ok == 0 {
		return broadcast.Status{}, fmt.Errorf("cancel broadcast %s: %w", id, broadcast.ErrNotFound)
	}
	st, _, err := b.Status(ctx, id)
	if err != nil {
		return broadcast.Status{}, fmt.Errorf("cancel broadcast %s: %w", id, err)
	}
	return st, nil
}

// List returns the statuses of the n broadcasts created last, most recent
// first, in two round trips.
func (b *Broadcasts) List(ctx context.Context, n int) ([]broadcast.Status, error) {
	if n <= 0 {
		return nil, nil
	}
	ids, err := b.client.ZRevRange(ctx, b.prefix+"bc:index", 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	p := b.client.Pipeline()
	recs := make([]*redis.MapStringStringCmd, len(ids))
	pend := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		recs[i] = p.HGetAll(ctx, b.key(id, ""))
		pend[i] = p.ZCard(ctx, b.key(id, "todo"))
	}
	if _, err := p.Exec(ctx); err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	out := make([]broadcast.Status, 0, len(ids))
	for i, id := range ids {
		st, _, err := b.statusOf(id, recs[i].Val(), pend[i].Val())
		if err != nil {
			return nil, fmt.Errorf("list broadcasts: %w", err)
		}
		out = append(out, st)
	}
	return out, nil
}

// luaFinish defines finish(P, id, bk, todo, now), which makes a sending
// broadcast with no recipient left done.
const luaFinish = `
local function finish(P, id, bk, todo, now)
	if redis.call('ZCARD', todo) > 0 then return end
	if redis.call('HGET', bk, 'state') == 'sending' or redis.call('HGET', bk, 'state') == 'queued' then
		redis.call('HSET', bk, 'state', 'done', 'finished', now)
	end
	redis.call('ZREM', P .. 'bc:active', id)
end
`

// bcClaimScript claims a recipient. KEYS is active; ARGV are the prefix,
// the lease token and the lease in ms. It returns {id, member, attempts,
// lease end ms}, or nil when no recipient may be claimed.
var bcClaimScript = redis.NewScript(luaNow + luaFinish + `
local P, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 32)
for _, id in ipairs(ids) do
	local bk, todo = P .. 'bc:' .. id, P .. 'bc:' .. id .. ':todo'
	local state = redis.call('HGET', bk, 'state')
	if state ~= 'queued' and state ~= 'sending' then
		redis.call('ZREM', KEYS[1], id)
	else
		if state == 'queued' then redis.call('HSET', bk, 'state', 'sending') end
		local m = redis.call('ZRANGEBYSCORE', todo, '-inf', now, 'LIMIT', 0, 1)[1]
		if m then
			redis.call('ZADD', todo, 'XX', now + lease, m)
			redis.call('HSET', todo:sub(1, -5) .. 'lease', m, token)
			local tries = redis.call('HGET', todo:sub(1, -5) .. 'try', m) or '0'
			return {id, m, tries, tostring(now + lease)}
		end
		finish(P, id, bk, todo, now)
	end
end
return false
`)

// Claim hands out a pending recipient of the broadcast due first, under a
// new lease, in one round trip; see broadcast.Deliveries.
func (b *Broadcasts) Claim(ctx context.Context) (broadcast.Delivery, bool, error) {
	token := rand.Text()[:16]
	r, err := bcClaimScript.Run(ctx, b.client, []string{b.prefix + "bc:active"}, b.prefix, token, b.lease.Milliseconds()).Result()
	if errors.Is(err, redis.Nil) {
		return broadcast.Delivery{}, false, nil
	}
	if err != nil {
		return broadcast.Delivery{}, false, fmt.Errorf("claim a broadcast recipient: %w", err)
	}
	l := replyList(r)
	if len(l) != 4 {
		return broadcast.Delivery{}, false, fmt.Errorf("claim a broadcast recipient: unexpected reply %q", r)
	}
	d := broadcast.Delivery{ID: replyStr(l[0]), Lease: token}
	chat, lang, _ := strings.Cut(replyStr(l[1]), "|")
	d.Lang = lang
	if d.Chat, err = strconv.ParseInt(chat, 10, 64); err != nil {
		return broadcast.Delivery{}, false, fmt.Errorf("claim a broadcast recipient: member %q of %s: %w", replyStr(l[1]), d.ID, err)
	}
	d.Attempt, _ = strconv.Atoi(replyStr(l[2]))
	until, _ := strconv.ParseInt(replyStr(l[3]), 10, 64)
	d.Until = time.UnixMilli(until)
	return d, true, nil
}

func member(d broadcast.Delivery) string {
	return strconv.FormatInt(d.Chat, 10) + "|" + d.Lang
}

// bcRenewScript renews. KEYS are bc:<id>, todo, lease; ARGV are the
// member, the token and the lease ms. It returns the new end, or -1.
var bcRenewScript = redis.NewScript(luaNow + `
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'sending' then
	return -1
end
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[3]), ARGV[1])
return now + tonumber(ARGV[3])
`)

// Renew extends the lease of d, in one round trip; see
// broadcast.Deliveries.
func (b *Broadcasts) Renew(ctx context.Context, d broadcast.Delivery) (broadcast.Delivery, error) {
	until, err := bcRenewScript.Run(ctx, b.client, []string{b.key(d.ID, ""), b.key(d.ID, "todo"), b.key(d.ID, "lease")},
		member(d), d.Lease, b.lease.Milliseconds()).Int64()
	if err != nil {
		return d, fmt.Errorf("renew broadcast %s to chat %d: %w", d.ID, d.Chat, err)
	}
	if until < 0 {
		return d, fmt.Errorf("renew broadcast %s to chat %d: %w", d.ID, d.Chat, broadcast.ErrLeaseLost)
	}
	d.Until = time.UnixMilli(until)
	return d, nil
}

// bcRecordScript records. KEYS are bc:<id>, todo, lease, try, out; ARGV
// are the member, the token, the result, what to keep in out, the chat,
// the prefix and the id. It returns 1, or -1 without the lease.
var bcRecordScript = redis.NewScript(luaNow + luaFinish + `
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
redis.call('HSET', KEYS[5], ARGV[5], ARGV[4])
finish(ARGV[6], ARGV[7], KEYS[1], KEYS[2], now)
return 1
`)

// Record records what became of d, in one round trip; see
// broadcast.Deliveries. A recipient is recorded once: a second Record of
// the same claim returns broadcast.ErrLeaseLost.
func (b *Broadcasts) Record(ctx context.Context, d broadcast.Delivery, r broadcast.Result, reason string) error {
	out := string(r)
	switch r {
	case broadcast.Sent, broadcast.Blocked:
	case broadcast.Failed:
		out = "failed: " + reason
	default:
		return fmt.Errorf("record broadcast %s to chat %d: unknown result %q", d.ID, d.Chat, r)
	}
	n, err := bcRecordScript.Run(ctx, b.client,
		[]string{b.key(d.ID, ""), b.key(d.ID, "todo"), b.key(d.ID, "lease"), b.key(d.ID, "try"), b.key(d.ID, "out")},
		member(d), d.Lease, string(r), out, d.Chat, b.prefix, d.ID).Int()
	if err != nil {
		return fmt.Errorf("record broadcast %s to chat %d %s: %w", d.ID, d.Chat, r, err)
	}
	if n < 0 {
		return fmt.Errorf("record broadcast %s to chat %d %s: %w", d.ID, d.Chat, r, broadcast.ErrLeaseLost)
	}
	return nil
}

// bcRetryScript gives a recipient back. KEYS are todo, lease, try; ARGV
// are the member, the token, the delay ms and the attempts. It returns 1,
// or -1 without the lease.
var bcRetryScript = redis.NewScript(luaNow + `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[1])
if ARGV[4] ~= '0' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[4]) end
return 1
`)

// Retry gives d back to be claimed after the delay, in one round trip;
// see broadcast.Deliveries.
func (b *Broadcasts) Retry(ctx context.Context, d broadcast.Delivery, after time.Duration) error {
	n, err := bcRetryScript.Run(ctx, b.client,
		[]string{b.key(d.ID, "todo"), b.key(d.ID, "lease"), b.key(d.ID, "try")},
		member(d), d.Lease, max(after, 0).Milliseconds(), d.Attempt).Int()
	if err != nil {
		return fmt.Errorf("retry broadcast %s to chat %d: %w", d.ID, d.Chat, err)
	}
	if n < 0 {
		return fmt.Errorf("retry broadcast %s to chat %d: %w", d.ID, d.Chat, broadcast.ErrLeaseLost)
	}
	return nil
}

// Outcomes returns what became of each recipient recorded so far, by chat:
// "sent", "blocked" or "failed: <reason>".
func (b *Broadcasts) Outcomes(ctx context.Context, id string) (map[int64]string, error) {
	m, err := b.client.HGetAll(ctx, b.key(id, "out")).Result()
	if err != nil {
		return nil, fmt.Errorf("read outcomes of broadcast %s: %w", id, err)
	}
	out := make(map[int64]string, len(m))
	for k, v := range m {
		chat, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read outcomes of broadcast %s: chat %q: %w", id, k, err)
		}
		out[chat] = v
	}
	return out, nil
}
