package redisstore

import (
	"bufio"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of ReplicationOptions.
const (
	DefaultWaitTimeout    = 250 * time.Millisecond
	DefaultReplicaCheck   = time.Second
	DefaultMaxReplicaLag  = 3 * time.Second
	maxWaitTimeoutOfReads = 2 * time.Second
)

// Replication makes what an inbox records reach the master's replicas
// before Add returns, so that an update acknowledged to Telegram survives
// a failover to a replica: Add sends WAIT right behind its script, in the
// same round trip and on the same connection (WAIT counts the writes of
// its connection only). It waits for as many replicas as asked and as are
// in sync, which Run counts on the master every second; with none in sync
// (a master alone, or one just promoted by a failover) Add does not wait.
// A WAIT that times out leaves Add's result as it is: the updates are
// recorded on the master, and intake goes on.
type Replication struct {
	client *redis.Client
	opts   ReplicationOptions
	inSync atomic.Int64
	check  chan struct{} // asks Run to count again now
	warned atomic.Int64  // when a timeout was logged last, in ns since 1970
}

// ReplicationOptions tune a Replication; a zero field takes its default.
type ReplicationOptions struct {
	// Replicas is how many replicas must have an update before Add
	// returns (default 1); Add waits for fewer when fewer are in sync.
	Replicas int
	// Timeout is how long Add waits for them at most (default
	// DefaultWaitTimeout, at most 2 s, within go-redis's read timeout).
	Timeout time.Duration
	// Interval is how often Run counts the replicas in sync (default
	// DefaultReplicaCheck).
	Interval time.Duration
	// MaxLag is how long ago a replica may have acknowledged the master's
	// stream last and still count as in sync (default
	// DefaultMaxReplicaLag; replicas acknowledge every second).
	MaxLag time.Duration
	// TimedOut, if set, is called when a WAIT ended before enough
	// replicas had the writes, or failed.
	TimedOut func()
	// Log receives what goes wrong (default: nowhere).
	Log *slog.Logger
}

// Replication returns the replication of the store's Redis, for
// WithReplication. Nothing waits for replicas until its Run has counted
// them.
func (s *Store) Replication(o ReplicationOptions) *Replication {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultWaitTimeout
	}
	o.Timeout = min(o.Timeout, maxWaitTimeoutOfReads)
	if o.Interval <= 0 {
		o.Interval = DefaultReplicaCheck
	}
	if o.MaxLag <= 0 {
		o.MaxLag = DefaultMaxReplicaLag
	}
	if o.TimedOut == nil {
		o.TimedOut = func() {}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Replication{client: s.client, opts: o, check: make(chan struct{}, 1)}
}

// WithReplication makes the inbox's Add wait for r's replicas. Without it
// Add waits for none.
func WithReplication(r *Replication) InboxOption {
	return func(o *inboxOptions) { o.replication = r }
}

// InSync returns how many of the master's replicas were in sync when Run
// counted them last.
func (r *Replication) InSync() int { return int(r.inSync.Load()) }

// Run counts the master's replicas in sync (INFO replication: online, and
// acknowledged within MaxLag) every Interval, and at once after a WAIT
// timed out, until ctx is done; it returns nil then. A count that fails
// keeps the last one.
func (r *Replication) Run(ctx context.Context) error {
	t := time.NewTicker(r.opts.Interval)
	defer t.Stop()
	for {
		r.count(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.check:
		}
	}
}

func (r *Replication) count(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Interval)
	defer cancel()
	info, err := r.client.Info(ctx, "replication").Result()
	if err != nil {
		if ctx.Err() == nil {
			r.opts.Log.Debug("counting the replicas failed", "err", err)
		}
		return
	}
	n := replicasInSync(info, r.opts.MaxLag)
	if old := r.inSync.Swap(int64(n)); old != int64(n) {
		r.opts.Log.Info("replicas in sync changed", "replicas", n, "before", old)
	}
}

// replicasInSync counts, in the text of INFO replication, the replicas of
// a master that are online and acknowledged within maxLag.
func replicasInSync(info string, maxLag time.Duration) int {
	n := 0
	master := false
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "role:master" {
			master = true
		}
		name, fields, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(name, "slave") || strings.Trim(name[len("slave"):], "0123456789") != "" {
			continue
		}
		online, lag := false, -1
		for field := range strings.SplitSeq(fields, ",") {
			k, v, _ := strings.Cut(field, "=")
			switch k {
			case "state":
				online = v == "online"
			case "lag":
				lag, _ = strconv.Atoi(v)
			}
		}
		if online && lag >= 0 && time.Duration(lag)*time.Second <= maxLag {
			n++
		}
	}
	if !master {
		return 0
	}
	return n
}

// run runs script s on c as s.Run does and, when replicas are in sync,
// WAIT behind it in one pipeline, and returns the script's result. A WAIT
// that fails or times out is reported to TimedOut, and makes Run count
// the replicas again. A nil r waits for nothing.
func (r *Replication) run(ctx context.Context, c *redis.Client, s *redis.Script, keys []string, args ...any) *redis.Cmd {
	if r == nil {
		return s.Run(ctx, c, keys, args...)
	}
	n := min(r.opts.Replicas, r.InSync())
	if n == 0 {
		return s.Run(ctx, c, keys, args...)
	}
	cmd, wait := r.pipeline(ctx, c, s.EvalSha, n, keys, args)
	if cmd.Err() != nil && redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		cmd, wait = r.pipeline(ctx, c, s.Eval, n, keys, args)
	}
	if cmd.Err() != nil {
		return cmd
	}
	if got, err := wait.Int(); err != nil || got < n {
		if last := r.warned.Load(); time.Since(time.Unix(0, last)) >= r.opts.Interval && r.warned.CompareAndSwap(last, time.Now().UnixNano()) {
			r.opts.Log.Warn("replicas did not confirm a write in time; it is acknowledged all the same",
				"replicas", got, "want", n, "timeout", r.opts.Timeout, "err", err)
		}
		r.opts.TimedOut()
		select {
		case r.check <- struct{}{}:
		default:
		}
	}
	return cmd
}

// pipeline sends script, then WAIT n, in one pipeline.
func (r *Replication) pipeline(ctx context.Context, c *redis.Client,
	script func(context.Context, redis.Scripter, []string, ...any) *redis.Cmd,
	n int, keys []string, args []any) (*redis.Cmd, *redis.Cmd) {
	pipe := c.Pipeline()
	cmd := script(ctx, pipe, keys, args...)
	wait := pipe.Do(ctx, "WAIT", n, r.opts.Timeout.Milliseconds())
	pipe.Exec(ctx) // the errors are the commands'
	return cmd, wait
}
