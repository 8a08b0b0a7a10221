package bot

import (
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk/dialog"
)

// Commands are the commands of the bot's menu, in the order Telegram shows
// them; each is described by the message "command.<name>".
var Commands = []string{"start", "check", "back", "restart", "cancel", "lang", "help"}

// commandLanguages pairs each language_code that setMyCommands is called
// with and the language the descriptions are written in.
//
// Telegram takes a two-letter ISO 639-1 code or none, and shows a user the
// list of their app's language, or the one set without a code. Traditional
// and Simplified Chinese are both "zh", so only one of them can have a
// list: Simplified, as dialog.Language reads a bare "zh", and as most
// candidates of a Guangdong testing centre write. English is the list
// without a code, for everyone else. The descriptions only name the
// commands; the conversation itself follows the user's language exactly.
var commandLanguages = []struct{ code, lang string }{
	{"", "en"},
	{"zh", "zh-Hans"},
}

// SetCommands sets the bot's command menu: Commands, described in English
// for every user and in Simplified Chinese for users whose app speaks
// Chinese.
func SetCommands(ctx context.Context, b *tg.Bot, tr dialog.Translator) error {
	for _, l := range commandLanguages {
		cmds := make([]models.BotCommand, len(Commands))
		for i, name := range Commands {
			desc := truncate(Plain(tr, l.lang, dialog.T("command."+name)), 256)
			cmds[i] = models.BotCommand{Command: name, Description: desc}
		}
		_, err := b.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: cmds, LanguageCode: l.code})
		if err != nil {
			return fmt.Errorf("set commands in %s: %w", l.lang, err)
		}
	}
	return nil
}
