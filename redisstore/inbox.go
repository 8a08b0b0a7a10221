package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/dialog"
	"examdesk/inbox"
)

// Defaults of the inbox options.
const (
	DefaultLease = 30 * time.Second
	DefaultDedup = 48 * time.Hour
)

// MinDedup is the shortest deduplication window WithDedup accepts: the one
// inbox.Queue promises.
const MinDedup = 24 * time.Hour

// InboxOption changes how an Inbox works.
type InboxOption func(*inboxOptions)

type inboxOptions struct {
	lease time.Duration
	dedup time.Duration
}

// WithLease makes a chat's lease last lease after it was taken or renewed
// last instead of DefaultLease. It must be at least a millisecond, and
// longer than handling one update or sending one reply takes.
func WithLease(lease time.Duration) InboxOption {
	return func(o *inboxOptions) { o.lease = lease }
}

// WithDedup makes an update id be remembered for deduplication for at
// least dedup (and less than twice that) after it was first added, instead
// of DefaultDedup; it must be at least MinDedup.
func WithDedup(dedup time.Duration) InboxOption {
	return func(o *inboxOptions) { o.dedup = dedup }
}

// Inbox is an inbox.Queue in the Redis of a Store, under the Store's
// prefix. It saves conversation state in the very records the Store's Load
// and Save use.
//
// Its keys, besides the Store's state:<chat>:<user>, are:
//
//	seen:<n>     set of the update ids added in the nth period of the dedup
//	             window since 1970; Add looks ids up in the current period and
//	             the one before, and deletes the older ones
//	seen         the number of the period of the latest Add
//	q:<chat>     sorted set of the chat's pending updates, scored by update id,
//	             each member "<update id>|<user>|<raw JSON>"
//	ready        sorted set of the chats with pending work, scored by the time
//	             in ms from which they may be claimed: when they became ready,
//	             or when their lease expires
//	lock:<chat>  the lease, "<token>:<expiry in ms>"
//	claim:<tok>  the chat the lease tok was taken on, until its holder uses it,
//	             so that a Claim or Next sent again by the client gets the
//	             same job
//	out:<chat>   list of the replies of the outbox
//	sent:<chat>  how many replies of the outbox were sent
//
// Leases expire by the server's clock (TIME), not by key expiry, so they
// work on the embedded server, whose keys expire only when told to; lock
// keys expire too, for cleaning. Every method is one round trip
// to Redis, most of them a Lua script; the first run of each script on a
// server takes one more, to load it. A script that the client sends again
// after a lost reply has the effect and the answer of the first run,
// except Add, which may then count fewer new updates. Claim and Next do
// not block: a caller that finds no chat ready waits (for its own Adds, or
// a while for other processes' and for expired leases) and claims again. Inbox needs Redis 5 or later, on a single server, not a Redis
// Cluster: its scripts reach keys of many chats.
type Inbox struct {
	client *redis.Client
	prefix string
	ttl    time.Duration // of the state records, the Store's
	lease  time.Duration
	dedup  time.Duration
}

var _ inbox.Queue = (*Inbox)(nil)

// Inbox returns a queue of updates kept in the store's Redis, under its
// prefix, sharing its connection.
func (s *Store) Inbox(opts ...InboxOption) (*Inbox, error) {
	o := inboxOptions{lease: DefaultLease, dedup: DefaultDedup}
	for _, opt := range opts {
		opt(&o)
	}
	if o.lease < time.Millisecond {
		return nil, fmt.Errorf("open inbox: lease %v is less than 1ms", o.lease)
	}
	if o.dedup < MinDedup {
		return nil, fmt.Errorf("open inbox: dedup window %v is less than %v", o.dedup, MinDedup)
	}
	return &Inbox{
		client: s.client,
		prefix: s.prefix,
		ttl:    s.ttl,
		lease:  o.lease,
		dedup:  o.dedup,
	}, nil
}

func (q *Inbox) key(kind string, chat int64) string {
	return q.prefix + kind + ":" + strconv.FormatInt(chat, 10)
}

func (q *Inbox) stateKey(chat, user int64) string {
	return q.prefix + "state:" + strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(user, 10)
}

// luaNow sets now to the server's time in ms, the clock of the leases, of
// the scores of ready and of the periods of seen.
const luaNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// luaLock defines lockOf, which returns the token and expiry of the lease
// in the lock key k, or nil and 0 when there is none.
const luaLock = `
local function lockOf(k)
	local v = redis.call('GET', k)
	if not v then return nil, 0 end
	local tok, exp = string.match(v, '^(.*):(%d+)$')
	return tok, tonumber(exp) or 0
end
`

// luaNowHeld sets now, and held: whether the lease in the lock key
// KEYS[1] has the token ARGV[1] and has not expired (tok and exp are its
// token and expiry).
const luaNowHeld = luaNow + luaLock + `
local tok, exp = lockOf(KEYS[1])
local held = tok == ARGV[1] and exp > now
`

// luaRenew renews the lease ARGV[1] in KEYS[1] for ARGV[2] ms and moves the
// chat ARGV[3] in ready, KEYS[2], to when it expires.
const luaRenew = `
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. (now + tonumber(ARGV[2])), 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[3])
`

// luaUser sets user to the user id of the queue member m.
const luaUser = `
local user = string.match(m, '^[^|]*|([^|]*)|')
`

// addScript records updates. KEYS are seen, ready and the q key of each
// update; ARGV are the prefix, the dedup window in ms, then each update's
// chat, id and queue member. Update ids are kept in a set per period of
// the window, seen:<period number>, and looked up in the sets of this
// period and the one before; seen holds the latest period number, and the
// sets older than the one before are deleted. It returns how many updates
// were new.
var addScript = redis.NewScript(luaNow + `
local window = tonumber(ARGV[2])
local period = math.floor(now / window)
local last = tonumber(redis.call('GET', KEYS[1]) or period) or period
if last ~= period then
	for _, p in ipairs({last, last - 1}) do
		if p < period - 1 then redis.call('UNLINK', ARGV[1] .. 'seen:' .. p) end
	end
end
redis.call('SET', KEYS[1], period)
local cur, prev = ARGV[1] .. 'seen:' .. period, ARGV[1] .. 'seen:' .. (period - 1)
local added = 0
for i = 1, #KEYS - 2 do
	local chat, id, m = ARGV[3*i], ARGV[3*i+1], ARGV[3*i+2]
	if redis.call('SISMEMBER', prev, id) == 0 and redis.call('SADD', cur, id) == 1 then
		redis.call('ZADD', KEYS[2+i], id, m)
		redis.call('ZADD', KEYS[2], 'NX', now, chat)
		added = added + 1
	end
end
redis.call('PEXPIRE', cur, 2 * window)
return added
`)

// Add records the updates that are new within the dedup window, in one
// round trip; see inbox.Queue.
// Updates of a chat are handed out in id order, whatever the order they
// were added in, except that an update added after a later one of its chat
// was handed out comes after it. Add is as durable as the server's
// persistence (its appendfsync).
func (q *Inbox) Add(ctx context.Context, us []inbox.Update) (int, error) {
	if len(us) == 0 {
		return 0, nil
	}
	keys := make([]string, 0, 2+len(us))
	args := make([]any, 0, 2+3*len(us))
	keys = append(keys, q.prefix+"seen", q.prefix+"ready")
	args = append(args, q.prefix, q.dedup.Milliseconds())
	for _, u := range us {
		keys = append(keys, q.key("q", u.Chat))
		args = append(args, u.Chat, u.ID, queueMember(u))
	}
	n, err := addScript.Run(ctx, q.client, keys, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("add %d updates: %w", len(us), err)
	}
	return n, nil
}

// queueMember is the queue member of u: "<id>|<user>|<raw>".
func queueMember(u inbox.Update) string {
	return strconv.FormatInt(u.ID, 10) + "|" + strconv.FormatInt(u.User, 10) + "|" + string(u.Raw)
}

// parseQueueMember is the inverse of queueMember, for chat.
func parseQueueMember(chat int64, m string) (inbox.Update, error) {
	id, rest, ok1 := strings.Cut(m, "|")
	user, raw, ok2 := strings.Cut(rest, "|")
	if !ok1 || !ok2 {
		return inbox.Update{}, fmt.Errorf("queued update %.40q is not <id>|<user>|<raw>", m)
	}
	u := inbox.Update{Chat: chat, Raw: []byte(raw)}
	var err error
	if u.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
		return inbox.Update{}, fmt.Errorf("queued update %.40q: bad id: %w", m, err)
	}
	if u.User, err = strconv.ParseInt(user, 10, 64); err != nil {
		return inbox.Update{}, fmt.Errorf("queued update %.40q: bad user: %w", m, err)
	}
	return u, nil
}

// luaClaim defines the functions by which Claim and Next hand a chat out,
// after luaNow and luaLock; P is the prefix and ready the ready key.
//
// job(P, chat, token, outbox) is the reply that hands chat out under the
// lease token: the chat, the token, its first queue member (empty if none),
// the fields of that update's state and the outbox.
//
// claimed(P, ck, token) is, when the script that took the lease token
// already ran, the job it returned, else nil: what a script sent again
// answers. ck is claim:<token>.
//
// claim(P, ready, ck, token, lease) takes the lease token, for lease ms,
// of the ready chat that may be claimed since longest, and returns its
// job, or false when no chat is ready. On its way it moves the chats whose
// lease is held to when it expires, and drops from ready the chats with
// nothing left to do. The job's outbox is what a holder that died or
// released the chat left, less the replies sent or maybe in flight, which
// claim also drops from the outbox.
const luaClaim = `
local function job(P, chat, token, outbox)
	local first = redis.call('ZRANGE', P .. 'q:' .. chat, 0, 0)
	local m = first[1] or ''
	local state = {}
	if m ~= '' then
		` + luaUser + `
		state = redis.call('HGETALL', P .. 'state:' .. chat .. ':' .. user)
	end
	return {chat, token, m, state, outbox}
end

local function claimed(P, ck, token)
	local chat = redis.call('GET', ck)
	if not chat then return nil end
	local tok, exp = lockOf(P .. 'lock:' .. chat)
	if tok ~= token or exp <= now then return nil end
	return job(P, chat, token, redis.call('LRANGE', P .. 'out:' .. chat, 0, -1))
end

local function claim(P, ready, ck, token, lease)
	while true do
		local chats = redis.call('ZRANGEBYSCORE', ready, '-inf', now, 'LIMIT', 0, 16)
		if #chats == 0 then return false end
		for _, chat in ipairs(chats) do
			local lock = P .. 'lock:' .. chat
			local tok, exp = lockOf(lock)
			if tok and exp > now then
				redis.call('ZADD', ready, 'XX', exp, chat)
			else
				if tok then redis.call('DEL', P .. 'claim:' .. tok) end
				local q, out, sentk = P .. 'q:' .. chat, P .. 'out:' .. chat, P .. 'sent:' .. chat
				local sent = tonumber(redis.call('GET', sentk) or '0') or 0
				local outbox = redis.call('LRANGE', out, sent + 1, -1)
				if #outbox == 0 then
					redis.call('DEL', out)
				else
					redis.call('LTRIM', out, sent + 1, -1)
				end
				redis.call('DEL', sentk)
				if #outbox == 0 and redis.call('ZCARD', q) == 0 then
					redis.call('ZREM', ready, chat)
					redis.call('DEL', lock)
				else
					redis.call('SET', lock, token .. ':' .. (now + lease), 'PX', lease)
					redis.call('ZADD', ready, 'XX', now + lease, chat)
					redis.call('SET', ck, chat, 'PX', lease)
					return job(P, chat, token, outbox)
				end
			end
		end
	end
end
`

// claimScript takes the lease of the ready chat that may be claimed since
// longest. KEYS are ready and claim:<token>; ARGV are the prefix, the new
// lease token and the lease in ms. It returns the job of luaClaim, or nil
// when no chat is ready.
var claimScript = redis.NewScript(luaNow + luaLock + luaClaim + `
local P, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
return claimed(P, KEYS[2], token) or claim(P, KEYS[1], KEYS[2], token, lease)
`)

// Claim takes the lease of the chat that has been ready longest and that
// nobody holds, in one round trip; see inbox.Queue. A chat whose holder
// died without Release is ready again once its lease expired. If the state
// record of the job cannot be read, Claim returns an error and keeps the
// chat's lease until it expires, so other chats go first and the chat is
// tried again after the lease.
func (q *Inbox) Claim(ctx context.Context) (inbox.Job, bool, error) {
	lease := rand.Text()
	r, err := claimScript.Run(ctx, q.client, []string{q.prefix + "ready", q.prefix + "claim:" + lease},
		q.prefix, lease, q.lease.Milliseconds()).Result()
	if errors.Is(err, redis.Nil) {
		return inbox.Job{}, false, nil
	}
	if err != nil {
		return inbox.Job{}, false, fmt.Errorf("claim a chat: %w", err)
	}
	j, err := q.jobOf(r)
	if err != nil {
		return inbox.Job{}, false, fmt.Errorf("claim a chat: %w", err)
	}
	return j, true, nil
}

// jobOf is the job in the reply of luaClaim's job.
func (q *Inbox) jobOf(reply any) (inbox.Job, error) {
	r := replyList(reply)
	if len(r) != 5 || replyStr(r[1]) == "" {
		return inbox.Job{}, fmt.Errorf("unexpected reply %q", reply)
	}
	chat, err := strconv.ParseInt(replyStr(r[0]), 10, 64)
	if err != nil {
		return inbox.Job{}, fmt.Errorf("ready chat %q: %w", replyStr(r[0]), err)
	}
	j := inbox.Job{Chat: chat, Lease: replyStr(r[1])}
	if err := q.job(&j, replyStr(r[2]), r[3]); err != nil {
		return inbox.Job{}, fmt.Errorf("chat %d: %w", chat, err)
	}
	for _, o := range replyList(r[4]) {
		j.Outbox = append(j.Outbox, []byte(replyStr(o)))
	}
	return j, nil
}

// job sets the update of j from the queue member m, if any, and its state
// from the fields of the state record.
func (q *Inbox) job(j *inbox.Job, m string, fields any) error {
	if m == "" {
		return nil
	}
	u, err := parseQueueMember(j.Chat, m)
	if err != nil {
		return err
	}
	flat := replyList(fields)
	rec := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		rec[replyStr(flat[i])] = replyStr(flat[i+1])
	}
	st, err := decode(rec)
	if err != nil {
		return fmt.Errorf("load state %d/%d from %s: %w", u.Chat, u.User, q.stateKey(u.Chat, u.User), err)
	}
	j.Update, j.State = u, st
	return nil
}

func replyStr(v any) string {
	s, _ := v.(string)
	return s
}

func replyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// commitScript commits a job. KEYS are lock, ready, state, q, out, sent,
// claim; ARGV are token, lease ms, chat, the expected version, the new
// version, the encoded state, the state's time to live in ms, the update
// id, then the replies. It returns 1 when committed (now or by the same
// call before), -1 without the lease, -2 when the update is not pending, 0
// when the version changed.
var commitScript = redis.NewScript(luaNowHeld + `
if not held then return -1 end
redis.call('DEL', KEYS[7])
if redis.call('ZCOUNT', KEYS[4], ARGV[8], ARGV[8]) == 0 then
	if redis.call('HGET', KEYS[3], 'v') == ARGV[5] then return 1 end
	return -2
end
if redis.call('EXISTS', KEYS[3]) == 0 then
	if ARGV[4] ~= '0' then return 0 end
elseif ARGV[4] == '0' or redis.call('HGET', KEYS[3], 'v') ~= ARGV[4] then
	return 0
end
redis.call('HSET', KEYS[3], 'v', ARGV[5], 'd', ARGV[6])
redis.call('PEXPIRE', KEYS[3], ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[4], ARGV[8], ARGV[8])
redis.call('DEL', KEYS[5], KEYS[6])
for i = 9, #ARGV do
	redis.call('RPUSH', KEYS[5], ARGV[i])
end
` + luaRenew + `
return 1
`)

// Commit saves st, removes j's update from the queue and records out as
// the outbox, atomically, in one round trip, and renews the lease; see
// inbox.Queue. The state is saved as Store.Save would, with the Store's
// time to live.
func (q *Inbox) Commit(ctx context.Context, j inbox.Job, st dialog.State, out [][]byte) error {
	u := j.Update
	d, err := dialog.EncodeState(st)
	if err != nil {
		return fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, err)
	}
	keys := []string{
		q.key("lock", j.Chat), q.prefix + "ready", q.stateKey(j.Chat, u.User),
		q.key("q", j.Chat), q.key("out", j.Chat), q.key("sent", j.Chat), q.prefix + "claim:" + j.Lease,
	}
	args := make([]any, 0, 8+len(out))
	args = append(args, j.Lease, q.lease.Milliseconds(), j.Chat,
		st.Version, st.Version+1, d, q.ttl.Milliseconds(), u.ID)
	for _, o := range out {
		args = append(args, o)
	}
	r, err := commitScript.Run(ctx, q.client, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, err)
	}
	switch r {
	case 1:
		return nil
	case 0:
		return fmt.Errorf("commit update %d of chat %d: save state %d/%d at version %d: %w",
			u.ID, j.Chat, j.Chat, u.User, st.Version, dialog.ErrConflict)
	case -1:
		return fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, inbox.ErrLeaseLost)
	default:
		return fmt.Errorf("commit update %d of chat %d: update is not pending", u.ID, j.Chat)
	}
}

// sentScript records progress. KEYS are lock, ready, sent, claim; ARGV are
// token, lease ms, chat, n. It returns 1, or -1 without the lease.
var sentScript = redis.NewScript(luaNowHeld + `
if not held then return -1 end
redis.call('DEL', KEYS[4])
redis.call('SET', KEYS[3], ARGV[4])
` + luaRenew + `
return 1
`)

// Sent records that the first n replies of the outbox were sent, in one
// round trip, and renews the lease; see inbox.Queue. A holder calls it
// between replies, not after the last one: Next clears the outbox.
func (q *Inbox) Sent(ctx context.Context, j inbox.Job, n int) error {
	if n < 0 {
		return fmt.Errorf("record %d replies sent to chat %d: negative count", n, j.Chat)
	}
	r, err := sentScript.Run(ctx, q.client,
		[]string{q.key("lock", j.Chat), q.prefix + "ready", q.key("sent", j.Chat), q.prefix + "claim:" + j.Lease},
		j.Lease, q.lease.Milliseconds(), j.Chat, n).Int()
	if err != nil {
		return fmt.Errorf("record %d replies sent to chat %d: %w", n, j.Chat, err)
	}
	if r != 1 {
		return fmt.Errorf("record %d replies sent to chat %d: %w", n, j.Chat, inbox.ErrLeaseLost)
	}
	return nil
}

// nextScript moves to the next job. KEYS are lock, ready, out, sent, q,
// claim:<token> and claim:<new token>; ARGV are token, lease ms, chat,
// prefix and a new token. It returns -1 without the lease; else it clears
// the outbox and returns the chat's next job with the lease renewed, or,
// when nothing is pending, releases the chat and returns what claim
// returns with the new token. Without the lease, a chat with nothing
// pending and no outbox, as the same call before left it, is released
// too; and when the same call before claimed a chat, its job comes back.
var nextScript = redis.NewScript(luaNowHeld + luaClaim + `
local P, lease, newToken = ARGV[4], tonumber(ARGV[2]), ARGV[5]
redis.call('DEL', KEYS[6])
local again = claimed(P, KEYS[7], newToken)
if again then return again end
if held then
	redis.call('DEL', KEYS[3], KEYS[4])
	if redis.call('ZCARD', KEYS[5]) > 0 then
		` + luaRenew + `
		return job(P, ARGV[3], ARGV[1], {})
	end
elseif (tok and exp > now) or redis.call('ZCARD', KEYS[5]) > 0 or redis.call('EXISTS', KEYS[3]) == 1 then
	return -1
end
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[1], KEYS[4])
return claim(P, KEYS[2], KEYS[7], newToken, lease)
`)

// Next clears the outbox and returns the chat's next job under the same
// lease, renewed; when no update of the chat is pending, it gives the lease
// up and claims the chat that has been ready longest as Claim does, under a
// new lease; all in one round trip; see inbox.Queue. If the state record of
// the next job cannot be read, it returns an error and keeps the lease of
// that job's chat until it expires.
func (q *Inbox) Next(ctx context.Context, j inbox.Job) (inbox.Job, bool, error) {
	lease := rand.Text()
	keys := []string{
		q.key("lock", j.Chat), q.prefix + "ready", q.key("out", j.Chat), q.key("sent", j.Chat),
		q.key("q", j.Chat), q.prefix + "claim:" + j.Lease, q.prefix + "claim:" + lease,
	}
	r, err := nextScript.Run(ctx, q.client, keys, j.Lease, q.lease.Milliseconds(), j.Chat, q.prefix, lease).Result()
	if errors.Is(err, redis.Nil) {
		return inbox.Job{}, false, nil
	}
	if err != nil {
		return inbox.Job{}, false, fmt.Errorf("next job after chat %d: %w", j.Chat, err)
	}
	if n, ok := r.(int64); ok && n == -1 {
		return inbox.Job{}, false, fmt.Errorf("next job after chat %d: %w", j.Chat, inbox.ErrLeaseLost)
	}
	next, err := q.jobOf(r)
	if err != nil {
		return inbox.Job{}, false, fmt.Errorf("next job after chat %d: %w", j.Chat, err)
	}
	return next, true, nil
}

// releaseScript gives a lease up. KEYS are lock, ready, claim; ARGV are
// token and chat. The chat is ready at once.
var releaseScript = redis.NewScript(luaNowHeld + `
redis.call('DEL', KEYS[3])
if not held then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[2], 'XX', now, ARGV[2])
return 1
`)

// Release gives the lease up, in one round trip, leaving the pending
// updates and the outbox to the next holder, who gets the outbox as from a
// holder that died; see inbox.Queue. Releasing a lease no longer held does
// nothing.
func (q *Inbox) Release(ctx context.Context, j inbox.Job) error {
	err := releaseScript.Run(ctx, q.client,
		[]string{q.key("lock", j.Chat), q.prefix + "ready", q.prefix + "claim:" + j.Lease},
		j.Lease, j.Chat).Err()
	if err != nil {
		return fmt.Errorf("release chat %d: %w", j.Chat, err)
	}
	return nil
}

// Depth returns how many chats have updates or replies waiting, whether
// their lease is held or not, in one round trip.
func (q *Inbox) Depth(ctx context.Context) (int64, error) {
	n, err := q.client.ZCard(ctx, q.prefix+"ready").Result()
	if err != nil {
		return 0, fmt.Errorf("count ready chats: %w", err)
	}
	return n, nil
}
