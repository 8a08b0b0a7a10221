package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"examdesk/calendar"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// TestServeCalendarAnswers: before any session is entered, candidates are
// told the dates are not announced yet; an administrator enters one with
// /calendar in Telegram, and from then on the date questions are answered
// with its dates, in every language, also in the middle of the check.
func TestServeCalendarAnswers(t *testing.T) {
	t.Parallel()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	env := serveEnv(t, fake, srv.URL)
	env["EXAMDESK_ADMINS"] = fmt.Sprint(adminUser)
	startServe(t, fake, env)

	en := newChat(t, fake, 2001, "en")
	en.say("When is the exam?", "not announced yet")

	today := calendar.Today(time.Now())
	exam := today.AddDays(40)
	d := &desk{t: t, fake: fake, id: adminUser}
	d.say(fmt.Sprintf("/calendar add s9 opens=%s closes=%s exam=%s", today.AddDays(-1), today.AddDays(10), exam),
		"s9", "added")

	// The exam date as each language writes it (the year, day and month
	// numbers are enough to recognise it).
	examEn := fmt.Sprintf("%d %s %d", exam.Day(), exam.Month().String()[:3], exam.Year())
	examZh := fmt.Sprintf("%d年%d月%d日", exam.Year(), int(exam.Month()), exam.Day())
	en.say("When is the exam?", examEn)
	en.say("when does registration close", "s9")

	hant := newChat(t, fake, 2002, "zh-Hant")
	hant.say("/check", "第1題")
	// The answer, then the question the check was asking, again.
	got := hant.say("准考證幾時攞？", "第1題")
	if text := got[0].Params["text"]; !strings.Contains(text, "s9") || !strings.Contains(text, "准考證") {
		t.Errorf("the ticket answer = %q; want the dates of session s9", text)
	}
	hans := newChat(t, fake, 2003, "zh-Hans")
	hans.say("今年什么时候考试", examZh)

	// Removing the session takes the dates away again.
	d.say("/calendar remove s9", "s9")
	en.say("When is the exam?", "not announced yet")
}
