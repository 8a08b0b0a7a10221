package faq

import (
	"slices"
	"strings"
	"testing"
)

// TestKinds checks what the matcher says messages are: small talk and
// commands read whole, other exams by name, what the notice does not
// state, and nothing for a level's name or a common word alone.
func TestKinds(t *testing.T) {
	t.Parallel()
	m := load(t)
	tests := []struct {
		text    string
		kind    Kind
		subject string
	}{
		{"你好", SmallTalk, "greeting"},
		{"您好！", SmallTalk, "greeting"},
		{"hi there", SmallTalk, "greeting"},
		{"早晨", SmallTalk, "greeting"},
		{"多謝晒！", SmallTalk, "thanks"},
		{"谢谢啦", SmallTalk, "thanks"},
		{"好的，谢谢", SmallTalk, "thanks"}, // thanks before ack
		{"ok thanks", SmallTalk, "thanks"},
		{"收到", SmallTalk, "ack"},
		{"OK", SmallTalk, "ack"},
		{"👍", SmallTalk, "ack"},
		{"👍🏻👍🏻", SmallTalk, "ack"},
		{"😂", SmallTalk, "ack"},
		{"bye bye", SmallTalk, "bye"},
		{"help", Command, "help"},
		{"Help", Command, "help"},
		{"／check", Command, "check"},
		{"/Check", Command, "check"},
		{"/help@examdesk_bot", Command, "help"},
		{"幫助", Command, "help"},
		{"帮助", Command, "help"},
		{"取消", Command, "cancel"},
		{"重新開始", Command, "restart"},
		{"雅思幾時考", OtherExam, ""},
		{"How do I register for the IELTS?", OtherExam, ""},
		{"PMP考試報名時間", OtherExam, ""},
		{"When is the CFA exam?", OtherExam, ""},
		{"我考過雅思，可以報電子商務師嗎", Topic, ""}, // this qualification, and a background
		{"報名費幾多錢", Unstated, "fees"},
		{"考试多少分及格", Unstated, "pass_mark"},
		{"考试有几科", Unstated, "content"},
		{"考场在哪里", Unstated, "venue"},
		{"你们电话多少", Unstated, "contact"},
		// Words that do not say what is asked.
		{"考試", Unknown, ""},
		{"報名", Unknown, ""},
		{"exam", Unknown, ""},
		{"冇", Unknown, ""},
		{"有", Unknown, ""},
		{"兩年半", Unknown, ""},
		{"3 years", Unknown, ""},
		{"？？？", Unknown, ""},
		{"", Unknown, ""},
		// Not small talk: a question with a greeting.
		{"你好，照片要多大？", Topic, ""},
		{"thanks, where do I collect my certificate?", Topic, ""},
	}
	for _, tt := range tests {
		got := m.Best(tt.text)
		if got.Kind != tt.kind || got.Subject != tt.subject && tt.kind != Topic {
			t.Errorf("Best(%q) = %s %q (topic %q, score %.3f); want %s %q", tt.text, got.Kind, got.Subject, got.Topic, got.Score, tt.kind, tt.subject)
		}
	}
}

// TestLongQuestions checks that a long, polite or chatty message is
// answered as the question inside it.
func TestLongQuestions(t *testing.T) {
	t.Parallel()
	m := load(t)
	tests := []struct{ text, want string }{
		{"我想报考助理电子商务师，需要带什么材料", "materials"},
		{"您好，我是做淘宝客服的，干了三年多，想问一下照片是什么规格的？谢谢！", "photo"},
		{"唔該，我上年考咗一次，有一科肥咗，想問下今年點樣補考？", "retake"},
		{"Hi! I sat the level 3 exam in May and I think my score is wrong. How do I get it reviewed? Thanks a lot!", "score_review"},
	}
	for _, tt := range tests {
		if got := m.Best(tt.text); got.Topic != tt.want {
			t.Errorf("Best(%q) = %s %q (score %.3f); want %q", tt.text, got.Kind, got.Topic, got.Score, tt.want)
		}
	}
}

// TestNear checks the topics a question it cannot answer is near.
func TestNear(t *testing.T) {
	t.Parallel()
	m := load(t)
	got := m.Best("证书和照片的区别")
	if got.Kind == Topic || len(got.Near) == 0 || len(got.Near) > maxNear {
		t.Fatalf("Best(证书和照片的区别) = %+v; want no topic and 1 to %d near", got, maxNear)
	}
	for _, topic := range got.Near {
		if !slices.Contains(topicIDs[:], topic) {
			t.Errorf("Near has %q, not a topic", topic)
		}
	}
	if len(got.Near) < 2 || !slices.Contains(got.Near[:2], "photo") || !slices.Contains(got.Near[:2], "certificate") {
		t.Errorf("Near = %q; want photo and certificate first", got.Near)
	}
	if got := m.Best("照片要多大"); got.Near != nil {
		t.Errorf("Best(照片要多大).Near = %q; want none for an answered question", got.Near)
	}
}

func TestScript(t *testing.T) {
	t.Parallel()
	m := load(t)
	tests := []struct {
		text string
		want Script
	}{
		{"報名需要帶甚麼材料？", Traditional},
		{"报名需要带什么材料？", Simplified},
		{"照片要多大", Chinese},
		{"准考證 when", Traditional},
		{"准考证 when", Simplified},
		{"冇", Traditional}, // Cantonese
		{"我哋幾時攞證", Traditional},
		{"報名要带咩材料", Traditional}, // two Traditional (報, 咩), one Simplified
		{"What should I bring?", Latin},
		{"level 4", Latin},
		{"ok", NoScript},
		{"OK", NoScript},
		{"yes", NoScript},
		{"MBA", NoScript},
		{"3", NoScript},
		{"3.5", NoScript},
		{"👍", NoScript},
		{"/start", NoScript},
		{"/lang 中文", NoScript},
		{"", NoScript},
	}
	for _, tt := range tests {
		if got := m.Script(tt.text); got != tt.want {
			t.Errorf("Script(%q) = %s; want %s", tt.text, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	m := load(t)
	tests := []struct{ in, want string }{
		{"碩士", "硕士"},
		{"冇證書", "没有证书"},
		{"ＭＢＡ", "mba"},
		{"喺邊度", "在哪里"},
	}
	for _, tt := range tests {
		if got := m.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestClauses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"你好，照片要多大？谢谢！", []string{"你好", "照片要多大", "谢谢"}},
		{"hi. what size? 48.5mm", []string{"hi", "what size", "48.5mm"}},
		{"身份证、毕业证要原件吗", []string{"身份证、毕业证要原件吗"}},
		{"at 10:30. ok", []string{"at 10:30", "ok"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := clauses(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("clauses(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePhrasesErrors(t *testing.T) {
	t.Parallel()
	norm := load(t).Normalize
	tests := []struct{ data, want string }{
		{"greeting hello\n", "p.txt:1: want"},
		{"wave: hello\n", `p.txt:1: unknown subject "wave"`},
		{"command stop: stop\n", `p.txt:1: unknown command "stop"`},
		{"greeting: ,,\n", ""}, // no phrases: nothing to add
		{"greeting: ！\n", `p.txt:1: phrase "！" has nothing to read`},
		{"greeting: hello\nthanks: hello\n", `p.txt:2: phrase "hello" is already on line 1`},
		{"thanks: 謝謝\nthanks: 谢谢\n", ""}, // one phrase, twice: harmless
		{"command help: help\ngreeting: help\n", `p.txt:2: phrase "help" is already on line 1`},
	}
	for _, tt := range tests {
		_, err := parsePhrases("p.txt", strings.NewReader(tt.data), norm)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("parsePhrases(%q) = %v; want no error", tt.data, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("parsePhrases(%q) = %v; want an error with %q", tt.data, err, tt.want)
		}
	}
}

func TestParseT2S(t *testing.T) {
	t.Parallel()
	if _, err := parseT2S("t.txt", "# c\n報报 傳传\n"); err != nil {
		t.Errorf("parseT2S(valid) = %v", err)
	}
	for _, tt := range []struct{ data, want string }{
		{"報报 傳\n", `t.txt:1: "傳" is not two`},
		{"報报\n報报\n", `t.txt:2: "報" again`},
		{"報報\n", `t.txt:1: "報報" is not two different`},
		{"#\n報报传\n", `t.txt:2: "報报传" is not two`},
	} {
		if _, err := parseT2S("t.txt", tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseT2S(%q) = %v; want an error with %q", tt.data, err, tt.want)
		}
	}
}

// TestSimplifiedOnly checks the list of characters only Simplified
// Chinese writes against the Traditional ones: none is one, and the
// Simplified forms of common words are there.
func TestSimplifiedOnly(t *testing.T) {
	t.Parallel()
	m := load(t)
	for r := range m.simplifiedOnly {
		if _, ok := m.t2s[r]; ok {
			t.Errorf("%q is in simplified.txt and is a Traditional character of t2s.txt", r)
		}
	}
	for _, r := range "们这证书报带么吗" {
		if !m.simplifiedOnly[r] {
			t.Errorf("%q is not in simplified.txt", r)
		}
	}
	for _, r := range "后里干台照片要多大" { // written in both scripts
		if m.simplifiedOnly[r] {
			t.Errorf("%q is in simplified.txt; Traditional writes it too", r)
		}
	}
}

func TestParseClassErrors(t *testing.T) {
	t.Parallel()
	base := validKnowledge() // 85 lines
	class := "[unstated: fees]\nzh-Hant: 幾錢\nzh-Hans: 多少钱\nen: how much\n"
	tests := []struct{ name, data, want string }{
		{"bad subject", base + "[unstated: Fees]\n", `test.txt:86: subject "Fees"`},
		{"unknown kind", base + "[other: exams]\n", `test.txt:86: unknown kind "other"`},
		{"seed in a class", base + class + "seed: 電子商務師\n", `test.txt:90: unknown field "seed" of a class`},
		{"class again", base + class + class, `test.txt:90: [unstated: fees] again, after line 86`},
		{"class without a language", base + "[unstated: fees]\nen: how much\n", `test.txt:86: unstated "fees" has no zh-Hant example`},
		{"list again", base + "[generic]\nen: exam\n[generic]\n", `test.txt:88: [generic] again, after line 86`},
		{"field in a list", base + "[other exams]\nseed: 雅思\n", `test.txt:87: unknown field "seed" in a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("test.txt", strings.NewReader(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %v; want one containing %q", tt.name, err, tt.want)
			}
		})
	}
	m, err := Parse("test.txt", strings.NewReader(base+class+"[other exams]\nen: ielts\n[generic]\nen: exam\n"))
	if err != nil {
		t.Fatalf("Parse(with classes and lists) = %v", err)
	}
	if got := m.Subjects(); !slices.Equal(got, []string{"fees"}) {
		t.Errorf("Subjects() = %q; want [fees]", got)
	}
	if got := m.Best("When is the IELTS?"); got.Kind != OtherExam {
		t.Errorf("Best(When is the IELTS?) = %+v; want other exam", got)
	}
}
