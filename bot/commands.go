package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk"
	"examdesk/dialog"
)

// Commands are the commands of the bot's menu, in the order Telegram shows
// them; each is described by the message "command.<name>".
var Commands = []string{"start", "check", "photo", "where", "back", "restart", "cancel", "lang", "remind", "stop", "forget", "help"}

// commandLanguages pairs each language_code that setMyCommands is called
// with and the language the descriptions are written in.
//
// Telegram takes a two-letter ISO 639-1 code or none, and shows a user the
// list of their app's language, or the one set without a code. Traditional
// and Simplified Chinese are both "zh", so only one of them can have a
// bot-wide list: Simplified, as dialog.Language reads a bare "zh". English
// is the list without a code, for everyone else. A private chat whose
// language differs from its bot-wide list (Traditional Chinese, or a
// language chosen with /lang) gets a list of its own: see
// Sender.SetChatCommands.
var commandLanguages = []struct{ code, lang string }{
	{"", examdesk.English},
	{"zh", examdesk.Simplified},
}

// commands returns the menu described in lang.
func commands(tr dialog.Translator, lang string) []models.BotCommand {
	cmds := make([]models.BotCommand, len(Commands))
	for i, name := range Commands {
		cmds[i] = models.BotCommand{Command: name, Description: truncate(Plain(tr, lang, dialog.T("command."+name)), 256)}
	}
	return cmds
}

// menuLanguage is the language of the menu a user with Telegram language
// code sees without a menu of their chat's own.
func menuLanguage(code string) string {
	if dialog.Language(code) == examdesk.English {
		return examdesk.English
	}
	return examdesk.Simplified
}

// SetChatCommands sets the menu of one private chat in lang, for a user
// whose language the bot-wide menus do not cover (Traditional Chinese, or
// a language chosen with /lang).
func (s *Sender) SetChatCommands(ctx context.Context, chatID int64, lang string) error {
	p := &tg.SetMyCommandsParams{
		Commands: commands(s.tr, lang),
		Scope:    &models.BotCommandScopeChat{ChatID: chatID},
	}
	return s.call(ctx, "setMyCommands", func(ctx context.Context) error {
		_, err := s.api.SetMyCommands(ctx, p)
		return err
	})
}

// SetCommands sets the bot's command menu: Commands, described in English
// for every user and in Simplified Chinese for users whose app speaks
// Chinese.
func SetCommands(ctx context.Context, b *tg.Bot, tr dialog.Translator) error {
	for _, l := range commandLanguages {
		_, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: commands(tr, l.lang), LanguageCode: l.code})
		if err != nil {
			return fmt.Errorf("set commands in %s: %w", l.lang, err)
		}
	}
	return nil
}
