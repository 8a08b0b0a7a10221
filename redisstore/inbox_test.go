package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/inbox/inboxtest"
	"examdesk/redisstore"
)

func newInbox(t testing.TB, st *redisstore.Store, opts ...redisstore.InboxOption) *redisstore.Inbox {
	t.Helper()
	q, err := st.Inbox(opts...)
	if err != nil {
		t.Fatalf("Inbox() error: %v", err)
	}
	return q
}

func TestInbox(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			inboxtest.TestQueue(t, func(t *testing.T, lease time.Duration) inbox.Queue {
				return newInbox(t, s.open(t), redisstore.WithLease(lease))
			})
		})
	}
}

func testUpdate(id, chat, user int64) inbox.Update {
	return inbox.Update{ID: id, Chat: chat, User: user, Input: dialog.Input{Text: "hi"}}
}

func mustAdd(t testing.TB, q *redisstore.Inbox, us ...inbox.Update) {
	t.Helper()
	if n, err := q.Add(t.Context(), us); err != nil || n != len(us) {
		t.Fatalf("Add(%d new updates) = %d, %v; want %d", len(us), n, err, len(us))
	}
}

func mustClaim(t testing.TB, q *redisstore.Inbox) inbox.Job {
	t.Helper()
	j, ok, err := q.Claim(t.Context())
	if err != nil || !ok {
		t.Fatalf("Claim() = %v, %v; want a job", ok, err)
	}
	return j
}

func mustCommit(t testing.TB, q *redisstore.Inbox, j inbox.Job, st dialog.State, out ...[]byte) {
	t.Helper()
	if _, _, err := q.Commit(t.Context(), j, st, out); err != nil {
		t.Fatalf("Commit(update %d) error: %v", j.Update.ID, err)
	}
}

func mustNext(t testing.TB, q *redisstore.Inbox, j inbox.Job) (inbox.Job, bool) {
	t.Helper()
	n, ok, err := q.Next(t.Context(), j)
	if err != nil {
		t.Fatalf("Next(update %d) error: %v", j.Update.ID, err)
	}
	return n, ok
}

// checkPTTLWithin checks that key expires in (want-slack, want].
func checkPTTLWithin(t *testing.T, c *redis.Client, key string, want, slack time.Duration) {
	t.Helper()
	got, err := c.PTTL(t.Context(), key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	if got <= want-slack || got > want {
		t.Errorf("PTTL %s = %v; want %v", key, got, want)
	}
}

// checkPTTL checks that key expires in (want-10s, want].
func checkPTTL(t *testing.T, c *redis.Client, key string, want time.Duration) {
	t.Helper()
	got, err := c.PTTL(t.Context(), key).Result()
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	if got <= want-10*time.Second || got > want {
		t.Errorf("PTTL %s = %v; want %v", key, got, want)
	}
}

// TestInboxLayout checks the keys of the inbox and their times to live.
func TestInboxLayout(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		for _, tc := range []struct {
			name  string
			opts  []redisstore.InboxOption
			lease time.Duration
		}{
			{"default", nil, 5 * time.Second},
			{"option", []redisstore.InboxOption{redisstore.WithLease(90 * time.Second)}, 90 * time.Second},
		} {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				st := s.open(t, redisstore.WithTTL(time.Hour))
				q := newInbox(t, st, tc.opts...)
				c, p, ctx := st.Client(), st.Prefix(), t.Context()
				mustAdd(t, q, testUpdate(41, -7, 8), testUpdate(40, -7, 9))
				period := strconv.FormatInt(time.Now().UnixMilli()/redisstore.DefaultDedup.Milliseconds(), 10)
				if got, err := c.SMembers(ctx, p+"seen:"+period).Result(); err != nil || !reflect.DeepEqual(sortStrings(got), []string{"40", "41"}) {
					t.Errorf("SMEMBERS %sseen:%s = %q, %v; want [40 41]", p, period, got, err)
				}
				checkPTTL(t, c, p+"seen:"+period, 2*redisstore.DefaultDedup)
				if got, err := c.Get(ctx, p+"seen").Result(); err != nil || got != period {
					t.Errorf("GET %sseen = %q, %v; want %s", p, got, err, period)
				}
				members, err := c.ZRangeWithScores(ctx, p+"q:-7", 0, -1).Result()
				if err != nil {
					t.Fatalf("ZRANGE %sq:-7: %v", p, err)
				}
				want := []redis.Z{{Score: 40, Member: `40|9|{"text":"hi"}`}, {Score: 41, Member: `41|8|{"text":"hi"}`}}
				if !reflect.DeepEqual(members, want) {
					t.Errorf("ZRANGE %sq:-7 = %v; want %v", p, members, want)
				}
				if chats, err := c.ZRange(ctx, p+"ready", 0, -1).Result(); err != nil || !reflect.DeepEqual(chats, []string{"-7"}) {
					t.Errorf("ZRANGE %sready = %q, %v; want [-7]", p, chats, err)
				}

				j := mustClaim(t, q)
				lock, err := c.Get(ctx, p+"lock:-7").Result()
				tok, exp, _ := strings.Cut(lock, ":")
				ms, _ := strconv.ParseInt(exp, 10, 64)
				if left := time.Until(time.UnixMilli(ms)); err != nil || tok != j.Lease || left <= tc.lease-4*time.Second || left > tc.lease+time.Second {
					t.Errorf("GET %slock:-7 = %q, %v; want the lease %q expiring in %v", p, lock, err, j.Lease, tc.lease)
				}
				checkPTTLWithin(t, c, p+"lock:-7", tc.lease, 4*time.Second)
				if chat, err := c.Get(ctx, p+"claim:"+j.Lease).Result(); err != nil || chat != "-7" {
					t.Errorf("GET %sclaim:<lease> = %q, %v; want -7", p, chat, err)
				}
				mustCommit(t, q, j, j.State, []byte("r1"), []byte("r2"))
				checkPTTL(t, c, p+"state:-7:9", time.Hour)
				if got, err := c.LRange(ctx, p+"out:-7", 0, -1).Result(); err != nil || !reflect.DeepEqual(got, []string{"r1", "r2"}) {
					t.Errorf("LRANGE %sout:-7 = %q, %v; want [r1 r2]", p, got, err)
				}
				if _, err := q.Sent(ctx, j, 1); err != nil {
					t.Fatalf("Sent(1) error: %v", err)
				}
				if got, err := c.Get(ctx, p+"sent:-7").Result(); err != nil || got != "1" {
					t.Errorf("GET %ssent:-7 = %q, %v; want 1", p, got, err)
				}
				j, _ = mustNext(t, q, j)
				mustCommit(t, q, j, j.State)
				if _, ok := mustNext(t, q, j); ok {
					t.Fatalf("Next() = a job; want none")
				}
				// What is left: the dedup record and the states.
				keys, err := c.Keys(ctx, p+"*").Result()
				if err != nil {
					t.Fatalf("KEYS %s*: %v", p, err)
				}
				left := map[string]bool{}
				for _, k := range keys {
					left[strings.TrimPrefix(k, p)] = true
				}
				wantLeft := map[string]bool{"seen": true, "seen:" + period: true, "state:-7:8": true, "state:-7:9": true}
				if !reflect.DeepEqual(left, wantLeft) {
					t.Errorf("keys left = %v; want %v", left, wantLeft)
				}
			})
		}
	}
}

// TestInboxDedupWindow checks that Add remembers update ids for at least
// the dedup window, and forgets them within twice that. It moves the sets
// of ids back in time, for Redis cannot be told the time.
func TestInboxDedupWindow(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		for _, tc := range []struct {
			name  string
			opts  []redisstore.InboxOption
			dedup time.Duration
		}{
			{"default", nil, 48 * time.Hour},
			{"option", []redisstore.InboxOption{redisstore.WithDedup(72 * time.Hour)}, 72 * time.Hour},
		} {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				st := s.open(t)
				q := newInbox(t, st, tc.opts...)
				c, p, ctx := st.Client(), st.Prefix(), t.Context()
				period := time.Now().UnixMilli() / tc.dedup.Milliseconds()
				seen := func(n int64) string { return p + "seen:" + strconv.FormatInt(n, 10) }
				// The latest Add was in the period before this one; updates 1
				// and 2 were added in the period before that, 3 and 4 in the one
				// before this.
				for k, v := range map[string][]any{seen(period - 2): {1, 2}, seen(period - 1): {3, 4}} {
					if err := c.SAdd(ctx, k, v...).Err(); err != nil {
						t.Fatalf("SADD %s: %v", k, err)
					}
				}
				if err := c.Set(ctx, p+"seen", period-1, 0).Err(); err != nil {
					t.Fatalf("SET %sseen: %v", p, err)
				}
				// back makes as if the sets of this period and the one before
				// were n periods older.
				back := func(n int64) {
					t.Helper()
					for _, from := range []int64{period - 1, period} {
						if err := c.Rename(ctx, seen(from), seen(from-n)).Err(); err != nil {
							t.Fatalf("RENAME %s %s: %v", seen(from), seen(from-n), err)
						}
					}
					if err := c.Set(ctx, p+"seen", period-n, 0).Err(); err != nil {
						t.Fatalf("SET %sseen: %v", p, err)
					}
				}
				all := []int64{1, 2, 3, 4, 5, 6}
				for _, step := range []struct {
					back int64
					ids  []int64
					want int
					gone []int64 // periods whose sets are deleted
				}{
					{0, []int64{5}, 1, []int64{period - 2}},
					{0, all, 3, nil}, // 1, 2 and 6
					{0, all, 0, nil},
					{1, all, 2, []int64{period - 2}}, // 3 and 4
					{2, all, 6, []int64{period - 3, period - 2}},
				} {
					if step.back > 0 {
						back(step.back)
					}
					var us []inbox.Update
					for _, id := range step.ids {
						us = append(us, testUpdate(id, 1, 1))
					}
					if n, err := q.Add(ctx, us); err != nil || n != step.want {
						t.Errorf("Add(updates %v) %d periods later = %d, %v; want %d", step.ids, step.back, n, err, step.want)
					}
					for _, g := range step.gone {
						if n, err := c.Exists(ctx, seen(g)).Result(); err != nil || n != 0 {
							t.Errorf("EXISTS %s = %d, %v; want 0: it is too old", seen(g), n, err)
						}
					}
				}
			})
		}
	}
}

func sortStrings(ss []string) []string {
	slices.Sort(ss)
	return ss
}

// TestInboxStore checks that Commit and the Store share the state records.
func TestInboxStore(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st)
			ctx := t.Context()
			k := examdesk.Key{Chat: -5, User: 6}
			saved := dialog.State{Lang: examdesk.Languages[0], Step: 3}
			if err := st.Save(ctx, k, saved); err != nil {
				t.Fatalf("Save() error: %v", err)
			}
			mustAdd(t, q, testUpdate(1, k.Chat, k.User), testUpdate(2, k.Chat, k.User))
			j := mustClaim(t, q)
			saved.Version = 1
			if !reflect.DeepEqual(j.State, saved) {
				t.Errorf("Claim() state = %+v; want what Save saved %+v", j.State, saved)
			}

			st1 := j.State
			st1.Step = 4
			mustCommit(t, q, j, st1, []byte("r"))
			got, err := st.Load(ctx, k)
			if err != nil {
				t.Fatalf("Load() error: %v", err)
			}
			st1.Version = 2
			if !reflect.DeepEqual(got, st1) {
				t.Errorf("Load() after Commit = %+v; want %+v", got, st1)
			}
			rec, err := st.Client().HGetAll(ctx, st.Prefix()+"state:-5:6").Result()
			if err != nil {
				t.Fatalf("HGETALL state: %v", err)
			}
			d, err := dialog.EncodeState(st1)
			if err != nil {
				t.Fatalf("EncodeState() error: %v", err)
			}
			if want := map[string]string{"v": "2", "d": string(d)}; !reflect.DeepEqual(rec, want) {
				t.Errorf("record after Commit = %q; want %q", rec, want)
			}

			// A Save between Next and Commit makes the Commit conflict and
			// change nothing.
			j, _ = mustNext(t, q, j)
			if err := st.Save(ctx, k, got); err != nil {
				t.Fatalf("Save() error: %v", err)
			}
			saved = got
			saved.Version++
			if now, _, err := q.Commit(ctx, j, j.State, [][]byte{[]byte("lost")}); !errors.Is(err, dialog.ErrConflict) || !reflect.DeepEqual(now, saved) {
				t.Fatalf("Commit() after a Save = %+v, %v; want the state saved, %+v, and ErrConflict", now, err, saved)
			}
			if n, err := st.Client().ZCard(ctx, st.Prefix()+"q:-5").Result(); err != nil || n != 1 {
				t.Errorf("ZCARD q after a conflict = %d, %v; want 1", n, err)
			}
			if n, err := st.Client().Exists(ctx, st.Prefix()+"out:-5").Result(); err != nil || n != 0 {
				t.Errorf("EXISTS out after a conflict = %d, %v; want 0", n, err)
			}
			if got, err := st.Load(ctx, k); err != nil || got.Version != 3 {
				t.Errorf("Load() after a conflict = %+v, %v; want version 3", got, err)
			}
		})
	}
}

// TestInboxHeldReady checks that Claim skips a held chat that is ready
// all the same, and moves it to when its lease expires.
func TestInboxHeldReady(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st)
			c, p, ctx := st.Client(), st.Prefix(), t.Context()
			mustAdd(t, q, testUpdate(1, 3, 3))
			j := mustClaim(t, q)
			if err := c.ZAdd(ctx, p+"ready", redis.Z{Score: 0, Member: "3"}).Err(); err != nil {
				t.Fatalf("ZADD ready: %v", err)
			}
			if j, ok, err := q.Claim(ctx); ok || err != nil {
				t.Fatalf("Claim() of a held chat = chat %d, %v, %v; want no job", j.Chat, ok, err)
			}
			lock, err := c.Get(ctx, p+"lock:3").Result()
			if err != nil {
				t.Fatalf("GET lock: %v", err)
			}
			_, exp, _ := strings.Cut(lock, ":")
			if score, err := c.ZScore(ctx, p+"ready", "3").Result(); err != nil || strconv.FormatFloat(score, 'f', -1, 64) != exp {
				t.Errorf("ZSCORE ready 3 = %v, %v; want the lease's expiry %s", score, err, exp)
			}
			mustCommit(t, q, j, j.State)
		})
	}
}

// TestInboxRenew checks that Commit, Sent and Next renew the lease.
func TestInboxRenew(t *testing.T) {
	t.Parallel()
	const lease = 600 * time.Millisecond
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			q := newInbox(t, s.open(t), redisstore.WithLease(lease))
			ctx := t.Context()
			mustAdd(t, q, testUpdate(1, 2, 2), testUpdate(2, 2, 2))
			j := mustClaim(t, q)
			steps := []struct {
				name string
				do   func() error
			}{
				{"Commit", func() error {
					_, _, err := q.Commit(ctx, j, j.State, [][]byte{[]byte("a"), []byte("b")})
					return err
				}},
				{"Sent", func() error { _, err := q.Sent(ctx, j, 1); return err }},
				{"Next", func() error { _, _, err := q.Next(ctx, j); return err }},
			}
			for _, step := range steps {
				time.Sleep(lease / 2)
				if err := step.do(); err != nil {
					t.Fatalf("%s() %v after the lease was taken or renewed = %v; want nil", step.name, lease/2, err)
				}
			}
		})
	}
}

// TestInboxUnreadable checks that a state record that cannot be read makes
// Next and Claim fail with an error naming it, and that the chat is tried
// again after the lease while other chats go on.
func TestInboxUnreadable(t *testing.T) {
	t.Parallel()
	const lease = 300 * time.Millisecond
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st, redisstore.WithLease(lease))
			ctx := t.Context()
			key := st.Prefix() + "state:5:6"
			if err := st.Client().HSet(ctx, key, "v", "1", "d", `{"schema":99}`).Err(); err != nil {
				t.Fatalf("HSET %s: %v", key, err)
			}
			unreadable := func(call string, ok bool, err error) {
				t.Helper()
				if ok || err == nil || !strings.Contains(err.Error(), "load state 5/6") || !strings.Contains(err.Error(), "unknown schema 99") {
					t.Fatalf("%s = %v, %v; want an error about state 5/6", call, ok, err)
				}
			}
			mustAdd(t, q, testUpdate(10, 7, 7))
			time.Sleep(5 * time.Millisecond)
			mustAdd(t, q, testUpdate(1, 5, 6))
			j := mustClaim(t, q)
			if j.Chat != 7 {
				t.Fatalf("Claim() = chat %d; want 7", j.Chat)
			}
			mustCommit(t, q, j, j.State)
			_, ok, err := q.Next(ctx, j)
			unreadable("Next() to chat 5", ok, err)
			for i := range 2 {
				mustAdd(t, q, testUpdate(int64(11+i), 7, 7))
				j := mustClaim(t, q)
				if j.Chat != 7 {
					t.Fatalf("Claim() = chat %d; want 7", j.Chat)
				}
				mustCommit(t, q, j, j.State)
				if j, ok := mustNext(t, q, j); ok {
					t.Fatalf("Next() while chat 5 is held = chat %d; want no job", j.Chat)
				}
				time.Sleep(lease + 200*time.Millisecond)
				_, ok, err := q.Claim(ctx)
				unreadable(fmt.Sprintf("Claim() #%d after the lease", i+1), ok, err)
			}
		})
	}
}

func TestInboxOptions(t *testing.T) {
	t.Parallel()
	st := openEmbeddedStore(t)
	for _, tc := range []struct {
		name string
		opt  redisstore.InboxOption
	}{
		{"no lease", redisstore.WithLease(0)},
		{"lease under 1ms", redisstore.WithLease(999 * time.Microsecond)},
		{"negative lease", redisstore.WithLease(-time.Second)},
		{"dedup under 24h", redisstore.WithDedup(23 * time.Hour)},
		{"no dedup", redisstore.WithDedup(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if q, err := st.Inbox(tc.opt); err == nil {
				t.Errorf("Inbox(%s) = %v, nil error; want an error", tc.name, q)
			}
		})
	}
}

// roundTripHook counts the round trips of a client to Redis.
type roundTripHook struct{ n atomic.Int64 }

func (r *roundTripHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestInboxRoundTrips checks that each call is one round trip to Redis,
// once the scripts are loaded, Next too when it takes another chat; so a
// worker that handles the updates of many chats claims once.
func TestInboxRoundTrips(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st)
			ctx := t.Context()
			var rt roundTripHook
			st.Client().AddHook(&rt)
			// The first pass loads the scripts, the second counts.
			for pass := range 2 {
				one := func(call string, do func() error) {
					t.Helper()
					rt.n.Store(0)
					if err := do(); err != nil {
						t.Fatalf("%s error: %v", call, err)
					}
					if got := rt.n.Load(); pass == 1 && got != 1 {
						t.Errorf("%s took %d round trips; want 1", call, got)
					}
				}
				base := int64(1000 * (pass + 1))
				var batch []inbox.Update
				for i := range 10 {
					batch = append(batch, testUpdate(base+int64(i), int64(i%5), 1))
				}
				one("Add(10 updates of 5 chats)", func() error { _, err := q.Add(ctx, batch); return err })
				var j inbox.Job
				ok := true
				one("Claim()", func() (err error) { j, ok, err = q.Claim(ctx); return err })
				handled, chats := 0, 1
				for ok {
					one("Commit()", func() error { _, _, err := q.Commit(ctx, j, j.State, [][]byte{[]byte("a"), []byte("b")}); return err })
					one("Sent()", func() error { _, err := q.Sent(ctx, j, 1); return err })
					handled++
					chat := j.Chat
					one(fmt.Sprintf("Next() after update %d of chat %d", j.Update.ID, chat), func() (err error) { j, ok, err = q.Next(ctx, j); return err })
					if ok && j.Chat != chat {
						chats++
					}
				}
				if handled != len(batch) || chats != 5 {
					t.Errorf("one Claim, then Next: %d updates of %d chats handled; want %d of 5", handled, chats, len(batch))
				}
				one("Claim() of nothing", func() error {
					_, ok, err := q.Claim(ctx)
					if ok {
						return errors.New("got a job; want none")
					}
					return err
				})
				mustAdd(t, q, testUpdate(base+100, 9, 9))
				j = mustClaim(t, q)
				one("Release()", func() error { return q.Release(ctx, j, 0) })
				j = mustClaim(t, q)
				one("Defer()", func() error { return q.Defer(ctx, j, 0, 0, inbox.Flood) })
				j = mustClaim(t, q)
				one("Renew()", func() error { return q.Renew(ctx, []inbox.Job{j, {Chat: 77, Lease: "x"}}) })
				mustCommit(t, q, j, j.State)
				mustNext(t, q, j)
			}
		})
	}
}

// twiceHook runs every script twice while on, as go-redis does when it
// sends a command again after a reply was lost; the caller sees the second
// reply.
type twiceHook struct{ on atomic.Bool }

func (a *twiceHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (a *twiceHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if name := cmd.Name(); a.on.Load() && (name == "eval" || name == "evalsha") && err == nil {
			err = next(ctx, cmd)
		}
		return err
	}
}

func (a *twiceHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestInboxSentAgain checks that a script run twice, as after a lost reply,
// has the effect and the answer of one run.
func TestInboxSentAgain(t *testing.T) {
	t.Parallel()
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			st := s.open(t)
			q := newInbox(t, st)
			ctx := t.Context()
			var twice twiceHook
			st.Client().AddHook(&twice)
			k := examdesk.Key{Chat: 1, User: 1}
			load := func() dialog.State {
				t.Helper()
				got, err := st.Load(ctx, k)
				if err != nil {
					t.Fatalf("Load() error: %v", err)
				}
				return got
			}

			twice.on.Store(true)
			if _, err := q.Add(ctx, []inbox.Update{testUpdate(1, 1, 1), testUpdate(2, 1, 1), testUpdate(3, 2, 2)}); err != nil {
				t.Fatalf("Add() error: %v", err)
			}
			j := mustClaim(t, q)
			if j.Chat != 1 || j.Update.ID != 1 {
				t.Fatalf("Claim() = chat %d update %d; want chat 1 update 1", j.Chat, j.Update.ID)
			}
			// The other chat is still there for another holder.
			twice.on.Store(false)
			other := mustClaim(t, q)
			if other.Chat != 2 {
				t.Fatalf("Claim() of another holder = chat %d; want 2", other.Chat)
			}
			twice.on.Store(true)
			mustCommit(t, q, j, dialog.State{Step: 1}, []byte("a"), []byte("b"))
			if got := load(); got.Version != 1 || got.Step != 1 {
				t.Errorf("Load() after Commit = %+v; want version 1, step 1", got)
			}
			if _, err := q.Sent(ctx, j, 1); err != nil {
				t.Fatalf("Sent(1) error: %v", err)
			}
			j, ok := mustNext(t, q, j)
			if !ok || j.Update.ID != 2 || j.State.Version != 1 {
				t.Fatalf("Next() = %v, update %d, state %+v; want update 2 at version 1", ok, j.Update.ID, j.State)
			}
			mustCommit(t, q, j, j.State)
			if got := load(); got.Version != 2 {
				t.Errorf("Load() after Commit = %+v; want version 2", got)
			}
			if j, ok := mustNext(t, q, j); ok {
				t.Fatalf("Next() = update %d; want no job", j.Update.ID)
			}
			if err := q.Release(ctx, other, 0); err != nil {
				t.Fatalf("Release() error: %v", err)
			}
			j = mustClaim(t, q)
			if j.Chat != 2 || j.Update.ID != 3 || len(j.Outbox) != 0 {
				t.Fatalf("Claim() = chat %d update %d outbox %q; want chat 2 update 3, no outbox", j.Chat, j.Update.ID, j.Outbox)
			}

			// Next to another chat takes one chat, with the outbox as the
			// first run left it: chat 2, released with a reply unsent,
			// before chat 3, ready later.
			if _, err := q.Add(ctx, []inbox.Update{testUpdate(4, 1, 1)}); err != nil {
				t.Fatalf("Add() error: %v", err)
			}
			h := mustClaim(t, q)
			if h.Chat != 1 || h.Update.ID != 4 {
				t.Fatalf("Claim() = chat %d update %d; want chat 1 update 4", h.Chat, h.Update.ID)
			}
			mustCommit(t, q, j, j.State, []byte("a"), []byte("b"), []byte("c"))
			if _, err := q.Sent(ctx, j, 1); err != nil {
				t.Fatalf("Sent(1) error: %v", err)
			}
			if err := q.Release(ctx, j, 2); err != nil {
				t.Fatalf("Release() error: %v", err)
			}
			time.Sleep(5 * time.Millisecond)
			if _, err := q.Add(ctx, []inbox.Update{testUpdate(5, 3, 3)}); err != nil {
				t.Fatalf("Add() error: %v", err)
			}
			mustCommit(t, q, h, h.State)
			j, ok = mustNext(t, q, h)
			if want := [][]byte{[]byte("c")}; !ok || j.Chat != 2 || j.Update.ID != 0 || !reflect.DeepEqual(j.Outbox, want) || j.Lease == h.Lease {
				t.Fatalf("Next() = %v, chat %d update %d outbox %q; want chat 2 with outbox %q under a new lease", ok, j.Chat, j.Update.ID, j.Outbox, want)
			}
			j, ok = mustNext(t, q, j)
			if !ok || j.Chat != 3 || j.Update.ID != 5 {
				t.Fatalf("Next() = %v, chat %d update %d; want chat 3 update 5", ok, j.Chat, j.Update.ID)
			}
			mustCommit(t, q, j, j.State)
			if j, ok := mustNext(t, q, j); ok {
				t.Fatalf("Next() = chat %d update %d; want no job", j.Chat, j.Update.ID)
			}
			twice.on.Store(false)
			if j, ok, err := q.Claim(ctx); ok || err != nil {
				t.Fatalf("Claim() after the last update = chat %d, %v, %v; want no job", j.Chat, ok, err)
			}
		})
	}
}

// BenchmarkInbox handles updates one by one (Add, Claim, Commit, Next), and
// added in batches of 100, of 100 chats or of one chat. It reports the
// round trips to Redis per update.
func BenchmarkInbox(b *testing.B) {
	for _, s := range stores {
		for _, bc := range []struct {
			name         string
			batch, chats int
		}{
			{"batch=1", 1, 1},
			{"batch=100/chats=100", 100, 100},
			{"batch=100/chats=1", 100, 1},
		} {
			b.Run(s.name+"/"+bc.name, func(b *testing.B) {
				st := s.open(b)
				q := newInbox(b, st)
				ctx := b.Context()
				var rt roundTripHook
				st.Client().AddHook(&rt)
				id := int64(0)
				us := make([]inbox.Update, bc.batch)
				out := [][]byte{[]byte(`{"method":"sendMessage","chat_id":1,"text":"Hello"}`)}
				rt.n.Store(0)
				n := 0
				for b.Loop() {
					n++
					for i := range us {
						id++
						chat := int64(i%bc.chats) + 1
						us[i] = inbox.Update{ID: id, Chat: chat, User: chat, Input: dialog.Input{Text: "/start", LanguageCode: "en"}}
					}
					if _, err := q.Add(ctx, us); err != nil {
						b.Fatal(err)
					}
					for handled := 0; handled < len(us); {
						j, ok, err := q.Claim(ctx)
						if err != nil || !ok {
							b.Fatalf("Claim() = %v, %v", ok, err)
						}
						for ok {
							if _, _, err := q.Commit(ctx, j, j.State, out); err != nil {
								b.Fatal(err)
							}
							handled++
							if j, ok, err = q.Next(ctx, j); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
				updates := float64(n * bc.batch)
				b.ReportMetric(float64(rt.n.Load())/updates, "roundtrips/update")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/updates, "ns/update")
			})
		}
	}
}

// TestInboxLegacy checks how the inbox hands out queue members it cannot
// read as its own: a raw Telegram update queued by an older release,
// read by the legacy decoder or not, and a member whose JSON is broken.
func TestInboxLegacy(t *testing.T) {
	t.Parallel()
	// legacy reads "<text>" of {"update_id":…,"text":"<text>"}; no text
	// needs no answer.
	legacy := func(raw []byte) (inbox.Update, bool) {
		var u struct {
			ID   int64  `json:"update_id"`
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &u) != nil || u.Text == "" {
			return inbox.Update{}, false
		}
		return inbox.Update{ID: u.ID, Chat: 5, User: 6, Input: dialog.Input{Text: u.Text}}, true
	}
	for _, s := range stores {
		for _, tc := range []struct {
			name       string
			opts       []redisstore.InboxOption
			member     string
			unreadable bool
			input      dialog.Input
		}{
			{"legacy read", []redisstore.InboxOption{redisstore.WithLegacy(legacy)}, `1|6|{"update_id":1,"text":"/start"}`, false, dialog.Input{Text: "/start"}},
			{"legacy needing no answer", []redisstore.InboxOption{redisstore.WithLegacy(legacy)}, `1|6|{"update_id":1}`, true, dialog.Input{}},
			{"legacy without a decoder", nil, `1|6|{"update_id":1,"text":"/start"}`, true, dialog.Input{}},
			{"broken JSON", []redisstore.InboxOption{redisstore.WithLegacy(legacy)}, `1|6|{"text":`, true, dialog.Input{}},
		} {
			t.Run(s.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				st := s.open(t)
				q := newInbox(t, st, tc.opts...)
				c, p, ctx := st.Client(), st.Prefix(), t.Context()
				if err := c.ZAdd(ctx, p+"q:5", redis.Z{Score: 1, Member: tc.member}).Err(); err != nil {
					t.Fatal(err)
				}
				if err := c.ZAdd(ctx, p+"ready", redis.Z{Score: 0, Member: "5"}).Err(); err != nil {
					t.Fatal(err)
				}
				j := mustClaim(t, q)
				want := inbox.Update{ID: 1, Chat: 5, User: 6, Input: tc.input}
				if j.Unreadable != tc.unreadable || !reflect.DeepEqual(j.Update, want) {
					t.Errorf("Claim() = update %+v, unreadable %v; want %+v, unreadable %v", j.Update, j.Unreadable, want, tc.unreadable)
				}
				// Committed without an answer, it is gone.
				mustCommit(t, q, j, j.State)
				if _, ok := mustNext(t, q, j); ok {
					t.Errorf("Next() after the update = a job; want none")
				}
			})
		}
	}
}
