package redisstore

import (
	"slices"
	"strings"
	"testing"
)

// TestParseURL checks how Open reads its URL: one server, or the master
// of a Sentinel set with its credentials apart from the sentinels', with
// or without TLS; and what it says of a URL it cannot read.
func TestParseURL(t *testing.T) {
	t.Parallel()
	type server struct {
		sentinels      []string // nil for one server
		addr, master   string
		user, password string // the master's, or the one server's
		sUser, sPass   string // the sentinels'
		db             int
		tls            bool
	}
	tests := []struct {
		url  string
		want server
	}{
		{"redis://127.0.0.1:6379/0", server{addr: "127.0.0.1:6379"}},
		{"redis://u:p@redis:6380/2", server{addr: "redis:6380", user: "u", password: "p", db: 2}},
		{"rediss://:p@redis.example.org", server{addr: "redis.example.org:6379", password: "p", tls: true}},
		{"redis://s1:26379?addr=s2:26379&addr=s3:26379&master_name=mymaster",
			server{sentinels: []string{"s1:26379", "s2:26379", "s3:26379"}, master: "mymaster"}},
		{"redis://su:sp@s1:26379/3?master_name=m&username=mu&password=mp",
			server{sentinels: []string{"s1:26379"}, master: "m", user: "mu", password: "mp", sUser: "su", sPass: "sp", db: 3}},
		{"rediss://s1:26379?addr=s2:26380&master_name=m&dial_timeout=2s",
			server{sentinels: []string{"s1:26379", "s2:26380"}, master: "m", tls: true}},
		{"redis://s1:26379?master_name=m&max_retries=2", server{sentinels: []string{"s1:26379"}, master: "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tg, err := parseURL(tt.url)
			if err != nil {
				t.Fatalf("parseURL(%q) error: %v", tt.url, err)
			}
			var got server
			switch {
			case tg.failover != nil:
				o := tg.failover
				got = server{sentinels: o.SentinelAddrs, master: o.MasterName, user: o.Username, password: o.Password,
					sUser: o.SentinelUsername, sPass: o.SentinelPassword, db: o.DB, tls: o.TLSConfig != nil}
				if want := failoverRetries; !strings.Contains(tt.url, "max_retries") && o.MaxRetries != want {
					t.Errorf("parseURL(%q) retries a command %d times; want %d, to ride out a failover", tt.url, o.MaxRetries, want)
				}
				if o.TLSConfig != nil && o.TLSConfig.ServerName != "" {
					t.Errorf("parseURL(%q) checks every certificate against %q; want each against its server's address", tt.url, o.TLSConfig.ServerName)
				}
			case tg.single != nil:
				o := tg.single
				got = server{addr: o.Addr, user: o.Username, password: o.Password, db: o.DB, tls: o.TLSConfig != nil}
			}
			if !slices.Equal(got.sentinels, tt.want.sentinels) || got.addr != tt.want.addr || got.master != tt.want.master ||
				got.user != tt.want.user || got.password != tt.want.password || got.sUser != tt.want.sUser ||
				got.sPass != tt.want.sPass || got.db != tt.want.db || got.tls != tt.want.tls {
				t.Errorf("parseURL(%q) = %+v; want %+v", tt.url, got, tt.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
	}{
		{"mysql://x", "invalid URL scheme"},
		{"redis://localhost:6379?colour=blue", "unexpected option: colour"},
		{"redis://s1:26379?master_name=m&colour=blue", "unexpected option: colour"},
		{"redis://s1:26379?addr=s2:26379", "needs master_name"},
		{"redis://s1:26379?addr=s2:26379&master_name=", "needs master_name"},
		{"unix:///run/redis.sock?master_name=m", "starts with redis:// or rediss://"},
		{"redis://s1:26379?addr=s2&master_name=m", "unable to parse addr param: s2"},
		{"redis://localhost:6379?password=secret1", "Sentinel set's master's, with master_name"},
		{"redis://u:secret1@localhost:6379?colour=blue", "unexpected option"},
		{"redis://u:secret1@localhost:port/0", "invalid port"},
		{"redis://s1:26379?master_name=m&password=secret1&dial_timeout=soon", "invalid dial_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := CheckURL(tt.url)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckURL(%q) = %v; want an error saying %q", tt.url, err, tt.want)
			}
			if strings.Contains(err.Error(), "secret1") {
				t.Errorf("CheckURL(%q) = %v; want the password left out", tt.url, err)
			}
		})
	}
}
