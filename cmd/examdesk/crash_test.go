package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/bot"
	"examdesk/calendar"
	"examdesk/calendar/calendartest"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/locales"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/rules"
	"examdesk/telegramtest"
)

// The tests of this file kill `examdesk serve` and start it again, stop it
// under load, and run two of it on one Redis, and check the inbox's
// promises end to end: no update is lost, every update is answered, in
// update_id order, and an answer comes twice only when it was in flight
// when its process died.

// serveChild is `examdesk serve` run as a process of its own (the
// examdesk binary, see examdeskBinary), so that it can be killed; each
// start is a new process with the same environment.
type serveChild struct {
	t      testing.TB
	env    map[string]string
	addr   string
	stderr *syncBuffer // of every process, one after the other
	starts int
	proc   *serveRun // the latest
}

// serveRun is one run of a serveChild.
type serveRun struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when it ended
	err    error         // cmd.Wait's, once exited is closed
}

func (p *serveRun) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// startServeChild starts serve with env as a child process, waits until it
// is ready and kills it when the test ends.
func startServeChild(t testing.TB, env map[string]string) *serveChild {
	t.Helper()
	c := &serveChild{t: t, env: env, addr: env["HTTP_ADDR"], stderr: &syncBuffer{}}
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("serve's log (last 6000 bytes):\n%s", lastBytes(c.stderr.String(), 6000))
		}
	})
	c.start()
	return c
}

// start starts a new process and waits until it is ready.
func (c *serveChild) start() {
	c.t.Helper()
	c.starts++
	fmt.Fprintf(c.stderr, "--- start %d\n", c.starts)
	bin, err := examdeskBinary.path()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = childEnv(c.env)
	cmd.Stdout = io.Discard
	cmd.Stderr = c.stderr
	// The child ends with the test binary, however that ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start serve: %v", err)
	}
	p := &serveRun{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	c.proc = p

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if !p.running() {
			c.t.Fatalf("serve (start %d) ended at start: %v\n%s", c.starts, p.err, lastBytes(c.stderr.String(), 6000))
		}
		resp, err := http.Get("http://" + c.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("serve (start %d) not ready after 30 s:\n%s", c.starts, lastBytes(c.stderr.String(), 6000))
}

// kill kills the running process with SIGKILL, as a crash or `kill -9`
// would, and waits until it is gone.
func (c *serveChild) kill() {
	if c.proc == nil || !c.proc.running() {
		return
	}
	c.proc.cmd.Process.Kill()
	<-c.proc.exited
	fmt.Fprintf(c.stderr, "--- killed\n")
}

// terminate sends SIGTERM and returns how long the process took to exit
// and how it exited; it kills it after limit, a guard against a hang.
func (c *serveChild) terminate(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := c.proc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case <-c.proc.exited:
		return time.Since(start), c.proc.err
	case <-time.After(limit):
		c.kill()
		return time.Since(start), fmt.Errorf("still running %v after SIGTERM; killed", limit)
	}
}

// childEnv is the environment of a child: this process's, less what serve
// reads, plus env.
func childEnv(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == roleEnv || slices.Contains(envVars, k) {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// inboxOf reads serve's inbox in the Redis at url, through the keys that
// redisstore.Inbox documents, under serve's prefix.
type inboxOf struct {
	t   testing.TB
	rc  *redis.Client
	p   string
	url string
}

func openInbox(t testing.TB, url string) *inboxOf {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opt)
	t.Cleanup(func() { rc.Close() })
	return &inboxOf{t: t, rc: rc, p: redisstore.DefaultPrefix, url: url}
}

func (in *inboxOf) keys(pattern string) []string {
	in.t.Helper()
	keys, err := in.rc.Keys(context.Background(), in.p+pattern).Result()
	if err != nil {
		in.t.Fatalf("KEYS %s%s: %v", in.p, pattern, err)
	}
	return keys
}

// pending is the number of updates recorded and not handled yet.
func (in *inboxOf) pending() int64 {
	in.t.Helper()
	var n int64
	for _, k := range in.keys("q:*") {
		c, err := in.rc.ZCard(context.Background(), k).Result()
		if err != nil {
			in.t.Fatalf("ZCARD %s: %v", k, err)
		}
		n += c
	}
	return n
}

// busy is the number of chats with updates or replies waiting, or a lease
// held.
func (in *inboxOf) busy() int64 {
	in.t.Helper()
	n, err := in.rc.ZCard(context.Background(), in.p+"ready").Result()
	if err != nil {
		in.t.Fatalf("ZCARD %sready: %v", in.p, err)
	}
	return n
}

// waitIdle waits until no chat has work waiting or a lease held.
func (in *inboxOf) waitIdle(d time.Duration) {
	in.t.Helper()
	deadline := time.Now().Add(d)
	for in.busy() > 0 {
		if time.Now().After(deadline) {
			in.t.Fatalf("inbox: %d chats still busy after %v (%d updates pending)", in.busy(), d, in.pending())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recorded returns the update ids the inbox remembers for deduplication:
// every update it ever recorded (within the window).
func (in *inboxOf) recorded() map[int64]bool {
	in.t.Helper()
	ids := map[int64]bool{}
	for _, k := range in.keys("seen:*") {
		members, err := in.rc.SMembers(context.Background(), k).Result()
		if err != nil {
			in.t.Fatalf("SMEMBERS %s: %v", k, err)
		}
		for _, m := range members {
			id, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				in.t.Fatalf("SMEMBERS %s: member %q is not an update id", k, m)
			}
			ids[id] = true
		}
	}
	return ids
}

// held is how many chats have their lease held (or held by a process
// that died, until its successor takes them over or the lease ends).
func (in *inboxOf) held() int {
	in.t.Helper()
	return len(in.keys("lock:*"))
}

// state loads the conversation of a private chat as serve saved it.
func (in *inboxOf) state(chat int64) dialog.State {
	in.t.Helper()
	st, err := redisstore.Open(context.Background(), in.url)
	if err != nil {
		in.t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Load(context.Background(), examdesk.Key{Chat: chat, User: chat})
	if err != nil {
		in.t.Fatalf("Load(%d) error: %v", chat, err)
	}
	return s
}

// fakePending is how many updates the fake's getUpdates queue holds that
// the bot has not confirmed.
func fakePending(t testing.TB, fake *telegramtest.Server) int {
	t.Helper()
	resp, err := http.Get(fake.URL() + "/bot" + testToken + "/getWebhookInfo")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Result struct {
			Pending int `json:"pending_update_count"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("getWebhookInfo: %v", err)
	}
	return r.Result.Pending
}

// engine is the conversation engine serve runs, to work out what it
// answers.
type engine struct {
	e      *dialog.Engine
	tr     *locales.Catalog
	topics []string // FAQ topics that /start <topic> answers with one message
}

func newEngine(t testing.TB) *engine {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	matcher, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, topic := range matcher.Topics() {
		if topic != "eligibility" { // it comes with a button
			topics = append(topics, topic)
		}
	}
	// Serve answers dates from its calendar, which these tests leave
	// empty: the model does too.
	cal, err := calendar.NewCache(&calendartest.MemStore{}, calendar.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := dialog.New(set, matcher, catalog)
	if err != nil {
		t.Fatal(err)
	}
	e.Dates = dialog.NewDateAnswers(cal, matcher)
	return &engine{e: e, tr: catalog, topics: topics}
}

// script is what a candidate types in one chat, with the texts of the
// messages the bot answers each with and the conversation's state after.
type script struct {
	chat    int64
	code    string // the app's language code
	inputs  []string
	replies [][]string
	st      dialog.State
	e       *engine
}

func (e *engine) script(chat int64, code string) *script {
	return &script{chat: chat, code: code, e: e}
}

// say adds text to the script.
func (s *script) say(text string) {
	s.step(text, dialog.Input{Text: text, LanguageCode: s.code})
}

// press adds to the script a press on the button with callback data.
func (s *script) press(data string) {
	pick, ok := bot.DecodeCallback(data)
	if !ok {
		panic(fmt.Sprintf("callback data %q does not decode", data))
	}
	s.step("press "+data, dialog.Input{Pick: &pick, LanguageCode: s.code})
}

func (s *script) step(input string, in dialog.Input) {
	next, r := s.e.e.Step(s.st, in)
	s.st = next
	var texts []string
	for _, o := range bot.Render(s.e.tr, r) {
		texts = append(texts, o.Text)
	}
	s.inputs = append(s.inputs, input)
	s.replies = append(s.replies, texts)
}

// want is every message the script expects, in order.
func (s *script) want() []string {
	var out []string
	for _, r := range s.replies {
		out = append(out, r...)
	}
	return out
}

// check runs a whole eligibility check, typing the answers in facts.
func (s *script) check(facts map[rules.Question]string) {
	s.say("/check")
	for s.st.Check != nil && !s.st.Check.Done {
		q := s.st.Check.Asking
		a, ok := facts[q]
		if !ok {
			panic(fmt.Sprintf("no answer to %s in %v", q, facts))
		}
		s.say(a)
	}
}

// personas are the facts candidates answer with; they take the checks
// along different questions.
var personas = []map[rules.Question]string{
	{
		rules.OccupationYears: "7", rules.Certificate: "level3", rules.YearsSinceCertificate: "5",
		rules.Education: "bachelor", rules.Major: "ecommerce", rules.YearsSinceGraduation: "9",
		rules.TrainingLevel4: "no", rules.TrainingLevel3: "no", rules.TrainingLevel2: "yes", rules.TrainingLevel1: "no",
	},
	{
		rules.OccupationYears: "0.5", rules.Certificate: "none", rules.YearsSinceCertificate: "0",
		rules.Education: "master", rules.Major: "other", rules.YearsSinceGraduation: "2",
		rules.TrainingLevel4: "yes", rules.TrainingLevel3: "yes", rules.TrainingLevel2: "no", rules.TrainingLevel1: "no",
	},
	{
		rules.OccupationYears: "3 years", rules.Certificate: "level4", rules.YearsSinceCertificate: "2.5",
		rules.Education: "associate", rules.Major: "related", rules.YearsSinceGraduation: "4",
		rules.TrainingLevel4: "no", rules.TrainingLevel3: "yes", rules.TrainingLevel2: "no", rules.TrainingLevel1: "no",
	},
	{
		rules.OccupationYears: "20", rules.Certificate: "level2", rules.YearsSinceCertificate: "1",
		rules.Education: "none", rules.Major: "other", rules.YearsSinceGraduation: "0",
		rules.TrainingLevel4: "no", rules.TrainingLevel3: "no", rules.TrainingLevel2: "no", rules.TrainingLevel1: "yes",
	},
}

var appLangs = []string{"en", "zh-HK", "zh-CN"}

// sentTo groups the successful sendMessage calls by chat.
func sentTo(fake *telegramtest.Server) map[int64][]telegramtest.Call {
	out := map[int64][]telegramtest.Call{}
	for _, c := range fake.CallsTo("sendMessage") {
		if c.OK() {
			out[c.ChatID()] = append(out[c.ChatID()], c)
		}
	}
	return out
}

func textsOf(calls []telegramtest.Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Params["text"]
	}
	return out
}

// waitSent waits until done holds for the messages sent so far, by chat.
func waitSent(t testing.TB, fake *telegramtest.Server, d time.Duration, what string, done func(map[int64][]telegramtest.Call) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	err := fake.WaitFor(ctx, func(calls []telegramtest.Call) bool {
		byChat := map[int64][]telegramtest.Call{}
		for _, c := range calls {
			if c.Method == "sendMessage" && c.OK() {
				byChat[c.ChatID()] = append(byChat[c.ChatID()], c)
			}
		}
		return done(byChat)
	})
	if err != nil {
		t.Fatalf("waiting %v for %s: %v", d, what, err)
	}
}

func abbrev(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// TestServeKillAndRestart kills serve with SIGKILL four times while 30
// candidates go through their checks, typing ahead, and starts it again
// each time, under the same EXAMDESK_INSTANCE: every update is handled and
// answered, in order, and an answer comes twice only when a kill cut it
// off in flight.
func TestServeKillAndRestart(t *testing.T) {
	t.Parallel() // with a serve, a Redis and a Bot API of its own
	const chats = 30
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	in := openInbox(t, srv.URL)
	e := newEngine(t)

	// Each chat: three FAQ answers, a whole check, three FAQ answers; and
	// at the end, once serve is no longer killed, /lang en.
	scripts := make([]*script, chats)
	total := 0
	for i := range scripts {
		s := e.script(int64(7000+i), appLangs[i%len(appLangs)])
		for k := range 3 {
			s.say("/start " + e.topics[(i+k)%len(e.topics)])
		}
		s.check(personas[i%len(personas)])
		for k := range 3 {
			s.say("/start " + e.topics[(i+3+k)%len(e.topics)])
		}
		total += len(s.want())
		s.say("/lang en")
		if w := s.want(); len(w) != len(distinct(w)) {
			t.Fatalf("chat %d: the script expects a message twice: %q", s.chat, w)
		}
		scripts[i] = s
	}

	// Sending a reply takes a while, so that kills find replies in flight
	// and updates recorded but not handled.
	fake.Slow(30*time.Millisecond, "sendMessage")
	env := serveEnv(t, fake, srv.URL)
	env["EXAMDESK_INSTANCE"] = "serve-0"
	c := startServeChild(t, env)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	ids := make([][]int64, chats) // update_ids of each chat's inputs
	var feeders sync.WaitGroup
	for i, s := range scripts {
		ids[i] = make([]int64, len(s.inputs))
		feeders.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			last := len(s.inputs) - 1 // /lang en waits for the end
			for j := 0; j < last; {
				for n := 1 + rng.IntN(4); n > 0 && j < last; n-- {
					ids[i][j] = fake.Send(telegramtest.Message(s.chat, s.chat, s.code, s.inputs[j]))
					j++
				}
				time.Sleep(time.Duration(200+rng.IntN(500)) * time.Millisecond)
			}
		})
	}

	var (
		kills              []time.Time
		unhandled, waiting int64 // most found at a kill
	)
	rng := rand.New(rand.NewPCG(seed, 0xdead))
	for _, share := range []float64{0.15, 0.35, 0.55, 0.75} {
		want := int(share * float64(total))
		waitSent(t, fake, 30*time.Second, fmt.Sprintf("%d of %d replies", want, total), func(m map[int64][]telegramtest.Call) bool {
			n := 0
			for _, s := range scripts {
				n += len(m[s.chat])
			}
			return n >= want
		})
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		recorded := in.pending()
		kills = append(kills, time.Now())
		c.kill()
		held := in.held()
		// The candidates type on while serve is down.
		time.Sleep(time.Duration(200+rng.IntN(200)) * time.Millisecond)
		queued := fakePending(t, fake)
		t.Logf("kill %d after %d of %d replies: %d updates recorded and not handled, %d chats held; %d updates in getUpdates at restart",
			len(kills), want, total, recorded, held, queued)
		unhandled, waiting = max(unhandled, recorded), max(waiting, int64(queued))
		c.start()
	}
	if unhandled == 0 || waiting == 0 {
		t.Errorf("no kill found updates recorded and not handled (%d), or none waiting in getUpdates (%d); the test proves less than it should", unhandled, waiting)
	}
	feeders.Wait()

	// No more kills: the last update of each chat is answered.
	for i, s := range scripts {
		ids[i][len(s.inputs)-1] = fake.Send(telegramtest.Message(s.chat, s.chat, s.code, s.inputs[len(s.inputs)-1]))
	}
	waitSent(t, fake, 30*time.Second, "the answer to every chat's last update", func(m map[int64][]telegramtest.Call) bool {
		for _, s := range scripts {
			got, w := m[s.chat], s.want()
			if len(got) == 0 || got[len(got)-1].Params["text"] != w[len(w)-1] {
				return false
			}
		}
		return true
	})
	in.waitIdle(10 * time.Second)

	// Every update sent was recorded, and all are confirmed: getUpdates'
	// offset skipped none unrecorded, which the fake would have dropped.
	recorded := in.recorded()
	for i, s := range scripts {
		for j, id := range ids[i] {
			if !recorded[id] {
				t.Errorf("chat %d: update %d (%q) was never recorded", s.chat, id, s.inputs[j])
			}
		}
	}
	if n := fakePending(t, fake); n != 0 {
		t.Errorf("getUpdates still holds %d updates; want every one confirmed", n)
	}

	sent := sentTo(fake)
	twice := 0
	for _, s := range scripts {
		// Every update was handled: the conversation is where the script
		// left it.
		got, want := in.state(s.chat), s.st
		got.Version, want.Version = 0, 0
		gotRec, _ := dialog.EncodeState(got)
		wantRec, _ := dialog.EncodeState(want)
		if !bytes.Equal(gotRec, wantRec) {
			t.Errorf("chat %d: state = %s; want %s", s.chat, gotRec, wantRec)
		}
		twice += checkTranscript(t, s.chat, sent[s.chat], s.want(), kills)
	}
	t.Logf("%d of %d replies sent twice, in flight at the kills", twice, total)
}

func distinct(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// checkTranscript checks the messages sent to a chat against those its
// script expects: each sent, in order, and a message sent again only right
// after itself, each copy after the first with a kill of its own between
// the message before the first copy and it: in flight when its process
// died. It returns how many copies came beyond the first.
func checkTranscript(t testing.TB, chat int64, sent []telegramtest.Call, want []string, kills []time.Time) int {
	t.Helper()
	got := textsOf(sent)
	j, twice, copies := 0, 0, 0
	before := time.Time{} // when the message before the last one sent was sent
	for i, g := range got {
		if j < len(want) && g == want[j] {
			if i > 0 {
				before = sent[i-1].Time
			}
			j, copies = j+1, 0
			continue
		}
		cuts := 0
		for _, k := range kills {
			if k.After(before) && k.Before(sent[i].Time) {
				cuts++
			}
		}
		copies++
		if j == 0 || g != want[j-1] || cuts < copies {
			t.Errorf("chat %d: sent %q; want them in the order of %q, each once, or again right after if in flight at a kill",
				chat, abbrevAll(got), abbrevAll(want))
			return twice
		}
		twice++
	}
	if j < len(want) {
		t.Errorf("chat %d: %d messages never sent: %q (sent %q)", chat, len(want)-j, abbrevAll(want[j:]), abbrevAll(got))
	}
	return twice
}

// TestServeReplayedBatch delivers updates again, by getUpdates, that serve
// has already recorded: sent again with the same update_id, and left
// unconfirmed by a serve killed before its next getUpdates. Each is
// answered once.
func TestServeReplayedBatch(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	in := openInbox(t, srv.URL)
	e := newEngine(t)
	c := startServeChild(t, serveEnv(t, fake, srv.URL))

	scripts := make([]*script, 3)
	for i := range scripts {
		scripts[i] = e.script(int64(8000+i), appLangs[i])
	}
	// send sends the next update of each chat.
	send := func(topic int) []telegramtest.Update {
		var us []telegramtest.Update
		for i, s := range scripts {
			s.say("/start " + e.topics[topic+i])
			u := telegramtest.Message(s.chat, s.chat, s.code, s.inputs[len(s.inputs)-1])
			u.ID = fake.Send(u)
			us = append(us, u)
		}
		return us
	}
	// answered waits until every chat has all its answers.
	answered := func() {
		t.Helper()
		waitSent(t, fake, 10*time.Second, "the answers", func(m map[int64][]telegramtest.Call) bool {
			for _, s := range scripts {
				if len(m[s.chat]) < len(s.want()) {
					return false
				}
			}
			return true
		})
	}

	// The same update_id sent again by getUpdates. One at a time, each once
	// serve confirmed everything and waits in getUpdates: the next
	// getUpdates confirms every id under its offset, delivered or not.
	again := send(0)
	answered()
	for _, u := range again {
		waitConfirmed(t, fake, 10*time.Second)
		fake.Send(u)
	}
	waitConfirmed(t, fake, 10*time.Second)
	send(3)
	answered()

	// A batch recorded but not confirmed when serve dies: the getUpdates
	// after it, which would confirm it, is held until serve is killed.
	// (Once all is confirmed, serve's getUpdates waiting for the batch is
	// past the delay.) The getUpdates that returns the batch may return
	// only its first updates; the others wait for the restart.
	waitConfirmed(t, fake, 10*time.Second)
	fake.Slow(time.Minute, "getUpdates")
	batch := send(6)
	waitSent(t, fake, 10*time.Second, "an answer to the batch", func(m map[int64][]telegramtest.Call) bool {
		return len(m[scripts[0].chat]) == len(scripts[0].want())
	})
	in.waitIdle(10 * time.Second)
	if n := fakePending(t, fake); n != len(batch) {
		t.Fatalf("getUpdates holds %d updates before the kill; want the batch of %d, unconfirmed", n, len(batch))
	}
	recorded := in.recorded()
	c.kill()
	fake.Slow(0, "getUpdates")
	c.start()
	answered()
	waitConfirmed(t, fake, 10*time.Second)
	send(9)
	answered()

	// serve got them again.
	deliveries := map[int64]int{}
	for _, call := range fake.CallsTo("getUpdates") {
		if !call.OK() {
			continue
		}
		var us []struct {
			ID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(call.Result, &us); err != nil {
			t.Fatalf("getUpdates result %s: %v", call.Result, err)
		}
		for _, u := range us {
			deliveries[u.ID]++
		}
	}
	for _, u := range again {
		if n := deliveries[u.ID]; n != 2 {
			t.Errorf("getUpdates delivered update %d %d times; want 2", u.ID, n)
		}
	}
	for _, u := range batch {
		want := 1
		if recorded[u.ID] {
			want = 2
		}
		if n := deliveries[u.ID]; n != want {
			t.Errorf("getUpdates delivered update %d %d times; want %d (recorded before the kill: %t)", u.ID, n, want, recorded[u.ID])
		}
	}

	in.waitIdle(10 * time.Second)
	sent := sentTo(fake)
	for _, s := range scripts {
		if got, want := textsOf(sent[s.chat]), s.want(); !slices.Equal(got, want) {
			t.Errorf("chat %d: sent %q; want %q, each answer once", s.chat, abbrevAll(got), abbrevAll(want))
		}
	}
}

func abbrevAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = abbrev(s)
	}
	return out
}

// waitConfirmed waits until the bot confirmed every update in the fake's
// getUpdates queue.
func waitConfirmed(t testing.TB, fake *telegramtest.Server, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		n := fakePending(t, fake)
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("getUpdates still holds %d updates after %v", n, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeShutdown stops serve with SIGTERM while it has replies to send
// and updates recorded: it exits 0, with updates left and its leases given
// back, and the next serve handles what was left, so that every update is
// answered, once, in order.
func TestServeShutdown(t *testing.T) {
	t.Parallel()
	const chats, perChat = 20, 6
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	in := openInbox(t, srv.URL)
	e := newEngine(t)
	fake.Slow(100*time.Millisecond, "sendMessage")
	c := startServeChild(t, serveEnv(t, fake, srv.URL))

	scripts := make([]*script, chats)
	for i := range scripts {
		s := e.script(int64(9000+i), appLangs[i%len(appLangs)])
		for k := range perChat {
			s.say("/start " + e.topics[(i+k)%len(e.topics)])
			fake.Send(telegramtest.Message(s.chat, s.chat, s.code, s.inputs[k]))
		}
		scripts[i] = s
	}
	waitSent(t, fake, 10*time.Second, "the first answers", func(m map[int64][]telegramtest.Call) bool {
		n := 0
		for _, s := range scripts {
			n += len(m[s.chat])
		}
		return n >= chats
	})
	took, err := c.terminate(hangGuard)
	if err != nil {
		t.Fatalf("serve after SIGTERM: %v (after %v); want exit status 0", err, took)
	}
	left := in.pending()
	t.Logf("serve stopped %v after SIGTERM, leaving %d updates recorded and not handled", took.Round(time.Millisecond), left)
	if left == 0 {
		t.Fatalf("serve stopped with no update left to handle; the test proves nothing")
	}
	if locks := in.keys("lock:*"); len(locks) != 0 {
		t.Errorf("serve stopped holding leases %q; want them given back", locks)
	}

	c.start()
	waitSent(t, fake, 20*time.Second, "every answer", func(m map[int64][]telegramtest.Call) bool {
		for _, s := range scripts {
			if len(m[s.chat]) < len(s.want()) {
				return false
			}
		}
		return true
	})
	in.waitIdle(10 * time.Second)
	sent := sentTo(fake)
	for _, s := range scripts {
		if got, want := textsOf(sent[s.chat]), s.want(); !slices.Equal(got, want) {
			t.Errorf("chat %d: sent %q; want %q", s.chat, abbrevAll(got), abbrevAll(want))
		}
	}
}

// TestServeTwoProcessesWebhook runs two serves on one Redis in webhook
// mode. Each chat's updates go to the two by turns, some twice (a retried
// delivery), while the chats go on at once: every chat is answered once
// per update, in update_id order, and both serves do their share.
func TestServeTwoProcessesWebhook(t *testing.T) {
	t.Parallel()
	const chats, perChat = 20, 12
	const secret = "two-serves_1"
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	in := openInbox(t, srv.URL)
	e := newEngine(t)
	fake.Slow(40*time.Millisecond, "sendMessage")

	var serves []*served
	for range 2 {
		env := serveEnv(t, fake, srv.URL)
		env["WEBHOOK_URL"] = "http://" + env["HTTP_ADDR"] + "/telegram/hook"
		env["WEBHOOK_SECRET"] = secret
		serves = append(serves, startServe(t, fake, env))
	}
	post := func(s *served, u telegramtest.Update) {
		body, err := json.Marshal(u)
		if err != nil {
			t.Error(err)
			return
		}
		req, err := http.NewRequest(http.MethodPost, "http://"+s.addr+"/telegram/hook", bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("deliver update %d: %v", u.ID, err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("deliver update %d: webhook answered %d; want 200", u.ID, resp.StatusCode)
		}
	}

	scripts := make([]*script, chats)
	var wg sync.WaitGroup
	for i := range scripts {
		s := e.script(int64(6000+i), appLangs[i%len(appLangs)])
		for k := range perChat {
			s.say("/start " + e.topics[(i+k)%len(e.topics)])
		}
		scripts[i] = s
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))
			for k, text := range s.inputs {
				u := telegramtest.Message(s.chat, s.chat, s.code, text)
				u.ID = int64(1_000_000 + 1000*i + k)
				u.Message.ID = k + 1
				post(serves[(i+k)%2], u)
				if k%3 == 0 {
					post(serves[(i+k+1)%2], u) // Telegram retries
				}
				// Sometimes the chat's queue runs dry and the other serve
				// takes the next update, sometimes updates pile up.
				time.Sleep(time.Duration(rng.IntN(90)) * time.Millisecond)
			}
		})
	}
	wg.Wait()
	waitSent(t, fake, 20*time.Second, "every answer", func(m map[int64][]telegramtest.Call) bool {
		for _, s := range scripts {
			if len(m[s.chat]) < perChat {
				return false
			}
		}
		return true
	})
	in.waitIdle(10 * time.Second)

	sent := sentTo(fake)
	for _, s := range scripts {
		if got, want := textsOf(sent[s.chat]), s.want(); !slices.Equal(got, want) {
			t.Errorf("chat %d: sent %q; want %q, in update_id order, each once", s.chat, abbrevAll(got), abbrevAll(want))
		}
	}
	// Both do their share. Which serve claims a chat is a race, most
	// often won by the one the update was posted to, whose workers are
	// woken as it records it: while one has handled none, a new chat asks
	// it a question.
	updates := chats * perChat
	untilEachHandled(t, []string{serves[0].addr, serves[1].addr}, func(round, idle int) {
		s := e.script(int64(6500+round), "en")
		s.say("/start " + e.topics[round%len(e.topics)])
		u := telegramtest.Message(s.chat, s.chat, s.code, s.inputs[0])
		u.ID = int64(2_000_000 + round)
		post(serves[idle], u)
		updates++
		waitSent(t, fake, 20*time.Second, "the answer", func(m map[int64][]telegramtest.Call) bool { return len(m[s.chat]) > 0 })
		in.waitIdle(10 * time.Second)
		if got, want := textsOf(sentTo(fake)[s.chat]), s.want(); !slices.Equal(got, want) {
			t.Errorf("chat %d: sent %q; want %q", s.chat, abbrevAll(got), abbrevAll(want))
		}
	})
	total := handledCount(t, serves[0].addr) + handledCount(t, serves[1].addr)
	if total != updates {
		t.Errorf("the serves handled %d updates in all; want %d, each once", total, updates)
	}
}

// handledCount reads from serve's metrics how many updates it handled.
func handledCount(t testing.TB, addr string) int {
	t.Helper()
	for line := range strings.Lines(get(t, "http://"+addr+"/metrics")) {
		if v, ok := strings.CutPrefix(line, "examdesk_update_handling_seconds_count "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("metrics: %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("metrics of %s lack examdesk_update_handling_seconds_count", addr)
	return 0
}

// holdingProxy stands between serve and the fake Bot API, and can keep
// back the answer to a call: the call is carried out, but serve never
// learns it: a reply in flight when serve dies.
type holdingProxy struct {
	fake *telegramtest.Server
	ts   *httptest.Server

	mu     sync.Mutex
	method string // whose call to hold; "" for none
	n      int    // calls of method until the one held
	held   chan struct{}
}

func newHoldingProxy(t testing.TB, fake *telegramtest.Server) *holdingProxy {
	p := &holdingProxy{fake: fake}
	p.ts = httptest.NewServer(p)
	t.Cleanup(p.ts.Close)
	return p
}

// front opens another way in to the proxy, for one serve process: its URL,
// and a close that returns once every call that came in through it was
// carried out by the fake (a call sent but not yet read is never carried
// out). Closed after that process died, it leaves the fake's calls
// complete: the dead process's last sends are counted with the others.
func (p *holdingProxy) front(t testing.TB) (url string, close func()) {
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	return ts.URL, ts.Close
}

// hold holds the answer to the nth call of method from now on; the channel
// is closed once that call was carried out.
func (p *holdingProxy) hold(method string, nth int) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.method, p.n, p.held = method, nth, make(chan struct{})
	return p.held
}

func (p *holdingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Whether to hold is decided when the call arrives.
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	var held chan struct{}
	p.mu.Lock()
	if p.method != "" && strings.EqualFold(method, p.method) {
		if p.n--; p.n == 0 {
			held, p.method = p.held, ""
		}
	}
	p.mu.Unlock()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	// A call that came in is carried out even if serve dies meanwhile, as
	// by Telegram once it has read the request; only a long poll ends
	// with its poller.
	ctx := r.Context()
	if !strings.EqualFold(method, "getUpdates") {
		ctx = context.WithoutCancel(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, p.fake.URL()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	if held != nil {
		close(held)
		<-r.Context().Done() // until serve dies
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(out)
}

// TestServeKillReplyInFlight kills serve while a reply's call is carried
// out by Telegram but its answer has not reached serve, once or again
// while the next serve sends what was left: the reply in flight is sent
// again, and only it, and none that serve had not started to send is
// lost.
func TestServeKillReplyInFlight(t *testing.T) {
	type hold struct {
		method string
		nth    int // counted from the update, or from the restart
	}
	tests := []struct {
		name  string
		press bool   // the update is a press on an answer (one message), else /start mid-check (two messages)
		holds []hold // for each serve in turn, the call in flight when it is killed
		twice int    // the copies sent again
	}{
		{"second message", false, []hold{{"sendMessage", 2}}, 1},
		{"first message, twice", false, []hold{{"sendMessage", 1}, {"sendMessage", 1}}, 2},
		{"the message after the button's answer", true, []hold{{"sendMessage", 1}}, 1},
		{"the button's answer before its message", true, []hold{{"answerCallbackQuery", 1}}, 0},
	}
	e := newEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each with a serve, a Redis and a Bot API of its own
			fake := telegramtest.NewServer(testToken)
			defer fake.Close()
			srv := redistest.Start(t)
			in := openInbox(t, srv.URL)
			proxy := newHoldingProxy(t, fake)
			env := serveEnv(t, fake, srv.URL)
			env["TELEGRAM_API_URL"] = proxy.ts.URL
			env["EXAMDESK_INSTANCE"] = "serve-0"
			c := startServeChild(t, env)

			s := e.script(5000, "en")
			ch := newChat(t, fake, s.chat, s.code)
			s.say("/start")
			ch.say("/start", "E-commerce")
			s.say("/check")
			ch.say("/check", "Question 1.")
			s.say("7")
			ch.say("7", "Question 2.")
			in.waitIdle(10 * time.Second)
			var held <-chan struct{}
			if tt.press {
				held = proxy.hold(tt.holds[0].method, tt.holds[0].nth)
				data, msgID := ch.button("Bachelor")
				s.press(data)
				fake.Send(telegramtest.Callback(ch.id, ch.id, ch.lang, data, msgID))
			} else {
				held = proxy.hold(tt.holds[0].method, tt.holds[0].nth)
				s.say("/start")
				fake.Send(telegramtest.Message(ch.id, ch.id, ch.lang, "/start"))
			}
			var kills []time.Time
			for i := range tt.holds {
				select {
				case <-held:
				case <-time.After(10 * time.Second):
					t.Fatalf("serve %d made no call %d of %s", i+1, tt.holds[i].nth, tt.holds[i].method)
				}
				kills = append(kills, time.Now())
				c.kill()
				if i+1 < len(tt.holds) {
					held = proxy.hold(tt.holds[i+1].method, tt.holds[i+1].nth)
				}
				c.start()
			}
			in.waitIdle(10 * time.Second)
			s.say("/help")
			fake.Send(telegramtest.Message(ch.id, ch.id, ch.lang, "/help"))
			ch.wait(0, "Commands")
			in.waitIdle(10 * time.Second)

			if twice := checkTranscript(t, ch.id, ch.messages(), s.want(), kills); twice != tt.twice {
				t.Errorf("sent %q; want %q, with %d messages sent again", abbrevAll(textsOf(ch.messages())), abbrevAll(s.want()), tt.twice)
			}
		})
	}
}
