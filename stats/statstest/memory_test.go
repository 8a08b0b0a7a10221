package statstest_test

import (
	"testing"

	"examdesk/stats"
	"examdesk/stats/statstest"
)

func TestMemory(t *testing.T) {
	statstest.TestStore(t, func(*testing.T) stats.Store { return &statstest.Store{} })
}
