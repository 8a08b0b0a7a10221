package faq

import (
	"errors"
	"fmt"
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
	m := load(t)
	if got := m.Topics(); !slices.Equal(got, domainTopics) {
		t.Errorf("Topics() = %q; want %q", got, domainTopics)
	}
	m.Topics()[0] = "changed"
	if got := m.Topics()[0]; got != domainTopics[0] {
		t.Errorf("Topics()[0] = %q after changing a returned slice; want %q", got, domainTopics[0])
	}
}

func TestMatch(t *testing.T) {
	m := load(t)
	tests := []struct {
		text string
		want string // "" for no match
	}{
		// eligibility
		{"我可以報哪個級別？", "eligibility"},
		{"我有資格報考嗎", "eligibility"},
		{"我本科畢業，能報幾級", "eligibility"},
		{"报考条件是什么", "eligibility"},
		{"我做了三年电商，能不能报三级", "eligibility"},
		{"Am I eligible?", "eligibility"},
		{"Which level can I apply for?", "eligibility"},
		{"What are the requirements to apply?", "eligibility"},
		{"I have a master's degree, do I qualify?", "eligibility"},
		// levels
		{"what levels are there", "levels"},
		{"How many levels are there?", "levels"},
		{"What's the difference between the levels?", "levels"},
		{"電子商務師有幾個級別？", "levels"},
		{"电子商务师分几级", "levels"},
		{"哪個等級最高", "levels"},
		// registration_time
		{"什麼時候報名？", "registration_time"},
		{"报名时间是几号到几号", "registration_time"},
		{"今年幾時開始報名", "registration_time"},
		{"報名截止了嗎", "registration_time"},
		{"When is registration open?", "registration_time"},
		{"When can I apply?", "registration_time"},
		{"What is the registration deadline?", "registration_time"},
		// registration_place
		{"Where do I register?", "registration_place"},
		{"How do I register?", "registration_place"},
		{"How can I apply?", "registration_place"},
		{"Can I register online?", "registration_place"},
		{"在哪裡報名？", "registration_place"},
		{"怎么报名", "registration_place"},
		{"可以网上报名吗", "registration_place"},
		{"報名要本人親自去嗎", "registration_place"},
		// materials
		{"報名要帶什麼", "materials"},
		{"报名需要准备什么材料", "materials"},
		{"要帶身份證複印件嗎", "materials"},
		{"毕业证要原件吗", "materials"},
		{"What documents do I need?", "materials"},
		{"What should I bring when I register?", "materials"},
		{"Do I need my degree certificate and ID card?", "materials"},
		// application_form
		{"申請表在哪下載", "application_form"},
		{"个人申请表怎么填", "application_form"},
		{"報名表哪裡可以拿到", "application_form"},
		{"Where can I download the application form?", "application_form"},
		{"How do I fill in the form?", "application_form"},
		// work_proof
		{"工作證明怎麼開", "work_proof"},
		{"公司证明要盖章吗", "work_proof"},
		{"工作年限證明要什麼格式", "work_proof"},
		{"社保記錄可以代替嗎", "work_proof"},
		{"Does my employer need to write a certificate of employment?", "work_proof"},
		{"What proof of work experience do I need?", "work_proof"},
		// thesis
		{"論文要幾份", "thesis"},
		{"论文有字数要求吗", "thesis"},
		{"二級要寫論文嗎", "thesis"},
		{"How many copies of the thesis?", "thesis"},
		{"Do I need to write a dissertation?", "thesis"},
		// exam_date
		{"什麼時候考試？", "exam_date"},
		{"考试时间是哪天", "exam_date"},
		{"幾號考", "exam_date"},
		{"When is the exam?", "exam_date"},
		{"What's the exam date?", "exam_date"},
		// admission_ticket
		{"准考证什么时候领", "admission_ticket"},
		{"準考證在哪裡拿？", "admission_ticket"},
		{"領准考證要帶什麼", "admission_ticket"},
		{"准考证上的名字错了", "admission_ticket"},
		{"When do I collect my admission ticket?", "admission_ticket"},
		{"I lost my exam ticket", "admission_ticket"},
		// photo
		{"照片要多大？", "photo"},
		{"相片尺寸是多少", "photo"},
		{"要幾寸的照片", "photo"},
		{"照片要白底还是蓝底", "photo"},
		{"What size should the photo be?", "photo"},
		{"Can I use a colour picture?", "photo"},
		{"Is 48mm x 33mm right?", "photo"},
		// score_review
		{"How do I get my score reviewed?", "score_review"},
		{"成績有問題可以複核嗎", "score_review"},
		{"怎么申请复核", "score_review"},
		{"查分要帶什麼", "score_review"},
		{"I think my score is wrong, can I appeal?", "score_review"},
		{"What is the deadline for a score review?", "score_review"},
		// defence
		{"答辯什麼時候？", "defence"},
		{"论文答辩在哪里", "defence"},
		{"答辩会怎么通知", "defence"},
		{"When is the thesis defence?", "defence"},
		{"How will I be notified about the oral defense?", "defence"},
		// certificate
		{"證書什麼時候可以領？", "certificate"},
		{"领证要带什么", "certificate"},
		{"在哪裡領證書", "certificate"},
		{"When can I collect my certificate?", "certificate"},
		{"Where do I pick up the certificate?", "certificate"},
		// retake
		{"我有一科沒過怎麼辦", "retake"},
		{"补考什么时候报名", "retake"},
		{"考試不合格可以重考嗎", "retake"},
		{"I failed one subject, can I retake it?", "retake"},
		{"How does the resit work?", "retake"},
		{"I didn't pass the theory part", "retake"},
		// training_route
		{"我參加了培訓，要自己報名嗎", "training_route"},
		{"有结业证书的怎么申报", "training_route"},
		{"培訓機構會幫我報名嗎", "training_route"},
		{"I took a training course, how do I apply?", "training_route"},
		{"I have a completion certificate from a training school", "training_route"},
		// location
		{"地址在哪？", "location"},
		{"鉴定中心在哪里", "location"},
		{"服務大廳在幾樓", "location"},
		{"怎么去惠福东路", "location"},
		{"What is the address?", "location"},
		{"Where is the office?", "location"},
		{"Which floor is the service hall on?", "location"},
		// Words of one topic in a question about another.
		{"領證要帶什麼", "certificate"},
		{"领证书需要身份证和照片", "certificate"},
		{"准考证要带照片吗", "admission_ticket"},
		{"报名照片尺寸", "photo"},
		{"Is a photo needed for registration?", "photo"},
		{"結業證書在哪拿", "training_route"},
		{"報名表哪裡可以拿到", "application_form"},
		{"複核申請表在哪裡下載", "score_review"},
		{"成绩复核申请表怎么填", "score_review"},
		{"工作证明在哪里下载", "work_proof"},
		{"申请表要单位盖章吗", "application_form"},
		{"补考什么时候报名", "retake"},
		{"補考要怎麼報名", "retake"},
		{"沒有工作經驗可以報名嗎", "eligibility"},
		{"我有四級證書，工作了四年，能報三級嗎", "eligibility"},
		{"四級證書什麼時候發", "certificate"},
		{"培训机构报名和个人报名有什么区别", "training_route"},
		{"答辯在哪裡進行", "defence"},
		{"Where is the exam held?", "location"},
		{"Which floor is the certificate section?", "certificate"},
		{"Do I need my ID card for the certificate?", "certificate"},
		{"Do I need to register in person?", "registration_place"},
		{"What do I need to apply for level 2?", "materials"},
		{"I have a bachelor degree in marketing, which level?", "eligibility"},
		{"Which level is the highest?", "levels"},
		{"What proof of work experience do I need?", "work_proof"},
		{"Do I need work experience?", "eligibility"},
		{"How do I apply through my training institution?", "training_route"},
		{"My name is wrong on the admission ticket", "admission_ticket"},
		// Full-width, case and spacing.
		{"ＷＨＥＲＥ ＤＯ Ｉ ＲＥＧＩＳＴＥＲ？", "registration_place"},
		{"  PHOTO   size ", "photo"},
		{"准考 證", "admission_ticket"},
		// Nothing to match, or not to guess.
		{"hello", ""},
		{"你好", ""},
		{"thanks!", ""},
		{"", ""},
		{"？？？", ""},
		{"ok", ""},
		{"information", ""}, // form only as a word
		{"formal", ""},      // nor in formal
		{"reform", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := m.Match(tt.text)
			if ok != (tt.want != "") || got != tt.want {
				t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// TestKeywordsAlone checks the data: each keyword, asked alone, is its own
// topic's.
func TestKeywordsAlone(t *testing.T) {
	m := load(t)
	for _, kw := range m.keywords {
		var parts []string
		for _, id := range kw.terms {
			parts = append(parts, m.terms[id])
		}
		text := strings.Join(parts, " ")
		want := m.topics[kw.topic]
		if got, ok := m.Match(text); !ok || got != want {
			t.Errorf("Match(%q) = %q, %v; want %q, true", text, got, ok, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"ＡＢＣ１２３", "abc 123"},
		{"48mm", "48 mm"},
		{"准考證 什麼時候？", "准考證什麼時候"},
		{"准考證photo", "准考證 photo"},
		{"photo准考證", "photo 准考證"},
		{"1寸照片", "1 寸照片"},
		{"  re-take  ", "re take"},
		{"what's", "what s"},
		{"\u3000全角\u3000空格\u3000", "全角空格"},
		{"", ""},
		{"!!!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := string(normalize(nil, tt.in)); got != tt.want {
				t.Errorf("normalize(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// validData returns a keyword file with one keyword for each topic, for the
// topics of DOMAIN.md in order.
func validData() string {
	var b strings.Builder
	for i, id := range domainTopics {
		fmt.Fprintf(&b, "%s: keyword%c\n", id, 'a'+i)
	}
	return b.String()
}

func TestParse(t *testing.T) {
	data := "# comment\n\n" + validData() + "location: 照片, picture + size\n"
	m, err := Parse("test.txt", strings.NewReader(data))
	if err != nil {
		t.Fatalf("Parse(valid) error: %v", err)
	}
	if got := m.Topics(); !slices.Equal(got, domainTopics) {
		t.Errorf("Topics() = %q; want %q", got, domainTopics)
	}
	tests := []struct{ text, want string }{
		{"keyworda", "eligibility"},
		{"KEYWORDQ!", "location"},
		{"照片", "location"},
		{"size of picture", "location"},
		{"pictures, what size?", "location"},
		{"picture", ""},           // half of a "+" keyword
		{"keywordb keywordc", ""}, // a tie
		{"keywordbc", ""},         // not a word of the keywords
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got, _ := m.Match(tt.text); got != tt.want {
				t.Errorf("Match(%q) = %q; want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	base := validData() // lines 1 to 17
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unknown topic", base + "photos: picture\n", "test.txt:18: unknown topic \"photos\""},
		{"no colon", base + "location picture\n", "test.txt:18: want \"topic: keyword, keyword, ...\""},
		{"no topic", base + ": picture\n", "test.txt:18: want"},
		{"empty keyword", base + "location: picture,, photo\n", "test.txt:18: empty keyword"},
		{"trailing comma", base + "location: picture,\n", "test.txt:18: empty keyword"},
		{"no keywords", base + "location:\n", "test.txt:18: empty keyword"},
		{"punctuation only", base + "location: ？！\n", "test.txt:18: keyword \"？！\": \"？！\" has no letter or digit"},
		{"empty part", base + "location: picture + \n", "test.txt:18: keyword \"picture +\": \"\" has no letter or digit"},
		{"repeated part", base + "location: size + Size\n", "test.txt:18: keyword \"size + Size\" repeats \"size\""},
		{"duplicate in topic", base + "location: picture, Picture\n", "test.txt:18: keyword \"Picture\" repeats one of line 18"},
		{"duplicate across topics", base + "location: keyworda\n", "test.txt:18: keyword \"keyworda\" repeats one of line 1"},
		{"duplicate after normalising", base + "location: ｋｅｙｗｏｒｄａ\n", "repeats one of line 1"},
		{"duplicate conjunction", base + "location: a + b\nlocation: B + A\n", "test.txt:19: keyword \"B + A\" repeats one of line 18"},
		{"topic split", base + "eligibility: more\n", "test.txt:18: topic \"eligibility\" again, after line 1: keep its lines together"},
		{"missing topic", strings.Replace(base, "location: keywordq\n", "", 1), "test.txt: topic \"location\" has no keywords"},
		{"empty file", "", "test.txt: topic \"eligibility\" has no keywords"},
		{"line too long", base + "location: " + strings.Repeat("x", 2<<20) + "\n", "read test.txt:"},
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

func TestParseReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Parse("test.txt", iotest.ErrReader(boom))
	if !errors.Is(err, boom) {
		t.Errorf("Parse(failing reader) error = %v; want one wrapping %v", err, boom)
	}
}

func FuzzMatch(f *testing.F) {
	m := load(f)
	for _, s := range []string{
		"照片要多大？", "准考证什么时候领", "How do I get my score reviewed?", "我有一科沒過怎麼辦",
		"Where do I register?", "hello", "ＰＨＯＴＯ", "re-taking", "applies", "48mm", "\xff\xfe", "",
	} {
		f.Add(s)
	}
	topics := m.Topics()
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := m.Match(s)
		if ok != (got != "") {
			t.Fatalf("Match(%q) = %q, %v; want a topic exactly when ok", s, got, ok)
		}
		if ok && !slices.Contains(topics, got) {
			t.Fatalf("Match(%q) = %q, not one of %q", s, got, topics)
		}
		if again, _ := m.Match(s); again != got {
			t.Fatalf("Match(%q) = %q, then %q", s, got, again)
		}
		if n := normalize(nil, s); !utf8.Valid(n) {
			t.Fatalf("normalize(%q) = %q, not UTF-8", s, n)
		}
		// Spaces and punctuation around a question change nothing.
		if padded, _ := m.Match(" 「" + s + " 」？！"); padded != got {
			t.Fatalf("Match(%q) = %q, but %q for %q", " 「"+s+" 」？！", padded, got, s)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	m := load(b)
	texts := []string{
		"您好，我想問一下，我在電子商務這個行業已經連續工作了六年多，去年剛拿到四級電子商務員證書，" +
			"現在想報考助理電子商務師，請問報名的時候需要帶哪些材料？身份證和畢業證要原件還是複印件？" +
			"另外照片要幾寸的，白底還是藍底？准考證是什麼時候領？謝謝！",
		"Hello, I have been working in e-commerce for about six years and I hold the clerk certificate. " +
			"I would like to apply for the assistant level. What documents should I bring to register, " +
			"and what size must the photo be?",
	}
	var all strings.Builder // every term of the data, a worst case
	for _, term := range m.terms {
		all.WriteString(term + " ")
	}
	texts = append(texts, all.String())
	for _, text := range texts {
		b.Run(fmt.Sprint(utf8.RuneCountInString(text), "runes"), func(b *testing.B) {
			for b.Loop() {
				m.Match(text)
			}
		})
	}
}
