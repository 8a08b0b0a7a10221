package broadcast_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"examdesk/broadcast"
	"examdesk/broadcast/broadcasttest"
	"examdesk/dialog"
)

// forgetful remembers users until it forgets them; fail makes its next
// Forget fail.
type forgetful struct {
	users map[int64]bool
	fail  error
}

func (f *forgetful) Forget(_ context.Context, user int64) error {
	if err := f.fail; err != nil {
		f.fail = nil
		return err
	}
	delete(f.users, user)
	return nil
}

// TestAlsoForget checks that /forget, applied through AlsoForget, forgets
// the user in the subscribers and in the others, that a failure is told
// and that applying it again completes it, and that the other effects do
// not touch the others.
func TestAlsoForget(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	subs := &broadcasttest.Subscribers{}
	texts := &forgetful{users: map[int64]bool{7: true, 8: true}}
	both := broadcast.AlsoForget(subs, texts)
	for _, chat := range []int64{7, 8} {
		if err := subs.Subscribe(ctx, broadcast.Subscriber{Chat: chat, Lang: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := broadcast.Apply(ctx, both, 7, dialog.Subscription{Op: dialog.Unsubscribe}); err != nil || !texts.users[7] {
		t.Errorf("Apply(unsubscribe) = %v, user 7 kept %v; want nil, kept", err, texts.users[7])
	}
	texts.fail = errors.New("redis down")
	if err := broadcast.Apply(ctx, both, 7, dialog.Subscription{Op: dialog.Forget}); err == nil || !texts.users[7] {
		t.Errorf("Apply(forget) with the other failing = %v, user 7 kept %v; want an error, kept", err, texts.users[7])
	}
	if err := broadcast.Apply(ctx, both, 7, dialog.Subscription{Op: dialog.Forget}); err != nil {
		t.Errorf("Apply(forget) again = %v; want nil", err)
	}
	_, _, found, err := subs.Get(ctx, 7)
	if err != nil || found || texts.users[7] {
		t.Errorf("after /forget: subscriber found %v (%v), other kept %v; want neither", found, err, texts.users[7])
	}
	if _, _, found, _ := subs.Get(ctx, 8); !found || !texts.users[8] {
		t.Errorf("user 8 forgotten too")
	}
	if got := slices.Sorted(maps.Keys(texts.users)); !slices.Equal(got, []int64{8}) {
		t.Errorf("the other keeps %v; want [8]", got)
	}
}
