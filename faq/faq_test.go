package faq

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// domainTopics are the FAQ topic ids of DOMAIN.md, in its order.
var domainTopics = []string{
	"eligibility", "levels", "registration_time", "registration_place", "materials",
	"application_form", "work_proof", "thesis", "exam_date", "admission_ticket", "photo",
	"score_review", "defence", "certificate", "retake", "training_route", "location",
}

func load(t testing.TB) *Matcher {
	t.Helper()
	m, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	return m
}

func TestTopics(t *testing.T) {
	t.Parallel()
	m := load(t)
	if got := m.Topics(); !slices.Equal(got, domainTopics) {
		t.Errorf("Topics() = %q; want %q", got, domainTopics)
	}
	m.Topics()[0] = "changed"
	if got := m.Topics()[0]; got != domainTopics[0] {
		t.Errorf("Topics()[0] = %q after changing a returned slice; want %q", got, domainTopics[0])
	}
}

func TestBest(t *testing.T) {
	t.Parallel()
	m := load(t)
	for _, tt := range onTopic {
		t.Run(tt.text, func(t *testing.T) {
			if got := m.Best(tt.text); got.Topic != tt.want {
				t.Errorf("Best(%q) = %q (score %.3f); want %q", tt.text, got.Topic, got.Score, tt.want)
			}
		})
	}
}

func TestBestAmbiguous(t *testing.T) {
	t.Parallel()
	m := load(t)
	for _, tt := range ambiguous {
		if got := m.Best(tt.text); got.Topic != "" && !slices.Contains(tt.ok, got.Topic) {
			t.Errorf("Best(%q) = %q (score %.3f); want one of %q or none", tt.text, got.Topic, got.Score, tt.ok)
		}
	}
}

func TestBestOffTopic(t *testing.T) {
	t.Parallel()
	m := load(t)
	for _, text := range offTopic {
		t.Run(text, func(t *testing.T) {
			if got := m.Best(text); got.Topic != "" {
				t.Errorf("Best(%q) = %q (score %.3f); want \"\"", text, got.Topic, got.Score)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	m := load(t)
	tests := []struct {
		text  string
		topic string
		ok    bool
	}{
		{"照片要多大？", "photo", true},
		{"How do I get my score reviewed?", "score_review", true},
		{"banana", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if topic, ok := m.Match(tt.text); topic != tt.topic || ok != tt.ok {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.text, topic, ok, tt.topic, tt.ok)
		}
	}
}

// label names what a match found, as a class of the knowledge base:
// "photo", "unstated:fees", "other", or "" for nothing.
func label(mt Match) string {
	switch mt.Kind {
	case Topic:
		return mt.Topic
	case Unstated:
		return "unstated:" + mt.Subject
	case OtherExam:
		return "other"
	case Unknown:
		return ""
	}
	return mt.Kind.String()
}

// entryLabel is the label of a match of e's class.
func entryLabel(e *entry) string {
	switch e.kind {
	case Unstated:
		return "unstated:" + e.id
	case OtherExam:
		return "other"
	case Unknown: // [off_topic]: refused
		return ""
	}
	return e.id
}

// TestExamples checks the knowledge base against itself: every example is
// matched to its own class.
func TestExamples(t *testing.T) {
	t.Parallel()
	m := load(t)
	k, err := parseKnowledge("knowledge.txt", strings.NewReader(knowledgeFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range k.entries {
		for _, x := range e.examples {
			if got := m.Best(x.text); label(got) != entryLabel(e) {
				t.Errorf("knowledge.txt:%d: Best(%q) = %q (score %.3f); want %q", x.line, x.text, label(got), got.Score, entryLabel(e))
			}
		}
	}
}

// TestHeldOut measures how the matcher does on questions it has not seen:
// each fifth of the examples in turn is taken out of the knowledge base and
// asked. It fails if the ranking or the threshold get much worse, for the
// topics and for the classes of what the notice does not state; run with
// -v for the figures.
func TestHeldOut(t *testing.T) {
	t.Parallel()
	k, err := parseKnowledge("knowledge.txt", strings.NewReader(knowledgeFile))
	if err != nil {
		t.Fatal(err)
	}
	t2s, err := parseT2S("t2s.txt", t2sFile)
	if err != nil {
		t.Fatal(err)
	}
	const folds = 5
	type tally struct{ asked, first, right, wrong int }
	var topics, classes tally
	for fold := range folds {
		var train []*entry
		type question struct {
			text, want string
			topic      bool
		}
		var held []question
		i := 0
		for _, e := range k.entries {
			kept := *e
			kept.examples = nil
			for _, x := range e.examples {
				if i%folds == fold {
					held = append(held, question{x.text, entryLabel(e), e.kind == Topic})
				} else {
					kept.examples = append(kept.examples, x)
				}
				i++
			}
			train = append(train, &kept)
		}
		m, err := build("knowledge.txt", &knowledge{entries: train, generic: k.generic, others: k.others}, t2s)
		if err != nil {
			t.Fatal(err)
		}
		if m.phrases, err = parsePhrases("phrases.txt", strings.NewReader(phrasesFile), m.Normalize); err != nil {
			t.Fatal(err)
		}
		for _, q := range held {
			tl := &classes
			if q.topic {
				tl = &topics
			}
			tl.asked++
			if m.ranked(q.text) == q.want {
				tl.first++
			}
			switch got := label(m.Best(q.text)); got {
			case "":
			case q.want:
				tl.right++
			default:
				tl.wrong++
			}
		}
	}
	for _, c := range []struct {
		name             string
		tl               tally
		minFirst, maxBad float64
	}{
		{"topics", topics, 80, 5},
		{"unstated classes", classes, 55, 20},
	} {
		pct := func(n int) float64 { return 100 * float64(n) / float64(c.tl.asked) }
		t.Logf("%d held-out examples of %s: best class right %.1f%%; answered right %.1f%%, wrong %.1f%%, not answered %.1f%%",
			c.tl.asked, c.name, pct(c.tl.first), pct(c.tl.right), pct(c.tl.wrong), pct(c.tl.asked-c.tl.right-c.tl.wrong))
		if pct(c.tl.first) < c.minFirst || pct(c.tl.wrong) > c.maxBad {
			t.Errorf("held out %s: best class right %.1f%%, answered wrong %.1f%%; want at least %.0f%% and at most %.0f%%", c.name, pct(c.tl.first), pct(c.tl.wrong), c.minFirst, c.maxBad)
		}
	}
}

// ranked returns the label of the class Best ranks first for the whole
// question, whatever its score.
func (m *Matcher) ranked(question string) string {
	buf := &scratch{}
	sc, ok := m.score(m.query(m.simplified(fold(question)), buf), buf)
	if !ok {
		return ""
	}
	c := m.classes[sc.best]
	return entryLabel(&entry{id: c.id, kind: c.kind})
}

// TestSeeds checks that every seed sentence is quoted exactly from the
// notice, so that each answer can be traced to it.
func TestSeeds(t *testing.T) {
	t.Parallel()
	seed, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	k, err := parseKnowledge("knowledge.txt", strings.NewReader(knowledgeFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range k.entries {
		for _, s := range e.seeds {
			if !strings.Contains(string(seed), s) {
				t.Errorf("topic %s: seed %q is not in testdata/seed.txt", e.id, s)
			}
		}
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	m := load(t)
	places := []string{"registration_place", "admission_ticket", "score_review", "certificate", "location"}
	for _, topic := range append(domainTopics, "nonsense") {
		args := m.Args(topic)
		if !slices.Contains(places, topic) {
			if args != nil {
				t.Errorf("Args(%q) = %q; want nil", topic, args)
			}
			continue
		}
		link, err := url.Parse(args["Map"])
		if err != nil || len(args) != 1 {
			t.Errorf("Args(%q) = %q; want just a Map link", topic, args)
			continue
		}
		if got, want := link.Query().Get("keyword"), "广州市惠福东路546号"; link.Scheme != "https" || got != want {
			t.Errorf("Args(%q)[Map] = %q, searching %q; want an https link searching %q", topic, args["Map"], got, want)
		}
	}
	m.Args("location")["Map"] = "changed"
	if got := m.Args("location")["Map"]; got == "changed" {
		t.Errorf("Args(location)[Map] = %q after changing a returned map", got)
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	m := load(t)
	tests := []struct{ text, want string }{
		{"照片要多大？", "zh-Hans"}, // the same in both scripts
		{"准考证什么时候领", "zh-Hans"},
		{"準考證甚麼時候領", "zh-Hant"},
		{"准考證 when", "zh-Hant"},
		{"photo 要几寸", "zh-Hans"},
		{"What size should the photo be?", "en"},
		{"ＰＨＯＴＯ", "en"},
		{"48", "en"},
		{"", "en"},
	}
	for _, tt := range tests {
		if got := m.Language(tt.text); got != tt.want {
			t.Errorf("Language(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"照片要多大", "照 片 照片 要 片要 多 要多 大 多大"},
		{"What's the photo size?", "what photo size"},
		{"Photos, 48mm x 33mm", "photo 48 mm 33 mm"},
		{"I didn't pass", "pass"},
		{"bachelor's degree", "bachelor degre"},
		{"准考证 when", "准 考 准考 证 考证 when"},
		{"照片吗？", "照 片 照片"},
		{"请问照片", "照 片 照片"},
		{"唔该照片", "照 片 照片"},
		{"几时考", "什 么 什么 时 么时 候 时候 考 候考"},
		{"collecting certificates", "collect certificat"},
		{"copies", "copy"},
		{"007", "7"},
		{"!!!", ""},
	}
	for _, tt := range tests {
		var got []string
		tokens(fold(tt.in), func(t token) { got = append(got, t.text) })
		if strings.Join(got, " ") != tt.want {
			t.Errorf("tokens(%q) = %q; want %q", tt.in, strings.Join(got, " "), tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"ＡＢＣ１２３？", "abc123?"},
		{"\u3000全角\u3000", " 全角 "},
		{"Didn’t", "didnt"},
		{"'quoted'", "'quoted'"},
		{"\xff", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		k    int
		want bool
	}{
		{"certifcate", "certificate", 1, true},
		{"phot", "photo", 1, true},
		{"reveiw", "review", 1, true}, // a swap is one edit
		{"tiket", "ticket", 1, true},
		{"pohto", "photo", 1, true},
		{"photo", "photo", 0, true},
		{"cook", "book", 1, true},
		{"cook", "bake", 1, false},
		{"exam", "examination", 2, false},
		{"registraton", "registration", 2, true},
		{"a", strings.Repeat("a", 40), 2, false},
	}
	for _, tt := range tests {
		if got := within(tt.a, tt.b, tt.k); got != tt.want {
			t.Errorf("within(%q, %q, %d) = %v; want %v", tt.a, tt.b, tt.k, got, tt.want)
		}
	}
}

// validKnowledge returns a knowledge file with a seed and an example in
// each language for each topic, in the order of DOMAIN.md: topic i takes
// lines 5i+1 to 5i+5.
func validKnowledge() string {
	var b strings.Builder
	for i, id := range domainTopics {
		fmt.Fprintf(&b, "[%s]\nseed: 電子商務師\nzh-Hant: 第%d個問題\nzh-Hans: 第%d条问题\nen: question %s\n", id, i, i, id)
	}
	return b.String()
}

func TestParse(t *testing.T) {
	t.Parallel()
	data := "# comment\n\n" + validKnowledge() + "map: 广州市惠福东路546号\nen: where is it\n"
	m, err := Parse("test.txt", strings.NewReader(data))
	if err != nil {
		t.Fatalf("Parse(valid) error: %v", err)
	}
	if got := m.Topics(); !slices.Equal(got, domainTopics) {
		t.Errorf("Topics() = %q; want %q", got, domainTopics)
	}
	if got := m.Args("location"); got == nil {
		t.Errorf("Args(location) = nil; want a map link")
	}
	if got := m.Best("Where is it?").Topic; got != "location" {
		t.Errorf("Best(Where is it?) = %q; want location", got)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	base := validKnowledge() // 85 lines
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unknown topic", base + "[photos]\n", `test.txt:86: unknown topic "photos"`},
		{"bad header", base + "[location\n", `test.txt:86: want a header "[topic]"`},
		{"empty header", base + "[]\n", `test.txt:86: want a header`},
		{"topic again", base + "[photo]\n", `test.txt:86: topic "photo" again, after line 51`},
		{"no colon", base + "en what\n", `test.txt:86: want "field: text"`},
		{"before any topic", "en: what\n" + base, `test.txt:1: en before the first header`},
		{"unknown field", base + "fr: quoi\n", `test.txt:86: unknown field "fr"`},
		{"empty example", base + "en:\n", `test.txt:86: empty en`},
		{"empty seed", base + "seed:  \n", `test.txt:86: empty seed`},
		{"second map", base + "map: a\nmap: b\n", `test.txt:87: a second map for "location"`},
		{"punctuation only", base + "en: ？！\n", `test.txt:86: example "？！" has no words`},
		{"duplicate", base + "en: Question Location?\n", `test.txt:86: example "Question Location?" is the same as the one of line 85`},
		{"duplicate across topics", base + "en: question eligibility\n", `test.txt:86: example "question eligibility" is the same as the one of line 5`},
		{"duplicate across scripts", base + "zh-Hant: 第16條問題\n", `test.txt:86: example "第16條問題" is the same as the one of line 84`},
		{"Traditional in zh-Hans", base + "zh-Hans: 準考證\n", `test.txt:86: zh-Hans example "準考證" has Traditional characters`},
		{"missing topic", strings.Replace(base, "[location]", "[photo]", 1), `test.txt:81: topic "photo" again`},
		{"no topics", "", `test.txt: topic "eligibility" is missing`},
		{"no seed", strings.Replace(base, "seed: 電子商務師\nzh-Hant: 第16", "zh-Hant: 第16", 1), `test.txt:81: topic "location" has no seed sentence`},
		{"no example in a language", strings.Replace(base, "en: question location\n", "", 1), `test.txt:81: topic "location" has no en example`},
		{"line too long", base + "en: " + strings.Repeat("x", 1<<20) + "\n", "read test.txt:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("test.txt", strings.NewReader(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %v; want one containing %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestParseMissingTopic(t *testing.T) {
	t.Parallel()
	data := strings.Replace(validKnowledge(), "[location]\nseed: 電子商務師\nzh-Hant: 第16個問題\nzh-Hans: 第16条问题\nen: question location\n", "", 1)
	want := `test.txt: topic "location" is missing`
	if _, err := Parse("test.txt", strings.NewReader(data)); err == nil || err.Error() != want {
		t.Errorf("Parse(without location) error = %v; want %q", err, want)
	}
}

func TestParseReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := Parse("test.txt", iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Errorf("Parse(failing reader) error = %v; want one wrapping %v", err, boom)
	}
}

func FuzzBest(f *testing.F) {
	m := load(f)
	for _, s := range []string{
		"照片要多大？", "准考证什么时候领", "How do I get my score reviewed?", "我有一科沒過怎麼辦",
		"Where do I register?", "hello", "ＰＨＯＴＯ", "certifcate", "48mm", "didn't", "\xff\xfe", "",
		strings.Repeat("准考證", 400),
	} {
		f.Add(s)
	}
	topics := m.Topics()
	f.Fuzz(func(t *testing.T, s string) {
		got := m.Best(s)
		if got.Score < 0 || got.Score > 1 {
			t.Fatalf("Best(%q).Score = %v; want it in [0, 1]", s, got.Score)
		}
		if got.Topic != "" && (got.Kind != Topic || !slices.Contains(topics, got.Topic) || got.Score < threshold) {
			t.Fatalf("Best(%q) = %+v; want a topic only at or above %v", s, got, threshold)
		}
		if again := m.Best(s); !reflect.DeepEqual(again, got) {
			t.Fatalf("Best(%q) = %+v, then %+v", s, got, again)
		}
		if !utf8.ValidString(fold(s)) {
			t.Fatalf("fold(%q) = %q, not UTF-8", s, fold(s))
		}
		_ = m.Language(s)
	})
}

func BenchmarkBest(b *testing.B) {
	m := load(b)
	texts := []string{
		"照片要多大？",
		"When can I colect my certifcate?",
		"您好，我想問一下，我在電子商務這個行業已經連續工作了六年多，去年剛拿到四級電子商務員證書，" +
			"現在想報考助理電子商務師，請問報名的時候需要帶哪些材料？身份證和畢業證要原件還是複印件？" +
			"另外照片要幾寸的，白底還是藍底？准考證是什麼時候領？謝謝！",
		"Hello, I have been working in e-commerce for about six years and I hold the clerk certificate. " +
			"I would like to apply for the assistant level. What documents should I bring to register, " +
			"and what size must the photo be? Also, whre do I colect the admision tiket?",
	}
	for _, text := range texts {
		b.Run(fmt.Sprint(utf8.RuneCountInString(text), "runes"), func(b *testing.B) {
			for b.Loop() {
				m.Best(text)
			}
		})
	}
}

// BenchmarkLoad parses and indexes the embedded files, as the first Load
// of a process does (later ones share its index).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("faq/knowledge.txt", strings.NewReader(knowledgeFile)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBestConcurrent checks that Best gives the same answer when called
// from many goroutines at once as when called alone (run with -race, it
// also checks that Best shares nothing it writes).
func TestBestConcurrent(t *testing.T) {
	t.Parallel()
	m := load(t)
	questions := []string{"照片要多大？", "準考證甚麼時候領", "certifcate", "hello"}
	want := map[string]Match{}
	for _, q := range questions {
		want[q] = m.Best(q)
	}
	// The answers alone differ, so that a matcher whose answers from
	// many goroutines got mixed up, or all alike, fails.
	if a, b := want[questions[0]], want[questions[1]]; a.Kind != Topic || b.Kind != Topic || a.Topic == b.Topic {
		t.Fatalf("Best(%q), Best(%q) = %+v, %+v; want two topics", questions[0], questions[1], a, b)
	}
	if got := want["hello"]; got.Kind != SmallTalk {
		t.Fatalf("Best(%q) = %+v; want small talk", "hello", got)
	}
	type result struct {
		q   string
		got Match
	}
	done := make(chan result)
	for _, q := range questions {
		for range 4 {
			go func() { done <- result{q, m.Best(q)} }()
		}
	}
	for range 4 * len(questions) {
		if r := <-done; !reflect.DeepEqual(r.got, want[r.q]) {
			t.Errorf("Best(%q) from many goroutines = %+v; want %+v, as alone", r.q, r.got, want[r.q])
		}
	}
}
