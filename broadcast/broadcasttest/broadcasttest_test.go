package broadcasttest_test

import (
	"testing"

	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
)

func TestSubscribers(t *testing.T) {
	broadcasttest.TestSubscribers(t, func(*testing.T) broadcast.Subscribers { return &broadcasttest.Subscribers{} })
}
