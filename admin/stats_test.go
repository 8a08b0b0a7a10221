package admin_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"examdesk"
	"examdesk/admin"
	"examdesk/bot"
	"examdesk/dialog"
	"examdesk/stats"
	"examdesk/stats/statstest"
)

var testTopics = []string{"eligibility", "levels", "registration_time", "registration_place", "materials",
	"application_form", "work_proof", "thesis", "exam_date", "admission_ticket", "photo",
	"score_review", "defence", "certificate", "retake", "training_route", "location"}

// statsDesk is an administrator at a console with /stats, /unanswered and
// /help on statistics in memory.
type statsDesk struct {
	t       *testing.T
	console *admin.Console
	store   *statstest.Store
	fail    *failingTeacher
	now     time.Time
	last    dialog.Reply
}

// failingTeacher fails every call while down.
type failingTeacher struct {
	*statstest.Store
	down bool
}

func (f *failingTeacher) Unanswered(ctx context.Context, n int, since time.Time) ([]stats.Question, error) {
	if f.down {
		return nil, errDown
	}
	return f.Store.Unanswered(ctx, n, since)
}

func (f *failingTeacher) Teach(ctx context.Context, id, topic, by string, at time.Time) (stats.Example, error) {
	if f.down {
		return stats.Example{}, errDown
	}
	return f.Store.Teach(ctx, id, topic, by, at)
}

func newStatsDesk(t *testing.T) *statsDesk {
	t.Helper()
	d := &statsDesk{t: t, store: &statstest.Store{}, now: time.Now()}
	d.fail = &failingTeacher{Store: d.store}
	now := func() time.Time { return d.now }
	d.console = admin.New([]int64{adminID},
		&admin.Stats{Report: d.store, Unanswered: d.fail, Now: now},
		&admin.Unanswered{Store: d.fail, Topics: testTopics, Now: now},
		&admin.Help{Candidates: func(lang string) dialog.Reply {
			return dialog.Reply{Lang: lang, Messages: []dialog.Message{{Text: dialog.T("help")}}}
		}})
	return d
}

func (d *statsDesk) record(evs ...stats.Events) {
	d.t.Helper()
	for _, ev := range evs {
		if err := d.store.Record(context.Background(), ev); err != nil {
			d.t.Fatal(err)
		}
	}
}

// send hands in to the console as the administrator, checks the reply
// renders in every language and its buttons fit Telegram's callback data.
func (d *statsDesk) send(in dialog.Input) (dialog.Reply, error) {
	d.t.Helper()
	r, ok, err := d.console.Handle(context.Background(), examdesk.Key{Chat: adminCh, User: adminID}, "en", in)
	if !ok {
		d.t.Fatalf("Console.Handle(%+v) is not the console's", in)
	}
	for _, lang := range examdesk.Languages {
		r.Lang = lang
		for _, o := range bot.Render(catalog(d.t), r) {
			if strings.Contains(o.Text, "{{") || strings.Contains(o.Text, "admin.") {
				d.t.Errorf("reply in %s renders %q", lang, o.Text)
			}
			for _, row := range o.Keyboard {
				for _, b := range row {
					if b.Data == "" || len(b.Data) > bot.MaxCallbackData {
						d.t.Errorf("button %q: callback data %q", b.Text, b.Data)
					}
				}
			}
		}
	}
	for _, m := range r.Messages {
		for _, o := range m.Options {
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

func (d *statsDesk) must(in dialog.Input) dialog.Reply {
	d.t.Helper()
	r, err := d.send(in)
	if err != nil {
		d.t.Fatalf("Console.Handle(%+v) error: %v", in, err)
	}
	return r
}

func (d *statsDesk) say(text string) dialog.Reply {
	d.t.Helper()
	return d.must(dialog.Input{Text: text})
}

// press presses the option of the last reply whose label renders as label
// in English, in the message with text.
func (d *statsDesk) press(text, label string) dialog.Reply {
	d.t.Helper()
	return d.must(dialog.Input{Pick: d.option(text, label)})
}

func (d *statsDesk) option(text, label string) *dialog.Pick {
	d.t.Helper()
	for _, m := range d.last.Messages {
		if !strings.Contains(bot.Plain(catalog(d.t), "en", m.Text), text) {
			continue
		}
		for _, o := range m.Options {
			if bot.Plain(catalog(d.t), "en", o.Label) == label {
				return &dialog.Pick{Value: o.Value, Step: o.Step}
			}
		}
	}
	d.t.Fatalf("no option %q with %q in the last reply %v", label, text, keys(d.last))
	return nil
}

func rendered(t *testing.T, r dialog.Reply) string {
	t.Helper()
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(bot.Plain(catalog(t), "en", m.Text) + "\n")
	}
	return b.String()
}

func TestStatsCommand(t *testing.T) {
	d := newStatsDesk(t)
	if r := d.say("/stats"); !strings.Contains(rendered(t, r), "New users: 0 · active by day: 0 0 0 0 0 0 0") || !strings.Contains(rendered(t, r), "no topic yet") {
		t.Errorf("/stats with nothing recorded =\n%s", rendered(t, r))
	}
	day := func(ago int) time.Time { return d.now.Add(-time.Duration(ago) * 24 * time.Hour) }
	d.record(
		stats.Events{At: day(8), User: 9, Message: true}, // before the week
		stats.Events{At: day(2), User: 1, Message: true, Started: true, Topics: []string{"photo"}},
		stats.Events{At: day(1), User: 1, Message: true, Completed: true, Result: stats.Result{Level: 3, Route: stats.RouteIndividual}},
		stats.Events{At: day(0), User: 2, Message: true, Topics: []string{"photo", "exam_date"}},
		stats.Events{At: day(0), User: 2, Message: true, Lang: "en", Unanswered: "parking?"},
		stats.Events{At: day(0), User: 3, Message: true, Started: true, Abandoned: "occupation_years"},
	)
	got := rendered(t, d.say("/stats"))
	for _, want := range []string{
		"The last 7 days (" + stats.Day(day(6)) + " to " + stats.Day(day(0)),
		"New users: 3 · active by day: 0 0 0 0 1 1 2",
		"Messages: 5 · not answered: 1",
		"Checks: 2 started, 1 completed, 1 given up",
		"Highest level: 4 ×0 · 3 ×1 · 2 ×0 · 1 ×0 · none ×0",
		"Photo: 2\n   Exam date: 1",
		"Unanswered questions kept: 1 (/unanswered)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats =\n%s\nwant %q in it", got, want)
		}
	}
	if r := d.say("/stats 30"); !slices.Equal(keys(r), []string{"admin.stats.usage"}) {
		t.Errorf("/stats 30 = %v; want the usage", keys(r))
	}
	d.fail.down = true
	if _, err := d.send(dialog.Input{Text: "/stats"}); !errors.Is(err, errDown) {
		t.Errorf("/stats with the store down = %v; want %v", err, errDown)
	}
}

func TestUnansweredCommand(t *testing.T) {
	d := newStatsDesk(t)
	ctx := context.Background()
	if r := d.say("/unanswered"); !slices.Equal(keys(r), []string{"admin.unanswered.none"}) {
		t.Errorf("/unanswered with none = %v", keys(r))
	}
	ask := func(user int64, text string) stats.Events {
		return stats.Events{At: d.now, User: user, Lang: "zh-Hant", Message: true, Unanswered: text}
	}
	d.record(ask(1, "考試費用多少"), ask(2, "考試費用多少？"), ask(3, "可以泊車嗎"), ask(1, "你好嗎"))
	list := d.say("/unanswered")
	if got := rendered(t, list); !strings.Contains(got, "1. “考試費用多少”\nasked 2 times by 2 users, last on "+stats.Day(d.now)) ||
		!slices.Equal(keys(list), []string{"admin.unanswered.header", "admin.unanswered.item", "admin.unanswered.item", "admin.unanswered.item"}) {
		t.Fatalf("/unanswered =\n%s%v", got, keys(list))
	}
	stale := d.option("可以泊車嗎", "Out of scope") // pressed later, after the question is gone

	// Choose a topic: the 17 topics, out of scope, leave it.
	r := d.press("考試費用多少", "Choose a topic…")
	if opts := r.Messages[0].Options; len(opts) != len(testTopics)+2 || r.Notice == nil {
		t.Fatalf("Choose a topic = %d options, notice %v; want %d and a notice", len(opts), r.Notice, len(testTopics)+2)
	}
	r = d.press("考試費用多少", "What to bring")
	if got := rendered(t, r); !strings.Contains(got, "Taught: “考試費用多少” is now answered with What to bring.") {
		t.Errorf("pressing What to bring =\n%s", got)
	}
	exs, _, _ := d.store.Examples(ctx)
	if len(exs) != 1 || exs[0].Topic != "materials" || exs[0].By != "tg:7" || exs[0].Text != "考試費用多少" || exs[0].Count != 2 {
		t.Errorf("Examples() = %+v; want 考試費用多少 → materials by tg:7", exs)
	}
	// The same button again: the question is gone.
	if r := d.press("考試費用多少", "What to bring"); !slices.Equal(keys(r), []string{"admin.unanswered.gone"}) {
		t.Errorf("pressing What to bring again = %v; want gone", keys(r))
	}

	d.say("/unanswered")
	if r := d.press("你好嗎", "Out of scope"); !strings.Contains(rendered(t, r), "Marked out of scope") {
		t.Errorf("Out of scope = %s", rendered(t, r))
	}
	d.say("/unanswered")
	d.press("可以泊車嗎", "Choose a topic…")
	if r := d.press("可以泊車嗎", "Leave it"); !slices.Equal(keys(r), []string{"admin.unanswered.kept"}) {
		t.Errorf("Leave it = %v", keys(r))
	}

	// Forged and stale buttons change nothing.
	step, _ := stats.ParseQuestionID(stats.QuestionID("可以泊車嗎"))
	for _, tt := range []struct {
		name string
		pick dialog.Pick
		want string
	}{
		{"topic out of range", dialog.Pick{Value: admin.Value("unanswered", "t9900"), Step: step}, "admin.unanswered.stale"},
		{"topic check wrong", dialog.Pick{Value: admin.Value("unanswered", "t10zz"), Step: step}, "admin.unanswered.stale"},
		{"unknown action", dialog.Pick{Value: admin.Value("unanswered", "zap"), Step: step}, "admin.unanswered.stale"},
		{"unknown question", dialog.Pick{Value: admin.Value("unanswered", "x"), Step: 12345}, "admin.unanswered.gone"},
		{"no question", dialog.Pick{Value: admin.Value("unanswered", "o"), Step: 0}, "admin.unanswered.gone"},
	} {
		if r := d.must(dialog.Input{Pick: &tt.pick}); !slices.Equal(keys(r), []string{tt.want}) {
			t.Errorf("%s: %v; want %s", tt.name, keys(r), tt.want)
		}
	}
	if qs, _ := d.store.Unanswered(ctx, 10, d.now.Add(-time.Hour)); len(qs) != 1 || qs[0].Text != "可以泊車嗎" {
		t.Errorf("Unanswered() after the forged buttons = %+v; want 可以泊車嗎 alone", qs)
	}
	if r := d.must(dialog.Input{Pick: stale}); !slices.Equal(keys(r), []string{"admin.unanswered.dismissed"}) {
		t.Errorf("an earlier list's Out of scope = %v; want dismissed", keys(r))
	}
	if r := d.say("/unanswered please"); !slices.Equal(keys(r), []string{"admin.unanswered.usage"}) {
		t.Errorf("/unanswered please = %v; want the usage", keys(r))
	}

	d.record(ask(4, "有冷氣嗎"))
	d.say("/unanswered")
	pick := d.option("有冷氣嗎", "Out of scope")
	d.fail.down = true
	if _, err := d.send(dialog.Input{Pick: pick}); !errors.Is(err, errDown) {
		t.Errorf("Out of scope with the store down = %v; want %v", err, errDown)
	}
	d.fail.down = false
	if qs, _ := d.store.Unanswered(ctx, 10, d.now.Add(-time.Hour)); len(qs) != 1 {
		t.Errorf("Unanswered() after a failed Teach = %+v; want the question kept", qs)
	}
}

func TestAdminHelp(t *testing.T) {
	d := newStatsDesk(t)
	r := d.say("/help")
	if !slices.Equal(keys(r), []string{"help", "admin.help"}) {
		t.Fatalf("/help = %v; want the candidates' help, then the administrators'", keys(r))
	}
	got := rendered(t, r)
	for _, c := range admin.Commands {
		if !strings.Contains(got, "/"+c+" — ") {
			t.Errorf("/help =\n%s\nwant /%s in it", got, c)
		}
	}
	// Others get the candidates' help from the dialog, not the console's.
	if _, ok, _ := d.console.Handle(context.Background(), examdesk.Key{Chat: 5, User: 5}, "en", dialog.Input{Text: "/help"}); ok {
		t.Errorf("Console.Handle(/help) of a non-administrator is the console's")
	}
}
