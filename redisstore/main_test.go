package redisstore_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs up to 4 tests at once, unless -test.parallel says
// otherwise: most of this package's tests wait (for a lease to expire, a
// pace, a Sentinel set to fail over, a dial to be refused) far more than
// they compute, and at the default, one test per CPU, two waiting tests
// would hold a 2-core machine's every slot while it idles.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}
