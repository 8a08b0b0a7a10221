package telegramtest

import (
	"reflect"
	"testing"
)

type parseCase struct {
	name string
	in   string
	text string   // the text Telegram shows, when in parses
	ents []Entity // its entities
	err  string   // the error, when in does not parse
}

func runParse(t *testing.T, name string, parse func(string) (string, []Entity, error), cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text, ents, err := parse(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("%s(%q) error = %v; want %q", name, tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s(%q) error = %v; want none", name, tc.in, err)
			}
			if text != tc.text || !reflect.DeepEqual(ents, tc.ents) {
				t.Errorf("%s(%q) = %q, %+v; want %q, %+v", name, tc.in, text, ents, tc.text, tc.ents)
			}
		})
	}
}

func TestParseHTML(t *testing.T) {
	t.Parallel()
	runParse(t, "parseHTML", parseHTML, []parseCase{
		{name: "plain", in: "hello", text: "hello"},
		{name: "empty", in: "", text: ""},
		{name: "bold", in: "<b>Pick</b> one", text: "Pick one", ents: []Entity{{Type: "bold", Offset: 0, Length: 4}}},
		{name: "strong em ins del", in: "<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", text: "abcd", ents: []Entity{
			{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 1, Length: 1},
			{Type: "underline", Offset: 2, Length: 1}, {Type: "strikethrough", Offset: 3, Length: 1}}},
		{name: "utf-16 offsets", in: "🏟 <i>🏟 x</i>", text: "🏟 🏟 x", ents: []Entity{{Type: "italic", Offset: 3, Length: 4}}},
		{name: "nested", in: "<b>a <i>b</i></b>", text: "a b", ents: []Entity{
			{Type: "bold", Offset: 0, Length: 3}, {Type: "italic", Offset: 2, Length: 1}}},
		{name: "entities", in: "a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#33;&#x41;", text: `a < b && c > d "q" !A`},
		{name: "entity without semicolon", in: "&lt;3", text: "<3"},
		{name: "link", in: `<a href="https://example.com/?a=1&amp;b=2">site</a>`, text: "site", ents: []Entity{
			{Type: "text_link", Offset: 0, Length: 4, URL: "https://example.com/?a=1&b=2"}}},
		{name: "link without href", in: "<a>example.com</a>", text: "example.com", ents: []Entity{
			{Type: "text_link", Offset: 0, Length: 11, URL: "example.com"}}},
		{name: "spoilers", in: `<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>`, text: "ab", ents: []Entity{
			{Type: "spoiler", Offset: 0, Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{name: "pre with language", in: `<pre><code class="language-go">x := 1</code></pre>`, text: "x := 1", ents: []Entity{
			{Type: "pre", Offset: 0, Length: 6, Language: "go"}}},
		{name: "code", in: "<code>a&lt;b</code>", text: "a<b", ents: []Entity{{Type: "code", Offset: 0, Length: 3}}},
		{name: "blockquote", in: "<blockquote>q</blockquote><blockquote expandable>r</blockquote>", text: "qr", ents: []Entity{
			{Type: "blockquote", Offset: 0, Length: 1}, {Type: "expandable_blockquote", Offset: 1, Length: 1}}},
		{name: "custom emoji", in: `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, text: "👍", ents: []Entity{
			{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{name: "empty tag", in: "a<b></b>", text: "a"},
		{name: "short end tag", in: "<i>a</>", text: "a", ents: []Entity{{Type: "italic", Offset: 0, Length: 1}}},
		{name: "unquoted attribute", in: "<i aba = 190azAz-.>a</i>", text: "a", ents: []Entity{{Type: "italic", Offset: 0, Length: 1}}},

		{name: "lone <", in: "a < b", err: `Unsupported start tag "" at byte offset 2`},
		{name: "unknown tag", in: "<br>", err: `Unsupported start tag "br" at byte offset 0`},
		{name: "unclosed start tag", in: "x <b", err: "Unclosed start tag at byte offset 2"},
		{name: "unclosed attribute", in: `🏟 🏟&lt;<i    aba  =  `, err: `Unclosed start tag "i" at byte offset 13`},
		{name: "unclosed quote", in: `<a href="x>y</a>`, err: "Unclosed start tag at byte offset 0"},
		{name: "empty attribute name", in: "<a =x>y</a>", err: `Empty attribute name in the tag "a" at byte offset 0`},
		{name: "bad name token", in: "<a href=x/>y</a>", err: "Unexpected end of name token at byte offset 8"},
		{name: "span without class", in: "<span>x</span>", err: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{name: "unexpected end tag", in: "x</b>", err: "Unexpected end tag at byte offset 1"},
		{name: "unclosed end tag", in: "<i>a</i   ", err: "Unclosed end tag at byte offset 4"},
		{name: "unmatched end tag", in: "<b>x</i>", err: `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{name: "missing end tag", in: "<b>x", err: `Can't find end tag corresponding to start tag "b"`},
		{name: "bad emoji id", in: `<tg-emoji emoji-id="x">y</tg-emoji>`, err: "Invalid custom emoji identifier specified"},
		{name: "surrogate", in: "&#xDFDF;", err: errSurrogate.Error()},
		{name: "stray ampersand", in: "Q&A", err: "Unescaped '&' at byte offset 1: write it as &amp; (telegramtest is stricter than Telegram here)"},
		{name: "unknown entity", in: "a&nbsp;b", err: "Unescaped '&' at byte offset 1: write it as &amp; (telegramtest is stricter than Telegram here)"},
	})
}

func TestParseMarkdownV2(t *testing.T) {
	t.Parallel()
	reserved := func(c string) string {
		return "Character '" + c + "' is reserved and must be escaped with the preceding '\\'"
	}
	runParse(t, "parseMarkdownV2", parseMarkdownV2, []parseCase{
		{name: "plain", in: "hello", text: "hello"},
		{name: "escaped", in: `Version 1\.0 \(beta\) \- 100\% \_ok\_ \\`, text: `Version 1.0 (beta) - 100% _ok_ \`},
		{name: "any escaped", in: `\a\b\1`, text: "ab1"},
		{name: "trailing backslash", in: `a\`, text: `a\`},
		{name: "styles", in: "*b* _i_ __u__ ~s~ ||p||", text: "b i u s p", ents: []Entity{
			{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 2, Length: 1},
			{Type: "underline", Offset: 4, Length: 1}, {Type: "strikethrough", Offset: 6, Length: 1},
			{Type: "spoiler", Offset: 8, Length: 1}}},
		{name: "nested", in: "*bold _italic bold_*", text: "bold italic bold", ents: []Entity{
			{Type: "bold", Offset: 0, Length: 16}, {Type: "italic", Offset: 5, Length: 11}}},
		{name: "utf-16 offsets", in: "🏟 🏟_🏟 \\.🏟_", text: "🏟 🏟🏟 .🏟", ents: []Entity{{Type: "italic", Offset: 5, Length: 6}}},
		{name: "code keeps reserved characters", in: "`a.b(c)`", text: "a.b(c)", ents: []Entity{{Type: "code", Offset: 0, Length: 6}}},
		{name: "pre with language", in: "```go\nfmt.Println(1)\n```", text: "fmt.Println(1)\n", ents: []Entity{
			{Type: "pre", Offset: 0, Length: 15, Language: "go"}}},
		{name: "link", in: "[site](https://example.com/a\\)b)", text: "site", ents: []Entity{
			{Type: "text_link", Offset: 0, Length: 4, URL: "https://example.com/a)b"}}},
		{name: "link to nowhere", in: "[site](asdasd)", text: "site"},
		{name: "custom emoji", in: "![👍](tg://emoji?id=5368324170671202286)", text: "👍", ents: []Entity{
			{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{name: "blockquote", in: ">quote\nnext", text: "quote\nnext", ents: []Entity{{Type: "blockquote", Offset: 0, Length: 6}}},
		{name: "blockquote lines", in: "abc\n> \n> \n>\ndef", text: "abc\n \n \n\ndef", ents: []Entity{{Type: "blockquote", Offset: 4, Length: 5}}},
		{name: "expandable blockquote", in: ">asd\n>q||e||w||\nasdad", text: "asd\nqew\nasdad", ents: []Entity{
			{Type: "expandable_blockquote", Offset: 0, Length: 8}, {Type: "spoiler", Offset: 5, Length: 1}}},
		{name: "empty entities", in: "a**____``", text: "a"},

		{name: "dot", in: "Version 1.0", err: reserved(".")},
		{name: "each reserved", in: "a-b", err: reserved("-")},
		{name: "bang", in: "Hi!", err: reserved("!")},
		{name: "greater mid-line", in: "a > b", err: reserved(">")},
		{name: "lone pipe", in: "a|b", err: reserved("|")},
		{name: "lone bracket", in: "a]", err: reserved("]")},
		{name: "unclosed italic", in: "🏟 🏟_abacaba", err: "Can't find end of Italic entity at byte offset 9"},
		{name: "unclosed bold", in: "🏟 🏟_abac * asd ", err: "Can't find end of Bold entity at byte offset 15"},
		{name: "unclosed code", in: "🏟 🏟`", err: "Can't find end of Code entity at byte offset 9"},
		{name: "unclosed pre", in: "🏟 🏟```a", err: "Can't find end of Pre entity at byte offset 9"},
		{name: "unclosed pre code", in: "🏟 🏟```a ", err: "Can't find end of PreCode entity at byte offset 9"},
		{name: "unclosed underline", in: "🏟 🏟__", err: "Can't find end of Underline entity at byte offset 9"},
		{name: "unclosed spoiler", in: "🏟 🏟||test\\|", err: "Can't find end of Spoiler entity at byte offset 9"},
		{name: "unclosed URL", in: "[telegram\\.org](asd\\)", err: "Can't find end of a URL at byte offset 16"},
		{name: "emoji without URL", in: "![👍]", err: "Custom emoji entity must contain a tg://emoji URL"},
		{name: "bold across quote end", in: ">*b\n>ld \n>bo\nld*\nasd\ndef", err: "Can't find end of Bold entity at byte offset 1"},
		{name: "quote mark after text", in: ">\n*a*>2", err: reserved(">")},
	})
}

func TestParseMarkdown(t *testing.T) {
	t.Parallel()
	runParse(t, "parseMarkdown", parseMarkdown, []parseCase{
		{name: "plain", in: "Version 1.0 (beta)!", text: "Version 1.0 (beta)!"},
		{name: "styles", in: "*bold* and _it_ `c`", text: "bold and it c", ents: []Entity{
			{Type: "bold", Offset: 0, Length: 4}, {Type: "italic", Offset: 9, Length: 2}, {Type: "code", Offset: 12, Length: 1}}},
		{name: "escaped", in: `snake\_case`, text: "snake_case"},
		{name: "link", in: "[site](https://example.com)", text: "site", ents: []Entity{
			{Type: "text_link", Offset: 0, Length: 4, URL: "https://example.com"}}},
		{name: "pre", in: "```go\nx\n```", text: "x\n", ents: []Entity{{Type: "pre", Offset: 0, Length: 2, Language: "go"}}},
		{name: "unclosed", in: "snake_case", err: "Can't find end of the entity starting at byte offset 5"},
	})
}

func TestParseText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode, in, want string
	}{
		{"", "<b>x</b>", "<b>x</b>"},
		{"HTML", "<b>x</b>", "x"},
		{"html", "<b>x</b>", "x"},
		{"MarkdownV2", "*x*", "x"},
		{"Markdown", "*x*", "x"},
	}
	for _, tc := range tests {
		got, _, err := parseText(tc.in, tc.mode)
		if err != nil || got != tc.want {
			t.Errorf("parseText(%q, %q) = %q, %v; want %q", tc.in, tc.mode, got, err, tc.want)
		}
	}
	if _, _, err := parseText("x", "BBCode"); err != errUnsupportedParseMode {
		t.Errorf("parseText(x, BBCode) error = %v; want %v", err, errUnsupportedParseMode)
	}
}

func TestCommandEntities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Entity
	}{
		{"hello", nil},
		{"/start", []Entity{{Type: "bot_command", Offset: 0, Length: 6}}},
		{"/start@test_bot now", []Entity{{Type: "bot_command", Offset: 0, Length: 15}}},
		{"🏟 /help me", []Entity{{Type: "bot_command", Offset: 3, Length: 5}}},
		{"a/b /", nil},
	}
	for _, tc := range tests {
		if got := commandEntities(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("commandEntities(%q) = %+v; want %+v", tc.in, got, tc.want)
		}
	}
}
