package bot

import (
	"context"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk/admin"
	"examdesk/dialog"
)

// adminCommands returns an administrator's menu described in lang: the
// candidates' commands, then admin.Commands.
func adminCommands(tr dialog.Translator, lang string) []models.BotCommand {
	cmds := commands(tr, lang)
	for _, name := range admin.Commands {
		cmds = append(cmds, models.BotCommand{Command: name, Description: truncate(Plain(tr, lang, dialog.T("admin.command."+name)), 256)})
	}
	return cmds
}

// SetAdminMenu gives the administrator of private chat chatID a command
// menu of their own in lang, with their commands after the candidates'
// (setMyCommands scoped to the chat, which Telegram shows them over the
// bot-wide menus), and, when dashboard is not "", a menu button opening
// the dashboard at that https URL as a Mini App (setChatMenuButton); with
// dashboard "", the chat's menu button is left as it is. It is called
// for each administrator when serve starts and again when an
// administrator changes language: a chat menu set for a candidate's
// language (SetChatCommands) would hide their commands.
func (s *Sender) SetAdminMenu(ctx context.Context, chatID int64, lang, dashboard string) error {
	p := &tg.SetMyCommandsParams{
		Commands: adminCommands(s.tr, lang),
		Scope:    &models.BotCommandScopeChat{ChatID: chatID},
	}
	err := s.call(ctx, "setMyCommands", func(ctx context.Context) error {
		_, err := s.api.SetMyCommands(ctx, p)
		return err
	})
	if err != nil || dashboard == "" {
		return err
	}
	b := &tg.SetChatMenuButtonParams{
		ChatID: chatID,
		MenuButton: models.MenuButtonWebApp{
			Type:   models.MenuButtonTypeWebApp,
			Text:   truncate(Plain(s.tr, lang, dialog.T("admin.menu.dashboard")), 64),
			WebApp: models.WebAppInfo{URL: dashboard},
		},
	}
	return s.call(ctx, "setChatMenuButton", func(ctx context.Context) error {
		_, err := s.api.SetChatMenuButton(ctx, b)
		return err
	})
}
