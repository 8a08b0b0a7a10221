package bot_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"examdesk/bot"
	"examdesk/conversation"
	"examdesk/telegramtest"
)

// TestDownload fetches what a user sent as Telegram delivers it: the
// largest size of a photo, a file, through getFile and the download.
func TestDownload(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	ctx := context.Background()
	small, large := []byte("thumbnail"), []byte("the photo, 2560 pixels wide")
	f.srv.Send(telegramtest.Photo(42, 42, "en", telegramtest.PhotoSize{Width: 90, Height: 68, Data: small}, telegramtest.PhotoSize{Width: 2560, Height: 1920, Data: large}))
	u := getUpdate(t, f.srv)
	sizes := u.Message.Photo
	if len(sizes) != 2 {
		t.Fatalf("photo update has %d sizes; want 2", len(sizes))
	}
	got, err := f.sender.Download(ctx, sizes[len(sizes)-1].FileID, 20<<20)
	if err != nil || !bytes.Equal(got, large) {
		t.Fatalf("Download(largest) = %q, %v; want %q", got, err, large)
	}

	doc := []byte("\x89PNG a file, every byte")
	f.srv.Send(telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "doc", FileName: "me.png", Data: doc}))
	f.srv.Send(telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "huge", FileName: "me.jpg", FileSize: 25 << 20}))
	for _, tt := range []struct {
		name  string
		id    string
		limit int64
		want  []byte
		err   func(error) bool
	}{
		{"file", "doc", 20 << 20, doc, func(err error) bool { return err == nil }},
		{"over the caller's limit", "doc", int64(len(doc)) - 1, nil, func(err error) bool { return errors.Is(err, bot.ErrFileTooBig) }},
		{"over getFile's 20 MB", "huge", 30 << 20, nil, func(err error) bool { return errors.Is(err, bot.ErrFileTooBig) }},
		{"unknown", "nope", 20 << 20, nil, func(err error) bool {
			var ae *bot.APIError
			return errors.As(err, &ae) && ae.Code == 400 && ae.Method == "getFile"
		}},
	} {
		got, err := f.sender.Download(ctx, tt.id, tt.limit)
		if !tt.err(err) || !bytes.Equal(got, tt.want) {
			t.Errorf("Download(%s) = %q, %v", tt.name, got, err)
		}
	}
}

// TestDownloadFailureHidesToken: the download link holds the bot's
// token, which no error shows.
func TestDownloadFailureHidesToken(t *testing.T) {
	t.Parallel()
	f := newFakeWith(t, "", bot.SenderOptions{Backoff: time.Millisecond, CallTimeout: 100 * time.Millisecond})
	f.srv.Send(telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "doc", FileName: "me.png", Data: []byte("png")}))
	f.srv.Slow(time.Second, "file")
	_, err := f.sender.Download(context.Background(), "doc", 20<<20)
	if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "/file/") {
		t.Errorf("Download(slow) = %v; want an error without the link", err)
	}
}

func TestSendDocument(t *testing.T) {
	t.Parallel()
	spent := 0
	f := newFakeWith(t, "", bot.SenderOptions{Backoff: time.Millisecond, Spend: func() { spent++ }})
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 the sheet")
	f.srv.Fail("sendDocument", 502, "", 1) // retried, with the whole file again
	id, err := f.sender.SendDocument(ctx, 42, "photo-sheet.pdf", pdf, "<b>8 copies</b> on 6-inch paper")
	if err != nil || id == 0 {
		t.Fatalf("SendDocument = %d, %v", id, err)
	}
	docs := f.srv.SentDocuments(42)
	if len(docs) != 1 || docs[0].FileName != "photo-sheet.pdf" || !bytes.Equal(docs[0].Data, pdf) {
		t.Fatalf("sent documents %+v; want the sheet", docs)
	}
	msgs := f.srv.Messages(42)
	if last := msgs[len(msgs)-1]; last.ID != id || last.Caption != "8 copies on 6-inch paper" || last.Document.MIMEType != "application/pdf" {
		t.Errorf("the chat's last message %+v; want the document %d with its caption", last, id)
	}
	if spent != 2 {
		t.Errorf("Spend called %d times; want 2, once per attempt", spent)
	}
	if _, err := f.sender.SendDocument(ctx, 42, "print.jpg", []byte("jpeg"), ""); err != nil {
		t.Errorf("SendDocument without caption = %v", err)
	}
	f.srv.Fail("sendDocument", 403, "", 1)
	if _, err := f.sender.SendDocument(ctx, 42, "print.jpg", []byte("jpeg"), ""); !errors.Is(err, bot.ErrBlocked) {
		t.Errorf("SendDocument to a blocked chat = %v; want ErrBlocked", err)
	}
}

// TestDownloadRetries: a download that fails for a while (a 5xx, the
// network) is tried again, as sends are; one Telegram refuses is not.
func TestDownloadRetries(t *testing.T) {
	t.Parallel()
	doc := []byte("\x89PNG every byte")
	for _, tt := range []struct {
		name      string
		code      int // of the failed downloads
		failures  int
		wantErr   bool
		downloads int // attempts made
	}{
		{"one 502", 502, 1, false, 2},
		{"three 503s", 503, 3, false, 4},
		{"more 5xx than attempts", 500, 4, true, 4},
		{"404 is not retried", 404, 1, true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeWith(t, "", bot.SenderOptions{Backoff: time.Millisecond, Attempts: 4})
			f.srv.Send(telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "doc", FileName: "me.png", Data: doc}))
			f.srv.FailDownloads(tt.code, tt.failures)
			got, err := f.sender.Download(context.Background(), "doc", 20<<20)
			if tt.wantErr != (err != nil) || (err == nil && !bytes.Equal(got, doc)) {
				t.Errorf("Download = %q, %v; want error %v", got, err, tt.wantErr)
			}
			// The fake records only the downloads it served, after
			// the failures.
			served := len(f.srv.Downloads())
			if attempts := served + min(tt.failures, tt.downloads); attempts != tt.downloads {
				t.Errorf("download attempts = %d; want %d", attempts, tt.downloads)
			}
			if err != nil && (strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "/file/")) {
				t.Errorf("Download error %v shows the link", err)
			}
			if n := f.apiErrors(t)["download "+strconv.Itoa(tt.code)]; int(n) != min(tt.failures, tt.downloads) {
				t.Errorf("examdesk_botapi_errors_total{download,%d} = %v; want %d", tt.code, n, min(tt.failures, tt.downloads))
			}
		})
	}
}

// TestTransportFiles: the transport's downloads and files speak the
// pipeline's errors, with one call each (serve's sender for the pipeline
// makes one attempt: the pipeline retries, later, not the transport).
func TestTransportFiles(t *testing.T) {
	t.Parallel()
	f := newFakeWith(t, "", bot.SenderOptions{Attempts: 1, Second: time.Millisecond})
	tr := bot.NewTransport(f.sender, stubMessages, bot.TransportOptions{})
	ctx := context.Background()
	f.srv.Send(telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "doc", FileName: "me.jpg", Data: []byte("jpeg")}))
	if _, err := tr.Download(ctx, "doc", 3); !errors.Is(err, conversation.ErrTooLarge) {
		t.Errorf("Download(over the limit) = %v; want ErrTooLarge", err)
	}
	if data, err := tr.Download(ctx, "doc", 20<<20); err != nil || string(data) != "jpeg" {
		t.Errorf("Download = %q, %v; want the file", data, err)
	}
	file := conversation.File{Name: "photo.jpg", Data: []byte("print"), Caption: "<b>Print</b> at actual size"}
	if err := tr.SendFile(ctx, 42, file); err != nil {
		t.Fatalf("SendFile = %v", err)
	}
	if docs := f.srv.SentDocuments(42); len(docs) != 1 || docs[0].FileName != "photo.jpg" || string(docs[0].Data) != "print" {
		t.Errorf("sent documents %+v; want the print", docs)
	}
	// A failure of each kind, as the pipeline tells them: for good,
	// for now (429: a *RetryAfterError), transient (neither).
	kind := func(err error) string {
		var later *conversation.RetryAfterError
		switch {
		case err == nil:
			return "ok"
		case errors.Is(err, conversation.ErrBlocked):
			return "blocked"
		case errors.Is(err, conversation.ErrRejected):
			return "rejected"
		case errors.As(err, &later):
			return "retry after " + later.After.String()
		}
		return "transient"
	}
	for _, tt := range []struct {
		method string
		code   int
		retry  int
		want   string
	}{
		{"sendDocument", 403, 0, "blocked"},
		{"sendDocument", 400, 0, "rejected"},
		{"sendDocument", 429, 7, "retry after 7ms"},
		{"sendDocument", 502, 0, "transient"},
		{"getFile", 400, 0, "rejected"},
		{"getFile", 429, 3, "retry after 3ms"},
		{"getFile", 500, 0, "transient"},
	} {
		f.srv.Fail(tt.method, tt.code, "", 1, telegramtest.RetryAfter(tt.retry))
		calls := len(f.srv.CallsTo(tt.method))
		var err error
		if tt.method == "getFile" {
			_, err = tr.Download(ctx, "doc", 20<<20)
		} else {
			err = tr.SendFile(ctx, 42, file)
		}
		if got := kind(err); got != tt.want {
			t.Errorf("%s after a %d: %s (%v); want %s", tt.method, tt.code, got, err, tt.want)
		}
		if n := len(f.srv.CallsTo(tt.method)) - calls; n != 1 {
			t.Errorf("%s after a %d: %d calls; want 1", tt.method, tt.code, n)
		}
	}
	f.srv.FailDownloads(503, 1)
	if _, err := tr.Download(ctx, "doc", 20<<20); kind(err) != "transient" {
		t.Errorf("Download after a 503 of the file = %v; want a transient error", err)
	}
}
