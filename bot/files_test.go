package bot_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"examdesk/bot"
	"examdesk/telegramtest"
)

// TestDownload fetches what a user sent as Telegram delivers it: the
// largest size of a photo, a file, through getFile and the download.
func TestDownload(t *testing.T) {
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
	f := newFakeWith(t, "", bot.SenderOptions{Backoff: time.Millisecond, CallTimeout: 100 * time.Millisecond})
	f.srv.Send(telegramtest.File(42, 42, "en", telegramtest.Document{FileID: "doc", FileName: "me.png", Data: []byte("png")}))
	f.srv.Slow(time.Second, "file")
	_, err := f.sender.Download(context.Background(), "doc", 20<<20)
	if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "/file/") {
		t.Errorf("Download(slow) = %v; want an error without the link", err)
	}
}

func TestSendDocument(t *testing.T) {
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
