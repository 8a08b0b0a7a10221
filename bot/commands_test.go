package bot_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	tgbot "github.com/go-telegram/bot"

	"examdesk/bot"
	"examdesk/telegramtest"
)

func TestSetCommands(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	if err := bot.SetCommands(context.Background(), f.api, stubMessages); err != nil {
		t.Fatalf("SetCommands = %v", err)
	}
	tests := []struct {
		lang string
		want []telegramtest.BotCommand
	}{
		{"", []telegramtest.BotCommand{
			{Command: "start", Description: "Start over"},
			{Command: "check", Description: "Check which level you may apply for"},
			{Command: "photo", Description: "Check your photo"},
			{Command: "where", Description: "Addresses & maps"},
			{Command: "back", Description: "Undo your last answer"},
			{Command: "restart", Description: "Start the check over"},
			{Command: "cancel", Description: "Leave the check"},
			{Command: "lang", Description: "Choose the language"},
			{Command: "remind", Description: "Reminders of the exam dates"},
			{Command: "stop", Description: "Stop notices & reminders"},
			{Command: "forget", Description: "Delete everything kept about you"},
			{Command: "help", Description: "Help & topics"},
		}},
		{"zh", []telegramtest.BotCommand{
			{Command: "start", Description: "重新开始"},
			{Command: "check", Description: "检查可以报考的等级"},
			{Command: "photo", Description: "检查照片"},
			{Command: "where", Description: "地址和地图"},
			{Command: "back", Description: "撤销上一个回答"},
			{Command: "restart", Description: "重新开始检查"},
			{Command: "cancel", Description: "退出检查"},
			{Command: "lang", Description: "选择语言"},
			{Command: "remind", Description: "考试日期提醒"},
			{Command: "stop", Description: "停止通知和提醒"},
			{Command: "forget", Description: "删除保存的所有资料"},
			{Command: "help", Description: "帮助和常见问题"},
		}},
	}
	for _, tt := range tests {
		if got := f.srv.Commands("", tt.lang); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("commands for %q = %+v; want %+v", tt.lang, got, tt.want)
		}
	}
	if n := len(f.srv.CallsTo("setMyCommands")); n != 2 {
		t.Errorf("setMyCommands called %d times; want 2", n)
	}

	f.srv.Fail("setMyCommands", 400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID", 1)
	if err := bot.SetCommands(context.Background(), f.api, stubMessages); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Errorf("SetCommands = %v; want a bad request", err)
	}
}
