package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"

	"examdesk/internal/testmain"
)

// roleEnv names what a re-executed test binary does instead of testing:
// the load benchmarks run `examdesk serve` (role "serve") and a bare
// go-telegram/bot handler (role "bare") as processes of their own, built
// alike, so that they can be measured side by side.
const roleEnv = "EXAMDESK_TEST_ROLE"

// roles maps a role to its main; the bare handler's is the load
// benchmark's (bench_test.go).
var roles = map[string]func(ctx context.Context) int{
	"serve": func(ctx context.Context) int {
		err := run(ctx, []string{"serve"}, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		return exitCode(err, os.Stderr)
	},
	"bare": bareMain,
}

func TestMain(m *testing.M) {
	testmain.NoExitSleep()
	if role := os.Getenv(roleEnv); role != "" {
		main, ok := roles[role]
		if !ok {
			os.Stderr.WriteString("unknown " + roleEnv + " " + role + "\n")
			os.Exit(2)
		}
		logRedisClient(os.Stderr)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := withCPUProfile(role, main)(ctx)
		stop()
		os.Exit(code)
	}
	// Twice the CPUs: most of this package's tests wait on other
	// processes and on the product's own pace (leases of seconds, a
	// chat's one message a second, a Sentinel failover), and one test per
	// CPU left the CPUs idle most of the run. Each test keeps to its own
	// Redis prefix or server, Bot API and ports, and asserts on events,
	// not on how fast they come. Not more: the fake Bot API runs in this
	// process and counts Telegram's limits by when calls reach it, so a
	// process starved of CPU bunches the calls it then reads, and four per
	// CPU made TestBroadcastKillAndRestart's fake answer 429s to serves
	// that kept their pace.
	testmain.Parallel(2 * runtime.GOMAXPROCS(0))
	code := m.Run()
	examdeskBinary.remove()
	os.Exit(code)
}

// examdeskBinary is the examdesk command, built by `go build` when a test
// first runs it as a process of its own (serveChild), and removed when the
// tests end. It is built without the race detector, whatever the tests
// are built with: the tests that run it check what the process does when
// killed, restarted or run twice (nothing lost, in order, no 409), which
// the race detector's cost (several times the CPU, a second's sleep at
// every exit) only slows; the same code runs in process under the tests'
// own build (startServe) and in the other packages' tests.
var examdeskBinary builtBinary

// builtBinary is a command built once for the tests.
type builtBinary struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// path builds the binary the first time and returns its path, or why it
// could not be built, with go build's output.
func (b *builtBinary) path() (string, error) {
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "examdesk-test-"); b.err != nil {
			return
		}
		b.bin = filepath.Join(b.dir, "examdesk")
		out, err := exec.Command("go", "build", "-o", b.bin, "examdesk/cmd/examdesk").CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build examdesk/cmd/examdesk: %v\n%s", err, out)
		}
	})
	return b.bin, b.err
}

// remove removes the binary, if it was built.
func (b *builtBinary) remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}
