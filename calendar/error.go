package calendar

import (
	"fmt"
	"strings"
)

// Error is a mistake in what an administrator entered (a date, a session),
// told as a message key of the locales with its arguments, so that each
// console can say it in its own language: the Telegram command through
// dialog.T(e.Key, e.Args...), the command line through the English
// messages.
type Error struct {
	// Key is the message key, like "calendar.error.order".
	Key string
	// Args alternates argument names and values, as dialog.T takes them.
	// The values are strings (dates in the form YYYY-MM-DD) or ints.
	Args []any
}

// Error returns the key and the arguments, like
// "calendar.error.order (Closes=2026-05-10, Exam=2026-05-09)"; consoles
// show the localized message instead.
func (e *Error) Error() string {
	if len(e.Args) < 2 {
		return e.Key
	}
	var b strings.Builder
	b.WriteString(e.Key)
	b.WriteString(" (")
	for i := 0; i+1 < len(e.Args); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%v=%v", e.Args[i], e.Args[i+1])
	}
	b.WriteString(")")
	return b.String()
}

// errorf returns an *Error with key and the alternating names and values
// args.
func errorf(key string, args ...any) *Error { return &Error{Key: key, Args: args} }
