package bot_test

import (
	"context"
	"errors"
	"testing"

	"examdesk/bot"
)

func TestEdit(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	ctx := context.Background()
	const chat = 5
	id, err := f.sender.SendMessage(ctx, chat, bot.Outgoing{Text: "<b>one</b>", Keyboard: [][]bot.Button{{{Text: "Stop", Data: "0|x"}}}})
	if err != nil || id <= 0 {
		t.Fatalf("SendMessage() = %d, %v; want a message id", id, err)
	}
	tests := []struct {
		name string
		msg  int
		o    bot.Outgoing
		want func(error) bool
		text string // the message's text after the edit
	}{
		{"edit", id, bot.Outgoing{Text: "<b>two</b> &amp; more", Keyboard: [][]bot.Button{{{Text: "Stop", Data: "0|x"}}}}, isNil, "two & more"},
		{"not modified", id, bot.Outgoing{Text: "<b>two</b> &amp; more", Keyboard: [][]bot.Button{{{Text: "Stop", Data: "0|x"}}}}, isNil, "two & more"},
		{"keyboard dropped", id, bot.Outgoing{Text: "<b>two</b> &amp; more"}, isNil, "two & more"},
		{"gone", id + 100, bot.Outgoing{Text: "three"}, func(err error) bool { return errors.Is(err, bot.ErrUneditable) }, "two & more"},
		{"bad markup", id, bot.Outgoing{Text: "<b>three"}, func(err error) bool {
			var apiErr *bot.APIError
			return errors.As(err, &apiErr) && apiErr.Code == 400 && !errors.Is(err, bot.ErrUneditable)
		}, "two & more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.sender.Edit(ctx, chat, tt.msg, tt.o)
			if !tt.want(err) {
				t.Errorf("Edit(%d, %q) = %v", tt.msg, tt.o.Text, err)
			}
			msgs := f.srv.Messages(chat)
			if len(msgs) != 1 || msgs[0].Text != tt.text {
				t.Errorf("after Edit the chat holds %+v; want one message %q", msgs, tt.text)
			}
			if tt.name == "keyboard dropped" && msgs[0].ReplyMarkup != nil {
				t.Errorf("after Edit without a keyboard the message has %+v", msgs[0].ReplyMarkup)
			}
		})
	}
}

func isNil(err error) bool { return err == nil }
