package telegramtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk/telegramtest"
)

const token = "123456:TEST-token"

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newBot starts a fake server and a go-telegram/bot client of it, which
// checks its token with getMe as it starts.
func newBot(t *testing.T, opts ...bot.Option) (*telegramtest.Server, *bot.Bot) {
	t.Helper()
	s := telegramtest.NewServer(token)
	t.Cleanup(s.Close)
	opts = append([]bot.Option{
		bot.WithServerURL(s.URL()),
		bot.WithErrorsHandler(func(err error) { t.Logf("bot: %v", err) }),
	}, opts...)
	b, err := bot.New(token, opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return s, b
}

func TestLibraryGetMe(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s, b := newBot(t)
	me, err := b.GetMe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 123456 || !me.IsBot || me.Username != "test_bot" || !me.CanJoinGroups {
		t.Errorf("GetMe() = %+v; want bot 123456 test_bot", me)
	}
	if n := len(s.CallsTo("getMe")); n != 2 {
		t.Errorf("getMe calls = %d; want 2, bot.New's and ours", n)
	}
}

func TestLibrarySendMessage(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s, b := newBot(t)
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID:    int64(42),
		Text:      "<b>Pick</b> one &amp; go",
		ParseMode: models.ParseModeHTML,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
			{Text: "A", CallbackData: "pick:a"},
			{Text: "Site", URL: "https://example.com"},
		}}},
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != 1 || msg.Chat.ID != 42 || msg.Text != "Pick one & go" || msg.From == nil || msg.From.ID != 123456 {
		t.Errorf("SendMessage() = message %d in %d from %v: %q; want 1 in 42 from the bot: \"Pick one & go\"",
			msg.ID, msg.Chat.ID, msg.From, msg.Text)
	}
	if len(msg.Entities) != 1 || msg.Entities[0].Type != models.MessageEntityTypeBold || msg.Entities[0].Length != 4 {
		t.Errorf("SendMessage() entities = %+v; want bold 0-4", msg.Entities)
	}
	if msg.ReplyMarkup == nil || len(msg.ReplyMarkup.InlineKeyboard) != 1 || msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "pick:a" {
		t.Errorf("SendMessage() reply markup = %+v; want the keyboard echoed", msg.ReplyMarkup)
	}

	calls := s.CallsTo("sendMessage")
	if len(calls) != 1 {
		t.Fatalf("sendMessage calls = %d; want 1", len(calls))
	}
	c := calls[0]
	wantParams := map[string]string{
		"chat_id":              "42",
		"text":                 "<b>Pick</b> one &amp; go",
		"parse_mode":           "HTML",
		"link_preview_options": `{"is_disabled":true}`,
	}
	for k, want := range wantParams {
		if got := c.Params[k]; got != want {
			t.Errorf("param %s = %q; want %q", k, got, want)
		}
	}
	// go-telegram/bot v1.19 sends copy_text with every inline button: the
	// field is a struct, which omitempty does not omit.
	if !strings.Contains(c.Params["reply_markup"], `"copy_text":{"text":""}`) {
		t.Errorf("reply_markup = %s; want go-telegram's empty copy_text", c.Params["reply_markup"])
	}
	wantButtons := [][]telegramtest.Button{{{Text: "A", CallbackData: "pick:a"}, {Text: "Site", URL: "https://example.com"}}}
	if got := c.Buttons(); !reflect.DeepEqual(got, wantButtons) {
		t.Errorf("Buttons() = %+v; want %+v", got, wantButtons)
	}
	rows, _ := c.ReplyMarkup["inline_keyboard"].([]any)
	if len(rows) != 1 {
		t.Errorf("ReplyMarkup = %v; want one row", c.ReplyMarkup)
	}
	if got, want := s.Sent(42), []string{"<b>Pick</b> one &amp; go"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sent(42) = %q; want %q", got, want)
	}
}

func TestLibraryEdits(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s, b := newBot(t)
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A", CallbackData: "a"}}}}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "Question", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		want string // the error's text; "" for success
	}{
		{"edit keeping the keyboard", func() error {
			_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 42, MessageID: msg.ID, Text: "Question?", ReplyMarkup: kb})
			return err
		}, ""},
		{"same again", func() error {
			_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 42, MessageID: msg.ID, Text: "Question?", ReplyMarkup: kb})
			return err
		}, "bad request, Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message"},
		{"same text without keyboard removes it", func() error {
			_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 42, MessageID: msg.ID, Text: "Question?"})
			return err
		}, ""},
		{"unknown message", func() error {
			_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 42, MessageID: 99, Text: "x"})
			return err
		}, "bad request, Bad Request: message to edit not found"},
		{"unknown callback query", func() error {
			_, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "1"})
			return err
		}, "bad request, Bad Request: query is too old and response timeout expired or query ID is invalid"},
	}
	for _, st := range steps {
		err := st.do()
		if (st.want == "" && err != nil) || (st.want != "" && (err == nil || err.Error() != st.want)) {
			t.Errorf("%s: error = %v; want %q", st.name, err, st.want)
		}
	}
	want := []string{"Question", telegramtest.EditPrefix + "Question?", telegramtest.EditPrefix + "Question?"}
	if got := s.Sent(42); !reflect.DeepEqual(got, want) {
		t.Errorf("Sent(42) = %q; want %q", got, want)
	}
	msgs := s.Messages(42)
	if len(msgs) != 1 || msgs[0].Text != "Question?" || msgs[0].ReplyMarkup != nil || msgs[0].EditDate == 0 {
		t.Errorf("Messages(42) = %+v; want the edited question, its keyboard removed", msgs)
	}

	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 42, MessageID: msg.ID}); !ok || err != nil {
		t.Errorf("DeleteMessage() = %v, %v; want true", ok, err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: 42, MessageID: msg.ID}); !errors.Is(err, bot.ErrorBadRequest) ||
		!strings.HasSuffix(err.Error(), "message to delete not found") {
		t.Errorf("DeleteMessage() again = %v; want message to delete not found", err)
	}
	if got := s.Messages(42); len(got) != 0 {
		t.Errorf("Messages(42) after delete = %+v; want none", got)
	}
}

func TestLibrarySetMyCommands(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s, b := newBot(t)
	cmds := []models.BotCommand{{Command: "start", Description: "Begin"}, {Command: "help", Description: "Hilfe"}}
	tests := []struct {
		name      string
		params    *bot.SetMyCommandsParams
		scope     string
		lang      string
		wantScope string // the scope parameter as sent
	}{
		{"default", &bot.SetMyCommandsParams{Commands: cmds}, "", "", ""},
		{"private chats in German", &bot.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "de"},
			"all_private_chats", "de", `{"type":"all_private_chats"}`},
		{"one chat", &bot.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeChat{ChatID: 42}},
			"chat:42", "", `{"type":"chat","chat_id":42}`},
	}
	want := []telegramtest.BotCommand{{Command: "start", Description: "Begin"}, {Command: "help", Description: "Hilfe"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ok, err := b.SetMyCommands(ctx, tc.params); !ok || err != nil {
				t.Fatalf("SetMyCommands() = %v, %v; want true", ok, err)
			}
			if got := s.Commands(tc.scope, tc.lang); !reflect.DeepEqual(got, want) {
				t.Errorf("Commands(%q, %q) = %+v; want %+v", tc.scope, tc.lang, got, want)
			}
			calls := s.CallsTo("setMyCommands")
			c := calls[len(calls)-1]
			if c.Params["scope"] != tc.wantScope || c.Params["language_code"] != tc.lang {
				t.Errorf("scope %q language %q sent; want %q %q", c.Params["scope"], c.Params["language_code"], tc.wantScope, tc.lang)
			}
			if c.Params["commands"] != `[{"command":"start","description":"Begin"},{"command":"help","description":"Hilfe"}]` {
				t.Errorf("commands sent = %s", c.Params["commands"])
			}
		})
	}
	_, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("SetMyCommands(Start) = %v; want BOT_COMMAND_INVALID", err)
	}
}

func TestLibraryErrors(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	send := func(b *bot.Bot, chat int64) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "hi"})
		return err
	}
	t.Run("too many requests", func(t *testing.T) {
		s, b := newBot(t)
		s.Fail("sendMessage", http.StatusTooManyRequests, "", 1, telegramtest.RetryAfter(7))
		err := send(b, 42)
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
			t.Fatalf("SendMessage() error = %v; want *bot.TooManyRequestsError with RetryAfter 7", err)
		}
		if want := "too many requests, Too Many Requests: retry after 7"; tooMany.Message != want {
			t.Errorf("TooManyRequestsError.Message = %q; want %q", tooMany.Message, want)
		}
		if err := send(b, 42); err != nil {
			t.Errorf("SendMessage() after the failure = %v; want success", err)
		}
	})
	t.Run("blocked", func(t *testing.T) {
		s, b := newBot(t)
		s.Fail("sendMessage", http.StatusForbidden, "Forbidden: bot was blocked by the user", 0, telegramtest.ForChat(13))
		err := send(b, 13)
		if !errors.Is(err, bot.ErrorForbidden) || err.Error() != "forbidden, Forbidden: bot was blocked by the user" {
			t.Errorf("SendMessage(13) = %v; want bot.ErrorForbidden", err)
		}
		if err := send(b, 14); err != nil {
			t.Errorf("SendMessage(14) = %v; want success, the failure is for chat 13", err)
		}
	})
	t.Run("chat not found", func(t *testing.T) {
		s, b := newBot(t)
		s.Fail("sendMessage", http.StatusBadRequest, "Bad Request: chat not found", 1)
		if err := send(b, 42); !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("SendMessage() = %v; want bot.ErrorBadRequest", err)
		}
	})
	t.Run("migrated", func(t *testing.T) {
		s, b := newBot(t)
		s.Fail("sendMessage", http.StatusBadRequest, "Bad Request: group chat was upgraded to a supergroup chat", 1,
			telegramtest.MigrateTo(-1001234567890))
		var migrate *bot.MigrateError
		if err := send(b, -42); !errors.As(err, &migrate) || migrate.MigrateToChatID != -1001234567890 {
			t.Errorf("SendMessage() = %v; want *bot.MigrateError to -1001234567890", err)
		}
	})
	t.Run("markdown", func(t *testing.T) {
		_, b := newBot(t)
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "Version 1.0", ParseMode: models.ParseModeMarkdown})
		want := `bad request, Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`
		if !errors.Is(err, bot.ErrorBadRequest) || err.Error() != want {
			t.Errorf("SendMessage(MarkdownV2 1.0) = %v; want %s", err, want)
		}
		if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: bot.EscapeMarkdown("Version 1.0 (beta)!"), ParseMode: models.ParseModeMarkdown}); err != nil {
			t.Errorf("SendMessage(escaped MarkdownV2) = %v; want success", err)
		}
	})
	t.Run("long callback data", func(t *testing.T) {
		_, b := newBot(t)
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "x",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
				{Text: "A", CallbackData: strings.Repeat("x", 65)}}}}})
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "BUTTON_DATA_INVALID") {
			t.Errorf("SendMessage(65-byte callback data) = %v; want BUTTON_DATA_INVALID", err)
		}
	})
	t.Run("text-only button", func(t *testing.T) {
		_, b := newBot(t)
		// go-telegram/bot's empty copy_text makes the button a copy button.
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "x",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A"}}}}})
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "BUTTON_COPY_TEXT_INVALID") {
			t.Errorf("SendMessage(text-only button) = %v; want BUTTON_COPY_TEXT_INVALID", err)
		}
	})
	t.Run("conflict", func(t *testing.T) {
		errs := make(chan error, 10)
		_, b := newBot(t, bot.WithErrorsHandler(func(err error) {
			select {
			case errs <- err:
			default:
			}
		}))
		if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: "https://example.com/hook"}); err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() {
			b.Start(runCtx)
			close(stopped)
		}()
		defer func() {
			stop()
			<-stopped
		}()
		select {
		case err := <-errs:
			if !errors.Is(err, bot.ErrorConflict) || !strings.Contains(err.Error(), "use deleteWebhook") {
				t.Errorf("polling with a webhook set: error %v; want bot.ErrorConflict", err)
			}
		case <-ctx.Done():
			t.Error("polling with a webhook set: no error")
		}
	})
}

// TestLibraryPolling runs a go-telegram/bot bot on long polling through a
// conversation: a command, a button press, the edit that answers it.
func TestLibraryPolling(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s, b := newBot(t, bot.WithSkipGetMe(), bot.WithAllowedUpdates(bot.AllowedUpdates{"message", "callback_query"}))
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommand, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		b.SendMessage(ctx, &bot.SendMessageParams{
			ChatID: u.Message.Chat.ID,
			Text:   "Pick one (" + u.Message.From.LanguageCode + ")",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
				{Text: "A", CallbackData: "pick:a"}, {Text: "B", CallbackData: "pick:b"}}}},
		})
	})
	b.RegisterHandler(bot.HandlerTypeCallbackQueryData, "pick:", bot.MatchTypePrefix, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		q := u.CallbackQuery
		b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
		m := q.Message.Message
		b.EditMessageText(ctx, &bot.EditMessageTextParams{
			ChatID:    m.Chat.ID,
			MessageID: m.ID,
			Text:      fmt.Sprintf("You picked %s under %q", strings.TrimPrefix(q.Data, "pick:"), m.Text),
		})
	})
	runCtx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		b.Start(runCtx)
		close(stopped)
	}()
	defer func() {
		stop()
		<-stopped
	}()

	s.Send(telegramtest.Message(42, 42, "de", "/start"))
	sent, err := s.WaitCalls(ctx, "sendMessage", 1)
	if err != nil {
		t.Fatal(err)
	}
	s.Send(telegramtest.Callback(42, 42, "de", "pick:b", sent[0].MessageID()))
	if _, err := s.WaitCalls(ctx, "editMessageText", 1); err != nil {
		t.Fatal(err)
	}

	if answers := s.CallsTo("answerCallbackQuery"); len(answers) != 1 || !answers[0].OK() {
		t.Errorf("answerCallbackQuery calls = %v; want one success", answers)
	}
	want := []string{"Pick one (de)", telegramtest.EditPrefix + `You picked b under "Pick one (de)"`}
	if got := s.Sent(42); !reflect.DeepEqual(got, want) {
		t.Errorf("Sent(42) = %q; want %q", got, want)
	}
	msgs := s.Messages(42)
	if len(msgs) != 2 || msgs[0].Text != "/start" || msgs[1].ReplyMarkup != nil {
		t.Errorf("Messages(42) = %+v; want /start and the edited answer, its keyboard gone", msgs)
	}
	polls := s.CallsTo("getUpdates")
	if got := polls[0].Params["allowed_updates"]; got != `["message","callback_query"]` {
		t.Errorf("allowed_updates sent = %s", got)
	}
	// A poll is recorded when answered: the one now waiting, with offset 3,
	// is not among them.
	var offsets []string
	for _, p := range polls {
		offsets = append(offsets, p.Params["offset"])
	}
	if want := []string{"1", "2"}; !reflect.DeepEqual(offsets, want) {
		t.Errorf("offsets of the answered polls = %v; want %v", offsets, want)
	}
}

// TestLibraryWebhook delivers an update to a go-telegram/bot webhook handler
// that checks the secret token.
func TestLibraryWebhook(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	got := make(chan *models.Update, 1)
	s, b := newBot(t, bot.WithSkipGetMe(), bot.WithWebhookSecretToken("s3cret"),
		bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u }))
	hook := httptest.NewServer(b.WebhookHandler())
	defer hook.Close()
	runCtx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		b.StartWebhook(runCtx)
		close(stopped)
	}()
	defer func() {
		stop()
		<-stopped
	}()

	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret", DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL || info.MaxConnections != 40 {
		t.Errorf("GetWebhookInfo() = %+v, %v; want %s with 40 connections", info, err, hook.URL)
	}
	resp, err := s.Deliver(ctx, telegramtest.Message(42, 7, "fr", "bonjour"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	select {
	case u := <-got:
		if u.Message == nil || u.Message.Text != "bonjour" || u.Message.From.LanguageCode != "fr" || u.Message.Chat.ID != 42 {
			t.Errorf("bot got %+v; want bonjour from 7 (fr) in 42", u.Message)
		}
	case <-ctx.Done():
		t.Fatal("the bot got no update")
	}
}

// TestLibraryConcurrent sends from many goroutines: every message gets its
// own identifier in its chat, and every one is recorded.
func TestLibraryConcurrent(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	s, b := newBot(t)
	const chats, perChat = 8, 15
	var wg sync.WaitGroup
	for c := int64(1); c <= chats; c++ {
		for i := 0; i < perChat; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: c, Text: fmt.Sprint(i)}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Send(telegramtest.Message(c, c, "en", "hi"))
		}()
	}
	wg.Wait()
	for c := int64(1); c <= chats; c++ {
		seen := map[int]bool{}
		for _, m := range s.Messages(c) {
			seen[m.ID] = true
		}
		if len(seen) != perChat+1 {
			t.Errorf("chat %d has %d distinct message IDs; want %d", c, len(seen), perChat+1)
		}
		if n := len(s.Sent(c)); n != perChat {
			t.Errorf("Sent(%d) has %d texts; want %d", c, n, perChat)
		}
	}
}
