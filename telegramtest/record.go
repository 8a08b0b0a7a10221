package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Call is one request the server answered.
type Call struct {
	// Method is the method's canonical name ("sendMessage"), whatever case
	// the bot used; an unknown method keeps the name it was called by.
	Method string
	// Params holds every parameter as a string, as Telegram reads them:
	// JSON-encoded ones (reply_markup, commands, ...) keep their JSON text.
	Params map[string]string
	// ReplyMarkup is reply_markup parsed, or nil when absent or not JSON.
	ReplyMarkup map[string]any
	// Files are the files uploaded in a multipart request, by form field
	// (their parameter in Params is the file name); nil when none.
	Files map[string]Upload
	// Time is when the request arrived.
	Time time.Time
	// Status is the HTTP status of the answer, which is also its
	// error_code; 0 when the client went away before it.
	Status int
	// Description is the answer's description: the error for a failure.
	Description string
	// Result is the result of a successful call, as JSON.
	Result json.RawMessage
	// Delivered reports whether the call was carried out: every
	// successful call, and one failed with a failure that comes after
	// delivery (Delivered) or whose answer the client did not wait for
	// (SlowAnswers).
	Delivered bool
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == 200 }

// ChatID returns the call's chat_id, or 0 when it has none.
func (c Call) ChatID() int64 { return params(c.Params).int("chat_id", 0) }

// Buttons returns the rows of the inline keyboard the call sent, with each
// button's text, url and callback_data, or nil when it sent none.
func (c Call) Buttons() [][]Button {
	var m InlineKeyboardMarkup
	if json.Unmarshal([]byte(c.Params["reply_markup"]), &m) != nil {
		return nil
	}
	return m.InlineKeyboard
}

// MessageID returns the message_id of the message a successful
// sendMessage or edit returned, or 0.
func (c Call) MessageID() int {
	var m struct {
		ID int `json:"message_id"`
	}
	json.Unmarshal(c.Result, &m)
	return m.ID
}

// String describes the call in a line, for failure messages.
func (c Call) String() string {
	var b strings.Builder
	b.WriteString(c.Method)
	if id := c.ChatID(); id != 0 {
		fmt.Fprintf(&b, " chat %d", id)
	}
	if t, ok := c.Params["text"]; ok {
		fmt.Fprintf(&b, " %q", t)
	}
	if !c.OK() {
		fmt.Fprintf(&b, " → %d %s", c.Status, c.Description)
	}
	return b.String()
}

// record adds a call and wakes the waiters.
func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notify()
}

// Calls returns every call so far, in the order they were answered.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls of method (matched case-insensitively), in order.
func (s *Server) CallsTo(method string) []Call {
	return filter(s.Calls(), method)
}

func filter(calls []Call, method string) []Call {
	var out []Call
	for _, c := range calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// EditPrefix marks, in Sent, a text that replaced an earlier one.
const EditPrefix = "[edited] "

// Sent returns the texts the bot sent to chatID, in order and as it wrote
// them (markup included): those of sendMessage calls delivered, and those
// of editMessageText calls delivered behind EditPrefix.
func (s *Server) Sent(chatID int64) []string {
	var out []string
	for _, c := range s.Calls() {
		if !c.Delivered || c.ChatID() != chatID {
			continue
		}
		switch c.Method {
		case "sendMessage":
			out = append(out, c.Params["text"])
		case "editMessageText":
			out = append(out, EditPrefix+c.Params["text"])
		}
	}
	return out
}

// WaitFor waits until done, given every call so far, returns true. It fails
// with ctx's error, and the calls it saw, when ctx ends first.
func (s *Server) WaitFor(ctx context.Context, done func([]Call) bool) error {
	for {
		s.mu.Lock()
		calls := append([]Call(nil), s.calls...)
		changed := s.changed
		s.mu.Unlock()
		if done(calls) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: %w waiting, after %d calls: %s", ctx.Err(), len(calls), summary(calls))
		}
	}
}

// WaitCalls waits until method has been called at least n times and returns
// its calls.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) ([]Call, error) {
	var got []Call
	err := s.WaitFor(ctx, func(calls []Call) bool {
		got = filter(calls, method)
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("wait for %d %s calls, got %d: %w", n, method, len(got), err)
	}
	return got, nil
}

// summary lists the last calls other than getUpdates, for error messages.
func summary(calls []Call) string {
	var parts []string
	polls := 0
	for _, c := range calls {
		if c.Method == "getUpdates" && c.OK() {
			polls++
			continue
		}
		parts = append(parts, c.String())
	}
	if len(parts) > 10 {
		parts = append([]string{"..."}, parts[len(parts)-10:]...)
	}
	return "[" + strings.Join(parts, "; ") + "] and " + strconv.Itoa(polls) + " getUpdates"
}
