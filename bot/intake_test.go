package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk/inbox"
)

// recordingQueue is an inbox.Queue that only records what is added.
type recordingQueue struct {
	inbox.Queue
	mu    sync.Mutex
	added []inbox.Update
}

func (q *recordingQueue) Add(_ context.Context, us []inbox.Update) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.added = append(q.added, us...)
	return len(us), nil
}

// TestPollerConfirmsWhatItCannotRead: an update the intake cannot read is
// confirmed all the same (Telegram would resend it forever), and the good
// ones around it are recorded before the offset passes them.
func TestPollerConfirmsWhatItCannotRead(t *testing.T) {
	t.Parallel()
	batches := []string{
		`[{"update_id":6,"message":{"message_id":1,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"text":"hi"}},` +
			`{"update_id":7,"inline_query":{"id":"q"}},` +
			`{"update_id":8,"message":{"chat":{"id":"not a number"},"from":{"id":1}}}]`,
	}
	offsets := make(chan int64, 10)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Offset int64 `json:"offset"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		offsets <- req.Offset
		result := "[]"
		if len(batches) > 0 && req.Offset == 0 {
			result, batches = batches[0], batches[1:]
		} else {
			time.Sleep(50 * time.Millisecond)
		}
		io.WriteString(w, `{"ok":true,"result":`+result+`}`)
	}))
	defer api.Close()
	q := &recordingQueue{}
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPoller(api.URL, "1:x", q, PollerOptions{Timeout: time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	if got := <-offsets; got != 0 {
		t.Fatalf("first getUpdates offset = %d; want 0", got)
	}
	if got := <-offsets; got != 9 {
		t.Errorf("getUpdates offset after the batch = %d; want 9 (past the inline query 7 and the unreadable update 8)", got)
	}
	cancel()
	<-done
	if len(q.added) != 1 || q.added[0].ID != 6 || q.added[0].Chat != 9 {
		t.Errorf("recorded %+v; want update 6 of chat 9 only", q.added)
	}
}

// TestPollerRefusedToken checks that Run returns an error when Telegram
// refuses the token, which retrying does not cure, and keeps polling
// through any other error.
func TestPollerRefusedToken(t *testing.T) {
	t.Parallel()
	answers := []string{
		`{"ok":false,"error_code":502,"description":"Bad Gateway"}`,
		`{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}`,
		`{"ok":false,"error_code":401,"description":"Unauthorized"}`,
	}
	var mu sync.Mutex
	calls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(w, answers[min(calls, len(answers)-1)])
		calls++
	}))
	defer api.Close()
	p := NewPoller(api.URL, "1:x", &recordingQueue{}, PollerOptions{})
	err := p.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Errorf("Run() = %v; want the 401", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 3 {
		t.Errorf("getUpdates called %d times; want 3: the 502 and the 409 are retried", calls)
	}
}
