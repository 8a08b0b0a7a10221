package bot

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"<b>abc</b>", 3},
		{"a &lt; b &amp;&amp; c &#33;&#x41; &quot;", 15},
		{"電子商務師", 5},
		{"🏟 <i>🏟</i>", 5},
		{"&#x1F3DF;", 2},
		{"a & b", 5},     // a stray '&' is a character
		{"a < b", 5},     // so is a '<' without '>'
		{"&bogus; x", 9}, // and a reference Telegram does not know
	}
	for _, tt := range tests {
		if got := Length(tt.in); got != tt.want {
			t.Errorf("Length(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestPlain(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<b>Yes</b> &amp; <i>no</i>", "Yes & no"},
		{"a &lt;b&gt; &#39;c&#39; &#34;d&#34;", `a <b> 'c' "d"`},
		{`<a href="https://example.com">site</a>`, "site"},
		{"no markup", "no markup"},
	}
	for _, tt := range tests {
		if got := plain(tt.in); got != tt.want {
			t.Errorf("plain(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{"fits", "<b>short</b>\n\ntext", 100, []string{"<b>short</b>\n\ntext"}},
		{"paragraphs", "one two\n\nthree four\n\nfive", 20, []string{"one two\n\nthree four", "five"}},
		{"paragraph before line", "aa\n\nbb\ncc dd", 10, []string{"aa", "bb\ncc dd"}},
		{"line", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"space", "aaa bbb ccc ddd", 10, []string{"aaa bbb", "ccc ddd"}},
		{"runes", "電子商務師電子商務師電子", 5, []string{"電子商務師", "電子商務師", "電子"}},
		{"astral runes count two", "🏟🏟🏟", 4, []string{"🏟🏟", "🏟"}},
		{"bold across cut", "<b>aaa bbb ccc</b>", 8, []string{"<b>aaa bbb</b>", "<b>ccc</b>"}},
		{"nested across cut", "<b>x <i>aaa bbb</i> y</b>", 6, []string{"<b>x <i>aaa</i></b>", "<b><i>bbb</i> y</b>"}},
		{"reference kept whole", "&lt;&lt;&lt;&lt;", 3, []string{"&lt;&lt;&lt;", "&lt;"}},
		{"attributes reopened", `<a href="https://x.org/">aaaa bbbb</a>`, 5, []string{`<a href="https://x.org/">aaaa</a>`, `<a href="https://x.org/">bbbb</a>`}},
		{"open tag moves to next part", "aaaa <b>bbbb</b>", 5, []string{"aaaa", "<b>bbbb</b>"}},
		{"end tag stays in its part", "<b>aaaa</b>\n\nbbbb", 5, []string{"<b>aaaa</b>", "bbbb"}},
		{"gap with end tag", "<b>aaaa\n</b>\nbbbb", 5, []string{"<b>aaaa</b>", "bbbb"}},
		{"leading space skipped", "\n\n  aaaa bbbb", 5, []string{"aaaa", "bbbb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := split(tt.in, tt.limit); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("split(%q, %d) = %q; want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

// checkParts checks the promises of split: every part fits, has its tags
// balanced, and the parts keep every character but the white space at the
// cuts.
func checkParts(t *testing.T, in string, limit int, parts []string) {
	t.Helper()
	var all strings.Builder
	for i, p := range parts {
		if n := Length(p); n > limit || n == 0 {
			t.Errorf("split(%q, %d): part %d is %d long: %q", in, limit, i, n, p)
		}
		if !balanced(p) {
			t.Errorf("split(%q, %d): part %d has unbalanced tags: %q", in, limit, i, p)
		}
		all.WriteString(plain(p))
	}
	if got, want := noSpace(all.String()), noSpace(plain(in)); got != want {
		t.Errorf("split(%q, %d) keeps %q; want %q", in, limit, got, want)
	}
}

func balanced(s string) bool {
	var open []string
	for _, tok := range tokenize(s) {
		switch tok.kind {
		case tokOpen:
			open = append(open, tok.name)
		case tokClose:
			if len(open) == 0 || open[len(open)-1] != tok.name {
				return false
			}
			open = open[:len(open)-1]
		}
	}
	return len(open) == 0
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// FuzzSplit splits texts made of words, breaks, references and well nested
// tags, at limits from 1 up.
func FuzzSplit(f *testing.F) {
	f.Add([]byte("hello <b>bold</b>\n\nworld"), uint8(3))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, uint8(1))
	f.Fuzz(func(t *testing.T, script []byte, limit uint8) {
		pieces := []string{"a", "bc ", "電", "🏟", " ", "\n", "\n\n", "&lt;", "&amp;", "<b>", "<i>", "x</b>"}
		var b strings.Builder
		var open []string
		for _, c := range script {
			p := pieces[int(c)%len(pieces)]
			switch {
			case p == "<b>" || p == "<i>":
				open = append(open, p[1:2])
			case p == "x</b>":
				if len(open) == 0 {
					p = "x"
					break
				}
				p = "x</" + open[len(open)-1] + ">"
				open = open[:len(open)-1]
			}
			b.WriteString(p)
		}
		for len(open) > 0 {
			b.WriteString("</" + open[len(open)-1] + ">")
			open = open[:len(open)-1]
		}
		in := b.String()
		if noSpace(plain(in)) == "" {
			return
		}
		lim := int(limit)%64 + 2 // an astral character takes 2
		checkParts(t, in, lim, split(in, lim))
	})
}

func TestInlineKeyboardJSON(t *testing.T) {
	t.Parallel()
	kb := inlineKeyboard([][]Button{{{Text: "Yes", Data: "3|a:yes"}, {Text: "No", Data: "3|a:no"}}, {{Text: "<&>", Data: "3|c:x"}}})
	got, err := json.Marshal(kb)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"inline_keyboard":[[{"text":"Yes","callback_data":"3|a:yes"},{"text":"No","callback_data":"3|a:no"}],[{"text":"\u003c\u0026\u003e","callback_data":"3|c:x"}]]}`
	if string(got) != want {
		t.Errorf("json.Marshal(inlineKeyboard) = %s; want %s", got, want)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello", 3, "hel"},
		{"電子商務", 2, "電子"},
		{"a🏟b", 2, "a"},
		{"a🏟b", 3, "a🏟"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
