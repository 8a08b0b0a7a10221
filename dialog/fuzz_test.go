package dialog_test

import (
	"testing"

	"examdesk/dialog"
)

// FuzzEngine feeds random texts and option presses to the engine: it never
// panics, always answers, and its state always stays valid.
func FuzzEngine(f *testing.F) {
	for _, s := range []string{"/start", "/check", "3", "三年", "/back", "#1", "#2", "照片", "/lang", "/lang zh-TW", "/cancel", "yes", "banana", "/restart", "/start check", "70", "係", "唔係", "打錯，7年", "5", "十多年", "2016年", "跳過", "返回"} {
		f.Add(s, "/check", "#1")
	}
	e, _ := newEngine(f)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var st dialog.State
		var offered []dialog.Option
		for _, s := range []string{"/check", a, b, c, a, c} {
			in := dialog.Input{Text: s, LanguageCode: "zh-HK"}
			if len(s) == 2 && s[0] == '#' && len(offered) > 0 {
				o := offered[int(s[1])%len(offered)]
				in = dialog.Input{Pick: &dialog.Pick{Value: o.Value, Step: o.Step}}
			}
			var r dialog.Reply
			st, r = step(t, e, st, in)
			for _, m := range r.Messages {
				if len(m.Options) > 0 {
					offered = m.Options
				}
			}
		}
	})
}
