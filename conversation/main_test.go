package conversation_test

import (
	"os"
	"testing"

	"examdesk/internal/testmain"
)

// TestMain runs up to 4 tests at once, unless -test.parallel says
// otherwise: a good part of this package's time is spent waiting (a
// chat's turns at its pace, a lease held through a download), and at the
// default, one test per CPU, two waiting tests would hold a 2-core
// machine's every slot while the picture checks of others queue. Not
// more, for the checks themselves keep a core busy each.
func TestMain(m *testing.M) {
	testmain.NoExitSleep()
	testmain.Parallel(4)
	os.Exit(m.Run())
}
