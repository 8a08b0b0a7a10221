package main

import (
	"strings"
	"testing"
	"time"
)

// TestConfigRedis checks what serve reads of REDIS_URL and
// EXAMDESK_REDIS_WAIT, and that a bad value is one problem naming the
// variable, without the URL's password.
func TestConfigRedis(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		replicas int
		timeout  time.Duration
		problem  string // "" for none
	}{
		{"defaults", nil, 1, 250 * time.Millisecond, ""},
		{"sentinels", map[string]string{"REDIS_URL": "redis://s1:26379?addr=s2:26379&addr=s3:26379&master_name=mymaster&password=pw"}, 1, 250 * time.Millisecond, ""},
		{"sentinels over TLS", map[string]string{"REDIS_URL": "rediss://s1:26379?master_name=m"}, 1, 250 * time.Millisecond, ""},
		{"no master name", map[string]string{"REDIS_URL": "redis://:secret9@s1:26379?addr=s2:26379"}, 0, 0, "REDIS_URL: a Sentinel set needs master_name"},
		{"unknown option", map[string]string{"REDIS_URL": "redis://:secret9@r:6379?colour=blue"}, 0, 0, "REDIS_URL: redis: unexpected option: colour"},
		{"no waiting", map[string]string{"EXAMDESK_REDIS_WAIT": "0"}, 0, 250 * time.Millisecond, ""},
		{"two replicas", map[string]string{"EXAMDESK_REDIS_WAIT": "2"}, 2, 250 * time.Millisecond, ""},
		{"a timeout", map[string]string{"EXAMDESK_REDIS_WAIT": "1, 100ms"}, 1, 100 * time.Millisecond, ""},
		{"not a number", map[string]string{"EXAMDESK_REDIS_WAIT": "one"}, 0, 0, `EXAMDESK_REDIS_WAIT "one" is not a number of replicas`},
		{"negative", map[string]string{"EXAMDESK_REDIS_WAIT": "-1"}, 0, 0, `EXAMDESK_REDIS_WAIT "-1" is not a number of replicas`},
		{"a bad timeout", map[string]string{"EXAMDESK_REDIS_WAIT": "1,soon"}, 0, 0, `EXAMDESK_REDIS_WAIT "1,soon" has a timeout "soon" that is not a duration`},
		{"too long", map[string]string{"EXAMDESK_REDIS_WAIT": "1,5s"}, 0, 0, `EXAMDESK_REDIS_WAIT "1,5s" has a timeout "5s" that is not a duration of 1ms to 2s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"TELEGRAM_BOT_TOKEN": testToken}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := loadConfig(func(k string) string { return env[k] })
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) || strings.Count(err.Error(), "\n") != 0 {
					t.Fatalf("loadConfig(%v) error = %v; want one line with %q", tt.env, err, tt.problem)
				}
				if strings.Contains(err.Error(), "secret9") {
					t.Errorf("loadConfig(%v) error = %v; want the password left out", tt.env, err)
				}
				return
			}
			if err != nil || c.waitReplicas != tt.replicas || c.waitTimeout != tt.timeout {
				t.Errorf("loadConfig(%v) = wait %d, %v, error %v; want %d, %v", tt.env, c.waitReplicas, c.waitTimeout, err, tt.replicas, tt.timeout)
			}
		})
	}
}
