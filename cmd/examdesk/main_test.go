package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd runs examdesk with args and stdin, without the environment.
func runCmd(t testing.TB, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	code = exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

func TestEligibility(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, facts, want string
	}{
		{
			"six years of work",
			`{"occupation_years": 6}`,
			`{"highest":3,"levels":[{"level":4,"eligible":true,"met":["4.1"],"route":"individual"},{"level":3,"eligible":true,"met":["3.1"],"route":"individual"},{"level":2,"eligible":false,"met":[],"nearest":{"condition":"2.1","years":7}},{"level":1,"eligible":false,"met":[],"nearest":{"condition":"1.1","years":13}}]}`,
		},
		{
			"nothing at all",
			`{}`,
			`{"highest":0,"levels":[{"level":4,"eligible":false,"met":[],"nearest":{"condition":"4.1","years":1}},{"level":3,"eligible":false,"met":[],"nearest":{"condition":"3.1","years":6}},{"level":2,"eligible":false,"met":[],"nearest":{"condition":"2.1","years":13}},{"level":1,"eligible":false,"met":[],"nearest":{"condition":"1.1","years":19}}]}`,
		},
		{
			"training only",
			`{"training":["level4","level3"],"education":"bachelor","major":"other"}`,
			`{"highest":3,"levels":[{"level":4,"eligible":true,"met":["4.3"],"route":"training"},{"level":3,"eligible":true,"met":["3.7"],"route":"training"},{"level":2,"eligible":false,"met":[],"nearest":{"condition":"2.1","years":13}},{"level":1,"eligible":false,"met":[],"nearest":{"condition":"1.4","years":13}}]}`,
		},
		{
			"everything",
			`{"occupation_years":20,"certificate":"level2","years_since_certificate":5,"training":["level1"],"education":"doctorate","major":"ecommerce","years_since_graduation":9}`,
			`{"highest":1,"levels":[{"level":4,"eligible":true,"met":["4.1"],"route":"individual"},{"level":3,"eligible":true,"met":["3.1","3.5"],"route":"individual"},{"level":2,"eligible":true,"met":["2.1","2.7"],"route":"individual"},{"level":1,"eligible":true,"met":["1.1","1.2","1.3","1.4"],"route":"individual"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, tt.facts, "eligibility")
			if code != 0 || strings.TrimSpace(stdout) != tt.want {
				t.Errorf("eligibility < %s = %d %s (stderr %q); want 0 %s", tt.facts, code, stdout, stderr, tt.want)
			}
		})
	}
}

// TestEligibilityBOM reads facts that an editor saved with a UTF-8
// byte-order mark, from stdin and from a file.
func TestEligibilityBOM(t *testing.T) {
	t.Parallel()
	facts := "\ufeff" + `{"occupation_years": 6}`
	stdout, stderr, code := runCmd(t, nil, facts, "eligibility")
	if code != 0 || !strings.HasPrefix(stdout, `{"highest":3,`) {
		t.Errorf("eligibility < BOM + facts = %d %q (stderr %q); want 0 and highest 3", code, stdout, stderr)
	}
	path := filepath.Join(t.TempDir(), "facts.json")
	if err := os.WriteFile(path, []byte(facts), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runCmd(t, nil, "", "eligibility", "--facts", path)
	if code != 0 || !strings.HasPrefix(stdout, `{"highest":3,`) {
		t.Errorf("eligibility --facts BOM file = %d %q (stderr %q); want 0 and highest 3", code, stdout, stderr)
	}
	// Only a mark at the start is skipped: one inside is bad JSON.
	_, stderr, code = runCmd(t, nil, `{"occupation_years": `+"\ufeff6}", "eligibility")
	if code != 2 || stderr == "" {
		t.Errorf("eligibility < a mark inside = %d (stderr %q); want 2 and a line", code, stderr)
	}
}

func TestEligibilityFactsFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "facts.json")
	if err := os.WriteFile(path, []byte(`{"occupation_years": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, code := runCmd(t, nil, "not read", "eligibility", "--facts", path)
	if code != 0 || !strings.HasPrefix(stdout, `{"highest":4,`) {
		t.Errorf("eligibility --facts = %d %q; want 0 and highest 4", code, stdout)
	}
}

// TestEligibilityBadInput: exit status 2, one line on stderr naming the
// field, nothing on stdout.
func TestEligibilityBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, facts, field string
	}{
		{"unknown field", `{"occupation_yaers": 3}`, "occupation_yaers"},
		{"wrong type", `{"occupation_years": "3"}`, "occupation_years"},
		{"negative", `{"years_since_certificate": -1}`, "years_since_certificate"},
		{"unknown value", `{"certificate": "level5"}`, "certificate"},
		{"unknown training", `{"training": ["level9"]}`, "training"},
		{"training not a list", `{"training": "level4"}`, "training"},
		{"unknown education", `{"education": "phd"}`, "education"},
		{"unknown major", `{"major": "law"}`, "major"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, tt.facts, "eligibility")
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.field) {
				t.Errorf("eligibility < %s = %d, stdout %q, stderr %q; want 2, nothing, one line naming %s", tt.facts, code, stdout, stderr, tt.field)
			}
		})
	}
	for _, bad := range []string{"", "{", "[]", `{"occupation_years": 1} {}`} {
		stdout, stderr, code := runCmd(t, nil, bad, "eligibility")
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("eligibility < %q = %d, stdout %q, stderr %q; want 2, nothing, one line", bad, code, stdout, stderr)
		}
	}
	_, stderr, code := runCmd(t, nil, "", "eligibility", "--facts", filepath.Join(t.TempDir(), "missing.json"))
	if code != 2 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("eligibility --facts missing.json = %d %q; want 2 naming the file", code, stderr)
	}
}

// TestChat runs a whole check through a pipe with no Redis and no token,
// in each language, and ends at the end of input.
func TestChat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, input string
		want        []string
	}{
		{"en", "/check\n7 years\n2\n2\n", []string{"Question 1.", "3.1", "certificate of Level 4", "2.1"}},
		{"zh-Hant", "/check\n七年\n2\n2\n", []string{"第1題", "3.1", "四級"}},
		{"zh-Hans", "/check\n七年\n2\n2\n", []string{"第1题", "3.1", "四级"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, nil, tt.input, "chat", "--lang", tt.lang)
			if code != 0 {
				t.Fatalf("chat = %d, stderr %q; want 0", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("chat output lacks %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stderr, "REDIS_URL is unset") {
				t.Errorf("chat stderr = %q; want the warning that state is not kept", stderr)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"frobnicate"}, {"chat", "--lang", "fr"}, {"chat", "extra"}, {"eligibility", "--nope"}} {
		_, stderr, code := runCmd(t, nil, "", args...)
		if code != 2 || stderr == "" {
			t.Errorf("examdesk %v = %d %q; want 2 and a message", args, code, stderr)
		}
	}
	var ee *exitError
	if err := run(context.Background(), []string{"chat", "--lang", "fr"}, os.Getenv, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); !errors.As(err, &ee) {
		t.Errorf("run(chat --lang fr) = %v; want an exit error", err)
	}
}
