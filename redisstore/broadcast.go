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

	"examdesk"
	"examdesk/broadcast"
	"examdesk/stats"
)

// DefaultBroadcastLease is how long a claimed broadcast recipient stays
// with its worker unless renewed: short, so that a dead process's
// recipients are taken over soon, for the Deliverer's heartbeat renews the
// leases of the living every second.
const DefaultBroadcastLease = 5 * time.Second

// Broadcasts is the durable broadcast queue (broadcast.Queue and
// broadcast.Deliveries) in the Redis of a Store, under the Store's prefix.
// Its keys are bc:<id> (the record, kept for the audit), bc:<id>:todo,
// bc:<id>:lease, bc:<id>:try, bc:<id>:out, bc:active, bc:index and
// bc:stage:<r> (see keys.go); its scripts are lua/bc_*.lua.
//
// Times are the server's (TIME), as the inbox's. Each method is one round
// trip (a Lua script), except Create, which reads the audience page by
// page and writes each page before committing in one script, and List.
// Like Inbox it needs a single Redis server, not a Cluster.
type Broadcasts struct {
	client *redis.Client
	k      keys
	lease  time.Duration
	owner  string // the first part of lease tokens
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
	return &Broadcasts{client: s.client, k: s.k, lease: lease, owner: anonymous()}
}

// audiencePage is how many subscribers Create reads at a time.
const audiencePage = 1000

// checkNotice checks the texts of n: every language its filter selects
// must have a text, and every text must be one Telegram takes.
func checkNotice(n broadcast.Notice) error {
	for lang, text := range n.Texts {
		switch lang {
		case "", examdesk.Traditional, examdesk.Simplified, examdesk.English:
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
	langs := examdesk.Languages
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

	stage := b.k.stage(rand.Text())
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
				lang = examdesk.Traditional
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
	total, err := bcCreateScript.Run(ctx, b.client,
		[]string{b.k.broadcast(n.ID), stage, b.k.todo(n.ID), b.k.active(), b.k.index()},
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
	rec := p.HGetAll(ctx, b.k.broadcast(id))
	pending := p.ZCard(ctx, b.k.todo(id))
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

// Cancel stops a queued or sending broadcast: no recipient is claimed
// afterwards; see broadcast.Queue. Its recipients not sent stay pending in
// its record (Status.Pending), for the audit.
func (b *Broadcasts) Cancel(ctx context.Context, id string) (broadcast.Status, error) {
	ok, err := bcCancelScript.Run(ctx, b.client, []string{b.k.broadcast(id), b.k.active()}, id).Int()
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
	ids, err := b.client.ZRevRange(ctx, b.k.index(), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	p := b.client.Pipeline()
	recs := make([]*redis.MapStringStringCmd, len(ids))
	pend := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		recs[i] = p.HGetAll(ctx, b.k.broadcast(id))
		pend[i] = p.ZCard(ctx, b.k.todo(id))
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

// Claim hands out a pending recipient of the broadcast due first, under a
// new lease, in one round trip; see broadcast.Deliveries.
func (b *Broadcasts) Claim(ctx context.Context) (broadcast.Delivery, bool, error) {
	token := b.owner + "/" + rand.Text()[:16]
	r, err := bcClaimScript.Run(ctx, b.client, []string{b.k.active()}, string(b.k), token, b.lease.Milliseconds()).Result()
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

// Renew extends the lease of d, in one round trip; see
// broadcast.Deliveries.
func (b *Broadcasts) Renew(ctx context.Context, d broadcast.Delivery) (broadcast.Delivery, error) {
	until, err := bcRenewScript.Run(ctx, b.client, []string{b.k.broadcast(d.ID), b.k.todo(d.ID), b.k.leases(d.ID)},
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

// statsCounter is the counter of the day's statistics that counts a
// result.
var statsCounter = map[broadcast.Result]string{
	broadcast.Sent:    stats.FieldBroadcastSent,
	broadcast.Blocked: stats.FieldBroadcastBlocked,
	broadcast.Failed:  stats.FieldBroadcastFailed,
}

// Record records what became of d, in one round trip; see
// broadcast.Deliveries. A recipient is recorded once: a second Record of
// the same claim returns broadcast.ErrLeaseLost. The result is counted in
// the day's statistics (Stats) by the same script, so once too.
func (b *Broadcasts) Record(ctx context.Context, d broadcast.Delivery, r broadcast.Result, reason string) error {
	out := string(r)
	switch r {
	case broadcast.Sent, broadcast.Blocked:
	case broadcast.Failed:
		out = "failed: " + reason
	default:
		return fmt.Errorf("record broadcast %s to chat %d: unknown result %q", d.ID, d.Chat, r)
	}
	// Counted in the statistics of the day it is recorded on.
	date := stats.Day(time.Now())
	expires, err := dayExpires(date)
	if err != nil {
		return fmt.Errorf("record broadcast %s to chat %d %s: %w", d.ID, d.Chat, r, err)
	}
	n, err := bcRecordScript.Run(ctx, b.client,
		[]string{b.k.broadcast(d.ID), b.k.todo(d.ID), b.k.leases(d.ID), b.k.tries(d.ID), b.k.outcomes(d.ID), b.k.active(), b.k.statsDay(date)},
		member(d), d.Lease, string(r), out, d.Chat, d.ID, statsCounter[r], expires).Int()
	if err != nil {
		return fmt.Errorf("record broadcast %s to chat %d %s: %w", d.ID, d.Chat, r, err)
	}
	if n < 0 {
		return fmt.Errorf("record broadcast %s to chat %d %s: %w", d.ID, d.Chat, r, broadcast.ErrLeaseLost)
	}
	return nil
}

// Retry gives d back to be claimed after the delay, in one round trip;
// see broadcast.Deliveries.
func (b *Broadcasts) Retry(ctx context.Context, d broadcast.Delivery, after time.Duration) error {
	n, err := bcRetryScript.Run(ctx, b.client,
		[]string{b.k.todo(d.ID), b.k.leases(d.ID), b.k.tries(d.ID)},
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
	m, err := b.client.HGetAll(ctx, b.k.outcomes(id)).Result()
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
