package bot_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"

	"examdesk/bot"
	"examdesk/dialog"
)

func TestRenderEscapes(t *testing.T) {
	t.Parallel()
	r := dialog.Reply{Lang: "en", Messages: []dialog.Message{
		{Text: dialog.T("greet", "Name", "<Ann> & co. - x_y *z* [1](2)", "Age", 3.5)},
	}}
	got := bot.Render(stubMessages, r)
	want := []bot.Outgoing{{Text: "<b>Hello</b>, &lt;Ann&gt; &amp; co. - x_y *z* [1](2)! You are <i>3.5</i>."}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Render = %q; want %q", got, want)
	}

	// Telegram takes it, and shows the value as it was.
	f := newFake(t)
	if err := f.sender.Send(context.Background(), 42, got[0]); err != nil {
		t.Fatalf("Send = %v", err)
	}
	msgs := f.srv.Messages(42)
	if len(msgs) != 1 || msgs[0].Text != "Hello, <Ann> & co. - x_y *z* [1](2)! You are 3.5." {
		t.Errorf("Telegram shows %+v; want the value unescaped", msgs)
	}
}

func TestRenderKeyboard(t *testing.T) {
	t.Parallel()
	opt := func(label string, value string) dialog.Option {
		return dialog.Option{Label: dialog.T(label), Value: value, Step: 7}
	}
	tests := []struct {
		name string
		opts []dialog.Option
		want [][]bot.Button
	}{
		{"none", nil, nil},
		{"short labels two a row", []dialog.Option{opt("label.short", "a:yes"), opt("label.cjk", "l:zh-Hant"), opt("label.short", "a:no")}, [][]bot.Button{
			{{Text: "Yes & no", Data: "7|a:yes"}, {Text: "繁體中文", Data: "7|l:zh-Hant"}},
			{{Text: "Yes & no", Data: "7|a:no"}},
		}},
		{"a long label one a row", []dialog.Option{opt("label.short", "a:yes"), opt("label.long", "a:advanced")}, [][]bot.Button{
			{{Text: "Yes & no", Data: "7|a:yes"}},
			{{Text: "Technical school, technician college or vocational college", Data: "7|a:advanced"}},
		}},
		{"data too long left out", []dialog.Option{opt("label.short", "a:yes"), opt("label.short", strings.Repeat("v", 63))}, [][]bot.Button{
			{{Text: "Yes & no", Data: "7|a:yes"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialog.Reply{Lang: "en", Messages: []dialog.Message{{Text: dialog.T("label.short"), Options: tt.opts}}}
			got := bot.Render(stubMessages, r)
			if len(got) != 1 || !reflect.DeepEqual(got[0].Keyboard, tt.want) {
				t.Errorf("Render(%+v) = %+v; want keyboard %+v", tt.opts, got, tt.want)
			}
		})
	}
}

func TestNotice(t *testing.T) {
	t.Parallel()
	n := dialog.T("notice")
	tests := []struct {
		name string
		r    dialog.Reply
		want string
	}{
		{"none", dialog.Reply{Lang: "en"}, ""},
		{"plain text", dialog.Reply{Lang: "en", Notice: &n}, "That button is old & stale."},
	}
	for _, tt := range tests {
		if got := bot.Notice(stubMessages, tt.r); got != tt.want {
			t.Errorf("Notice(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// TestRenderLong renders texts over Telegram's limit, sends every part to
// the fake Bot API (which parses its HTML as Telegram does), and checks that
// the parts fit and keep the whole text.
func TestRenderLong(t *testing.T) {
	t.Parallel()
	var paras dialog.Paragraphs
	for i := range 64 {
		paras = append(paras, dialog.T("para", "N", i+1, "Body", strings.Repeat("Lorem <ipsum> & dolor, sit-amet. ", 4)))
	}
	tests := []struct {
		name  string
		text  dialog.Text
		parts int
	}{
		{"paragraphs", dialog.T("long", "Body", paras), 3},
		{"one line of words in bold", dialog.T("bold", "Body", strings.Repeat("word<&> ", 1125)), 3},
		{"no spaces in bold", dialog.T("bold", "Body", strings.Repeat("電子商務師", 1800)), 3},
		{"astral characters", dialog.T("bold", "Body", strings.Repeat("🏟", 5000)), 3},
	}
	f := newFake(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chat := int64(100 + i)
			want := bot.Plain(stubMessages, "en", tt.text)
			if n := len(utf16.Encode([]rune(want))); n < 9000 {
				t.Fatalf("test text is only %d long", n)
			}
			r := dialog.Reply{Lang: "en", Messages: []dialog.Message{{
				Text:    tt.text,
				Options: []dialog.Option{{Label: dialog.T("label.short"), Value: "a:yes", Step: 1}},
			}}}
			out := bot.Render(stubMessages, r)
			if len(out) != tt.parts {
				t.Errorf("Render gave %d parts; want %d", len(out), tt.parts)
			}
			for j, o := range out {
				if n := bot.Length(o.Text); n > bot.MaxTextLength {
					t.Errorf("part %d is %d long", j, n)
				}
				if last := j == len(out)-1; (o.Keyboard != nil) != last {
					t.Errorf("part %d of %d has keyboard %v", j, len(out), o.Keyboard)
				}
				if err := f.sender.Send(context.Background(), chat, o); err != nil {
					t.Fatalf("Send(part %d) = %v", j, err)
				}
			}
			var shown strings.Builder
			for _, m := range f.srv.Messages(chat) {
				if n := len(utf16.Encode([]rune(m.Text))); n > bot.MaxTextLength {
					t.Errorf("Telegram shows a part %d long", n)
				}
				shown.WriteString(m.Text)
			}
			if got := noSpace(shown.String()); got != noSpace(want) {
				t.Errorf("the parts show %d characters; want %d", len(got), len(noSpace(want)))
			}
		})
	}
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
