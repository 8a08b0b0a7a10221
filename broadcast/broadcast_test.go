package broadcast_test

import (
	"errors"
	"strings"
	"testing"

	"examdesk/broadcast"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want error // nil, ErrEmpty, ErrTooLong, or errOther
	}{
		{"plain", "Registration opens on 1 March <b>&</b>", nil},
		{"Chinese", "三月一日開始報名", nil},
		{"empty", "", broadcast.ErrEmpty},
		{"blank", " \n\t\u3000", broadcast.ErrEmpty},
		{"4096 ASCII", strings.Repeat("a", 4096), nil},
		{"4097 ASCII", strings.Repeat("a", 4097), broadcast.ErrTooLong},
		{"4096 Han", strings.Repeat("報", 4096), nil},
		{"2048 emoji: 4096 UTF-16 units", strings.Repeat("😀", 2048), nil},
		{"2049 emoji", strings.Repeat("😀", 2049), broadcast.ErrTooLong},
		{"not UTF-8", "a\xffb", errOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := broadcast.CheckText(tt.text)
			switch {
			case tt.want == nil && err != nil,
				tt.want == errOther && (err == nil || errors.Is(err, broadcast.ErrEmpty) || errors.Is(err, broadcast.ErrTooLong)),
				tt.want != nil && tt.want != errOther && !errors.Is(err, tt.want):
				t.Errorf("CheckText(%.20q) = %v; want %v", tt.text, err, tt.want)
			}
		})
	}
}

var errOther = errors.New("another error")

func TestNoticeText(t *testing.T) {
	n := broadcast.Notice{Texts: map[string]string{"": "all", "en": "English"}}
	for lang, want := range map[string]string{"en": "English", "zh-Hant": "all", "zh-Hans": "all"} {
		if got := n.Text(lang); got != want {
			t.Errorf("Text(%s) = %q; want %q", lang, got, want)
		}
	}
	if got := (broadcast.Notice{Texts: map[string]string{"en": "x"}}).Text("zh-Hans"); got != "" {
		t.Errorf("Text(zh-Hans) without a text for all = %q; want empty", got)
	}
}

func TestFilterMatch(t *testing.T) {
	s := broadcast.Subscriber{Chat: 1, Lang: "en", Level: 3, Remind: false}
	tests := []struct {
		f    broadcast.Filter
		want bool
	}{
		{broadcast.Filter{}, true},
		{broadcast.Filter{Lang: "en"}, true},
		{broadcast.Filter{Lang: "zh-Hant"}, false},
		{broadcast.Filter{Level: 3}, true},
		{broadcast.Filter{Level: 2}, false},
		{broadcast.Filter{Remind: true}, false},
		{broadcast.Filter{Lang: "en", Level: 3}, true},
	}
	for _, tt := range tests {
		if got := tt.f.Match(s); got != tt.want {
			t.Errorf("%+v.Match(%+v) = %t; want %t", tt.f, s, got, tt.want)
		}
	}
}
