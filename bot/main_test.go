package bot_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs up to 4 tests at once, unless -test.parallel says
// otherwise: most of this package's tests wait (for Telegram's pace and
// its retry_after, a lease, a poller's turn) far more than they compute,
// and at the default, one test per CPU, two waiting tests would hold a
// 2-core machine's every slot while it idles.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}
