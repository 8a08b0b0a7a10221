package redisstore

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/broadcast"
)

// Subscribers is the list of subscribers in Redis, a broadcast.Subscribers.
// It keeps no time to live: a subscriber stays until Forget. Its keys are
// sub:<chat>, the indexes subs, subs:lang:<lang>, subs:level:<1–4> and
// subs:remind, and inactive (see keys.go); its scripts are lua/sub_*.lua.
//
// Every change rewrites a chat's record and its index entries in one Lua
// script, so the indexes always agree with the records. Forget deletes the
// chat's record, index entries and inactive mark, the state of its private
// conversation, state:<chat>:<chat>, and its place in the broadcasts, in
// one script. Count and List walk the smallest index the filter needs and
// check the others, in one script each; a page of List then reads its
// records in one pipeline.
type Subscribers struct {
	st *Store
}

var _ broadcast.Subscribers = (*Subscribers)(nil)

// Subscribers returns the list of subscribers kept in the store's Redis
// under its prefix.
func (s *Store) Subscribers() *Subscribers { return &Subscribers{st: s} }

// maxChat is the largest chat id an index keeps exactly (a sorted set's
// score is a float64); Telegram's ids have at most 52 significant bits.
const maxChat = 1 << 53

// indexes returns the keys of every index: all, remind, the languages, the
// levels 1–4.
func (s *Subscribers) indexes() []string {
	k := s.st.k
	keys := []string{k.subscribers(), k.reminded()}
	for _, l := range examdesk.Languages {
		keys = append(keys, k.byLang(l))
	}
	for l := examdesk.Level(1); l <= 4; l++ {
		keys = append(keys, k.byLevel(l))
	}
	return keys
}

func checkChat(chat int64) error {
	if chat <= 0 || chat > maxChat {
		return fmt.Errorf("chat %d is not a private chat", chat)
	}
	return nil
}

// keys returns the keys every change script takes: the record, the
// inactive set, then the indexes.
func (s *Subscribers) keys(chat int64) []string {
	return append([]string{s.st.k.subscriber(chat), s.st.k.inactive()}, s.indexes()...)
}

// Subscribe adds s, or updates its language, level and reminders, and
// makes it active. The chat must be a private chat (a positive id), the
// language one of broadcast's and the level 0–4.
func (s *Subscribers) Subscribe(ctx context.Context, sub broadcast.Subscriber) error {
	if err := checkChat(sub.Chat); err != nil {
		return fmt.Errorf("subscribe chat %d: %w", sub.Chat, err)
	}
	lang := slices.Index(examdesk.Languages, sub.Lang)
	if lang < 0 {
		return fmt.Errorf("subscribe chat %d: unknown language %q", sub.Chat, sub.Lang)
	}
	if sub.Level < 0 || sub.Level > 4 {
		return fmt.Errorf("subscribe chat %d: level %d is not 0–4", sub.Chat, sub.Level)
	}
	// Positions in keys, counted from 1 as Lua does: record, inactive,
	// all, remind, the languages, the levels 1–4.
	langKey, levelKey := 5+lang, 0
	if sub.Level > 0 {
		levelKey = 5 + len(examdesk.Languages) + int(sub.Level) - 1
	}
	remind := "0"
	if sub.Remind {
		remind = "1"
	}
	err := subscribeScript.Run(ctx, s.st.client, s.keys(sub.Chat),
		sub.Chat, sub.Lang, int(sub.Level), remind, time.Now().Unix(), langKey, levelKey).Err()
	if err != nil {
		return fmt.Errorf("subscribe chat %d: %w", sub.Chat, err)
	}
	return nil
}

// Unsubscribe makes chat inactive (/stop): its record is kept, so that
// /start brings it back as it was; nothing is sent to it any more. A chat
// that never subscribed stays unknown.
func (s *Subscribers) Unsubscribe(ctx context.Context, chat int64) error {
	if err := deactivateScript.Run(ctx, s.st.client, s.keys(chat), chat, "stop", "0").Err(); err != nil {
		return fmt.Errorf("unsubscribe chat %d: %w", chat, err)
	}
	return nil
}

// SetRemind changes chat's reminder choice without changing whether it is
// active: /remind off from a user who sent /stop leaves them stopped.
func (s *Subscribers) SetRemind(ctx context.Context, chat int64, remind bool) error {
	on := "0"
	if remind {
		on = "1"
	}
	if err := remindScript.Run(ctx, s.st.client, s.keys(chat), chat, on).Err(); err != nil {
		return fmt.Errorf("set reminders of chat %d: %w", chat, err)
	}
	return nil
}

// Block makes chat inactive because its user blocked the bot (Telegram's
// 403), and puts it in the inactive set whether it subscribed or not (a
// group that removed the bot, say).
func (s *Subscribers) Block(ctx context.Context, chat int64) error {
	if err := deactivateScript.Run(ctx, s.st.client, s.keys(chat), chat, "block", "1").Err(); err != nil {
		return fmt.Errorf("block chat %d: %w", chat, err)
	}
	return nil
}

// Forget deletes everything kept about chat, at once: its subscriber
// record, its index entries, its inactive mark, the state of its private
// conversation (the chat with itself), and its place in the broadcasts:
// their per-recipient outcomes, and their pending deliveries, which are
// counted as failed (a message in flight at that moment may still arrive,
// but nothing about it is recorded). Forgetting an
// unknown chat does nothing. The updates a chat sent are kept only until
// handled (and their ids for deduplication); conversations of the user
// in groups expire with the store's time to live.
func (s *Subscribers) Forget(ctx context.Context, chat int64) error {
	k := s.st.k
	keys := append([]string{k.subscriber(chat), k.inactive(), k.state(chat, chat), k.index()}, s.indexes()...)
	args := []any{chat, string(k)}
	for _, l := range examdesk.Languages {
		args = append(args, l)
	}
	if err := forgetScript.Run(ctx, s.st.client, keys, args...).Err(); err != nil {
		return fmt.Errorf("forget chat %d: %w", chat, err)
	}
	return nil
}

// Get returns the subscriber of chat, whether it is active, and whether
// there is one at all.
func (s *Subscribers) Get(ctx context.Context, chat int64) (sub broadcast.Subscriber, active bool, found bool, err error) {
	fields, err := s.st.client.HGetAll(ctx, s.st.k.subscriber(chat)).Result()
	if err != nil {
		return broadcast.Subscriber{}, false, false, fmt.Errorf("get subscriber %d: %w", chat, err)
	}
	if len(fields) == 0 {
		return broadcast.Subscriber{}, false, false, nil
	}
	sub, err = decodeSubscriber(chat, fields)
	if err != nil {
		return broadcast.Subscriber{}, false, false, fmt.Errorf("get subscriber %d: %w", chat, err)
	}
	return sub, fields["active"] == "1", true, nil
}

func decodeSubscriber(chat int64, fields map[string]string) (broadcast.Subscriber, error) {
	level, err := strconv.Atoi(fields["level"])
	if err != nil || level < 0 || level > 4 {
		return broadcast.Subscriber{}, fmt.Errorf("field level = %q is not 0–4", fields["level"])
	}
	return broadcast.Subscriber{Chat: chat, Lang: fields["lang"], Level: examdesk.Level(level), Remind: fields["remind"] == "1"}, nil
}

// filterKeys returns the indexes f needs: those of its level, reminders
// and language, or all when f selects everyone.
func (s *Subscribers) filterKeys(f broadcast.Filter) ([]string, error) {
	k := s.st.k
	var keys []string
	if f.Level != 0 {
		if f.Level < 0 || f.Level > 4 {
			return nil, fmt.Errorf("filter level %d is not 0–4", f.Level)
		}
		keys = append(keys, k.byLevel(f.Level))
	}
	if f.Remind {
		keys = append(keys, k.reminded())
	}
	if f.Lang != "" {
		if !slices.Contains(examdesk.Languages, f.Lang) {
			return nil, fmt.Errorf("filter language %q is unknown", f.Lang)
		}
		keys = append(keys, k.byLang(f.Lang))
	}
	if len(keys) == 0 {
		keys = append(keys, k.subscribers())
	}
	return keys, nil
}

// Count returns how many active subscribers f selects.
func (s *Subscribers) Count(ctx context.Context, f broadcast.Filter) (int, error) {
	keys, err := s.filterKeys(f)
	if err != nil {
		return 0, fmt.Errorf("count subscribers: %w", err)
	}
	n, err := pageScript.Run(ctx, s.st.client, keys, int64(math.MinInt64), 0, "1").Int()
	if err != nil {
		return 0, fmt.Errorf("count subscribers: %w", err)
	}
	return n, nil
}

// List returns up to n active subscribers that f selects with a chat id
// above after, by chat id. A page shorter than n is the last one.
func (s *Subscribers) List(ctx context.Context, f broadcast.Filter, after int64, n int) ([]broadcast.Subscriber, error) {
	keys, err := s.filterKeys(f)
	if err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	var out []broadcast.Subscriber
	for len(out) < n {
		want := n - len(out)
		ids, err := pageScript.Run(ctx, s.st.client, keys, after, want, "0").StringSlice()
		if err != nil {
			return nil, fmt.Errorf("list subscribers after %d: %w", after, err)
		}
		if len(ids) == 0 {
			break
		}
		page, last, err := s.read(ctx, f, ids)
		if err != nil {
			return nil, fmt.Errorf("list subscribers after %d: %w", after, err)
		}
		out = append(out, page...)
		if len(ids) < want {
			break
		}
		// Subscribers that changed between the two round trips were
		// left out: read on to fill the page.
		after = last
	}
	return out, nil
}

// read reads the records of the chats ids in one round trip and returns
// those still active and selected by f, and the last id.
func (s *Subscribers) read(ctx context.Context, f broadcast.Filter, ids []string) ([]broadcast.Subscriber, int64, error) {
	chats := make([]int64, len(ids))
	pipe := s.st.client.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		chat, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("index member %q is not a chat id", id)
		}
		chats[i] = chat
		cmds[i] = pipe.HGetAll(ctx, s.st.k.subscriber(chat))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, fmt.Errorf("read records: %w", err)
	}
	out := make([]broadcast.Subscriber, 0, len(ids))
	for i, chat := range chats {
		fields := cmds[i].Val()
		if fields["active"] != "1" {
			continue // unsubscribed or forgotten since the page was read
		}
		sub, err := decodeSubscriber(chat, fields)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", s.st.k.subscriber(chat), err)
		}
		if f.Match(sub) {
			out = append(out, sub)
		}
	}
	return out, chats[len(chats)-1], nil
}
