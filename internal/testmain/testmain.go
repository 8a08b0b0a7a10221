// Package testmain is the TestMain of this module's test binaries: it
// spares a binary built with the race detector the race runtime's second
// of sleep before it exits.
//
// By default (GORACE's atexit_sleep_ms=1000) the race runtime sleeps 1 s
// at exit, so that goroutines still running can report a race. go test
// runs a binary per package, two at a time on two CPUs, and those
// seconds were 13 s of the suite's 92. A race during a test is reported
// as before: the testing package fails the test it happened in. What is
// given up is a race in a goroutine that outlives every test, in the last
// second of the binary.
package testmain

import (
	"flag"
	"os"
	"strconv"
	"syscall"
	"testing"
)

// Main runs m's tests and exits with their status, after NoExitSleep.
func Main(m *testing.M) {
	NoExitSleep()
	os.Exit(m.Run())
}

// NoExitSleep re-executes the test binary, once, with
// GORACE=atexit_sleep_ms=0 when it was built with -race and GORACE is
// not set (a GORACE that is set is left as it is). It returns only when
// it does not re-execute, or cannot; then the binary runs as it is.
func NoExitSleep() {
	if !race {
		return
	}
	if _, set := os.LookupEnv("GORACE"); set {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	env := append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	// Exec keeps the process, so go test sees the same pid, pipes and
	// signals; it returns only on failure.
	_ = syscall.Exec(exe, os.Args, env)
}

// Parallel has n tests run at once unless -test.parallel was given, for a
// package whose tests mostly wait: by default go test runs one per CPU.
// It parses the command line's flags first.
func Parallel(n int) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(n))
	}
}
