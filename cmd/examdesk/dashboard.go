package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"examdesk/admin"
	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/dashboard"
	"examdesk/dialog"
)

// teaching is what issue 12 gives serve: the administrators' /stats,
// /unanswered and /help, and the dashboard to serve under /admin/.
type teaching struct {
	commands  []admin.Command
	dashboard http.Handler
}

// newTeaching builds the statistics commands and the dashboard on the
// app's Redis, for the administrators of cfg; broadcasts is the queue the
// dashboard lists. Their topics are the FAQ's.
func newTeaching(a *app, cfg config, broadcasts broadcast.Queue, log *slog.Logger) teaching {
	st := a.store.Stats()
	topics := a.engine.FAQ().Topics()
	return teaching{
		commands: []admin.Command{
			&admin.Stats{Report: st, Unanswered: st},
			&admin.Unanswered{Store: st, Topics: topics},
			&admin.Help{Candidates: candidatesHelp(a.engine)},
		},
		dashboard: dashboard.New(dashboard.Config{
			Token:      cfg.token,
			Admins:     cfg.admins,
			Stats:      st,
			Broadcasts: broadcasts,
			Calendar:   a.calendar.View,
			Messages:   a.catalog,
			Topics:     topics,
			Log:        log,
		}),
	}
}

// candidatesHelp is the dialog's answer to /help in a language, for the
// administrators' /help: its topic buttons are good at any step.
func candidatesHelp(e *dialog.Engine) func(lang string) dialog.Reply {
	return func(lang string) dialog.Reply {
		_, r := e.Step(dialog.State{Lang: lang}, dialog.Input{Text: "/help"})
		return r
	}
}

// dashboardURL is where an administrator's menu button opens the
// dashboard, in lang: "" without a public URL.
func dashboardURL(public, lang string) string {
	if public == "" {
		return ""
	}
	return public + "/admin/?lang=" + url.QueryEscape(lang)
}

// defaultAdminLang is the language of the menu of an administrator who
// never chose one with /lang.
const defaultAdminLang = "zh-Hans"

// setAdminMenus gives every administrator their own command menu, and the
// dashboard's button when there is a public URL, in the language they
// chose with /lang (read from their private conversation in store). A
// failure is logged and the others are still set; the error joins them.
func setAdminMenus(ctx context.Context, sender *bot.Sender, store dialog.Store, admins []int64, public string, log *slog.Logger) error {
	var errs []error
	for _, id := range admins {
		lang := defaultAdminLang
		st, err := store.Load(ctx, dialog.Key{Chat: id, User: id})
		if err == nil && st.Lang != "" {
			lang = st.Lang
		}
		if err := sender.SetAdminMenu(ctx, id, lang, dashboardURL(public, lang)); err != nil {
			log.Warn("setting an administrator's menu failed", "chat_id", id, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
