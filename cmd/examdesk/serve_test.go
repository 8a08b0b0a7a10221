package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

const testToken = "123456:TEST-token_abc"

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// served is an `examdesk serve` running in the test process.
type served struct {
	fake   *telegramtest.Server
	env    map[string]string
	addr   string
	stop   context.CancelFunc
	done   chan error
	stderr *syncBuffer
}

// serveEnv is the environment of a serve against fake and a Redis of the
// test's own. Its pace to one chat is twenty times Telegram's, for the
// tests' candidates type faster than people; the tests of the pace
// (limits_test.go) keep Telegram's.
func serveEnv(t testing.TB, fake *telegramtest.Server, redisURL string) map[string]string {
	return map[string]string{
		"TELEGRAM_BOT_TOKEN": testToken,
		"TELEGRAM_API_URL":   fake.URL(),
		"REDIS_URL":          redisURL,
		"HTTP_ADDR":          freeAddr(t),
		"EXAMDESK_CHAT_RATE": "20",
	}
}

// startServe runs serve with env until the test ends.
func startServe(t testing.TB, fake *telegramtest.Server, env map[string]string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{fake: fake, env: env, addr: env["HTTP_ADDR"], stop: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	go func() {
		s.done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, s.stderr)
	}()
	t.Cleanup(func() { s.shutdown(t) })
	s.waitReady(t)
	return s
}

func (s *served) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("serve ended at start: %v\n%s", err, s.stderr)
		default:
		}
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("serve not ready after 15 s:\n%s", s.stderr)
}

// shutdown stops serve as SIGTERM does and checks it ends without error.
// The wait is bounded only so that a serve that hangs fails the test
// instead of the whole run.
func (s *served) shutdown(t testing.TB) {
	t.Helper()
	if s.stop == nil {
		return
	}
	s.stop()
	s.stop = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve ended with %v\n%s", err, s.stderr)
		}
	case <-time.After(hangGuard):
		t.Errorf("serve still running %v after SIGTERM: it hangs\n%s", hangGuard, s.stderr)
	}
}

// hangGuard bounds a wait for what must happen, so that a process or a
// goroutine that hangs fails its test with a message; it is no measure of
// speed: what is waited for happens long before on any machine.
const hangGuard = 2 * time.Minute

// chat is one candidate talking to the bot through the fake Bot API.
type chat struct {
	t    testing.TB
	fake *telegramtest.Server
	id   int64
	lang string
	// deliver sends an update to the bot: by getUpdates or by webhook.
	deliver func(u telegramtest.Update)
}

func newChat(t testing.TB, fake *telegramtest.Server, id int64, lang string) *chat {
	return &chat{t: t, fake: fake, id: id, lang: lang, deliver: func(u telegramtest.Update) { fake.Send(u) }}
}

// messages are the sendMessage calls to the chat so far.
func (c *chat) messages() []telegramtest.Call {
	var out []telegramtest.Call
	for _, call := range c.fake.CallsTo("sendMessage") {
		if call.ChatID() == c.id && call.OK() {
			out = append(out, call)
		}
	}
	return out
}

// wait waits until the chat has more than n messages and the last contains
// want, and returns the new messages.
func (c *chat) wait(n int, want string) []telegramtest.Call {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.fake.WaitFor(ctx, func([]telegramtest.Call) bool {
		ms := c.messages()
		return len(ms) > n && strings.Contains(ms[len(ms)-1].Params["text"], want)
	})
	if err != nil {
		ms := c.messages()
		var texts []string
		for _, m := range ms[min(n, len(ms)):] {
			texts = append(texts, m.Params["text"])
		}
		c.t.Fatalf("chat %d (%s): no reply containing %q; got %q", c.id, c.lang, want, texts)
	}
	return c.messages()[n:]
}

// say sends text and waits for a reply whose last message contains want.
func (c *chat) say(text, want string) []telegramtest.Call {
	c.t.Helper()
	n := len(c.messages())
	c.deliver(telegramtest.Message(c.id, c.id, c.lang, text))
	return c.wait(n, want)
}

// press presses the button whose label contains label on the last message
// that had buttons, and waits for a reply whose last message contains want.
func (c *chat) press(label, want string) []telegramtest.Call {
	c.t.Helper()
	data, msgID := c.button(label)
	n := len(c.messages())
	c.deliver(telegramtest.Callback(c.id, c.id, c.lang, data, msgID))
	return c.wait(n, want)
}

// button finds a button by its label on the last message with buttons.
func (c *chat) button(label string) (data string, messageID int) {
	c.t.Helper()
	ms := c.messages()
	for i := len(ms) - 1; i >= 0; i-- {
		rows := ms[i].Buttons()
		if len(rows) == 0 {
			continue
		}
		for _, row := range rows {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return b.CallbackData, ms[i].MessageID()
				}
			}
		}
		c.t.Fatalf("chat %d: no button %q in %v", c.id, label, rows)
	}
	c.t.Fatalf("chat %d: no message with buttons", c.id)
	return "", 0
}

// checkScript is a whole eligibility check and FAQ questions in one
// language: what the candidate does and a word of the answer expected.
type checkStep struct {
	press      bool
	text, want string
}

var checkScripts = map[string][]checkStep{
	"en": {
		{text: "/start", want: "E-commerce"},
		{press: true, text: "Check my eligibility", want: "Question 1."},
		{text: "7 years", want: "Question 2."},
		{press: true, text: "Bachelor", want: "Question 3."},
		{press: true, text: "None", want: "Question 4."},
		{text: "3", want: "3.1"},
		{text: "What size is the photo?", want: "48 mm"},
		{text: "Where do I collect my certificate?", want: "810"},
	},
	"zh-Hant": {
		{text: "/start", want: "電子商務師"},
		{press: true, text: "查詢", want: "第1題"},
		{text: "七年", want: "第2題"},
		{press: true, text: "本科", want: "第3題"},
		{press: true, text: "沒有", want: "第4題"},
		{text: "三年", want: "3.1"},
		{text: "照片要多大？", want: "48"},
		{text: "成績複核怎麼辦", want: "10個工作日"},
	},
	"zh-Hans": {
		{text: "/start", want: "电子商务师"},
		{press: true, text: "查询", want: "第1题"},
		{text: "7年", want: "第2题"},
		{press: true, text: "本科", want: "第3题"},
		{press: true, text: "没有", want: "第4题"},
		{text: "3年", want: "3.1"},
		{text: "补考怎么办", want: "一年"},
		{text: "准考证什么时候领", want: "五个工作日"},
	},
}

var telegramLang = map[string]string{"en": "en", "zh-Hant": "zh-HK", "zh-Hans": "zh-CN"}

// runScripts runs the check script of every language in its own chat, the
// three at once.
func runScripts(t testing.TB, fake *telegramtest.Server, deliver func(telegramtest.Update)) {
	var wg sync.WaitGroup
	for i, lang := range []string{"en", "zh-Hant", "zh-Hans"} {
		wg.Go(func() {
			c := newChat(t, fake, int64(1000+i), telegramLang[lang])
			if deliver != nil {
				c.deliver = deliver
			}
			for _, s := range checkScripts[lang] {
				if s.press {
					c.press(s.text, s.want)
				} else {
					c.say(s.text, s.want)
				}
			}
		})
	}
	wg.Wait()
}

func TestServePolling(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	s := startServe(t, fake, serveEnv(t, fake, srv.URL))
	runScripts(t, fake, nil)

	if got := len(fake.CallsTo("deleteWebhook")); got != 1 {
		t.Errorf("deleteWebhook calls = %d; want 1 before polling", got)
	}
	// Bot-wide menus in English and Simplified Chinese; the Traditional
	// Chinese user gets a menu of their chat's own.
	menus := map[string]string{}
	for _, call := range fake.CallsTo("setMyCommands") {
		menus[call.Params["language_code"]+" "+call.Params["scope"]] = call.Params["commands"]
	}
	if len(menus) != 3 || !strings.Contains(menus[` {"type":"chat","chat_id":1001}`], "檢查") {
		t.Errorf("setMyCommands menus = %v; want English, Simplified Chinese and chat 1001's in Traditional Chinese", menus)
	}
	for _, call := range fake.CallsTo("answerCallbackQuery") {
		if !call.OK() {
			t.Errorf("answerCallbackQuery failed: %v", call)
		}
	}
	metrics := get(t, "http://"+s.addr+"/metrics")
	for _, want := range []string{`examdesk_updates_total{kind="message"}`, `examdesk_updates_total{kind="callback_query"}`, "examdesk_update_handling_seconds_bucket", "examdesk_queue_depth"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(s.stderr.String(), "照片") || strings.Contains(s.stderr.String(), "7 years") {
		t.Errorf("logs carry message text:\n%s", s.stderr)
	}
}

func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}

func TestServeWebhook(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	env := serveEnv(t, fake, srv.URL)
	env["WEBHOOK_URL"] = "http://" + env["HTTP_ADDR"] + "/telegram/hook"
	env["WEBHOOK_SECRET"] = "s3cret-token_1"
	startServe(t, fake, env)

	deliver := func(u telegramtest.Update) {
		u.ID = nextUpdateID()
		resp, err := fake.Deliver(context.Background(), u)
		if err != nil {
			t.Errorf("deliver: %v", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("webhook answered %d; want 200", resp.StatusCode)
		}
	}
	runScripts(t, fake, deliver)

	hook := env["WEBHOOK_URL"]
	post := func(secret, body string) int {
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	update := `{"update_id":99999,"message":{"message_id":1,"date":1,"chat":{"id":77,"type":"private"},"from":{"id":77,"is_bot":false,"first_name":"A"},"text":"/help"}}`
	tests := []struct {
		name, secret, body string
		want               int
	}{
		{"no secret", "", update, http.StatusUnauthorized},
		{"wrong secret", "nope", update, http.StatusUnauthorized},
		{"too large", env["WEBHOOK_SECRET"], `{"update_id":1,"x":"` + strings.Repeat("a", 1<<20) + `"}`, http.StatusRequestEntityTooLarge},
		{"malformed", env["WEBHOOK_SECRET"], `{"update_id":`, http.StatusBadRequest},
		{"no update_id", env["WEBHOOK_SECRET"], `{}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if got := post(tt.secret, tt.body); got != tt.want {
			t.Errorf("%s: webhook answered %d; want %d", tt.name, got, tt.want)
		}
	}
	// A retried delivery is answered once.
	c := newChat(t, fake, 77, "en")
	c.deliver = deliver
	if got := post(env["WEBHOOK_SECRET"], update); got != http.StatusOK {
		t.Fatalf("webhook answered %d; want 200", got)
	}
	c.wait(0, "/check")
	if got := post(env["WEBHOOK_SECRET"], update); got != http.StatusOK {
		t.Fatalf("retried webhook answered %d; want 200", got)
	}
	c.say("/lang", "language")
	if n := len(c.messages()); n != 2 {
		t.Errorf("chat 77 got %d messages; want 2 (the retried update answered once)", n)
	}
}

var updateIDs struct {
	sync.Mutex
	n int64
}

func nextUpdateID() int64 {
	updateIDs.Lock()
	defer updateIDs.Unlock()
	updateIDs.n++
	return 500000 + updateIDs.n
}

// TestServeDoubleTapAndBurst: a button pressed twice at once records one
// answer; twenty messages in one second are answered in order.
func TestServeDoubleTapAndBurst(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	startServe(t, fake, serveEnv(t, fake, srv.URL))

	c := newChat(t, fake, 42, "en")
	c.say("/check", "Question 1.")
	c.say("3", "Question 2.")
	data, msgID := c.button("Bachelor")
	n := len(c.messages())
	fake.Send(telegramtest.Callback(c.id, c.id, "en", data, msgID))
	fake.Send(telegramtest.Callback(c.id, c.id, "en", data, msgID))
	c.wait(n+1, "Question")
	replies := c.messages()[n:]
	var questions []string
	for _, m := range replies {
		if strings.Contains(m.Params["text"], "Question") {
			questions = append(questions, m.Params["text"])
		}
	}
	if len(questions) < 2 || !strings.Contains(questions[0], "Question 3.") || !strings.Contains(questions[len(questions)-1], "Question 3.") {
		t.Fatalf("double tap: questions sent %q; want Question 3 asked (and asked again after the stale tap), never Question 4", questions)
	}

	// Twenty messages in one second, each answered, in order.
	d := newChat(t, fake, 43, "en")
	for i := range 20 {
		fake.Send(telegramtest.Message(d.id, d.id, "en", "/lang "+[]string{"en", "zh-TW", "zh-CN"}[i%3]))
		time.Sleep(50 * time.Millisecond)
	}
	d.wait(19, "")
	msgs := d.messages()
	if len(msgs) != 20 {
		t.Fatalf("burst: %d answers; want 20", len(msgs))
	}
	want := []string{"English", "繁體中文", "简体中文"}
	for i, m := range msgs {
		if !strings.Contains(m.Params["text"], want[i%3]) {
			t.Fatalf("burst answer %d = %q; want the answer to message %d (%q)", i, m.Params["text"], i, want[i%3])
		}
	}
}

// TestServeStaleButton: a button of a question that has moved on gets a
// notice and the current question again; nothing is recorded.
func TestServeStaleButton(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	startServe(t, fake, serveEnv(t, fake, srv.URL))

	c := newChat(t, fake, 7, "en")
	c.say("/check", "Question 1.")
	c.say("2", "Question 2.")
	oldData, oldMsg := c.button("Master")
	c.press("None of these", "Question 3.")
	n := len(c.messages())
	fake.Send(telegramtest.Callback(c.id, c.id, "en", oldData, oldMsg))
	got := c.wait(n, "Question 3.")
	if !strings.Contains(got[0].Params["text"], "earlier question") {
		t.Errorf("stale button: first reply %q; want the notice", got[0].Params["text"])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func(calls []telegramtest.Call) bool {
		for _, call := range calls {
			if call.Method == "answerCallbackQuery" && strings.Contains(call.Params["text"], "earlier question") {
				return true
			}
		}
		return false
	}); err != nil {
		t.Errorf("stale button: no answerCallbackQuery with the notice: %v", err)
	}
}

// TestServeTelegramErrors: a 429 is waited out, a 403 marks the user
// inactive without retry, a 400 gets an apology and the process lives on.
func TestServeTelegramErrors(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	s := startServe(t, fake, serveEnv(t, fake, srv.URL))

	c := newChat(t, fake, 11, "en")
	fake.Fail("sendMessage", 429, "", 1, telegramtest.ForChat(11), telegramtest.RetryAfter(1))
	start := time.Now()
	c.say("/help", "Commands")
	if d := time.Since(start); d < time.Second {
		t.Errorf("429: answered after %v; want the retry_after of 1 s waited", d)
	}

	b := newChat(t, fake, 12, "en")
	fake.Fail("sendMessage", 403, "Forbidden: bot was blocked by the user", 0, telegramtest.ForChat(12))
	fake.Send(telegramtest.Message(12, 12, "en", "/help"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func(calls []telegramtest.Call) bool {
		for _, call := range calls {
			if call.Method == "sendMessage" && call.ChatID() == 12 && call.Status == 403 {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	_ = b
	waitLog(t, s, "marking the chat inactive")
	st, err := redisstore.Open(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if inactive, err := st.Client().SIsMember(ctx, st.Prefix()+"inactive", 12).Result(); err != nil || !inactive {
		t.Errorf("403: SISMEMBER inactive 12 = %v, %v; want the chat marked inactive", inactive, err)
	}
	attempts := 0
	for _, call := range fake.CallsTo("sendMessage") {
		if call.ChatID() == 12 {
			attempts++
		}
	}
	if attempts != 1 {
		t.Errorf("403: %d sendMessage calls to the chat; want 1, no retry", attempts)
	}
	fake.ClearFailures()

	d := newChat(t, fake, 13, "zh-HK")
	fake.Fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag", 1, telegramtest.ForChat(13))
	d.say("/help", "抱歉")
	c.say("/check", "Question 1.") // the process lives on
}

func waitLog(t testing.TB, s *served, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q:\n%s", want, s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		wants []string
	}{
		{"nothing", map[string]string{}, []string{"TELEGRAM_BOT_TOKEN is required"}},
		{"everything wrong", map[string]string{
			"TELEGRAM_BOT_TOKEN": "nope",
			"TELEGRAM_API_URL":   "ftp://x",
			"REDIS_URL":          "mysql://x",
			"EXAMDESK_ADMINS":    "12,abc,-3",
			"WEBHOOK_URL":        "http://example.com/hook",
			"WEBHOOK_SECRET":     "bad secret!",
			"HTTP_ADDR":          "8080",
			"EXAMDESK_STATE_TTL": "forever",
			"EXAMDESK_INSTANCE":  "pod/0",
			"EXAMDESK_CHAT_RATE": "0",
		}, []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "REDIS_URL", `"abc"`, `"-3"`, "WEBHOOK_SECRET", "HTTP_ADDR", "EXAMDESK_STATE_TTL", "EXAMDESK_INSTANCE", "EXAMDESK_CHAT_RATE"}},
		{"webhook without secret", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "https://example.com/hook"}, []string{"WEBHOOK_SECRET is not"}},
		{"secret without webhook", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_SECRET": "abc"}, []string{"WEBHOOK_URL is not"}},
		{"plain http webhook with Telegram", map[string]string{"TELEGRAM_BOT_TOKEN": testToken, "WEBHOOK_URL": "http://example.com/hook", "WEBHOOK_SECRET": "abc"}, []string{"not an https URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tt.env, "", "serve")
			if code != 2 {
				t.Fatalf("serve = %d; want 2\n%s", code, stderr)
			}
			for _, w := range tt.wants {
				if !strings.Contains(stderr, w) {
					t.Errorf("serve stderr lacks %q:\n%s", w, stderr)
				}
			}
			if lines := strings.Count(stderr, "\n"); lines != len(tt.wants)+1 && tt.name != "everything wrong" {
				t.Errorf("serve stderr has %d lines; want a heading and one per problem:\n%s", lines, stderr)
			}
		})
	}
}
