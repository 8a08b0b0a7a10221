package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

// roleEnv names what a re-executed test binary does instead of testing:
// the crash and load tests run `examdesk serve` (role "serve") and a bare
// go-telegram/bot handler (role "bare") as processes of their own, so that
// they can be killed and measured.
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
	os.Exit(m.Run())
}
