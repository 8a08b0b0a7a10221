package dialog

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"examdesk/faq"
	"examdesk/rules"
)

// loadVocabulary loads the embedded rules, the FAQ's normalisation and the
// vocabulary.
func loadVocabulary(t *testing.T) (*rules.Set, func(string) string, vocabulary) {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := parseVocabulary("answers.txt", strings.NewReader(answersFile), set, m.Normalize)
	if err != nil {
		t.Fatal(err)
	}
	return set, m.Normalize, v
}

func TestReadChoice(t *testing.T) {
	t.Parallel()
	set, norm, v := loadVocabulary(t)
	tests := []struct {
		q     rules.Question
		text  string
		want  []string // the readings
		clean bool
	}{
		// Each education, in the three languages and abbreviations.
		{rules.Education, "高中", []string{"none"}, true},
		{rules.Education, "中專", []string{"secondary_vocational"}, true},
		{rules.Education, "中职", []string{"secondary_vocational"}, true},
		{rules.Education, "中等職業學校", []string{"secondary_vocational"}, true},
		{rules.Education, "技師學院", []string{"advanced_vocational"}, true},
		{rules.Education, "大專", []string{"associate"}, true},
		{rules.Education, "associate degree", []string{"associate"}, true},
		{rules.Education, "junior college", []string{"associate"}, true},
		{rules.Education, "本科", []string{"bachelor"}, true},
		{rules.Education, "我是本科毕业的", []string{"bachelor"}, true},
		{rules.Education, "Bachelor's degree", []string{"bachelor"}, true},
		{rules.Education, "碩士", []string{"master"}, true},
		{rules.Education, "MBA", []string{"master"}, true},
		{rules.Education, "ＭＢＡ", []string{"master"}, true},
		{rules.Education, "博士", []string{"doctorate"}, true},
		{rules.Education, "PhD", []string{"doctorate"}, true},
		{rules.Education, "Ph.D.", []string{"doctorate"}, true},
		// Words that may mean several, in the vocabulary's order.
		{rules.Education, "技校", []string{"secondary_vocational", "advanced_vocational"}, true},
		{rules.Education, "高職", []string{"advanced_vocational", "associate"}, true},
		{rules.Education, "diploma", []string{"secondary_vocational", "advanced_vocational", "associate"}, true},
		// Phrases that disagree: every one, in the order of the choices.
		{rules.Education, "本科和碩士", []string{"bachelor", "master"}, false},
		// Option numbers, full-width too.
		{rules.Education, "5", []string{"bachelor"}, true},
		{rules.Education, "５", []string{"bachelor"}, true},
		{rules.Education, "8", nil, false},
		// With more around: not clean.
		{rules.Education, "本科，讀市場營銷", []string{"bachelor"}, false},
		{rules.Education, "banana", nil, false},
		{rules.Certificate, "冇", []string{"none"}, true},
		{rules.Certificate, "四級", []string{"level4"}, true},
		{rules.Certificate, "4级证书", []string{"level4"}, true},
		{rules.Certificate, "level 4", []string{"level4"}, true},
		{rules.Certificate, "clerk", []string{"level4"}, true},
		{rules.Certificate, "助理電子商務師", []string{"level3"}, true},
		{rules.Certificate, "电子商务师", []string{"level2"}, true},
		{rules.Certificate, "高級電子商務師", []string{"level1"}, true},
		{rules.Certificate, "senior technician", []string{"level1"}, true},
		{rules.Certificate, "nope", []string{"none"}, true},
		{rules.Certificate, "2", []string{"level4"}, true}, // the second option
		{rules.Major, "電商", []string{"ecommerce"}, true},
		{rules.Major, "e-commerce", []string{"ecommerce"}, true},
		{rules.Major, "相關專業", []string{"related"}, true},
		{rules.Major, "其他", []string{"other"}, true},
		{rules.Major, "不是電商", []string{"related", "other"}, true},
		{rules.Major, "非本專業", []string{"other", "related"}, true},
		{rules.Major, "會計", []string{"other", "related"}, true},
		{rules.Major, "marketing", []string{"other", "related"}, true},
		{rules.TrainingLevel3, "有", []string{"yes"}, true},
		{rules.TrainingLevel3, "係", []string{"yes"}, true},
		{rules.TrainingLevel3, "yep", []string{"yes"}, true},
		{rules.TrainingLevel3, "有，拿了結業證書", []string{"yes"}, true},
		{rules.TrainingLevel3, "冇", []string{"no"}, true},
		{rules.TrainingLevel3, "沒有參加過", []string{"no"}, true},
		{rules.TrainingLevel3, "沒培訓過", []string{"no"}, true},
		{rules.TrainingLevel3, "not yet", []string{"no"}, true},
		{rules.TrainingLevel3, "nope", []string{"no"}, true},
		// Questions are not clean answers.
		{rules.Education, "本科可以嗎？", []string{"bachelor"}, false},
		{rules.Certificate, "我想報考四級", []string{"level4"}, false},
	}
	for _, tt := range tests {
		got := v.readChoice(set.Ask(tt.q), tt.text, norm)
		var values []string
		for _, x := range got.values {
			values = append(values, x.Choice)
		}
		if !slices.Equal(values, tt.want) || got.clean != tt.clean {
			t.Errorf("readChoice(%s, %q) = %q, clean %v; want %q, clean %v", tt.q, tt.text, values, got.clean, tt.want, tt.clean)
		}
	}
}

func TestReadYears(t *testing.T) {
	t.Parallel()
	_, norm, v := loadVocabulary(t)
	now := time.Date(2026, time.June, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		q        rules.Question
		text     string
		from, to float64
		ok       bool
	}{
		{rules.OccupationYears, "3", 3, 3, true},
		{rules.OccupationYears, "三年", 3, 3, true},
		{rules.OccupationYears, "做咗三年", 3, 3, true},
		{rules.OccupationYears, "做了零点五年", 0.5, 0.5, true},
		{rules.OccupationYears, "I've worked 5 years", 5, 5, true},
		{rules.OccupationYears, "沒有", 0, 0, true},
		{rules.OccupationYears, "冇", 0, 0, true},
		{rules.OccupationYears, "none", 0, 0, true},
		{rules.OccupationYears, "十多年", 10, 20, true},
		{rules.OccupationYears, "不到三年", 0, 3, true},
		{rules.OccupationYears, "less than 2 years", 0, 2, true},
		{rules.OccupationYears, "since 2020", 5.46, 6.45, true},
		{rules.YearsSinceGraduation, "2016年毕业", 9.46, 10.45, true},
		{rules.YearsSinceGraduation, "2016年6月畢業", 9.96, 10.04, true},
		{rules.YearsSinceGraduation, "三年前畢業", 3, 3, true},
		{rules.YearsSinceGraduation, "3 years ago", 3, 3, true},
		{rules.YearsSinceGraduation, "去年", 0.46, 1.45, true},
		{rules.YearsSinceGraduation, "今年剛畢業", 0, 0, true},
		{rules.YearsSinceCertificate, "攞證四年", 4, 4, true},
		{rules.YearsSinceCertificate, "four years since then", 4, 4, true},
		// Not amounts, or not only amounts.
		{rules.OccupationYears, "-3", 0, 0, false},
		{rules.OccupationYears, "3-5年", 0, 0, false},
		{rules.OccupationYears, "幾年", 0, 0, false},
		{rules.OccupationYears, "what if I fail 1 subject", 0, 0, false},
		{rules.OccupationYears, "3年可以報幾級", 0, 0, false},
		{rules.OccupationYears, "2030", 0, 0, false}, // a year to come
		{rules.OccupationYears, "不到零年", 0, 0, false},
		{rules.OccupationYears, "沒有3年", 0, 0, false},
		{rules.OccupationYears, "", 0, 0, false},
	}
	for _, tt := range tests {
		r, ok := v.readYears(tt.q, tt.text, norm, now)
		near := func(a, b float64) bool { return a == b || math.Abs(a-b) < 0.01 }
		if ok != tt.ok || ok && (!near(r.from, tt.from) || !near(r.to, tt.to)) {
			t.Errorf("readYears(%s, %q) = [%.2f, %.2f), %v; want [%.2f, %.2f), %v", tt.q, tt.text, r.from, r.to, ok, tt.from, tt.to, tt.ok)
		}
	}
}

func TestParseVocabularyErrors(t *testing.T) {
	t.Parallel()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	norm := strings.ToLower
	tests := []struct{ name, data, want string }{
		{"line before a header", "none: a\n", "v.txt:1: a line before the first header"},
		{"bad header", "[education\n", "v.txt:1: want a header"},
		{"unknown question", "[hobby]\n", `v.txt:1: unknown question "hobby"`},
		{"no colon", "[education]\nbachelor\n", `v.txt:2: want "VALUE: phrase`},
		{"unknown choice", "[education]\nphd: doctor\n", `v.txt:2: value "phd": education has no choice "phd"`},
		{"choice twice", "[education]\nmaster | master: ma\n", `value "master | master" names "master" twice`},
		{"number at a choice", "[education]\n3: three\n", `v.txt:2: value "3": education has no choice "3"`},
		{"choice at years", "[years]\nbachelor: x\n", `v.txt:2: value "bachelor": want a number of years`},
		{"years out of range", "[occupation_years]\n101: x\n", `value "101": want a number of years`},
		{"calendar ahead", "[years]\ncalendar 1: next year\n", `calendar "1": want 0 or a negative`},
		{"under at a choice", "[major]\nunder: less\n", `value "under": major has no choice "under"`},
		{"not at years", "[years]\nnot: no\n", `value "not": want a number of years`},
		{"choice in any", "[any]\nyes: y\n", `value "yes" in a section of several kinds`},
		{"no phrases", "[education]\nbachelor: , ,\n", "v.txt:2: no phrases"},
		{"choice beside", "[follow-up]\nyes: sure\n", `v.txt:2: value "yes" in [follow-up]: want skip or filler`},
		{"not without an opposite", "[follow-up]\nnot: no\n", `v.txt:2: value "not" in [follow-up]: want skip or filler`},
		{"word twice", "[doubt]\nkeep: ok\nwrong: ok\n", `v.txt:3: "ok" means wrong here and keep on line 2`},
		{"fillers only", "[doubt]\nfiller: um\n", "v.txt: section [doubt] has no phrase of keep or wrong"},
		{"nothing to read", "[education]\nbachelor: !!\n", `v.txt:2: phrase "!!" has nothing to read`},
		{"one phrase, two meanings", "[education]\nbachelor: uni\nmaster: uni\n", `v.txt:3: "uni" at education means master here and bachelor on line 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseVocabulary("v.txt", strings.NewReader(tt.data), set, norm)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseVocabulary(%q) = %v; want an error with %q", tt.data, err, tt.want)
			}
		})
	}
	// A narrower section overrides a wider one; a negation and a value
	// may be one phrase.
	v, err := parseVocabulary("v.txt", strings.NewReader("[any]\nfiller: no\n[yes_no]\nno: no\nnot: no\n"), set, norm)
	if err != nil {
		t.Fatalf("parseVocabulary(valid) = %v", err)
	}
	if p := v.answers[rules.TrainingLevel4].phrases["no"]; p == nil || !p.not || !slices.Equal(p.values, []string{"no"}) {
		t.Errorf("phrase no at training.level4 = %+v; want the value no and a negation", p)
	}
	if p := v.answers[rules.Education].phrases["no"]; p == nil || !p.filler {
		t.Errorf("phrase no at education = %+v; want a filler", p)
	}
}

// TestReadAside reads what candidates type beside an answer: skipping a
// follow-up; keeping a number questioned as unlikely, or saying it was
// wrong, and what follows.
func TestReadAside(t *testing.T) {
	t.Parallel()
	_, norm, v := loadVocabulary(t)
	tests := []struct {
		section, text, word, rest string
	}{
		{asideFollowUp, "跳過", asideSkip, ""},
		{asideFollowUp, "唔使喇", asideSkip, ""},
		{asideFollowUp, "skip this one, please", asideSkip, ""},
		{asideFollowUp, "跳過，有冇其他問題", asideSkip, "有没有其他问题"},
		{asideFollowUp, "有", "", ""},
		{asideDoubt, "係", asideKeep, ""},
		{asideDoubt, "冇錯", asideKeep, ""},
		{asideDoubt, "yes, that's right", asideKeep, ""},
		{asideDoubt, "yes, 100", asideKeep, "100"},
		{asideDoubt, "唔係", asideWrong, ""},
		{asideDoubt, "no", asideWrong, ""},
		{asideDoubt, "打錯，10年", asideWrong, "10年"},
		// A negation is of the phrase right after it, not across a comma.
		{asideDoubt, "沒打錯", asideKeep, ""},
		{asideDoubt, "no mistake", asideKeep, ""},
		{asideDoubt, "not right", asideWrong, ""},
		{asideDoubt, "唔係，打錯咗", asideWrong, ""},
		{asideDoubt, "係，唔係", asideKeep, "不系"},
		{asideDoubt, "打錯，沒打錯", asideWrong, "没打错"},
		{asideDoubt, "100", "", ""},
		{asideDoubt, "", "", ""},
	}
	for _, tt := range tests {
		word, rest := v.readAside(tt.section, tt.text, norm)
		if word != tt.word || rest != tt.rest {
			t.Errorf("readAside(%s, %q) = %q, %q; want %q, %q", tt.section, tt.text, word, rest, tt.word, tt.rest)
		}
	}
}

func TestCollapse(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"e-commerce", "e commerce"},
		{"Ph.D.", "Ph D"},
		{"  本科，  讀市場營銷 ", "本科 讀市場營銷"},
		{"-3", "-3"},
		{"3.5年", "3.5年"},
		{"3+ years", "3+ years"},
		{"3-5", "3-5"},
		{"bachelor.", "bachelor"},
	}
	for _, tt := range tests {
		if got := collapse(tt.in); got != tt.want {
			t.Errorf("collapse(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestOptionValue: an option's value gives back the number it answers
// with, and the end of its range of years.
func TestOptionValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, upto float64
		want    string
	}{
		{7, 0, "#7"},
		{13, 19, "#13~19"},
		{9.45, 10.4567, "#9.45~10.46"},
		{19, math.Inf(1), "#19~"},
	}
	for _, tt := range tests {
		v := optionValue(rules.Value{Number: tt.n}, tt.upto)
		if v != tt.want {
			t.Errorf("optionValue(%v, %v) = %q; want %q", tt.n, tt.upto, v, tt.want)
		}
		n, upto, ok := numberValue(v)
		if want := math.Ceil(tt.upto*100) / 100; !ok || n != tt.n || upto != want {
			t.Errorf("numberValue(%q) = %v, %v, %v; want %v, %v, true", v, n, upto, ok, tt.n, want)
		}
	}
	for _, v := range []string{"#", "#x", "#3~2", "#3~x", "bachelor"} {
		if n, upto, ok := numberValue(v); ok {
			t.Errorf("numberValue(%q) = %v, %v, true; want false", v, n, upto)
		}
	}
}
