package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/photo"
	"examdesk/photo/phototest"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// photoWait bounds the wait for the answer to a picture: a check and
// three uploads, under the race detector on a loaded machine.
const photoWait = 90 * time.Second

// waitPhoto waits until the chat has more than n messages and the last
// contains want, and returns the new messages.
func (c *chat) waitPhoto(n int, want string) []telegramtest.Call {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), photoWait)
	defer cancel()
	err := c.fake.WaitFor(ctx, func([]telegramtest.Call) bool {
		ms := c.messages()
		return len(ms) > n && strings.Contains(ms[len(ms)-1].Params["text"], want)
	})
	if err != nil {
		var texts []string
		for _, m := range c.messages()[n:] {
			texts = append(texts, m.Params["text"])
		}
		c.t.Fatalf("chat %d (%s): no reply containing %q; got %q", c.id, c.lang, want, texts)
	}
	return c.messages()[n:]
}

// documents waits until the chat was sent n documents, and returns them.
func (c *chat) documents(n int) []telegramtest.Upload {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), photoWait)
	defer cancel()
	err := c.fake.WaitFor(ctx, func([]telegramtest.Call) bool { return len(c.fake.SentDocuments(c.id)) >= n })
	if err != nil {
		c.t.Fatalf("chat %d: %d documents sent; want %d", c.id, len(c.fake.SentDocuments(c.id)), n)
	}
	return c.fake.SentDocuments(c.id)
}

// checklist are the seven items of a checklist, passed, as sent in
// English.
var checklist = []string{"Shape", "Pixels", "Face", "Head", "Background", "Exposure", "Sharpness"}

// checkPrintFiles checks the print-ready files of a picture: the print
// as a JPEG of 390 × 567 recording 300 dpi, the sheet as a one-page PDF
// of 6 × 4 inches and as a JPEG of 1800 × 1200 at 300 dpi.
func checkPrintFiles(t testing.TB, what string, docs []telegramtest.Upload) {
	t.Helper()
	if len(docs) != 3 {
		t.Fatalf("%s: %d documents; want 3", what, len(docs))
	}
	for i, want := range []struct {
		name string
		w, h int
	}{{"photo-33x48mm-300dpi.jpg", photo.PrintWidth, photo.PrintHeight}, {"photo-sheet-6inch.pdf", 0, 0}, {"photo-sheet-6inch.jpg", 1800, 1200}} {
		d := docs[i]
		if d.FileName != want.name {
			t.Errorf("%s: document %d is %q; want %q", what, i, d.FileName, want.name)
		}
		if want.w == 0 {
			if !bytes.HasPrefix(d.Data, []byte("%PDF-1.4")) || !bytes.Contains(d.Data, []byte("/Count 1 ")) ||
				bytes.Count(d.Data, []byte("/Type /Page /Parent 2 0 R /MediaBox [0 0 432 288]")) != 1 {
				t.Errorf("%s: %s is not one 6 × 4 inch page: %.160q", what, d.FileName, d.Data)
			}
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(d.Data))
		if err != nil || cfg.Width != want.w || cfg.Height != want.h {
			t.Errorf("%s: %s is %d × %d, %v; want %d × %d", what, d.FileName, cfg.Width, cfg.Height, err, want.w, want.h)
		}
		if x, y, ok := photo.Density(d.Data); !ok || x != 300 || y != 300 {
			t.Errorf("%s: %s records %d × %d dpi, %v; want 300", what, d.FileName, x, y, ok)
		}
	}
}

// TestServePhoto follows pictures through serve and the fake Bot API: a
// photo, a phone's file on its side, /photo and the button under the
// photo answer, a picture mid-check, a file too large, a HEIC, a group.
// Then nothing of any picture is in Redis or in the logs.
func TestServePhoto(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	s := startServe(t, fake, serveEnv(t, fake, srv.URL))

	// The smallest portrait that prints well, as Telegram's largest
	// size of a photo; the same as a phone's JPEG file, stored on its
	// side with EXIF orientation 6.
	good := phototest.Portrait{W: 560, H: 800, Head: 370, Crown: 200, X: 280}.Image(t)
	sent := phototest.JPEG(t, good, 87)
	phone := phototest.PhoneJPEG(t, good, 6, 92)
	heic := phototest.HEIC()
	c := newChat(t, fake, 2001, "en")

	// A photo: the checklist, then the files.
	n := len(c.messages())
	c.deliver(telegramtest.Photo(c.id, c.id, c.lang,
		telegramtest.PhotoSize{Width: 63, Height: 90, Data: phototest.JPEG(t, phototest.Resized(good, 63, 90), 60)},
		telegramtest.PhotoSize{Width: 560, Height: 800, Data: sent}))
	msgs := c.waitPhoto(n, "staff")
	report := msgs[len(msgs)-1].Params["text"]
	for _, item := range checklist {
		if !strings.Contains(report, "✅ <b>"+item+"</b>") {
			t.Errorf("photo: checklist lacks ✅ %s: %q", item, report)
		}
	}
	checkPrintFiles(t, "photo", c.documents(3))
	if got := fake.Downloads(); len(got) != 1 || !strings.HasPrefix(got[0], "photos/") {
		t.Errorf("downloads = %q; want the photo's largest size only", got)
	}

	// A phone's file on its side: read upright.
	n = len(c.messages())
	c.deliver(telegramtest.File(c.id, c.id, c.lang, telegramtest.Document{FileName: "IMG_0042.JPG", MIMEType: "image/jpeg", Data: phone}))
	report = c.waitPhoto(n, "staff")[0].Params["text"]
	for _, item := range checklist {
		if !strings.Contains(report, "✅ <b>"+item+"</b>") {
			t.Errorf("phone file: checklist lacks ✅ %s: %q", item, report)
		}
	}
	docs := c.documents(6)
	checkPrintFiles(t, "phone file", docs[3:])

	// /photo, and the button under the photo answer.
	c.say("/photo", "as a file")
	c.say("What size is the photo?", "48 mm")
	c.press("Check my photo", "as a file")

	// Mid-check: the checklist, then the question again.
	c.say("/check", "Question 1.")
	n = len(c.messages())
	c.deliver(telegramtest.Photo(c.id, c.id, c.lang, telegramtest.PhotoSize{Width: 560, Height: 800, Data: sent}))
	msgs = c.waitPhoto(n, "Question 1.")
	if len(msgs) != 2 || !strings.Contains(msgs[0].Params["text"], "✅ <b>Face</b>") {
		t.Errorf("mid-check: sent %d messages; want the checklist, then the question", len(msgs))
	}
	c.documents(9)
	c.say("7 years", "Question 2.")

	c.say("/cancel", "")

	// A photo Telegram made too small to print: send it as a file.
	n = len(c.messages())
	c.deliver(telegramtest.Photo(c.id, c.id, c.lang, telegramtest.PhotoSize{Width: 392, Height: 560, Data: phototest.JPEG(t, phototest.Resized(good, 392, 560), 87)}))
	if report := c.waitPhoto(n, "staff")[0].Params["text"]; !strings.Contains(report, "❌ <b>Pixels</b>") || !strings.Contains(report, "<b>as a file</b>") {
		t.Errorf("small photo: checklist %q; want Pixels failed, and to send it as a file", report)
	}

	// A file over the 20 MB a bot may download: refused, not fetched.
	downloads := len(fake.Downloads())
	n = len(c.messages())
	c.deliver(telegramtest.File(c.id, c.id, c.lang, telegramtest.Document{FileName: "scan.png", MIMEType: "image/png", FileSize: 25 << 20, Data: []byte("\x89PNG")}))
	c.wait(n, "over 20 MB")
	if got := len(fake.Downloads()); got != downloads {
		t.Errorf("a file over 20 MB was downloaded")
	}

	// A HEIC file, in Traditional Chinese: asked for JPEG or PNG.
	hk := newChat(t, fake, 2002, "zh-HK")
	hk.deliver(telegramtest.File(hk.id, hk.id, hk.lang, telegramtest.Document{FileName: "IMG_0043.HEIC", MIMEType: "image/heic", Data: heic}))
	hk.waitPhoto(0, "HEIC 格式")

	// In a group: a photo gets no reply and is not fetched; /photo says
	// to send it in a private chat.
	downloads = len(fake.Downloads())
	group := newChat(t, fake, -3001, "en")
	group.deliver(telegramtest.Photo(group.id, 2001, "en", telegramtest.PhotoSize{Width: 560, Height: 800, Data: sent}))
	group.deliver(telegramtest.Message(group.id, 2001, "en", "/photo@"+fake.Bot().Username))
	if msgs := group.wait(0, "private chat"); len(msgs) != 1 {
		t.Errorf("the group got %d messages; want only the answer to /photo", len(msgs))
	}
	if got := len(fake.Downloads()); got != downloads {
		t.Errorf("a photo in a group was downloaded")
	}
	if docs := fake.SentDocuments(group.id); len(docs) != 0 {
		t.Errorf("the group was sent %d documents; want none", len(docs))
	}

	if docs := fake.SentDocuments(c.id); len(docs) != 9 {
		t.Errorf("chat %d was sent %d documents; want 9: none for the small photo", c.id, len(docs))
	}

	// Nothing of the pictures, nor of the files made of them, is kept
	// in Redis or written to the logs.
	secrets := map[string][]byte{"photo": sent, "phone file": phone, "HEIC": heic}
	for i, d := range fake.SentDocuments(c.id) {
		secrets[fmt.Sprint("document ", i)] = d.Data
	}
	values := redisValues(t, srv.URL)
	logs := []byte(s.stderr.String())
	for name, data := range secrets {
		for _, needle := range needles(data) {
			for key, v := range values {
				if bytes.Contains(v, needle) {
					t.Errorf("Redis key %s holds bytes of the %s", key, name)
				}
			}
			if bytes.Contains(logs, needle) {
				t.Errorf("the logs hold bytes of the %s", name)
			}
		}
	}
	if len(values) == 0 {
		t.Errorf("Redis holds no keys; want the conversations and the inbox")
	}
	// The search would find a picture kept in base64, as JSON keeps
	// bytes.
	kept := []byte(base64.StdEncoding.EncodeToString(phone))
	if !slices.ContainsFunc(needles(phone), func(n []byte) bool { return bytes.Contains(kept, n) }) {
		t.Errorf("the search does not find a picture kept in base64")
	}
	if strings.Contains(s.stderr.String(), "/file/") || strings.Contains(s.stderr.String(), testToken) {
		t.Errorf("the logs hold a download link:\n%s", s.stderr)
	}
}

// needles are pieces of data to look for wherever it might be kept: 33
// bytes from its middle and from near its end (past the headers every
// JPEG shares), as they are and as they read in the data's base64.
func needles(data []byte) [][]byte {
	var out [][]byte
	for _, at := range []int{len(data) / 2, len(data) - 66} {
		at -= at % 3 // where base64 encodes 3 bytes on their own
		if at < 0 || at+33 > len(data) {
			continue
		}
		piece := data[at : at+33]
		out = append(out, piece, []byte(base64.StdEncoding.EncodeToString(piece)))
	}
	return out
}

// redisValues returns every value in the Redis at url, by key: strings,
// and the members, fields and values of lists, sets, sorted sets and
// hashes, each joined into one.
func redisValues(t testing.TB, url string) map[string][]byte {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx := context.Background()
	out := map[string][]byte{}
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		typ, err := c.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		switch typ {
		case "string":
			v, err := c.Get(ctx, key).Result()
			if err != nil && err != redis.Nil {
				t.Fatal(err)
			}
			parts = []string{v}
		case "list":
			parts, err = c.LRange(ctx, key, 0, -1).Result()
		case "set":
			parts, err = c.SMembers(ctx, key).Result()
		case "zset":
			parts, err = c.ZRange(ctx, key, 0, -1).Result()
		case "hash":
			var m map[string]string
			m, err = c.HGetAll(ctx, key).Result()
			for f, v := range m {
				parts = append(parts, f, v)
			}
		case "none": // deleted since the scan
		default:
			t.Errorf("Redis key %s is a %s, which the test does not read", key, typ)
		}
		if err != nil {
			t.Fatal(err)
		}
		out[key] = []byte(strings.Join(parts, "\x00"))
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServePhotoPaced has candidates send photos at once to a serve whose
// Bot API limits it as Telegram does (one message a second to a chat
// after a burst of 3, sendDocument counted): each gets the checklist and
// the three files, each once, in order, the last at least a second after
// the first; Telegram refuses none, so each picture is downloaded once.
// The checklist takes its turn once the picture is checked, not at the
// commit: taken before the check, its turn would count the burst from a
// time the messages did not go at, and the fourth would come too early
// for Telegram (a 429, and the next holder checking the picture again).
func TestServePhotoPaced(t *testing.T) {
	t.Parallel()
	const chats = 2
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	fake.SetLimits(telegramtest.Telegram)
	srv := redistest.Start(t)
	env := serveEnv(t, fake, srv.URL)
	env["EXAMDESK_CHAT_RATE"] = "1"
	startServe(t, fake, env)
	good := phototest.JPEG(t, phototest.Portrait{W: 560, H: 800, Head: 370, Crown: 200, X: 280}.Image(t), 87)
	var cs []*chat
	for i := range chats {
		c := newChat(t, fake, int64(2101+i), "en")
		cs = append(cs, c)
		c.deliver(telegramtest.File(c.id, c.id, c.lang, telegramtest.Document{FileName: "me.jpg", MIMEType: "image/jpeg", Data: good}))
	}
	for _, c := range cs {
		c.waitPhoto(0, "staff")
		checkPrintFiles(t, fmt.Sprint("chat ", c.id), c.documents(3))
		// The checklist, then the files: the fourth send waits for its
		// turn, a second after the first (less what the fake lets through
		// early).
		var sends []telegramtest.Call
		for _, call := range fake.Calls() {
			if call.OK() && call.ChatID() == c.id && (call.Method == "sendMessage" || call.Method == "sendDocument") {
				sends = append(sends, call)
			}
		}
		if len(sends) != 4 || sends[0].Method != "sendMessage" {
			t.Errorf("chat %d: %d sends; want the checklist, then the 3 files, each once", c.id, len(sends))
			continue
		}
		if gap := sends[3].Time.Sub(sends[0].Time); gap < 900*time.Millisecond {
			t.Errorf("chat %d: the fourth send came %v after the first; want a second, the chat's pace", c.id, gap)
		}
	}
	refused, downloads := fake.TooManyRequests(), len(fake.Downloads())
	t.Logf("%d pictures answered; the fake answered %d × 429, served %d downloads", chats, refused, downloads)
	if refused != 0 || downloads != chats {
		t.Errorf("the fake answered %d × 429 and served %d downloads for %d pictures; want none refused, each checked once", refused, downloads, chats)
	}
}
