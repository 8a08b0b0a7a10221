package redisstore

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk/stats"
)

// TestStatsRecordInside checks that stats_record.lua, included in another
// script, records in that script's run: how the update's commit may
// count its events without a round trip of their own.
func TestStatsRecordInside(t *testing.T) {
	st, stop, err := OpenEmbedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	s, ctx := st.Stats(), t.Context()
	// A "commit" that sets KEYS[1] and then, when ARGV[1] is "ok",
	// records the events passed after its own key and argument.
	commit := redis.NewScript(statsRecordLua + `
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[1] ~= 'ok' then return 0 end
local K, A = {}, {}
for i = 2, #KEYS do K[#K + 1] = KEYS[i] end
for i = 2, #ARGV do A[#A + 1] = ARGV[i] end
return stats_record(K, A)
`)
	for _, outcome := range []string{"ok", "conflict", "ok"} {
		keys, args, err := s.recordArgs(stats.Events{At: time.Now(), User: 5, Message: true, Topics: []string{"photo"}}, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := commit.Run(ctx, st.client, append([]string{"commit"}, keys...), append([]any{outcome}, args...)...).Err(); err != nil {
			t.Fatalf("commit %s: %v", outcome, err)
		}
	}
	r, err := s.Report(ctx, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Days[0]; d.Messages != 2 || d.NewUsers != 1 || r.Topics["photo"] != 2 {
		t.Errorf("after two commits and a conflict: %+v, topics %v; want 2 messages, 1 new user, photo 2", d, r.Topics)
	}
}
