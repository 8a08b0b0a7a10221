package dialog_test

import (
	"reflect"
	"strings"
	"testing"

	"examdesk/dialog"
)

// TestSubscription checks the subscription effect of the last input of
// each conversation, in a private chat and in a group, where there is
// none. "#n" presses the n-th option of the last prompt with options.
func TestSubscription(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	checked3 := []string{"/check", "7", "#2", "2"} // level 3 by 3.1; the 4th button reminds
	tests := []struct {
		name  string
		code  string
		input []string
		want  *dialog.Subscription
		// private: the inputs press buttons that groups are not offered.
		private bool
	}{
		{"start", "en", []string{"/start"}, &dialog.Subscription{Op: dialog.Subscribe, Lang: "en"}, false},
		{"start in Chinese", "zh-TW", []string{"/start"}, &dialog.Subscription{Op: dialog.Subscribe, Lang: "zh-Hant"}, false},
		{"start with a payload", "en", []string{"/start photo"}, &dialog.Subscription{Op: dialog.Subscribe, Lang: "en"}, false},
		{"start after a check", "en", append(checked3, "/start"), &dialog.Subscription{Op: dialog.Subscribe, Lang: "en", Checked: true, Level: 3}, false},
		{"menu button", "en", []string{"/start", "#1"}, nil, false},
		{"stop", "zh-CN", []string{"/stop"}, &dialog.Subscription{Op: dialog.Unsubscribe, Lang: "zh-Hans"}, false},
		{"remind", "en", []string{"/remind"}, &dialog.Subscription{Op: dialog.Remind, Lang: "en"}, false},
		{"remind on", "en", []string{"/remind on"}, &dialog.Subscription{Op: dialog.Remind, Lang: "en"}, false},
		{"remind off", "en", []string{"/remind off"}, &dialog.Subscription{Op: dialog.NoRemind, Lang: "en"}, false},
		{"remind nonsense", "en", []string{"/remind daily"}, nil, false},
		{"remind button", "en", append(checked3, "#4"), &dialog.Subscription{Op: dialog.Remind, Lang: "en", Checked: true, Level: 3}, true},
		{"forget asks", "en", []string{"/forget"}, nil, false},
		{"forget typed yes asks", "en", []string{"/forget yes"}, nil, false},
		{"forget no", "en", []string{"/forget", "#2"}, nil, true},
		{"forget yes", "en", append(checked3, "/forget", "#1"), &dialog.Subscription{Op: dialog.Forget, Lang: "en"}, true},
		{"lang", "en", []string{"/lang zh-TW"}, &dialog.Subscription{Op: dialog.Update, Lang: "zh-Hant"}, false},
		{"lang picked", "en", []string{"/lang", "#2"}, &dialog.Subscription{Op: dialog.Update, Lang: "zh-Hans"}, false},
		{"lang unchanged", "en", []string{"/lang en", "/lang en"}, nil, false},
		{"result", "en", checked3, &dialog.Subscription{Op: dialog.Update, Lang: "en", Checked: true, Level: 3}, false},
		{"result none", "en", []string{"/check", "0", "#1", "#1", "no"}, &dialog.Subscription{Op: dialog.Update, Lang: "en", Checked: true, Level: 0}, false},
		{"after the result", "en", append(checked3, "photo?"), nil, false},
		{"question", "en", []string{"/check", "3"}, nil, false},
		// The conversation's language follows what the user writes: the
		// subscription's too.
		{"writes Chinese", "en", []string{"/start", "报名要带什么材料"}, &dialog.Subscription{Op: dialog.Update, Lang: "zh-Hans"}, false},
		{"writes the same", "zh-CN", []string{"/start", "报名要带什么材料"}, nil, false},
		{"writes after /lang", "en", []string{"/lang en", "报名要带什么材料"}, nil, false},
	}
	for _, tt := range tests {
		for _, group := range []bool{false, true} {
			if group && tt.private {
				continue
			}
			name := tt.name
			if group {
				name += "/group"
			}
			t.Run(name, func(t *testing.T) {
				var st dialog.State
				var r dialog.Reply
				var offered []dialog.Option
				for _, text := range tt.input {
					in := dialog.Input{Text: text, LanguageCode: tt.code, Group: group}
					if n, ok := strings.CutPrefix(text, "#"); ok {
						i := int(n[0] - '1')
						if i < 0 || i >= len(offered) {
							t.Fatalf("%v: no option %s among %d", tt.input, text, len(offered))
						}
						o := offered[i]
						in = dialog.Input{Pick: &dialog.Pick{Value: o.Value, Step: o.Step}, LanguageCode: tt.code, Group: group}
					}
					st, r = step(t, e, st, in)
					for _, m := range r.Messages {
						if len(m.Options) > 0 {
							offered = m.Options
						}
					}
				}
				want := tt.want
				if group {
					want = nil
				}
				if !reflect.DeepEqual(r.Subscription, want) {
					t.Errorf("after %q: Subscription = %+v; want %+v", tt.input, r.Subscription, want)
				}
			})
		}
	}
}

// TestSubscriptionInGroups checks that a group gets no subscription
// commands: they answer that they work in private chats, and a result has
// no reminder button (its details are for anyone).
func TestSubscriptionInGroups(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	var st dialog.State
	for _, text := range []string{"/stop", "/remind", "/remind off", "/forget"} {
		var r dialog.Reply
		st, r = step(t, e, st, dialog.Input{Text: text, Group: true})
		if len(r.Messages) != 1 || r.Messages[0].Text.Key != "subscribe.private" || r.Subscription != nil {
			t.Errorf("Step(%q in a group) = %+v; want subscribe.private alone", text, r)
		}
	}
	for _, text := range []string{"/check", "7", "2", "2"} {
		var r dialog.Reply
		st, r = step(t, e, st, dialog.Input{Text: text, Group: true})
		for _, m := range r.Messages {
			for _, o := range m.Options {
				if m.Text.Key == "result" && strings.HasSuffix(o.Value, "remind") {
					t.Errorf("a result in a group offers %+v; want no reminders", o)
				}
			}
		}
	}
	if st.Check == nil || !st.Check.Done {
		t.Fatalf("the check did not finish: %+v", st.Check)
	}
}

// TestForgetEmptiesState checks that a confirmed /forget leaves the zero
// state but for its version, whatever there was.
func TestForgetEmptiesState(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	st := dialog.State{Version: 9, Lang: "zh-Hans"}
	for _, text := range []string{"/check", "3", "/forget"} {
		st, _ = step(t, e, st, dialog.Input{Text: text})
	}
	var r dialog.Reply
	var yes *dialog.Option
	st, r = e.Step(st, dialog.Input{Text: "/forget"})
	for i, o := range r.Messages[0].Options {
		if strings.HasSuffix(o.Value, "yes") {
			yes = &r.Messages[0].Options[i]
		}
	}
	if yes == nil {
		t.Fatalf("/forget offers %+v; want a yes", r.Messages[0].Options)
	}
	st, r = step(t, e, st, dialog.Input{Pick: &dialog.Pick{Value: yes.Value, Step: yes.Step}})
	if want := (dialog.State{Version: 9}); !reflect.DeepEqual(st, want) {
		t.Errorf("state after /forget = %+v; want %+v", st, want)
	}
	if r.Lang != "zh-Hans" || r.Messages[0].Text.Key != "subscribe.forgotten" {
		t.Errorf("reply to /forget = %+v; want subscribe.forgotten in zh-Hans", r)
	}
}

func TestSubscriptionOpString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   dialog.SubscriptionOp
		want string
	}{
		{dialog.Subscribe, "subscribe"}, {dialog.Unsubscribe, "unsubscribe"}, {dialog.Forget, "forget"},
		{dialog.Remind, "remind"}, {dialog.NoRemind, "noremind"}, {dialog.Update, "update"},
		{0, "none"}, {-1, "none"}, {99, "none"},
	}
	for _, tt := range tests {
		if got := tt.op.String(); got != tt.want {
			t.Errorf("SubscriptionOp(%d).String() = %q; want %q", int(tt.op), got, tt.want)
		}
	}
}
