package dialog_test

import (
	"slices"
	"testing"
	"time"

	"examdesk/dialog"
)

// BenchmarkStep answers the messages candidates type, one after the
// other, from the state each is typed in: questions short and long, typed
// answers, small talk, questions the notice does not answer. It reports
// the 99th percentile of the time to answer one, as p99-ns.
func BenchmarkStep(b *testing.B) {
	e, _ := newEngine(b)
	start, _ := e.Step(dialog.State{}, dialog.Input{Text: "/check", LanguageCode: "en"})
	atEducation, _ := e.Step(start, dialog.Input{Text: "3", LanguageCode: "en"})
	type message struct {
		st   dialog.State
		text string
	}
	messages := []message{
		{dialog.State{}, "照片要多大？"},
		{dialog.State{}, "When can I colect my certifcate?"},
		{dialog.State{}, "您好，我想問一下，我在電子商務這個行業已經連續工作了六年多，去年剛拿到四級電子商務員證書，" +
			"現在想報考助理電子商務師，請問報名的時候需要帶哪些材料？身份證和畢業證要原件還是複印件？" +
			"另外照片要幾寸的，白底還是藍底？准考證是什麼時候領？謝謝！"},
		{dialog.State{}, "Hello, I have been working in e-commerce for about six years and I hold the clerk certificate. " +
			"I would like to apply for the assistant level. What documents should I bring to register, " +
			"and what size must the photo be? Also, whre do I colect the admision tiket?"},
		{dialog.State{}, "報名費幾多錢"},
		{dialog.State{}, "雅思什么时候考"},
		{dialog.State{}, "多謝晒！"},
		{dialog.State{}, "明天天氣點樣"},
		{start, "做咗三年半"},
		{start, "十多年"},
		{start, "2015年开始做的"},
		{atEducation, "本科，讀市場營銷"},
		{atEducation, "技校"},
		{atEducation, "I have a master's degree"},
		{atEducation, "准考證喺邊度攞？"},
		{atEducation, "banana"},
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := messages[i%len(messages)]
		t0 := time.Now()
		e.Step(m.st, dialog.Input{Text: m.text, LanguageCode: "en"})
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkNew builds the engine on loaded data: what reading the typed
// answers' vocabulary adds to start-up.
func BenchmarkNew(b *testing.B) {
	set, topics, catalog := loadData(b)
	for b.Loop() {
		if _, err := dialog.New(set, topics, catalog); err != nil {
			b.Fatal(err)
		}
	}
}
