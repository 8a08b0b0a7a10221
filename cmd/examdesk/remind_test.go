package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"examdesk/broadcast"
	"examdesk/calendar"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// TestServeReminders checks that serve reminds the subscribers who asked
// for it of a session's registration closing, once, across a restart.
func TestServeReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	srv := redistest.Start(t)
	st, err := redisstore.Open(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Registration closes in two days: its reminder was due yesterday at
	// 9:00 and is still good.
	today := calendar.Today(time.Now())
	s := calendar.Session{ID: "e2e-1", Opens: today.AddDays(-10), Closes: today.AddDays(2), Exams: []calendar.Date{today.AddDays(40)}}
	if err := st.Calendar().PutSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	subs := st.Subscribers()
	for _, sub := range []broadcast.Subscriber{
		{Chat: 3001, Lang: "en", Remind: true},
		{Chat: 3002, Lang: "zh-Hant"},
		{Chat: 3003, Lang: "zh-Hans", Remind: true},
	} {
		if err := subs.Subscribe(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := subs.Unsubscribe(ctx, 3003); err != nil {
		t.Fatal(err)
	}

	env := serveEnv(t, fake, srv.URL)
	first := startServe(t, fake, env)
	want := "registration for the e2e-1 session closes on"
	waitBot(t, fake, 3001, 0, want)
	first.shutdown(t)
	startServe(t, fake, env)
	time.Sleep(2 * time.Second) // the new serve's first check is at start
	reminders := 0
	for _, call := range fake.CallsTo("sendMessage") {
		if strings.Contains(call.Params["text"], "e2e-1") {
			reminders++
			if call.ChatID() != 3001 {
				t.Errorf("reminder sent to chat %d; want only 3001", call.ChatID())
			}
		}
	}
	if reminders != 1 {
		t.Errorf("%d reminders sent; want 1", reminders)
	}
}
