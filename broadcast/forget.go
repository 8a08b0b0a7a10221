package broadcast

import (
	"context"
	"errors"
	"fmt"
)

// Forgetter forgets what it keeps of a user (stats.Store is one).
type Forgetter interface {
	Forget(ctx context.Context, user int64) error
}

// AlsoForget returns subs whose Forget(chat), for a private chat (whose id
// is its user's), has each of others forget the user too, after subs: so
// /forget, applied with Apply, removes everything kept of the user, the
// texts of their unanswered questions with their subscription. Forgetting
// again is harmless, so a Forget that fails, even halfway, can be done
// again whole; its error names what failed.
func AlsoForget(subs Subscribers, others ...Forgetter) Subscribers {
	return &forgetting{Subscribers: subs, others: others}
}

type forgetting struct {
	Subscribers
	others []Forgetter
}

func (f *forgetting) Forget(ctx context.Context, chat int64) error {
	errs := []error{f.Subscribers.Forget(ctx, chat)}
	for _, o := range f.others {
		if err := o.Forget(ctx, chat); err != nil {
			errs = append(errs, fmt.Errorf("forget user %d: %w", chat, err))
		}
	}
	return errors.Join(errs...)
}
