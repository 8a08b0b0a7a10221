package redisstore_test

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
)

// clientOf returns a client of the Redis at url, closed when the test
// ends.
func clientOf(t *testing.T, url string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// waits returns how many WAIT commands the server of c has run.
func waits(t *testing.T, c *redis.Client) int {
	t.Helper()
	info, err := c.Info(t.Context(), "commandstats").Result()
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	for line := range strings.Lines(info) {
		if rest, ok := strings.CutPrefix(line, "cmdstat_wait:calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

// waitFor polls cond until it holds, and fails the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func update(id, chat int64) inbox.Update {
	return inbox.Update{ID: id, Chat: chat, User: chat, Input: dialog.Input{Text: "hi"}}
}

// replicated is an inbox on a master with a replication counting its
// replicas every 20 ms, whose WAIT gives a replica a second: one in sync
// answers in time however loaded the machine, which 100 ms did not
// always give it under the race detector.
type replicated struct {
	st       *redisstore.Store
	q        *redisstore.Inbox
	r        *redisstore.Replication
	timeouts atomic.Int64
}

func openReplicated(t *testing.T, url string, maxLag time.Duration) *replicated {
	t.Helper()
	st, err := redisstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rep := &replicated{st: st}
	rep.r = st.Replication(redisstore.ReplicationOptions{
		Timeout:  time.Second,
		Interval: 20 * time.Millisecond,
		MaxLag:   maxLag,
		TimedOut: func() { rep.timeouts.Add(1) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rep.r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	if rep.q, err = st.Inbox(redisstore.WithReplication(rep.r)); err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestReplicationWait checks that Add waits for a replica in sync with
// WAIT on its own connection, so that the replica has the updates when
// Add returns; that a replica that stops answering makes WAIT time out,
// counted, without failing Add, and then no longer counts; and that a
// master without replicas is not waited for.
func TestReplicationWait(t *testing.T) {
	t.Parallel()
	master := redistest.Start(t)
	replica := redistest.StartReplica(t, master)
	mc, rc := clientOf(t, master.URL), clientOf(t, replica.URL)
	rep := openReplicated(t, master.URL, time.Second)
	waitFor(t, 10*time.Second, "the replica to be counted in sync", func() bool { return rep.r.InSync() == 1 })

	// The first Add on a server loads the script, and sends WAIT twice.
	if _, err := rep.q.Add(t.Context(), []inbox.Update{update(99, 6)}); err != nil {
		t.Fatal(err)
	}
	before := waits(t, mc)
	for i := range int64(20) {
		if n, err := rep.q.Add(t.Context(), []inbox.Update{update(100+i, 7+i)}); n != 1 || err != nil {
			t.Fatalf("Add(update %d) = %d, %v; want 1, nil", 100+i, n, err)
		}
		// WAIT returned: the replica has it.
		if n, err := rc.Exists(t.Context(), redisstore.DefaultPrefix+"q:"+strconv.FormatInt(7+i, 10)).Result(); n != 1 || err != nil {
			t.Fatalf("the replica has update %d's queue: %d, %v; want it there once Add returned", 100+i, n, err)
		}
	}
	if got := waits(t, mc) - before; got != 20 {
		t.Errorf("WAIT ran %d times for 20 Adds; want 20", got)
	}
	if n := rep.timeouts.Load(); n != 0 {
		t.Errorf("%d WAITs timed out with the replica in sync; want 0", n)
	}

	// The replica hangs: WAIT times out, Add succeeds all the same.
	replica.Pause()
	if n, err := rep.q.Add(t.Context(), []inbox.Update{update(200, 1000)}); n != 1 || err != nil {
		t.Fatalf("Add with the replica hanging = %d, %v; want 1, nil", n, err)
	}
	if n := rep.timeouts.Load(); n != 1 {
		t.Errorf("timeouts after an Add with the replica hanging = %d; want 1", n)
	}
	// Once its lag is over MaxLag, it no longer counts: no WAIT.
	waitFor(t, 10*time.Second, "the hanging replica to be counted out", func() bool { return rep.r.InSync() == 0 })
	before, timeouts := waits(t, mc), rep.timeouts.Load()
	if n, err := rep.q.Add(t.Context(), []inbox.Update{update(201, 1000)}); n != 1 || err != nil {
		t.Fatalf("Add with the replica counted out = %d, %v; want 1, nil", n, err)
	}
	if got := waits(t, mc) - before; got != 0 || rep.timeouts.Load() != timeouts {
		t.Errorf("Add with no replica in sync ran WAIT %d times (%d timeouts); want none", got, rep.timeouts.Load()-timeouts)
	}
	replica.Resume()
	waitFor(t, 10*time.Second, "the replica to be in sync again", func() bool { return rep.r.InSync() == 1 })
	if n, err := rep.q.Add(t.Context(), []inbox.Update{update(202, 1000)}); n != 1 || err != nil {
		t.Fatalf("Add with the replica back = %d, %v; want 1, nil", n, err)
	}
	if n, err := rc.ZCard(t.Context(), redisstore.DefaultPrefix+"q:1000").Result(); n != 3 || err != nil {
		t.Errorf("the replica has %d, %v of chat 1000's updates; want 3", n, err)
	}
}

// TestReplicationAlone checks that an inbox on a master without replicas
// never waits.
func TestReplicationAlone(t *testing.T) {
	t.Parallel()
	master := redistest.Start(t)
	mc := clientOf(t, master.URL)
	rep := openReplicated(t, master.URL, time.Second)
	time.Sleep(100 * time.Millisecond) // a few counts
	for i := range int64(5) {
		if n, err := rep.q.Add(t.Context(), []inbox.Update{update(1+i, 1)}); n != 1 || err != nil {
			t.Fatalf("Add = %d, %v; want 1, nil", n, err)
		}
	}
	if got := waits(t, mc); got != 0 || rep.r.InSync() != 0 || rep.timeouts.Load() != 0 {
		t.Errorf("alone: WAIT ran %d times, %d replicas in sync, %d timeouts; want none", got, rep.r.InSync(), rep.timeouts.Load())
	}
}

// TestSentinelFailover opens a store on a Sentinel set, records updates
// waiting for the replica, kills the master and checks that the store
// goes on with the replica, promoted, which has every update Add
// returned, and that Add no longer waits for a replica there is not.
func TestSentinelFailover(t *testing.T) {
	t.Parallel()
	set := redistest.StartSentinels(t)
	rep := openReplicated(t, set.URL, time.Second)
	waitFor(t, 10*time.Second, "the replica to be counted in sync", func() bool { return rep.r.InSync() == 1 })
	ctx := t.Context()
	var added []int64
	for i := range int64(50) {
		if _, err := rep.q.Add(ctx, []inbox.Update{update(1000+i, 1+i%5)}); err != nil {
			t.Fatalf("Add before the failover: %v", err)
		}
		added = append(added, 1000+i)
	}
	set.Master.Kill()
	// Add fails until the sentinels promote the replica, then works again.
	for i := int64(0); ; i++ {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := rep.q.Add(actx, []inbox.Update{update(2000+i, 9)})
		cancel()
		if err == nil {
			added = append(added, 2000+i)
			break
		}
		if i > 200 {
			t.Fatalf("Add still fails after the failover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if addr, err := set.MasterAddr(ctx); err != nil || addr != set.Replica.Addr() {
		t.Fatalf("the sentinels' master is %q (%v); want the replica %s", addr, err, set.Replica.Addr())
	}
	waitFor(t, 10*time.Second, "the promoted master to have no replica in sync", func() bool { return rep.r.InSync() == 0 })
	timeouts := rep.timeouts.Load()
	for i := range int64(5) {
		if _, err := rep.q.Add(ctx, []inbox.Update{update(3000+i, 9)}); err != nil {
			t.Fatalf("Add after the failover: %v", err)
		}
		added = append(added, 3000+i)
	}
	if n := rep.timeouts.Load(); n != timeouts {
		t.Errorf("%d WAITs timed out on a master without replicas; want none", n-timeouts)
	}
	// Every update Add returned is on the new master.
	nc := clientOf(t, set.Replica.URL)
	have := map[int64]bool{}
	for chat := int64(1); chat <= 9; chat++ {
		members, err := nc.ZRange(ctx, redisstore.DefaultPrefix+"q:"+strconv.FormatInt(chat, 10), 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			id, _ := strconv.ParseInt(m[:strings.IndexByte(m, '|')], 10, 64)
			have[id] = true
		}
	}
	for _, id := range added {
		if !have[id] {
			t.Errorf("update %d was added but the promoted replica lacks it", id)
		}
	}
}
