package main

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
)

// TestChatSubscriptions checks that the terminal chat answers /remind,
// /stop and /forget as serve does, with the embedded Redis and with a
// Redis at REDIS_URL that outlives it, in which it keeps nothing: the
// terminal's user never subscribes.
func TestChatSubscriptions(t *testing.T) {
	t.Parallel()
	input := "/remind\n/remind off\n/stop\n/forget\n1\n"
	wants := []string{"I will remind you", "reminders are off", "no longer receive", "Delete everything", "I have deleted everything"}
	t.Run("embedded", func(t *testing.T) {
		stdout, stderr, code := runCmd(t, nil, input, "chat", "--lang", "en")
		if code != 0 {
			t.Fatalf("chat = %d, stderr %q; want 0", code, stderr)
		}
		for _, w := range wants {
			if !strings.Contains(stdout, w) {
				t.Errorf("chat output lacks %q:\n%s", w, stdout)
			}
		}
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		env := map[string]string{"REDIS_URL": srv.URL}
		stdout, stderr, code := runCmd(t, env, "/remind\n", "chat", "--lang", "en")
		if code != 0 || !strings.Contains(stdout, wants[0]) {
			t.Fatalf("chat = %d, stderr %q, output:\n%s", code, stderr, stdout)
		}
		// Neither the /start the chat begins with nor /remind subscribe
		// the terminal's user, and the conversation is kept apart.
		opt, err := redis.ParseURL(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewClient(opt)
		defer c.Close()
		keys, err := c.Keys(t.Context(), "examdesk:*").Result()
		if err != nil || len(keys) != 0 {
			t.Errorf("keys after the chat = %v, %v; want none", keys, err)
		}
	})
}

// TestChatSubscribesNobody checks that the terminal's user, who is nobody
// on Telegram, never becomes a subscriber of a shared Redis: not by
// /start, /remind or a finished check, so broadcasts never count them.
func TestChatSubscribesNobody(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL}
	stdout, stderr, code := runCmd(t, env, "/remind\n/check\n7\n2\n2\n", "chat", "--lang", "en")
	if code != 0 || !strings.Contains(stdout, "3.1") {
		t.Fatalf("chat = %d, stderr %q, output:\n%s", code, stderr, stdout)
	}
	st, err := redisstore.Open(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if sub, active, found, err := st.Subscribers().Get(t.Context(), 1); err != nil || found {
		t.Errorf("Subscribers().Get(1) = %+v, %v, %v, %v; want nobody", sub, active, found, err)
	}
}
