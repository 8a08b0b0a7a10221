package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	p := &Poller{API: api.URL, Token: "1:x", Queue: q, Timeout: time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
