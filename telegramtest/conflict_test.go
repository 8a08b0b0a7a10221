package telegramtest

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestConflicts checks the 409s of getUpdates as Telegram gives them:
// which poll ends which, with what description, and how they are paced.
func TestConflicts(t *testing.T) {
	t.Parallel()
	t.Run("a poll that returns at once ends none", func(t *testing.T) {
		ctx := testContext(t)
		s := newServer(t)
		waiting := poll(ctx, s, map[string]any{"timeout": 50})
		waitPolling(t, ctx, s)
		if got := updateIDs(t, call(t, ctx, s, "getUpdates", map[string]any{"timeout": 0})); len(got) != 0 {
			t.Fatalf("getUpdates(timeout 0) = %v; want none", got)
		}
		id := s.Send(Message(42, 42, "en", "hi"))
		if got := updateIDs(t, <-waiting); len(got) != 1 || got[0] != id {
			t.Errorf("the waiting poll = %v; want update %d, not a conflict", got, id)
		}
	})
	t.Run("setWebhook ends the waiting poll", func(t *testing.T) {
		ctx := testContext(t)
		s := newServer(t)
		waiting := poll(ctx, s, map[string]any{"timeout": 50})
		waitPolling(t, ctx, s)
		call(t, ctx, s, "setWebhook", map[string]any{"url": "https://example.org/hook"})
		if env := <-waiting; env.ErrorCode != http.StatusConflict || env.Description != setWebhookConflict {
			t.Errorf("the waiting poll = %d %q; want 409 %q", env.ErrorCode, env.Description, setWebhookConflict)
		}
	})
	t.Run("Telegram's pause between conflicts is the default", func(t *testing.T) {
		if s := newServer(t); s.conflictPause != 3*time.Second {
			t.Errorf("NewServer's conflict pause = %v; want Telegram's 3 s", s.conflictPause)
		}
	})
	t.Run("a conflict within the pause of the last is held the pause", func(t *testing.T) {
		// Telegram's 3 s, as the server holds them by default, shortened.
		const pause = 200 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := newServer(t)
		s.SetConflictPause(pause)
		call(t, ctx, s, "setWebhook", map[string]any{"url": "https://example.org/hook"})
		for i := range 2 {
			start := time.Now()
			env := call(t, ctx, s, "getUpdates", nil)
			took := time.Since(start)
			if env.ErrorCode != http.StatusConflict || env.Description != webhookConflict {
				t.Fatalf("getUpdates %d with a webhook = %d %q; want 409 %q", i+1, env.ErrorCode, env.Description, webhookConflict)
			}
			if i == 1 && took < pause {
				t.Errorf("the second conflict was answered in %v; want it held %v", took, pause)
			}
		}
	})
}
