package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/prometheus/client_golang/prometheus"

	"examdesk/bot"
	"examdesk/telegramtest"
)

const token = "123456:test-token"

// fake is a Sender talking to a fake Bot API.
type fake struct {
	srv    *telegramtest.Server
	api    *tgbot.Bot
	sender *bot.Sender
	reg    *prometheus.Registry
	logs   *syncBuffer
}

func newFake(t *testing.T) *fake {
	return newFakeWith(t, "", bot.SenderOptions{Backoff: time.Millisecond})
}

// newFakeWith starts a fake Bot API and a Sender with opts calling it, at
// serverURL when not empty (a proxy in front of the fake).
func newFakeWith(t *testing.T, serverURL string, opts bot.SenderOptions) *fake {
	t.Helper()
	f := &fake{srv: telegramtest.NewServer(token), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	t.Cleanup(f.srv.Close)
	if serverURL == "" {
		serverURL = f.srv.URL()
	}
	api, err := tgbot.New(token, tgbot.WithServerURL(serverURL), tgbot.WithSkipGetMe(), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatalf("bot.New = %v", err)
	}
	f.api = api
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.sender = bot.NewSender(api, stubMessages, log, bot.NewMetrics(f.reg, nil), opts)
	return f
}

// apiErrors returns examdesk_botapi_errors_total by method and code
// ("sendMessage 429").
func (f *fake) apiErrors(t *testing.T) map[string]float64 {
	t.Helper()
	families, err := f.reg.Gather()
	if err != nil {
		t.Fatalf("Gather = %v", err)
	}
	out := map[string]float64{}
	for _, mf := range families {
		if mf.GetName() != "examdesk_botapi_errors_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out[labels["method"]+" "+labels["code"]] = m.GetCounter().GetValue()
		}
	}
	return out
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSendMarkup(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	o := bot.Outgoing{Text: "<b>Pick</b> one", Keyboard: [][]bot.Button{
		{{Text: "Yes", Data: "3|a:yes"}, {Text: "No", Data: "3|a:no"}},
		{{Text: "Later & never", Data: "3|c:cancel"}},
	}}
	if err := f.sender.Send(context.Background(), 42, o); err != nil {
		t.Fatalf("Send = %v", err)
	}
	calls := f.srv.CallsTo("sendMessage")
	if len(calls) != 1 {
		t.Fatalf("sendMessage calls = %v; want 1", calls)
	}
	c := calls[0]
	for name, want := range map[string]string{
		"chat_id":              "42",
		"text":                 "<b>Pick</b> one",
		"parse_mode":           "HTML",
		"link_preview_options": `{"is_disabled":true}`,
	} {
		if got := c.Params[name]; got != want {
			t.Errorf("sendMessage %s = %q; want %q", name, got, want)
		}
	}
	if raw := c.Params["reply_markup"]; strings.Contains(raw, "copy_text") {
		t.Errorf("reply_markup = %s; want no copy_text", raw)
	}
	want := [][]telegramtest.Button{
		{{Text: "Yes", CallbackData: "3|a:yes"}, {Text: "No", CallbackData: "3|a:no"}},
		{{Text: "Later & never", CallbackData: "3|c:cancel"}},
	}
	if got := c.Buttons(); !reflect.DeepEqual(got, want) {
		t.Errorf("buttons = %+v; want %+v", got, want)
	}

	// Without a keyboard, no reply_markup at all.
	if err := f.sender.Send(context.Background(), 42, bot.Outgoing{Text: "plain"}); err != nil {
		t.Fatalf("Send = %v", err)
	}
	if c := f.srv.CallsTo("sendMessage")[1]; c.Params["reply_markup"] != "" {
		t.Errorf("reply_markup = %q; want none", c.Params["reply_markup"])
	}
}

// TestSendTooMany checks that a 429 on a reply is told to TooMany with its
// retry_after, before the sender waits it out.
func TestSendTooMany(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	var mu sync.Mutex
	f := newFakeWith(t, "", bot.SenderOptions{TooMany: func(_ context.Context, d time.Duration) {
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
	}})
	f.srv.Fail("sendMessage", 429, "", 1, telegramtest.RetryAfter(1))
	if err := f.sender.Send(context.Background(), 42, bot.Outgoing{Text: "hi"}); err != nil {
		t.Fatalf("Send = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []time.Duration{time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("TooMany told %v; want %v", got, want)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fail    func(s *telegramtest.Server)
		opts    bot.SenderOptions
		timeout time.Duration // of the context; 0 for none
		check   func(err error) string
		calls   int
		waited  time.Duration // at least
		metrics map[string]float64
	}{
		// Telegram's seconds of retry_after counted in 50 ms.
		{
			name:    "429 waited out",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 429, "", 1, telegramtest.RetryAfter(2)) },
			opts:    bot.SenderOptions{Second: 50 * time.Millisecond},
			check:   noError,
			calls:   2,
			waited:  100 * time.Millisecond,
			metrics: map[string]float64{"sendMessage 429": 1},
		},
		{
			name:    "429 every time",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 429, "", 0, telegramtest.RetryAfter(2)) },
			opts:    bot.SenderOptions{Attempts: 2, Second: 50 * time.Millisecond},
			check:   apiError(429, "Too Many Requests: retry after 2"),
			calls:   2,
			waited:  100 * time.Millisecond,
			metrics: map[string]float64{"sendMessage 429": 2},
		},
		{
			name:    "429 longer than MaxRetryAfter",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 429, "", 1, telegramtest.RetryAfter(30)) },
			opts:    bot.SenderOptions{MaxRetryAfter: 10 * time.Second},
			check:   apiError(429, "Too Many Requests: retry after 30"),
			calls:   1,
			metrics: map[string]float64{"sendMessage 429": 1},
		},
		{
			name:    "429 past the deadline",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 429, "", 1, telegramtest.RetryAfter(5)) },
			timeout: time.Second,
			check:   apiError(429, "Too Many Requests: retry after 5"),
			calls:   1,
			metrics: map[string]float64{"sendMessage 429": 1},
		},
		{
			name: "403 blocked",
			fail: func(s *telegramtest.Server) { s.Fail("sendMessage", 403, "", 1) },
			check: func(err error) string {
				if !errors.Is(err, bot.ErrBlocked) {
					return "not ErrBlocked"
				}
				return apiError(403, "Forbidden: bot was blocked by the user")(err)
			},
			calls:   1,
			metrics: map[string]float64{"sendMessage 403": 1},
		},
		{
			name: "400 bad request",
			fail: func(s *telegramtest.Server) { s.Fail("sendMessage", 400, "", 1) },
			check: func(err error) string {
				if errors.Is(err, bot.ErrBlocked) {
					return "ErrBlocked"
				}
				if !errors.Is(err, tgbot.ErrorBadRequest) {
					return "not bot.ErrorBadRequest"
				}
				return apiError(400, "Bad Request: chat not found")(err)
			},
			calls:   1,
			metrics: map[string]float64{"sendMessage 400": 1},
		},
		{
			name:    "400 group upgraded",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 400, "", 1, telegramtest.MigrateTo(-1001234)) },
			check:   apiError(400, "Bad Request: chat not found"),
			calls:   1,
			metrics: map[string]float64{"sendMessage 400": 1},
		},
		{
			name:    "401 wrong token",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 401, "", 1) },
			check:   apiError(401, "Unauthorized"),
			calls:   1,
			metrics: map[string]float64{"sendMessage 401": 1},
		},
		{
			name:    "500 retried",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 500, "", 1) },
			check:   noError,
			calls:   2,
			metrics: map[string]float64{"sendMessage 500": 1},
		},
		{
			name:    "502 every time",
			fail:    func(s *telegramtest.Server) { s.Fail("sendMessage", 502, "Bad Gateway", 0) },
			opts:    bot.SenderOptions{Attempts: 3},
			check:   apiError(502, "Bad Gateway"),
			calls:   3,
			metrics: map[string]float64{"sendMessage 502": 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.opts.Backoff == 0 {
				tt.opts.Backoff = time.Millisecond
			}
			f := newFakeWith(t, "", tt.opts)
			tt.fail(f.srv)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			err := f.sender.Send(ctx, 42, bot.Outgoing{Text: "secret text"})
			took := time.Since(start)
			if problem := tt.check(err); problem != "" {
				t.Errorf("Send = %v: %s", err, problem)
			}
			if n := len(f.srv.CallsTo("sendMessage")); n != tt.calls {
				t.Errorf("Send made %d calls; want %d", n, tt.calls)
			}
			if took < tt.waited {
				t.Errorf("Send took %v; want at least %v", took, tt.waited)
			}
			if got := f.apiErrors(t); !reflect.DeepEqual(got, tt.metrics) {
				t.Errorf("examdesk_botapi_errors_total = %v; want %v", got, tt.metrics)
			}
			if logs := f.logs.String(); strings.Contains(logs, "secret text") {
				t.Errorf("logs show the message text: %s", logs)
			}
		})
	}
}

func noError(err error) string {
	if err != nil {
		return "want no error"
	}
	return ""
}

// apiError checks that an error is an *APIError of sendMessage with code
// and description.
func apiError(code int, description string) func(error) string {
	return func(err error) string {
		var e *bot.APIError
		if !errors.As(err, &e) {
			return "not an *APIError"
		}
		if e.Method != "sendMessage" || e.Code != code || e.Description != description {
			return fmt.Sprintf("got %+v; want sendMessage %d %q", *e, code, description)
		}
		return ""
	}
}

func TestSendLogsRefusal(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.srv.Fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3", 1)
	err := f.sender.Send(context.Background(), 42, bot.Outgoing{Text: "secret <x>"})
	if err == nil {
		t.Fatal("Send = nil; want an error")
	}
	logs := f.logs.String()
	for _, want := range []string{"method=sendMessage", "code=400", "can't parse entities"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs = %q; want %q in them", logs, want)
		}
	}
	if strings.Contains(logs, "secret") {
		t.Errorf("logs = %q; want no message text", logs)
	}
}

// TestSendCanceledWhileWaiting cancels the context while the sender waits
// out a 429: it stops waiting, and does not call again (the 429 was the
// only failure: a call would succeed).
func TestSendCanceledWhileWaiting(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeWith(t, "", bot.SenderOptions{TooMany: func(context.Context, time.Duration) { cancel() }})
	f.srv.Fail("sendMessage", 429, "", 1, telegramtest.RetryAfter(5))
	err := f.sender.Send(ctx, 42, bot.Outgoing{Text: "hello"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %v; want context.Canceled", err)
	}
	if n := len(f.srv.CallsTo("sendMessage")); n != 1 {
		t.Errorf("Send made %d calls; want the one answered 429", n)
	}
}

// flaky is a proxy in front of the fake Bot API that drops the connection
// of the first drops requests, as a failing network would.
func flaky(t *testing.T, target string, drops int32) (string, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= drops {
			io.Copy(io.Discard, r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, &n
}

func TestSendNetworkErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		drops    int32
		attempts int
		ok       bool
		requests int32
	}{
		{"recovers", 2, 4, true, 3},
		{"gives up", 100, 3, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := telegramtest.NewServer(token)
			t.Cleanup(srv.Close)
			front, requests := flaky(t, srv.URL(), tt.drops)
			f := newFakeWith(t, front, bot.SenderOptions{Attempts: tt.attempts, Backoff: time.Millisecond})
			f.srv = srv
			err := f.sender.Send(context.Background(), 42, bot.Outgoing{Text: "hello"})
			if (err == nil) != tt.ok {
				t.Fatalf("Send = %v; want ok %v", err, tt.ok)
			}
			var apiErr *bot.APIError
			var netErr net.Error
			if err != nil && (errors.As(err, &apiErr) || !errors.As(err, &netErr)) {
				t.Errorf("Send = %#v; want a network error, not an *APIError", err)
			}
			if n := requests.Load(); n != tt.requests {
				t.Errorf("Send made %d requests; want %d", n, tt.requests)
			}
			if got := f.apiErrors(t); len(got) != 0 {
				t.Errorf("examdesk_botapi_errors_total = %v; want none: Telegram answered no error", got)
			}
		})
	}
}

// countingClient is an HTTP client that counts the requests it makes.
type countingClient struct {
	n atomic.Int32
	c http.Client
}

func (c *countingClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.c.Do(r)
}

func TestSendTimeout(t *testing.T) {
	t.Parallel()
	srv := telegramtest.NewServer(token)
	t.Cleanup(srv.Close)
	srv.Slow(2*time.Second, "sendMessage")
	client := &countingClient{}
	api, err := tgbot.New(token, tgbot.WithServerURL(srv.URL()), tgbot.WithSkipGetMe(), tgbot.WithHTTPClient(time.Minute, client))
	if err != nil {
		t.Fatal(err)
	}
	opts := bot.SenderOptions{Attempts: 2, Backoff: time.Millisecond, CallTimeout: 100 * time.Millisecond}
	s := bot.NewSender(api, stubMessages, slog.New(slog.DiscardHandler), nil, opts)
	// The fake answers after 2 s: a Send that ends with a timeout did not
	// wait for it.
	err = s.Send(context.Background(), 42, bot.Outgoing{Text: "hello"})
	var apiErr *bot.APIError
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &apiErr) {
		t.Errorf("Send = %v; want a timeout", err)
	}
	if n := client.n.Load(); n != 2 {
		t.Errorf("Send made %d requests; want 2", n)
	}
}

func TestSendApology(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, want string }{
		{"en", "Sorry, something went wrong on our side & nothing was changed. Please try again in a moment."},
		{"zh-Hans", "抱歉，我们这边出了点问题，什么都没有改变。请稍后再试。"},
		{"zh-Hant", "抱歉，我們這邊出了點問題，甚麼都沒有改變。請稍後再試。"},
	}
	f := newFake(t)
	for i, tt := range tests {
		chat := int64(10 + i)
		if err := f.sender.SendApology(context.Background(), chat, tt.lang); err != nil {
			t.Fatalf("SendApology(%s) = %v", tt.lang, err)
		}
		calls := f.srv.CallsTo("sendMessage")
		c := calls[len(calls)-1]
		if c.Params["text"] != tt.want || c.Params["parse_mode"] != "" || c.ChatID() != chat {
			t.Errorf("SendApology(%d, %s) sent chat %d text %q parse_mode %q; want %q in plain text",
				chat, tt.lang, c.ChatID(), c.Params["text"], c.Params["parse_mode"], tt.want)
		}
	}
}

// TestAnswerCallback presses a button, reads the update as the bot would,
// and answers it.
func TestAnswerCallback(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.srv.Send(telegramtest.Callback(42, 42, "en", "1|a:yes", 1))
	u := getUpdate(t, f.srv)
	_, in, id, ok := bot.InputOf(&u)
	if !ok || id == "" || in.Pick == nil {
		t.Fatalf("InputOf(%+v) = %+v, %q, %v; want a pick and a query id", u, in, id, ok)
	}
	long := strings.Repeat("電", 250)
	if err := f.sender.AnswerCallback(context.Background(), id, long); err != nil {
		t.Fatalf("AnswerCallback = %v", err)
	}
	calls := f.srv.CallsTo("answerCallbackQuery")
	if got := calls[0].Params["text"]; got != strings.Repeat("電", bot.MaxNoticeLength) {
		t.Errorf("answerCallbackQuery text = %d characters; want it cut to %d", len([]rune(got)), bot.MaxNoticeLength)
	}

	// Answered twice: Telegram says the query is too old.
	err := f.sender.AnswerCallback(context.Background(), id, "")
	var apiErr *bot.APIError
	if !errors.As(err, &apiErr) || apiErr.Method != "answerCallbackQuery" || apiErr.Code != 400 {
		t.Errorf("AnswerCallback again = %v; want a 400 *APIError", err)
	}
}

// getUpdate fetches the next update from the fake with getUpdates, and
// decodes it as go-telegram/bot does.
func getUpdate(t *testing.T, s *telegramtest.Server) models.Update {
	t.Helper()
	resp, err := http.Post(s.URL()+"/bot"+token+"/getUpdates", "application/json", strings.NewReader(`{"timeout":0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Result []models.Update `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Result) == 0 {
		t.Fatalf("getUpdates = %+v, %v; want an update", r, err)
	}
	return r.Result[0]
}
