package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/telegramtest"
)

// subscribeAll subscribes chats first..first+n-1 in the Redis at url,
// under serve's prefix, in the three languages by turns.
func subscribeAll(t testing.TB, url string, first int64, n int) {
	t.Helper()
	st, err := redisstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	subs := st.Subscribers()
	langs := []string{examdesk.Traditional, examdesk.Simplified, examdesk.English}
	for i := range int64(n) {
		if err := subs.Subscribe(context.Background(), broadcast.Subscriber{Chat: first + i, Lang: langs[i%3], Level: examdesk.Level(i%4 + 1)}); err != nil {
			t.Fatal(err)
		}
	}
}

// broadcastOf reads a broadcast of serve's queue in the Redis at url,
// through the keys redisstore.Broadcasts documents.
type broadcastOf struct {
	t  testing.TB
	rc *redis.Client
	st *redisstore.Store
	id string
}

func openBroadcast(t testing.TB, url, id string) *broadcastOf {
	t.Helper()
	st, err := redisstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &broadcastOf{t: t, rc: st.Client(), st: st, id: id}
}

func (b *broadcastOf) key(kind string) string {
	return redisstore.DefaultPrefix + "bc:" + b.id + ":" + kind
}

func (b *broadcastOf) status() broadcast.Status {
	b.t.Helper()
	s, _, err := b.st.Broadcasts(0).Status(context.Background(), b.id)
	if err != nil {
		b.t.Fatalf("status of %s: %v", b.id, err)
	}
	return s
}

// recorded returns the chats whose result is recorded.
func (b *broadcastOf) recorded() map[int64]string {
	b.t.Helper()
	out, err := b.st.Broadcasts(0).Outcomes(context.Background(), b.id)
	if err != nil {
		b.t.Fatal(err)
	}
	return out
}

// waitState waits until the broadcast is in state, or d passed.
func (b *broadcastOf) waitState(state broadcast.State, d time.Duration) broadcast.Status {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		s := b.status()
		if s.State == state {
			return s
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("broadcast %s after %v: %+v; want %s", b.id, d, s, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// delivered counts the messages the fake accepted, by chat.
func delivered(fake *telegramtest.Server) map[int64]int {
	out := map[int64]int{}
	for _, c := range fake.CallsTo("sendMessage") {
		if c.OK() {
			out[c.ChatID()]++
		}
	}
	return out
}

// TestBroadcastKillAndRestart kills serve with SIGKILL twice while it
// broadcasts to 150 subscribers through a fake Bot API enforcing
// Telegram's limits, each time while Telegram's answer to a send it carried
// out is held back (a message in flight), and starts it again under its
// EXAMDESK_INSTANCE; then two serves finish the broadcast together. Nobody is missed, and a
// subscriber gets another copy only for each kill its message was in
// flight at (sent by the process killed, not recorded): at most
// broadcastWorkers per kill.
func TestBroadcastKillAndRestart(t *testing.T) {
	t.Parallel()
	const n, first = 150, 50_000
	fake := telegramtest.NewServer(testToken)
	defer fake.Close()
	fake.SetLimits(telegramtest.Telegram)
	fake.Slow(20*time.Millisecond, "sendMessage")
	srv := redistest.Start(t)
	subscribeAll(t, srv.URL, first, n)
	// The proxy holds back Telegram's answer to a send: carried out, never
	// known to serve, which is then killed. Each process goes through a
	// front of its own, closed once it is killed: what it sent is then
	// all carried out, and can be counted.
	proxy := newHoldingProxy(t, fake)
	env := serveEnv(t, fake, srv.URL)
	env["EXAMDESK_INSTANCE"] = "serve-0"
	env["EXAMDESK_CHAT_RATE"] = "1"
	url, closeFront := proxy.front(t)
	env["TELEGRAM_API_URL"] = url
	c := startServeChild(t, env)

	text := strings.Repeat("報名通知 ", 20)
	code, out, errOut := cli(t, map[string]string{"REDIS_URL": srv.URL, "USER": "test"},
		"broadcast", "send", "--file", writeFile(t, "notice.txt", []byte(text)))
	if code != 0 {
		t.Fatalf("broadcast send = exit %d: %s", code, errOut)
	}
	b := openBroadcast(t, srv.URL, strings.TrimSpace(out))

	flights := map[int64]int{} // by chat, the kills its message was in flight at
	copies := map[int64]int{}  // by chat, the copies delivered before the last kill
	for kill := range 2 {
		held := proxy.hold("sendMessage", 30)
		select {
		case <-held:
		case <-time.After(20 * time.Second):
			t.Fatalf("kill %d: no 30th send", kill+1)
		}
		c.kill()
		before := len(delivered(fake))
		closeFront()
		rec := b.recorded()
		got := delivered(fake)
		flying := 0
		for chat, k := range got {
			// A copy sent by the process killed and not recorded. One
			// in flight at the kill before and not sent since is
			// counted there.
			if _, ok := rec[chat]; !ok && k > copies[chat] {
				flights[chat]++
				flying++
			}
		}
		copies = got
		t.Logf("kill %d: sent to %d chats (%d of them reached only after the kill), %d recorded, %d sent and not recorded",
			kill+1, len(got), len(got)-before, len(rec), flying)
		if flying < 1 || flying > broadcastWorkers(25) {
			t.Errorf("kill %d: %d messages in flight; want 1 (the one held) to %d (the broadcast workers)", kill+1, flying, broadcastWorkers(25))
		}
		url, closeFront = proxy.front(t)
		c.env["TELEGRAM_API_URL"] = url
		c.start()
	}
	// A second serve joins for the rest.
	env2 := serveEnv(t, fake, srv.URL)
	env2["EXAMDESK_CHAT_RATE"] = "1"
	startServeChild(t, env2)

	s := b.waitState(broadcast.Done, 30*time.Second)
	got := delivered(fake)
	var dups []int64
	for i := range int64(n) {
		chat := first + i
		switch {
		case got[chat] == 0:
			t.Errorf("chat %d got nothing", chat)
		case got[chat] > 1:
			dups = append(dups, chat)
			if got[chat] > 1+flights[chat] {
				t.Errorf("chat %d got %d copies; want one, and one more for each kill it was in flight at (%d)", chat, got[chat], flights[chat])
			}
		}
	}
	if s.Sent != n || s.Pending != 0 || s.Failed != 0 {
		t.Errorf("status = %+v; want %d sent", s, n)
	}
	if r := fake.TooManyRequests(); r != 0 {
		t.Errorf("the fake answered %d 429s; want none", r)
	}
	t.Logf("%d subscribers, %d duplicates %v (in flight at the kills: %d)", n, len(dups), dups, len(flights))
}
