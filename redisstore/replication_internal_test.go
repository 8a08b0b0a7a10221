package redisstore

import (
	"testing"
	"time"
)

func TestReplicasInSync(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, info string
		want       int
	}{
		{"alone", "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n", 0},
		{"one", "role:master\r\nconnected_slaves:1\r\nslave0:ip=10.0.0.2,port=6379,state=online,offset=100,lag=0\r\n", 1},
		{"lagging", "role:master\r\nslave0:ip=a,port=1,state=online,offset=1,lag=4\r\nslave1:ip=b,port=1,state=online,offset=1,lag=3\r\n", 1},
		{"syncing", "role:master\r\nslave0:ip=a,port=1,state=wait_bgsave,offset=0,lag=0\r\n", 0},
		{"a replica itself", "role:slave\r\nmaster_host:a\r\nslave_read_repl_offset:5\r\nslave0:ip=a,port=1,state=online,offset=1,lag=0\r\n", 0},
		{"no lag", "role:master\r\nslave0:ip=a,port=1,state=online,offset=1\r\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := replicasInSync(tt.info, 3*time.Second); got != tt.want {
				t.Errorf("replicasInSync(%q) = %d; want %d", tt.info, got, tt.want)
			}
		})
	}
}
