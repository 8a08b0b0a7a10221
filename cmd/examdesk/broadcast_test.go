package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
)

// cli runs examdesk with args and env, and returns its exit status,
// stdout and stderr.
func cli(t testing.TB, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	code := exitCode(err, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBroadcastCLIBadInput(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL, "USER": "alice"}
	ok := writeFile(t, "ok.txt", []byte("Registration opens on 1 March.\n"))
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // in the one line on stderr
	}{
		{"no REDIS_URL", map[string]string{}, []string{"broadcast", "send", "--file", ok}, "REDIS_URL is not set"},
		{"no file", env, []string{"broadcast", "send"}, "--file is required"},
		{"missing file", env, []string{"broadcast", "send", "--file", filepath.Join(t.TempDir(), "nope.txt")}, "read --file"},
		{"empty", env, []string{"broadcast", "send", "--file", writeFile(t, "e.txt", []byte(" \n"))}, "is empty"},
		{"not UTF-8", env, []string{"broadcast", "send", "--file", writeFile(t, "b.txt", []byte{0xff, 0xfe, 'a'})}, "not UTF-8"},
		{"too long", env, []string{"broadcast", "send", "--file", writeFile(t, "l.txt", bytes.Repeat([]byte("報"), 4097))}, "4097 characters long; Telegram takes at most 4096"},
		{"bad lang", env, []string{"broadcast", "send", "--file", ok, "--lang", "fr"}, `--lang "fr"`},
		{"level 0", env, []string{"broadcast", "send", "--file", ok, "--level", "0"}, `--level "0"`},
		{"level 5", env, []string{"broadcast", "send", "--file", ok, "--level", "5"}, `--level "5"`},
		{"bad at", env, []string{"broadcast", "send", "--file", ok, "--at", "tomorrow"}, `--at "tomorrow"`},
		{"unknown flag", env, []string{"broadcast", "send", "--file", ok, "--everyone"}, "flag provided but not defined"},
		{"extra argument", env, []string{"broadcast", "send", "--file", ok, "more"}, `unexpected argument "more"`},
		{"unknown id", env, []string{"broadcast", "status", "b-nope"}, `no broadcast "b-nope"`},
		{"cancel unknown id", env, []string{"broadcast", "cancel", "b-nope"}, `no broadcast "b-nope"`},
		{"status without id", env, []string{"broadcast", "status"}, "want one broadcast id"},
		{"unknown subcommand", env, []string{"broadcast", "shout"}, `unknown subcommand "shout"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, tt.env, tt.args...)
			if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("examdesk %s = exit %d, stdout %q, stderr %q; want exit 2, one line with %q", strings.Join(tt.args, " "), code, out, errOut, tt.want)
			}
		})
	}
	t.Run("redis down", func(t *testing.T) {
		code, _, errOut := cli(t, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"}, "broadcast", "status", "b-1")
		if code != 1 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("status with Redis down = exit %d, stderr %q; want exit 1, one line", code, errOut)
		}
	})
}

var statusJSON = regexp.MustCompile(`^\{"id":"[^"]+","state":"(queued|sending|done|cancelled)","total":\d+,"sent":\d+,"blocked":\d+,"failed":\d+,"pending":\d+\}\n$`)

func TestBroadcastCLI(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ctx := t.Context()
	st, err := redisstore.Open(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	subs := st.Subscribers()
	langs := []string{examdesk.Traditional, examdesk.Simplified, examdesk.English}
	for i := range 9 {
		if err := subs.Subscribe(ctx, broadcast.Subscriber{Chat: int64(100 + i), Lang: langs[i%3], Level: examdesk.Level(i%4 + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"REDIS_URL": srv.URL, "USER": "alice"}
	file := writeFile(t, "n.txt", []byte("Scores out on <15 May> & review opens.\n"))

	tests := []struct {
		name  string
		args  []string
		total int
	}{
		{"everyone", nil, 9},
		{"English", []string{"--lang", "en"}, 3},
		{"level 1", []string{"--level", "1"}, 3},
		{"later", []string{"--at", "2099-01-01T09:00:00+08:00"}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, env, append([]string{"broadcast", "send", "--file", file}, tt.args...)...)
			if code != 0 || errOut != "" || strings.Count(out, "\n") != 1 {
				t.Fatalf("send = exit %d, stdout %q, stderr %q; want exit 0, the id", code, out, errOut)
			}
			id := strings.TrimSpace(out)
			code, out, _ = cli(t, env, "broadcast", "status", id)
			if code != 0 || !statusJSON.MatchString(out) {
				t.Fatalf("status %s = exit %d, %q; want the status JSON", id, code, out)
			}
			var s broadcast.Status
			json.Unmarshal([]byte(out), &s)
			if s.ID != id || s.State != broadcast.Queued || s.Total != tt.total || s.Pending != tt.total {
				t.Errorf("status = %+v; want queued, %d in all, pending", s, tt.total)
			}
			_, n, err := st.Broadcasts(0).Status(context.Background(), id)
			if err != nil || n.By != "cli:alice" || n.Text("zh-Hant") != "Scores out on <15 May> & review opens." {
				t.Errorf("notice = %+v, %v; want by cli:alice, the file's text less its newline", n, err)
			}
			code, out, _ = cli(t, env, "broadcast", "cancel", id)
			if code != 0 || !statusJSON.MatchString(out) || !strings.Contains(out, `"state":"cancelled"`) {
				t.Errorf("cancel %s = exit %d, %q; want the cancelled status", id, code, out)
			}
		})
	}
}

func TestBroadcastConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc"}
	tests := []struct {
		name    string
		env     map[string]string
		rate    float64
		paid    bool
		problem string
	}{
		{"default", nil, 25, false, ""},
		{"30", map[string]string{"EXAMDESK_BROADCAST_RATE": "30"}, 30, false, ""},
		{"2.5", map[string]string{"EXAMDESK_BROADCAST_RATE": "2.5"}, 2.5, false, ""},
		{"31", map[string]string{"EXAMDESK_BROADCAST_RATE": "31"}, 0, false, "EXAMDESK_BROADCAST_RATE \"31\" is not a rate of 1 to 30 messages per second (up to 1000 with EXAMDESK_PAID_BROADCAST=true)"},
		{"0", map[string]string{"EXAMDESK_BROADCAST_RATE": "0"}, 0, false, "EXAMDESK_BROADCAST_RATE \"0\""},
		{"NaN", map[string]string{"EXAMDESK_BROADCAST_RATE": "NaN"}, 0, false, "EXAMDESK_BROADCAST_RATE \"NaN\""},
		{"paid 1000", map[string]string{"EXAMDESK_BROADCAST_RATE": "1000", "EXAMDESK_PAID_BROADCAST": "true"}, 1000, true, ""},
		{"paid 1001", map[string]string{"EXAMDESK_BROADCAST_RATE": "1001", "EXAMDESK_PAID_BROADCAST": "true"}, 0, true, "not a rate of 1 to 1000 messages per second"},
		{"paid default", map[string]string{"EXAMDESK_PAID_BROADCAST": "true"}, 25, true, ""},
		{"paid maybe", map[string]string{"EXAMDESK_PAID_BROADCAST": "maybe"}, 25, false, "EXAMDESK_PAID_BROADCAST \"maybe\" is not true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := loadConfig(func(k string) string { return env[k] })
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) || strings.Count(err.Error(), "\n") != 0 {
					t.Errorf("loadConfig() error = %v; want one line with %q", err, tt.problem)
				}
				return
			}
			if err != nil || c.broadcastRate != tt.rate || c.paidBroadcast != tt.paid {
				t.Errorf("loadConfig() = rate %v, paid %t, %v; want %v, %t", c.broadcastRate, c.paidBroadcast, err, tt.rate, tt.paid)
			}
		})
	}
}
