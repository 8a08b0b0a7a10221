// Package redistest gives tests a real Redis: the one at REDIS_URL, else
// the one on 127.0.0.1:6379, else a redis-server of their own; and a key
// prefix of their own, cleaned when the test ends.
package redistest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// defaultURL is where tests look for Redis when REDIS_URL is unset.
const defaultURL = "redis://127.0.0.1:6379/0"

var shared struct {
	once sync.Once
	url  string
	err  error
}

// URL returns the URL of a Redis the tests may use, under their own key
// prefixes: REDIS_URL if set, else 127.0.0.1:6379 if it answers, else a
// redis-server started for this test binary (it ends with the binary). It
// fails the test with one line saying how to get a Redis when there is
// none.
func URL(t testing.TB) string {
	t.Helper()
	shared.once.Do(func() {
		if u := os.Getenv("REDIS_URL"); u != "" {
			shared.url, shared.err = u, ping(u)
			return
		}
		if ping(defaultURL) == nil {
			shared.url = defaultURL
			return
		}
		dir, err := os.MkdirTemp("", "redistest")
		if err != nil {
			shared.err = err
			return
		}
		shared.url, _, shared.err = start(dir)
	})
	if shared.err != nil {
		t.Fatalf("no Redis for the tests (%v): start one with `redis-server --daemonize yes` (Debian: apt-get install redis-server) or set REDIS_URL", shared.err)
	}
	return shared.url
}

// Prefix returns a key prefix of the test's own and deletes every key under
// it on c when the test ends.
func Prefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	prefix := "test:" + rand.Text()[:12] + ":"
	t.Cleanup(func() {
		if err := Clean(context.Background(), c, prefix); err != nil {
			t.Errorf("clean %s*: %v", prefix, err)
		}
	})
	return prefix
}

// Clean deletes every key that starts with prefix.
func Clean(ctx context.Context, c redis.UniversalClient, prefix string) error {
	iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
			keys = keys[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(keys) > 0 {
		return c.Unlink(ctx, keys...).Err()
	}
	return nil
}

// Server is a redis-server of a test's own.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	port int
	args []string // of redis-server
	// ping checks that the server answers (default: a PING to URL).
	ping func() error
}

// Start starts a redis-server of the test's own on a free port, with an
// append-only file in a temporary folder, and stops it when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	_, srv, err := start(t.TempDir())
	if err != nil {
		t.Fatalf("start redis-server: %v (Debian: apt-get install redis-server)", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// StartReplica starts a redis-server of the test's own as Start does,
// replicating master, waits until master has it online, and stops it when
// the test ends.
func StartReplica(t testing.TB, master *Server) *Server {
	t.Helper()
	_, srv, err := start(t.TempDir(), "--replicaof", "127.0.0.1", strconv.Itoa(master.port))
	if err != nil {
		t.Fatalf("start redis-server: %v (Debian: apt-get install redis-server)", err)
	}
	t.Cleanup(srv.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := waitReplicas(ctx, master.URL, 1); err != nil {
		t.Fatalf("start a replica of %s: %v", master.Addr(), err)
	}
	return srv
}

// Kill kills the server at once, as a crash would.
func (s *Server) Kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// Stop stops the server.
func (s *Server) Stop() {
	s.Resume()
	s.Kill()
}

// Pause stops the process where it is (SIGSTOP), as a machine that hangs
// would: its connections stay open, and nothing answers on them.
func (s *Server) Pause() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGSTOP)
	}
}

// Resume lets a paused process go on (SIGCONT).
func (s *Server) Resume() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGCONT)
	}
}

// start starts a redis-server in dir, with extra arguments after those
// of serverArgs.
func start(dir string, extra ...string) (string, *Server, error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	s := &Server{port: port, URL: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0"}
	s.args = append(serverArgs(port, dir), extra...)
	if err := s.run(); err != nil {
		return "", nil, err
	}
	return s.URL, s, nil
}

// serverArgs are the arguments of a server on port keeping an append-only
// file, synced at every write, in dir, and sending a new replica its data
// at once.
func serverArgs(port int, dir string) []string {
	return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "yes", "--appendfsync", "always",
		"--dir", dir, "--appendfilename", "test.aof",
		"--logfile", filepath.Join(dir, "redis.log"),
		"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"}
}

// freePort returns a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *Server) run() error {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return err
	}
	cmd := exec.Command(path, s.args...)
	// The server ends with the test binary, however that ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	check := s.ping
	if check == nil {
		check = func() error { return ping(s.URL) }
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err = check(); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("redis-server on port %d did not answer: %w", s.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}
