package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"examdesk/redisstore"
)

// delivery is the configuration of how serve delivers what it owes:
// whose chats it takes over, and at what pace it sends to a chat.
type delivery struct {
	// instance is this replica's name among the serves sharing the
	// Redis (EXAMDESK_INSTANCE): a process restarted under it takes over
	// its predecessor's chats and broadcast recipients at once; "" for
	// none (they wait for their leases, 5 s).
	instance string
	// pace is how fast serve sends to one chat (EXAMDESK_CHAT_RATE).
	pace redisstore.Pace
}

// instancePattern is what EXAMDESK_INSTANCE may be: a host or pod name.
var instancePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// loadDelivery reads EXAMDESK_INSTANCE and EXAMDESK_CHAT_RATE; the error
// lists every problem, one per line.
func loadDelivery(getenv func(string) string) (delivery, error) {
	d := delivery{instance: strings.TrimSpace(getenv("EXAMDESK_INSTANCE")), pace: redisstore.DefaultPace}
	var errs []error
	if d.instance != "" && !instancePattern.MatchString(d.instance) {
		errs = append(errs, fmt.Errorf("EXAMDESK_INSTANCE %q is not a name of 1 to 63 letters, digits, '.', '_' or '-' (like a pod's name, examdesk-0)", d.instance))
	}
	if v := strings.TrimSpace(getenv("EXAMDESK_CHAT_RATE")); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || !(rate >= 0.01 && rate <= 1000) {
			errs = append(errs, fmt.Errorf("EXAMDESK_CHAT_RATE %q is not a rate of 0.01 to 1000 messages per second to one chat", v))
		} else {
			d.pace.Chat = time.Duration(float64(time.Second) / rate)
		}
	}
	return d, errors.Join(errs...)
}
