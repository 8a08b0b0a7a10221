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

	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/stats"
)

// Defaults of the inbox options.
const (
	// DefaultLease is short, so that the chats of a process that died
	// are taken over soon: a holder renews its leases (Renew) every
	// second or so.
	DefaultLease = 5 * time.Second
	DefaultDedup = 48 * time.Hour
)

// MinDedup is the shortest deduplication window WithDedup accepts: the one
// inbox.Queue promises.
const MinDedup = 24 * time.Hour

// InboxOption changes how an Inbox works.
type InboxOption func(*inboxOptions)

type inboxOptions struct {
	lease  time.Duration
	dedup  time.Duration
	legacy func(raw []byte) (inbox.Update, bool)
	pace   *Pace
	owner  string
	// replication, if set, is what Add waits for (replication.go).
	replication *Replication
}

// WithLease makes a chat's lease last lease after it was taken or renewed
// last instead of DefaultLease. It must be at least a millisecond, and
// longer than a holder's heartbeat (Renew) takes to come round.
func WithLease(lease time.Duration) InboxOption {
	return func(o *inboxOptions) { o.lease = lease }
}

// WithPace makes the turns of the outboxes' entries (see inbox.Queue)
// keep p, and, after a 429 (Limiter.Slow), the replies' rate, climbing
// back to ReplyRate; without it every turn comes at once.
func WithPace(p Pace) InboxOption {
	p = p.orDefault()
	return func(o *inboxOptions) { o.pace = &p }
}

// withOwner makes the leases the inbox takes carry owner's name (see
// Instance).
func withOwner(owner string) InboxOption {
	return func(o *inboxOptions) { o.owner = owner }
}

// WithDedup makes an update id be remembered for deduplication for at
// least dedup (and less than twice that) after it was first added, instead
// of DefaultDedup; it must be at least MinDedup.
func WithDedup(dedup time.Duration) InboxOption {
	return func(o *inboxOptions) { o.dedup = dedup }
}

// WithLegacy makes the inbox read the updates that a release before this
// one queued, as raw Telegram updates, with decode, which reports false
// for an update that needs no answer. Without it, or when decode reports
// false, such an update is handed out as unreadable (inbox.Job).
func WithLegacy(decode func(raw []byte) (inbox.Update, bool)) InboxOption {
	return func(o *inboxOptions) { o.legacy = decode }
}

// Inbox is an inbox.Queue in the Redis of a Store, under the Store's
// prefix. It saves conversation state in the very records the Store's Load
// and Save use. Its keys are seen, seen:<n>, q:<chat>, ready, lock:<chat>,
// claim:<token>, out:<chat>, sent:<chat>, turn:<chat> and try:<chat>, with
// a pace lim:chat:<chat> and lim:reply, and for CommitCounted the
// statistics' (see keys.go); its scripts are lua/inbox_*.lua.
//
// Update ids are remembered in a set per period of the dedup window; Add
// looks ids up in the current period's and the one before, and deletes
// the older sets. Leases expire by the server's clock (TIME), not by key
// expiry, so they work on the embedded server, whose keys expire only when
// told to; lock keys expire too, for cleaning. Every method is one round
// trip to Redis, most of them a Lua script; the first run of each script
// on a server takes one more, to load it. A script that the client sends
// again after a lost reply has the effect and the answer of the first run,
// except Add, which may then count fewer new updates, Sent, which may take
// a second turn (the chat's pace is then slower for a second), and
// Defer(Failure), which may count the failure twice. Claim and Next do
// not block: a caller that finds no chat ready waits (for its own Adds, or
// a while for other processes' and for expired leases) and claims again.
// Inbox needs Redis 5 or later, on a single server, not a Redis Cluster:
// its scripts reach keys of many chats.
type Inbox struct {
	client *redis.Client
	k      keys
	ttl    time.Duration // of the state records, the Store's
	lease  time.Duration
	dedup  time.Duration
	legacy func(raw []byte) (inbox.Update, bool)
	pace   []any  // the pace's ARGV
	owner  string // the first part of lease tokens
	// replication, if set, is what Add waits for (replication.go).
	replication *Replication
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
	if o.owner == "" {
		o.owner = anonymous()
	}
	return &Inbox{
		client: s.client,
		k:      s.k,
		ttl:    s.ttl,
		lease:  o.lease,
		dedup:  o.dedup,
		legacy: o.legacy,
		pace:   o.pace.args(),
		owner:  o.owner,

		replication: o.replication,
	}, nil
}

// token is a new lease token: "<owner>/<random>".
func (q *Inbox) token() string { return q.owner + "/" + rand.Text() }

// Add records the updates that are new within the dedup window, in one
// round trip, and with WithReplication returns once replicas have them;
// see inbox.Queue.
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
	keys = append(keys, q.k.seen(), q.k.ready())
	args = append(args, string(q.k), q.dedup.Milliseconds())
	for _, u := range us {
		m, err := queueMember(u)
		if err != nil {
			return 0, fmt.Errorf("add %d updates: %w", len(us), err)
		}
		keys = append(keys, q.k.queue(u.Chat))
		args = append(args, u.Chat, u.ID, m)
	}
	n, err := q.replication.run(ctx, q.client, addScript, keys, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("add %d updates: %w", len(us), err)
	}
	return n, nil
}

// queueMember is the queue member of u: "<id>|<user>|<JSON of its
// input>" (see queued).
func queueMember(u inbox.Update) (string, error) {
	q := queued{Text: u.Input.Text, Lang: u.Input.LanguageCode, Group: u.Input.Group, Callback: u.Callback}
	if p := u.Input.Pick; p != nil {
		q.Pick = &queuedPick{Value: p.Value, Step: p.Step}
	}
	if p := u.Input.Picture; p != nil {
		q.Picture = &queuedPicture{File: p.File, Photo: p.Source == dialog.PhotoAsPhoto, Size: p.Size}
	}
	data, err := json.Marshal(q)
	if err != nil {
		return "", fmt.Errorf("encode update %d: %w", u.ID, err)
	}
	return strconv.FormatInt(u.ID, 10) + "|" + strconv.FormatInt(u.User, 10) + "|" + string(data), nil
}

// queued is how an update's input is kept in its queue member. A member
// whose JSON has an update_id is a Telegram update as an older release
// queued it.
type queued struct {
	Text     string      `json:"text,omitempty"`
	Pick     *queuedPick `json:"pick,omitempty"`
	Lang     string      `json:"lang,omitempty"`
	Group    bool        `json:"group,omitempty"`
	Callback string      `json:"callback,omitempty"`
	// Picture is a picture's reference, never the picture.
	Picture *queuedPicture `json:"picture,omitempty"`

	UpdateID *int64 `json:"update_id,omitempty"`
}

type queuedPick struct {
	Value string `json:"value"`
	Step  int64  `json:"step"`
}

type queuedPicture struct {
	File  string `json:"file"`
	Photo bool   `json:"photo,omitempty"` // sent as a photo, not as a file
	Size  int64  `json:"size,omitempty"`
}

// parseQueueMember is the inverse of queueMember, for chat. It reports
// false for a member whose input it cannot read: one an older release
// queued, unless q's legacy decoder reads it, or one that does not decode.
func (q *Inbox) parseQueueMember(chat int64, m string) (u inbox.Update, readable bool, err error) {
	id, rest, ok1 := strings.Cut(m, "|")
	user, data, ok2 := strings.Cut(rest, "|")
	if !ok1 || !ok2 {
		return inbox.Update{}, false, fmt.Errorf("queued update %.40q is not <id>|<user>|<JSON>", m)
	}
	u.Chat = chat
	if u.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
		return inbox.Update{}, false, fmt.Errorf("queued update %.40q: bad id: %w", m, err)
	}
	if u.User, err = strconv.ParseInt(user, 10, 64); err != nil {
		return inbox.Update{}, false, fmt.Errorf("queued update %.40q: bad user: %w", m, err)
	}
	var in queued
	if json.Unmarshal([]byte(data), &in) != nil {
		return u, false, nil
	}
	if in.UpdateID != nil {
		if q.legacy == nil {
			return u, false, nil
		}
		l, ok := q.legacy([]byte(data))
		if !ok || l.ID != u.ID || l.Chat != u.Chat || l.User != u.User {
			return u, false, nil
		}
		return l, true, nil
	}
	u.Input = dialog.Input{Text: in.Text, LanguageCode: in.Lang, Group: in.Group}
	if in.Pick != nil {
		u.Input.Pick = &dialog.Pick{Value: in.Pick.Value, Step: in.Pick.Step}
	}
	if p := in.Picture; p != nil {
		u.Input.Picture = &dialog.Picture{File: p.File, Source: dialog.PhotoAsFile, Size: p.Size}
		if p.Photo {
			u.Input.Picture.Source = dialog.PhotoAsPhoto
		}
	}
	u.Callback = in.Callback
	return u, true, nil
}

// Claim takes the lease of the chat that has been ready longest and that
// nobody holds, in one round trip; see inbox.Queue. A chat whose holder
// died without Release is ready again once its lease expired. If the state
// record of the job cannot be read, Claim returns an error and keeps the
// chat's lease until it expires, so other chats go first and the chat is
// tried again after the lease.
func (q *Inbox) Claim(ctx context.Context) (inbox.Job, bool, error) {
	lease := q.token()
	args := append([]any{string(q.k), lease, q.lease.Milliseconds()}, q.pace...)
	r, err := claimScript.Run(ctx, q.client, []string{q.k.ready(), q.k.claim(lease), q.k.replies()}, args...).Result()
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

// jobOf is the job in the reply of job in lua/lib/claim.lua.
func (q *Inbox) jobOf(reply any) (inbox.Job, error) {
	r := replyList(reply)
	if len(r) != 9 || replyStr(r[1]) == "" {
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
	j.Turn = turnOf(r[5], r[6])
	tries, _ := r[7].(int64)
	failing, _ := r[8].(int64)
	j.Tries, j.Failing = int(tries), time.Duration(failing)*time.Millisecond
	return j, nil
}

// turnOf is the turn in a script's reply: the wait (ms) and 1 if the turn
// was taken, 0 if not.
func turnOf(wait, taken any) inbox.Turn {
	ms, _ := wait.(int64)
	t, _ := taken.(int64)
	return inbox.Turn{Wait: time.Duration(ms) * time.Millisecond, Later: t == 0}
}

// job sets the update of j from the queue member m, if any, and its state
// from the fields of the state record.
func (q *Inbox) job(j *inbox.Job, m string, fields any) error {
	if m == "" {
		return nil
	}
	u, readable, err := q.parseQueueMember(j.Chat, m)
	if err != nil {
		return err
	}
	st, err := decode(fieldMap(replyList(fields)))
	if err != nil {
		return fmt.Errorf("load state %d/%d from %s: %w", u.Chat, u.User, q.k.state(u.Chat, u.User), err)
	}
	j.Update, j.State, j.Unreadable = u, st, !readable
	return nil
}

// fieldMap is the hash of the fields and values of a reply to HGETALL
// made in a script.
func fieldMap(flat []any) map[string]string {
	m := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		m[replyStr(flat[i])] = replyStr(flat[i+1])
	}
	return m
}

func replyStr(v any) string {
	s, _ := v.(string)
	return s
}

func replyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// Commit saves st, removes j's update from the queue and records out as
// the outbox, atomically, in one round trip, takes the turn of out's first
// entry and renews the lease; on a conflict it returns the state stored
// now, read in that same round trip; see inbox.Queue. The state is saved
// as Store.Save would, with the Store's time to live.
func (q *Inbox) Commit(ctx context.Context, j inbox.Job, st dialog.State, out [][]byte) (dialog.State, inbox.Turn, error) {
	return q.commit(ctx, j, st, out, nil)
}

// CommitCounted is Commit, which also records ev in the statistics of the
// store (Stats), in the same script: only when it saves st, so that a
// commit sent again after a lost reply, refused for a conflict or without
// the lease counts nothing; see conversation.Counter. It is still one
// round trip.
func (q *Inbox) CommitCounted(ctx context.Context, j inbox.Job, st dialog.State, out [][]byte, ev stats.Events) (dialog.State, inbox.Turn, error) {
	return q.commit(ctx, j, st, out, &ev)
}

// commit is Commit, recording ev too when it is not nil.
func (q *Inbox) commit(ctx context.Context, j inbox.Job, st dialog.State, out [][]byte, ev *stats.Events) (dialog.State, inbox.Turn, error) {
	u := j.Update
	d, err := dialog.EncodeState(st)
	if err != nil {
		return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, err)
	}
	keys := []string{
		q.k.lock(j.Chat), q.k.ready(), q.k.state(j.Chat, u.User),
		q.k.queue(j.Chat), q.k.outbox(j.Chat), q.k.sent(j.Chat), q.k.claim(j.Lease),
		q.k.turn(j.Chat), q.k.try(j.Chat), q.k.chatPace(j.Chat), q.k.replies(),
	}
	var counts []any
	if ev != nil && !ev.Empty() {
		statsKeys, statsArgs, err := recordArgs(q.k, *ev, time.Now())
		if err != nil {
			return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, err)
		}
		keys, counts = append(keys, statsKeys...), statsArgs
	}
	// See the layout in lua/inbox_commit.lua's header.
	args := make([]any, 0, 14+len(counts)+len(out))
	args = append(args, j.Lease, q.lease.Milliseconds(), j.Chat,
		st.Version, st.Version+1, d, q.ttl.Milliseconds(), u.ID)
	args = append(args, q.pace...)
	args = append(args, len(counts))
	args = append(args, counts...)
	for _, o := range out {
		args = append(args, o)
	}
	r, err := commitScript.Run(ctx, q.client, keys, args...).Result()
	if err != nil {
		return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, err)
	}
	if l := replyList(r); len(l) == 3 {
		st.Version++
		return st, turnOf(l[1], l[2]), nil
	} else if len(l) == 2 {
		now, err := decode(fieldMap(replyList(l[1])))
		if err != nil {
			return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: load state %d/%d from %s: %w",
				u.ID, j.Chat, j.Chat, u.User, q.k.state(j.Chat, u.User), err)
		}
		return now, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: save state %d/%d at version %d: %w",
			u.ID, j.Chat, j.Chat, u.User, st.Version, dialog.ErrConflict)
	}
	switch r {
	case int64(-1):
		return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: %w", u.ID, j.Chat, inbox.ErrLeaseLost)
	case int64(-2):
		return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: update is not pending", u.ID, j.Chat)
	default:
		return dialog.State{}, inbox.Turn{}, fmt.Errorf("commit update %d of chat %d: unexpected reply %q", u.ID, j.Chat, r)
	}
}

// Sent records that the first n entries of the outbox are done, takes
// the turn of entry n and renews the lease, in one round trip; see
// inbox.Queue. A holder calls it before a message that follows another
// entry, not after the last one: Next clears the outbox.
func (q *Inbox) Sent(ctx context.Context, j inbox.Job, n int) (inbox.Turn, error) {
	if n < 0 {
		return inbox.Turn{}, fmt.Errorf("record %d entries done in chat %d: negative count", n, j.Chat)
	}
	args := append([]any{j.Lease, q.lease.Milliseconds(), j.Chat, n}, q.pace...)
	r, err := sentScript.Run(ctx, q.client,
		[]string{q.k.lock(j.Chat), q.k.ready(), q.k.sent(j.Chat), q.k.claim(j.Lease), q.k.try(j.Chat), q.k.chatPace(j.Chat), q.k.replies(), q.k.turn(j.Chat)},
		args...).Result()
	if err != nil {
		return inbox.Turn{}, fmt.Errorf("record %d entries done in chat %d: %w", n, j.Chat, err)
	}
	l := replyList(r)
	if len(l) != 2 {
		return inbox.Turn{}, fmt.Errorf("record %d entries done in chat %d: %w", n, j.Chat, inbox.ErrLeaseLost)
	}
	return turnOf(l[0], l[1]), nil
}

// Defer records that the first n entries of the outbox are done and gives
// the chat up until d from now, in one round trip; see inbox.Queue.
func (q *Inbox) Defer(ctx context.Context, j inbox.Job, n int, d time.Duration, cause inbox.Cause) error {
	var c string
	switch cause {
	case inbox.Waiting:
		c = "turn"
	case inbox.Flood:
		c = "flood"
	case inbox.Failure:
		c = "failure"
	default:
		return fmt.Errorf("defer chat %d: unknown cause %d", j.Chat, cause)
	}
	if err := q.giveUp(ctx, j, n, d, c); err != nil {
		return fmt.Errorf("defer chat %d for %v: %w", j.Chat, d, err)
	}
	return nil
}

// Release gives the lease up, recording that the first n entries of the
// outbox are done, in one round trip; the next holder gets the rest of the
// outbox as a job's Outbox; see inbox.Queue. Releasing a lease no longer
// held does nothing.
func (q *Inbox) Release(ctx context.Context, j inbox.Job, n int) error {
	if err := q.giveUp(ctx, j, n, 0, "release"); err != nil {
		return fmt.Errorf("release chat %d: %w", j.Chat, err)
	}
	return nil
}

func (q *Inbox) giveUp(ctx context.Context, j inbox.Job, n int, d time.Duration, cause string) error {
	if n < 0 {
		return fmt.Errorf("%d entries done: negative count", n)
	}
	return deferScript.Run(ctx, q.client,
		[]string{q.k.lock(j.Chat), q.k.ready(), q.k.sent(j.Chat), q.k.claim(j.Lease), q.k.turn(j.Chat), q.k.try(j.Chat)},
		j.Lease, j.Chat, n, max(d, 0).Milliseconds(), cause).Err()
}

// Renew renews the leases of js still held, in one round trip; see
// inbox.Queue.
func (q *Inbox) Renew(ctx context.Context, js []inbox.Job) error {
	if len(js) == 0 {
		return nil
	}
	keys := make([]string, 0, 1+len(js))
	args := make([]any, 0, 1+2*len(js))
	keys = append(keys, q.k.ready())
	args = append(args, q.lease.Milliseconds())
	for _, j := range js {
		keys = append(keys, q.k.lock(j.Chat))
		args = append(args, j.Lease, j.Chat)
	}
	if err := renewScript.Run(ctx, q.client, keys, args...).Err(); err != nil {
		return fmt.Errorf("renew the leases of %d chats: %w", len(js), err)
	}
	return nil
}

// Next clears the outbox and returns the chat's next job under the same
// lease, renewed; when no update of the chat is pending, it gives the lease
// up and claims the chat that has been ready longest as Claim does, under a
// new lease; all in one round trip; see inbox.Queue. If the state record of
// the next job cannot be read, it returns an error and keeps the lease of
// that job's chat until it expires.
func (q *Inbox) Next(ctx context.Context, j inbox.Job) (inbox.Job, bool, error) {
	lease := q.token()
	keys := []string{
		q.k.lock(j.Chat), q.k.ready(), q.k.outbox(j.Chat), q.k.sent(j.Chat),
		q.k.queue(j.Chat), q.k.claim(j.Lease), q.k.claim(lease),
		q.k.turn(j.Chat), q.k.try(j.Chat), q.k.replies(),
	}
	args := append([]any{j.Lease, q.lease.Milliseconds(), j.Chat, string(q.k), lease}, q.pace...)
	r, err := nextScript.Run(ctx, q.client, keys, args...).Result()
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

// Depth returns how many chats have updates or replies waiting, whether
// their lease is held or not, in one round trip.
func (q *Inbox) Depth(ctx context.Context) (int64, error) {
	n, err := q.client.ZCard(ctx, q.k.ready()).Result()
	if err != nil {
		return 0, fmt.Errorf("count ready chats: %w", err)
	}
	return n, nil
}
