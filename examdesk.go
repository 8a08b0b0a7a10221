// Package examdesk holds the vocabulary every other package of the bot
// shares: the languages it speaks, the qualification levels, the key of a
// conversation, the time zone its days and send times are in, a text's
// length as Telegram counts it, and a wait that ends with its context. It
// imports no other package of the project.
package examdesk

import (
	"context"
	"time"
	"unicode/utf16"
)

// The languages, as the locales, the dialog state and the subscriber
// records write them.
const (
	Traditional = "zh-Hant" // Traditional Chinese
	Simplified  = "zh-Hans" // Simplified Chinese
	English     = "en"
)

// Languages the bot speaks, in the order it offers them (/lang, the
// administrator's buttons).
var Languages = []string{Traditional, Simplified, English}

// Level is a qualification level: 4 is the lowest, 1 the highest; 0 is
// no level known.
type Level int

// Key names one conversation: a user in a chat. In a private chat the two
// ids are equal; in a group every member has a conversation of their own.
type Key struct {
	Chat int64
	User int64
}

// China is the time zone the exams, their dates and every send time are in
// (UTC+8; China has no daylight saving time).
var China = time.FixedZone("UTC+8", 8*60*60)

// UTF16Len is the length of s as Telegram counts it, in UTF-16 code units.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Sleep waits d, or until ctx is done, and returns ctx's error if it is.
// A d of zero or less does not wait.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
