// Package inbox is the durable queue between receiving Telegram updates and
// handling them: an update is acknowledged to Telegram only once it is
// recorded, each update is handled at most once, and the updates of one
// chat are handled one at a time, in update_id order, by whichever process
// holds the chat's lease.
package inbox

import (
	"context"
	"errors"

	"examdesk/dialog"
)

// Update is one thing a user sent, as decoded once at intake: its
// update_id, the conversation it belongs to and the dialog's input.
// Updates that need no answer (an edit, a member joining) are never
// queued.
type Update struct {
	ID   int64
	Chat int64
	User int64
	// Input is what the user sent: a text (empty for a sticker or a voice
	// note), a pressed option, or a picture (its reference and caption,
	// never the picture).
	Input dialog.Input
	// Callback is the id of the pressed button's callback query, for the
	// transport to answer; "" for a message.
	Callback string
}

// Job is the next update of a chat whose lease the holder has, with what
// handling it needs.
type Job struct {
	// Chat whose lease is held.
	Chat int64
	// Update to handle; zero when the job only carries an Outbox left
	// behind by a holder that died.
	Update Update
	// State of the update's conversation (Chat, User), Version 0 if none.
	State dialog.State
	// Outbox holds the outbox entries (each as its holder encoded it:
	// conversation.Entry) committed by a previous holder of the chat that
	// died before it sent them; send them first. An entry that may have
	// been in flight when it died is not among them: it is never sent
	// twice.
	Outbox [][]byte
	// Lease identifies the holder's lease on the chat.
	Lease string
	// Unreadable is set when the update was recorded in a form this
	// release cannot read (an older release's): Update has only its ID,
	// Chat and User, and the holder commits it without an answer.
	Unreadable bool
}

// Errors of a Queue.
var (
	// ErrLeaseLost: the chat's lease expired and another holder may have
	// taken it; drop the job without sending anything.
	ErrLeaseLost = errors.New("inbox: lease on chat lost")
)

// Queue records updates and hands them out, chat by chat.
//
// Add records updates durably and returns only then; an update whose id
// was added within the deduplication window (at least 24 h) is dropped, so
// a redelivered update is handled at most once. It returns how many were
// new.
//
// Claim takes the lease of a chat that has pending updates (or an unsent
// outbox) and that nobody holds, oldest first, and returns its first job;
// ok is false when no chat is ready.
//
// Commit, while the lease is held, atomically saves st as the state of the
// job's conversation, removes the job's update from the queue and records
// out as the chat's outbox, and returns the state saved, at its new
// version. The save is a compare-and-set on st.Version: when the stored
// version is another, Commit changes nothing and returns the state stored
// now (Version 0 when there is none) with dialog.ErrConflict, for the
// holder to step again from. Without the lease it returns ErrLeaseLost and
// changes nothing.
//
// Sent records that the first n entries of the outbox were sent.
//
// Next, after the outbox is sent, clears it and returns the chat's next
// job under the same lease; when the chat has no more pending updates, it
// gives the chat's lease up and claims another ready chat as Claim does,
// returning that chat's first job under a new lease; ok is false when no
// chat is ready. A holder thus goes from chat to chat without Claim.
//
// Release gives the lease up without handling anything, for shutdown.
//
// Implementations are safe for concurrent use by many holders in many
// processes.
type Queue interface {
	Add(ctx context.Context, us []Update) (added int, err error)
	Claim(ctx context.Context) (j Job, ok bool, err error)
	Commit(ctx context.Context, j Job, st dialog.State, out [][]byte) (dialog.State, error)
	Sent(ctx context.Context, j Job, n int) error
	Next(ctx context.Context, j Job) (next Job, ok bool, err error)
	Release(ctx context.Context, j Job) error
}
