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
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"examdesk/admin"
	"examdesk/bot"
	"examdesk/broadcast"
	"examdesk/conversation"
	"examdesk/photo"
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
	s, err := newServer(ctx, cfg, getenv, log)
	if err != nil {
		return err
	}
	defer s.close()
	return s.run(ctx)
}

// worker is a part of serve that works until its context is done: see
// conversation.Pipeline.Run for the contract every worker keeps.
type worker interface {
	Run(ctx context.Context) error
}

// server is examdesk serve, built: the intake, the workers and the HTTP
// endpoints, on one app.
type server struct {
	cfg     config
	log     *slog.Logger
	app     *app
	reg     *prometheus.Registry
	ln      net.Listener
	webhook http.Handler // in webhook mode, nil with the poller
	poller  *bot.Poller  // in long-polling mode, nil with the webhook
	inst    *redisstore.Instance
	workers []worker
	ready   atomic.Bool // intake runs
	// teaching is the administrators' statistics, questions to teach and
	// dashboard.
	teaching teaching
}

// newServer builds serve from cfg: it opens Redis, connects to the Bot
// API (getMe), sets the commands menu and the administrators' own, makes
// every part, listens on HTTP_ADDR and registers the webhook, or deletes
// it for long polling.
func newServer(ctx context.Context, cfg config, getenv func(string) string, log *slog.Logger) (_ *server, err error) {
	// A Redis connection for each worker and each broadcast worker, the
	// poller and its lease, the replicas' count, /metrics and /readyz, and
	// the heartbeats (the instance's, the pipeline's, the deliverer's).
	a, err := newApp(ctx, getenv, log, redisstore.WithTTL(cfg.stateTTL),
		redisstore.WithConnections(workers+broadcastWorkers(cfg.broadcastRate)+9))
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, log: log, app: a}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	// This process among the serves on the Redis: under EXAMDESK_INSTANCE,
	// it takes over at once what its predecessor held.
	inst, err := a.store.Register(ctx, cfg.delivery.instance, redisstore.InstanceOptions{Log: log})
	if err != nil {
		return nil, fmt.Errorf("serve: EXAMDESK_INSTANCE: %w", err)
	}
	if cfg.delivery.instance != "" {
		chats, recipients := inst.TookOver()
		log.Info("registered as an instance", "instance", inst.Name(), "chats_taken_over", chats, "recipients_taken_over", recipients)
	}
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var queue *redisstore.Inbox
	metrics := bot.NewMetrics(s.reg, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := queue.Depth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	// With replicas, an update is acknowledged to Telegram once one has
	// it too (EXAMDESK_REDIS_WAIT); the embedded Redis has none.
	var replication *redisstore.Replication
	if cfg.redisURL != "" && cfg.waitReplicas > 0 {
		replication = a.store.Replication(redisstore.ReplicationOptions{
			Replicas: cfg.waitReplicas,
			Timeout:  cfg.waitTimeout,
			TimedOut: metrics.WaitTimedOut,
			Log:      log,
		})
		metrics.Replicas(replication.InSync)
		s.workers = append(s.workers, replication)
	}
	// Updates queued raw by a release before intake decoded them are read
	// as they were. Replies keep each chat's pace, and after a 429 the
	// bot's.
	queue, err = inst.Inbox(redisstore.WithLegacy(bot.DecodeLegacy), redisstore.WithPace(cfg.delivery.pace),
		redisstore.WithReplication(replication))
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}

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
		return nil, fmt.Errorf("serve: connect to the Bot API at %s (getMe): %w", cfg.apiURL, err)
	}
	if err := bot.SetCommands(ctx, api, a.catalog); err != nil {
		log.Warn("setting the commands menu failed", "err", err)
	}

	// Broadcasts share one rate across the serves; replies are counted
	// against it first (Spend), so that broadcasts make room for them.
	limiter := a.store.Limiter(redisstore.LimiterOptions{Rate: cfg.broadcastRate, Log: log, Pace: cfg.delivery.pace})
	broadcasts := inst.Broadcasts(0)
	subscribers := a.store.Subscribers()
	senderOpts := bot.SenderOptions{
		Spend: limiter.Spend,
		Files: client, // downloads of the pictures candidates send
		// A 429 is the bot's flood limit: everything slows down.
		TooMany: func(ctx context.Context, retryAfter time.Duration) {
			if err := limiter.Slow(ctx, retryAfter); err != nil {
				log.Warn("slowing the sends down after a 429 failed", "err", err)
			}
		},
	}
	sender := bot.NewSender(api, a.catalog, log, metrics, senderOpts)
	// The pipeline's transport makes one call a send, a download too: the
	// pipeline waits out a 429 and retries a failure itself, without
	// holding a worker.
	senderOpts.Attempts = 1
	replies := bot.NewSender(api, a.catalog, log, metrics, senderOpts)
	// The administrators' console: broadcasts, the exam calendar, the
	// statistics and the questions to teach, their /help; their menus,
	// with the dashboard's button when it has a public address.
	s.teaching = newTeaching(a, cfg, broadcasts, log)
	console := admin.New(cfg.admins, append([]admin.Command{
		&admin.Broadcast{Queue: broadcasts, Subscribers: subscribers, Drafts: a.store.Drafts(0)},
		&admin.Broadcasts{Queue: broadcasts},
		admin.NewCalendar(a.calendar),
	}, s.teaching.commands...)...)
	if err := setAdminMenus(ctx, sender, a.store, cfg.admins, cfg.publicURL, log); err != nil {
		log.Warn("setting the administrators' menus failed; they are set again when they pick a language", "err", err)
	}
	telegram := bot.NewTransport(replies, a.catalog, bot.TransportOptions{
		Admins:    cfg.admins,
		Dashboard: func(lang string) string { return dashboardURL(cfg.publicURL, lang) },
	})
	// The photo check: its face cascade is loaded once; a bounded number
	// of pictures are checked at a time.
	checker, err := photo.Load()
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	pipeline := conversation.New(queue, a.engine, telegram, conversation.Options{
		Console: console,
		// Subscribers takes /start, /stop, /remind, /forget and a 403;
		// /forget removes the user's unanswered questions too.
		Subscribers: broadcast.AlsoForget(subscribers, a.store.Stats()),
		Log:         log,
		Metrics:     metrics,
		Workers:     workers,
		// Each update is counted in its commit.
		Stats:  &conversation.Stats{Queue: queue, Rules: a.rules},
		Photos: conversation.NewPhotos(checker, conversation.PhotoOptions{}),
	})
	s.inst = inst
	s.workers = append(s.workers,
		pipeline,
		// The FAQ learns the examples administrators teach.
		s.teaching.learner,
		broadcast.NewDeliverer(broadcasts, limiter, bot.NewBroadcaster(api, metrics), broadcast.DelivererOptions{
			Subscribers: subscribers,
			Paid:        cfg.paidBroadcast,
			Log:         log,
			Workers:     broadcastWorkers(cfg.broadcastRate),
			Recorded:    metrics.Broadcast,
		}),
		// The progress messages of the broadcasts administrators queue.
		bot.NewProgress(broadcasts, a.store.Progress(), sender, a.catalog, bot.ProgressOptions{Log: log}),
		limiter,
		a.calendar,
		// Reminders of the exam dates: every serve plans them from the
		// calendar, and the queue sends each once.
		remind.NewScheduler(a.calendar.View, broadcasts, subscribers, a.catalog, remind.SchedulerOptions{Log: log}),
	)

	if s.ln, err = net.Listen("tcp", cfg.httpAddr); err != nil {
		return nil, fmt.Errorf("serve: listen on HTTP_ADDR %s: %w", cfg.httpAddr, err)
	}
	// Intake: the project's own poller, or the webhook handler.
	if cfg.webhookURL != "" {
		s.webhook = bot.NewWebhook(cfg.webhookSecret, queue, bot.WebhookOptions{Log: log, Metrics: metrics, Added: pipeline.Wake})
		ok, err := api.SetWebhook(ctx, &tg.SetWebhookParams{
			URL:            cfg.webhookURL,
			SecretToken:    cfg.webhookSecret,
			AllowedUpdates: bot.AllowedUpdates,
		})
		if err != nil || !ok {
			return nil, fmt.Errorf("serve: setWebhook: %v", err)
		}
		log.Info("webhook mode", "path", webhookPath(cfg.webhookURL))
	} else {
		if _, err := api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
			return nil, fmt.Errorf("serve: deleteWebhook: %w", err)
		}
		// The serves sharing the Redis poll by turns: Telegram answers
		// 409 to one of two getUpdates at once.
		// Under EXAMDESK_INSTANCE the poller's lease is the instance's
		// too: a restarted process polls again at once.
		s.poller = bot.NewPoller(cfg.apiURL, cfg.token, queue, bot.PollerOptions{
			Client: client, Log: log, Metrics: metrics, Added: pipeline.Wake,
			Lease: a.store.PollerLease(), Owner: inst.Name(),
		})
		log.Info("long polling mode")
	}
	return s, nil
}

// webhookPath is the path of the webhook URL u, checked by loadConfig.
func webhookPath(u string) string {
	parsed, _ := url.Parse(u)
	if parsed.Path == "" {
		return "/"
	}
	return parsed.Path
}

// routes returns serve's HTTP endpoints: /healthz, /readyz (Redis
// reachable, intake running, getUpdates not in conflict), /metrics, the
// administrators' dashboard under /admin/ and, in webhook mode, the
// webhook.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		if err := s.app.store.Client().Ping(r.Context()).Err(); err != nil {
			http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
			return
		}
		if s.poller != nil && s.poller.Conflicted() {
			http.Error(w, "getUpdates answered 409 Conflict: another poller of the token, or a webhook (see the log)", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.Handle("/admin/", s.teaching.dashboard)
	if s.webhook != nil {
		mux.Handle("POST "+webhookPath(s.cfg.webhookURL), s.webhook)
	}
	return mux
}

// run runs intake and the workers until ctx is done or one of them fails,
// then shuts down in order: intake stops at once, the workers finish the
// work in hand, all within shutdownGrace. It returns what failed.
func (s *server) run(ctx context.Context) error {
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}

	// Intake and workers each stop on their own context, so that intake
	// stops first and the workers drain what was recorded.
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	intake, intakeCtx := errgroup.WithContext(intakeCtx)
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	work, workCtx := errgroup.WithContext(workCtx)

	for _, w := range s.workers {
		work.Go(func() error { return w.Run(workCtx) })
	}
	// The instance keeps its name until the workers are done with what
	// they hold, and stops serve if another process takes it.
	instCtx, stopInst := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInst()
	instErr := make(chan error, 1)
	go func() { instErr <- s.inst.Run(instCtx) }()
	intake.Go(func() error {
		if err := srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: http: %w", err)
		}
		return nil
	})
	if s.poller != nil {
		intake.Go(func() error { return s.poller.Run(intakeCtx) })
	}
	s.ready.Store(true)
	s.log.Info("serving", "http_addr", s.ln.Addr().String())

	var nameErr error
	select {
	case <-intakeCtx.Done():
	case <-workCtx.Done():
	case nameErr = <-instErr:
	}
	if ctx.Err() != nil && nameErr == nil {
		s.log.Info("shutting down: intake stops, work in hand finishes")
	} else {
		s.log.Error("shutting down: a part of serve failed")
	}
	deadline, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	stopIntake()
	if err := srv.Shutdown(deadline); err != nil {
		srv.Close()
	}
	intakeErr := intake.Wait()
	stopWork()
	worked := make(chan error, 1)
	go func() { worked <- work.Wait() }()
	var workErr error
	select {
	case workErr = <-worked:
	case <-deadline.Done():
		s.log.Warn("shutdown: work still in hand at the deadline; it stays queued")
	}
	if nameErr == nil {
		stopInst()
		nameErr = <-instErr
	}
	err := errors.Join(nameErr, intakeErr, workErr)
	if err != nil {
		s.log.Error("stopped", "err", err)
	} else {
		s.log.Info("stopped")
	}
	return err
}

// close closes what newServer opened.
func (s *server) close() {
	if s.ln != nil {
		s.ln.Close()
	}
	s.app.Close()
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
