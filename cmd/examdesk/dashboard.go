package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"examdesk"
	"examdesk/admin"
	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/dashboard"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/stats"
)

// teaching is what serve gives the administrators to see what candidates
// ask and teach the bot: /stats, /unanswered and their /help, the
// dashboard to serve under /admin/, and the worker that has the FAQ
// matcher learn what they teach.
type teaching struct {
	commands  []admin.Command
	dashboard http.Handler
	learner   *learner
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
		learner: &learner{teacher: st, matcher: a.matcher, log: log},
	}
}

// learner is the worker that has the FAQ matcher learn the examples
// administrators teach, as they teach them (stats.Follow): every serve
// answers a question given a topic within a poll of its being taught.
type learner struct {
	teacher stats.Teacher
	matcher *faq.Matcher
	log     *slog.Logger
	// poll is how often it looks for new examples (stats.DefaultPoll
	// when 0).
	poll time.Duration
}

// Run follows the examples until ctx is done; a failure to read them is
// logged and tried again.
func (l *learner) Run(ctx context.Context) error {
	stats.Follow(ctx, l.teacher, l.poll, l.learn, func(err error) {
		l.log.Warn("reading the examples taught failed; trying again", "err", err)
	})
	return nil
}

func (l *learner) learn(version int64, exs []stats.Example) {
	if err := l.matcher.Learn(version, faqExamples(exs)); err != nil {
		l.log.Warn("some examples taught are left out", "version", version, "err", err)
	}
	l.log.Info("the FAQ learned the examples taught", "version", version, "examples", len(exs))
}

// faqExamples are the examples taught, as the FAQ matcher takes them.
func faqExamples(exs []stats.Example) []faq.Example {
	out := make([]faq.Example, len(exs))
	for i, ex := range exs {
		topic := ex.Topic
		if topic == stats.OffTopic {
			topic = faq.OffTopic
		}
		out[i] = faq.Example{Text: ex.Text, Lang: ex.Lang, Topic: topic}
	}
	return out
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
const defaultAdminLang = examdesk.Simplified

// setAdminMenus gives every administrator their own command menu, and the
// dashboard's button when there is a public URL, in the language they
// chose with /lang (read from their private conversation in store). A
// failure is logged and the others are still set; the error joins them.
func setAdminMenus(ctx context.Context, sender *bot.Sender, store dialog.Store, admins []int64, public string, log *slog.Logger) error {
	var errs []error
	for _, id := range admins {
		lang := defaultAdminLang
		st, err := store.Load(ctx, examdesk.Key{Chat: id, User: id})
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
