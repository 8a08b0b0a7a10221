package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const token = "123456:TEST-token"

// envelope is the body of every Bot API answer.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func newServer(t *testing.T) *Server {
	t.Helper()
	s := NewServer(token)
	t.Cleanup(s.Close)
	return s
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// do sends a request with body encoded as contentType and decodes the answer.
func do(ctx context.Context, s *Server, path, contentType string, body io.Reader) (int, envelope, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+path, body)
	if err != nil {
		return 0, envelope{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, envelope{}, err
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return resp.StatusCode, env, err
	}
	return resp.StatusCode, env, nil
}

// call calls method with params as a JSON body.
func call(t *testing.T, ctx context.Context, s *Server, method string, params map[string]any) envelope {
	t.Helper()
	status, env, err := do(ctx, s, "/bot"+token+"/"+method, "application/json", bytes.NewReader(mustJSON(params)))
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	if status != http.StatusOK && status != env.ErrorCode {
		t.Fatalf("%s: HTTP status %d, error_code %d", method, status, env.ErrorCode)
	}
	return env
}

func updateIDs(t *testing.T, env envelope) []int64 {
	t.Helper()
	if !env.OK {
		t.Fatalf("getUpdates failed: %d %s", env.ErrorCode, env.Description)
	}
	var ups []Update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatalf("getUpdates result %s: %v", env.Result, err)
	}
	ids := []int64{}
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	return ids
}

// waitPolling waits until a getUpdates call is waiting for updates.
func waitPolling(t *testing.T, ctx context.Context, s *Server) {
	t.Helper()
	for {
		s.mu.Lock()
		polling, changed := s.updates.poll != nil, s.changed
		s.mu.Unlock()
		if polling {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatal("no getUpdates call is waiting")
		}
	}
}

// poll runs getUpdates in the background; its answer comes on the channel.
func poll(ctx context.Context, s *Server, params map[string]any) <-chan envelope {
	out := make(chan envelope, 1)
	go func() {
		_, env, err := do(ctx, s, "/bot"+token+"/getUpdates", "application/json", bytes.NewReader(mustJSON(params)))
		if err != nil {
			env.Description = err.Error()
		}
		out <- env
	}()
	return out
}

func TestGetUpdatesOffset(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	for i := 0; i < 3; i++ {
		s.Send(Message(42, 42, "en", "hi"))
	}
	steps := []struct {
		name   string
		params map[string]any
		send   int // updates to send before the call
		want   []int64
	}{
		{"all pending", map[string]any{}, 0, []int64{1, 2, 3}},
		{"offset confirms earlier", map[string]any{"offset": 2}, 0, []int64{2, 3}},
		{"confirmed are forgotten", map[string]any{}, 0, []int64{2, 3}},
		{"limit", map[string]any{"limit": 1}, 0, []int64{2}},
		{"limit is at least 1", map[string]any{"limit": 0}, 0, []int64{2}},
		{"negative offset keeps the last", map[string]any{"offset": -1}, 0, []int64{3}},
		{"and forgets the rest", map[string]any{"offset": 0}, 0, []int64{3}},
		{"offset past the end", map[string]any{"offset": 4}, 0, []int64{}},
		{"new updates continue the IDs", map[string]any{"offset": 4}, 2, []int64{4, 5}},
		{"offset as a string", map[string]any{"offset": "5"}, 0, []int64{5}},
	}
	for _, st := range steps {
		for i := 0; i < st.send; i++ {
			s.Send(Message(42, 42, "en", "hi"))
		}
		if got := updateIDs(t, call(t, ctx, s, "getUpdates", st.params)); !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: getUpdates(%v) = %v; want %v", st.name, st.params, got, st.want)
		}
	}
}

func TestGetUpdatesShape(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	s.Send(Message(42, 7, "de", "/start"))
	env := call(t, ctx, s, "getUpdates", nil)
	var got []map[string]any
	if err := json.Unmarshal(env.Result, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{
		"update_id": 1.0,
		"message": map[string]any{
			"message_id": 1.0,
			"date":       got[0]["message"].(map[string]any)["date"],
			"from": map[string]any{"id": 7.0, "is_bot": false, "first_name": "User", "last_name": "7",
				"username": "user7", "language_code": "de"},
			"chat":     map[string]any{"id": 42.0, "type": "private", "first_name": "User", "username": "user42"},
			"text":     "/start",
			"entities": []any{map[string]any{"type": "bot_command", "offset": 0.0, "length": 6.0}},
		},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("getUpdates result = %s; want %s", mustJSON(got), mustJSON(want))
	}
}

func TestGetUpdatesLongPoll(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	answer := poll(ctx, s, map[string]any{"timeout": 50})
	waitPolling(t, ctx, s)
	s.Send(Message(42, 42, "en", "wake up"))
	if got, want := updateIDs(t, <-answer), []int64{1}; !reflect.DeepEqual(got, want) {
		t.Errorf("long poll = %v; want %v", got, want)
	}
}

func TestGetUpdatesTimeout(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	if got := updateIDs(t, call(t, ctx, s, "getUpdates", map[string]any{"timeout": 1})); len(got) != 0 {
		t.Errorf("getUpdates(timeout 1) = %v; want none", got)
	}
}

func TestGetUpdatesCanceled(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	pollCtx, cancel := context.WithCancel(ctx)
	answer := poll(pollCtx, s, map[string]any{"timeout": 50})
	waitPolling(t, ctx, s)
	cancel()
	<-answer
	err := s.WaitFor(ctx, func(calls []Call) bool {
		return len(calls) == 1 && calls[0].Status == 0
	})
	if err != nil {
		t.Fatalf("canceled poll not recorded as canceled: %v", err)
	}
}

func TestGetUpdatesConflict(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	first := poll(ctx, s, map[string]any{"timeout": 50})
	waitPolling(t, ctx, s)
	second := poll(ctx, s, map[string]any{"timeout": 50})
	env := <-first
	want := "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	if env.OK || env.ErrorCode != http.StatusConflict || env.Description != want {
		t.Errorf("first poll = %d %q; want 409 %q", env.ErrorCode, env.Description, want)
	}
	waitPolling(t, ctx, s)
	s.Send(Message(42, 42, "en", "hi"))
	if got := updateIDs(t, <-second); len(got) != 1 {
		t.Errorf("second poll = %v; want one update", got)
	}
}

func TestAllowedUpdates(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	call(t, ctx, s, "getUpdates", map[string]any{"allowed_updates": []string{"message"}})
	if got, want := s.AllowedUpdates(), []string{"message"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AllowedUpdates() = %v; want %v", got, want)
	}
	if id := s.Send(Callback(42, 42, "en", "x", 1)); id != 0 {
		t.Errorf("Send(callback) = %d; want 0, dropped", id)
	}
	if id := s.Send(Message(42, 42, "en", "x")); id == 0 {
		t.Error("Send(message) = 0; want it queued")
	}
	call(t, ctx, s, "getUpdates", map[string]any{"timeout": 0}) // absent: unchanged
	if got := s.AllowedUpdates(); len(got) != 1 {
		t.Errorf("AllowedUpdates() after a call without them = %v; want unchanged", got)
	}
	call(t, ctx, s, "getUpdates", map[string]any{"allowed_updates": []string{}})
	if got := s.AllowedUpdates(); got != nil {
		t.Errorf("AllowedUpdates() after [] = %v; want the default, nil", got)
	}
	if id := s.Send(Callback(42, 42, "en", "x", 1)); id == 0 {
		t.Error("Send(callback) = 0 with default allowed_updates; want it queued")
	}
}

func TestEncodings(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	var multi bytes.Buffer
	mw := multipart.NewWriter(&multi)
	mw.WriteField("chat_id", "42")
	mw.WriteField("text", "multi & part")
	mw.WriteField("reply_markup", `{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`)
	mw.Close()

	tests := []struct {
		name        string
		query       string
		contentType string
		body        string
		wantText    string
	}{
		{"json", "", "application/json",
			`{"chat_id":42,"text":"json & co","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`, "json & co"},
		{"json with charset", "", "application/json; charset=utf-8",
			`{"chat_id":"42","text":"charset","reply_markup":"{\"inline_keyboard\":[[{\"text\":\"A\",\"callback_data\":\"a\"}]]}"}`, "charset"},
		{"form", "", "application/x-www-form-urlencoded",
			"chat_id=42&text=" + url.QueryEscape("form & co") + "&reply_markup=" +
				url.QueryEscape(`{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`), "form & co"},
		{"multipart", "", mw.FormDataContentType(), multi.String(), "multi & part"},
		{"query string", "?chat_id=42&text=query&reply_markup=" +
			url.QueryEscape(`{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`), "", "", "query"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			status, env, err := do(ctx, s, "/bot"+token+"/sendMessage"+tc.query, tc.contentType, strings.NewReader(tc.body))
			if err != nil || status != http.StatusOK || !env.OK {
				t.Fatalf("sendMessage = %d %+v, %v; want success", status, env, err)
			}
			c := s.CallsTo("sendMessage")[0]
			if c.ChatID() != 42 || c.Params["text"] != tc.wantText {
				t.Errorf("recorded chat %d text %q; want 42 %q", c.ChatID(), c.Params["text"], tc.wantText)
			}
			want := [][]Button{{{Text: "A", CallbackData: "a"}}}
			if got := c.Buttons(); !reflect.DeepEqual(got, want) {
				t.Errorf("Buttons() = %+v; want %+v", got, want)
			}
			if c.ReplyMarkup == nil || c.ReplyMarkup["inline_keyboard"] == nil {
				t.Errorf("ReplyMarkup = %v; want the parsed keyboard", c.ReplyMarkup)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string
		wantMethod string
	}{
		{"wrong token", "/bot1:other/getMe", 401, `{"description":"Unauthorized","error_code":401,"ok":false}`, "getMe"},
		{"unknown method", "/bot" + token + "/sendTelegram", 404, `{"description":"Not Found","error_code":404,"ok":false}`, "sendTelegram"},
		{"not a bot path", "/getMe", 404, `{"description":"Not Found","error_code":404,"ok":false}`, ""},
		{"method names ignore case", "/bot" + token + "/GETME", 200, "", "getMe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("GET %s status = %d; want %d", tc.path, resp.StatusCode, tc.wantStatus)
			}
			if tc.wantBody != "" && string(body) != tc.wantBody {
				t.Errorf("GET %s body = %s; want %s", tc.path, body, tc.wantBody)
			}
			calls := s.Calls()
			if got := calls[len(calls)-1].Method; got != tc.wantMethod {
				t.Errorf("recorded method = %q; want %q", got, tc.wantMethod)
			}
		})
	}
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer hook.Close()

	if _, err := s.Deliver(ctx, Message(42, 42, "en", "early")); err == nil {
		t.Error("Deliver without a webhook succeeded; want an error")
	}
	env := call(t, ctx, s, "setWebhook", map[string]any{"url": hook.URL + "/tg", "secret_token": "s3cret_-X", "max_connections": 5})
	if !env.OK || env.Description != "Webhook was set" {
		t.Fatalf("setWebhook = %+v; want Webhook was set", env)
	}
	if env := call(t, ctx, s, "getUpdates", nil); env.ErrorCode != http.StatusConflict || env.Description != webhookConflict {
		t.Errorf("getUpdates with a webhook = %d %q; want 409 %q", env.ErrorCode, env.Description, webhookConflict)
	}
	s.Send(Message(42, 42, "en", "pending"))
	env = call(t, ctx, s, "getWebhookInfo", nil)
	var info map[string]any
	json.Unmarshal(env.Result, &info)
	wantInfo := map[string]any{"url": hook.URL + "/tg", "has_custom_certificate": false, "pending_update_count": 1.0, "max_connections": 5.0}
	if !reflect.DeepEqual(info, wantInfo) {
		t.Errorf("getWebhookInfo = %v; want %v", info, wantInfo)
	}

	resp, err := s.Deliver(ctx, Message(42, 42, "en", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r, body := <-got, <-bodies
	if r.URL.Path != "/tg" || r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret_-X" ||
		r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("delivered to %s with secret %q, type %q; want /tg, s3cret_-X, application/json",
			r.URL.Path, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"), r.Header.Get("Content-Type"))
	}
	var u Update
	if err := json.Unmarshal(body, &u); err != nil || u.ID != 2 || u.Message.Text != "hello" {
		t.Errorf("delivered %s; want update 2 saying hello", body)
	}

	tests := []struct {
		method string
		params map[string]any
		want   string
	}{
		{"setWebhook", map[string]any{"url": "ftp://example.com"}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
		{"setWebhook", map[string]any{"url": hook.URL, "secret_token": "not ok!"}, "Bad Request: secret token contains unallowed characters"},
		{"deleteWebhook", map[string]any{"drop_pending_updates": true}, "Webhook was deleted"},
		{"deleteWebhook", nil, "Webhook is already deleted"},
	}
	for _, tc := range tests {
		if env := call(t, ctx, s, tc.method, tc.params); env.Description != tc.want {
			t.Errorf("%s(%v) = %q; want %q", tc.method, tc.params, env.Description, tc.want)
		}
	}
	if got := updateIDs(t, call(t, ctx, s, "getUpdates", nil)); len(got) != 0 {
		t.Errorf("getUpdates after drop_pending_updates = %v; want none", got)
	}
}

func TestSendMessageValidation(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	keyboard := func(buttons ...map[string]any) map[string]any {
		row := []any{}
		for _, b := range buttons {
			row = append(row, b)
		}
		return map[string]any{"inline_keyboard": []any{row}}
	}
	tests := []struct {
		name   string
		params map[string]any
		want   string // the error description; "" for success
	}{
		{"plain", map[string]any{"text": "Version 1.0 (beta)!"}, ""},
		{"empty text", map[string]any{"text": ""}, "Bad Request: message text is empty"},
		{"no text", map[string]any{}, "Bad Request: message text is empty"},
		{"blank text", map[string]any{"text": " \n "}, "Bad Request: message text is empty"},
		{"markup only", map[string]any{"text": "<b></b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"},
		{"4096 characters", map[string]any{"text": strings.Repeat("я", 4096)}, ""},
		{"4097 characters", map[string]any{"text": strings.Repeat("a", 4097)}, "Bad Request: message is too long"},
		{"tags do not count", map[string]any{"text": "<b>" + strings.Repeat("a", 4096) + "</b>", "parse_mode": "HTML"}, ""},
		{"entities count once", map[string]any{"text": strings.Repeat("&lt;", 4096), "parse_mode": "HTML"}, ""},
		{"escapes do not count", map[string]any{"text": strings.Repeat(`\.`, 4096), "parse_mode": "MarkdownV2"}, ""},
		{"4097 after parsing", map[string]any{"text": "<i>" + strings.Repeat("a", 4097) + "</i>", "parse_mode": "HTML"}, "Bad Request: message is too long"},
		{"html ok", map[string]any{"text": `<b>Hi</b> <a href="https://example.com">x</a> &lt;3`, "parse_mode": "HTML"}, ""},
		{"html lone <", map[string]any{"text": "1 < 2", "parse_mode": "HTML"},
			`Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"html unknown tag", map[string]any{"text": "<p>x</p>", "parse_mode": "HTML"},
			`Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0`},
		{"html stray &", map[string]any{"text": "Q&A", "parse_mode": "HTML"},
			"Bad Request: can't parse entities: Unescaped '&' at byte offset 1: write it as &amp; (telegramtest is stricter than Telegram here)"},
		{"html unclosed", map[string]any{"text": "<b>x", "parse_mode": "html"},
			`Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"markdownv2 ok", map[string]any{"text": `*Hi* 1\.0 \(beta\)`, "parse_mode": "MarkdownV2"}, ""},
		{"markdownv2 dot", map[string]any{"text": "Version 1.0", "parse_mode": "MarkdownV2"},
			`Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{"markdownv2 unclosed", map[string]any{"text": "*bold", "parse_mode": "MarkdownV2"},
			`Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0`},
		{"markdown unclosed", map[string]any{"text": "snake_case", "parse_mode": "Markdown"},
			`Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5`},
		{"unknown parse mode", map[string]any{"text": "x", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"},
		{"callback data 64 bytes", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A", "callback_data": strings.Repeat("d", 64)})}, ""},
		{"callback data 65 bytes", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A", "callback_data": strings.Repeat("d", 65)})},
			"Bad Request: BUTTON_DATA_INVALID"},
		{"callback data 33 Cyrillic letters", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A", "callback_data": strings.Repeat("я", 33)})},
			"Bad Request: BUTTON_DATA_INVALID"},
		{"long data in a later button", map[string]any{"text": "x", "reply_markup": keyboard(
			map[string]any{"text": "A", "callback_data": "a"},
			map[string]any{"text": "B", "callback_data": strings.Repeat("d", 65)})},
			"Bad Request: BUTTON_DATA_INVALID"},
		{"url and empty copy_text", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A", "url": "https://example.com", "copy_text": map[string]any{"text": ""}})}, ""},
		{"text button", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A"})},
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"empty callback data", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A", "callback_data": ""})},
			"Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"only empty copy_text", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"text": "A", "copy_text": map[string]any{"text": ""}})},
			"Bad Request: BUTTON_COPY_TEXT_INVALID"},
		{"button without text", map[string]any{"text": "x", "reply_markup": keyboard(map[string]any{"callback_data": "a"})},
			`Bad Request: can't parse inline keyboard button: Can't find field "text"`},
		{"markup not JSON", map[string]any{"text": "x", "reply_markup": `{"inline_keyboard":[[`}, "Bad Request: can't parse reply keyboard markup JSON object"},
		{"markup not an object", map[string]any{"text": "x", "reply_markup": `[1]`}, "Bad Request: object expected as reply markup"},
		{"reply keyboard", map[string]any{"text": "x", "reply_markup": map[string]any{"keyboard": [][]string{{"Yes", "No"}}, "resize_keyboard": true}}, ""},
		{"remove keyboard", map[string]any{"text": "x", "reply_markup": map[string]any{"remove_keyboard": true}}, ""},
		{"no chat", map[string]any{"chat_id": nil, "text": "x"}, "Bad Request: chat_id is empty"},
		{"chat by name", map[string]any{"chat_id": "@nobody", "text": "x"}, "Bad Request: chat not found"},
		{"link preview options", map[string]any{"text": "x", "link_preview_options": `{"is_disabled":`}, "Bad Request: can't parse link preview options JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			params := map[string]any{"chat_id": 42}
			for k, v := range tc.params {
				params[k] = v
			}
			env := call(t, ctx, s, "sendMessage", params)
			if tc.want == "" {
				if !env.OK {
					t.Fatalf("sendMessage = %d %q; want success", env.ErrorCode, env.Description)
				}
				return
			}
			if env.OK || env.ErrorCode != 400 || env.Description != tc.want {
				t.Errorf("sendMessage = %d %q; want 400 %q", env.ErrorCode, env.Description, tc.want)
			}
			if got := s.Sent(42); len(got) != 0 {
				t.Errorf("Sent(42) after a failure = %q; want nothing", got)
			}
		})
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	tests := []struct {
		name    string
		fail    func(s *Server)
		chat    int64
		want    []int // error code of each of four sendMessage calls; 0 for success
		wantMsg string
		wantRA  int
	}{
		{"twice", func(s *Server) { s.Fail("sendMessage", 429, "", 2) }, 42, []int{429, 429, 0, 0}, "Too Many Requests: retry after 1", 1},
		{"retry after", func(s *Server) { s.Fail("SENDMESSAGE", 429, "", 1, RetryAfter(9)) }, 42, []int{429, 0, 0, 0}, "Too Many Requests: retry after 9", 9},
		{"forever", func(s *Server) { s.Fail("", 403, "", 0) }, 42, []int{403, 403, 403, 403}, "Forbidden: bot was blocked by the user", 0},
		{"other chat", func(s *Server) { s.Fail("sendMessage", 400, "", 0, ForChat(7)) }, 42, []int{0, 0, 0, 0}, "", 0},
		{"this chat", func(s *Server) { s.Fail("sendMessage", 400, "", 0, ForChat(42)) }, 42, []int{400, 400, 400, 400}, "Bad Request: chat not found", 0},
		{"other method", func(s *Server) { s.Fail("editMessageText", 400, "", 0) }, 42, []int{0, 0, 0, 0}, "", 0},
		{"in order", func(s *Server) {
			s.Fail("sendMessage", 500, "Internal Server Error", 1)
			s.Fail("sendMessage", 403, "Forbidden: user is deactivated", 1)
		}, 42, []int{500, 403, 0, 0}, "Internal Server Error", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			tc.fail(s)
			var got []int
			for i := 0; i < 4; i++ {
				env := call(t, ctx, s, "sendMessage", map[string]any{"chat_id": tc.chat, "text": "x"})
				got = append(got, env.ErrorCode)
				if i == 0 && !env.OK && (env.Description != tc.wantMsg || env.Parameters.RetryAfter != tc.wantRA) {
					t.Errorf("first answer = %q retry_after %d; want %q retry_after %d",
						env.Description, env.Parameters.RetryAfter, tc.wantMsg, tc.wantRA)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("error codes = %v; want %v", got, tc.want)
			}
			successes := 0
			for _, c := range tc.want {
				if c == 0 {
					successes++
				}
			}
			if n := len(s.Messages(tc.chat)); n != successes {
				t.Errorf("messages stored = %d; want %d, only the successes", n, successes)
			}
		})
	}

	s := newServer(t)
	s.Fail("", 500, "", 0)
	s.ClearFailures()
	if env := call(t, ctx, s, "getMe", nil); !env.OK {
		t.Errorf("getMe after ClearFailures = %+v; want success", env)
	}
}

func TestSlow(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	s.Slow(time.Minute, "sendMessage")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, _, err := do(short, s, "/bot"+token+"/sendMessage", "application/json", strings.NewReader(`{"chat_id":42,"text":"x"}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow sendMessage error = %v; want the deadline", err)
	}
	if env := call(t, ctx, s, "getMe", nil); !env.OK {
		t.Errorf("getMe, not slowed, = %+v; want success", env)
	}
	if err := s.WaitFor(ctx, func(calls []Call) bool { return len(filter(calls, "sendMessage")) == 1 }); err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(42); len(got) != 0 {
		t.Errorf("messages after a canceled send = %v; want none", got)
	}
	s.Slow(0, "sendMessage")
	if env := call(t, ctx, s, "sendMessage", map[string]any{"chat_id": 42, "text": "x"}); !env.OK {
		t.Errorf("sendMessage after Slow(0) = %+v; want success", env)
	}
}

func TestWaitForTimeout(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.WaitCalls(ctx, "sendMessage", 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitCalls with nothing coming = %v; want the deadline", err)
	}
}

func TestCloseEndsPolls(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := NewServer(token)
	answer := poll(ctx, s, map[string]any{"timeout": 50})
	waitPolling(t, ctx, s)
	s.Close()
	if env := <-answer; !env.OK || string(env.Result) != "[]" {
		t.Errorf("poll ended by Close = %+v; want an empty result", env)
	}
}

// TestFailDelivered checks a failure after delivery: the message is in the
// chat, the bot is told it failed, and the call says it was delivered.
func TestFailDelivered(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	s.Fail("sendMessage", 502, "Bad Gateway", 1, Delivered())
	for i, want := range []int{502, 0} {
		env := call(t, ctx, s, "sendMessage", map[string]any{"chat_id": 42, "text": "x"})
		if env.ErrorCode != want {
			t.Errorf("sendMessage %d = error %d; want %d", i, env.ErrorCode, want)
		}
	}
	if got := len(s.Messages(42)); got != 2 {
		t.Errorf("messages in the chat = %d; want 2, the one failed after delivery too", got)
	}
	if got := s.Sent(42); len(got) != 2 {
		t.Errorf("Sent(42) = %q; want both", got)
	}
	calls := s.CallsTo("sendMessage")
	if len(calls) != 2 || !calls[0].Delivered || calls[0].OK() || !calls[1].Delivered {
		t.Errorf("calls = %v; want a delivered failure, then a success", calls)
	}
}

// TestSlowAnswers checks that a call whose answer is late is carried out
// even when the client gives up on it.
func TestSlowAnswers(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s := newServer(t)
	s.SlowAnswers(time.Minute, "sendMessage")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, _, err := do(short, s, "/bot"+token+"/sendMessage", "application/json", strings.NewReader(`{"chat_id":42,"text":"x"}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sendMessage answered late: error = %v; want the deadline", err)
	}
	if err := s.WaitFor(ctx, func(calls []Call) bool { return len(filter(calls, "sendMessage")) == 1 }); err != nil {
		t.Fatal(err)
	}
	if c := s.CallsTo("sendMessage")[0]; !c.Delivered || c.Status != 0 {
		t.Errorf("call = delivered %v, status %d; want delivered, no answer", c.Delivered, c.Status)
	}
	if got := s.Messages(42); len(got) != 1 {
		t.Errorf("messages after an answer the client gave up on = %d; want 1", len(got))
	}
}
