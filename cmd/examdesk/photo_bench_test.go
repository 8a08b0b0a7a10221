package main

import (
	"context"
	"fmt"
	"image/color"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk/photo/phototest"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// BenchmarkServePhoto drives `examdesk serve`, a child process with a
// Redis of its own, through the fake Bot API: chats chats send a picture
// each, all at once, and each waits for its answer, the checklist and the
// three print-ready files. The pictures are those of the photo package's
// benchmarks: a photo as Telegram sends one (2560 × 1920, about 470 KB)
// and a 12-megapixel phone JPEG file on its side (about 3.3 MB).
//
//	go test -run '^$' -bench ServePhoto -benchtime 3x ./cmd/examdesk/
//
// It reports the time from a picture's update to its last file (p50 and
// the slowest), the pictures answered per second, serve's peak RSS before
// the pictures (after a warm-up) and after them, and the CPU serve spent
// per picture.
func BenchmarkServePhoto(b *testing.B) {
	pictures := map[string]func(testing.TB) telegramtest.Update{
		"telegram-2560x1920": func(t testing.TB) telegramtest.Update {
			m := phototest.Portrait{W: 2560, H: 1920, Background: color.White, Head: 560, Crown: 500, X: 1280}.Image(t)
			data := phototest.JPEG(t, phototest.Noisy(m, 8), 87)
			return telegramtest.Photo(0, 0, "en", telegramtest.PhotoSize{Width: 2560, Height: 1920, Data: data})
		},
		"file-12MP": func(t testing.TB) telegramtest.Update {
			m := phototest.Portrait{W: 3000, H: 4000, Background: color.White, Head: 1100, Crown: 900, X: 1500}.Image(t)
			data := phototest.PhoneJPEG(t, phototest.Noisy(m, 16), 6, 92)
			return telegramtest.File(0, 0, "en", telegramtest.Document{FileName: "IMG_0042.JPG", MIMEType: "image/jpeg", Data: data})
		},
	}
	for _, name := range []string{"telegram-2560x1920", "file-12MP"} {
		u := pictures[name](b)
		for _, chats := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/chats=%d", name, chats), func(b *testing.B) { benchPhoto(b, u, chats) })
		}
	}
}

// benchPhoto has chats chats send the picture of u at once, b.N times.
func benchPhoto(b *testing.B, u telegramtest.Update, chats int) {
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	var (
		mu      sync.Mutex
		docs    = map[int64]int{}
		texts   = map[int64][]string{}
		changed = make(chan struct{}, 1)
	)
	ctx, cancel := context.WithCancel(context.Background())
	followed := make(chan struct{})
	go func() {
		fake.Follow(ctx, func(c telegramtest.Call) {
			mu.Lock()
			switch c.Method {
			case "sendDocument":
				docs[c.ChatID()]++
			case "sendMessage":
				texts[c.ChatID()] = append(texts[c.ChatID()], c.Params["text"])
			}
			mu.Unlock()
			select {
			case changed <- struct{}{}:
			default:
			}
		})
		close(followed)
	}()
	defer func() { cancel(); <-followed }()
	// wait waits until done holds, or a minute.
	wait := func(done func() bool) bool {
		deadline := time.NewTimer(time.Minute)
		defer deadline.Stop()
		for {
			mu.Lock()
			ok := done()
			mu.Unlock()
			if ok {
				return true
			}
			select {
			case <-changed:
			case <-deadline.C:
				return false
			}
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	l.Close()
	srv := redistest.Start(b)
	env := map[string]string{
		roleEnv:              "serve",
		"TELEGRAM_BOT_TOKEN": testToken,
		"TELEGRAM_API_URL":   fake.URL(),
		"HTTP_ADDR":          l.Addr().String(),
		"REDIS_URL":          srv.URL,
	}
	child, err := startLoadBot(env)
	if err != nil {
		b.Fatal(err)
	}
	defer child.stop(b)
	if err := child.waitReady("http://" + env["HTTP_ADDR"] + "/readyz"); err != nil {
		b.Fatal(err)
	}
	fake.Send(telegramtest.Message(1, 1, "en", "/start"))
	if !wait(func() bool { return len(texts[1]) > 0 }) {
		b.Fatalf("no answer to the warm-up\n%s", child.stderr)
	}
	time.Sleep(300 * time.Millisecond)
	before, err := procPeakRSS(child.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu0, err := procCPUTime(child.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}

	var (
		lats    []time.Duration
		elapsed time.Duration
		base    int64 = 100
	)
	for b.Loop() {
		start := time.Now()
		sent := make([]time.Time, chats)
		for i := range chats {
			chat := base + int64(i)
			v := u
			v.Message.Chat.ID, v.Message.From.ID = chat, chat
			sent[i] = time.Now()
			fake.Send(v)
		}
		done := make([]time.Duration, chats)
		for i := range chats {
			chat := base + int64(i)
			if !wait(func() bool { return docs[chat] >= 3 }) {
				mu.Lock()
				b.Fatalf("chat %d: %d files and %q after a minute\n%s", chat, docs[chat], texts[chat], child.stderr)
			}
			done[i] = time.Since(sent[i])
		}
		elapsed += time.Since(start)
		lats = append(lats, done...)
		mu.Lock()
		for i := range chats {
			chat := base + int64(i)
			if got := texts[chat]; len(got) != 1 || strings.Contains(got[0], "❌") || docs[chat] != 3 {
				b.Errorf("chat %d: sent %q and %d files; want the checklist, all passed, and 3 files", chat, got, docs[chat])
			}
		}
		mu.Unlock()
		base += int64(chats)
	}
	after, err := procPeakRSS(child.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu1, err := procCPUTime(child.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	slices.Sort(lats)
	n := len(lats)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(lats[n/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lats[n-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "pictures/s")
	b.ReportMetric(float64(before)/(1<<20), "peak-RSS-before-MB")
	b.ReportMetric(float64(after)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64((cpu1-cpu0).Microseconds())/1000/float64(n), "cpu-ms/picture")
}
