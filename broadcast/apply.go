package broadcast

import (
	"context"
	"fmt"

	"examdesk/dialog"
)

// Apply applies the effect sub of a dialog step on the subscription of
// the private chat chat to subs; applying it again changes nothing more.
// It keeps what the step does not change: Subscribe and Remind keep the
// level of an earlier check when the step knows of none, Subscribe keeps
// the reminder choice, NoRemind changes only the reminder choice (in one
// step, leaving an unsubscribed user unsubscribed), and Update changes
// only a user who is subscribed and active. For Subscribe, Remind and
// Update the record is read then written: a change made in between by
// another process (a broadcast meeting a 403) may be overwritten.
func Apply(ctx context.Context, subs Subscribers, chat int64, sub dialog.Subscription) error {
	switch sub.Op {
	case dialog.Unsubscribe:
		if err := subs.Unsubscribe(ctx, chat); err != nil {
			return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
		}
		return nil
	case dialog.Forget:
		if err := subs.Forget(ctx, chat); err != nil {
			return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
		}
		return nil
	case dialog.NoRemind:
		// Active or not, the user stays as they are: /remind off after
		// /stop must not bring the broadcasts back.
		if err := subs.SetRemind(ctx, chat, false); err != nil {
			return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
		}
		return nil
	case dialog.Subscribe, dialog.Remind, dialog.Update:
	default:
		return fmt.Errorf("apply subscription change to chat %d: unknown operation %d", chat, int(sub.Op))
	}
	old, active, found, err := subs.Get(ctx, chat)
	if err != nil {
		return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
	}
	if sub.Op == dialog.Update && !active {
		return nil
	}
	next := Subscriber{Chat: chat, Lang: sub.Lang, Level: old.Level, Remind: old.Remind}
	if sub.Checked {
		next.Level = sub.Level
	}
	if sub.Op == dialog.Remind {
		next.Remind = true
	}
	if found && active && next == old {
		return nil
	}
	if err := subs.Subscribe(ctx, next); err != nil {
		return fmt.Errorf("apply %s to chat %d: %w", sub.Op, chat, err)
	}
	return nil
}
