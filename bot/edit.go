package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// ErrUneditable means a message cannot be edited any more: it was deleted,
// or it is not the bot's.
var ErrUneditable = errors.New("bot: the message cannot be edited")

// Edit replaces the text and the keyboard of message msgID of chatID with
// o's (an o without a keyboard removes it), retrying as Send does. An edit
// that changes nothing is no error: Telegram's "message is not modified"
// is ignored. A message that is gone or not the bot's gives an error
// satisfying errors.Is(err, ErrUneditable).
func (s *Sender) Edit(ctx context.Context, chatID int64, msgID int, o Outgoing) error {
	p := &tg.EditMessageTextParams{
		ChatID:             chatID,
		MessageID:          msgID,
		Text:               o.Text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()},
	}
	if len(o.Keyboard) > 0 {
		p.ReplyMarkup = inlineKeyboard(o.Keyboard)
	}
	err := s.call(ctx, "editMessageText", func(ctx context.Context) error {
		_, err := s.api.EditMessageText(ctx, p)
		return err
	})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == http.StatusBadRequest {
		desc := strings.ToLower(apiErr.Description)
		switch {
		case strings.Contains(desc, "message is not modified"):
			return nil
		case strings.Contains(desc, "message to edit not found"), strings.Contains(desc, "message can't be edited"):
			return fmt.Errorf("%w: %w", ErrUneditable, err)
		}
	}
	return err
}
