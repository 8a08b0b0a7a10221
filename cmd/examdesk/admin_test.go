package main

import (
	"context"
	"html"
	"strings"
	"testing"
	"time"

	"examdesk"
	"examdesk/admin"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

const adminUser = 900

// desk is an administrator's chat with serve, through the fake Bot API.
type desk struct {
	t    testing.TB
	fake *telegramtest.Server
	id   int64
	// deliver, if set, sends an update to serve (a webhook); nil: by
	// getUpdates.
	deliver func(u telegramtest.Update)
}

func (d *desk) send(u telegramtest.Update) {
	if d.deliver != nil {
		d.deliver(u)
		return
	}
	d.fake.Send(u)
}

// botMessages returns the bot's messages in the chat as they stand now
// (edits applied), oldest first.
func botMessages(fake *telegramtest.Server, chat int64) []telegramtest.ChatMessage {
	var out []telegramtest.ChatMessage
	for _, m := range fake.Messages(chat) {
		if m.From != nil && m.From.ID == fake.Bot().ID {
			out = append(out, m)
		}
	}
	return out
}

// waitBot waits until the bot has more than n messages in chat and one of
// them after the nth contains every one of wants (as the user sees it:
// markup parsed), and returns that message.
func waitBot(t testing.TB, fake *telegramtest.Server, chat int64, n int, wants ...string) telegramtest.ChatMessage {
	t.Helper()
	var found telegramtest.ChatMessage
	match := func(m telegramtest.ChatMessage) bool {
		for _, w := range wants {
			if !strings.Contains(m.Text, w) {
				return false
			}
		}
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := fake.WaitFor(ctx, func([]telegramtest.Call) bool {
		ms := botMessages(fake, chat)
		for i := len(ms) - 1; i >= n; i-- {
			if match(ms[i]) {
				found = ms[i]
				return true
			}
		}
		return false
	})
	if err != nil {
		var texts []string
		for _, m := range botMessages(fake, chat) {
			texts = append(texts, m.Text)
		}
		t.Fatalf("chat %d: no message with %q; the bot's messages: %q", chat, wants, texts)
	}
	return found
}

// say sends text and waits for a message containing wants.
func (d *desk) say(text string, wants ...string) telegramtest.ChatMessage {
	d.t.Helper()
	n := len(botMessages(d.fake, d.id))
	d.send(telegramtest.Message(d.id, adminUser, "en", text))
	return waitBot(d.t, d.fake, d.id, n, wants...)
}

// press presses the button labelled label of message m and waits for a
// new message containing wants.
func (d *desk) press(m telegramtest.ChatMessage, label string, wants ...string) telegramtest.ChatMessage {
	d.t.Helper()
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.Text == label {
					n := len(botMessages(d.fake, d.id))
					d.send(telegramtest.Callback(d.id, adminUser, "en", b.CallbackData, m.ID))
					return waitBot(d.t, d.fake, d.id, n, wants...)
				}
			}
		}
	}
	d.t.Fatalf("no button %q under %q", label, m.Text)
	return m
}

// TestServeAdminBroadcast: an administrator previews a notice, confirms
// it, sees its progress, sends another for later and cancels it; the
// candidates get the notice exactly as written.
func TestServeAdminBroadcast(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	env := serveEnv(t, fake, srv.URL)
	env["EXAMDESK_ADMINS"] = "12345, 900"
	startServe(t, fake, env)

	candidates := map[int64]string{1001: "en", 1002: "zh-HK", 1003: "zh-CN"}
	for id, lang := range candidates {
		newChat(t, fake, id, lang).say("/start", "")
	}

	d := &desk{t: t, fake: fake, id: adminUser}
	d.say("/broadcast", "New broadcast")

	// Over the limit: refused, nothing kept.
	d.say(strings.Repeat("長", 4097), "4097 characters", "at most 4096")

	const notice = "Exam on 1 < 2 & <b>not bold</b> 📅 電子商務師\n  second line &amp; more"
	summary := d.say(notice, "Preview above", "3 subscribers")
	ms := botMessages(fake, adminUser)
	for i, m := range ms {
		if m.ID == summary.ID && (ms[i-1].Text != notice || len(ms[i-1].Entities) != 0) {
			t.Errorf("preview = %q with entities %v; want exactly %q, plain", ms[i-1].Text, ms[i-1].Entities, notice)
		}
	}
	queued := d.press(summary, "✅ Send", "is queued for 3 subscribers")
	id := broadcastID(t, queued.Text)

	for chat := range candidates {
		m := waitBot(t, fake, chat, 1, "second line")
		if m.Text != notice {
			t.Errorf("chat %d got %q; want exactly %q", chat, m.Text, notice)
		}
	}
	waitBot(t, fake, adminUser, 0, "Broadcast "+id+":", "done", "Sent: 3 of 3", "Ended at")
	if metrics := get(t, "http://"+env["HTTP_ADDR"]+"/metrics"); !strings.Contains(metrics, `examdesk_broadcast_messages_total{result="sent"} 3`) {
		t.Errorf("/metrics does not count the 3 broadcast messages sent")
	}

	// Another, for an hour from now, cancelled from its progress message.
	d.say("/broadcast", "New broadcast")
	summary = d.say("Second notice", "Preview above")
	d.press(summary, "Send at…", "China time")
	at := time.Now().In(examdesk.China).Add(time.Hour).Format(admin.TimeLayout)
	d.say("tomorrow", "can't read")
	summary = d.say(at, "Preview above", "at "+at+" China time")
	queued = d.press(summary, "✅ Send", "is queued")
	second := broadcastID(t, queued.Text)
	progress := waitBot(t, fake, adminUser, 0, "Broadcast "+second+":", "queued", "Starts at "+at)
	d.press(progress, "Cancel the broadcast", "is cancelled")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func([]telegramtest.Call) bool {
		for _, m := range botMessages(fake, adminUser) {
			if m.ID == progress.ID {
				return strings.Contains(m.Text, "cancelled") && m.EditDate != 0 && m.ReplyMarkup == nil
			}
		}
		return false
	}); err != nil {
		t.Errorf("the progress message of %s was not edited to cancelled without its button: %v", second, err)
	}

	for _, b := range []string{id, second} {
		n := 0
		for _, m := range botMessages(fake, adminUser) {
			if strings.HasPrefix(m.Text, "Broadcast "+b+":") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d progress messages of %s; want 1", n, b)
		}
	}

	list := d.say("/broadcasts", "Recent broadcasts")
	for _, want := range []string{second + ", cancelled", id + ", done", "by tg:900", "sent 3 of 3"} {
		if !strings.Contains(list.Text, want) {
			t.Errorf("/broadcasts = %q; want it to contain %q", list.Text, want)
		}
	}
	for chat := range candidates {
		for _, m := range botMessages(fake, chat) {
			if strings.Contains(m.Text, "Second notice") {
				t.Errorf("chat %d got the cancelled notice", chat)
			}
		}
	}
}

// broadcastID returns the broadcast id that text names.
func broadcastID(t testing.TB, text string) string {
	t.Helper()
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "b-") {
			return f
		}
	}
	t.Fatalf("no broadcast id in %q", text)
	return ""
}

// TestServeAdminCommandsForOthers: anyone but an administrator gets the
// help for the administrators' commands.
func TestServeAdminCommandsForOthers(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	env := serveEnv(t, fake, srv.URL)
	env["EXAMDESK_ADMINS"] = "900"
	startServe(t, fake, env)

	c := newChat(t, fake, 1001, "en")
	for _, cmd := range []string{"/broadcast", "/broadcasts", "/calendar", "/broadcast cancel", "/stats", "/unanswered"} {
		got := c.say(cmd, "/check")
		text := got[len(got)-1].Params["text"]
		if !strings.Contains(text, "Commands") || strings.Contains(text, "not a command") {
			t.Errorf("%s from a candidate = %q; want the help", cmd, text)
		}
	}
	// In a group, the administrator too gets the help: previews and
	// audience counts are for their private chat only.
	const group = -500
	fake.Send(telegramtest.Message(group, adminUser, "en", "/broadcast"))
	if help := waitBot(t, fake, group, 0, "Commands"); strings.Contains(help.Text, "New broadcast") {
		t.Errorf("/broadcast from the administrator in a group = %q; want the help", help.Text)
	}

	// The administrator gets the commands themselves.
	d := &desk{t: t, fake: fake, id: adminUser}
	d.say("/calendar help", "lists the exam sessions")
	d.say("/broadcasts", "broadcast") // none yet, or the reminders

	// The administrator's own text is escaped in the preview, as written.
	d.say("/broadcast", "New broadcast")
	d.say("<i>a</i> & b", "Preview above")
	var sent string
	for _, call := range fake.CallsTo("sendMessage") {
		if call.ChatID() == adminUser && strings.Contains(call.Params["text"], "&lt;i&gt;") {
			sent = call.Params["text"]
		}
	}
	if want := html.EscapeString("<i>a</i> & b"); sent != want {
		t.Errorf("preview sent as %q; want %q", sent, want)
	}
}

// TestServeAdminAcrossServes: a draft begun with one serve is finished
// with the next, and the progress message one serve sent is edited by the
// serve after it.
func TestServeAdminAcrossServes(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	start := func() *served {
		env := serveEnv(t, fake, srv.URL)
		env["EXAMDESK_ADMINS"] = "900"
		return startServe(t, fake, env)
	}
	a := start()
	newChat(t, fake, 1001, "en").say("/start", "")
	d := &desk{t: t, fake: fake, id: adminUser}
	d.say("/broadcast", "New broadcast")
	summary := d.say("Across serves", "Preview above", "1 subscribers")
	d.press(summary, "Send at…", "China time")
	a.shutdown(t)

	b := start()
	at := time.Now().In(examdesk.China).Add(time.Hour).Format(admin.TimeLayout)
	summary = d.say(at, "Preview above", "at "+at+" China time")
	id := broadcastID(t, d.press(summary, "✅ Send", "is queued").Text)
	progress := waitBot(t, fake, adminUser, 0, "Broadcast "+id+":", "queued")
	b.shutdown(t)

	start()
	d.press(progress, "Cancel the broadcast", "is cancelled")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func([]telegramtest.Call) bool {
		for _, m := range botMessages(fake, adminUser) {
			if m.ID == progress.ID {
				return strings.Contains(m.Text, "cancelled") && m.ReplyMarkup == nil
			}
		}
		return false
	}); err != nil {
		t.Errorf("the progress message of %s was not edited to cancelled by the third serve: %v", id, err)
	}
	n := 0
	for _, m := range botMessages(fake, adminUser) {
		if strings.HasPrefix(m.Text, "Broadcast "+id+":") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d progress messages of %s across three serves; want 1", n, id)
	}
}
