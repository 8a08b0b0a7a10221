package dialog_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"examdesk"
	"examdesk/calendar"
	"examdesk/dialog"
	"examdesk/locales"
	"examdesk/telegramtest"
)

// fakeCalendar is a calendar that stands still.
type fakeCalendar struct{ v *calendar.View }

func (f fakeCalendar) View() *calendar.View { return f.v }

func mustDate(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testSession makes a session of ISO dates; exams are separated by
// commas, scores may be empty.
func testSession(t testing.TB, id, opens, closes, exams, scores string) calendar.Session {
	t.Helper()
	s := calendar.Session{ID: id, Opens: mustDate(t, opens), Closes: mustDate(t, closes)}
	for e := range strings.SplitSeq(exams, ",") {
		s.Exams = append(s.Exams, mustDate(t, e))
	}
	if scores != "" {
		s.Scores = mustDate(t, scores)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("test session %s: %v", id, err)
	}
	return s
}

// calendarOf returns a calendar with the embedded holidays and sessions.
func calendarOf(t testing.TB, sessions ...calendar.Session) fakeCalendar {
	t.Helper()
	h, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return fakeCalendar{&calendar.View{Holidays: h, Sessions: sessions}}
}

// at is 10:00 in China on day.
func at(t testing.TB, day string) time.Time {
	t.Helper()
	d := mustDate(t, day)
	return time.Date(d.Year(), d.Month(), d.Day(), 2, 0, 0, 0, time.UTC)
}

func TestDateAnswers(t *testing.T) {
	t.Parallel()
	_, topics, catalog := loadData(t)
	faq := func(topic string) string { return "\n\n" + catalog.Translate("en", "faq."+topic, topics.Args(topic)) }
	autumn := testSession(t, "2026-2", "2026-08-03", "2026-08-14", "2026-10-12", "2026-11-20")
	spring := testSession(t, "2027-1", "2027-03-01", "2027-03-10", "2027-04-10,2027-04-11", "")
	winter := testSession(t, "2026-3", "2026-11-02", "2026-11-13", "2026-12-05", "2026-12-25")
	cal := calendarOf(t, autumn, spring)
	for _, tc := range []struct {
		name, topic, now string
		cal              fakeCalendar
		want             string // in English
	}{
		{"registration soon", "registration_time", "2026-07-30", cal,
			"Registration for the <b>2026-2</b> exam session (exam on Mon 12 Oct 2026) runs from <b>Mon 3 Aug 2026</b> to <b>Fri 14 Aug 2026</b>; it opens in 4 days." +
				"\n\n<b>Later sessions</b>\n• 2027-1: registration Mon 1 Mar 2027 to Wed 10 Mar 2027" + faq("registration_time")},
		{"registration open, last day", "registration_time", "2026-08-14", cal,
			"Registration for the <b>2026-2</b> exam session (exam on Mon 12 Oct 2026) is <b>open now</b>, until <b>Fri 14 Aug 2026</b>: it closes today." +
				"\n\n<b>Later sessions</b>\n• 2027-1: registration Mon 1 Mar 2027 to Wed 10 Mar 2027" + faq("registration_time")},
		{"registration closed: the next session", "registration_time", "2026-08-15", cal,
			"Registration for the <b>2027-1</b> exam session (exam on Sat 10 Apr 2027) runs from <b>Mon 1 Mar 2027</b> to <b>Wed 10 Mar 2027</b>; it opens in 198 days." + faq("registration_time")},
		{"exam", "exam_date", "2026-09-01", cal,
			"The exam of the <b>2026-2</b> session is on <b>Mon 12 Oct 2026</b>, in 41 days." +
				"\n\n<b>Later sessions</b>\n• 2027-1: exam on Sat 10 Apr 2027" + faq("exam_date")},
		{"exam of two days, the second today", "exam_date", "2027-04-11", cal,
			"The exam of the <b>2027-1</b> session takes these days:\n• Sat 10 Apr 2027\n• Sun 11 Apr 2027\nThe next one is today." + faq("exam_date")},
		{"exam tomorrow", "exam_date", "2026-10-11", cal,
			"The exam of the <b>2026-2</b> session is on <b>Mon 12 Oct 2026</b>, tomorrow." +
				"\n\n<b>Later sessions</b>\n• 2027-1: exam on Sat 10 Apr 2027" + faq("exam_date")},
		// National Day 2026: 10-01..10-07 off, Saturday 10-10 works; the
		// next session's window is in 2027, not published.
		{"ticket across National Day", "admission_ticket", "2026-09-28", cal,
			"For the exam of the <b>2026-2</b> session on <b>Mon 12 Oct 2026</b>, collect your admission ticket on one of the five working days before it:" +
				"\n• Tue 29 Sep 2026\n• Wed 30 Sep 2026\n• Thu 8 Oct 2026\n• Fri 9 Oct 2026\n• Sat 10 Oct 2026 (an adjusted working day)\nCollection starts tomorrow." +
				"\n\n<b>Later sessions</b>\n• 2027-1: admission tickets Mon 5 Apr 2027 to Fri 9 Apr 2027" +
				"\n\n⚠️ The public holidays of 2027 are not published yet: these working days count Monday to Friday only, and may shift when the State Council announces the holidays." +
				faq("admission_ticket")},
		{"ticket under way", "admission_ticket", "2026-10-09", calendarOf(t, autumn),
			"For the exam of the <b>2026-2</b> session on <b>Mon 12 Oct 2026</b>, collect your admission ticket on one of the five working days before it:" +
				"\n• Tue 29 Sep 2026\n• Wed 30 Sep 2026\n• Thu 8 Oct 2026\n• Fri 9 Oct 2026\n• Sat 10 Oct 2026 (an adjusted working day)\nCollection is under way: the last day is tomorrow." +
				faq("admission_ticket")},
		{"ticket days over", "admission_ticket", "2026-10-11", calendarOf(t, autumn),
			"For the exam of the <b>2026-2</b> session on <b>Mon 12 Oct 2026</b>, collect your admission ticket on one of the five working days before it:" +
				"\n• Tue 29 Sep 2026\n• Wed 30 Sep 2026\n• Thu 8 Oct 2026\n• Fri 9 Oct 2026\n• Sat 10 Oct 2026 (an adjusted working day)\nThe collection days are over." +
				faq("admission_ticket")},
		{"ticket on the exam day: none", "admission_ticket", "2026-10-12", calendarOf(t, autumn),
			"The dates of the next exam session are not announced yet: the centre publishes them on its website under 近期動態 (recent news) and 焦點新聞 (focus news)." +
				faq("admission_ticket")},
		// 11-23..11-27, 11-30, 12-01..12-04.
		{"review open, next session's scores unknown", "score_review", "2026-11-25", cal,
			"The scores of the <b>2026-2</b> session were published on Fri 20 Nov 2026. The last day to ask for a review is <b>Fri 4 Dec 2026</b>, the 10th working day after (in 9 days)." +
				"\n\nThe day the scores of the <b>2027-1</b> session (exam on Sun 11 Apr 2027) are published is not announced yet; you can ask for a review within 10 working days after it." +
				faq("score_review")},
		// 12-28..12-31, 2027-01-01 (not published: counted), 01-04..01-08.
		{"review into 2027", "score_review", "2026-12-20", calendarOf(t, winter),
			"The scores of the <b>2026-3</b> session are to be published on Fri 25 Dec 2026 (in 5 days); you can then ask for a review until <b>Fri 8 Jan 2027</b>, the 10th working day after." +
				"\n\n⚠️ The public holidays of 2027 are not published yet: these working days count Monday to Friday only, and may shift when the State Council announces the holidays." +
				faq("score_review")},
		{"review over", "score_review", "2026-12-05", calendarOf(t, autumn),
			"The dates of the next exam session are not announced yet: the centre publishes them on its website under 近期動態 (recent news) and 焦點新聞 (focus news)." +
				faq("score_review")},
		{"retake", "retake", "2026-12-01", cal,
			"<b>2026-2</b> session, scores published on Fri 20 Nov 2026: a passed subject's score is kept until <b>Sat 20 Nov 2027</b> (in 354 days); retake each failed subject once before then." +
				"\n\nThe next exam session is <b>2027-1</b>: registration from Mon 1 Mar 2027 to Wed 10 Mar 2027, exam on Sat 10 Apr 2027." +
				faq("retake")},
		{"retake, last day", "retake", "2027-11-20", calendarOf(t, autumn),
			"<b>2026-2</b> session, scores published on Fri 20 Nov 2026: a passed subject's score is kept until <b>Sat 20 Nov 2027</b> (today); retake each failed subject once before then." +
				faq("retake")},
		{"retake over, nothing next", "retake", "2027-11-21", calendarOf(t, autumn),
			"The dates of the next exam session are not announced yet: the centre publishes them on its website under 近期動態 (recent news) and 焦點新聞 (focus news)." +
				faq("retake")},
		{"no session: registration", "registration_time", "2026-07-30", calendarOf(t),
			"The registration dates of the next exam session are not announced yet. They are published each year on the centre's website under 近期動態 (recent news) and 焦點新聞 (focus news). Apply within the registration window of your occupation: late applications are not accepted."},
		{"all past: exam", "exam_date", "2028-01-01", cal,
			"The exam dates of the next session are not announced yet. They follow each year's national and provincial schedule, published on the centre's website under 近期動態 (recent news) and 焦點新聞 (focus news)."},
		{"no view", "exam_date", "2026-07-30", fakeCalendar{},
			"The exam dates of the next session are not announced yet. They follow each year's national and provincial schedule, published on the centre's website under 近期動態 (recent news) and 焦點新聞 (focus news)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := dialog.NewDateAnswers(tc.cal, topics)
			txt, ok := a.Answer(tc.topic, at(t, tc.now))
			if !ok {
				t.Fatalf("Answer(%s, %s) = not ok; want an answer", tc.topic, tc.now)
			}
			if got := dialog.Render(catalog, "en", txt, html.EscapeString); got != tc.want {
				t.Errorf("Answer(%s, %s) in en =\n%s\nwant\n%s", tc.topic, tc.now, got, tc.want)
			}
			for _, lang := range examdesk.Languages {
				checkDates(t, tc.name, catalog, lang, txt)
			}
		})
	}
}

// checkDates checks that t renders in lang completely, as Telegram HTML.
func checkDates(t *testing.T, where string, catalog *locales.Catalog, lang string, txt dialog.Text) {
	t.Helper()
	s := dialog.Render(catalog, lang, txt, html.EscapeString)
	if err := telegramtest.CheckText(s, "HTML"); err != nil {
		t.Errorf("%s: %s in %s: %v: %q", where, txt.Key, lang, err, s)
	}
	if strings.Contains(s, "<no value>") || strings.Contains(s, "dates.") || strings.Contains(s, "faq.") {
		t.Errorf("%s: %s in %s renders as %q", where, txt.Key, lang, s)
	}
}

// TestDateAnswersChinese checks the style of dates in Chinese.
func TestDateAnswersChinese(t *testing.T) {
	t.Parallel()
	_, topics, catalog := loadData(t)
	cal := calendarOf(t, testSession(t, "2026-2", "2026-08-03", "2026-08-14", "2026-10-12", ""))
	txt, _ := dialog.NewDateAnswers(cal, topics).Answer("admission_ticket", at(t, "2026-09-28"))
	for _, tc := range []struct{ lang, want string }{
		{"zh-Hant", "<b>2026-2</b>考期的考試於<b>2026年10月12日（星期一）</b>舉行，請在考試前五個工作日內領取准考證，即：\n" +
			"• 2026年9月29日（星期二）\n• 2026年9月30日（星期三）\n• 2026年10月8日（星期四）\n• 2026年10月9日（星期五）\n• 2026年10月10日（星期六）（調休上班日）\n明天開始領取。"},
		{"zh-Hans", "<b>2026-2</b>考期的考试于<b>2026年10月12日（星期一）</b>举行，请在考试前五个工作日内领取准考证，即：\n" +
			"• 2026年9月29日（星期二）\n• 2026年9月30日（星期三）\n• 2026年10月8日（星期四）\n• 2026年10月9日（星期五）\n• 2026年10月10日（星期六）（调休上班日）\n明天开始领取。"},
	} {
		got := dialog.Render(catalog, tc.lang, txt, html.EscapeString)
		want := tc.want + "\n\n" + catalog.Translate(tc.lang, "faq.admission_ticket", topics.Args("admission_ticket"))
		if got != want {
			t.Errorf("Answer(admission_ticket) in %s =\n%s\nwant\n%s", tc.lang, got, want)
		}
	}
}

func TestDateTexts(t *testing.T) {
	t.Parallel()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	ds := []calendar.Date{mustDate(t, "2026-10-10"), mustDate(t, "2026-10-11"), mustDate(t, "2027-01-01")}
	for _, tc := range []struct {
		lang, one, all string
	}{
		{"en", "Sat 10 Oct 2026", "Sat 10 Oct 2026, Sun 11 Oct 2026, Fri 1 Jan 2027"},
		{"zh-Hant", "2026年10月10日（星期六）", "2026年10月10日（星期六）、2026年10月11日（星期日）、2027年1月1日（星期五）"},
		{"zh-Hans", "2026年10月10日（星期六）", "2026年10月10日（星期六）、2026年10月11日（星期日）、2027年1月1日（星期五）"},
	} {
		if got := dialog.Render(catalog, tc.lang, dialog.DateText(ds[0]), html.EscapeString); got != tc.one {
			t.Errorf("DateText(%v) in %s = %q; want %q", ds[0], tc.lang, got, tc.one)
		}
		if got := dialog.Render(catalog, tc.lang, dialog.DatesText(ds), html.EscapeString); got != tc.all {
			t.Errorf("DatesText(%v) in %s = %q; want %q", ds, tc.lang, got, tc.all)
		}
	}
	if got := dialog.DatesText(nil); got.Key != "" {
		t.Errorf("DatesText(nil) = %v; want the zero Text", got)
	}
}

func TestDateAnswersOtherTopics(t *testing.T) {
	t.Parallel()
	a := dialog.NewDateAnswers(calendarOf(t), nil)
	for _, topic := range []string{"photo", "eligibility", "", "exam_date "} {
		if _, ok := a.Answer(topic, time.Now()); ok {
			t.Errorf("Answer(%q) = ok; want not ok (not a topic about dates)", topic)
		}
	}
}

// TestEngineDates checks that the engine answers the topics about dates
// through DateAnswers at its clock's time.
func TestEngineDates(t *testing.T) {
	t.Parallel()
	e, catalog := newEngine(t)
	_, topics, _ := loadData(t)
	e.Dates = dialog.NewDateAnswers(calendarOf(t, testSession(t, "2026-2", "2026-08-03", "2026-08-14", "2026-10-12", "")), topics)
	e.Now = func() time.Time { return at(t, "2026-10-11") }
	_, r := e.Step(dialog.State{Lang: "en"}, dialog.Input{Text: "/start exam_date"})
	if len(r.Messages) != 1 {
		t.Fatalf("Step(/start exam_date) = %d messages; want 1", len(r.Messages))
	}
	got := dialog.Render(catalog, "en", r.Messages[0].Text, html.EscapeString)
	if want := "The exam of the <b>2026-2</b> session is on <b>Mon 12 Oct 2026</b>, tomorrow."; !strings.HasPrefix(got, want) {
		t.Errorf("Step(/start exam_date) = %q; want it to start with %q", got, want)
	}
	_, r = e.Step(dialog.State{Lang: "en"}, dialog.Input{Text: "/start photo"})
	if len(r.Messages) != 1 || r.Messages[0].Text.Key != "faq.photo" {
		t.Errorf("Step(/start photo) = %v; want the fixed answer faq.photo", r.Messages)
	}
}
