package dialog_test

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"examdesk/dialog"
	"examdesk/rules"
)

// run sends the inputs one after the other from st; "#n" presses the n-th
// option of the last message that had options.
func run(t *testing.T, e *dialog.Engine, st dialog.State, inputs ...string) (dialog.State, dialog.Reply) {
	t.Helper()
	var r dialog.Reply
	var offered []dialog.Option
	for _, s := range inputs {
		in := dialog.Input{Text: s, LanguageCode: "en"}
		if len(s) == 2 && s[0] == '#' {
			o := offered[s[1]-'1']
			in = dialog.Input{Pick: &dialog.Pick{Value: o.Value, Step: o.Step}, LanguageCode: "en"}
		}
		st, r = step(t, e, st, in)
		for _, m := range r.Messages {
			if len(m.Options) > 0 {
				offered = m.Options
			}
		}
	}
	return st, r
}

// holder4 is the check of a holder of the level 4 certificate for 2 years
// of 3 in the occupation, up to its result.
var holder4 = []string{"/check", "3", "#1", "#2", "2"}

// TestFollowUpState: after the result, the follow-up keeps the result's
// answers, survives encoding, and ends with an answer or a skip.
func TestFollowUpState(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	st, _ := run(t, e, dialog.State{}, holder4...)
	ch := st.Check
	if !ch.FollowUp || ch.Done || ch.Asking != rules.TrainingLevel3 {
		t.Fatalf("after the result: check %+v; want a follow-up on %s", ch, rules.TrainingLevel3)
	}
	data, err := dialog.EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	back, err := dialog.DecodeState(data)
	if err != nil || !reflect.DeepEqual(back, st) {
		t.Fatalf("DecodeState(EncodeState(%+v)) = %+v, %v", st, back, err)
	}
	skip := dialog.Pick{Value: "a:!skip", Step: ch.Asked}
	tests := []struct {
		name    string
		input   dialog.Input
		answers int
		skipped []rules.Question
	}{
		{"answered", dialog.Input{Text: "yes"}, len(ch.Answers) + 1, nil},
		{"skipped", dialog.Input{Pick: &skip}, len(ch.Answers), []rules.Question{rules.TrainingLevel3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, _ := step(t, e, st, tt.input)
			c := next.Check
			if !c.Done || c.FollowUp || c.Asking != "" || len(c.Answers) != tt.answers || !slices.Equal(c.Skipped, tt.skipped) {
				t.Errorf("after %+v: check %+v; want done with %d answers, skipped %v", tt.input, c, tt.answers, tt.skipped)
			}
		})
	}
	// /check during a follow-up starts a new check, it does not resume.
	next, r := run(t, e, st, "/check")
	if next.Check.FollowUp || len(next.Check.Answers) != 0 || r.Messages[0].Text.Key != "check.intro" {
		t.Errorf("/check during a follow-up: check %+v, reply %s; want a new check", next.Check, r.Messages[0].Text.Key)
	}
}

// TestSaneFollowUp: a stored follow-up that the rules no longer ask is
// ended, the result kept; one whose check is not done any more is dropped.
func TestSaneFollowUp(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	st, _ := run(t, e, dialog.State{}, holder4...)
	answered := st
	answered.Check = &dialog.Check{Answers: maps.Clone(st.Check.Answers), History: st.Check.History, Asking: rules.TrainingLevel3, FollowUp: true}
	answered.Check.Answers[rules.TrainingLevel3] = rules.Value{Choice: "no"}
	notAsked := st
	notAsked.Check = &dialog.Check{Answers: st.Check.Answers, History: st.Check.History, Asking: rules.TrainingLevel1, FollowUp: true}
	open := st
	open.Check = &dialog.Check{Answers: rules.Answers{rules.OccupationYears: {Number: 3}}, Asking: rules.TrainingLevel3, FollowUp: true}
	tests := []struct {
		name string
		st   dialog.State
		done bool // the follow-up is ended, the check kept
	}{
		{"already answered", answered, true},
		{"not a follow-up", notAsked, true},
		{"the check is not done", open, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, _ := step(t, e, tt.st, dialog.Input{Text: "照片要多大？"})
			switch {
			case tt.done && (next.Check == nil || !next.Check.Done || next.Check.FollowUp):
				t.Errorf("check %+v; want it done, without the follow-up", next.Check)
			case !tt.done && next.Check != nil:
				t.Errorf("check %+v; want none", next.Check)
			}
		})
	}
}

// TestSanityKeepsAnswers: an answer that contradicts the others, or is
// questioned as unlikely, is not recorded; the earlier answers stay.
func TestSanityKeepsAnswers(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	tests := []struct {
		name   string
		before []string
		answer string
		reply  string
	}{
		{"more years since the certificate than of work", []string{"/check", "2", "#1", "#3"}, "5", "sanity.since"},
		{"more than 50 years of work", []string{"/check"}, "51", "doubt.occupation_years"},
		{"graduation more than 60 years ago", []string{"/check", "0", "#5", "#1"}, "61", "doubt.years_since_graduation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := run(t, e, dialog.State{}, tt.before...)
			next, r := step(t, e, st, dialog.Input{Text: tt.answer})
			if r.Messages[0].Text.Key != tt.reply || next.Check.Asking != st.Check.Asking || !maps.Equal(next.Check.Answers, st.Check.Answers) {
				t.Errorf("answer %s after %v: reply %s, asking %s, answers %v; want %s, %s, %v",
					tt.answer, tt.before, r.Messages[0].Text.Key, next.Check.Asking, next.Check.Answers, tt.reply, st.Check.Asking, st.Check.Answers)
			}
		})
	}
}

// TestTypedAside: what the buttons beside an answer do, typed: skipping a
// follow-up, keeping a number questioned as unlikely, or saying it was
// wrong, with or without the right number after it.
func TestTypedAside(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	followUp, _ := run(t, e, dialog.State{}, holder4...)
	doubted, _ := run(t, e, dialog.State{}, "/check", "70")
	tests := []struct {
		name  string
		st    dialog.State
		text  string
		reply string  // the first message's key
		years float64 // the years of work recorded, -1 for none
		doubt bool    // the number is still questioned
	}{
		{"skip", followUp, "跳過", "followup.skipped", 3, false},
		{"skip in English", followUp, "skip it please", "followup.skipped", 3, false},
		{"answered rather than skipped", followUp, "冇", "followup.same", 3, false},
		{"kept", doubted, "係呀", "result", 70, false},
		{"kept in English", doubted, "yes, that's right", "result", 70, false},
		{"not a typo", doubted, "沒打錯", "result", 70, false},
		{"kept with the number", doubted, "yes, 70", "result", 70, false},
		{"wrong", doubted, "唔係", "doubt.wrong", -1, false},
		{"wrong, and the right number", doubted, "打錯，應該係7年", "question", 7, false},
		{"wrong, and another unlikely number", doubted, "no, 80", "doubt.occupation_years", -1, true},
		{"yes where nothing is questioned", followUp, "yes", "result", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, r := step(t, e, tt.st, dialog.Input{Text: tt.text, LanguageCode: "en"})
			got, ok := next.Check.Answers[rules.OccupationYears]
			years := -1.0
			if ok {
				years = got.Number
			}
			if r.Messages[0].Text.Key != tt.reply || years != tt.years || (next.Check.Doubt != nil) != tt.doubt || r.Kind != dialog.KindAnswer {
				t.Errorf("%q: reply %s (%s), years of work %v, doubt %v; want %s (answer), %v, %v",
					tt.text, r.Messages[0].Text.Key, r.Kind, years, next.Check.Doubt, tt.reply, tt.years, tt.doubt)
			}
		})
	}
}
