package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"examdesk/admin"
	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/conversation"
	"examdesk/redisstore"
	"examdesk/remind"
)

// workers is how many chats serve handles at once. Each worker may be
// waiting for Redis or for the Bot API, so each has a connection to both.
const workers = 64

// shutdownGrace bounds the time from SIGTERM to exit (Telegram-facing
// intake stops at once; work in hand finishes within it).
const shutdownGrace = 9 * time.Second

// runServe serves candidates on Telegram, by long polling or by webhook,
// until ctx is done (SIGTERM or SIGINT), then stops intake, finishes the
// work in hand and closes Redis.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) > 0 {
		return usageError("serve: unexpected argument %q (serve is configured by environment variables)", args[0])
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return usageError("serve: invalid configuration:\n%v", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	// A Redis connection for each worker and each broadcast worker, the
	// poller, /metrics and /readyz.
	a, err := newApp(ctx, getenv, log, redisstore.WithTTL(cfg.stateTTL),
		redisstore.WithConnections(workers+broadcastWorkers(cfg.broadcastRate)+4))
	if err != nil {
		return err
	}
	defer a.Close()
	// Updates queued raw by a release before intake decoded them are read
	// as they were.
	queue, err := a.store.Inbox(redisstore.WithLegacy(bot.DecodeLegacy))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := queue.Depth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})

	// The workers call the Bot API at once: keep a connection each alive
	// (and the poller's), rather than http.DefaultTransport's two, which
	// under load opens and closes a connection for most calls.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = workers + 1
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	api, err := tg.New(cfg.token,
		tg.WithServerURL(cfg.apiURL),
		tg.WithHTTPClient(time.Minute, wholeBodies{client}),
		tg.WithCheckInitTimeout(10*time.Second),
		tg.WithErrorsHandler(func(err error) { log.Warn("telegram client", "err", err) }),
	)
	if err != nil {
		return fmt.Errorf("serve: connect to the Bot API at %s (getMe): %w", cfg.apiURL, err)
	}
	if err := bot.SetCommands(ctx, api, a.catalog); err != nil {
		log.Warn("setting the commands menu failed", "err", err)
	}
	// Broadcasts share one rate across the serves; replies are counted
	// against it first (Spend), so that broadcasts make room for them.
	limiter := a.store.Limiter(cfg.broadcastRate)
	broadcasts := a.store.Broadcasts(0)
	subscribers := a.store.Subscribers()
	// Reminders of the exam dates: every serve plans them from the
	// calendar, and the queue sends each once.
	cal := a.calendar
	reminders := &remind.Scheduler{Calendar: cal.View, Queue: broadcasts, Subscribers: subscribers, Messages: a.catalog, Log: log}
	deliverer := &broadcast.Deliverer{
		Queue:       broadcasts,
		Limiter:     limiter,
		Sender:      bot.NewBroadcaster(api, metrics),
		Subscribers: subscribers,
		Paid:        cfg.paidBroadcast,
		Log:         log,
		Workers:     broadcastWorkers(cfg.broadcastRate),
		Recorded:    metrics.Broadcast,
	}
	sender := bot.NewSender(api, a.catalog, log, metrics, bot.SenderOptions{
		Spend: limiter.Spend,
		// A 429 on a reply is the bot's flood limit: broadcasts slow too.
		TooMany: func(ctx context.Context, retryAfter time.Duration) {
			if err := limiter.Slow(ctx, retryAfter); err != nil {
				log.Warn("slowing the broadcasts after a 429 failed", "err", err)
			}
		},
	})
	// The administrators' console (broadcasts and the exam calendar), and
	// the progress messages of the broadcasts they queue.
	console := admin.New(cfg.admins,
		&admin.Broadcast{Queue: broadcasts, Subscribers: subscribers, Drafts: a.store.Drafts(0)},
		&admin.Broadcasts{Queue: broadcasts},
		admin.NewCalendar(cal))
	svc := conversation.New(queue, a.engine, bot.NewTransport(sender, a.catalog), conversation.Options{
		Console: console,
		// Subscribers takes /start, /stop, /remind, /forget and a 403.
		Subscribers: subscribers,
		Log:         log,
		Metrics:     metrics,
		Workers:     workers,
	})
	progress := &bot.Progress{Queue: broadcasts, Watches: a.store.Progress(), Sender: sender, Catalog: a.catalog, Log: log}

	var ready sync.Map // set once intake runs
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := ready.Load("intake"); !ok {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		if err := a.store.Client().Ping(r.Context()).Err(); err != nil {
			http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	ln, err := net.Listen("tcp", cfg.httpAddr)
	if err != nil {
		return fmt.Errorf("serve: listen on HTTP_ADDR %s: %w", cfg.httpAddr, err)
	}
	defer ln.Close()

	// Intake: the project's own poller, or the webhook handler.
	var intake func(ctx context.Context) error
	if cfg.webhookURL != "" {
		u, _ := url.Parse(cfg.webhookURL) // checked by loadConfig
		path := u.Path
		if path == "" {
			path = "/"
		}
		mux.Handle("POST "+path, &bot.Webhook{Secret: cfg.webhookSecret, Queue: queue, Log: log, Metrics: metrics, Added: svc.Wake})
		ok, err := api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL:            cfg.webhookURL,
			SecretToken:    cfg.webhookSecret,
			AllowedUpdates: bot.AllowedUpdates,
		})
		if err != nil || !ok {
			return fmt.Errorf("serve: setWebhook: %v", err)
		}
		intake = func(ctx context.Context) error { <-ctx.Done(); return nil }
		log.Info("webhook mode", "path", path)
	} else {
		if _, err := api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
			return fmt.Errorf("serve: deleteWebhook: %w", err)
		}
		p := &bot.Poller{API: cfg.apiURL, Token: cfg.token, Client: client, Queue: queue, Log: log, Metrics: metrics, Added: svc.Wake}
		intake = p.Run
		log.Info("long polling mode")
	}

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving", "http_addr", ln.Addr().String())

	// Intake and workers each stop on their own context, so that intake
	// stops first and the workers drain what was recorded.
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	var wg sync.WaitGroup
	errc := make(chan error, 3)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("serve: http: %w", err)
		}
	})
	wg.Go(func() {
		if err := intake(intakeCtx); err != nil {
			errc <- err
		}
	})
	workDone := make(chan struct{})
	go func() {
		var work sync.WaitGroup
		work.Go(func() { svc.Run(workCtx) })
		work.Go(func() { deliverer.Run(workCtx) })
		work.Go(func() { progress.Run(workCtx) })
		work.Go(func() { limiter.Run(workCtx, 100*time.Millisecond) })
		work.Go(func() {
			cal.Run(workCtx, 0, func(err error) { log.Warn("reloading the exam calendar failed", "err", err) })
		})
		work.Go(func() { reminders.Run(workCtx, remind.DefaultEvery) })
		work.Wait()
		close(workDone)
	}()
	ready.Store("intake", true)

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: intake stops, work in hand finishes")
	case runErr = <-errc:
		log.Error("shutting down", "err", runErr)
	}
	deadline, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	stopIntake()
	if err := srv.Shutdown(deadline); err != nil {
		srv.Close()
	}
	stopWork()
	select {
	case <-workDone:
	case <-deadline.Done():
		log.Warn("shutdown: work still in hand at the deadline; it stays queued")
	}
	wg.Wait()
	log.Info("stopped")
	return runErr
}

// broadcastWorkers is how many broadcast messages a serve keeps in flight
// at most: enough for rate messages/s at about 300 ms a call. It is also
// the most recipients a serve killed mid-broadcast can leave to get a
// second copy.
func broadcastWorkers(rate float64) int {
	return max(4, min(128, int(math.Ceil(rate/3))))
}

// wholeBodies sends each request with its body in one piece. The
// go-telegram/bot library streams its multipart forms through a pipe,
// which net/http sends chunked, writing each form field to the connection
// on its own: several system calls and packets for one sendMessage.
type wholeBodies struct{ client *http.Client }

func (c wholeBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength == 0 {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r.ContentLength = int64(len(body))
		r.Body, r.GetBody = http.NoBody, nil
		if len(body) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
	}
	return c.client.Do(r)
}
