package redisstore

import (
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"examdesk/redisstore/redistest"
)

// servers opens, for a test, a store on the embedded server and one on the
// tests' Redis under a prefix of its own.
func servers(t *testing.T) map[string]*Store {
	t.Helper()
	embedded, stop, err := OpenEmbedded(t.Context())
	if err != nil {
		t.Fatalf("OpenEmbedded() error: %v", err)
	}
	t.Cleanup(func() { stop() })
	url := redistest.URL(t)
	ro, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(ro)
	t.Cleanup(func() { c.Close() })
	real, err := Open(t.Context(), url, WithPrefix(redistest.Prefix(t, c)))
	if err != nil {
		t.Fatalf("Open() error: %v", err)
	}
	t.Cleanup(func() { real.Close() })
	return map[string]*Store{"embedded": embedded, "redis": real}
}

// TestScripts checks every script of lua/: its header names its KEYS, ARGV
// and return value, the fragments it uses exist and are used, a script
// that builds keys with keys.lua says what it derives, and the servers
// compile it with its fragments.
func TestScripts(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(luaFiles, "lua/*.lua")
	if err != nil || len(names) == 0 {
		t.Fatalf("lua/*.lua = %v, %v", names, err)
	}
	libs, err := fs.Glob(luaFiles, "lua/lib/*.lua")
	if err != nil || len(libs) == 0 {
		t.Fatalf("lua/lib/*.lua = %v, %v", libs, err)
	}
	used := map[string]bool{}
	uses := regexp.MustCompile(`(?m)^-- Uses: (.*)$`)
	stores := servers(t)
	for _, name := range names {
		name = path.Base(name)
		body, err := luaFiles.ReadFile("lua/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var header []string
		for line := range strings.Lines(string(body)) {
			if !strings.HasPrefix(line, "--") {
				break
			}
			header = append(header, line)
		}
		head := strings.Join(header, "")
		if !strings.HasPrefix(head, "-- "+name+": ") {
			t.Errorf("%s: the header does not start with %q", name, "-- "+name+": ")
		}
		for _, field := range []string{"-- KEYS: ", "-- ARGV: ", "-- Returns: "} {
			if !strings.Contains(head, "\n"+field) {
				t.Errorf("%s: the header has no line %q", name, field)
			}
		}
		var frags []string
		if m := uses.FindStringSubmatch(head); m != nil {
			frags = strings.Split(m[1], ", ")
		}
		for _, f := range frags {
			used[f] = true
		}
		code := strings.TrimPrefix(string(body), head)
		derives := strings.Contains(head, "\n-- Derives: ")
		if slices.Contains(frags, "keys") != derives {
			t.Errorf("%s: uses keys.lua: %v; says what it derives: %v; want both or neither", name, slices.Contains(frags, "keys"), derives)
		}
		if strings.Contains(code, "'bc:") || strings.Contains(code, "'q:") || strings.Contains(code, "'lock:") || strings.Contains(code, "'state:") || strings.Contains(code, "'stats:") {
			t.Errorf("%s: spells a key name of its own instead of keys.lua's", name)
		}
		src, err := scriptSource(name)
		if err != nil {
			t.Errorf("scriptSource(%s) = %v", name, err)
			continue
		}
		for server, st := range stores {
			if err := st.client.ScriptLoad(t.Context(), src).Err(); err != nil {
				t.Errorf("%s: SCRIPT LOAD %s = %v", server, name, err)
			}
		}
	}
	for _, lib := range libs {
		name := strings.TrimSuffix(path.Base(lib), ".lua")
		if !used[name] {
			t.Errorf("fragment lua/lib/%s.lua is used by no script", name)
		}
	}
	if _, err := scriptSource("no_such.lua"); err == nil {
		t.Errorf("scriptSource(no_such.lua) = nil error; want one")
	}
}

// TestKeySchema checks that lua/lib/keys.lua builds the keys keys.go does.
func TestKeySchema(t *testing.T) {
	t.Parallel()
	lib, err := luaFiles.ReadFile("lua/lib/keys.lua")
	if err != nil {
		t.Fatal(err)
	}
	for server, st := range servers(t) {
		k := st.k
		want := []string{
			k.seenPeriod(20412), k.queue(-1001), k.lock(-1001), k.claim("TOK"), k.outbox(7), k.sent(7),
			k.turn(7), k.try(-7), k.chatPace(-1001),
			k.state(-1001, 42), k.broadcast("b-1"), k.todo("b-1"), k.leases("b-1"), k.tries("b-1"), k.outcomes("b-1"),
			k.question("4503599627370495"), k.askers("4503599627370495"),
		}
		src := string(lib) + `
local P = ARGV[1]
return {key.seen(P, 20412), key.queue(P, -1001), key.lock(P, -1001), key.claim(P, 'TOK'), key.outbox(P, 7), key.sent(P, 7),
	key.turn(P, 7), key.try(P, -7), key.chat_pace(P, -1001),
	key.state(P, -1001, 42), key.broadcast(P, 'b-1'), key.todo(P, 'b-1'), key.leases(P, 'b-1'), key.tries(P, 'b-1'), key.outcomes(P, 'b-1'),
	key.question(P, '4503599627370495'), key.askers(P, '4503599627370495')}
`
		got, err := st.client.Eval(t.Context(), src, nil, string(k)).StringSlice()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: keys.lua = %q, %v; want keys.go's %q", server, got, err, want)
		}
	}
}
