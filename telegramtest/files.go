package telegramtest

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Telegram's limits on files.
const (
	// MaxDownload is the largest file getFile lets a bot download.
	MaxDownload = 20 << 20
	// maxCaptionLength is the longest caption, in characters after its
	// markup is parsed.
	maxCaptionLength = 1024
)

// PhotoSize is one size of a photo, shaped like the Bot API's PhotoSize.
// Data is the file, which the fake keeps for getFile and the download;
// it is not part of the update.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int64  `json:"file_size,omitempty"`
	Data         []byte `json:"-"`
}

// Document is a file sent as a file, shaped like the Bot API's Document.
// Data is the file, which the fake keeps; a FileSize larger than Data
// stands for a file that large (to try getFile's limit without holding
// it), whose first bytes are Data.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MIMEType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
	Data         []byte `json:"-"`
}

// Upload is a file a bot uploaded in a multipart request.
type Upload struct {
	Field    string // the form field: "document", "photo"...
	FileName string
	Data     []byte
}

// storedFile is a file the fake knows by its file_id.
type storedFile struct {
	uniqueID string
	size     int64
	data     []byte
	path     string // set by getFile
	kind     string // "photos" or "documents", as Telegram's file paths start
}

// Photo returns an update in which user userID, whose app speaks langCode,
// sends a photo to chat chatID, as Telegram delivers one: sizes, smallest
// first (Telegram's largest is at most 2560 pixels a side, recompressed
// as JPEG). Server.Send gives each size a file_id the bot can getFile and
// download.
func Photo(chatID, userID int64, langCode string, sizes ...PhotoSize) Update {
	u := Message(chatID, userID, langCode, "")
	u.Message.Entities = nil
	u.Message.Photo = sizes
	return u
}

// File returns an update in which user userID sends the file doc to chat
// chatID: a picture sent "as a file", with every byte of it. Server.Send
// gives it a file_id, and its size and MIME type from Data and FileName
// when they are not set.
func File(chatID, userID int64, langCode string, doc Document) Update {
	u := Message(chatID, userID, langCode, "")
	u.Message.Entities = nil
	u.Message.Document = &doc
	return u
}

// storeFiles gives the photo sizes and the document of m their file_id
// and keeps their bytes. s.mu must be held.
func (s *Server) storeFiles(m *ChatMessage) {
	if len(m.Photo) > 0 {
		m.Photo = append([]PhotoSize(nil), m.Photo...)
		for i := range m.Photo {
			p := &m.Photo[i]
			p.FileID, p.FileUniqueID, p.FileSize = s.storeFile("photos", p.FileID, p.Data, p.FileSize)
		}
	}
	if m.Document != nil {
		d := *m.Document
		d.FileID, d.FileUniqueID, d.FileSize = s.storeFile("documents", d.FileID, d.Data, d.FileSize)
		if d.MIMEType == "" {
			d.MIMEType = mimeType(d.FileName)
		}
		m.Document = &d
	}
}

// storeFile keeps a file and returns its identifiers and size: id when
// given (and the file is then replaced), else a new one. s.mu must be
// held.
func (s *Server) storeFile(kind, id string, data []byte, size int64) (string, string, int64) {
	size = max(size, int64(len(data)))
	s.fileN++
	if id == "" {
		id = fmt.Sprintf("BQACAgIAAx%s-%d", kind[:1], s.fileN)
	}
	f := &storedFile{uniqueID: fmt.Sprintf("AgAD%d", s.fileN), size: size, data: data, kind: kind}
	s.files[id] = f
	return id, f.uniqueID, size
}

// mimeType guesses a file's type from its name, as Telegram does when the
// bot does not say.
func mimeType(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return t
	}
	return "application/octet-stream"
}

// getFile answers the file's path to download it from, for a file of at
// most MaxDownload bytes.
func (s *Server) getFile(_ context.Context, p params) reply {
	id := strings.TrimSpace(p["file_id"])
	if id == "" {
		return badRequest(`parameter "file_id" is required`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[id]
	if f == nil {
		return badRequest("invalid file_id")
	}
	if f.size > MaxDownload {
		return badRequest("file is too big")
	}
	if f.path == "" {
		ext := ".jpg"
		if f.kind == "documents" {
			ext = ".bin"
		}
		f.path = fmt.Sprintf("%s/file_%s%s", f.kind, strconv.Itoa(len(s.paths)), ext)
		s.paths[f.path] = f
	}
	return ok(map[string]any{"file_id": id, "file_unique_id": f.uniqueID, "file_size": f.size, "file_path": f.path})
}

// serveFile serves a download, /file/bot<token>/<file_path>, as Telegram
// does: the bytes for a path getFile gave, 404 otherwise.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	if f, _ := s.takeFailure(downloadMethod, nil); f != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.code)
		w.Write(mustJSON(map[string]any{"ok": false, "error_code": f.code, "description": f.description}))
		return
	}
	s.mu.Lock()
	f := s.paths[filePath]
	known := f != nil && token == s.token && (r.Method == http.MethodGet || r.Method == http.MethodHead)
	if known {
		s.downloads = append(s.downloads, filePath)
		s.notify()
	}
	s.mu.Unlock()
	if !known {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found"}`))
		return
	}
	if err := s.wait(r.Context(), s.slow, "file"); err != nil {
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Write(f.data)
}

// downloadMethod is what Fail and FailDownloads call a download.
const downloadMethod = "download"

// FailDownloads makes the next times downloads of files fail with HTTP
// status code, the way a network in trouble or an overloaded Telegram
// would; times <= 0 fails them until ClearFailures. Failures injected
// with Fail for every method fail downloads too.
func (s *Server) FailDownloads(code, times int) {
	f := &failure{method: downloadMethod, times: times, code: code, desc: defaultDescription(code, 0)}
	if times <= 0 {
		f.times = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, f)
}

// Downloads returns the file paths the bot downloaded, in order.
func (s *Server) Downloads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.downloads...)
}

// uploadsKey keys a request's uploaded files in its context.
type uploadsKey struct{}

// sendDocument sends a file: an upload, or a file_id the fake knows, with
// an optional caption. (Telegram's limit of 50 MB on uploads is not
// enforced: a test would have to send that much.)
func (s *Server) sendDocument(ctx context.Context, p params) reply {
	markup, errText := parseMarkup(p["reply_markup"])
	if errText != "" {
		return fail(400, errText)
	}
	id, err := chatID(p)
	if err != nil {
		return reply{err: err}
	}
	caption, ents, err := captionText(p)
	if err != nil {
		return reply{err: err}
	}
	uploads, _ := ctx.Value(uploadsKey{}).(map[string]Upload)
	up, uploaded := uploads["document"]
	s.mu.Lock()
	defer s.mu.Unlock()
	var doc Document
	switch ref := strings.TrimSpace(p["document"]); {
	case uploaded && len(up.Data) == 0:
		return badRequest("file must be non-empty")
	case uploaded:
		doc = Document{FileName: up.FileName, MIMEType: mimeType(up.FileName), Data: up.Data}
		doc.FileID, doc.FileUniqueID, doc.FileSize = s.storeFile("documents", "", up.Data, 0)
	case ref == "":
		return badRequest("there is no document in the request")
	case strings.HasPrefix(ref, "attach://"), s.files[ref] == nil:
		return badRequest("wrong file identifier/HTTP URL specified")
	default:
		f := s.files[ref]
		doc = Document{FileID: ref, FileUniqueID: f.uniqueID, FileSize: f.size, Data: f.data}
	}
	return ok(s.post(id, ChatMessage{Document: &doc, Caption: caption, CaptionEntities: ents, ReplyMarkup: markup}))
}

// captionText reads and checks the caption, parse_mode and
// caption_entities parameters, as messageText does for a text.
func captionText(p params) (string, []Entity, *apiError) {
	if p["caption"] == "" {
		return "", nil, nil
	}
	q := params{"text": p["caption"], "parse_mode": p["parse_mode"], "entities": p["caption_entities"]}
	text, ents, err := messageText(q)
	if err != nil {
		if strings.HasSuffix(err.description, "message is too long") {
			err.description = "Bad Request: message caption is too long"
		}
		return "", nil, err
	}
	if utf8.RuneCountInString(text) > maxCaptionLength {
		return "", nil, &apiError{code: 400, description: "Bad Request: message caption is too long"}
	}
	return text, ents, nil
}

// SentDocuments returns the files the bot uploaded to chatID with
// successful sendDocument calls, in order, with their bytes.
func (s *Server) SentDocuments(chatID int64) []Upload {
	var out []Upload
	for _, c := range s.CallsTo("sendDocument") {
		if c.OK() && c.ChatID() == chatID {
			if up, ok := c.Files["document"]; ok {
				out = append(out, up)
			}
		}
	}
	return out
}
