package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
)

// TestCalendarUsage checks the mistakes `examdesk calendar` refuses
// before it opens Redis: exit status 2, one line on stderr, nothing on
// stdout.
func TestCalendarUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badYear := write("2099.json", "{\n  \"year\": 2099,\n  \"papers\": [\"https://example.org/n\"],\n  \"days\": [\n    {\"name\": \"x\", \"date\": \"2099-02-30\", \"isOffDay\": true}\n  ]\n}\n")
	noPapers := write("2098.json", `{"year": 2098, "papers": [], "days": []}`)
	add := []string{"calendar", "add", "--id", "2027-1", "--opens", "2027-03-01", "--closes", "2027-03-10"}
	// No REDIS_URL in env: each of these fails before it would need one.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"calendar"}, "examdesk: calendar: no subcommand (list, add, remove, holidays add; see examdesk calendar help)"},
		{[]string{"calendar", "frob"}, `examdesk: calendar: unknown subcommand "frob" (list, add, remove, holidays add)`},
		{[]string{"calendar", "list", "--yaml"}, "examdesk: calendar list: flag provided but not defined: -yaml"},
		{[]string{"calendar", "list", "all"}, `examdesk: calendar list: unexpected argument "all"`},
		{add, "examdesk: calendar add: --exam is missing"},
		{[]string{"calendar", "add", "--opens", "2027-03-01"}, "examdesk: calendar add: --id is missing"},
		{append(add[:6:6], "--closes", "2027-03-10", "--exam", "2027-04-10", "--opens", "x"), "examdesk: calendar add: --opens: “x” is not a date: write it as YYYY-MM-DD, like 2027-03-14."},
		{append(add, "--exam", "2027-04-10,2027-02-30"), "examdesk: calendar add: --exam: “2027-02-30” is not a date: write it as YYYY-MM-DD, like 2027-03-14."},
		{append(add, "--exam", "2027-03-10"), "examdesk: calendar add: Registration must close before the exam: closes 2027-03-10 is not before the exam on 2027-03-10."},
		{append(add, "--exam", "2027-04-10", "--scores", "2027-04-09"), "examdesk: calendar add: Scores cannot be published before the last exam: scores 2027-04-09 is before the exam on 2027-04-10."},
		{append(add, "--exam", "2027-04-10", "--id", "Spring 2027"), "examdesk: calendar add: “Spring 2027” is not a session ID: use 1 to 16 lower-case letters, digits and hyphens, starting with a letter or a digit, like 2027-1."},
		{append(add, "--exam", "2027-04-10", "extra"), `examdesk: calendar add: unexpected argument "extra"`},
		{[]string{"calendar", "remove"}, "examdesk: calendar remove: want one session ID, got 0 arguments"},
		{[]string{"calendar", "remove", "a", "b"}, "examdesk: calendar remove: want one session ID, got 2 arguments"},
		{[]string{"calendar", "remove", "-x"}, "examdesk: calendar remove: “-x” is not a session ID: use 1 to 16 lower-case letters, digits and hyphens, starting with a letter or a digit, like 2027-1."},
		{[]string{"calendar", "holidays"}, "examdesk: calendar holidays: want `holidays add FILE`"},
		{[]string{"calendar", "holidays", "add", filepath.Join(dir, "none.json")}, "examdesk: calendar holidays add: open " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		{[]string{"calendar", "holidays", "add", badYear}, "examdesk: calendar holidays add: " + badYear + `:5: date "2099-02-30" is not a date (want YYYY-MM-DD)`},
		{[]string{"calendar", "holidays", "add", noPapers}, "examdesk: calendar holidays add: " + noPapers + ": papers is missing: list the address of the State Council's notice the days come from"},
		{append(add, "--exam", "2027-04-10"), "examdesk: calendar: REDIS_URL is unset: set it to the bot's Redis, where the calendar is kept (an embedded one would forget the change at once)"},
		{[]string{"calendar", "list"}, "examdesk: calendar: REDIS_URL is unset: set it to the bot's Redis, where the calendar is kept (an embedded one would forget the change at once)"},
	} {
		stdout, stderr, code := runCmd(t, nil, "", tc.args...)
		if code != 2 || stdout != "" || stderr != tc.want+"\n" {
			t.Errorf("examdesk %s = %d, stdout %q, stderr\n%s\nwant 2, nothing, stderr\n%s", strings.Join(tc.args, " "), code, stdout, stderr, tc.want)
		}
	}
	for _, args := range [][]string{{"calendar", "help"}, {"calendar", "list", "-h"}, {"calendar", "add", "--help"}} {
		stdout, stderr, code := runCmd(t, nil, "", args...)
		if code != 0 || !strings.HasPrefix(stdout, "usage:\n  examdesk calendar list") || stderr != "" {
			t.Errorf("examdesk %s = %d, stdout %q, stderr %q; want 0 and the usage", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	if stdout, _, _ := runCmd(t, nil, "", "help"); !strings.Contains(stdout, "examdesk calendar") {
		t.Errorf("examdesk help does not tell of calendar:\n%s", stdout)
	}
}

// TestCalendarCommands runs the commands against a Redis of the test's
// own, where serve keeps its keys, and checks that the bot's store reads
// what they wrote.
func TestCalendarCommands(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL}
	run := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		return runCmd(t, env, stdin, append([]string{"calendar"}, args...)...)
	}
	dir := t.TempDir()
	y2099 := `{"year": 2099, "papers": ["https://example.org/notice"], "days": [{"name": "test", "date": "2099-01-01", "isOffDay": true}]}`
	file2099 := filepath.Join(dir, "2099.json")
	if err := os.WriteFile(file2099, []byte(y2099), 0o600); err != nil {
		t.Fatal(err)
	}
	builtin, err := os.ReadFile(filepath.Join("..", "..", "calendar", "holidays", "2026.json"))
	if err != nil {
		t.Fatal(err)
	}
	const session2026 = `2026-2
  registration   2026-08-03 Mon to 2026-08-14 Fri
  exam           2026-10-12 Mon
  tickets        2026-09-29 Tue, 2026-09-30 Wed, 2026-10-08 Thu, 2026-10-09 Fri, 2026-10-10 Sat
`
	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"empty list", "", []string{"list"}, 0, "no exam session entered: candidates are told the dates are not announced yet\n" +
			"holidays: built in 2024, 2025, 2026; other years count Monday to Friday only\n", ""},
		{"add", "", []string{"add", "--id", "2026-2", "--opens", "2026-08-03", "--closes", "2026-08-14", "--exam", "2026-10-12"}, 0,
			"added session 2026-2\n" + session2026 +
				"  scores         (not entered)\n  review until   (once the scores date is entered)\n  retake until   (once the scores date is entered)\n", ""},
		{"replace", "", []string{"add", "--id", "2026-2", "--opens", "2026-08-03", "--closes", "2026-08-14", "--exam", "2026-10-12", "--scores", "2026-12-25"}, 0,
			"replaced session 2026-2\n" + session2026 +
				"  scores         2026-12-25 Fri\n  review until   2027-01-08 Fri (estimated: the holidays of 2027 are not published)\n  retake until   2027-12-25 Sat\n", ""},
		{"add another", "", []string{"add", "--id", "2027-1", "--opens", "2027-03-01", "--closes", "2027-03-10", "--exam", "2027-04-10, 2027-04-11"}, 0,
			"added session 2027-1\n2027-1\n  registration   2027-03-01 Mon to 2027-03-10 Wed\n  exam           2027-04-10 Sat, 2027-04-11 Sun\n" +
				"  tickets        2027-04-05 Mon, 2027-04-06 Tue, 2027-04-07 Wed, 2027-04-08 Thu, 2027-04-09 Fri (estimated: the holidays of 2027 are not published)\n" +
				"  scores         (not entered)\n  review until   (once the scores date is entered)\n  retake until   (once the scores date is entered)\n", ""},
		{"built-in year", "", []string{"holidays", "add", "-"}, 2, "", "examdesk: calendar holidays add: the holidays of 2026 are built in, from the State Council's notice; a release updates them\n"},
		{"added year", y2099, []string{"holidays", "add", "-"}, 0, "added the holidays of 2099: 1 day, from https://example.org/notice\n", ""},
		{"added again", "", []string{"holidays", "add", file2099}, 0, "replaced the holidays of 2099: 1 day, from https://example.org/notice\n", ""},
		{"remove", "", []string{"remove", "2027-1"}, 0, "removed session 2027-1\n", ""},
		{"remove again", "", []string{"remove", "2027-1"}, 2, "", "examdesk: calendar remove: there is no session 2027-1\n"},
		{"list", "", []string{"list"}, 0, session2026 +
			"  scores         2026-12-25 Fri\n  review until   2027-01-08 Fri (estimated: the holidays of 2027 are not published)\n  retake until   2027-12-25 Sat\n" +
			"holidays: built in 2024, 2025, 2026; added 2099; other years count Monday to Friday only\n", ""},
	} {
		stdin := tc.stdin
		if tc.name == "built-in year" {
			stdin = string(builtin)
		}
		stdout, stderr, code := run(stdin, tc.args...)
		if code != tc.code || stdout != tc.stdout || stderr != tc.stderr {
			t.Errorf("%s: examdesk calendar %s = %d, stdout\n%s\nstderr %q\nwant %d, stdout\n%s\nstderr %q", tc.name, strings.Join(tc.args, " "), code, stdout, stderr, tc.code, tc.stdout, tc.stderr)
		}
	}

	stdout, stderr, code := run("", "list", "--json")
	if code != 0 {
		t.Fatalf("calendar list --json = %d, %s", code, stderr)
	}
	var got struct {
		Sessions []struct {
			ID      string   `json:"id"`
			Exams   []string `json:"exams"`
			Scores  string   `json:"scores"`
			Derived struct {
				Ticket struct {
					Days      []string `json:"days"`
					Estimated bool     `json:"estimated"`
				} `json:"ticket"`
				Review struct {
					From, To    string
					Estimated   bool  `json:"estimated"`
					Unpublished []int `json:"unpublished"`
				} `json:"review"`
				Retake struct{ To string } `json:"retake"`
			} `json:"derived"`
		} `json:"sessions"`
		Holidays struct {
			Builtin []int `json:"builtin"`
			Added   []int `json:"added"`
		} `json:"holidays"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("calendar list --json is not JSON: %v\n%s", err, stdout)
	}
	if len(got.Sessions) != 1 {
		t.Fatalf("calendar list --json = %d sessions; want 1:\n%s", len(got.Sessions), stdout)
	}
	s := got.Sessions[0]
	d := s.Derived
	if s.ID != "2026-2" || s.Scores != "2026-12-25" || !reflect.DeepEqual(s.Exams, []string{"2026-10-12"}) ||
		!reflect.DeepEqual(d.Ticket.Days, []string{"2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10"}) || d.Ticket.Estimated ||
		d.Review.From != "2026-12-25" || d.Review.To != "2027-01-08" || !d.Review.Estimated || !reflect.DeepEqual(d.Review.Unpublished, []int{2027}) ||
		d.Retake.To != "2027-12-25" ||
		!reflect.DeepEqual(got.Holidays.Builtin, []int{2024, 2025, 2026}) || !reflect.DeepEqual(got.Holidays.Added, []int{2099}) {
		t.Errorf("calendar list --json =\n%s", stdout)
	}

	// The bot reads the calendar under serve's prefix.
	st, err := redisstore.Open(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sessions, err := st.Calendar().Sessions(t.Context())
	if err != nil || len(sessions) != 1 || sessions[0].ID != "2026-2" {
		t.Errorf("the bot's store has sessions %v, %v; want 2026-2", sessions, err)
	}
	if n, err := st.Client().Exists(t.Context(), redisstore.DefaultPrefix+"calendar:sessions", redisstore.DefaultPrefix+"calendar:holidays").Result(); err != nil || n != 2 {
		t.Errorf("EXISTS of the calendar's keys under %s = %d, %v; want 2", redisstore.DefaultPrefix, n, err)
	}
}

// TestCalendarBadRecord: a session record that cannot be read (edited by
// hand) stops list and add with a hint, and can still be removed.
func TestCalendarBadRecord(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL}
	st, err := redisstore.Open(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Client().HSet(t.Context(), redisstore.DefaultPrefix+"calendar:sessions", "bad", "{").Err(); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCmd(t, env, "", "calendar", "list"); code != 1 || !strings.Contains(errOut, "calendar remove ID") {
		t.Errorf("calendar list with a bad record: exit %d, %q; want exit 1 and how to remove it", code, errOut)
	}
	if out, errOut, code := runCmd(t, env, "", "calendar", "remove", "bad"); code != 0 || out != "removed session bad\n" {
		t.Errorf("calendar remove bad = %q, %q, exit %d; want it removed", out, errOut, code)
	}
	if _, errOut, code := runCmd(t, env, "", "calendar", "list"); code != 0 {
		t.Errorf("calendar list after the removal: exit %d, %q; want 0", code, errOut)
	}
}
