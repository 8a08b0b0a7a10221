package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// get downloads path from s, returning the status and body.
func get(t *testing.T, ctx context.Context, s *Server, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// TestPhotoAndFile sends a photo and a file from a user, then fetches
// them as a bot does: getUpdates, getFile, the download.
func TestPhotoAndFile(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	small, large := []byte("small JPEG"), []byte("large JPEG, all of it")
	s.Send(Photo(42, 7, "zh-hant", PhotoSize{Width: 90, Height: 120, Data: small}, PhotoSize{Width: 1920, Height: 2560, Data: large}))
	s.Send(File(42, 7, "zh-hant", Document{FileName: "me.PNG", Data: []byte("\x89PNG all of it")}))
	s.Send(File(42, 7, "zh-hant", Document{FileName: "huge.jpg", FileSize: MaxDownload + 1, Data: []byte("\xff\xd8")}))

	env := call(t, ctx, s, "getUpdates", map[string]any{})
	var ups []struct {
		Message struct {
			Photo    []map[string]any
			Document map[string]any
			Text     *string
		}
	}
	if err := json.Unmarshal(env.Result, &ups); err != nil || len(ups) != 3 {
		t.Fatalf("getUpdates = %s (%v); want 3 updates", env.Result, err)
	}
	if bytes.Contains(env.Result, []byte("Data")) || bytes.Contains(env.Result, []byte(`"text"`)) {
		t.Errorf("updates %s carry the file bytes or a text", env.Result)
	}
	photo := ups[0].Message.Photo
	if len(photo) != 2 || photo[1]["width"] != 1920.0 || photo[1]["file_size"] != float64(len(large)) || photo[0]["file_id"] == photo[1]["file_id"] {
		t.Fatalf("photo sizes %v; want two, with their own file_id, the largest last", photo)
	}
	doc := ups[1].Message.Document
	if doc["file_name"] != "me.PNG" || doc["mime_type"] != "image/png" || doc["file_size"] != 14.0 {
		t.Errorf("document %v; want me.PNG, image/png, 14 bytes", doc)
	}

	for _, f := range []struct {
		id   any
		want []byte
	}{{photo[1]["file_id"], large}, {photo[0]["file_id"], small}, {doc["file_id"], []byte("\x89PNG all of it")}} {
		env := call(t, ctx, s, "getFile", map[string]any{"file_id": f.id})
		var file struct {
			FileID   string `json:"file_id"`
			FileSize int64  `json:"file_size"`
			FilePath string `json:"file_path"`
		}
		if err := json.Unmarshal(env.Result, &file); err != nil || !env.OK || file.FilePath == "" || file.FileID != f.id {
			t.Fatalf("getFile(%v) = %s %s", f.id, env.Result, env.Description)
		}
		if status, body := get(t, ctx, s, "/file/bot"+token+"/"+file.FilePath); status != 200 || !bytes.Equal(body, f.want) {
			t.Errorf("download %s = %d %q; want 200 %q", file.FilePath, status, body, f.want)
		}
		if status, _ := get(t, ctx, s, "/file/bot1:other/"+file.FilePath); status != 404 {
			t.Errorf("download %s with another token = %d; want 404", file.FilePath, status)
		}
	}
	if got := s.Downloads(); len(got) != 3 || !strings.HasPrefix(got[0], "photos/") || !strings.HasPrefix(got[2], "documents/") {
		t.Errorf("Downloads() = %v; want the three paths", got)
	}

	huge := ups[2].Message.Document
	if env := call(t, ctx, s, "getFile", map[string]any{"file_id": huge["file_id"]}); env.OK || env.Description != "Bad Request: file is too big" {
		t.Errorf("getFile(over 20 MB) = %+v; want file is too big", env)
	}
	if env := call(t, ctx, s, "getFile", map[string]any{"file_id": "nope"}); env.OK || env.Description != "Bad Request: invalid file_id" {
		t.Errorf("getFile(unknown) = %+v; want invalid file_id", env)
	}
	if status, _ := get(t, ctx, s, "/file/bot"+token+"/photos/file_99.jpg"); status != 404 {
		t.Errorf("download of an unknown path = %d; want 404", status)
	}
	if msgs := s.Messages(42); len(msgs) != 3 || len(msgs[0].Photo) != 2 || msgs[1].Document == nil {
		t.Errorf("Messages(42) = %+v; want the photo and the files", msgs)
	}
}

// upload calls sendDocument with a multipart body.
func upload(t *testing.T, ctx context.Context, s *Server, fields map[string]string, fileName string, data []byte) (int, envelope) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileName != "" {
		w, _ := mw.CreateFormFile("document", fileName)
		w.Write(data)
	}
	mw.Close()
	status, env, err := do(ctx, s, "/bot"+token+"/sendDocument", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	return status, env
}

func TestSendDocument(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	pdf := []byte("%PDF-1.4 a sheet")
	status, env := upload(t, ctx, s, map[string]string{"chat_id": "42", "caption": "<b>8 copies</b> &amp; marks", "parse_mode": "HTML"}, "sheet.pdf", pdf)
	if status != 200 || !env.OK {
		t.Fatalf("sendDocument = %d %+v", status, env)
	}
	var m ChatMessage
	json.Unmarshal(env.Result, &m)
	if m.Document == nil || m.Document.FileName != "sheet.pdf" || m.Document.MIMEType != "application/pdf" || m.Document.FileSize != int64(len(pdf)) || m.Caption != "8 copies & marks" {
		t.Fatalf("sendDocument result %s", env.Result)
	}
	if len(m.CaptionEntities) != 1 || m.CaptionEntities[0].Type != "bold" {
		t.Errorf("caption entities %+v; want one bold", m.CaptionEntities)
	}
	c := s.CallsTo("sendDocument")[0]
	if up := c.Files["document"]; up.FileName != "sheet.pdf" || !bytes.Equal(up.Data, pdf) || c.Params["document"] != "sheet.pdf" {
		t.Errorf("recorded upload %+v, parameter %q", up, c.Params["document"])
	}
	if got := s.SentDocuments(42); len(got) != 1 || !bytes.Equal(got[0].Data, pdf) {
		t.Errorf("SentDocuments(42) = %+v", got)
	}
	// The uploaded file has a file_id: it can be sent again, and fetched.
	if env := call(t, ctx, s, "sendDocument", map[string]any{"chat_id": 43, "document": m.Document.FileID}); !env.OK {
		t.Errorf("sendDocument(file_id) = %+v", env)
	}
	env = call(t, ctx, s, "getFile", map[string]any{"file_id": m.Document.FileID})
	var file struct {
		FilePath string `json:"file_path"`
	}
	json.Unmarshal(env.Result, &file)
	if _, body := get(t, ctx, s, "/file/bot"+token+"/"+file.FilePath); !bytes.Equal(body, pdf) {
		t.Errorf("download of the uploaded file = %q", body)
	}

	for _, tc := range []struct {
		name     string
		fields   map[string]string
		fileName string
		data     []byte
		want     string
	}{
		{"no document", map[string]string{"chat_id": "42"}, "", nil, "Bad Request: there is no document in the request"},
		{"empty file", map[string]string{"chat_id": "42"}, "x.jpg", nil, "Bad Request: file must be non-empty"},
		{"unknown file_id", map[string]string{"chat_id": "42", "document": "AgADnope"}, "", nil, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"no chat", map[string]string{}, "x.jpg", []byte("x"), "Bad Request: chat_id is empty"},
		{"caption too long", map[string]string{"chat_id": "42", "caption": strings.Repeat("é", 1025)}, "x.jpg", []byte("x"), "Bad Request: message caption is too long"},
		{"bad caption markup", map[string]string{"chat_id": "42", "caption": "<b>open", "parse_mode": "HTML"}, "x.jpg", []byte("x"), "Bad Request: can't parse entities"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, env := upload(t, ctx, s, tc.fields, tc.fileName, tc.data)
			if env.OK || !strings.HasPrefix(env.Description, tc.want) {
				t.Errorf("sendDocument = %+v; want %q", env, tc.want)
			}
		})
	}
	if got := s.SentDocuments(42); len(got) != 1 {
		t.Errorf("SentDocuments(42) = %d after failed calls; want 1", len(got))
	}
}
