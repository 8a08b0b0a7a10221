package dialog_test

import (
	"testing"

	"examdesk/dialog"
)

// TestReplyLanguage checks the language of the reply to a typed message:
// the script of what the user writes decides, a /lang choice wins,
// Telegram's language code decides only before the user writes.
func TestReplyLanguage(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	tests := []struct {
		name       string
		st         dialog.State
		code, text string
		want       string // the reply's language
		talk       string // the state's Talk after
	}{
		{"Simplified with an English app", dialog.State{}, "en", "报名需要带什么材料？", "zh-Hans", "zh-Hans"},
		{"Traditional with an English app", dialog.State{}, "en", "報名需要帶甚麼材料？", "zh-Hant", "zh-Hant"},
		{"Cantonese", dialog.State{}, "en", "報名要帶咩資料", "zh-Hant", "zh-Hant"},
		{"Cantonese without Traditional characters", dialog.State{}, "zh-CN", "冇", "zh-Hant", "zh-Hant"},
		{"English with a Chinese app", dialog.State{}, "zh-CN", "What should I bring?", "en", "en"},
		{"both scripts, no conversation yet", dialog.State{}, "en", "照片要多大", "zh-Hans", "zh-Hans"},
		{"both scripts in Traditional", dialog.State{Talk: "zh-Hant"}, "en", "照片要多大", "zh-Hant", "zh-Hant"},
		{"both scripts, app in Traditional", dialog.State{}, "zh-HK", "照片要多大", "zh-Hant", "zh-Hant"},
		{"both scripts in Simplified", dialog.State{Talk: "zh-Hans"}, "zh-TW", "照片要多大", "zh-Hans", "zh-Hans"},
		{"Simplified with a Hong Kong app", dialog.State{}, "zh-HK", "准考证什么时候领", "zh-Hans", "zh-Hans"},
		{"no language: digits", dialog.State{Talk: "zh-Hant"}, "en", "3", "zh-Hant", "zh-Hant"},
		{"no language: ok", dialog.State{Talk: "zh-Hans"}, "en", "ok", "zh-Hans", "zh-Hans"},
		{"no language: emoji", dialog.State{Talk: "en"}, "zh-CN", "👍", "en", "en"},
		{"no language: MBA", dialog.State{Talk: "zh-Hans"}, "en", "MBA", "zh-Hans", "zh-Hans"},
		{"no language yet: the app's", dialog.State{}, "zh-TW", "ok", "zh-Hant", ""},
		{"a command", dialog.State{}, "zh-TW", "/start", "zh-Hant", ""},
		{"a command after writing", dialog.State{Talk: "en"}, "zh-TW", "/help", "en", "en"},
		{"chosen with /lang", dialog.State{Lang: "en"}, "zh-CN", "报名需要带什么材料", "en", ""},
		{"chosen with /lang, written before", dialog.State{Lang: "zh-Hant", Talk: "en"}, "en", "What should I bring?", "zh-Hant", "en"},
		{"English words", dialog.State{Talk: "zh-Hant"}, "zh-TW", "level 4", "en", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, r := step(t, e, tt.st, dialog.Input{Text: tt.text, LanguageCode: tt.code})
			if r.Lang != tt.want || st.Talk != tt.talk {
				t.Errorf("Step(%+v, %q, code %s): reply in %s, talk %q; want %s, %q", tt.st, tt.text, tt.code, r.Lang, st.Talk, tt.want, tt.talk)
			}
		})
	}
}

// TestLanguageMovesWithTheCheck checks that the next question is asked in
// the language of the user's last message.
func TestLanguageMovesWithTheCheck(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	var st dialog.State
	for _, tt := range []struct{ text, want string }{
		{"/check", "en"},
		{"三年", "zh-Hans"},
		{"大學本科", "zh-Hant"},
		{"2", "zh-Hant"},
		{"none", "en"},
	} {
		var r dialog.Reply
		st, r = step(t, e, st, dialog.Input{Text: tt.text, LanguageCode: "en"})
		if r.Lang != tt.want {
			t.Errorf("after %q: reply in %s; want %s", tt.text, r.Lang, tt.want)
		}
	}
}

func TestParseLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  string
		want string
		ok   bool
	}{
		{"zh-Hant", "zh-Hant", true},
		{"zh-hant", "zh-Hant", true},
		{"ZH-HANS", "zh-Hans", true},
		{"zh_hans", "zh-Hans", true},
		{"EN", "en", true},
		{"english", "en", true},
		{"en-GB", "en", true},
		{"zh-TW", "zh-Hant", true},
		{"zh-cn", "zh-Hans", true},
		{"zh", "zh-Hans", true},
		{"fr", "", false},
		{"zh-MY", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := dialog.ParseLanguage(tt.tag); got != tt.want || ok != tt.ok {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q, %v", tt.tag, got, ok, tt.want, tt.ok)
		}
	}
}

// TestKind checks what the engine says each input was, for statistics.
func TestKind(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	checking, _ := step(t, e, dialog.State{}, dialog.Input{Text: "/check", LanguageCode: "en"})
	tests := []struct {
		name  string
		st    dialog.State
		text  string
		kind  dialog.Kind
		topic string
	}{
		{"a topic", dialog.State{}, "照片要多大？", dialog.KindTopic, "photo"},
		{"a topic in the check", checking, "照片要多大？", dialog.KindTopic, "photo"},
		{"not placed", dialog.State{}, "今晚食咩好", dialog.KindUnknown, ""},
		{"not stated", dialog.State{}, "考试多少分及格", dialog.KindUnstated, ""},
		{"another exam", dialog.State{}, "雅思什么时候考", dialog.KindOtherExam, ""},
		{"small talk", dialog.State{}, "多謝", dialog.KindSmallTalk, ""},
		{"small talk in the check", checking, "thanks!", dialog.KindSmallTalk, ""},
		{"a command", dialog.State{}, "/help", dialog.KindCommand, ""},
		{"a command without its slash", dialog.State{}, "幫助", dialog.KindCommand, ""},
		{"a command by /where", dialog.State{}, "/where", dialog.KindCommand, "location"},
		{"an answer", checking, "三年", dialog.KindAnswer, ""},
		{"not read", checking, "banana", dialog.KindUnread, ""},
	}
	for _, tt := range tests {
		_, r := step(t, e, tt.st, dialog.Input{Text: tt.text, LanguageCode: "en"})
		if r.Kind != tt.kind || r.Topic != tt.topic {
			t.Errorf("%s: Step(%q) kind %q, topic %q; want %q, %q", tt.name, tt.text, r.Kind, r.Topic, tt.kind, tt.topic)
		}
	}
	for _, k := range []dialog.Kind{dialog.KindUnknown, dialog.KindUnstated, dialog.KindOtherExam} {
		if !k.Unanswered() {
			t.Errorf("%s.Unanswered() = false; want true", k)
		}
	}
	for _, k := range []dialog.Kind{dialog.KindTopic, dialog.KindSmallTalk, dialog.KindAnswer, dialog.KindCommand, dialog.KindButton, dialog.KindUnread} {
		if k.Unanswered() {
			t.Errorf("%s.Unanswered() = true; want false", k)
		}
	}
}

// TestUnknownOffersFewTopics checks that the don't-know reply is short: at
// most five topics, then the check and all the topics.
func TestUnknownOffersFewTopics(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	for _, text := range []string{"今晚食咩好", "证书和照片的区别", "What's the capital of France?"} {
		_, r := step(t, e, dialog.State{}, dialog.Input{Text: text, LanguageCode: "en"})
		m := r.Messages[len(r.Messages)-1]
		if m.Text.Key != "unknown" || len(m.Options) < 3 || len(m.Options) > 7 {
			t.Errorf("Step(%q) = %s with %d options; want unknown with 1 to 5 topics, the check and all topics", text, m.Text.Key, len(m.Options))
		}
	}
}

// TestClarifyNeverRepeats types a word that may mean two things again and
// again: the bot asks which, then explains, never the same prompt twice in
// a row, and the answers stay as they were.
func TestClarifyNeverRepeats(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t)
	st, _ := step(t, e, dialog.State{}, dialog.Input{Text: "/check"})
	st, _ = step(t, e, st, dialog.Input{Text: "3"}) // education next
	if st.Check.Asking != "education" {
		t.Fatalf("asking %s; want education", st.Check.Asking)
	}
	var prev []dialog.Message
	for i := range 8 {
		var r dialog.Reply
		st, r = step(t, e, st, dialog.Input{Text: "技校"})
		if st.Check.Asking != "education" || len(st.Check.Answers) != 1 {
			t.Fatalf("after %d times 技校: %+v; want education still asked", i+1, st.Check)
		}
		if prev != nil && equalMessages(prev, r.Messages) {
			t.Fatalf("after %d times 技校: the same reply again: %+v", i+1, r.Messages)
		}
		prev = r.Messages
	}
}

func equalMessages(a, b []dialog.Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if describe(a[i]) != describe(b[i]) || len(a[i].Options) != len(b[i].Options) {
			return false
		}
	}
	return true
}

// TestDecodeNewFields checks the state's optional fields: they are read
// back, and a record with a bad one is refused.
func TestDecodeNewFields(t *testing.T) {
	t.Parallel()
	st, err := dialog.DecodeState([]byte(`{"schema":2,"talk":"zh-Hant","check":{"answers":{},"asking":"education","asked":3,"misses":2,"readings":["bachelor","master"]}}`))
	if err != nil || st.Talk != "zh-Hant" || st.Check.Misses != 2 || len(st.Check.Readings) != 2 {
		t.Errorf("DecodeState(talk, misses, readings) = %+v, %v; want them read", st, err)
	}
	for _, bad := range []string{
		`{"schema":2,"talk":"fr"}`,
		`{"schema":2,"check":{"answers":{},"asking":"education","misses":-1}}`,
	} {
		if _, err := dialog.DecodeState([]byte(bad)); err == nil {
			t.Errorf("DecodeState(%s) = nil error; want one", bad)
		}
	}
	// Readings that no longer answer the question asked are dropped: a
	// typed number is then the question's option.
	e, _ := newEngine(t)
	st, _ = step(t, e, dialog.State{}, dialog.Input{Text: "/check"})
	st, _ = step(t, e, st, dialog.Input{Text: "3"})
	if st.Check == nil || st.Check.Asking != "education" {
		t.Fatalf("after /check and 3: %+v; want education asked", st.Check)
	}
	st.Check.Readings = []string{"bachelor", "nonsense"}
	next, _ := step(t, e, st, dialog.Input{Text: "1"})
	if next.Check == nil || next.Check.Answers["education"].Choice != "none" {
		t.Errorf("typed 1 with stale readings: %+v; want the first option of education", next.Check)
	}
	st.Check.Readings = []string{"bachelor", "master"}
	next, _ = step(t, e, st, dialog.Input{Text: "2"})
	if next.Check == nil || next.Check.Answers["education"].Choice != "master" {
		t.Errorf("typed 2 with readings bachelor, master: %+v; want master", next.Check)
	}
}
