package redisstore_test

import (
	"context"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	t.Parallel()
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := b.open(t)
			p := st.Progress()
			const id = "b-20261127T060000-abcdef"

			if msg, ended, err := p.Message(ctx, id); msg != 0 || ended || err != nil {
				t.Errorf("Message(%s) at first = %d, %v, %v; want 0, false, nil", id, msg, ended, err)
			}
			claims := []struct {
				owner string
				want  bool
			}{
				{"a", true},  // free
				{"a", true},  // renewed
				{"b", false}, // held by a
			}
			for _, c := range claims {
				if ok, err := p.Claim(ctx, id, c.owner, time.Minute); ok != c.want || err != nil {
					t.Errorf("Claim(%s, %s) = %v, %v; want %v", id, c.owner, ok, err, c.want)
				}
			}
			// Released by a stranger: nothing; by its owner: free.
			if err := p.Release(ctx, id, "b"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := p.Claim(ctx, id, "b", time.Minute); ok {
				t.Errorf("Claim(%s, b) after b's Release = true; want a's claim kept", id)
			}
			if err := p.Release(ctx, id, "a"); err != nil {
				t.Fatal(err)
			}
			if ok, err := p.Claim(ctx, id, "b", time.Minute); !ok || err != nil {
				t.Errorf("Claim(%s, b) after a's Release = %v, %v; want true", id, ok, err)
			}
			if ok, err := p.Claim(ctx, "other", "b", time.Minute); !ok || err != nil {
				t.Errorf("Claim(other, b) = %v, %v; want true: claims are per broadcast", ok, err)
			}
			// A claim runs out.
			if ok, _ := p.Claim(ctx, "short", "a", time.Millisecond); !ok {
				t.Fatalf("Claim(short, a) = false")
			}
			time.Sleep(5 * time.Millisecond)
			if ok, err := p.Claim(ctx, "short", "b", time.Minute); !ok || err != nil {
				t.Errorf("Claim(short, b) after a's ran out = %v, %v; want true", ok, err)
			}

			if err := p.SetMessage(ctx, id, 42); err != nil {
				t.Fatal(err)
			}
			if msg, ended, err := p.Message(ctx, id); msg != 42 || ended || err != nil {
				t.Errorf("Message(%s) = %d, %v, %v; want 42, false, nil", id, msg, ended, err)
			}
			if err := p.End(ctx, id); err != nil {
				t.Fatal(err)
			}
			if msg, ended, err := p.Message(ctx, id); msg != 42 || !ended || err != nil {
				t.Errorf("Message(%s) after End = %d, %v, %v; want 42, true, nil", id, msg, ended, err)
			}
			ttl, err := st.Client().TTL(ctx, st.Prefix()+"progress:"+id).Result()
			if err != nil || ttl <= 24*time.Hour {
				t.Errorf("TTL(progress:%s) = %v, %v; want about 30 days", id, ttl, err)
			}
			if err := st.Client().HSet(ctx, st.Prefix()+"progress:bad", "msg", "x").Err(); err != nil {
				t.Fatal(err)
			}
			if _, _, err := p.Message(ctx, "bad"); err == nil {
				t.Errorf("Message(bad) of a bad record = nil error")
			}
			if err := p.SetMessage(ctx, "", 1); err == nil {
				t.Errorf("SetMessage of an empty id = nil error")
			}
		})
	}
}
