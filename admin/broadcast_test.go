package admin_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk"
	"examdesk/admin"
	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
	"examdesk/dialog"
	"examdesk/locales"
)

// memDrafts is an admin.Drafts in memory; fail, when set, fails every
// call whose name it returns true for.
type memDrafts struct {
	mu     sync.Mutex
	drafts map[int64]admin.Draft
	fail   func(op string) bool
}

var errDown = errors.New("store down")

func (m *memDrafts) failing(op string) bool { return m.fail != nil && m.fail(op) }

func (m *memDrafts) Load(_ context.Context, user int64) (admin.Draft, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("load") {
		return admin.Draft{}, false, errDown
	}
	d, ok := m.drafts[user]
	d.Texts = maps.Clone(d.Texts)
	return d, ok, nil
}

func (m *memDrafts) Save(_ context.Context, user int64, d admin.Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("save") {
		return errDown
	}
	if m.drafts == nil {
		m.drafts = map[int64]admin.Draft{}
	}
	d.Texts = maps.Clone(d.Texts)
	m.drafts[user] = d
	return nil
}

func (m *memDrafts) Delete(_ context.Context, user int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing("delete") {
		return errDown
	}
	delete(m.drafts, user)
	return nil
}

// memQueue is a broadcast.Queue in memory that keeps what it was given.
type memQueue struct {
	mu      sync.Mutex
	list    []broadcast.Status // oldest first
	notices map[string]broadcast.Notice
	creates int
	fail    bool
}

func (q *memQueue) Create(ctx context.Context, n broadcast.Notice, audience broadcast.Subscribers) (broadcast.Status, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.creates++
	if q.fail {
		return broadcast.Status{}, errDown
	}
	for _, st := range q.list {
		if st.ID == n.ID {
			return st, broadcast.ErrExists
		}
	}
	for _, t := range n.Texts {
		if err := broadcast.CheckText(t); err != nil {
			return broadcast.Status{}, err
		}
	}
	total, err := audience.Count(ctx, n.Filter)
	if err != nil {
		return broadcast.Status{}, err
	}
	if n.ID == "" {
		n.ID = fmt.Sprintf("b-%d", len(q.list)+1)
	}
	st := broadcast.Status{ID: n.ID, State: broadcast.Queued, Total: total, Pending: total, At: n.At, By: n.By, Created: n.Created}
	q.list = append(q.list, st)
	if q.notices == nil {
		q.notices = map[string]broadcast.Notice{}
	}
	q.notices[n.ID] = n
	return st, nil
}

func (q *memQueue) Status(_ context.Context, id string) (broadcast.Status, broadcast.Notice, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, st := range q.list {
		if st.ID == id {
			return st, q.notices[id], nil
		}
	}
	return broadcast.Status{}, broadcast.Notice{}, broadcast.ErrNotFound
}

func (q *memQueue) Cancel(_ context.Context, id string) (broadcast.Status, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, st := range q.list {
		if st.ID == id {
			if st.State == broadcast.Queued || st.State == broadcast.Sending {
				q.list[i].State = broadcast.Cancelled
			}
			return q.list[i], nil
		}
	}
	return broadcast.Status{}, broadcast.ErrNotFound
}

func (q *memQueue) List(_ context.Context, n int) ([]broadcast.Status, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return nil, errDown
	}
	var out []broadcast.Status
	for i := len(q.list) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, q.list[i])
	}
	return out, nil
}

// countFail is a subscriber list whose Count fails.
type countFail struct{ broadcast.Subscribers }

func (countFail) Count(context.Context, broadcast.Filter) (int, error) { return 0, errDown }

const (
	adminID = 7
	adminCh = 70
)

// desk is an administrator at the console, with the broadcast commands on
// stores in memory.
type desk struct {
	t       *testing.T
	console *admin.Console
	b       *admin.Broadcast
	drafts  *memDrafts
	queue   *memQueue
	subs    *broadcasttest.Subscribers
	now     time.Time
	last    dialog.Reply // the last reply with options
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{t: t, drafts: &memDrafts{}, queue: &memQueue{}, subs: &broadcasttest.Subscribers{}}
	d.now = time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC) // 14:00 in China
	d.b = &admin.Broadcast{Queue: d.queue, Subscribers: d.subs, Drafts: d.drafts, Now: func() time.Time { return d.now }}
	d.console = admin.New([]int64{adminID}, d.b, &admin.Broadcasts{Queue: d.queue})
	ctx := context.Background()
	subs := []broadcast.Subscriber{
		{Chat: 1, Lang: "zh-Hant", Level: 4}, {Chat: 2, Lang: "zh-Hant", Level: 3},
		{Chat: 3, Lang: "zh-Hans", Level: 4}, {Chat: 4, Lang: "en", Level: 2}, {Chat: 5, Lang: "en"},
	}
	for _, s := range subs {
		if err := d.subs.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// send hands in to the console as the administrator and checks the reply
// is the console's, with options that fit.
func (d *desk) send(in dialog.Input) (dialog.Reply, error) {
	d.t.Helper()
	r, ok, err := d.console.Handle(context.Background(), examdesk.Key{Chat: adminCh, User: adminID}, "en", in)
	if !ok {
		d.t.Fatalf("Console.Handle(%+v) is not the console's", in)
	}
	for _, m := range r.Messages {
		d.known(m.Text)
		for _, o := range m.Options {
			d.known(o.Label)
			if len(o.Value) > 24 {
				d.t.Errorf("option %q: value %d bytes long; want at most 24", o.Value, len(o.Value))
			}
		}
		if len(m.Options) > 0 {
			d.last = r
		}
	}
	return r, err
}

// known checks that t and the texts among its arguments are messages of
// the catalogue.
func (d *desk) known(t dialog.Text) {
	d.t.Helper()
	if !catalog(d.t).Has(t.Key) {
		d.t.Errorf("message %q is not in the catalogue", t.Key)
	}
	for _, a := range t.Args {
		switch a := a.(type) {
		case dialog.Text:
			d.known(a)
		case dialog.Paragraphs:
			for _, p := range a {
				d.known(p)
			}
		}
	}
}

var loaded struct {
	once sync.Once
	c    *locales.Catalog
	err  error
}

func catalog(t *testing.T) *locales.Catalog {
	t.Helper()
	loaded.once.Do(func() { loaded.c, loaded.err = locales.Load() })
	if loaded.err != nil {
		t.Fatal(loaded.err)
	}
	return loaded.c
}

func (d *desk) must(in dialog.Input) dialog.Reply {
	d.t.Helper()
	r, err := d.send(in)
	if err != nil {
		d.t.Fatalf("Console.Handle(%+v) error: %v", in, err)
	}
	return r
}

func (d *desk) say(text string) dialog.Reply { d.t.Helper(); return d.must(dialog.Input{Text: text}) }

// press presses the option of the last reply with options whose value is
// the broadcast command's v.
func (d *desk) press(v string) dialog.Reply {
	d.t.Helper()
	return d.must(dialog.Input{Pick: d.option(v)})
}

func (d *desk) option(v string) *dialog.Pick {
	d.t.Helper()
	for _, m := range d.last.Messages {
		for _, o := range m.Options {
			if o.Value == admin.Value("broadcast", v) || o.Value == v {
				return &dialog.Pick{Value: o.Value, Step: o.Step}
			}
		}
	}
	d.t.Fatalf("no option %q in the last reply %v", v, keys(d.last))
	return nil
}

func (d *desk) draft() (admin.Draft, bool) {
	d.t.Helper()
	dr, ok, err := d.drafts.Load(context.Background(), adminID)
	if err != nil {
		d.t.Fatal(err)
	}
	return dr, ok
}

// keys lists the message keys of r.
func keys(r dialog.Reply) []string {
	var out []string
	for _, m := range r.Messages {
		out = append(out, m.Text.Key)
	}
	return out
}

func arg(r dialog.Reply, key, name string) any {
	for _, m := range r.Messages {
		if m.Text.Key == key {
			return m.Text.Args[name]
		}
	}
	return nil
}

const special = "Exam on 1 < 2 & <b>not bold</b> 📅 ✅\n  second line, 電子商務師 "

func TestBroadcastOneTextForAll(t *testing.T) {
	d := newDesk(t)
	if r := d.say("/broadcast"); !slices.Equal(keys(r), []string{"admin.broadcast.ask_all"}) {
		t.Fatalf("/broadcast = %v; want the question for the text", keys(r))
	}
	r := d.say(special)
	if want := []string{"admin.broadcast.notice", "admin.broadcast.summary"}; !slices.Equal(keys(r), want) {
		t.Fatalf("text = %v; want %v", keys(r), want)
	}
	if got := arg(r, "admin.broadcast.notice", "Text"); got != special {
		t.Errorf("preview text = %q; want exactly %q", got, special)
	}
	if got := arg(r, "admin.broadcast.summary", "Count"); got != 5 {
		t.Errorf("summary count = %v; want 5", got)
	}
	r = d.press("ok")
	if !slices.Equal(keys(r), []string{"admin.broadcast.queued"}) {
		t.Fatalf("confirm = %v; want queued", keys(r))
	}
	if len(d.queue.list) != 1 {
		t.Fatalf("%d broadcasts queued; want 1", len(d.queue.list))
	}
	id := d.queue.list[0].ID
	if got := arg(r, "admin.broadcast.queued", "ID"); got != id {
		t.Errorf("queued ID = %v; want %s", got, id)
	}
	n := d.queue.notices[id]
	want := broadcast.Notice{ID: id, Texts: map[string]string{"": special}, By: "tg:7", Created: d.now, Watch: adminCh, WatchLang: "en"}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("Create(%+v); want %+v", n, want)
	}
	if len(id) > 24 || !strings.HasPrefix(id, "b-20261127T060000-") {
		t.Errorf("id = %q; want b-<UTC time>-<random>", id)
	}

	// A second press of Send queues nothing more.
	r = d.must(dialog.Input{Pick: d.option("ok")})
	if r.Notice == nil || r.Notice.Key != "admin.broadcast.stale" || len(d.queue.list) != 1 {
		t.Errorf("Send pressed again = %v (notice %v), %d broadcasts; want a stale notice, 1 broadcast", keys(r), r.Notice, len(d.queue.list))
	}
}

func TestBroadcastPerLanguage(t *testing.T) {
	d := newDesk(t)
	d.say("/broadcast")
	r := d.press("each")
	if got := arg(r, "admin.broadcast.ask_lang", "Lang"); !reflect.DeepEqual(got, dialog.T("lang.name.zh-Hant")) {
		t.Fatalf("one per language asks %v; want zh-Hant first", got)
	}
	texts := map[string]string{"zh-Hant": "考試通知 <繁>", "zh-Hans": "考试通知 &简", "en": "Exam notice 📢"}
	d.say(texts["zh-Hant"])
	r = d.say(texts["zh-Hans"])
	if got := arg(r, "admin.broadcast.ask_lang", "Lang"); !reflect.DeepEqual(got, dialog.T("lang.name.en")) {
		t.Fatalf("after two texts asks %v; want en", got)
	}
	r = d.say(texts["en"])
	want := []string{"admin.broadcast.notice", "admin.broadcast.notice", "admin.broadcast.notice", "admin.broadcast.summary"}
	if !slices.Equal(keys(r), want) {
		t.Fatalf("preview = %v; want %v", keys(r), want)
	}
	for i, l := range examdesk.Languages {
		if got := r.Messages[i].Text.Args["Text"]; got != texts[l] {
			t.Errorf("preview %d = %q; want %q", i, got, texts[l])
		}
	}

	// Rewrite the English text, then narrow the audience to level 4 and
	// send the next day at 09:00.
	d.press("een")
	r = d.say("Exam notice, corrected")
	if got := r.Messages[2].Text.Args["Text"]; got != "Exam notice, corrected" {
		t.Errorf("rewritten preview = %q", got)
	}
	d.press("aud")
	r = d.press("v4")
	if got := arg(r, "admin.broadcast.summary", "Count"); got != 2 {
		t.Errorf("level 4 audience = %v; want 2", got)
	}
	d.press("t")
	r = d.say(" 2026-11-28   09:00 ")
	if got := arg(r, "admin.broadcast.summary", "When"); !reflect.DeepEqual(got, dialog.T("admin.when.at", "Time", "2026-11-28 09:00")) {
		t.Errorf("when = %v; want 2026-11-28 09:00", got)
	}
	d.press("ok")
	n := d.queue.notices[d.queue.list[0].ID]
	texts["en"] = "Exam notice, corrected"
	if !maps.Equal(n.Texts, texts) || n.Filter != (broadcast.Filter{Level: 4}) || !n.At.Equal(time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("Create(%+v); want the three texts, level 4, at 01:00 UTC", n)
	}
}

// TestBroadcastMistakes: every mistake is answered and changes nothing.
func TestBroadcastMistakes(t *testing.T) {
	tests := []struct {
		name  string
		setup func(d *desk) // brings the draft where the mistake is made
		do    func(d *desk) dialog.Reply
		want  string // the first message key of the answer
	}{
		{"empty text", func(d *desk) { d.say("/broadcast") }, func(d *desk) dialog.Reply { return d.say(" \n\t ") }, "admin.broadcast.empty"},
		{"text over 4096", func(d *desk) { d.say("/broadcast") }, func(d *desk) dialog.Reply { return d.say(strings.Repeat("a", 4097)) }, "admin.broadcast.too_long"},
		{"emoji over 4096 units", func(d *desk) { d.say("/broadcast") }, func(d *desk) dialog.Reply { return d.say(strings.Repeat("😀", 2049)) }, "admin.broadcast.too_long"},
		{"unreadable time", toTime, func(d *desk) dialog.Reply { return d.say("tomorrow at nine") }, "admin.broadcast.bad_time"},
		{"impossible date", toTime, func(d *desk) dialog.Reply { return d.say("2026-02-30 09:00") }, "admin.broadcast.bad_time"},
		{"past time", toTime, func(d *desk) dialog.Reply { return d.say("2026-11-27 13:59") }, "admin.broadcast.past_time"},
		{"stale button", func(d *desk) {
			d.say("/broadcast")
			d.say("hello")
		}, func(d *desk) dialog.Reply {
			return d.must(dialog.Input{Pick: &dialog.Pick{Value: admin.Value("broadcast", "ok"), Step: 1}})
		}, "admin.broadcast.stale"},
		{"nothing to confirm", func(d *desk) {}, func(d *desk) dialog.Reply {
			return d.must(dialog.Input{Pick: &dialog.Pick{Value: admin.Value("broadcast", "ok"), Step: 1}})
		}, "admin.broadcast.stale"},
		{"button of another stage", func(d *desk) { d.say("/broadcast") }, func(d *desk) dialog.Reply {
			dr, _ := d.draft()
			return d.must(dialog.Input{Pick: &dialog.Pick{Value: admin.Value("broadcast", "ok"), Step: dr.Version}})
		}, "admin.broadcast.stale"},
		{"bad level", toPreview, func(d *desk) dialog.Reply {
			dr, _ := d.draft()
			return d.must(dialog.Input{Pick: &dialog.Pick{Value: admin.Value("broadcast", "v9"), Step: dr.Version}})
		}, "admin.broadcast.stale"},
		{"unknown option", toPreview, func(d *desk) dialog.Reply {
			dr, _ := d.draft()
			return d.must(dialog.Input{Pick: &dialog.Pick{Value: admin.Value("broadcast", "zz"), Step: dr.Version}})
		}, "admin.broadcast.stale"},
		{"text after the draft expired", func(d *desk) {}, func(d *desk) dialog.Reply {
			r, err := d.b.Handle(context.Background(), admin.Request{Chat: adminCh, User: adminID, Lang: "en", Text: "hello"})
			if err != nil {
				d.t.Fatal(err)
			}
			return r
		}, "admin.broadcast.nothing"},
		{"cancel without draft", func(d *desk) {}, func(d *desk) dialog.Reply { return d.say("/broadcast cancel") }, "admin.broadcast.nothing"},
		{"unknown argument", toPreview, func(d *desk) dialog.Reply { return d.say("/broadcast now") }, "admin.broadcast.usage"},
		{"nobody in the audience", func(d *desk) {
			toPreview(d)
			d.press("aud")
			d.press("v1")
		}, func(d *desk) dialog.Reply { return d.press("ok") }, "admin.broadcast.no_audience"},
		{"time passed before confirming", func(d *desk) {
			toTime(d)
			d.say("2026-11-27 15:00")
			d.now = d.now.Add(2 * time.Hour)
		}, func(d *desk) dialog.Reply { return d.press("ok") }, "admin.broadcast.time_passed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDesk(t)
			tt.setup(d)
			before, hadDraft := d.draft()
			r := tt.do(d)
			if len(r.Messages) == 0 || r.Messages[0].Text.Key != tt.want {
				t.Errorf("answer = %v; want %s first", keys(r), tt.want)
			}
			after, hasDraft := d.draft()
			if hadDraft != hasDraft || !reflect.DeepEqual(before, after) {
				t.Errorf("draft changed from %+v to %+v; want it unchanged", before, after)
			}
			if len(d.queue.list) != 0 {
				t.Errorf("%d broadcasts queued; want none", len(d.queue.list))
			}
		})
	}
}

func toPreview(d *desk) {
	d.say("/broadcast")
	d.say("hello")
}

func toTime(d *desk) {
	toPreview(d)
	d.press("t")
}

// TestBroadcastLimit: a text of exactly 4096 UTF-16 units is taken.
func TestBroadcastLimit(t *testing.T) {
	for _, text := range []string{strings.Repeat("a", 4096), strings.Repeat("😀", 2048), strings.Repeat("電", 4096)} {
		d := newDesk(t)
		d.say("/broadcast")
		if r := d.say(text); arg(r, "admin.broadcast.notice", "Text") != text {
			t.Errorf("text of %d bytes = %v; want the preview", len(text), keys(r))
		}
	}
}

func TestBroadcastDrop(t *testing.T) {
	tests := []struct {
		name string
		drop func(d *desk) dialog.Reply
	}{
		{"command", func(d *desk) dialog.Reply { return d.say("/broadcast cancel") }},
		{"button", func(d *desk) dialog.Reply { return d.press("q") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDesk(t)
			toPreview(d)
			if r := tt.drop(d); !slices.Equal(keys(r), []string{"admin.broadcast.dropped"}) {
				t.Errorf("drop = %v; want dropped", keys(r))
			}
			if _, ok := d.draft(); ok {
				t.Errorf("the draft is still kept")
			}
			// A text now is not the console's.
			if _, ok, _ := d.console.Handle(context.Background(), examdesk.Key{Chat: adminCh, User: adminID}, "en", dialog.Input{Text: "hello"}); ok {
				t.Errorf("a text after the draft was dropped went to the console")
			}
		})
	}
}

// TestBroadcastResume: /broadcast with a draft in progress shows where it
// stands instead of dropping it.
func TestBroadcastResume(t *testing.T) {
	d := newDesk(t)
	toPreview(d)
	r := d.say("/broadcast")
	want := []string{"admin.broadcast.resume", "admin.broadcast.notice", "admin.broadcast.summary"}
	if !slices.Equal(keys(r), want) {
		t.Errorf("/broadcast again = %v; want %v", keys(r), want)
	}
	if dr, _ := d.draft(); dr.Texts[""] != "hello" {
		t.Errorf("draft texts = %v; want hello kept", dr.Texts)
	}
}

// TestBroadcastFailures: a failing store is an error, and nothing changed.
func TestBroadcastFailures(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		d := newDesk(t)
		d.b.Subscribers = countFail{d.subs}
		d.say("/broadcast")
		before, _ := d.draft()
		if _, err := d.send(dialog.Input{Text: "hello"}); !errors.Is(err, errDown) {
			t.Errorf("text with Count failing: error %v; want %v", err, errDown)
		}
		if after, _ := d.draft(); !reflect.DeepEqual(before, after) {
			t.Errorf("draft %+v; want unchanged %+v", after, before)
		}
	})
	t.Run("queue then save", func(t *testing.T) {
		d := newDesk(t)
		toPreview(d)
		d.queue.fail = true
		pick := d.option("ok")
		if _, err := d.send(dialog.Input{Pick: pick}); !errors.Is(err, errDown) {
			t.Fatalf("confirm with Create failing: error %v; want %v", err, errDown)
		}
		d.queue.fail = false
		// The draft keeps its id; Send works again, and once more after a
		// failure to record it as sent queues no second broadcast.
		d.drafts.fail = func(op string) bool { return op == "save" }
		if _, err := d.send(dialog.Input{Pick: pick}); !errors.Is(err, errDown) {
			t.Fatalf("confirm with Save failing: error %v; want %v", err, errDown)
		}
		d.drafts.fail = nil
		r := d.must(dialog.Input{Pick: pick})
		if !slices.Equal(keys(r), []string{"admin.broadcast.queued"}) || len(d.queue.list) != 1 {
			t.Errorf("confirm again = %v with %d broadcasts; want queued, 1", keys(r), len(d.queue.list))
		}
	})
	t.Run("load", func(t *testing.T) {
		d := newDesk(t)
		d.drafts.fail = func(op string) bool { return op == "load" }
		if _, _, err := d.console.Handle(context.Background(), examdesk.Key{Chat: adminCh, User: adminID}, "en", dialog.Input{Text: "hi"}); !errors.Is(err, errDown) {
			t.Errorf("text with Load failing: error %v; want %v", err, errDown)
		}
	})
}

func TestBroadcastsList(t *testing.T) {
	d := newDesk(t)
	if r := d.say("/broadcasts"); !slices.Equal(keys(r), []string{"admin.broadcasts.none"}) {
		t.Errorf("/broadcasts with none = %v", keys(r))
	}
	ctx := context.Background()
	for i := range 12 {
		n := broadcast.Notice{ID: fmt.Sprintf("b-20261127T0600%02d-abcdef", i), Texts: map[string]string{"": "x"}, Created: d.now}
		if _, err := d.queue.Create(ctx, n, d.subs); err != nil {
			t.Fatal(err)
		}
	}
	d.queue.list[11].State = broadcast.Sending
	d.queue.list[10].State = broadcast.Done
	d.queue.list[9].State = broadcast.Cancelled
	r := d.say("/broadcasts")
	items, _ := arg(r, "admin.broadcasts.list", "Items").(dialog.Paragraphs)
	if len(items) != admin.Recent {
		t.Fatalf("/broadcasts lists %d; want %d", len(items), admin.Recent)
	}
	if got := items[0].Args["ID"]; got != "b-20261127T060011-abcdef" {
		t.Errorf("first listed %v; want the most recent", got)
	}
	opts := r.Messages[0].Options
	if len(opts) != 8 { // sending + 7 queued; not the done and cancelled ones
		t.Errorf("%d cancel buttons; want 8", len(opts))
	}
	// Cancel the sending one: its button is the first.
	r = d.must(dialog.Input{Pick: &dialog.Pick{Value: opts[0].Value}})
	if got := keys(r); !slices.Equal(got, []string{"admin.broadcasts.cancelled"}) || r.Notice == nil {
		t.Errorf("cancel = %v (notice %v); want cancelled with a notice", got, r.Notice)
	}
	if st := d.queue.list[11].State; st != broadcast.Cancelled {
		t.Errorf("state after cancel = %s; want cancelled", st)
	}
	// Again: already ended.
	if r = d.must(dialog.Input{Pick: &dialog.Pick{Value: opts[0].Value}}); !slices.Equal(keys(r), []string{"admin.broadcasts.finished"}) {
		t.Errorf("cancel again = %v; want finished", keys(r))
	}
	if r = d.must(dialog.Input{Pick: &dialog.Pick{Value: admin.Value("broadcasts", "nosuchref")}}); !slices.Equal(keys(r), []string{"admin.broadcasts.unknown"}) {
		t.Errorf("cancel unknown = %v; want unknown", keys(r))
	}
}

func TestCancelValue(t *testing.T) {
	tests := []string{"b-20261127T060000-abcdef", "r-123456789-exam_date-reminder", "x"}
	seen := map[string]bool{}
	for _, id := range tests {
		v := admin.CancelValue(id)
		if len(v) > 24 || !strings.HasPrefix(v, "!broadcasts:") || seen[v] {
			t.Errorf("CancelValue(%q) = %q; want a distinct value of at most 24 bytes", id, v)
		}
		seen[v] = true
	}
}

// TestNotAdmin: the commands are not the console's for anyone else.
func TestNotAdmin(t *testing.T) {
	d := newDesk(t)
	for _, text := range []string{"/broadcast", "/broadcasts", "/broadcast cancel"} {
		r, ok, err := d.console.Handle(context.Background(), examdesk.Key{Chat: 9, User: 9}, "en", dialog.Input{Text: text})
		if ok || err != nil || len(r.Messages) > 0 {
			t.Errorf("Handle(%q) from user 9 = %v, %v, %v; want it left to the dialog", text, keys(r), ok, err)
		}
	}
}

// FuzzBroadcast: no text, button or time makes the commands fail or offer
// an option that does not fit.
func FuzzBroadcast(f *testing.F) {
	f.Add("hello", "ok", int64(0), "2026-12-01 09:00")
	f.Add("\xff\xfe", "ezh-Hant", int64(1), "9999-99-99 99:99")
	f.Add(strings.Repeat("😀", 3000), "v-1", int64(-1), "")
	f.Add("/broadcast cancel", "l", int64(2), "/broadcast")
	f.Fuzz(func(t *testing.T, text, value string, step int64, at string) {
		d := newDesk(t)
		try := func(in dialog.Input) {
			t.Helper()
			r, _, err := d.console.Handle(context.Background(), examdesk.Key{Chat: adminCh, User: adminID}, "en", in)
			if err != nil {
				t.Fatalf("Handle(%+v) error: %v", in, err)
			}
			for _, m := range r.Messages {
				for _, o := range m.Options {
					if len(o.Value) > 24 {
						t.Fatalf("Handle(%+v) offers %q, over 24 bytes", in, o.Value)
					}
				}
			}
		}
		pick := func(cmd, v string, step int64) {
			try(dialog.Input{Pick: &dialog.Pick{Value: admin.Value(cmd, v), Step: step}})
		}
		try(dialog.Input{Text: "/broadcast"})
		try(dialog.Input{Text: text})
		pick("broadcast", value, step)
		for _, v := range []string{"t", value, "ok"} {
			dr, _ := d.draft()
			pick("broadcast", v, dr.Version)
		}
		try(dialog.Input{Text: at})
		try(dialog.Input{Text: "/broadcast " + text})
		pick("broadcasts", value, 0)
	})
}
