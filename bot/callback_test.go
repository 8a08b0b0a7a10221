package bot_test

import (
	"strings"
	"testing"

	"examdesk/bot"
	"examdesk/dialog"
)

func TestDecodeCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		data string
		want dialog.Pick
		ok   bool
	}{
		{"1|a:yes", dialog.Pick{Step: 1, Value: "a:yes"}, true},
		{"0|c:check", dialog.Pick{Step: 0, Value: "c:check"}, true},
		{"1000000000000000|l:zh-Hant", dialog.Pick{Step: 1e15, Value: "l:zh-Hant"}, true},
		{"9223372036854775807|x", dialog.Pick{Step: 1<<63 - 1, Value: "x"}, true},
		{"7|a|b", dialog.Pick{Step: 7, Value: "a|b"}, true},
		{"", dialog.Pick{}, false},
		{"|", dialog.Pick{}, false},
		{"1|", dialog.Pick{}, false},
		{"|a:yes", dialog.Pick{}, false},
		{"a:yes", dialog.Pick{}, false},
		{"01|a:yes", dialog.Pick{}, false},
		{"+1|a:yes", dialog.Pick{}, false},
		{"-1|a:yes", dialog.Pick{}, false},
		{" 1|a:yes", dialog.Pick{}, false},
		{"1e3|a:yes", dialog.Pick{}, false},
		{"9223372036854775808|x", dialog.Pick{}, false},
		{"99999999999999999999|x", dialog.Pick{}, false},
		{"1|\xff", dialog.Pick{}, false},
		{"1|" + strings.Repeat("v", 62), dialog.Pick{Step: 1, Value: strings.Repeat("v", 62)}, true},
		{"1|" + strings.Repeat("v", 63), dialog.Pick{}, false},
	}
	for _, tt := range tests {
		got, ok := bot.DecodeCallback(tt.data)
		if got != tt.want || ok != tt.ok {
			t.Errorf("DecodeCallback(%q) = %+v, %v; want %+v, %v", tt.data, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEncodeCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		step  int64
		value string
		want  string
	}{
		{1, "a:yes", "1|a:yes"},
		{1e15, strings.Repeat("v", 24), "1000000000000000|" + strings.Repeat("v", 24)},
	}
	for _, tt := range tests {
		got := bot.EncodeCallback(tt.step, tt.value)
		if got != tt.want {
			t.Errorf("EncodeCallback(%d, %q) = %q; want %q", tt.step, tt.value, got, tt.want)
		}
		if len(got) > bot.MaxCallbackData {
			t.Errorf("EncodeCallback(%d, %q) is %d bytes; want at most %d", tt.step, tt.value, len(got), bot.MaxCallbackData)
		}
		if p, ok := bot.DecodeCallback(got); !ok || p.Step != tt.step || p.Value != tt.value {
			t.Errorf("DecodeCallback(%q) = %+v, %v; want {%q %d}, true", got, p, ok, tt.value, tt.step)
		}
	}
}

// FuzzDecodeCallback: DecodeCallback never panics, and what it accepts is
// exactly what EncodeCallback writes for the pick it returns.
func FuzzDecodeCallback(f *testing.F) {
	for _, s := range []string{"1|a:yes", "0|x", "|", "01|a", "-1|a", "9223372036854775808|x", "1|\xff", "1000000000000000|t:eligibility"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		p, ok := bot.DecodeCallback(data)
		if !ok {
			if p != (dialog.Pick{}) {
				t.Errorf("DecodeCallback(%q) = %+v, false; want the zero Pick", data, p)
			}
			return
		}
		if len(data) > bot.MaxCallbackData {
			t.Errorf("DecodeCallback(%q) took %d bytes", data, len(data))
		}
		if again := bot.EncodeCallback(p.Step, p.Value); again != data {
			t.Errorf("EncodeCallback(DecodeCallback(%q)) = %q", data, again)
		}
	})
}
