// Package broadcast is the contract of the bot's announcements: a Notice
// written by the testing centre is sent once to every subscriber matching
// its Filter, in the subscriber's language, paced within Telegram's limits,
// across restarts and across the serve processes sharing a Redis. It
// declares the subscriber list and the durable queue it needs and the
// Deliverer that drains the queue; it imports no Telegram and no Redis
// package.
package broadcast

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"examdesk"
)

// MaxText is the longest text, in UTF-16 code units as Telegram counts
// them, that a notice may carry in any language.
const MaxText = 4096

// Subscriber is a user who started the bot (private chats only).
type Subscriber struct {
	Chat   int64
	Lang   string         // one of examdesk.Languages
	Level  examdesk.Level // highest eligible level from the check, 1–4; 0 when unknown
	Remind bool           // opted in to reminders
}

// Filter selects active subscribers; zero fields match everyone.
type Filter struct {
	Lang   string
	Level  examdesk.Level
	Remind bool
}

// Match reports whether s is selected by f (activity aside).
func (f Filter) Match(s Subscriber) bool {
	if f.Lang != "" && s.Lang != f.Lang {
		return false
	}
	if f.Level != 0 && s.Level != f.Level {
		return false
	}
	if f.Remind && !s.Remind {
		return false
	}
	return true
}

// Subscribers is the list of subscribers (redisstore.Subscribers
// implements it).
type Subscribers interface {
	Subscribe(ctx context.Context, s Subscriber) error // add or update, and make active
	Unsubscribe(ctx context.Context, chat int64) error // /stop: kept, inactive
	// SetRemind changes the reminder choice of chat, active or not, in
	// one step; an unknown chat stays unknown.
	SetRemind(ctx context.Context, chat int64, remind bool) error
	Block(ctx context.Context, chat int64) error  // 403: kept, inactive
	Forget(ctx context.Context, chat int64) error // delete everything kept about chat
	Get(ctx context.Context, chat int64) (s Subscriber, active bool, found bool, err error)
	Count(ctx context.Context, f Filter) (int, error)
	// List returns up to n active subscribers matching f with Chat > after, by Chat ascending.
	List(ctx context.Context, f Filter, after int64, n int) ([]Subscriber, error)
}

// Notice is a broadcast: Texts by language, "" for all languages (a
// language without its own text gets Texts[""]); plain UTF-8 text, sent
// exactly as written (escaped for the parse mode used).
type Notice struct {
	ID      string // set by Create when empty; a given ID makes Create idempotent (reminders use "r-<session>-<kind>")
	Texts   map[string]string
	Filter  Filter
	At      time.Time // send time; zero = now
	By      string    // who: "tg:<user id>" or "cli:<$USER>"
	Created time.Time
	// Watch, if non-zero, is the admin chat to keep a progress message in
	// (bot.Progress keeps it up to date).
	Watch     int64
	WatchLang string
}

// Text returns the text n sends to a subscriber speaking lang: its own
// text if any, else Texts[""].
func (n Notice) Text(lang string) string {
	if t, ok := n.Texts[lang]; ok && t != "" {
		return t
	}
	return n.Texts[""]
}

// State is where a broadcast is in its life.
type State string

// States of a broadcast.
const (
	Queued    State = "queued"
	Sending   State = "sending"
	Done      State = "done"
	Cancelled State = "cancelled"
)

// Status is what `examdesk broadcast status` prints:
// {"id","state","total","sent","blocked","failed","pending"}.
type Status struct {
	ID      string `json:"id"`
	State   State  `json:"state"`
	Total   int    `json:"total"`
	Sent    int    `json:"sent"`
	Blocked int    `json:"blocked"`
	Failed  int    `json:"failed"`
	Pending int    `json:"pending"`

	// Fields below are not part of the status JSON.

	At      time.Time `json:"-"` // when sending starts
	By      string    `json:"-"`
	Created time.Time `json:"-"`
	// Finished is when the broadcast became done or cancelled; zero before.
	Finished time.Time `json:"-"`
}

// Errors of a Queue.
var (
	ErrNotFound = errors.New("broadcast: no such broadcast")
	ErrTooLong  = errors.New("broadcast: text over 4096 characters")
	ErrExists   = errors.New("broadcast: a broadcast with this id exists")
	ErrEmpty    = errors.New("broadcast: empty text")
)

// Queue is the durable broadcast queue shared by all serve processes
// (redisstore.Broadcasts implements it).
//
// Create snapshots the audience (List/paging) at creation; it refuses a
// text over MaxText (ErrTooLong) or a notice without text (ErrEmpty); for
// an existing ID it returns that broadcast's status and ErrExists.
//
// Status returns a broadcast's counts and its notice, ErrNotFound for an
// unknown id. Cancel stops a queued or sending broadcast: no pending
// recipient is sent to afterwards (a send in flight may still complete);
// cancelling a finished broadcast returns its status unchanged. List
// returns up to n broadcasts, most recent first.
type Queue interface {
	Create(ctx context.Context, n Notice, audience Subscribers) (Status, error)
	Status(ctx context.Context, id string) (Status, Notice, error)
	Cancel(ctx context.Context, id string) (Status, error)
	List(ctx context.Context, n int) ([]Status, error)
}

// NewID returns a new broadcast ID, which sorts by creation time:
// "b-<UTC time>-<6 random letters or digits>".
func NewID(now time.Time) string {
	return "b-" + now.UTC().Format("20060102T150405") + "-" + strings.ToLower(rand.Text()[:6])
}
