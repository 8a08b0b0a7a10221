// Package inbox is the durable queue between receiving Telegram updates and
// handling them: an update is acknowledged to Telegram only once it is
// recorded, each update is handled at most once, the updates of one chat
// are handled one at a time, in update_id order, by whichever process
// holds the chat's lease, and each chat's outbox is sent at least once,
// in order, at the chat's pace.
package inbox

import (
	"context"
	"errors"
	"time"

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
	// behind.
	Update Update
	// State of the update's conversation (Chat, User), Version 0 if none.
	State dialog.State
	// Outbox holds the outbox entries (each as its holder encoded it:
	// conversation.Entry) committed by a previous holder of the chat and
	// not done: one that died, or gave the chat up with Release or
	// Defer, before it sent them all. Send them first, from the first:
	// it may have been in flight when a holder died, and is then sent
	// twice (at least once).
	Outbox [][]byte
	// Turn is the turn of the first entry of Outbox in the chat's pace.
	Turn Turn
	// Tries is how many times the first entry of Outbox failed (Defer
	// with Failure), and Failing how long ago it first did; 0 when it
	// never did.
	Tries   int
	Failing time.Duration
	// Lease identifies the holder's lease on the chat.
	Lease string
	// Unreadable is set when the update was recorded in a form this
	// release cannot read (an older release's): Update has only its ID,
	// Chat and User, and the holder commits it without an answer.
	Unreadable bool
}

// Turn is when an entry of an outbox may be sent, in the chat's pace.
type Turn struct {
	// Wait is how long until then.
	Wait time.Duration
	// Later is set when the turn was not taken, for it is further than
	// the queue takes turns ahead: the holder gives the chat up for Wait
	// (Defer with Turn), and the next holder takes it.
	Later bool
}

// Cause is why a holder gives a chat up until later, with Defer.
type Cause int

// Causes of Defer.
const (
	// Waiting: the entry's turn is later than the holder waits, or was
	// not taken (Turn.Later); a turn taken is kept, and the holder after
	// it sends the entry then, without taking another.
	Waiting Cause = iota + 1
	// Flood: the entry was refused until later (Telegram's 429) and was
	// not sent; the holder after it takes a new turn.
	Flood
	// Failure: sending the entry failed, perhaps after it was delivered
	// (a 5xx, a network error); the holder after it tries again and finds
	// the failure counted in Job.Tries.
	Failure
)

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
// Claim takes the lease of a chat that has pending updates (or an outbox
// not done) and that nobody holds, oldest first, and returns its first
// job; ok is false when no chat is ready. A chat given up with Defer is
// ready again when its delay is over, not before.
//
// Commit, while the lease is held, atomically saves st as the state of the
// job's conversation, removes the job's update from the queue and records
// out as the chat's outbox, none of it done, and returns the state saved,
// at its new version, and the turn of out's first entry. The save is a compare-and-set on st.Version: when the stored
// version is another, Commit changes nothing and returns the state stored
// now (Version 0 when there is none) with dialog.ErrConflict, for the
// holder to step again from. Without the lease it returns ErrLeaseLost and
// changes nothing.
//
// Sent records that the first n entries of the outbox (the one Commit
// recorded, or the job's Outbox) are done, and takes the turn of entry n.
// A holder calls it before each message that follows another: the message
// before is then known done, should the holder die while sending this
// one.
//
// The turns pace the messages of a chat, and the bot's, as the queue is
// told (a queue without a pace gives every turn at once): the first
// entry of a committed outbox, the first of a job's Outbox and each entry
// Sent names has one. A holder waits for a turn, or, when it is further
// than it cares to wait or not taken, gives the chat up until then with
// Defer(Waiting).
//
// Defer records that the first n entries of the outbox are done and gives
// the chat up for d: the chat is ready again after d, with the outbox's
// entry n first and the chat's pending updates behind it; cause says why.
// Release does the same with no delay, for shutdown or after a failure.
// Without the lease both do nothing.
//
// Next, after the outbox is done, clears it and returns the chat's next
// job under the same lease; when the chat has no more pending updates, it
// gives the chat's lease up and claims another ready chat as Claim does,
// returning that chat's first job under a new lease; ok is false when no
// chat is ready. A holder thus goes from chat to chat without Claim.
//
// A lease lasts a while (the queue's lease time) after Claim, Commit,
// Sent or Next took or renewed it; Renew, the holder's heartbeat, renews
// the leases of jobs still held, so that a holder keeps its chat while it
// waits or sends, however long, and loses it soon after it dies. A lease
// lost stays lost.
//
// Implementations are safe for concurrent use by many holders in many
// processes.
type Queue interface {
	Add(ctx context.Context, us []Update) (added int, err error)
	Claim(ctx context.Context) (j Job, ok bool, err error)
	Commit(ctx context.Context, j Job, st dialog.State, out [][]byte) (saved dialog.State, t Turn, err error)
	Sent(ctx context.Context, j Job, n int) (t Turn, err error)
	Defer(ctx context.Context, j Job, n int, d time.Duration, cause Cause) error
	Release(ctx context.Context, j Job, n int) error
	Next(ctx context.Context, j Job) (next Job, ok bool, err error)
	Renew(ctx context.Context, js []Job) error
}
