package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"examdesk/calendar"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/stats"
)

func TestFaqCommandJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		topic string
		has   []string // in the answer
		kind  string
	}{
		{[]string{"照片要多大？"}, "photo", []string{"照片要求", "48毫米×33毫米"}, ""}, // no Traditional characters: zh-Hans
		{[]string{"準考證甚麼時候領"}, "admission_ticket", []string{"考試前五個工作日內", "惠福東路546號", "地圖: https://uri.amap.com/search?keyword="}, ""},
		{[]string{"When", "can", "I", "collect", "my", "certificate?"}, "certificate", []string{"Room 810, 8th floor", "map: https://uri.amap.com/search?keyword="}, ""},
		{[]string{"certifcate", "collection"}, "certificate", []string{"Room 810"}, ""},
		{[]string{"--lang", "zh-Hant", "where is the office"}, "location", []string{"五樓服務大廳", "8樓證書科810室", "地圖: https://"}, ""},
		{[]string{"--lang=en", "论文要几份"}, "thesis", []string{"five copies"}, ""},
		{[]string{"how do I cook rice"}, "", []string{"近期動態", "焦點新聞", "Sorry"}, ""},
		{[]string{"什么是区块链"}, "", []string{"近期动态", "焦点新闻", "抱歉"}, ""},
		{[]string{"明天天氣點樣"}, "", []string{"近期動態", "焦點新聞", "抱歉"}, "unknown"},
		// Flags anywhere, language tags in any case.
		{[]string{"報名費", "--lang", "en"}, "", []string{"does not say what the fees are", "近期動態"}, "unstated"},
		{[]string{"--lang", "zh-hant", "photo", "size"}, "photo", []string{"48毫米×33毫米"}, "topic"},
		{[]string{"where", "--lang=ZH-HANS", "is", "the", "office"}, "location", []string{"五楼服务大厅"}, "topic"},
		// What the notice does not say, other exams, small talk, commands.
		{[]string{"考试多少分及格"}, "", []string{"没有说明合格分数"}, "unstated"},
		{[]string{"雅思什么时候考"}, "", []string{"电子商务师职业资格", "其他考试"}, "other_exam"},
		{[]string{"多謝"}, "", []string{"祝您考試順利"}, "small_talk"},
		{[]string{"help"}, "", []string{"/help"}, "command"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, "", append([]string{"faq", "--json"}, tt.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("faq --json %s = exit %d, stderr %q; want 0 and nothing", name, code, stderr)
			}
			if !strings.HasPrefix(stdout, `{"topic":"`+tt.topic+`","score":`) || strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "}\n") {
				t.Fatalf("faq --json %s = %q; want one line {\"topic\":%q,\"score\":...,\"answer\":...}", name, stdout, tt.topic)
			}
			var got struct {
				Topic  string  `json:"topic"`
				Score  float64 `json:"score"`
				Answer string  `json:"answer"`
				Kind   string  `json:"kind"`
			}
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("faq --json %s = %q: %v", name, stdout, err)
			}
			want := cmp.Or(tt.kind, "unknown")
			if tt.topic != "" {
				want = "topic"
			}
			if got.Kind != want {
				t.Errorf("faq --json %s: kind = %q; want %q", name, got.Kind, want)
			}
			if got.Score < 0 || got.Score > 1 {
				t.Errorf("faq --json %s: score = %v; want it in [0, 1]", name, got.Score)
			}
			for _, want := range tt.has {
				if !strings.Contains(got.Answer, want) {
					t.Errorf("faq --json %s: answer = %q; want it to have %q", name, got.Answer, want)
				}
			}
			if strings.ContainsAny(got.Answer, "<>") || strings.Contains(got.Answer, "&amp;") {
				t.Errorf("faq --json %s: answer = %q; want plain text", name, got.Answer)
			}
		})
	}
}

func TestFaqCommandPlain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"照片要多大？"}, "照片要求：近期正面大一寸光面直边免冠照片，白色背景彩色或黑白照，尺寸为48毫米×33毫米（高×宽），以300 dpi计约为567×390像素。领取准考证和领取证书时各需一张。\n"},
		{[]string{"--lang", "en", "地址在哪？"}, "All in the Guangdong Employment Service Building (廣東就業服務大廈), 546 Huifu East Road (惠福東路546號), Guangzhou (map: https://uri.amap.com/search?keyword=%E5%B9%BF%E5%B7%9E%E5%B8%82%E6%83%A0%E7%A6%8F%E4%B8%9C%E8%B7%AF546%E5%8F%B7):\n" +
			"• Registration, admission tickets, score reviews: service hall, 5th floor (五樓服務大廳)\n" +
			"• Certificates: Certificate Section, Room 810, 8th floor (8樓證書科810室)\n"},
		{[]string{"hello"}, "Hello! Ask me anything about the E-commerce Specialist qualification, or send /check to see which level you may apply for.\n"},
		{[]string{"banana"}, "Sorry, I don't know the answer to that. The centre publishes its news on its website, under 近期動態 (recent news) and 焦點新聞 (focus news).\n"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, "", append([]string{"faq"}, tt.args...)...)
			if code != 0 || stderr != "" || stdout != tt.want {
				t.Errorf("faq %s = exit %d, %q (stderr %q); want 0, %q", name, code, stdout, stderr, tt.want)
			}
		})
	}
}

func TestFaqCommandUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no question", []string{"faq"}, "faq: no question"},
		{"blank question", []string{"faq", " ", ""}, "faq: no question"},
		{"flags only", []string{"faq", "--json", "--lang", "en"}, "faq: no question"},
		{"unknown language", []string{"faq", "--lang", "fr", "photo"}, `faq: --lang "fr": want one of`},
		{"language missing", []string{"faq", "--lang"}, "faq: flag needs an argument"},
		{"unknown flag", []string{"faq", "--verbose", "photo"}, "faq: flag provided but not defined: -verbose"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, "", tt.args...)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("%q = exit %d, stdout %q, stderr %q; want 2, nothing, one line with %q", tt.args, code, stdout, stderr, tt.want)
			}
		})
	}
}

func TestFaqCommandHelp(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runCmd(t, nil, "", "faq", "-h")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "usage: examdesk faq ") {
		t.Errorf("faq -h = exit %d, %q (stderr %q); want 0 and the usage", code, stdout, stderr)
	}
	var out bytes.Buffer
	if code := exitCode(run(t.Context(), []string{"help"}, nil, nil, &out, &out), &out); code != 0 || !strings.Contains(out.String(), "examdesk faq ") {
		t.Errorf("help = exit %d, %q; want 0 and a line for faq", code, out.String())
	}
}

// TestFaqCommandCalendar: with REDIS_URL, questions about dates are
// answered from the exam calendar there, as the bot answers them; without
// a session, and for other topics, the fixed answers stand.
func TestFaqCommandCalendar(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL}
	ask := func(question string) faqAnswer {
		t.Helper()
		out, errOut, code := runCmd(t, env, "", "faq", "--lang", "en", "--json", question)
		var a faqAnswer
		if code != 0 || json.Unmarshal([]byte(out), &a) != nil {
			t.Fatalf("faq --json %q = %q, %q, exit %d", question, out, errOut, code)
		}
		return a
	}
	if a := ask("When is the exam?"); a.Topic != "exam_date" || !strings.Contains(a.Answer, "not announced") {
		t.Errorf("before any session: %+v; want exam_date, not announced yet", a)
	}
	today := calendar.Today(time.Now())
	exam := today.AddDays(30)
	if _, errOut, code := runCmd(t, env, "", "calendar", "add", "--id", "s7", "--opens", today.String(),
		"--closes", today.AddDays(7).String(), "--exam", exam.String()); code != 0 {
		t.Fatalf("calendar add: exit %d, %s", code, errOut)
	}
	want := fmt.Sprintf("%d %s %d", exam.Day(), exam.Month().String()[:3], exam.Year())
	if a := ask("When is the exam?"); a.Topic != "exam_date" || !strings.Contains(a.Answer, want) {
		t.Errorf("with session s7: %+v; want exam_date on %s", a, want)
	}
	if a := ask("What size is the photo?"); a.Topic != "photo" || !strings.Contains(a.Answer, "48 mm") {
		t.Errorf("photo with a calendar: %+v; want the fixed answer", a)
	}

	// A question administrators gave a topic is answered with it, as
	// serve answers it.
	if a := ask("Where can I park my car?"); a.Kind != "unknown" {
		t.Errorf("before it is taught: %+v; want unknown", a)
	}
	st, err := redisstore.Open(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Stats().Record(t.Context(), stats.Events{At: time.Now(), User: 1, Lang: "en", Message: true, Unanswered: "Where can I park my car?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Stats().Teach(t.Context(), stats.QuestionID("where can i park my car"), "location", "tg:7", time.Now()); err != nil {
		t.Fatal(err)
	}
	if a := ask("Where can I park my car?"); a.Topic != "location" {
		t.Errorf("once taught: %+v; want location", a)
	}

	env["REDIS_URL"] = "redis://127.0.0.1:1"
	if _, errOut, code := runCmd(t, env, "", "faq", "When is the exam?"); code != 1 || errOut == "" {
		t.Errorf("faq with Redis down: exit %d, %q; want exit 1 and why", code, errOut)
	}
}
