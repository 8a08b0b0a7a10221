package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"examdesk/calendar"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/locales"
	"examdesk/redisstore"
	"examdesk/rules"
)

// app is what every command that talks with candidates shares: the data,
// loaded and validated once, the engine, the state store and the exam
// calendar the engine answers dates from.
type app struct {
	catalog  *locales.Catalog
	engine   *dialog.Engine
	rules    *rules.Set
	matcher  *faq.Matcher // the engine's, which learns the examples taught
	store    *redisstore.Store
	calendar *calendar.Cache
	close    func() error
}

// loadEngine loads and checks the embedded data (rules, FAQ, messages) and
// returns the engine on it, with the messages it renders through.
func loadEngine() (*dialog.Engine, *locales.Catalog, error) {
	a, err := loadData()
	if err != nil {
		return nil, nil, err
	}
	return a.engine, a.catalog, nil
}

// loadData loads and checks the embedded data (rules, FAQ, messages) and
// builds the engine on them: an app without its store.
func loadData() (*app, error) {
	set, err := rules.Load()
	if err != nil {
		return nil, err
	}
	matcher, err := faq.Load()
	if err != nil {
		return nil, err
	}
	catalog, err := locales.Load()
	if err != nil {
		return nil, err
	}
	engine, err := dialog.New(set, matcher, catalog)
	if err != nil {
		return nil, err
	}
	return &app{catalog: catalog, engine: engine, rules: set, matcher: matcher}, nil
}

// newApp loads the embedded data and opens the store: Redis at REDIS_URL,
// or an embedded in-process Redis when it is unset. The engine answers
// dates from the exam calendar kept in that store, loaded once here; serve
// keeps reloading it (calendar.Cache.Run).
func newApp(ctx context.Context, getenv func(string) string, log *slog.Logger, opts ...redisstore.Option) (*app, error) {
	a, err := loadData()
	if err != nil {
		return nil, err
	}
	if url := getenv("REDIS_URL"); url != "" {
		if a.store, err = redisstore.Open(ctx, url, opts...); err != nil {
			return nil, err
		}
		a.close = a.store.Close
	} else {
		log.Warn("REDIS_URL is unset: conversations are kept in an embedded in-process Redis and are lost when the process ends")
		if a.store, a.close, err = redisstore.OpenEmbedded(ctx, opts...); err != nil {
			return nil, fmt.Errorf("embedded redis: %w", err)
		}
	}
	if a.calendar, err = calendar.NewCache(a.store.Calendar(), calendar.CacheOptions{Log: log}); err != nil {
		a.close()
		return nil, fmt.Errorf("exam calendar: %w", err)
	}
	if err := a.calendar.Refresh(ctx); err != nil {
		log.Warn("loading the exam calendar failed; dates are answered as not announced until it loads", "err", err)
	}
	a.engine.Dates = dialog.NewDateAnswers(a.calendar, a.engine.FAQ())
	return a, nil
}

// logRedisClient sends go-redis's own messages (a dial that failed, the
// master a Sentinel names after a failover) to w as JSON lines, like
// serve's log, rather than as go-redis's plain lines. Failures are also
// the errors of the calls, which their callers log: they go at Debug,
// below serve's level; what a Sentinel says at Info. It sets go-redis's
// logger, a global: only main calls it, before anything else runs.
func logRedisClient(w io.Writer) {
	log := slog.New(slog.NewJSONHandler(w, nil))
	redis.SetLogger(redisLog{log})
}

type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	level := slog.LevelDebug
	if strings.HasPrefix(format, "sentinel:") {
		level = slog.LevelInfo
	}
	l.log.Log(ctx, level, "redis client", "detail", fmt.Sprintf(format, v...))
}

// Close closes the store.
func (a *app) Close() error { return a.close() }
