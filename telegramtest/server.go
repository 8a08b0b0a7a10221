// Package telegramtest is a fake Telegram Bot API server for tests. It
// answers the methods a dialog bot calls (getUpdates and webhooks, getMe,
// setMyCommands, setChatMenuButton, sendMessage, editMessageText,
// answerCallbackQuery, deleteMessage, getFile and the file downloads,
// sendDocument) the way api.telegram.org does, down to the error texts;
// queues updates built with Message, Callback, Photo and File; records
// every call, uploaded files included, for assertions; and fails or slows
// calls on request.
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake Bot API server for one bot. It is safe for concurrent use.
type Server struct {
	token  string
	me     User
	ts     *httptest.Server
	client *http.Client
	done   chan struct{} // closed by Close

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	calls    []Call
	updates  updateState
	chats    map[int64]*chat
	queries  map[string]bool // callback query ID → answered
	queryN   int64
	commands map[string][]BotCommand
	menus    map[int64]MenuButton // by chat, 0 for the default; see menu.go
	fails    []*failure
	slow     map[string]time.Duration // by lower-case method; "" for all; "file" for downloads
	lag      map[string]time.Duration // the same, after the call is carried out
	limits   limits                   // flood limits, off unless Limit

	files     map[string]*storedFile // by file_id
	paths     map[string]*storedFile // by file_path, once getFile gave one
	fileN     int
	downloads []string // file paths, in order
	// nextConflict is when the next 409 Conflict may be answered at once,
	// and conflictPause how long after one answered at once (conflict.go).
	nextConflict  time.Time
	conflictPause time.Duration
}

// NewServer starts a fake Bot API server that accepts token as its bot's
// token. Close it when done.
func NewServer(token string) *Server {
	id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if err != nil || id <= 0 {
		id = 1
	}
	s := &Server{
		token: token,
		me: User{
			ID:        id,
			IsBot:     true,
			FirstName: "Test Bot",
			Username:  "test_bot",
		},
		client:   &http.Client{},
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
		chats:    make(map[int64]*chat),
		queries:  make(map[string]bool),
		commands: make(map[string][]BotCommand),
		slow:     make(map[string]time.Duration),
		lag:      make(map[string]time.Duration),
		files:    make(map[string]*storedFile),
		paths:    make(map[string]*storedFile),

		conflictPause: ConflictPause,
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// URL returns the server's base URL, to give the bot as its API server (what
// bot.WithServerURL takes): methods live under URL()/bot<token>/<method>.
func (s *Server) URL() string { return s.ts.URL }

// Bot returns the bot user getMe answers.
func (s *Server) Bot() User { return s.me }

// Close ends pending long polls with an empty result and shuts the server
// down, waiting for the requests in flight.
func (s *Server) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	s.ts.Close()
	s.client.CloseIdleConnections()
}

// notify wakes everyone waiting for a change. s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// params are the parameters of one call, each as a string: JSON values that
// are not strings keep their JSON text.
type params map[string]string

func (p params) has(name string) bool { return p[name] != "" }

// int returns parameter name as an integer, def when absent or malformed, as
// Telegram reads integer parameters.
func (p params) int(name string, def int64) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(p[name]), 10, 64)
	if err != nil {
		return def
	}
	return v
}

// bool reads parameter name as Telegram does.
func (p params) bool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(p[name])) {
	case "true", "yes", "1":
		return true
	}
	return false
}

// reply is a method's answer.
type reply struct {
	result      any    // the result when err is nil
	description string // optional description of a success
	err         *apiError
	canceled    bool // the client went away; nothing is written
	delivered   bool // the call was carried out, whatever the answer
}

// apiError is an unsuccessful answer.
type apiError struct {
	code        int
	description string
	retryAfter  int
	migrateTo   int64
}

func ok(result any) reply { return reply{result: result} }

func fail(code int, description string) reply {
	return reply{err: &apiError{code: code, description: description}}
}

func badRequest(description string) reply {
	return fail(http.StatusBadRequest, "Bad Request: "+description)
}

type handler func(s *Server, ctx context.Context, p params) reply

// route returns the canonical name and handler of a method, whose name
// Telegram matches case-insensitively, or ok false for an unknown method.
func route(method string) (string, handler, bool) {
	switch strings.ToLower(method) {
	case "getupdates":
		return "getUpdates", (*Server).getUpdates, true
	case "setwebhook":
		return "setWebhook", (*Server).setWebhook, true
	case "deletewebhook":
		return "deleteWebhook", (*Server).deleteWebhook, true
	case "getwebhookinfo":
		return "getWebhookInfo", (*Server).getWebhookInfo, true
	case "getme":
		return "getMe", (*Server).getMe, true
	case "setmycommands":
		return "setMyCommands", (*Server).setMyCommands, true
	case "setchatmenubutton":
		return "setChatMenuButton", (*Server).setChatMenuButton, true
	case "getchatmenubutton":
		return "getChatMenuButton", (*Server).getChatMenuButton, true
	case "sendmessage":
		return "sendMessage", (*Server).sendMessage, true
	case "editmessagetext":
		return "editMessageText", (*Server).editMessageText, true
	case "answercallbackquery":
		return "answerCallbackQuery", (*Server).answerCallbackQuery, true
	case "deletemessage":
		return "deleteMessage", (*Server).deleteMessage, true
	case "getfile":
		return "getFile", (*Server).getFile, true
	case "senddocument":
		return "sendDocument", (*Server).sendDocument, true
	}
	return method, nil, false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, r, rest)
		return
	}
	call := Call{Time: time.Now()}
	rep := s.answer(r, &call)
	call.Delivered = rep.delivered
	if rep.canceled {
		call.Description = "canceled by the client"
		s.record(call)
		return
	}

	body := map[string]any{"ok": rep.err == nil}
	status := http.StatusOK
	if rep.err != nil {
		status = rep.err.code
		body["error_code"] = rep.err.code
		body["description"] = rep.err.description
		if rep.err.retryAfter > 0 || rep.err.migrateTo != 0 {
			par := map[string]any{}
			if rep.err.retryAfter > 0 {
				par["retry_after"] = rep.err.retryAfter
			}
			if rep.err.migrateTo != 0 {
				par["migrate_to_chat_id"] = rep.err.migrateTo
			}
			body["parameters"] = par
		}
	} else {
		body["result"] = rep.result
		if rep.description != "" {
			body["description"] = rep.description
		}
	}
	out, err := json.Marshal(body)
	if err != nil {
		status, out = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	call.Status = status
	if rep.err != nil {
		call.Description = rep.err.description
	} else {
		call.Description = rep.description
		call.Result = json.RawMessage(mustJSON(rep.result))
	}
	s.record(call)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(out)
}

// answer works out the reply to r, filling in call as it learns it.
func (s *Server) answer(r *http.Request, call *Call) reply {
	path := strings.TrimPrefix(r.URL.Path, "/")
	rest, isBot := strings.CutPrefix(path, "bot")
	token, method, found := strings.Cut(rest, "/")
	call.Method = method
	p, uploads, perr := readParams(r)
	call.Params = p
	call.Files = uploads
	if raw := p["reply_markup"]; raw != "" {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil {
			call.ReplyMarkup = m
		}
	}
	if !isBot || !found || method == "" || strings.Contains(method, "/") {
		return fail(http.StatusNotFound, "Not Found")
	}
	if token != s.token {
		return fail(http.StatusUnauthorized, "Unauthorized")
	}
	name, h, known := route(method)
	call.Method = name
	if !known {
		return fail(http.StatusNotFound, "Not Found")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return fail(http.StatusNotFound, "Not Found")
	}
	if perr != nil {
		return badRequest(perr.Error())
	}

	ctx := r.Context()
	if len(uploads) > 0 {
		ctx = context.WithValue(ctx, uploadsKey{}, uploads)
	}
	if err := s.wait(ctx, s.slow, name); err != nil {
		return reply{canceled: true}
	}
	f, delivered := s.takeFailure(name, p)
	if f != nil && !delivered {
		return reply{err: f}
	}
	if f := s.limits.take(name, p, time.Now()); f != nil {
		return reply{err: f}
	}
	rep := h(s, ctx, p)
	rep.delivered = rep.err == nil && !rep.canceled
	if rep.delivered && f != nil {
		rep = reply{err: f, delivered: true}
	}
	if err := s.wait(ctx, s.lag, name); err != nil {
		rep.canceled = true
	}
	return rep
}

// readParams merges the query string with a body in any of the encodings
// Telegram accepts: multipart/form-data, x-www-form-urlencoded or JSON. A
// file uploaded in a multipart body is a parameter holding its file name,
// and an upload, by form field.
func readParams(r *http.Request) (params, map[string]Upload, error) {
	p, uploads, err := readBody(r)
	if len(uploads) == 0 {
		uploads = nil
	}
	return p, uploads, err
}

func readBody(r *http.Request) (params, map[string]Upload, error) {
	p := params{}
	uploads := map[string]Upload{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return p, uploads, fmt.Errorf("can't read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, uploads, nil
	}
	mediaType, mparams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mparams["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return p, uploads, nil
			}
			if err != nil {
				return p, uploads, fmt.Errorf("can't parse multipart/form-data body")
			}
			v, err := io.ReadAll(part)
			if err != nil {
				return p, uploads, fmt.Errorf("can't parse multipart/form-data body")
			}
			if part.FileName() != "" {
				// An uploaded file: the parameter is its name, the
				// bytes are an upload.
				uploads[part.FormName()] = Upload{Field: part.FormName(), FileName: part.FileName(), Data: v}
				v = []byte(part.FileName())
			}
			p[part.FormName()] = string(v)
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return p, uploads, fmt.Errorf("can't parse x-www-form-urlencoded body")
		}
		for k, v := range q {
			p[k] = v[0]
		}
	case "application/json":
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return p, uploads, fmt.Errorf("can't parse JSON object")
		}
		for k, raw := range fields {
			switch {
			case bytes.Equal(raw, []byte("null")):
			case raw[0] == '"':
				var v string
				json.Unmarshal(raw, &v)
				p[k] = v
			default:
				var buf bytes.Buffer
				json.Compact(&buf, raw)
				p[k] = buf.String()
			}
		}
	}
	return p, uploads, nil
}

func mustJSON(v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: marshal %T: %v", v, err))
	}
	return out
}

// failure is an injected failure that still has calls to fail.
type failure struct {
	method     string // canonical name; "" for every method
	chatID     int64  // 0 for every chat
	times      int    // calls left to fail; negative for no limit
	code       int
	desc       string
	retryAfter int
	migrateTo  int64
	delivered  bool // carried out before failing
}

// FailOption refines a failure injected with Server.Fail.
type FailOption func(*failure)

// ForChat limits a failure to calls whose chat_id is chatID.
func ForChat(chatID int64) FailOption {
	return func(f *failure) { f.chatID = chatID }
}

// RetryAfter sets parameters.retry_after of a failure, in seconds, as
// Telegram sets it on 429 Too Many Requests.
func RetryAfter(seconds int) FailOption {
	return func(f *failure) { f.retryAfter = seconds }
}

// Delivered makes a failure come after the call was carried out, as
// Telegram's 5xx sometimes does: the message is in the chat (and among
// the calls Delivered), but the bot is told the call failed.
func Delivered() FailOption {
	return func(f *failure) { f.delivered = true }
}

// MigrateTo sets parameters.migrate_to_chat_id of a failure, as Telegram
// sets it when a group became a supergroup.
func MigrateTo(chatID int64) FailOption {
	return func(f *failure) { f.migrateTo = chatID }
}

// Fail makes the next times calls of method (matched case-insensitively; ""
// matches every method) fail with error code and description, instead of
// being carried out; times <= 0 fails them until ClearFailures. An empty
// description gets Telegram's usual one for the code: "Too Many Requests:
// retry after N" (with retry_after N, 1 unless RetryAfter says), "Forbidden:
// bot was blocked by the user", "Bad Request: chat not found"... Failures
// added first are used first.
func (s *Server) Fail(method string, code int, description string, times int, opts ...FailOption) {
	f := &failure{times: times, code: code, desc: description}
	if method != "" {
		f.method, _, _ = route(method)
	}
	if times <= 0 {
		f.times = -1
	}
	for _, o := range opts {
		o(f)
	}
	if code == http.StatusTooManyRequests && f.retryAfter == 0 {
		f.retryAfter = 1
	}
	if f.desc == "" {
		f.desc = defaultDescription(code, f.retryAfter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, f)
}

// ClearFailures drops every failure injected with Fail.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = nil
}

func defaultDescription(code, retryAfter int) string {
	switch code {
	case http.StatusBadRequest:
		return "Bad Request: chat not found"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	case http.StatusNotFound:
		return "Not Found"
	case http.StatusConflict:
		return pollConflict
	case http.StatusTooManyRequests:
		return "Too Many Requests: retry after " + strconv.Itoa(retryAfter)
	}
	return "Internal Server Error"
}

// takeFailure returns the error of the first failure matching a call,
// using it up, and whether it comes after the call is carried out; or nil.
func (s *Server) takeFailure(method string, p params) (*apiError, bool) {
	chatID := p.int("chat_id", 0)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.fails {
		if (f.method != "" && f.method != method) || (f.chatID != 0 && f.chatID != chatID) {
			continue
		}
		if f.times > 0 {
			f.times--
			if f.times == 0 {
				s.fails = append(s.fails[:i:i], s.fails[i+1:]...)
			}
		}
		return &apiError{code: f.code, description: f.desc, retryAfter: f.retryAfter, migrateTo: f.migrateTo}, f.delivered
	}
	return nil, false
}

// Slow delays every answer to methods (every method, if none is given) by
// d, the way a slow network would; d = 0 removes the delay. A call whose
// client gives up while delayed is not carried out.
func (s *Server) Slow(d time.Duration, methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(methods) == 0 {
		methods = []string{""}
	}
	for _, m := range methods {
		s.slow[strings.ToLower(m)] = d
	}
}

// SlowAnswers delays every answer to methods (every method, if none is
// given) by d after the call is carried out, the way a slow network
// would; d = 0 removes the delay. A client that gives up while the answer
// is delayed never learns that its call was carried out (the call is
// Delivered, with Status 0).
func (s *Server) SlowAnswers(d time.Duration, methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(methods) == 0 {
		methods = []string{""}
	}
	for _, m := range methods {
		s.lag[strings.ToLower(m)] = d
	}
}

// wait waits out the latency set in delays (s.slow or s.lag) for method.
func (s *Server) wait(ctx context.Context, delays map[string]time.Duration, method string) error {
	s.mu.Lock()
	d, ok := delays[strings.ToLower(method)]
	if !ok {
		d = delays[""]
	}
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return nil
	}
}
