package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of StartSentinels monitor their
// master by.
const MasterName = "examdesk"

// Sentinels is a Redis Sentinel set of a test's own: a master, a replica
// and three sentinels, each a redis-server process with a port and a
// folder of its own, whose sentinels fail the master over to the replica
// about two seconds after it stops answering (down-after-milliseconds
// 1000).
type Sentinels struct {
	// URL names the set in go-redis's failover form, for
	// redisstore.Open: redis://<sentinel>?addr=<sentinel>&addr=<sentinel>&master_name=examdesk.
	URL string
	// Master and Replica are the servers as started: after a failover,
	// Replica is the master.
	Master, Replica *Server
	Sentinels       []*Server
}

// StartSentinels starts a Sentinel set, waits until its sentinels know
// the replica and each other, so that they can fail over, and stops it
// when the test ends.
func StartSentinels(t testing.TB) *Sentinels {
	t.Helper()
	set := &Sentinels{}
	var err error
	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("start a Sentinel set: %s: %v (Debian: apt-get install redis-server)", what, err)
	}
	if _, set.Master, err = start(t.TempDir()); err != nil {
		fail("master", err)
	}
	t.Cleanup(set.Master.Stop)
	if _, set.Replica, err = start(t.TempDir(), "--replicaof", "127.0.0.1", strconv.Itoa(set.Master.port)); err != nil {
		fail("replica", err)
	}
	t.Cleanup(set.Replica.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := waitReplicas(ctx, set.Master.URL, 1); err != nil {
		fail("replica", err)
	}
	var addrs []string
	for range 3 {
		s, err := startSentinel(t.TempDir(), set.Master.port)
		if err != nil {
			fail("sentinel", err)
		}
		t.Cleanup(s.Stop)
		set.Sentinels = append(set.Sentinels, s)
		addrs = append(addrs, s.Addr())
	}
	set.URL = "redis://" + addrs[0] + "?addr=" + strings.Join(addrs[1:], "&addr=") + "&master_name=" + MasterName
	for _, s := range set.Sentinels {
		if err := waitKnown(ctx, s.Addr()); err != nil {
			fail("sentinel "+s.Addr(), err)
		}
	}
	return set
}

// startSentinel starts a sentinel in dir monitoring the master on port,
// with a quorum of 2.
func startSentinel(dir string, master int) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// A sentinel rewrites its configuration file: it gets one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	lines := []string{
		"port " + strconv.Itoa(port),
		"bind 127.0.0.1",
		"dir " + dir,
		"logfile " + filepath.Join(dir, "sentinel.log"),
		fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", MasterName, master),
		"sentinel down-after-milliseconds " + MasterName + " 1000",
		"sentinel failover-timeout " + MasterName + " 3000",
		"sentinel parallel-syncs " + MasterName + " 1",
	}
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	s := &Server{port: port, URL: "redis://127.0.0.1:" + strconv.Itoa(port), args: []string{conf, "--sentinel"}}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s, nil
}

// waitReplicas waits until the server at url has n replicas online.
func waitReplicas(ctx context.Context, url string, n int) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	for {
		info, err := c.Info(ctx, "replication").Result()
		if err == nil && strings.Count(info, ",state=online,") >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d replicas not online: %v (INFO: %q)", n, ctx.Err(), info)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitKnown waits until the sentinel at addr knows the replica and the
// two other sentinels.
func waitKnown(ctx context.Context, addr string) error {
	c := redis.NewSentinelClient(&redis.Options{Addr: addr})
	defer c.Close()
	var m map[string]string
	for {
		var err error
		m, err = c.Master(ctx, MasterName).Result()
		if err == nil && m["num-slaves"] == "1" && m["num-other-sentinels"] == "2" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("knows %s replicas and %s other sentinels: %v", m["num-slaves"], m["num-other-sentinels"], ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// MasterAddr returns the address the sentinels give for the master,
// asking each in turn until one answers.
func (set *Sentinels) MasterAddr(ctx context.Context) (string, error) {
	var err error
	for _, s := range set.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr()})
		var addr []string
		addr, err = c.GetMasterAddrByName(ctx, MasterName).Result()
		c.Close()
		if err == nil && len(addr) == 2 {
			return net.JoinHostPort(addr[0], addr[1]), nil
		}
	}
	return "", fmt.Errorf("ask the sentinels for master %s: %w", MasterName, err)
}

// WaitFailover waits until every sentinel gives the replica as the
// master, and the replica says it is, then returns when that was seen.
func (set *Sentinels) WaitFailover(t testing.TB, d time.Duration) time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	opt, err := redis.ParseURL(set.Replica.URL)
	if err != nil {
		t.Fatal(err)
	}
	replica := redis.NewClient(opt)
	defer replica.Close()
	want := set.Replica.Addr()
	for {
		done := true
		for _, s := range set.Sentinels {
			c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr()})
			addr, err := c.GetMasterAddrByName(ctx, MasterName).Result()
			c.Close()
			if err != nil || len(addr) != 2 || net.JoinHostPort(addr[0], addr[1]) != want {
				done = false
				break
			}
		}
		if done {
			if role, err := replica.Do(ctx, "ROLE").Slice(); err == nil && len(role) > 0 && role[0] == "master" {
				return time.Now()
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the sentinels did not fail over to the replica %s within %v", want, d)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
