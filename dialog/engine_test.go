package dialog_test

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"examdesk/dialog"
	"examdesk/rules"
)

func TestLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, want string }{
		{"zh-TW", "zh-Hant"}, {"zh-HK", "zh-Hant"}, {"zh-MO", "zh-Hant"}, {"zh-Hant", "zh-Hant"},
		{"zh-hant-tw", "zh-Hant"}, {"zh", "zh-Hans"}, {"zh-CN", "zh-Hans"}, {"zh-SG", "zh-Hans"},
		{"zh-Hans", "zh-Hans"}, {"zh_CN", "zh-Hans"}, {"en", "en"}, {"en-US", "en"}, {"fr", "en"},
		{"", "en"}, {"zh-MY", "en"},
	}
	for _, tt := range tests {
		if got := dialog.Language(tt.code); got != tt.want {
			t.Errorf("Language(%q) = %q; want %q", tt.code, got, tt.want)
		}
	}
}

// step feeds one input to the engine and checks the new state is valid.
func step(t *testing.T, e *dialog.Engine, st dialog.State, in dialog.Input) (dialog.State, dialog.Reply) {
	t.Helper()
	next, r := e.Step(st, in)
	data, err := dialog.EncodeState(next)
	if err != nil {
		t.Fatalf("EncodeState = %v", err)
	}
	if _, err := dialog.DecodeState(data); err != nil {
		t.Fatalf("state after %+v is invalid: %v", in, err)
	}
	if len(r.Messages) == 0 {
		t.Fatalf("Step(%+v) sent nothing", in)
	}
	return next, r
}

// answerFor answers the question asked from complete facts, as a candidate
// would type it.
func answerFor(f rules.Facts, q rules.Question) string {
	switch q {
	case rules.OccupationYears:
		return fmtYears(f.OccupationYears)
	case rules.YearsSinceCertificate:
		return fmtYears(f.YearsSinceCertificate)
	case rules.YearsSinceGraduation:
		return fmtYears(f.YearsSinceGraduation)
	case rules.Certificate:
		return f.Certificate
	case rules.Education:
		return f.Education
	case rules.Major:
		return f.Major
	}
	level := strings.TrimPrefix(string(q), "training.")
	if slices.Contains(f.Training, level) {
		return "yes"
	}
	return "no"
}

func fmtYears(y float64) string { return strconv.FormatFloat(y, 'f', -1, 64) }

// TestBackAtEveryStep walks a check to its end and, at every step, checks
// that /back returns to the state before the last answer and /restart to
// the first question.
func TestBackAtEveryStep(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	facts := []rules.Facts{
		{OccupationYears: 7, Certificate: "level4", YearsSinceCertificate: 3, Training: []string{"level3"}, Education: "bachelor", Major: "other", YearsSinceGraduation: 14},
		{OccupationYears: 0, Certificate: "none", Education: "none", Major: "other"},
		{OccupationYears: 20, Certificate: "level2", YearsSinceCertificate: 5, Education: "master", Major: "ecommerce", YearsSinceGraduation: 9},
	}
	for _, f := range facts {
		st, _ := step(t, e, dialog.State{}, dialog.Input{Text: "/check"})
		first := st.Check.Asking
		var before []dialog.State
		for !st.Check.Done {
			before = append(before, st)
			q := st.Check.Asking
			st, _ = step(t, e, st, dialog.Input{Text: answerFor(f, q)})
			if st.Check.Asking == q && !st.Check.Done {
				t.Fatalf("answer %q to %s was not taken", answerFor(f, q), q)
			}
			back, _ := step(t, e, st, dialog.Input{Text: "/back"})
			prev := before[len(before)-1]
			if back.Check.Asking != prev.Check.Asking || !maps.Equal(back.Check.Answers, prev.Check.Answers) || !slices.Equal(back.Check.History, prev.Check.History) {
				t.Fatalf("/back after %s: asking %s answers %v; want %s %v", q, back.Check.Asking, back.Check.Answers, prev.Check.Asking, prev.Check.Answers)
			}
			restart, _ := step(t, e, st, dialog.Input{Text: "/restart"})
			if restart.Check.Asking != first || len(restart.Check.Answers) != 0 {
				t.Fatalf("/restart after %s: asking %s answers %v; want %s and none", q, restart.Check.Asking, restart.Check.Answers, first)
			}
		}
		cancelled, _ := step(t, e, st, dialog.Input{Text: "/cancel"})
		if cancelled.Check != nil {
			t.Fatalf("/cancel left check %+v", cancelled.Check)
		}
	}
}

// TestGarbageLeavesStateUnchanged sends answers the engine cannot take at
// each kind of question.
func TestGarbageLeavesStateUnchanged(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	st, _ := step(t, e, dialog.State{}, dialog.Input{Text: "/check"})
	for _, garbage := range []string{"banana", "-3", "NaN", "1e999", "999", "", "   ", "\x00\xff"} {
		next, r := e.Step(st, dialog.Input{Text: garbage})
		if next.Check.Asking != st.Check.Asking || !maps.Equal(next.Check.Answers, st.Check.Answers) {
			t.Errorf("Step(%q) changed the check to %+v", garbage, next.Check)
		}
		if len(r.Messages) < 2 || r.Messages[0].Text.Key != "unread.years.1" {
			t.Errorf("Step(%q) replied %+v; want an explanation then the question", garbage, r.Messages)
		}
	}
}

// TestStaleOption presses an option of a question that has moved on.
func TestStaleOption(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	st, _ := step(t, e, dialog.State{}, dialog.Input{Text: "/check"})
	// Answer until a question with options is asked, and keep them.
	var offered []dialog.Option
	for offered == nil {
		var r dialog.Reply
		st, r = step(t, e, st, dialog.Input{Text: answerFor(rules.Facts{OccupationYears: 2, Certificate: "level4", YearsSinceCertificate: 1, Education: "bachelor", Major: "other"}, st.Check.Asking)})
		for _, m := range r.Messages {
			if len(m.Options) > 0 {
				offered = m.Options
			}
		}
	}
	asked := st.Check.Asking
	st, _ = step(t, e, st, dialog.Input{Pick: &dialog.Pick{Value: offered[0].Value, Step: offered[0].Step}})
	if st.Check.Asking == asked {
		t.Fatalf("pressing %q did not answer %s", offered[0].Value, asked)
	}
	again, r := step(t, e, st, dialog.Input{Pick: &dialog.Pick{Value: offered[1].Value, Step: offered[1].Step}})
	if !reflect.DeepEqual(again.Check, st.Check) {
		t.Fatalf("stale option changed the check: %+v; want %+v", again.Check, st.Check)
	}
	if r.Notice == nil || r.Notice.Key != "stale" {
		t.Fatalf("stale option notice = %v; want stale", r.Notice)
	}
}

// TestQuestionKeepsState checks that a question asked in the middle of the
// check leaves the state exactly as it was, at every question of a check,
// and that the question is asked again with the same buttons; an optional
// follow-up after the result is not asked again, but stays open.
func TestQuestionKeepsState(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	questions := []string{"照片要多大？", "准考证在哪里领", "how do I get my score reviewed"}
	st, r := step(t, e, dialog.State{}, dialog.Input{Text: "/check", LanguageCode: "en"})
	asked, followed := 0, false
	for ; st.Check != nil && !st.Check.Done; asked++ {
		followed = followed || st.Check.FollowUp
		prompt := r.Messages[len(r.Messages)-1]
		for _, q := range questions {
			next, qr := step(t, e, st, dialog.Input{Text: q, LanguageCode: "en"})
			if !reflect.DeepEqual(next.Check, st.Check) || next.Step != st.Step {
				t.Fatalf("Step(%q) at %s changed the check: %+v at step %d; want %+v at step %d", q, st.Check.Asking, next.Check, next.Step, st.Check, st.Step)
			}
			again := qr.Messages[len(qr.Messages)-1]
			switch {
			case st.Check.FollowUp:
				if len(qr.Messages) != 1 {
					t.Fatalf("Step(%q) at the follow-up %s = %+v; want an answer alone", q, st.Check.Asking, qr.Messages)
				}
			case len(qr.Messages) != 2 || !reflect.DeepEqual(again, prompt):
				t.Fatalf("Step(%q) at %s = %+v; want an answer, then %+v", q, st.Check.Asking, qr.Messages, prompt)
			}
		}
		in := dialog.Input{Text: "2", LanguageCode: "en"}
		if len(prompt.Options) > 0 {
			o := prompt.Options[len(prompt.Options)/2]
			in = dialog.Input{Pick: &dialog.Pick{Value: o.Value, Step: o.Step}, LanguageCode: "en"}
		}
		st, r = step(t, e, st, in)
	}
	if asked < 3 || !followed {
		t.Errorf("the check asked %d questions, a follow-up %v; want a check long enough to test, with a follow-up", asked, followed)
	}
}
