package redisstore_test

import (
	"strings"
	"testing"

	"examdesk/redisstore"
	"examdesk/redisstore/redistest"
)

// TestOpenTLS opens stores with rediss:// URLs on servers with
// certificates of a test CA: one server, and the master of a sentinel
// whose certificate names it localhost while the master's names its
// address, 127.0.0.1, which the sentinel announces. Each certificate is
// checked against the address its server is reached at; a CA the store
// does not trust is refused.
func TestOpenTLS(t *testing.T) {
	t.Parallel()
	ca := redistest.NewCA(t)
	master := redistest.StartTLS(t, ca)
	sentinel := redistest.StartSentinelTLS(t, ca, master)
	tests := []struct {
		name, url string
	}{
		{"one server", master.URL},
		{"sentinel", sentinel.URL + "?master_name=" + redistest.MasterName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := redisstore.Open(t.Context(), tt.url); err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("Open(%q) trusting the system's CAs = %v; want the test CA's certificate refused", tt.url, err)
			}
			st, err := redisstore.Open(t.Context(), tt.url, redisstore.WithRootCAs(ca.Pool), redisstore.WithPrefix("tls:"+tt.name+":"))
			if err != nil {
				t.Fatalf("Open(%q) error: %v", tt.url, err)
			}
			defer st.Close()
			if err := st.Client().Set(t.Context(), st.Prefix()+"k", "v", 0).Err(); err != nil {
				t.Fatalf("SET through %q: %v", tt.url, err)
			}
			if got := st.Client().Get(t.Context(), st.Prefix()+"k").Val(); got != "v" {
				t.Errorf("GET through %q = %q; want v", tt.url, got)
			}
		})
	}
}
