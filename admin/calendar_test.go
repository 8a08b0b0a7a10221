package admin_test

import (
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"

	"examdesk"
	"examdesk/admin"
	"examdesk/calendar"
	"examdesk/calendar/calendartest"
	"examdesk/dialog"
	"examdesk/locales"
)

func newCalendarCmd(t *testing.T) (*admin.Calendar, *calendar.Cache, *calendartest.MemStore) {
	t.Helper()
	st := new(calendartest.MemStore)
	cache, err := calendar.NewCache(st, calendar.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return admin.NewCalendar(cache), cache, st
}

func calCatalog(t *testing.T) *locales.Catalog {
	t.Helper()
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var calTags = regexp.MustCompile(`</?[a-z]+>`)

// calRender renders the reply's messages in lang, a blank line apart, checking
// that every message exists and renders whole.
func calRender(t *testing.T, c *locales.Catalog, lang string, r dialog.Reply) string {
	t.Helper()
	var out []string
	for _, m := range r.Messages {
		if !c.Has(m.Text.Key) {
			t.Errorf("message %q is missing", m.Text.Key)
		}
		s := dialog.Render(c, lang, m.Text, html.EscapeString)
		if strings.Contains(s, "<no value>") || strings.Contains(s, "calendar.") || strings.Contains(s, "dates.") {
			t.Errorf("%s renders incompletely in %s: %q", m.Text.Key, lang, s)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n\n")
}

func TestCalendarCommand(t *testing.T) {
	cmd, cache, _ := newCalendarCmd(t)
	c := calCatalog(t)
	if cmd.Name() != "calendar" {
		t.Errorf("Name() = %q; want calendar", cmd.Name())
	}
	usageAdd := "Write: /calendar add ID opens=YYYY-MM-DD closes=YYYY-MM-DD exam=YYYY-MM-DD[,YYYY-MM-DD…] [scores=YYYY-MM-DD]"
	session2026 := "<b>2026-2</b>\n• registration: Mon 3 Aug 2026 to Fri 14 Aug 2026\n• exam: Mon 12 Oct 2026" +
		"\n• admission tickets: Tue 29 Sep 2026, Wed 30 Sep 2026, Thu 8 Oct 2026, Fri 9 Oct 2026, Sat 10 Oct 2026"
	// The steps run in order, on one calendar.
	for _, tc := range []struct {
		arg  string
		want string // the reply in English; "…" ends a prefix
		ids  string // the sessions after, by first exam
	}{
		{"", "No exam session is entered yet: candidates are told that the dates are not announced. Add one with /calendar add.\n\n" +
			"Working days count the public holidays published for 2024, 2025, 2026; other years count Monday to Friday only. A year the State Council publishes is added with: examdesk calendar holidays add FILE", ""},
		{"add 2026-2 opens=2026-08-03 closes=2026-08-14 exam=2026-10-12",
			"Session <b>2026-2</b> added; candidates are answered with it at once.\n\n" + session2026 +
				"\n• scores published: not entered yet\n• score review until: once the scores date is entered\n• retake until: once the scores date is entered", "2026-2"},
		{"add 2026-2 opens=2026-08-03 closes=2026-08-14 exam=2026-10-12 scores=2026-12-25",
			"Session <b>2026-2</b> replaced; candidates are answered with it at once.\n\n" + session2026 +
				"\n• scores published: Fri 25 Dec 2026\n• score review until: Fri 8 Jan 2027 (estimated: the holidays of 2027 are not published)\n• retake until: Sat 25 Dec 2027", "2026-2"},
		// Full-width signs, spaces after commas, keys in any order and case.
		{"ADD 2027-1 exam＝2027-04-10， 2027-04-11  Closes=2027-03-10 opens = 2027-03-01",
			"Session <b>2027-1</b> added;…", "2026-2 2027-1"},
		{"list", "<b>Exam sessions</b> (2)\n\n" + session2026 + "…", "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 closes=2027-09-30 exam=2027-09-30",
			"Registration must close before the exam: closes 2027-09-30 is not before the exam on 2027-09-30.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 closes=2027-09-10 exam=2027-10-12 scores=2027-10-11",
			"Scores cannot be published before the last exam: scores 2027-10-11 is before the exam on 2027-10-12.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-11 closes=2027-09-10 exam=2027-10-12",
			"Registration must open before it closes: opens 2027-09-11 is after closes 2027-09-10.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 closes=2027-09-10 exam=2027-10-12,2027-10-12",
			"Exam dates go in order, each once: 2027-10-12 comes after 2027-10-12.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 closes=2027-09-10 exam=2027-10-12 scores=2207-11-01",
			"2207-11-01 is out of range: dates go from 2000-01-01 to 2099-12-31.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-02-30 closes=2027-09-10 exam=2027-10-12",
			"opens: “2027-02-30” is not a date: write it as YYYY-MM-DD, like 2027-03-14.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 closes=2027-09-10 exam=2027-10-12,",
			"exam: “” is not a date: write it as YYYY-MM-DD, like 2027-03-14.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01,2027-09-02 closes=2027-09-10 exam=2027-10-12",
			"opens: “2027-09-01,2027-09-02” is not a date: write it as YYYY-MM-DD, like 2027-03-14.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 closes=2027-09-10",
			"exam is missing.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 opens=2027-09-02 closes=2027-09-10 exam=2027-10-12",
			"opens is given twice.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 opens=2027-09-01 close=2027-09-10 exam=2027-10-12",
			"I do not understand “close=2027-09-10”: write opens=, closes=, exam= or scores= and a date.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add 2027-2 2027-09-01",
			"I do not understand “2027-09-01”: write opens=, closes=, exam= or scores= and a date.\n\n" + usageAdd, "2026-2 2027-1"},
		{"add opens=2027-09-01 closes=2027-09-10 exam=2027-10-12",
			"The session ID is missing: it comes first, like /calendar add 2027-1 opens=…\n\n" + usageAdd, "2026-2 2027-1"},
		{"add", "The session ID is missing: it comes first, like /calendar add 2027-1 opens=…\n\n" + usageAdd, "2026-2 2027-1"},
		{"add <b>2027</b> opens=2027-09-01 closes=2027-09-10 exam=2027-10-12",
			"“&lt;b&gt;2027&lt;/b&gt;” is not a session ID: use 1 to 16 lower-case letters, digits and hyphens, starting with a letter or a digit, like 2027-1.\n\n" + usageAdd, "2026-2 2027-1"},
		{"remove 2027-9", "There is no session 2027-9.", "2026-2 2027-1"},
		{"remove 2027-1", "Session <b>2027-1</b> removed.", "2026-2"},
		{"remove", "<b>/calendar</b> lists…", "2026-2"},
		{"frobnicate", "/calendar has no “frobnicate”.\n\n<b>/calendar</b> lists…", "2026-2"},
		{"help", "<b>/calendar</b> lists…", "2026-2"},
	} {
		r, err := cmd.Handle(t.Context(), admin.Request{Chat: 1, User: 1, Lang: "en", Arg: tc.arg})
		if err != nil {
			t.Fatalf("Handle(%q) error: %v", tc.arg, err)
		}
		if r.Lang != "en" {
			t.Errorf("Handle(%q).Lang = %q; want en", tc.arg, r.Lang)
		}
		got := calRender(t, c, "en", r)
		if prefix, ok := strings.CutSuffix(tc.want, "…"); ok {
			if !strings.HasPrefix(got, prefix) {
				t.Errorf("Handle(%q) =\n%s\nwant it to start with\n%s", tc.arg, got, prefix)
			}
		} else if got != tc.want {
			t.Errorf("Handle(%q) =\n%s\nwant\n%s", tc.arg, got, tc.want)
		}
		var ids []string
		for _, s := range cache.View().Sessions {
			ids = append(ids, s.ID)
		}
		if got := strings.Join(ids, " "); got != tc.ids {
			t.Errorf("after Handle(%q) the sessions are %q; want %q", tc.arg, got, tc.ids)
		}
		for _, lang := range examdesk.Languages {
			s := calRender(t, c, lang, r)
			if strings.Count(s, "<b>") != strings.Count(s, "</b>") || strings.Contains(calTags.ReplaceAllString(s, ""), "<") {
				t.Errorf("Handle(%q) in %s is not valid Telegram HTML: %q", tc.arg, lang, s)
			}
		}
	}
}

func TestCalendarCommandChinese(t *testing.T) {
	cmd, _, _ := newCalendarCmd(t)
	c := calCatalog(t)
	r, err := cmd.Handle(t.Context(), admin.Request{Lang: "zh-Hant", Arg: "add 2026-2 opens=2026-08-03 closes=2026-08-14 exam=2026-10-12,2026-10-13"})
	if err != nil {
		t.Fatal(err)
	}
	want := "已新增考期<b>2026-2</b>，考生即時會得到新的日期。\n\n<b>2026-2</b>\n• 報名：2026年8月3日（星期一）至2026年8月14日（星期五）" +
		"\n• 考試：2026年10月12日（星期一）、2026年10月13日（星期二）"
	if got := calRender(t, c, "zh-Hant", r); !strings.HasPrefix(got, want) {
		t.Errorf("Handle(add) in zh-Hant =\n%s\nwant it to start with\n%s", got, want)
	}
	r, _ = cmd.Handle(t.Context(), admin.Request{Lang: "zh-Hans", Arg: "add 2026-2 opens=2026-08-03 closes=2026-10-12 exam=2026-10-12"})
	want = "报名须在考试前截止：closes 2026-10-12不早于考试日期2026-10-12。"
	if got := calRender(t, c, "zh-Hans", r); !strings.HasPrefix(got, want) {
		t.Errorf("Handle(add, closes on the exam day) in zh-Hans = %s; want it to start with %s", got, want)
	}
}

// TestCalendarCommandStoreDown checks that a failing store is an error,
// with nothing changed.
func TestCalendarCommandStoreDown(t *testing.T) {
	cmd, cache, st := newCalendarCmd(t)
	ctx := t.Context()
	if _, err := cmd.Handle(ctx, admin.Request{Lang: "en", Arg: "add x opens=2026-08-03 closes=2026-08-14 exam=2026-10-12"}); err != nil {
		t.Fatal(err)
	}
	down := errors.New("store down")
	st.Fail(down)
	for _, arg := range []string{"add y opens=2026-08-03 closes=2026-08-14 exam=2026-10-12", "remove x"} {
		if _, err := cmd.Handle(ctx, admin.Request{Lang: "en", Arg: arg}); !errors.Is(err, down) {
			t.Errorf("Handle(%q) = %v; want %v", arg, err, down)
		}
	}
	if v := cache.View(); len(v.Sessions) != 1 || v.Sessions[0].ID != "x" {
		t.Errorf("after failures the sessions are %v; want only x", v.Sessions)
	}
	// The list reads the cache only: it works while the store is down.
	if r, err := cmd.Handle(ctx, admin.Request{Lang: "en"}); err != nil || len(r.Messages) != 1 {
		t.Errorf("Handle(list) = %v, %v; want the list", r, err)
	}
}

// TestCalendarInConsole checks that the console routes /calendar of an
// administrator to the command, and leaves others' to the dialog.
func TestCalendarInConsole(t *testing.T) {
	cmd, _, _ := newCalendarCmd(t)
	con := admin.New([]int64{7}, cmd)
	r, ok, err := con.Handle(t.Context(), examdesk.Key{Chat: 7, User: 7}, "en", dialog.Input{Text: "/calendar@examdesk_bot remove nope"})
	if err != nil || !ok || len(r.Messages) != 1 || r.Messages[0].Text.Key != "calendar.error.not_found" {
		t.Errorf("console Handle(/calendar remove nope) = %v, %v, %v; want calendar.error.not_found", r, ok, err)
	}
	if _, ok, _ := con.Handle(t.Context(), examdesk.Key{Chat: 8, User: 8}, "en", dialog.Input{Text: "/calendar"}); ok {
		t.Errorf("console Handle(/calendar) of a candidate = ok; want it left to the dialog")
	}
}

func FuzzCalendarCommand(f *testing.F) {
	for _, s := range []string{
		"add 2027-1 opens=2027-03-01 closes=2027-03-10 exam=2027-04-10,2027-04-11 scores=2027-05-20",
		"add x exam=,,, opens==",
		"remove 2027-1",
		"add ＝，、 =",
		"",
	} {
		f.Add(s)
	}
	cat, err := locales.Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		cmd, cache, _ := newCalendarCmd(t)
		r, err := cmd.Handle(t.Context(), admin.Request{Lang: "en", Arg: arg})
		if err != nil {
			t.Fatalf("Handle(%q) error: %v", arg, err)
		}
		if len(r.Messages) == 0 {
			t.Fatalf("Handle(%q) said nothing", arg)
		}
		for _, m := range r.Messages {
			if !cat.Has(m.Text.Key) {
				t.Errorf("Handle(%q) = message %q, which is missing", arg, m.Text.Key)
			}
			dialog.Render(cat, "en", m.Text, html.EscapeString)
		}
		for _, s := range cache.View().Sessions {
			if err := s.Validate(); err != nil {
				t.Errorf("Handle(%q) stored an invalid session: %v", arg, err)
			}
		}
	})
}
