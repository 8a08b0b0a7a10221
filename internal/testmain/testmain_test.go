package testmain

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// TestPrintGORACE prints the GORACE the binary runs with, for
// TestNoExitSleep's child.
func TestPrintGORACE(t *testing.T) {
	if os.Getenv("TESTMAIN_CHILD") == "" {
		return
	}
	v, set := os.LookupEnv("GORACE")
	if !set {
		v = "(unset)"
	}
	os.Stdout.WriteString("GORACE=" + v + "\n")
}

// TestNoExitSleep runs this binary again with GORACE unset, then set: a
// race-built binary runs with the exit sleep off unless GORACE is set,
// which is left as it is; any other runs as it was started.
func TestNoExitSleep(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GORACE=") })
	env = append(env, "TESTMAIN_CHILD=1")
	unset := "GORACE=(unset)"
	if race {
		unset = "GORACE=atexit_sleep_ms=0"
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{env, unset},
		{append(slices.Clip(env), "GORACE=atexit_sleep_ms=5"), "GORACE=atexit_sleep_ms=5"},
	} {
		cmd := exec.Command(exe, "-test.run=^TestPrintGORACE$", "-test.v")
		cmd.Env = tc.env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, out)
		}
		if !strings.Contains(string(out), tc.want+"\n") {
			t.Errorf("the child printed %q; want %q", out, tc.want)
		}
	}
}
