package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/dialog"
	"examdesk/dialog/dialogtest"
	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
	"examdesk/rules"
)

// storeOpener opens a new empty Store for a test and closes it
// when the test ends.
type storeOpener struct {
	name string
	open func(t testing.TB, opts ...redisstore.Option) *redisstore.Store
}

var stores = []storeOpener{
	{"embedded", openEmbeddedStore},
	{"redis", openRedisStore},
}

func openEmbeddedStore(t testing.TB, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	st, stop, err := redisstore.OpenEmbedded(t.Context(), opts...)
	if err != nil {
		t.Fatalf("OpenEmbedded() error: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop embedded store: %v", err)
		}
	})
	return st
}

// openRedisStore opens a Store on the tests' Redis under a key prefix of
// its own, whose keys are deleted when the test ends.
func openRedisStore(t testing.TB, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	url := redistest.URL(t)
	ro, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parse Redis URL: %v", err)
	}
	c := redis.NewClient(ro)
	t.Cleanup(func() { c.Close() })
	prefix := redistest.Prefix(t, c)
	st, err := redisstore.Open(t.Context(), url, append(opts, redisstore.WithPrefix(prefix))...)
	if err != nil {
		t.Fatalf("Open() error: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}

// key is the Redis key of k in st, as documented on Store.
func key(st *redisstore.Store, k examdesk.Key) string {
	return st.Prefix() + "state:" + strconv.FormatInt(k.Chat, 10) + ":" + strconv.FormatInt(k.User, 10)
}

func TestStore(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			dialogtest.TestStore(t, func(t *testing.T) dialog.Store { return b.open(t) })
		})
	}
}

// TestLayout checks the record of a saved state: a hash at
// <prefix>state:<chat>:<user> holding the version v and the encoded state d.
func TestLayout(t *testing.T) {
	t.Parallel()
	k := examdesk.Key{Chat: -1001234567890, User: 77}
	st := dialog.State{Lang: "en", Step: 3, Check: &dialog.Check{
		Answers: rules.Answers{rules.OccupationYears: {Number: 4}},
		History: []rules.Question{rules.OccupationYears},
		Asking:  rules.Education,
	}}
	d, err := dialog.EncodeState(st)
	if err != nil {
		t.Fatalf("EncodeState() error: %v", err)
	}
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			for i := range 2 {
				st.Version = int64(i)
				if err := s.Save(ctx, k, st); err != nil {
					t.Fatalf("Save(version %d) error: %v", i, err)
				}
			}
			got, err := s.Client().HGetAll(ctx, key(s, k)).Result()
			if err != nil {
				t.Fatalf("HGETALL %s: %v", key(s, k), err)
			}
			want := map[string]string{"v": "2", "d": string(d)}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("HGETALL %s = %q; want %q", key(s, k), got, want)
			}
		})
	}
	t.Run("default prefix", func(t *testing.T) {
		if got := openEmbeddedStore(t).Prefix(); got != redisstore.DefaultPrefix {
			t.Errorf("Prefix() = %q; want %q", got, redisstore.DefaultPrefix)
		}
		if redisstore.DefaultPrefix != "examdesk:" {
			t.Errorf("DefaultPrefix = %q; want %q", redisstore.DefaultPrefix, "examdesk:")
		}
	})
}

func TestTTL(t *testing.T) {
	t.Parallel()
	k := examdesk.Key{Chat: 5, User: 6}
	for _, b := range stores {
		for _, tc := range []struct {
			name string
			opts []redisstore.Option
			want time.Duration
		}{
			{"default", nil, 30 * 24 * time.Hour},
			{"option", []redisstore.Option{redisstore.WithTTL(90 * time.Minute)}, 90 * time.Minute},
			{"short", []redisstore.Option{redisstore.WithTTL(20 * time.Second)}, 20 * time.Second},
		} {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := b.open(t, tc.opts...)
				ctx := t.Context()
				c := s.Client()
				checkTTL := func(when string) {
					t.Helper()
					got, err := c.PTTL(ctx, key(s, k)).Result()
					if err != nil {
						t.Fatalf("PTTL %s: %v", key(s, k), err)
					}
					if got <= tc.want-10*time.Second || got > tc.want {
						t.Errorf("PTTL %s %s = %v; want %v", key(s, k), when, got, tc.want)
					}
				}
				if err := s.Save(ctx, k, dialog.State{Step: 1}); err != nil {
					t.Fatalf("Save() error: %v", err)
				}
				checkTTL("after first save")

				// Every save starts the time to live anew.
				if err := c.PExpire(ctx, key(s, k), time.Second).Err(); err != nil {
					t.Fatalf("PEXPIRE %s: %v", key(s, k), err)
				}
				if err := s.Save(ctx, k, dialog.State{Version: 1, Step: 2}); err != nil {
					t.Fatalf("Save() error: %v", err)
				}
				checkTTL("after second save")
			})
		}
	}
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{0, -time.Hour, 999 * time.Microsecond} {
		if _, _, err := redisstore.OpenEmbedded(t.Context(), redisstore.WithTTL(ttl)); err == nil {
			t.Errorf("OpenEmbedded(WithTTL(%v)) = nil error; want an error", ttl)
		}
		if _, err := redisstore.Open(t.Context(), redistest.URL(t), redisstore.WithTTL(ttl)); err == nil {
			t.Errorf("Open(WithTTL(%v)) = nil error; want an error", ttl)
		}
	}
}

func TestOpenError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"not redis", "http://127.0.0.1:6379", "bad redis URL"},
		{"no scheme", "127.0.0.1:6379", "bad redis URL"},
		{"bad database", "redis://127.0.0.1:6379/x", "bad redis URL"},
		// Without go-redis's retries of the ping (3 by default, each after
		// 5 dials 100 ms apart): the error is the same, 1.5 s sooner.
		{"nobody there", "redis://127.0.0.1:1?max_retries=-1", "ping 127.0.0.1:1"},
		{"password hidden", "redis://me:s3cret@127.0.0.1:1?max_retries=-1", "ping 127.0.0.1:1"},
		{"password hidden in bad URL", "redis://me:s3cret@127.0.0.1:1/x", "bad redis URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			st, err := redisstore.Open(ctx, tc.url)
			if err == nil {
				st.Close()
				t.Fatalf("Open(%q) = nil error; want an error", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Open(%q) = %q; want an error saying %q without the password", tc.url, err, tc.want)
			}
		})
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			if err := s.Client().Ping(t.Context()).Err(); err != nil {
				t.Fatalf("Client().Ping() error: %v", err)
			}
			if b.name == "redis" {
				// The cleanup needs the client; close a second store.
				s2, err := redisstore.Open(t.Context(), redistest.URL(t))
				if err != nil {
					t.Fatalf("Open() error: %v", err)
				}
				s = s2
			}
			for i := range 2 {
				if err := s.Close(); err != nil {
					t.Errorf("Close() #%d = %v; want nil", i+1, err)
				}
			}
			if _, err := s.Load(t.Context(), examdesk.Key{Chat: 1, User: 1}); err == nil {
				t.Errorf("Load() after Close() = nil error; want an error")
			}
		})
	}
}

// put writes a raw record of k into Redis, for the tests of what Load makes
// of records it did not write.
func put(t *testing.T, s *redisstore.Store, k examdesk.Key, fields ...string) {
	t.Helper()
	if err := s.Client().HSet(t.Context(), key(s, k), fields).Err(); err != nil {
		t.Fatalf("HSET %s %q: %v", key(s, k), fields, err)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	k := examdesk.Key{Chat: 5, User: 6}
	for _, b := range stores {
		for _, tc := range []struct {
			name string
			v1   string // a record of schema 1, like recordV1 in dialog/state.go
			want dialog.State
		}{
			{
				"no check",
				`{"schema":1,"lang":"zh-Hant","step":4}`,
				dialog.State{Version: 3, Lang: "zh-Hant", Step: 4},
			},
			{
				"training as a list",
				`{"schema":1,"lang":"en","step":6,"check":{` +
					`"answers":{"occupation_years":{"n":5},"training":{}},` +
					`"training":["level3"],` +
					`"history":["occupation_years","training"],` +
					`"asking":"education"}}`,
				dialog.State{Version: 3, Lang: "en", Step: 6, Check: &dialog.Check{
					Answers: rules.Answers{
						rules.OccupationYears: {Number: 5},
						rules.TrainingLevel4:  {Choice: "no"},
						rules.TrainingLevel3:  {Choice: "yes"},
						rules.TrainingLevel2:  {Choice: "no"},
						rules.TrainingLevel1:  {Choice: "no"},
					},
					History: []rules.Question{
						rules.OccupationYears,
						rules.TrainingLevel4, rules.TrainingLevel3, rules.TrainingLevel2, rules.TrainingLevel1,
					},
					Asking: rules.Education,
				}},
			},
		} {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := b.open(t)
				ctx := t.Context()
				put(t, s, k, "v", "3", "d", tc.v1)
				got, err := s.Load(ctx, k)
				if err != nil {
					t.Fatalf("Load() of schema 1 error: %v", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("Load() of schema 1 = %+v %+v; want %+v %+v", got, got.Check, tc.want, tc.want.Check)
				}

				// Saved again, the record has the current schema.
				if err := s.Save(ctx, k, got); err != nil {
					t.Fatalf("Save() error: %v", err)
				}
				want, err := dialog.EncodeState(got)
				if err != nil {
					t.Fatalf("EncodeState() error: %v", err)
				}
				d, err := s.Client().HGet(ctx, key(s, k), "d").Result()
				if err != nil {
					t.Fatalf("HGET %s d: %v", key(s, k), err)
				}
				if d != string(want) {
					t.Errorf("record after Save() = %s; want %s", d, want)
				}
			})
		}
	}
}

// TestUnreadable checks that a record Load cannot read gives an error that
// names the conversation, and that Save does not overwrite it from the zero
// state a caller has after that error.
func TestUnreadable(t *testing.T) {
	t.Parallel()
	k := examdesk.Key{Chat: 5, User: 6}
	for _, b := range stores {
		for _, tc := range []struct {
			name   string
			fields []string // of a hash; nil: a string "garbage"
			want   string   // in the error of Load
		}{
			{"future schema", []string{"v", "2", "d", `{"schema":99,"lang":"en","step":9,"mood":"new"}`}, "unknown schema 99"},
			{"no schema", []string{"v", "2", "d", `{"lang":"en"}`}, "unknown schema 0"},
			{"not JSON", []string{"v", "2", "d", `{"schema":2,"lang":`}, "decode state"},
			{"wrong type", []string{"v", "2", "d", `{"schema":2,"step":"one"}`}, "decode state"},
			{"invalid", []string{"v", "2", "d", `{"schema":2,"step":-1}`}, "decode state"},
			{"unknown language", []string{"v", "2", "d", `{"schema":2,"lang":"xx"}`}, "decode state"},
			{"version not a number", []string{"v", "two", "d", `{"schema":2}`}, "not a version"},
			{"version zero", []string{"v", "0", "d", `{"schema":2}`}, "not a version"},
			{"no version", []string{"d", `{"schema":2}`}, "v is missing"},
			{"no data", []string{"v", "2"}, "d is missing"},
			{"other fields only", []string{"x", "1"}, "v is missing"},
			{"not a hash", nil, "WRONGTYPE"},
		} {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := b.open(t)
				ctx := t.Context()
				c := s.Client()
				if tc.fields == nil {
					if err := c.Set(ctx, key(s, k), "garbage", 0).Err(); err != nil {
						t.Fatalf("SET %s: %v", key(s, k), err)
					}
				} else {
					put(t, s, k, tc.fields...)
				}
				dump := func() string {
					t.Helper()
					typ, err := c.Type(ctx, key(s, k)).Result()
					if err != nil {
						t.Fatalf("TYPE %s: %v", key(s, k), err)
					}
					var val any
					if typ == "hash" {
						val, err = c.HGetAll(ctx, key(s, k)).Result()
					} else {
						val, err = c.Get(ctx, key(s, k)).Result()
					}
					if err != nil {
						t.Fatalf("read %s %s: %v", typ, key(s, k), err)
					}
					return fmt.Sprintf("%s %q", typ, val)
				}
				before := dump()

				st, err := s.Load(ctx, k)
				if err == nil || !strings.HasPrefix(err.Error(), "load state 5/6") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Load() = %+v, %v; want an error starting %q saying %q", st, err, "load state 5/6", tc.want)
				}
				if !reflect.DeepEqual(st, dialog.State{}) {
					t.Errorf("Load() = %+v with the error; want the zero State", st)
				}
				st.Lang = "en"
				if err := s.Save(ctx, k, st); !errors.Is(err, dialog.ErrConflict) {
					t.Errorf("Save(version 0) over an unreadable record = %v; want ErrConflict", err)
				}
				if after := dump(); after != before {
					t.Errorf("record after Save() = %q; want %q unchanged", after, before)
				}
			})
		}
	}
}
