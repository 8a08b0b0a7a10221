package conversation_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"examdesk"
	"examdesk/conversation"
	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/rules"
	"examdesk/stats"
)

var ruleSet = sync.OnceValue(func() *rules.Set {
	set, err := rules.Load()
	if err != nil {
		panic(err)
	}
	return set
})

// counted writes what ev counts of a step, but who and when.
func counted(ev stats.Events) string {
	var parts []string
	add := func(name string, list []string) {
		if len(list) > 0 {
			parts = append(parts, name+" "+strings.Join(list, ","))
		}
	}
	if ev.Started {
		parts = append(parts, "started")
	}
	add("answered", ev.Answered)
	add("reached", ev.Reached)
	if ev.Completed {
		parts = append(parts, fmt.Sprintf("completed %d %s", ev.Result.Level, ev.Result.Route))
	}
	if ev.Abandoned != "" {
		parts = append(parts, "abandoned "+ev.Abandoned)
	}
	add("topics", ev.Topics)
	if ev.Unanswered != "" {
		parts = append(parts, "unanswered "+ev.Unanswered)
	}
	return strings.Join(parts, "; ")
}

// TestEvents checks what each step of whole conversations counts, with
// the real engine: the check begun, reached, answered, completed by level
// and route, given up at a question, begun over, and its follow-ups after
// the result, which count nothing; topics answered; the questions not
// answered, but small talk and what is typed at the check's question.
func TestEvents(t *testing.T) {
	t.Parallel()
	e, _ := engine()
	s := &conversation.Stats{Rules: ruleSet(), Now: func() time.Time { return time.Date(2026, 12, 5, 10, 0, 0, 0, examdesk.China) }}
	type step struct{ say, want string }
	tests := []struct {
		name  string
		steps []step
	}{
		{"completed", []step{
			{"/check", "started; reached occupation_years"},
			{"7 years", "answered occupation_years; reached education"},
			{"What size is the photo?", "topics photo"},
			{"5", "answered education; reached certificate"},
			{"1", "answered certificate; reached years_since_graduation"},
			{"3", "answered years_since_graduation; completed 3 individual"},
			{"Why", ""},
			{"/back", "reached years_since_graduation"},
			{"3", "answered years_since_graduation; completed 3 individual"},
			{"/check", "started; reached occupation_years"},
		}},
		{"abandoned", []step{
			{"/start", ""},
			{"Check my eligibility", "started; reached occupation_years"},
			{"2", "answered occupation_years; reached education"},
			{"where can I park my car", ""},
			{"/cancel", "abandoned education"},
			{"/cancel", ""},
		}},
		{"begun over", []step{
			{"/check", "started; reached occupation_years"},
			{"/check", ""},
			{"/restart", "started; reached occupation_years; abandoned occupation_years"},
			{"/back", ""},
			{"12", "answered occupation_years; reached education"},
			{"/back", "reached occupation_years"},
		}},
		{"follow-up", []step{
			{"/check", "started; reached occupation_years"},
			{"2", "answered occupation_years; reached education"},
			{"1", "answered education; reached certificate"},
			{"2", "answered certificate; reached years_since_certificate"},
			{"2", "answered years_since_certificate; completed 4 individual"}, // as the CLI gives it: the certificate held counts
			{"1", ""},
			{"/cancel", ""},
		}},
		{"no level", []step{
			{"/check", "started; reached occupation_years"},
			{"0.5", "answered occupation_years; reached education"},
			{"1", "answered education; reached certificate"},
			{"1", "answered certificate; reached training.level4"},
			{"No", "answered training.level4; completed 0 "},
		}},
		{"questions", []step{
			{"where can I park my car", "unanswered where can I park my car"},
			{"hello", ""},
			{"How much is the exam fee?", "unanswered How much is the exam fee?"},
			{"When is the IELTS exam?", "unanswered When is the IELTS exam?"},
			{"/where", "topics location"},
			{"/start photo", "topics photo"},
			{"照片要多大？", "topics photo"},
			{"Registration", "topics registration_time"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st dialog.State
			var last dialog.Reply
			for i, s2 := range tt.steps {
				in := dialog.Input{Text: s2.say, LanguageCode: "en"}
				if pick := button(last, s2.say); pick != nil {
					in = dialog.Input{Pick: pick, LanguageCode: "en"}
				}
				next, r := e.Step(st, in)
				ev := s.Events(inbox.Update{ID: int64(i + 1), Chat: 5, User: 5, Input: in}, st, next, r, false)
				if err := ev.Validate(); err != nil {
					t.Errorf("step %d %q: Events() = %+v: %v", i+1, s2.say, ev, err)
				}
				if got := counted(ev); got != s2.want {
					t.Errorf("step %d %q (%s): counts %q; want %q", i+1, s2.say, r.Kind, got, s2.want)
				}
				if !ev.Message || ev.User != 5 || ev.Lang != r.Lang || !ev.At.Equal(s.Now()) {
					t.Errorf("step %d %q: Events() = %+v; want a message of user 5 in %s at %v", i+1, s2.say, ev, r.Lang, s.Now())
				}
				st, last = next, r
			}
		})
	}

	// The console's answer counts only as a message.
	_, r := e.Step(dialog.State{}, dialog.Input{Text: "/check"})
	ev := s.Events(inbox.Update{ID: 1, Chat: 9, User: 9, Input: dialog.Input{Text: "/stats"}}, dialog.State{}, dialog.State{}, r, true)
	if got := counted(ev); got != "" || !ev.Message {
		t.Errorf("Events() of the console = %q, message %v; want only a message", got, ev.Message)
	}
}

// button is the pick of the option of r labelled label in English, nil
// when r has none.
func button(r dialog.Reply, label string) *dialog.Pick {
	_, catalog := engine()
	for _, m := range r.Messages {
		for _, o := range m.Options {
			if dialog.Render(catalog, "en", o.Label, func(s string) string { return s }) == label {
				return &dialog.Pick{Value: o.Value, Step: o.Step}
			}
		}
	}
	return nil
}

// TestCounted runs updates through the pipeline with Stats: each counted
// with its commit, once, an administrator's console command as a
// message only; an update stepped again after a conflict counts as the
// second step does.
func TestCounted(t *testing.T) {
	t.Parallel()
	e, _ := engine()
	r := newRig(t, nil, conversation.Options{})
	counts := &conversation.Stats{Queue: r.q, Rules: ruleSet()}
	r.pipeline(nil, conversation.Options{Console: console{}, Stats: counts})
	for _, text := range []string{"/check", "7 years", "where can I park my car", "/cancel", "where can I park my car", "hello", "照片要多大？"} {
		r.say(5, 5, text)
	}
	r.say(9, 9, "/secret")
	r.say(9, 9, "where can I park my car")
	// Stepped twice: before and after another writer changed the
	// conversation; counted once.
	d := &interrupting{t: t, st: r.st, e: e}
	r.pipeline(d, conversation.Options{Stats: counts})
	r.say(5, 5, "/check")
	if got := d.steps.Load(); got != 2 {
		t.Errorf("steps = %d; want 2", got)
	}

	rep, err := r.st.Stats().Report(t.Context(), 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	day := rep.Days[0]
	got := fmt.Sprintf("users %d, messages %d, started %d, abandoned %d, don't know %d, photo %d",
		day.NewUsers, day.Messages, day.ChecksStarted, day.ChecksAbandoned, day.DontKnow, rep.Topics["photo"])
	if want := "users 2, messages 10, started 2, abandoned 1, don't know 2, photo 1"; got != want {
		t.Errorf("report: %s; want %s", got, want)
	}
	var asked []string
	for _, q := range rep.Unanswered {
		asked = append(asked, fmt.Sprintf("%s ×%d", q.Text, q.Count))
	}
	if want := []string{"where can i park my car ×2"}; !slices.Equal(asked, want) {
		t.Errorf("unanswered = %q; want %q", asked, want)
	}
}

// TestAdminMenu checks that an administrator who starts or picks a
// language gets a menu set in it, whatever menus everyone sees, where a
// candidate gets one only in a language those do not speak.
func TestAdminMenu(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil, conversation.Options{})
	r.pipeline(nil, conversation.Options{Console: console{}})
	for _, c := range []struct {
		user      int64
		say, want string
	}{
		{8, "/start", ""},
		{9, "/start", "en"},
		{8, "/lang zh-TW", "zh-Hant"},
		{9, "/lang en", "en"},
		{9, "/lang zh-CN", "zh-Hans"},
	} {
		delete(r.tr.menus, c.user)
		r.say(c.user, c.user, c.say)
		if got := r.tr.menus[c.user]; got != c.want {
			t.Errorf("user %d %s: menu %q; want %q", c.user, c.say, got, c.want)
		}
	}
}
