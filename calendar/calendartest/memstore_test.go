package calendartest_test

import (
	"testing"

	"examdesk/calendar"
	"examdesk/calendar/calendartest"
)

func TestMemStore(t *testing.T) {
	calendartest.TestStore(t, func(t *testing.T) calendar.Store { return new(calendartest.MemStore) })
}
