package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/conversation"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/inbox"
	"examdesk/locales"
	"examdesk/redisstore"
	"examdesk/rules"
)

// memTransport is a conversation.Transport in memory: it renders texts
// as the catalog has them, buttons' data as "<step>|<value>", and records
// what it is asked to send. fail makes the next Send to a chat fail.
type memTransport struct {
	tr dialog.Translator

	mu        sync.Mutex
	sent      map[int64][]conversation.Message
	answers   []string // "<callback>:<notice>"
	menus     map[int64]string
	apologies map[int64][]string // languages
	fail      map[int64]error
	failing   map[int64]error // makes every Send to a chat fail
	menuFail  map[int64]error // makes the next SetMenu of a chat fail
	signal    chan int64      // gets the chat of each Send, if not nil
}

func newTransport(tr dialog.Translator) *memTransport {
	return &memTransport{tr: tr, sent: map[int64][]conversation.Message{}, menus: map[int64]string{},
		apologies: map[int64][]string{}, fail: map[int64]error{}, failing: map[int64]error{}, menuFail: map[int64]error{}}
}

func (m *memTransport) Render(r dialog.Reply) []conversation.Message {
	var out []conversation.Message
	for _, msg := range r.Messages {
		o := conversation.Message{Text: dialog.Render(m.tr, r.Lang, msg.Text, html.EscapeString)}
		for _, opt := range msg.Options {
			label := dialog.Render(m.tr, r.Lang, opt.Label, html.EscapeString)
			o.Keyboard = append(o.Keyboard, []conversation.Button{{Text: label, Data: strconv.FormatInt(opt.Step, 10) + "|" + opt.Value}})
		}
		out = append(out, o)
	}
	return out
}

func (m *memTransport) Notice(r dialog.Reply) string {
	if r.Notice == nil {
		return ""
	}
	return dialog.Render(m.tr, r.Lang, *r.Notice, html.EscapeString)
}

// Menu sets a chat's menu for every language but English.
func (m *memTransport) Menu(code, lang string) string {
	if lang == "en" {
		return ""
	}
	return lang
}

func (m *memTransport) Send(_ context.Context, chat int64, msg conversation.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail[chat]; err != nil {
		delete(m.fail, chat)
		return err
	}
	if err := m.failing[chat]; err != nil {
		return err
	}
	m.sent[chat] = append(m.sent[chat], msg)
	if m.signal != nil {
		m.signal <- chat
	}
	return nil
}

func (m *memTransport) Apologize(_ context.Context, chat int64, lang string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apologies[chat] = append(m.apologies[chat], lang)
	return nil
}

func (m *memTransport) Answer(_ context.Context, callback, notice string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers = append(m.answers, callback+":"+notice)
	return nil
}

func (m *memTransport) SetMenu(_ context.Context, chat int64, lang string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.menuFail[chat]; err != nil {
		delete(m.menuFail, chat)
		return err
	}
	m.menus[chat] = lang
	return nil
}

// texts returns the texts sent to chat, and forgets them.
func (m *memTransport) texts(chat int64) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, msg := range m.sent[chat] {
		out = append(out, msg.Text)
	}
	delete(m.sent, chat)
	return out
}

// button returns the pick of the button labelled label among those sent
// to chat.
func (m *memTransport) button(t *testing.T, chat int64, label string) *dialog.Pick {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range m.sent[chat] {
		for _, row := range msg.Keyboard {
			for _, b := range row {
				if b.Text == label {
					step, value, _ := strings.Cut(b.Data, "|")
					n, err := strconv.ParseInt(step, 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					return &dialog.Pick{Step: n, Value: value}
				}
			}
		}
	}
	t.Fatalf("no button %q among %+v", label, m.sent[chat])
	return nil
}

var engine = sync.OnceValues(func() (*dialog.Engine, *locales.Catalog) {
	set, err := rules.Load()
	if err != nil {
		panic(err)
	}
	topics, err := faq.Load()
	if err != nil {
		panic(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		panic(err)
	}
	engine, err := dialog.New(set, topics, catalog)
	if err != nil {
		panic(err)
	}
	return engine, catalog
})

// rig is a pipeline on an embedded Redis of a test's own, with the real
// engine and messages and a transport in memory.
type rig struct {
	t       *testing.T
	st      *redisstore.Store
	q       *redisstore.Inbox
	subs    *redisstore.Subscribers
	tr      *memTransport
	catalog *locales.Catalog
	p       *conversation.Pipeline
	id      int64
}

// newRig returns a rig whose pipeline has the options o, with the dialog
// d (nil: the real engine); see rig.pipeline.
func newRig(t *testing.T, d conversation.Stepper, o conversation.Options) *rig {
	t.Helper()
	st, stop, err := redisstore.OpenEmbedded(t.Context())
	if err != nil {
		t.Fatalf("OpenEmbedded() = %v", err)
	}
	t.Cleanup(func() { stop() })
	q, err := st.Inbox()
	if err != nil {
		t.Fatal(err)
	}
	_, catalog := engine()
	r := &rig{t: t, st: st, q: q, subs: st.Subscribers(), tr: newTransport(catalog), catalog: catalog}
	r.pipeline(d, o)
	return r
}

// pipeline makes the rig's pipeline anew, with the dialog d (nil: the real
// engine) and the options o.
func (r *rig) pipeline(d conversation.Stepper, o conversation.Options) {
	if d == nil {
		d, _ = engine()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r.p = conversation.New(r.q, d, r.tr, o)
}

// add records an update of chat from user with input in and callback id
// callback.
func (r *rig) add(chat, user int64, in dialog.Input, callback string) {
	r.t.Helper()
	r.id++
	in.Group = chat != user
	u := inbox.Update{ID: r.id, Chat: chat, User: user, Input: in, Callback: callback}
	if _, err := r.q.Add(r.t.Context(), []inbox.Update{u}); err != nil {
		r.t.Fatalf("Add = %v", err)
	}
}

// say has user say text in chat, and has the pipeline handle it.
func (r *rig) say(chat, user int64, text string) {
	r.t.Helper()
	r.add(chat, user, dialog.Input{Text: text, LanguageCode: "en"}, "")
	r.handle()
}

func (r *rig) handle() {
	r.t.Helper()
	if err := r.p.HandleReady(r.t.Context()); err != nil {
		r.t.Fatalf("HandleReady() = %v", err)
	}
}

// due makes a chat given up until later ready now, as if its delay were
// over.
func (r *rig) due(chat int64) {
	r.t.Helper()
	if err := r.st.Client().ZAdd(r.t.Context(), r.st.Prefix()+"ready", redis.Z{Score: 0, Member: chat}).Err(); err != nil {
		r.t.Fatal(err)
	}
}

// settle handles every chat until none has anything left, those given up
// until later too, once they are due.
func (r *rig) settle() {
	r.t.Helper()
	// A guard against a pipeline that hangs, not a measure of speed: a
	// paced answer takes seconds, and a loaded machine several times that.
	const guard = time.Minute
	deadline := time.Now().Add(guard)
	for {
		r.handle()
		n, err := r.q.Depth(r.t.Context())
		if err != nil {
			r.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d chats still have work after %v", n, guard)
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *rig) translate(lang, key string) string {
	return r.catalog.Translate(lang, key, nil)
}

type rec struct {
	sub           broadcast.Subscriber
	active, found bool
}

func (r *rig) subscriber(chat int64) rec {
	r.t.Helper()
	var got rec
	var err error
	got.sub, got.active, got.found, err = r.subs.Get(r.t.Context(), chat)
	if err != nil {
		r.t.Fatalf("Get(%d) = %v", chat, err)
	}
	return got
}

// TestSubscriptions follows a user's subscription through the pipeline:
// /start, /lang, /remind, /stop, a blocked user, /forget, and a group,
// which never subscribes.
func TestSubscriptions(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{})
	r.pipeline(nil, conversation.Options{Subscribers: r.subs})
	sub := func(lang string, remind bool) broadcast.Subscriber {
		return broadcast.Subscriber{Chat: 5, Lang: lang, Remind: remind}
	}
	for _, step := range []struct {
		say  string
		want rec
	}{
		{"/start", rec{sub("en", false), true, true}},
		{"/lang zh-TW", rec{sub("zh-Hant", false), true, true}},
		{"/remind", rec{sub("zh-Hant", true), true, true}},
		{"/stop", rec{sub("zh-Hant", true), false, true}},
		{"/remind off", rec{sub("zh-Hant", false), false, true}},
		{"/start", rec{sub("zh-Hant", false), true, true}},
	} {
		r.say(5, 5, step.say)
		if got := r.subscriber(5); got != step.want {
			t.Errorf("after %s: Get(5) = %+v; want %+v", step.say, got, step.want)
		}
	}
	if got, want := r.tr.menus[5], "zh-Hant"; got != want {
		t.Errorf("menu of chat 5 after /lang zh-TW = %q; want %q", got, want)
	}

	// A user who blocked the bot is marked so, and active again when
	// they start again.
	r.tr.fail[5] = fmt.Errorf("403: %w", conversation.ErrBlocked)
	r.say(5, 5, "hello")
	if got, want := r.subscriber(5), (rec{sub("zh-Hant", false), false, true}); got != want {
		t.Errorf("after a block: Get(5) = %+v; want %+v", got, want)
	}
	r.say(5, 5, "/start")
	if got, want := r.subscriber(5), (rec{sub("zh-Hant", false), true, true}); got != want {
		t.Errorf("after /start again: Get(5) = %+v; want %+v", got, want)
	}

	// /forget asks with buttons; the first deletes.
	r.tr.texts(5)
	r.say(5, 5, "/forget")
	yes := r.tr.button(t, 5, r.translate("zh-Hant", "subscribe.forget_yes"))
	r.add(5, 5, dialog.Input{Pick: yes, LanguageCode: "en"}, "cb1")
	r.handle()
	if got := r.subscriber(5); got != (rec{}) {
		t.Errorf("after /forget: Get(5) = %+v; want nothing", got)
	}
	if got, err := r.st.Load(t.Context(), examdesk.Key{Chat: 5, User: 5}); err != nil || !reflect.DeepEqual(got, dialog.State{}) {
		t.Errorf("after /forget: Load(5/5) = %+v, %v; want nothing", got, err)
	}
	if got, want := r.tr.answers, []string{"cb1:"}; !slices.Equal(got, want) {
		t.Errorf("buttons answered = %q; want %q", got, want)
	}

	// In a group, nobody subscribes.
	r.say(-1005, 5, "/start")
	r.say(-1005, 5, "/remind")
	if n := len(r.tr.texts(-1005)); n < 2 {
		t.Errorf("the group got %d messages; want answers to /start and /remind", n)
	}
	if n, err := r.subs.Count(t.Context(), broadcast.Filter{}); err != nil || n != 0 {
		t.Errorf("after a group's /start and /remind: Count = %d, %v; want 0", n, err)
	}
}

// TestNoSubscribers checks that without Subscribers the replies are the
// same and nothing is kept about the user (examdesk chat).
func TestNoSubscribers(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{})
	for _, text := range []string{"/start", "/remind", "/stop"} {
		r.say(5, 5, text)
		if n := len(r.tr.texts(5)); n == 0 {
			t.Errorf("%s got no answer", text)
		}
	}
	if got := r.subscriber(5); got != (rec{}) {
		t.Errorf("Get(5) = %+v; want nothing", got)
	}
}

// TestLeftBehind checks what the successor of a holder that died after
// committing does with the outbox it left: the entries not recorded done,
// from the message that may have been in flight.
func TestLeftBehind(t *testing.T) {
	t.Parallel()
	// The outbox of /start as an older release committed it, the welcome
	// then the effect, and two more messages (one as a still older release
	// wrote it).
	out := [][]byte{
		[]byte(`{"lang":"en","chat":5,"message":{"text":"welcome"}}`),
		[]byte(`{"lang":"en","chat":5,"subscription":{"op":1,"lang":"en"}}`),
		[]byte(`{"lang":"en","chat":5,"message":{"text":"third"}}`),
		[]byte(`{"lang":"en","chat":5,"message":{"Text":"fourth","Keyboard":[[{"Text":"b","Data":"1|x"}]]}}`),
	}
	welcome := conversation.Message{Text: "welcome"}
	third := conversation.Message{Text: "third"}
	fourth := conversation.Message{Text: "fourth", Keyboard: [][]conversation.Button{{{Text: "b", Data: "1|x"}}}}
	for _, tc := range []struct {
		name  string
		sent  int // recorded before the holder died; 0 for none
		want  []conversation.Message
		found bool // the successor applied the effect
	}{
		{"died before sending", 0, []conversation.Message{welcome, third, fourth}, true},
		{"died sending the third", 2, []conversation.Message{third, fourth}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil, conversation.Options{})
			r.pipeline(nil, conversation.Options{Subscribers: r.subs})
			ctx := t.Context()
			r.add(5, 5, dialog.Input{Text: "/start", LanguageCode: "en"}, "")
			job, ok, err := r.q.Claim(ctx)
			if err != nil || !ok {
				t.Fatalf("Claim = %v, %v", ok, err)
			}
			if _, _, err := r.q.Commit(ctx, job, job.State, out); err != nil {
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
			if got := r.subscriber(5); got.found != tc.found {
				t.Errorf("Get(5) = %+v; want found %v", got, tc.found)
			}
			if got := r.tr.sent[5]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("sent %+v to chat 5; want %+v", got, tc.want)
			}
		})
	}
}

// interrupting is a dialog that another writer interrupts: before the
// first step of each update, the conversation's state is saved with the
// language zh-Hans, so that the commit conflicts and the update is stepped
// again.
type interrupting struct {
	t     *testing.T
	st    *redisstore.Store
	e     *dialog.Engine
	steps atomic.Int32
}

func (d *interrupting) Step(st dialog.State, in dialog.Input) (dialog.State, dialog.Reply) {
	if d.steps.Add(1) == 1 {
		other := st
		other.Lang = "zh-Hans"
		if err := d.st.Save(context.Background(), examdesk.Key{Chat: 5, User: 5}, other); err != nil {
			d.t.Errorf("Save() = %v", err)
		}
	}
	return d.e.Step(st, in)
}

// TestConflict checks that an update whose conversation changed between
// its claim and its commit is stepped again from the state stored now.
func TestConflict(t *testing.T) {
	t.Parallel()
	e, catalog := engine()
	r := newRig(t, nil, conversation.Options{})
	d := &interrupting{t: t, st: r.st, e: e}
	r.pipeline(d, conversation.Options{})
	r.say(5, 5, "/help")
	if got := d.steps.Load(); got != 2 {
		t.Errorf("steps = %d; want 2: one before the conflict, one after", got)
	}
	_, reply := e.Step(dialog.State{Lang: "zh-Hans"}, dialog.Input{Text: "/help", LanguageCode: "en"})
	var want []string
	for _, m := range newTransport(catalog).Render(reply) {
		want = append(want, m.Text)
	}
	if got := r.tr.texts(5); !slices.Equal(got, want) {
		t.Errorf("sent %q; want the help in zh-Hans, %q", got, want)
	}
	if st, err := r.st.Load(t.Context(), examdesk.Key{Chat: 5, User: 5}); err != nil || st.Lang != "zh-Hans" || st.Version != 2 {
		t.Errorf("Load(5/5) = %+v, %v; want zh-Hans at version 2", st, err)
	}
}

// TestRefused checks that a message the transport refuses is replaced by
// the apology, in the reply's language, and that one failing for a while
// is sent again, before the answers to the updates after it.
func TestRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{Backoff: time.Millisecond})
	r.tr.fail[5] = fmt.Errorf("400: %w", conversation.ErrRejected)
	r.say(5, 5, "/lang zh-TW")
	if got, want := r.tr.apologies[5], []string{"zh-Hant"}; !slices.Equal(got, want) {
		t.Errorf("apologies = %q; want %q", got, want)
	}
	r.tr.texts(5)
	r.tr.fail[5] = errors.New("network down")
	r.add(5, 5, dialog.Input{Text: "/help", LanguageCode: "en"}, "")
	r.add(5, 5, dialog.Input{Text: "/lang en", LanguageCode: "en"}, "")
	r.settle()
	got := r.tr.texts(5)
	if len(got) != 2 || !strings.Contains(got[1], "English") {
		t.Errorf("after a failed send: sent %q; want the answer to /help, then to /lang en", got)
	}
	if n := len(r.tr.apologies[5]); n != 1 {
		t.Errorf("apologies after a failure that is no refusal = %d; want still 1", n)
	}
}

// counts is a conversation.Metrics that counts.
type counts struct {
	mu       sync.Mutex
	deferred map[inbox.Cause]int
	gaveUp   int
}

func (c *counts) Handled(time.Duration) {}
func (c *counts) StoreError()           {}
func (c *counts) Deferred(cause inbox.Cause) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deferred == nil {
		c.deferred = map[inbox.Cause]int{}
	}
	c.deferred[cause]++
}
func (c *counts) GaveUp() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gaveUp++
}

// TestRefusedForNow checks that a chat whose menu, or message, the
// transport refuses for now waits, its later updates behind, and that
// then everything is done once, in order.
func TestRefusedForNow(t *testing.T) {
	t.Parallel()
	m := &counts{}
	r := newRig(t, nil, conversation.Options{})
	r.pipeline(nil, conversation.Options{Metrics: m})
	r.tr.menuFail[5] = &conversation.RetryAfterError{After: time.Hour}
	r.add(5, 5, dialog.Input{Text: "/lang zh-TW", LanguageCode: "en"}, "")
	r.add(5, 5, dialog.Input{Text: "/help", LanguageCode: "en"}, "")
	r.add(6, 6, dialog.Input{Text: "/help", LanguageCode: "en"}, "")
	r.handle()
	if got := r.tr.texts(5); len(got) != 0 {
		t.Errorf("chat 5 got %q while it waited; want nothing yet", got)
	}
	if got := r.tr.texts(6); len(got) == 0 {
		t.Errorf("chat 6 got nothing while chat 5 waited; want its answer")
	}
	r.tr.fail[5] = &conversation.RetryAfterError{After: time.Hour}
	r.due(5)
	r.handle()
	if got := r.tr.texts(5); len(got) != 0 {
		t.Errorf("chat 5 got %q while it waited again; want nothing yet", got)
	}
	r.due(5)
	r.settle()
	got := r.tr.texts(5)
	if len(got) != 2 || !strings.Contains(got[0], "繁體") || r.tr.menus[5] != "zh-Hant" {
		t.Errorf("chat 5 after waiting: sent %q, menu %q; want the answers to /lang and /help, once each, and the menu in zh-Hant", got, r.tr.menus[5])
	}
	if m.deferred[inbox.Flood] != 2 {
		t.Errorf("chats deferred after a refusal for now = %d; want 2", m.deferred[inbox.Flood])
	}
}

// TestGivenUp checks that a message failing for GiveUp is given up,
// counted, and that the chat goes on.
func TestGivenUp(t *testing.T) {
	t.Parallel()
	m := &counts{}
	var logs syncBuffer
	r := newRig(t, nil, conversation.Options{})
	r.pipeline(nil, conversation.Options{Metrics: m, Backoff: time.Millisecond, GiveUp: 30 * time.Millisecond,
		Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	r.tr.failing[5] = errors.New("network down")
	r.add(5, 5, dialog.Input{Text: "/help", LanguageCode: "en"}, "")
	r.settle()
	if m.gaveUp != 1 || !strings.Contains(logs.String(), `"level":"ERROR","msg":"giving a message up`) || !strings.Contains(logs.String(), `"update_id":1,`) {
		t.Errorf("given up %d, log %s; want 1, logged at ERROR with update 1", m.gaveUp, logs.String())
	}
	delete(r.tr.failing, 5)
	r.say(5, 5, "/lang en")
	if got := r.tr.texts(5); len(got) != 1 || !strings.Contains(got[0], "English") {
		t.Errorf("after a message given up: sent %q; want the answer to /lang en", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

// console is a conversation.Console for user 9: /secret is its command,
// /broken fails.
type console struct{}

func (console) IsAdmin(user int64) bool { return user == 9 }

func (console) Handle(_ context.Context, key examdesk.Key, lang string, in dialog.Input) (dialog.Reply, bool, error) {
	switch in.Text {
	case "/secret":
		return dialog.Reply{Lang: lang, Messages: []dialog.Message{{Text: dialog.T("secret", "Chat", key.Chat)}}}, true, nil
	case "/broken":
		return dialog.Reply{}, true, errors.New("redis down")
	}
	return dialog.Reply{}, false, nil
}

// TestConsole checks the routing: an administrator's command in their
// private chat goes to the console, anything else to the dialog.
func TestConsole(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{Console: console{}})
	r.say(9, 9, "/secret")
	if got, want := r.tr.texts(9), []string{"secret"}; !slices.Equal(got, want) {
		t.Errorf("/secret of the administrator = %q; want the console's %q", got, want)
	}
	r.say(9, 9, "/broken")
	if got, want := r.tr.texts(9), []string{r.translate("en", "error.apology")}; !slices.Equal(got, want) {
		t.Errorf("/broken of the administrator = %q; want the apology %q", got, want)
	}
	for _, tc := range []struct {
		name       string
		chat, user int64
		text       string
	}{
		{"candidate", 8, 8, "/secret"},
		{"administrator in a group", -100, 9, "/secret"},
		{"administrator's other text", 9, 9, "/help"},
	} {
		r.say(tc.chat, tc.user, tc.text)
		if got := r.tr.texts(tc.chat); len(got) == 0 || slices.Contains(got, "secret") {
			t.Errorf("%s: %s = %q; want the dialog's answer", tc.name, tc.text, got)
		}
	}
}

// TestUnreadable checks that an update recorded in a form the inbox
// cannot read is dropped without an answer, and the chat goes on.
func TestUnreadable(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{})
	c, p := r.st.Client(), r.st.Prefix()
	if err := c.ZAdd(t.Context(), p+"q:5", redis.Z{Score: 100, Member: `100|5|{"update_id":100,"message":{}}`}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.ZAdd(t.Context(), p+"ready", redis.Z{Score: 0, Member: "5"}).Err(); err != nil {
		t.Fatal(err)
	}
	r.handle()
	if got := r.tr.texts(5); len(got) != 0 {
		t.Errorf("sent %q for an unreadable update; want nothing", got)
	}
	r.say(5, 5, "/help")
	if got := r.tr.texts(5); len(got) == 0 {
		t.Errorf("after an unreadable update, /help got no answer")
	}
}

// TestRun runs the pipeline's workers: updates added are answered once
// woken, and Run returns once its context is done.
func TestRun(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{Workers: 3})
	r.tr.signal = make(chan int64, 100)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.p.Run(ctx) }()
	for chat := int64(1); chat <= 10; chat++ {
		r.add(chat, chat, dialog.Input{Text: "/help", LanguageCode: "en"}, "")
	}
	r.p.Wake()
	answered := map[int64]bool{}
	for len(answered) < 10 {
		select {
		case chat := <-r.tr.signal:
			answered[chat] = true
		case <-t.Context().Done():
			t.Fatalf("the test ended with chats %v answered; want 1 to 10", answered)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run() = %v; want nil", err)
	}
	for chat := int64(1); chat <= 10; chat++ {
		if got := r.tr.texts(chat); len(got) == 0 {
			t.Errorf("chat %d got no answer", chat)
		}
	}
}
