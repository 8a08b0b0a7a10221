package redisstore

import (
	"strconv"

	"examdesk"
)

// keys is the key schema: every key the store keeps, each under the
// store's prefix (the value of keys). A script that derives a key from
// what it reads builds it with lua/lib/keys.lua, which spells the same
// names; TestKeySchema checks that the two agree.
//
// Conversations (Store, Inbox):
//
//	state:<chat>:<user>  hash: v (the version, decimal) and d (the record of
//	                     dialog.EncodeState), expiring after the store's
//	                     time to live
//
// The update inbox (Inbox):
//
//	seen                 the number of the dedup period of the latest Add
//	seen:<n>             set of the update ids added in the nth period of
//	                     the dedup window since 1970
//	q:<chat>             sorted set of the chat's pending updates, scored by
//	                     update id, each member "<update id>|<user>|<JSON>"
//	ready                sorted set of the chats with pending work, scored by
//	                     the time in ms from which they may be claimed: when
//	                     they became ready, when their lease expires, or
//	                     when a chat given up with Defer is due again
//	lock:<chat>          the chat's lease, "<token>:<expiry in ms>"; a token
//	                     is "<owner>/<random>", the owner naming the process
//	                     (see Instance)
//	claim:<token>        the chat the lease token was taken on, until its
//	                     holder uses it, so that a Claim or Next sent again
//	                     by the client gets the same job
//	out:<chat>           list of the chat's outbox entries
//	sent:<chat>          how many entries of the outbox are done
//	turn:<chat>          the time in ms of the turn taken for the first entry
//	                     not done, kept by Defer(Turn) for the next holder
//	try:<chat>           hash: tries, since (ms): how many times the first
//	                     entry not done failed, and since when
//
// The processes (Instance):
//
//	inst:<name>          "<nonce>:<ms>": the process registered under name,
//	                     and when it last beat, expiring a lease after the
//	                     beat
//
// Long polling (PollerLease):
//
//	poller               the lease of the serve that polls Telegram,
//	                     "<owner>:<expiry in ms>"
//
// Broadcasts (Broadcasts):
//
//	bc:<id>              hash: the broadcast's record, kept for the audit and
//	                     never expiring: notice (JSON), state, total, sent,
//	                     blocked, failed, by, created, at, finished (times
//	                     in ms since 1970)
//	bc:<id>:todo         sorted set of the recipients not recorded yet,
//	                     members "<chat>|<lang>", scored by the time in ms
//	                     from which they may be claimed: the broadcast's At,
//	                     the end of a lease, or the time of a retry
//	bc:<id>:lease        hash: member → the lease token of its claim
//	bc:<id>:try          hash: member → the attempts made, after a retry
//	bc:<id>:out          hash: chat → what became of it: "sent", "blocked"
//	                     or "failed: <reason>" (the audit of each recipient)
//	bc:active            sorted set of the broadcasts queued or sending,
//	                     scored by their At in ms
//	bc:index             sorted set of every broadcast, scored by its
//	                     creation in ms
//	bc:stage:<r>         the recipients gathered by one Create, until it
//	                     commits
//
// Subscribers (Subscribers), kept until Forget:
//
//	sub:<chat>           hash: lang, level (0–4), remind (0|1), active (0|1),
//	                     since (Unix seconds it last became active), reason
//	                     (stop|block, while inactive)
//	subs                 sorted set of the active chats, score = chat id
//	subs:lang:<lang>     the active chats speaking lang, likewise
//	subs:level:<1–4>     the active chats whose highest level is that one
//	subs:remind          the active chats that want reminders
//	inactive             set of the chats that blocked the bot
//
// The pace (Limiter, and the turns of Inbox):
//
//	lim:tat              the next free send time of broadcasts, in ms, as a
//	                     decimal
//	lim:cut              hash: rate, at: the broadcast rate after the last 429
//	                     and when it was cut
//	lim:reply            hash: rate, at, tat: the rate replies are held to
//	                     after a 429, when it was cut, and their next free
//	                     send time; it expires RecoverAfter after the cut
//	lim:chat:<chat>      when the chat's bucket (Pace) is full again, in ms,
//	                     expiring then
//
// The exam calendar (Calendar), kept until removed:
//
//	calendar:sessions    hash: session ID → the session as JSON
//	calendar:holidays    hash: year → the year's holidays, holiday-cn JSON
//
// The administrators' console (Drafts, Progress):
//
//	draft:<user>         the administrator's broadcast draft, JSON
//	progress:<id>        hash: msg (the progress message's id) and ended
//	progress:<id>:lock   "<expiry in ms>:<owner>": who edits the message
//
// The statistics and the examples taught (Stats, and the counts the
// inbox's commit and the broadcasts' records add):
//
//	stats:day:<date>     hash of the day's counters (stats.Fields, and
//	                     new_users, active_users); expires MaxDays+34
//	                     days after the day
//	stats:seen           hash: user id → the last day they were seen
//	stats:q:<id>         hash of an unanswered question: text, lang,
//	                     count, last (day), until (Unix ms); expires at
//	                     until, stats.Keep after it was last asked
//	stats:q:<id>:askers  hash: user id → times they asked it; likewise
//	stats:qs             sorted set of the questions, score = count
//	stats:qexp           sorted set of the questions, score = until
//	stats:u:<user>       set of the questions the user asked; expires
//	                     with the last of them
//	stats:taught         set of the questions made examples
//	stats:examples       list of the examples, JSON, oldest first
//	stats:examples:v     the version of the examples: +1 each
//
// No key holds a user's text but stats:q:<id>, and that expires.
type keys string

func (k keys) state(chat, user int64) string {
	return string(k) + "state:" + itoa(chat) + ":" + itoa(user)
}

func (k keys) seen() string                { return string(k) + "seen" }
func (k keys) seenPeriod(n int64) string   { return string(k) + "seen:" + itoa(n) }
func (k keys) queue(chat int64) string     { return string(k) + "q:" + itoa(chat) }
func (k keys) ready() string               { return string(k) + "ready" }
func (k keys) lock(chat int64) string      { return string(k) + "lock:" + itoa(chat) }
func (k keys) claim(token string) string   { return string(k) + "claim:" + token }
func (k keys) outbox(chat int64) string    { return string(k) + "out:" + itoa(chat) }
func (k keys) sent(chat int64) string      { return string(k) + "sent:" + itoa(chat) }
func (k keys) turn(chat int64) string      { return string(k) + "turn:" + itoa(chat) }
func (k keys) try(chat int64) string       { return string(k) + "try:" + itoa(chat) }
func (k keys) instance(name string) string { return string(k) + "inst:" + name }
func (k keys) poller() string              { return string(k) + "poller" }
func (k keys) broadcast(id string) string  { return string(k) + "bc:" + id }
func (k keys) todo(id string) string       { return string(k) + "bc:" + id + ":todo" }
func (k keys) leases(id string) string     { return string(k) + "bc:" + id + ":lease" }
func (k keys) tries(id string) string      { return string(k) + "bc:" + id + ":try" }
func (k keys) outcomes(id string) string   { return string(k) + "bc:" + id + ":out" }
func (k keys) active() string              { return string(k) + "bc:active" }
func (k keys) index() string               { return string(k) + "bc:index" }
func (k keys) stage(r string) string       { return string(k) + "bc:stage:" + r }

func (k keys) subscriber(chat int64) string { return string(k) + "sub:" + itoa(chat) }
func (k keys) subscribers() string          { return string(k) + "subs" }
func (k keys) byLang(lang string) string    { return string(k) + "subs:lang:" + lang }
func (k keys) byLevel(level examdesk.Level) string {
	return string(k) + "subs:level:" + strconv.Itoa(int(level))
}
func (k keys) reminded() string { return string(k) + "subs:remind" }
func (k keys) inactive() string { return string(k) + "inactive" }

func (k keys) tat() string                { return string(k) + "lim:tat" }
func (k keys) cut() string                { return string(k) + "lim:cut" }
func (k keys) replies() string            { return string(k) + "lim:reply" }
func (k keys) chatPace(chat int64) string { return string(k) + "lim:chat:" + itoa(chat) }

func (k keys) sessions() string { return string(k) + "calendar:sessions" }
func (k keys) holidays() string { return string(k) + "calendar:holidays" }

func (k keys) draft(user int64) string       { return string(k) + "draft:" + itoa(user) }
func (k keys) progress(id string) string     { return string(k) + "progress:" + id }
func (k keys) progressLock(id string) string { return string(k) + "progress:" + id + ":lock" }

func (k keys) statsDay(date string) string { return string(k) + "stats:day:" + date }
func (k keys) statsSeen() string           { return string(k) + "stats:seen" }
func (k keys) question(id string) string   { return string(k) + "stats:q:" + id }
func (k keys) askers(id string) string     { return string(k) + "stats:q:" + id + ":askers" }
func (k keys) byCount() string             { return string(k) + "stats:qs" }
func (k keys) byExpiry() string            { return string(k) + "stats:qexp" }
func (k keys) asked(user int64) string     { return string(k) + "stats:u:" + itoa(user) }
func (k keys) taught() string              { return string(k) + "stats:taught" }
func (k keys) examples() string            { return string(k) + "stats:examples" }
func (k keys) examplesVersion() string     { return string(k) + "stats:examples:v" }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
