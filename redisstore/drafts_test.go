package redisstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"examdesk/admin"
)

func TestDrafts(t *testing.T) {
	t.Parallel()
	full := admin.Draft{
		Version:       1764223200000001,
		Stage:         admin.StagePreview,
		PerLang:       true,
		Texts:         map[string]string{"zh-Hant": "通知 <b>&", "zh-Hans": "通知 😀", "en": "Notice\n  as written "},
		AudienceLang:  "en",
		AudienceLevel: 3,
		At:            time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC),
		ID:            "b-20261127T060000-abcdef",
	}
	for _, b := range stores {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := b.open(t)
			drafts := st.Drafts(time.Hour)

			if d, found, err := drafts.Load(ctx, 7); err != nil || found {
				t.Fatalf("Load(7) on an empty store = %+v, %v, %v; want not found", d, found, err)
			}
			for _, want := range []admin.Draft{{Version: 1, Stage: admin.StageText}, full} {
				if err := drafts.Save(ctx, 7, want); err != nil {
					t.Fatalf("Save(7) error: %v", err)
				}
				got, found, err := drafts.Load(ctx, 7)
				if err != nil || !found || !reflect.DeepEqual(got, want) || !got.At.Equal(want.At) {
					t.Errorf("Load(7) = %+v, %v, %v; want %+v", got, found, err, want)
				}
			}
			if _, found, _ := drafts.Load(ctx, 8); found {
				t.Errorf("Load(8) found user 7's draft")
			}
			ttl, err := st.Client().PTTL(ctx, st.Prefix()+"draft:7").Result()
			if err != nil || ttl <= 0 || ttl > time.Hour {
				t.Errorf("PTTL(draft:7) = %v, %v; want within the hour", ttl, err)
			}

			if err := drafts.Delete(ctx, 7); err != nil {
				t.Fatalf("Delete(7) error: %v", err)
			}
			if _, found, err := drafts.Load(ctx, 7); err != nil || found {
				t.Errorf("Load(7) after Delete = %v, %v; want not found", found, err)
			}
			if err := drafts.Delete(ctx, 7); err != nil {
				t.Errorf("Delete(7) of no draft = %v; want nil", err)
			}

			// A record that does not decode is no draft.
			if err := st.Client().Set(ctx, st.Prefix()+"draft:9", "{not json", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if d, found, err := drafts.Load(ctx, 9); err != nil || found {
				t.Errorf("Load(9) of a bad record = %+v, %v, %v; want not found", d, found, err)
			}
		})
	}
}

// TestDraftsDown: a store that cannot reach Redis says so.
func TestDraftsDown(t *testing.T) {
	t.Parallel()
	st := openEmbeddedStore(t)
	drafts := st.Drafts(0)
	st.Close()
	ctx := context.Background()
	if _, _, err := drafts.Load(ctx, 1); err == nil {
		t.Errorf("Load on a closed store = nil error")
	}
	if err := drafts.Save(ctx, 1, admin.Draft{}); err == nil {
		t.Errorf("Save on a closed store = nil error")
	}
	if err := drafts.Delete(ctx, 1); err == nil {
		t.Errorf("Delete on a closed store = nil error")
	}
}
