package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"examdesk/bot"
	"examdesk/calendar"
	"examdesk/calendar/calendartest"
	"examdesk/dialog"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// BenchmarkServe is the load benchmark: for 500 and for 1,000 chats at
// once, it drives `examdesk serve` through the fake Bot API and, in the same
// run, a bare go-telegram/bot handler that answers each message with one
// sendMessage and keeps no state. Each chat sends loadScript's messages,
// each once the answer to the one before has come. Both bots run as child
// processes (the test binary in a role) so that their CPU time and peak RSS
// can be read; serve has a redis-server of its own, which like every
// redistest server fsyncs its append-only file at every write
// (appendfsync always).
//
//	go test -run '^$' -bench Serve -benchtime 1x ./cmd/examdesk/
//
// It prints, and reports as metrics, the updates handled per second, the
// p50 and p99 latency (from the update's Send to the arrival at the fake of
// the answer's last message), Redis's commands per update (its
// total_commands_processed, which on Redis 7 counts the commands that
// scripts run too), the bot's round trips to Redis per update (the replies
// Redis wrote: total_writes_processed), the CPU time per update of the bot,
// of Redis and of the benchmark process ("bench": the fake Bot API and the
// chats), and the bot's peak RSS (VmHWM). It fails when serve's answers are not
// exactly, in order and once, those the dialog engine gives.
//
// EXAMDESK_BENCH_REDIS_PROXY=1 puts a proxy in front of Redis that counts
// serve's commands by name, and its scripts by their keys ("EVALSHA
// lock/7"); it costs serve about a tenth of its rate.
// EXAMDESK_TEST_CPUPROFILE=file makes each bot write a CPU profile to
// file.<role>.<pid>.
func BenchmarkServe(b *testing.B) {
	want, err := loadTranscripts(loadMessages)
	if err != nil {
		b.Fatal(err)
	}
	var results []*loadResult
	for _, chats := range []int{500, 1000} {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			var bare *loadResult
			for _, kind := range []string{"bare", "serve"} {
				b.Run("bot="+kind, func(b *testing.B) {
					r := benchLoad(b, kind, chats, want)
					if r == nil {
						return
					}
					if kind == "bare" {
						bare = r
					} else if bare != nil {
						r.ratio = r.rate() / bare.rate()
						b.ReportMetric(r.ratio, "x-bare-rate")
					}
					results = append(results, r)
				})
			}
		})
	}
	if len(results) > 0 {
		fmt.Printf("\n%s\n\n", loadTable(results))
	}
}

// loadMessages is how many messages each chat sends in a round.
const loadMessages = 20

// loadScript is what a chat says, by language: FAQ questions, /check and
// answers to its questions, numbers among them. A chat sends them in turn,
// wrapping around.
var loadScript = []struct {
	lang string // the app's language code
	msgs []string
}{
	{"en", []string{"/check", "7 years", "5", "What size is the photo?", "1", "3", "Where do I collect my certificate?", "/check", "12", "When can I register?"}},
	{"zh-HK", []string{"/check", "七年", "5", "照片要多大？", "1", "三年", "成績複核怎麼辦", "/check", "12", "甚麼時候報名"}},
	{"zh-CN", []string{"/check", "7年", "5", "补考怎么办", "1", "3年", "准考证什么时候领", "/check", "12", "在哪里报名"}},
}

// loadTranscript is, for each message a chat sends, the texts of the messages
// that answer it.
type loadTranscript [][]string

// loadTranscripts works out, with the dialog engine and the Telegram
// rendering serve uses, what serve answers each script, by language code,
// over n messages.
func loadTranscripts(n int) (map[string]loadTranscript, error) {
	engine, catalog, err := loadEngine()
	if err != nil {
		return nil, err
	}
	// Serve answers dates from its calendar, empty in the benchmark's
	// Redis: the model does too.
	cal, err := calendar.NewCache(&calendartest.MemStore{}, calendar.CacheOptions{})
	if err != nil {
		return nil, err
	}
	engine.Dates = dialog.NewDateAnswers(cal, engine.FAQ())
	out := map[string]loadTranscript{}
	for _, s := range loadScript {
		var (
			st dialog.State
			tr loadTranscript
		)
		for i := range n {
			next, r := engine.Step(st, dialog.Input{Text: s.msgs[i%len(s.msgs)], LanguageCode: s.lang})
			// The state goes through Redis between two messages.
			data, err := dialog.EncodeState(next)
			if err != nil {
				return nil, err
			}
			if st, err = dialog.DecodeState(data); err != nil {
				return nil, err
			}
			var texts []string
			for _, o := range bot.Render(catalog, r) {
				texts = append(texts, o.Text)
			}
			if len(texts) == 0 {
				return nil, fmt.Errorf("%s message %d %q gets no answer", s.lang, i, s.msgs[i%len(s.msgs)])
			}
			tr = append(tr, texts)
		}
		out[s.lang] = tr
	}
	return out, nil
}

// loadResult is what a load run measured of one bot.
type loadResult struct {
	kind           string
	chats, updates int
	elapsed        time.Duration
	latencies      []time.Duration // sorted
	commands       int64           // Redis commands processed, scripts' own included
	trips          int64           // Redis replies written
	byCommand      map[string]int64
	cpu            time.Duration // of the bot process
	redisCPU       time.Duration
	own            time.Duration // of this process: fake Bot API, chats, Redis proxy
	peakRSS        int64         // VmHWM of the bot process, bytes
	ratio          float64       // of serve's rate to bare's; 0 unknown
}

func (r *loadResult) rate() float64 { return float64(r.updates) / r.elapsed.Seconds() }

func (r *loadResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(int(p*float64(len(r.latencies))), len(r.latencies)-1)]
}

// perUpdate is d per update, in ms.
func (r *loadResult) perUpdate(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000 / float64(r.updates)
}

// loadTable lays results out for the README.
func loadTable(results []*loadResult) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "| bot | chats | updates | updates/s | × bare | p50 | p99 | Redis cmds/update | Redis round trips/update | bot CPU/update | Redis CPU/update | bench CPU/update | bot peak RSS |\n")
	fmt.Fprintf(&buf, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		ratio := "–"
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.2f", r.ratio)
		}
		n := float64(r.updates)
		fmt.Fprintf(&buf, "| %s | %d | %d | %.0f | %s | %s | %s | %.2f | %.2f | %.3f ms | %.3f ms | %.3f ms | %.1f MB |\n",
			r.kind, r.chats, r.updates, r.rate(), ratio,
			r.percentile(0.50).Round(100*time.Microsecond), r.percentile(0.99).Round(100*time.Microsecond),
			float64(r.commands)/n, float64(r.trips)/n,
			r.perUpdate(r.cpu), r.perUpdate(r.redisCPU), r.perUpdate(r.own), float64(r.peakRSS)/(1<<20))
	}
	for _, r := range results {
		if len(r.byCommand) == 0 {
			continue
		}
		fmt.Fprintf(&buf, "\n%s, %d chats, commands sent per update:", r.kind, r.chats)
		for _, k := range slices.Sorted(maps.Keys(r.byCommand)) {
			fmt.Fprintf(&buf, " %s %.3f;", k, float64(r.byCommand[k])/float64(r.updates))
		}
	}
	return buf.String()
}

// benchLoad starts the bot kind ("serve" or "bare") as a child process on
// a fake Bot API of its own, has chats chats talk to it, each chat in a
// round sending loadMessages messages, and reports what it measured.
func benchLoad(b *testing.B, kind string, chats int, want map[string]loadTranscript) *loadResult {
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	router := newLoadRouter()
	ctx, cancel := context.WithCancel(context.Background())
	followed := make(chan struct{})
	go func() {
		fake.Follow(ctx, router.route)
		close(followed)
	}()
	defer func() { cancel(); <-followed }()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	l.Close()
	env := map[string]string{
		roleEnv:              kind,
		"TELEGRAM_BOT_TOKEN": testToken,
		"TELEGRAM_API_URL":   fake.URL(),
		"HTTP_ADDR":          l.Addr().String(),
	}
	var (
		rdb     *redis.Client
		counter *redisCounter
	)
	if kind == "serve" {
		// The chats talk far faster than people (20 messages in a few
		// seconds), and the fake has no limits: serve's pace to a chat is
		// raised out of the way. Its turns are taken all the same, in the
		// same scripts, at the same cost.
		env["EXAMDESK_CHAT_RATE"] = "1000"
		srv := redistest.Start(b)
		env["REDIS_URL"] = srv.URL
		opt, err := redis.ParseURL(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		rdb = redis.NewClient(opt)
		defer rdb.Close()
		if os.Getenv("EXAMDESK_BENCH_REDIS_PROXY") != "" {
			if counter, err = startRedisCounter(opt.Addr); err != nil {
				b.Fatal(err)
			}
			defer counter.Close()
			env["REDIS_URL"] = "redis://" + counter.Addr() + "/0"
		}
	}
	child, err := startLoadBot(env)
	if err != nil {
		b.Fatal(err)
	}
	defer child.stop(b)
	if kind == "serve" {
		if err := child.waitReady("http://" + env["HTTP_ADDR"] + "/readyz"); err != nil {
			b.Fatal(err)
		}
	}

	// A warm-up chat: the bot polls, and serve has its scripts loaded.
	warm := &loadChat{id: 1, lang: loadScript[0].lang, replies: router.add(1)}
	for k, text := range loadScript[0].msgs[:3] {
		expect := []string{"ok"}
		if kind == "serve" {
			expect = want[warm.lang][k]
		}
		if _, err := warm.ask(fake, text, expect); err != nil {
			b.Fatalf("warm-up: %v\n%s", err, child.stderr.String())
		}
	}
	time.Sleep(300 * time.Millisecond) // let the bot settle: only idle work from now on
	router.reset()

	r := &loadResult{kind: kind, chats: chats, byCommand: map[string]int64{}}
	var errs []error
	round := 0
	for b.Loop() {
		round++
		before, err := loadSnapshot(ctx, child, rdb, counter)
		if err != nil {
			b.Fatal(err)
		}
		lat, elapsed, roundErrs := loadRound(fake, router, kind, chats, int64(round)*10_000_000, want)
		// The bot finishes its work (serve's Next, a sender's retry)
		// within a moment of the last answer.
		time.Sleep(300 * time.Millisecond)
		after, err := loadSnapshot(ctx, child, rdb, counter)
		if err != nil {
			b.Fatal(err)
		}
		errs = append(errs, roundErrs...)
		errs = append(errs, router.extra()...)
		r.updates += chats * loadMessages
		r.elapsed += elapsed
		r.latencies = append(r.latencies, lat...)
		r.cpu += after.cpu - before.cpu
		r.own += after.own - before.own
		r.redisCPU += after.redisCPU - before.redisCPU
		// Less the INFO of the first snapshot, which the second counts.
		r.commands += after.commands - before.commands - before.infos
		r.trips += after.writes - before.writes - before.infos
		for k, n := range after.byCommand {
			if d := n - before.byCommand[k]; d > 0 {
				r.byCommand[k] += d
			}
		}
	}
	peak, err := procPeakRSS(child.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	r.peakRSS = peak
	for line := range strings.SplitSeq(child.stderr.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, "[ERROR]") {
			errs = append(errs, fmt.Errorf("the bot logged an error: %s", line))
		}
	}
	for i, err := range errs {
		if i == 10 {
			b.Errorf("... and %d more", len(errs)-10)
			break
		}
		b.Error(err)
	}
	if len(errs) > 0 {
		return nil
	}
	slices.Sort(r.latencies)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(r.rate(), "updates/s")
	b.ReportMetric(float64(r.percentile(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.percentile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(r.commands)/float64(r.updates), "redis-cmds/update")
	b.ReportMetric(float64(r.trips)/float64(r.updates), "redis-trips/update")
	b.ReportMetric(r.perUpdate(r.cpu), "cpu-ms/update")
	b.ReportMetric(r.perUpdate(r.redisCPU), "redis-cpu-ms/update")
	b.ReportMetric(r.perUpdate(r.own), "bench-cpu-ms/update")
	b.ReportMetric(float64(r.peakRSS)/(1<<20), "peak-RSS-MB")
	return r
}

// loadRound has chats chats, with ids from base+1, each send loadMessages
// messages, one after the answer to the other, and returns the latencies,
// the time from the first message to the last answer, and what went wrong.
func loadRound(fake *telegramtest.Server, router *loadRouter, kind string, chats int, base int64, want map[string]loadTranscript) ([]time.Duration, time.Duration, []error) {
	cs := make([]*loadChat, chats)
	for i := range cs {
		id := base + int64(i) + 1
		cs[i] = &loadChat{id: id, lang: loadScript[i%len(loadScript)].lang, replies: router.add(id)}
	}
	var (
		mu   sync.Mutex
		lats []time.Duration
		errs []error
		last time.Time
		wg   sync.WaitGroup
	)
	start := time.Now()
	for i, c := range cs {
		script := loadScript[i%len(loadScript)].msgs
		wg.Go(func() {
			var mine []time.Duration
			var err error
			for k := range loadMessages {
				expect := []string{"ok"}
				if kind == "serve" {
					expect = want[c.lang][k]
				}
				var d time.Duration
				if d, err = c.ask(fake, script[k%len(script)], expect); err != nil {
					err = fmt.Errorf("chat %d (%s), message %d: %w", c.id, c.lang, k+1, err)
					break
				}
				mine = append(mine, d)
			}
			mu.Lock()
			defer mu.Unlock()
			lats = append(lats, mine...)
			if err != nil {
				errs = append(errs, err)
			}
			if c.lastAnswer.After(last) {
				last = c.lastAnswer
			}
		})
	}
	wg.Wait()
	return lats, last.Sub(start), errs
}

// loadAnswerTimeout bounds the wait for an answer under load.
const loadAnswerTimeout = time.Minute

// loadChat is one candidate of the load.
type loadChat struct {
	id         int64
	lang       string
	replies    chan telegramtest.Call
	lastAnswer time.Time
}

// ask sends text and waits for its answer, the messages want. It returns
// the time from sending to the arrival of the answer's last message.
func (c *loadChat) ask(fake *telegramtest.Server, text string, want []string) (time.Duration, error) {
	start := time.Now()
	fake.Send(telegramtest.Message(c.id, c.id, c.lang, text))
	timeout := time.NewTimer(loadAnswerTimeout)
	defer timeout.Stop()
	n := len(want)
	for i := range n {
		select {
		case call := <-c.replies:
			if !call.OK() {
				return 0, fmt.Errorf("sendMessage failed: %s", call)
			}
			if call.Params["text"] != want[i] {
				return 0, fmt.Errorf("%q: answer %d of %d is %.80q; want %.80q", text, i+1, n, call.Params["text"], want[i])
			}
			c.lastAnswer = call.Time
		case <-timeout.C:
			return 0, fmt.Errorf("%q: %d of %d answers in %v", text, i, n, loadAnswerTimeout)
		}
	}
	return c.lastAnswer.Sub(start), nil
}

// loadRouter hands each sendMessage to the chat it is sent to.
type loadRouter struct {
	mu    sync.Mutex
	chats map[int64]chan telegramtest.Call
}

func newLoadRouter() *loadRouter {
	return &loadRouter{chats: map[int64]chan telegramtest.Call{}}
}

// add returns the channel of chat id's messages.
func (r *loadRouter) add(id int64) chan telegramtest.Call {
	ch := make(chan telegramtest.Call, 4*loadMessages)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chats[id] = ch
	return ch
}

func (r *loadRouter) route(c telegramtest.Call) {
	if c.Method != "sendMessage" {
		return
	}
	r.mu.Lock()
	ch := r.chats[c.ChatID()]
	r.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- c:
	default: // a chat flooded with answers fails as answered too often
	}
}

// extra reports the chats that got messages nobody asked for, and forgets
// the chats.
func (r *loadRouter) extra() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for id, ch := range r.chats {
		if n := len(ch); n > 0 {
			c := <-ch
			errs = append(errs, fmt.Errorf("chat %d: %d messages more than asked for, the first %s", id, n, c))
		}
	}
	clear(r.chats)
	return errs
}

// reset forgets the chats.
func (r *loadRouter) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.chats)
}

// loadCounts are running totals.
type loadCounts struct {
	cpu       time.Duration // of the bot
	own       time.Duration // of this process
	redisCPU  time.Duration
	commands  int64 // Redis's total_commands_processed
	writes    int64 // Redis's total_writes_processed: the replies
	infos     int64 // of which the INFO of this snapshot, counted by the next
	byCommand map[string]int64
}

// loadSnapshot reads the CPU time of the bot and of this process and, for
// serve, Redis's CPU time, commands and replies so far, and the proxy's
// counts if there is one.
func loadSnapshot(ctx context.Context, child *loadBot, rdb *redis.Client, counter *redisCounter) (loadCounts, error) {
	var c loadCounts
	var err error
	if c.cpu, err = procCPUTime(child.cmd.Process.Pid); err != nil {
		return c, err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return c, err
	}
	c.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if rdb == nil {
		return c, nil
	}
	if counter != nil {
		c.byCommand = counter.Counts()
	}
	info, err := rdb.Info(ctx, "stats", "cpu").Result()
	if err != nil {
		return c, fmt.Errorf("redis INFO: %w", err)
	}
	c.infos = 1
	var errs []error
	for line := range strings.SplitSeq(info, "\n") {
		name, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		switch name {
		case "total_commands_processed":
			c.commands, err = strconv.ParseInt(v, 10, 64)
			errs = append(errs, err)
		case "total_writes_processed":
			c.writes, err = strconv.ParseInt(v, 10, 64)
			errs = append(errs, err)
		case "used_cpu_user", "used_cpu_sys":
			sec, err := strconv.ParseFloat(v, 64)
			errs = append(errs, err)
			c.redisCPU += time.Duration(sec * float64(time.Second))
		}
	}
	return c, errors.Join(errs...)
}

// loadBot is a bot running as a child process: the test binary in a role.
type loadBot struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// startLoadBot runs the test binary in the role of env[roleEnv] with env,
// and the rest of this process's environment but the variables of serve.
func startLoadBot(env map[string]string) (*loadBot, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(envVars, k) && k != roleEnv && k != "GORACE" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// Built with -race, the bot would sleep a second at its exit, after
	// it was measured.
	cmd.Env = append(cmd.Env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &loadBot{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = c.stderr, c.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the %s bot: %w", env[roleEnv], err)
	}
	go func() { c.done <- cmd.Wait() }()
	return c, nil
}

// waitReady waits until url answers 200.
func (c *loadBot) waitReady(url string) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.done:
			c.done <- err
			return fmt.Errorf("the bot ended at start: %v\n%s", err, c.stderr)
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the bot is not ready after 15 s:\n%s", c.stderr)
}

// stop stops the bot as SIGTERM does and checks that it exits well.
func (c *loadBot) stop(b *testing.B) {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		if err != nil {
			b.Errorf("the bot ended with %v\n%s", err, c.stderr)
		}
	case <-time.After(15 * time.Second):
		c.cmd.Process.Kill()
		b.Errorf("the bot did not stop within 15 s of SIGTERM\n%s", c.stderr)
	}
}

// procPeakRSS returns the peak resident set size of process pid (VmHWM).
func procPeakRSS(pid int) (int64, error) {
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// procCPUTime returns the user and system CPU time of process pid so far.
func procCPUTime(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses.
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	f := strings.Fields(string(rest))
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("malformed /proc/%d/stat: %w", pid, err)
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick, nil
}

// bareMain is the bare handler the benchmark compares serve with:
// go-telegram/bot with its default polling, answering each message with
// one sendMessage, keeping no state.
func bareMain(ctx context.Context) int {
	b, err := tg.New(os.Getenv("TELEGRAM_BOT_TOKEN"),
		tg.WithServerURL(os.Getenv("TELEGRAM_API_URL")),
		tg.WithDefaultHandler(func(ctx context.Context, b *tg.Bot, u *models.Update) {
			if u.Message == nil {
				return
			}
			b.SendMessage(ctx, &tg.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "ok"})
		}))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		return 1
	}
	b.Start(ctx)
	return 0
}

// withCPUProfile runs main with a CPU profile written to
// $EXAMDESK_TEST_CPUPROFILE.<role>.<pid> when that variable is set.
func withCPUProfile(role string, main func(context.Context) int) func(context.Context) int {
	prefix := os.Getenv("EXAMDESK_TEST_CPUPROFILE")
	if prefix == "" {
		return main
	}
	return func(ctx context.Context) int {
		f, err := os.Create(fmt.Sprintf("%s.%s.%d", prefix, role, os.Getpid()))
		if err != nil {
			fmt.Fprintln(os.Stderr, "cpu profile:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "cpu profile:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
		return main(ctx)
	}
}

// redisCounter is a proxy in front of Redis that counts the commands its
// clients send by name; a script by its first key's kind and its number of
// keys ("EVALSHA lock/7"; "EVALSHA seen" for Add, which has a key per
// update).
type redisCounter struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	counts map[string]int64
	conns  []net.Conn
	wg     sync.WaitGroup
}

func startRedisCounter(target string) (*redisCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &redisCounter{ln: ln, target: target, counts: map[string]int64{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the proxy's address, to give the clients.
func (p *redisCounter) Addr() string { return p.ln.Addr().String() }

// Counts returns the commands counted so far.
func (p *redisCounter) Counts() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Close closes the proxy and its connections.
func (p *redisCounter) Close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *redisCounter) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() {
			io.Copy(client, server)
			client.Close()
		})
		p.wg.Go(func() {
			p.forward(server, client)
			server.Close()
		})
	}
}

// forward copies the commands read from client to server, counting them.
func (p *redisCounter) forward(server io.Writer, client io.Reader) {
	r := bufio.NewReader(client)
	w := bufio.NewWriter(server)
	for {
		name, err := p.command(r, w)
		if err != nil {
			return
		}
		p.mu.Lock()
		p.counts[name]++
		p.mu.Unlock()
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

// command copies one RESP command from r to w and names it.
func (p *redisCounter) command(r *bufio.Reader, w *bufio.Writer) (string, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	w.Write(line)
	if line[0] != '*' {
		f := strings.Fields(string(line))
		if len(f) == 0 {
			return "(empty)", nil
		}
		return strings.ToUpper(f[0]), nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(line[1:])))
	if err != nil {
		return "", err
	}
	var args []string
	for i := range n {
		line, err := r.ReadSlice('\n')
		if err != nil || line[0] != '$' {
			return "", fmt.Errorf("redis counter: bad bulk string header %q: %v", line, err)
		}
		w.Write(line)
		size, err := strconv.Atoi(strings.TrimSpace(string(line[1:])))
		if err != nil {
			return "", err
		}
		data := make([]byte, size+2)
		if _, err := io.ReadFull(r, data); err != nil {
			return "", err
		}
		w.Write(data)
		if i < 4 {
			args = append(args, string(data[:size]))
		}
	}
	if len(args) == 0 {
		return "(empty)", nil
	}
	name := strings.ToUpper(args[0])
	if (name == "EVALSHA" || name == "EVAL") && len(args) >= 4 {
		// prefix + kind [+ ":" + chat]
		key := strings.TrimRight(args[3], "0123456789")
		key = strings.TrimSuffix(key, ":")
		key = key[strings.LastIndex(key, ":")+1:]
		if key == "seen" { // Add: as many keys as updates, and two
			name += " " + key
		} else {
			name += " " + key + "/" + args[2]
		}
	}
	return name, nil
}
