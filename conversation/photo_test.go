package conversation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image/jpeg"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk"
	"examdesk/conversation"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/photo"
	"examdesk/photo/phototest"
	"examdesk/redisstore"
)

// fileTransport is a memTransport through which users send pictures and
// receive files: it serves the pictures it is given and records, in one
// log, what is downloaded and what is sent.
type fileTransport struct {
	*memTransport

	fmu      sync.Mutex
	pictures map[string][]byte
	fail     map[string][]error // errors the next downloads of a file return
	events   []string           // "download <file>", "send <chat>", "file <chat> <name>"
	files    map[int64][]conversation.File
	hold     chan struct{} // when set, downloads wait for it to close
	entered  chan string   // when set, gets the file of each download begun
}

func newFileTransport(m *memTransport) *fileTransport {
	return &fileTransport{memTransport: m, pictures: map[string][]byte{}, fail: map[string][]error{}, files: map[int64][]conversation.File{}}
}

func (f *fileTransport) log(event string) {
	f.fmu.Lock()
	defer f.fmu.Unlock()
	f.events = append(f.events, event)
}

func (f *fileTransport) Send(ctx context.Context, chat int64, m conversation.Message) error {
	f.log(fmt.Sprint("send ", chat))
	return f.memTransport.Send(ctx, chat, m)
}

func (f *fileTransport) Download(ctx context.Context, file string, limit int64) ([]byte, error) {
	f.log("download " + file)
	if f.entered != nil {
		f.entered <- file
	}
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.fmu.Lock()
	defer f.fmu.Unlock()
	if errs := f.fail[file]; len(errs) > 0 {
		f.fail[file] = errs[1:]
		return nil, errs[0]
	}
	data, ok := f.pictures[file]
	if !ok {
		// As Telegram's 400 for a file_id it does not know.
		return nil, fmt.Errorf("wrong file_id: %w", conversation.ErrRejected)
	}
	if int64(len(data)) > limit {
		return nil, conversation.ErrTooLarge
	}
	return data, nil
}

func (f *fileTransport) SendFile(_ context.Context, chat int64, file conversation.File) error {
	f.log(fmt.Sprint("file ", chat, " ", file.Name))
	f.fmu.Lock()
	defer f.fmu.Unlock()
	f.files[chat] = append(f.files[chat], file)
	return nil
}

// took returns the files sent to chat and the events so far, and forgets
// them.
func (f *fileTransport) took(chat int64) ([]conversation.File, []string) {
	f.fmu.Lock()
	defer f.fmu.Unlock()
	files, events := f.files[chat], f.events
	delete(f.files, chat)
	f.events = nil
	return files, events
}

var checker = sync.OnceValues(photo.Load)

// realChecker is the photo checker as the bot has it, checking each
// picture anew.
func realChecker(t testing.TB) *photo.Checker {
	t.Helper()
	c, err := checker()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedChecker is the real checker for the tests whose point is the
// pipeline (leases, turns, order), not the verdict: it checks each
// picture once in the test binary and gives every later check of the same
// bytes the same result, which nothing changes. A check is CPU-heavy
// under the race detector; TestPhoto checks the verdicts end to end with
// the real checker.
type sharedChecker struct {
	mu     sync.Mutex
	checks map[sharedCheck]func() (*photo.Prepared, error)
}

type sharedCheck struct {
	data string
	lim  photo.Limits
}

var shared = &sharedChecker{checks: map[sharedCheck]func() (*photo.Prepared, error){}}

func (s *sharedChecker) Prepare(data []byte, lim photo.Limits) (*photo.Prepared, error) {
	c, err := checker()
	if err != nil {
		return nil, err
	}
	k := sharedCheck{string(data), lim}
	s.mu.Lock()
	check, ok := s.checks[k]
	if !ok {
		check = sync.OnceValues(func() (*photo.Prepared, error) { return c.Prepare([]byte(k.data), lim) })
		s.checks[k] = check
	}
	s.mu.Unlock()
	return check()
}

// photoRig is a rig whose pipeline checks pictures with c, through a
// fileTransport.
func photoRig(t *testing.T, c conversation.Checker, o conversation.PhotoOptions) (*rig, *fileTransport) {
	t.Helper()
	r := newRig(t, nil, conversation.Options{})
	ft := newFileTransport(r.tr)
	e, _ := engine()
	r.p = conversation.New(r.q, e, ft, conversation.Options{Photos: conversation.NewPhotos(c, o), Backoff: time.Millisecond})
	return r, ft
}

// send has user send the picture file in chat, as a photo or as a file,
// and has the pipeline handle it, and what it gives up until later too.
func (r *rig) send(chat int64, file string, src dialog.PhotoSource) {
	r.t.Helper()
	r.add(chat, chat, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: file, Source: src, Size: 1000}}, "")
	r.settle()
}

var (
	picturesMu sync.Mutex
	picturesBy = map[string][]byte{}
)

// picture returns the test picture name, made once: a good picture is
// the smallest that prints well, to keep the tests light under the race
// detector.
func picture(t testing.TB, name string) []byte {
	t.Helper()
	picturesMu.Lock()
	defer picturesMu.Unlock()
	if data, ok := picturesBy[name]; ok {
		return data
	}
	// A crop of about 400 × 580 around the head, in the middle of the
	// guidance.
	good := phototest.Portrait{W: 560, H: 800, Head: 370, Crown: 200, X: 280}
	var data []byte
	switch name {
	case "good":
		data = phototest.JPEG(t, good.Image(t), 90)
	case "small": // a crop of about 280 × 400
		data = phototest.JPEG(t, phototest.Resized(good.Image(t), 392, 560), 85)
	case "blurred":
		data = phototest.JPEG(t, phototest.Blurred(good.Image(t), 2), 90)
	case "heic":
		data = phototest.HEIC()
	case "cut":
		data = phototest.JPEG(t, good.Image(t), 90)[:4000]
	default:
		t.Fatalf("no test picture %q", name)
	}
	picturesBy[name] = data
	return data
}

var tags = regexp.MustCompile(`</?[a-z]+>`)

// plain is s, Telegram HTML, as text.
func plain(s string) string { return html.UnescapeString(tags.ReplaceAllString(s, "")) }

// TestPhoto answers pictures as the pipeline sends them: the checklist,
// then the print-ready files when what the notice requires is met; or
// what is wrong with the file.
func TestPhoto(t *testing.T) {
	t.Parallel()
	_, catalog := engine()
	en := func(key string) string { return plain(catalog.Translate("en", key, nil)) }
	for _, tt := range []struct {
		name  string
		file  string
		src   dialog.PhotoSource
		want  []string // in the one message sent, rendered
		files bool
	}{
		{"good file", "good", dialog.PhotoAsFile, []string{"✅ Shape", "✅ Pixels", "✅ Face", "✅ Head", "✅ Background", "✅ Exposure", "✅ Sharpness", en("photo.verdict.ok")}, true},
		{"small photo", "small", dialog.PhotoAsPhoto, []string{"❌ Pixels", "as a file", en("photo.verdict.fix")}, false},
		{"small file", "small", dialog.PhotoAsFile, []string{"❌ Pixels", "Send a larger picture"}, false},
		{"blurred: advice only", "blurred", dialog.PhotoAsFile, []string{"❌ Sharpness", en("photo.verdict.advice")}, true},
		{"HEIC", "heic", dialog.PhotoAsFile, []string{en("photo.error.heic")}, false},
		{"cut short", "cut", dialog.PhotoAsFile, []string{en("photo.error.unreadable")}, false},
		{"over 20 MB", "huge", dialog.PhotoAsFile, []string{en("photo.error.too_large")}, false},
		{"gone", "missing", dialog.PhotoAsFile, []string{en("photo.error.download")}, false},
		{"failed once: fetched again later", "flaky", dialog.PhotoAsFile, []string{en("photo.verdict.ok")}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, ft := photoRig(t, realChecker(t), conversation.PhotoOptions{})
			switch tt.file {
			case "huge":
				ft.pictures["huge"] = make([]byte, photo.MaxFileSize+1)
			case "flaky":
				ft.fail["flaky"] = []error{errors.New("connection reset")}
				ft.pictures["flaky"] = picture(t, "good")
			case "missing":
			default:
				ft.pictures[tt.file] = picture(t, tt.file)
			}
			r.send(5, tt.file, tt.src)
			got := r.tr.texts(5)
			files, _ := ft.took(5)
			if len(got) != 1 {
				t.Fatalf("sent %d messages %q; want the checklist alone", len(got), got)
			}
			text := plain(got[0])
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("sent %q; want it to contain %q", text, w)
				}
			}
			if !tt.files {
				if len(files) != 0 {
					t.Errorf("sent %d files; want none", len(files))
				}
			} else {
				checkFiles(t, tt.name, r, files)
			}
			if st, err := r.st.Load(t.Context(), examdesk.Key{Chat: 5, User: 5}); err != nil || st.Check != nil || st.Step != 0 {
				t.Errorf("after the picture, Load(5/5) = %+v, %v; want the state as it was", st, err)
			}
		})
	}
}

// checkFiles checks the print-ready files sent: the print, a JPEG of 390
// × 567 at 300 dpi; the sheet as a one-page 6 × 4 inch PDF; the sheet as a
// JPEG of 1800 × 1200 at 300 dpi; each with its caption and name.
func checkFiles(t *testing.T, name string, r *rig, files []conversation.File) {
	t.Helper()
	if len(files) != 3 {
		t.Fatalf("%s: sent %d files; want the print and the sheet as PDF and JPEG", name, len(files))
	}
	for i, want := range []struct {
		file dialog.PhotoFile
		w, h int
	}{{dialog.PhotoPrint, photo.PrintWidth, photo.PrintHeight}, {dialog.PhotoSheetPDF, 0, 0}, {dialog.PhotoSheetJPEG, 1800, 1200}} {
		f := files[i]
		if wantName := r.translate("en", "photo.file."+string(want.file)); f.Name != wantName {
			t.Errorf("%s: file %d is named %q; want %q", name, i, f.Name, wantName)
		}
		if caption := r.translate("en", "photo.caption."+string(want.file)); f.Caption != caption {
			t.Errorf("%s: file %s has caption %q; want %q", name, f.Name, f.Caption, caption)
		}
		if want.w == 0 {
			if !bytes.HasPrefix(f.Data, []byte("%PDF-")) || !bytes.Contains(f.Data, []byte("/Count 1 ")) ||
				bytes.Count(f.Data, []byte("/Type /Page /Parent 2 0 R /MediaBox [0 0 432 288]")) != 1 {
				t.Errorf("%s: %s is not a one-page 6 × 4 inch PDF: %.200q", name, f.Name, f.Data)
			}
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Data))
		if err != nil || cfg.Width != want.w || cfg.Height != want.h {
			t.Errorf("%s: %s = %d × %d, %v; want %d × %d", name, f.Name, cfg.Width, cfg.Height, err, want.w, want.h)
		}
		if x, y, ok := photo.Density(f.Data); !ok || x != 300 || y != 300 {
			t.Errorf("%s: %s density = %d × %d dpi, %v; want 300", name, f.Name, x, y, ok)
		}
	}
}

// TestPhotoMidCheck: a picture sent while the check asks a question is
// answered, then the question comes again, its buttons still good.
func TestPhotoMidCheck(t *testing.T) {
	t.Parallel()
	r, ft := photoRig(t, shared, conversation.PhotoOptions{})
	ft.pictures["good"] = picture(t, "good")
	r.say(5, 5, "/check")
	asked := r.tr.texts(5)
	ft.took(5)
	r.send(5, "good", dialog.PhotoAsPhoto)
	got := r.tr.texts(5)
	files, events := ft.took(5)
	if len(got) != 2 || !strings.Contains(got[0], "✅") || got[1] != asked[len(asked)-1] {
		t.Fatalf("after a picture mid-check, sent %q; want the checklist, then %q", got, asked[len(asked)-1])
	}
	if len(files) != 3 {
		t.Errorf("sent %d files; want 3", len(files))
	}
	want := []string{"download good", "send 5", "file 5 " + files[0].Name, "file 5 " + files[1].Name, "file 5 " + files[2].Name, "send 5"}
	if !slices.Equal(events, want) {
		t.Errorf("events = %q; want %q: the checklist and files, then the question", events, want)
	}
}

// TestPhotoLeftBehind: the outbox holds the picture's reference only, so
// the successor of a holder that died fetches and checks the picture
// again for the parts left, which it sends from the one that may have
// been in flight (at least once).
func TestPhotoLeftBehind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sent  int // entries recorded as sent before the holder died
		texts int // the checklist, the question
		files int
	}{
		{"died checking", 0, 2, 3},
		{"died sending the checklist", 1, 2, 3},
		{"died sending the print", 2, 1, 3},
		{"died sending the sheet as JPEG", 4, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, ft := photoRig(t, shared, conversation.PhotoOptions{})
			ft.pictures["good"] = picture(t, "good")
			ctx := t.Context()
			r.say(5, 5, "/check")
			r.tr.texts(5)
			// The holder commits the outbox the pipeline makes, then dies.
			r.add(5, 5, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "good", Source: dialog.PhotoAsFile}}, "")
			job, ok, err := r.q.Claim(ctx)
			if err != nil || !ok {
				t.Fatalf("Claim = %v, %v", ok, err)
			}
			e, _ := engine()
			next, reply := e.Step(job.State, job.Update.Input)
			out := outboxOf(t, r, reply)
			for _, o := range out {
				if bytes.Contains(o, picture(t, "good")[100:140]) {
					t.Fatalf("the outbox holds the picture: %.100q", o)
				}
			}
			if _, _, err := r.q.Commit(ctx, job, next, out); err != nil {
				t.Fatal(err)
			}
			if tc.sent > 0 {
				if _, err := r.q.Sent(ctx, job, tc.sent); err != nil {
					t.Fatal(err)
				}
			}
			// The holder dies: its lease ends.
			if err := r.q.Release(ctx, job, tc.sent); err != nil {
				t.Fatal(err)
			}
			r.handle()
			texts := r.tr.texts(5)
			files, events := ft.took(5)
			if len(texts) != tc.texts || len(files) != tc.files {
				t.Errorf("the successor sent %d messages and %d files; want %d and %d", len(texts), len(files), tc.texts, tc.files)
			}
			if tc.files > 0 && !slices.Contains(events, "download good") {
				t.Errorf("events = %q; want the picture downloaded again", events)
			}
		})
	}
}

// outboxOf is the outbox the pipeline commits for reply, as the rig's
// transport renders it: the picture's entries (see conversation.Photo),
// then the messages.
func outboxOf(t *testing.T, r *rig, reply dialog.Reply) [][]byte {
	t.Helper()
	var out [][]byte
	add := func(e conversation.Entry) {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	parts := []conversation.PhotoPart{conversation.PhotoCheck, conversation.PhotoReport}
	for _, f := range dialog.PhotoFiles {
		parts = append(parts, conversation.PhotoPart(f))
	}
	for _, part := range parts {
		add(conversation.Entry{Chat: 5, Lang: reply.Lang, Photo: &conversation.Photo{File: reply.Picture.File, Part: part}})
	}
	for _, m := range r.tr.Render(reply) {
		add(conversation.Entry{Chat: 5, Lang: reply.Lang, Message: &m})
	}
	return out
}

// TestPhotoInTurn: a chat's second picture waits for the answer to its
// first, checklist and files, before it is even fetched.
func TestPhotoInTurn(t *testing.T) {
	t.Parallel()
	r, ft := photoRig(t, shared, conversation.PhotoOptions{})
	ft.pictures["one"], ft.pictures["two"] = picture(t, "good"), picture(t, "blurred")
	r.add(5, 5, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "one", Source: dialog.PhotoAsFile}}, "")
	r.add(5, 5, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "two", Source: dialog.PhotoAsFile}}, "")
	r.handle()
	files, events := ft.took(5)
	var names []string
	for _, f := range files {
		names = append(names, "file 5 "+f.Name)
	}
	want := slices.Concat([]string{"download one", "send 5"}, names[:3], []string{"download two", "send 5"}, names[3:])
	if len(files) != 6 || !slices.Equal(events, want) {
		t.Errorf("events = %q; want %q", events, want)
	}
}

// blockingChecker counts the checks running at once, and holds each
// until release is closed.
type blockingChecker struct {
	release chan struct{}
	running chan int // gets the number running when a check begins

	mu       sync.Mutex
	now, max int
}

func (c *blockingChecker) Prepare([]byte, photo.Limits) (*photo.Prepared, error) {
	c.mu.Lock()
	c.now++
	c.max = max(c.max, c.now)
	n := c.now
	c.mu.Unlock()
	c.running <- n
	<-c.release
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	return nil, &photo.DecodeError{Problem: photo.Unreadable}
}

// TestPhotoChecksBounded: however many chats send pictures at once, no
// more than PhotoOptions.Checks are fetched and checked at a time.
func TestPhotoChecksBounded(t *testing.T) {
	t.Parallel()
	const chats, bound = 8, 3
	r := newRig(t, nil, conversation.Options{})
	ft := newFileTransport(r.tr)
	c := &blockingChecker{release: make(chan struct{}), running: make(chan int, chats)}
	e, _ := engine()
	r.p = conversation.New(r.q, e, ft, conversation.Options{Workers: chats, Photos: conversation.NewPhotos(c, conversation.PhotoOptions{Checks: bound})})
	r.tr.signal = make(chan int64, chats)
	for chat := int64(1); chat <= chats; chat++ {
		ft.pictures[fmt.Sprint(chat)] = []byte("picture")
		r.add(chat, chat, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: fmt.Sprint(chat), Source: dialog.PhotoAsFile}}, "")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.p.Run(ctx) }()
	r.p.Wake()
	// Once the bound is reached, the checks go on; every chat is
	// answered.
	for n := 0; n < bound; {
		n = max(n, <-c.running)
	}
	close(c.release)
	for range chats {
		select {
		case <-r.tr.signal:
		case <-t.Context().Done():
			t.Fatal("the test ended before every chat was answered")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max != bound {
		t.Errorf("checks at once = %d at most; want %d", c.max, bound)
	}
	unreadable := plain(r.translate("en", "photo.error.unreadable"))
	for chat := int64(1); chat <= chats; chat++ {
		if got := r.tr.texts(chat); len(got) != 1 || plain(got[0]) != unreadable {
			t.Errorf("chat %d got %q; want %q", chat, got, unreadable)
		}
	}
}

// TestPhotoKeepsLease: while a picture waits, downloads and is checked,
// the chat's lease is renewed by the heartbeat, so that no other holder
// takes the chat and answers twice.
func TestPhotoKeepsLease(t *testing.T) {
	t.Parallel()
	// A lease of a second renewed every 50 ms: a process would have to
	// stall 950 ms to lose it, where 400 ms (a lease of 500 ms renewed
	// every 100) happened on a loaded machine under the race detector.
	const lease, heartbeat = time.Second, 50 * time.Millisecond
	r, ft := photoRig(t, shared, conversation.PhotoOptions{})
	q, err := r.st.Inbox(redisstore.WithLease(lease))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := engine()
	r.q = q
	r.p = conversation.New(q, e, ft, conversation.Options{Photos: conversation.NewPhotos(shared, conversation.PhotoOptions{}), Heartbeat: heartbeat})
	ft.pictures["good"] = picture(t, "good")
	ft.hold, ft.entered = make(chan struct{}), make(chan string, 1)
	r.add(5, 5, dialog.Input{LanguageCode: "en", Picture: &dialog.Picture{File: "good", Source: dialog.PhotoAsFile}}, "")
	done := make(chan error, 1)
	go func() { done <- r.p.HandleReady(t.Context()) }()
	<-ft.entered
	// Held for two leases: still nobody else's.
	time.Sleep(2 * lease)
	if job, ok, err := q.Claim(t.Context()); err != nil || ok {
		t.Errorf("Claim while the picture is checked = chat %d, %v, %v; want none: the lease is kept", job.Chat, ok, err)
	}
	close(ft.hold)
	if err := <-done; err != nil {
		t.Fatalf("HandleReady() = %v", err)
	}
	if got := r.tr.texts(5); len(got) != 1 || !strings.Contains(got[0], "✅") {
		t.Errorf("sent %q; want the checklist once", got)
	}
}

// TestPhotoWithoutChecks: a pipeline that cannot check pictures answers
// one with the apology, never silence.
func TestPhotoWithoutChecks(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{})
	r.send(5, "good", dialog.PhotoAsFile)
	if got, want := r.tr.apologies[5], []string{"en"}; !slices.Equal(got, want) {
		t.Errorf("apologies = %q; want %q", got, want)
	}
}

// TestPhotoFromAdministrator: an administrator's picture is checked as
// anyone's, whatever its caption; the console takes text only.
func TestPhotoFromAdministrator(t *testing.T) {
	t.Parallel()
	r, ft := photoRig(t, shared, conversation.PhotoOptions{})
	e, _ := engine()
	r.p = conversation.New(r.q, e, ft, conversation.Options{Console: console{}, Photos: conversation.NewPhotos(shared, conversation.PhotoOptions{})})
	ft.pictures["heic"] = picture(t, "heic")
	r.add(9, 9, dialog.Input{Text: "/secret", LanguageCode: "en", Picture: &dialog.Picture{File: "heic", Source: dialog.PhotoAsFile}}, "")
	r.handle()
	if got, want := r.tr.texts(9), []string{r.translate("en", "photo.error.heic")}; !slices.Equal(got, want) {
		t.Errorf("the administrator's picture captioned /secret got %q; want %q", got, want)
	}
}

// TestPhotoPaced: the parts of a picture's answer that send are messages
// in the chat's pace, the first taking its turn once the picture is
// checked. A turn near enough is waited for in place, the picture checked
// in hand (PhotoOptions.Hold); a turn further gives the chat up until
// then, and the next holder fetches and checks the picture again for the
// parts left. Either way each part is sent once, in order.
func TestPhotoPaced(t *testing.T) {
	t.Parallel()
	// One message at a time, one every interval: the commit takes a turn,
	// the checklist the next once the picture is checked (waited for
	// however far), the print one interval after it, and so on. Nothing
	// of the picture is done between the checklist's turn and the moment
	// the print asks for its own (the file is made once its turn has
	// come), so that turn is ahead by the interval, less a render, a send
	// in memory and a round trip to Redis: the print waits for it in place
	// (a hold longer than the interval), or is given up until then (a
	// hold of 1 ms) and the picture checked again. The interval of the
	// second case is a margin for a worker stalled that long between the
	// two, not for the work of a check. Each holder after the first takes
	// a turn as it claims the chat and another once it has checked the
	// picture: the answer given up at each part takes seven intervals.
	for _, tc := range []struct {
		name     string
		every    time.Duration
		hold     time.Duration
		deferred bool // and the picture downloaded again
	}{
		{"waited for in place", 200 * time.Millisecond, 3 * time.Second, false},
		{"given up until later", 500 * time.Millisecond, time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, ft := photoRig(t, shared, conversation.PhotoOptions{})
			pace := redisstore.Pace{Chat: tc.every, Burst: 1}
			q, err := r.st.Inbox(redisstore.WithPace(pace))
			if err != nil {
				t.Fatal(err)
			}
			e, _ := engine()
			m := &counts{}
			r.q = q
			r.p = conversation.New(q, e, ft, conversation.Options{Metrics: m, Hold: time.Millisecond,
				Photos: conversation.NewPhotos(shared, conversation.PhotoOptions{Hold: tc.hold})})
			ft.pictures["good"] = picture(t, "good")
			start := time.Now()
			r.send(5, "good", dialog.PhotoAsFile)
			took := time.Since(start)
			texts := r.tr.texts(5)
			files, events := ft.took(5)
			var sends []string
			downloads := 0
			for _, ev := range events {
				if ev == "download good" {
					downloads++
				} else {
					sends = append(sends, ev)
				}
			}
			want := []string{"send 5"}
			for _, f := range files {
				want = append(want, "file 5 "+f.Name)
			}
			deferred := m.deferred[inbox.Waiting] > 0
			if len(texts) != 1 || len(files) != 3 || !slices.Equal(sends, want) {
				t.Errorf("sent %q; want the checklist, then the 3 files, each once", sends)
			}
			if deferred != tc.deferred || (downloads > 1) != tc.deferred {
				t.Errorf("deferred %d times, downloaded %d times; want deferred and downloaded again %v", m.deferred[inbox.Waiting], downloads, tc.deferred)
			}
			// The commit's turn, then one a part: the last part's turn is
			// four intervals after the commit's.
			if last := 4 * pace.Chat; took < last-50*time.Millisecond {
				t.Errorf("the answer took %v; want the last file at its turn, %v after the commit", took, last)
			}
		})
	}
}

// TestPhotoFetchedLater: a picture whose fetching is refused for now
// (429) or fails is fetched again later, at the chat's place in the
// queue; one failing for Options.GiveUp is given up, counted and logged,
// and the user told the fetching failed.
func TestPhotoFetchedLater(t *testing.T) {
	t.Parallel()
	e, _ := engine()
	for _, tc := range []struct {
		name   string
		errs   []error
		giveUp time.Duration // Options.GiveUp
		cause  inbox.Cause
		want   string // a message key of the reply
		files  int
		gaveUp int
	}{
		{"refused for now", []error{&conversation.RetryAfterError{After: time.Millisecond}}, 30 * time.Millisecond, inbox.Flood, "photo.verdict.ok", 3, 0},
		// Not failing for long enough to be given up, however slowly the
		// machine gets to the tries again.
		{"failing a while", []error{errors.New("connection reset"), errors.New("502 Bad Gateway")}, time.Hour, inbox.Failure, "photo.verdict.ok", 3, 0},
		{"failing for good", slices.Repeat([]error{errors.New("connection reset")}, 1000), 30 * time.Millisecond, inbox.Failure, "photo.error.download", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, ft := photoRig(t, shared, conversation.PhotoOptions{})
			m := &counts{}
			var logs syncBuffer
			r.p = conversation.New(r.q, e, ft, conversation.Options{Metrics: m, Backoff: time.Millisecond, GiveUp: tc.giveUp,
				Log: slog.New(slog.NewJSONHandler(&logs, nil)), Photos: conversation.NewPhotos(shared, conversation.PhotoOptions{})})
			ft.pictures["good"] = picture(t, "good")
			ft.fail["good"] = tc.errs
			r.send(5, "good", dialog.PhotoAsFile)
			texts := r.tr.texts(5)
			files, _ := ft.took(5)
			if len(texts) != 1 || !strings.Contains(plain(texts[0]), plain(r.translate("en", tc.want))) || len(files) != tc.files {
				t.Errorf("sent %q and %d files; want the reply with %s, and %d files", texts, len(files), tc.want, tc.files)
			}
			if m.deferred[tc.cause] == 0 || m.gaveUp != tc.gaveUp {
				t.Errorf("deferred %v, given up %d; want deferred for %v, given up %d", m.deferred, m.gaveUp, tc.cause, tc.gaveUp)
			}
			if given := strings.Contains(logs.String(), `"level":"ERROR","msg":"giving a part of a picture's answer up`); given != (tc.gaveUp > 0) {
				t.Errorf("logged the picture given up %v; want %v: %s", given, tc.gaveUp > 0, logs.String())
			}
		})
	}
}
