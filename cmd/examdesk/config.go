package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"examdesk/redisstore"
)

// config is what `examdesk serve` reads from the environment, validated.
type config struct {
	token         string
	apiURL        string
	redisURL      string
	admins        []int64
	webhookURL    string
	webhookSecret string
	httpAddr      string
	stateTTL      time.Duration
	// broadcastRate is the broadcasts' messages per second, shared by
	// every serve on the Redis; paidBroadcast sends them with
	// allow_paid_broadcast, which allows more.
	broadcastRate float64
	paidBroadcast bool
	// publicURL is the https address the dashboard is reached at from
	// outside (EXAMDESK_PUBLIC_URL), without a trailing slash; "" gives
	// the administrators no dashboard button (the API works all the same).
	publicURL string
	// waitReplicas is how many of Redis's replicas must have an update
	// before it is acknowledged to Telegram, 0 for none, and waitTimeout
	// how long intake waits for them at most (EXAMDESK_REDIS_WAIT).
	waitReplicas int
	waitTimeout  time.Duration
	// delivery is EXAMDESK_INSTANCE and EXAMDESK_CHAT_RATE (delivery.go).
	delivery delivery
}

// envVars are the variables serve reads; docker-compose.yml passes these.
var envVars = []string{
	"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "REDIS_URL", "EXAMDESK_ADMINS",
	"WEBHOOK_URL", "WEBHOOK_SECRET", "HTTP_ADDR", "EXAMDESK_STATE_TTL",
	"EXAMDESK_BROADCAST_RATE", "EXAMDESK_PAID_BROADCAST", "EXAMDESK_PUBLIC_URL",
	"EXAMDESK_REDIS_WAIT", "EXAMDESK_INSTANCE", "EXAMDESK_CHAT_RATE",
}

var (
	tokenPattern  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// loadConfig reads and checks the configuration; the error lists every
// problem, one per line.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		token:         strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		apiURL:        strings.TrimRight(strings.TrimSpace(getenv("TELEGRAM_API_URL")), "/"),
		redisURL:      strings.TrimSpace(getenv("REDIS_URL")),
		webhookURL:    strings.TrimSpace(getenv("WEBHOOK_URL")),
		webhookSecret: getenv("WEBHOOK_SECRET"),
		httpAddr:      strings.TrimSpace(getenv("HTTP_ADDR")),
		stateTTL:      30 * 24 * time.Hour,
		broadcastRate: defaultBroadcastRate,
		publicURL:     strings.TrimRight(strings.TrimSpace(getenv("EXAMDESK_PUBLIC_URL")), "/"),
		waitReplicas:  1,
		waitTimeout:   redisstore.DefaultWaitTimeout,
	}
	var errs []error
	problem := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	d, err := loadDelivery(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.delivery = d

	switch {
	case c.token == "":
		problem("TELEGRAM_BOT_TOKEN is required (the token @BotFather gave, like 123456:ABC-DEF)")
	case !tokenPattern.MatchString(c.token):
		problem("TELEGRAM_BOT_TOKEN is not a bot token (want digits, a colon, then letters, digits, - or _)")
	}
	if c.apiURL == "" {
		c.apiURL = "https://api.telegram.org"
	} else if u, err := url.Parse(c.apiURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problem("TELEGRAM_API_URL %q is not an http(s) URL", c.apiURL)
	}
	if c.redisURL != "" {
		if err := redisstore.CheckURL(c.redisURL); err != nil {
			problem("REDIS_URL: %v", err)
		}
	}
	if v := strings.TrimSpace(getenv("EXAMDESK_REDIS_WAIT")); v != "" {
		n, timeout, err := parseWait(v)
		if err != nil {
			problem("EXAMDESK_REDIS_WAIT %q %v", v, err)
		} else {
			c.waitReplicas, c.waitTimeout = n, timeout
		}
	}
	for field := range strings.SplitSeq(getenv("EXAMDESK_ADMINS"), ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		id, err := strconv.ParseInt(field, 10, 64)
		if err != nil || id <= 0 {
			problem("EXAMDESK_ADMINS: %q is not a Telegram user id", field)
			continue
		}
		c.admins = append(c.admins, id)
	}
	switch {
	case c.webhookURL == "" && c.webhookSecret != "":
		problem("WEBHOOK_SECRET is set but WEBHOOK_URL is not: set both for webhook mode, neither for long polling")
	case c.webhookURL != "" && c.webhookSecret == "":
		problem("WEBHOOK_URL is set but WEBHOOK_SECRET is not: the webhook needs a secret token")
	case c.webhookURL != "":
		// Telegram only calls https webhooks; a self-hosted Bot API server
		// may call http ones.
		selfHosted := getenv("TELEGRAM_API_URL") != ""
		if u, err := url.Parse(c.webhookURL); err != nil || u.Host == "" || (u.Scheme != "https" && !(selfHosted && u.Scheme == "http")) {
			problem("WEBHOOK_URL %q is not an https URL", c.webhookURL)
		}
		if !secretPattern.MatchString(c.webhookSecret) {
			problem("WEBHOOK_SECRET must be 1 to 256 letters, digits, - or _")
		}
	}
	if c.httpAddr == "" {
		c.httpAddr = ":8080"
	} else if _, port, err := net.SplitHostPort(c.httpAddr); err != nil || port == "" {
		problem("HTTP_ADDR %q is not a listen address like :8080 or 127.0.0.1:8080", c.httpAddr)
	}
	if v := strings.TrimSpace(getenv("EXAMDESK_STATE_TTL")); v != "" {
		ttl, err := time.ParseDuration(v)
		if err != nil || ttl < time.Hour {
			problem("EXAMDESK_STATE_TTL %q is not a duration of at least 1h (like 720h)", v)
		} else {
			c.stateTTL = ttl
		}
	}
	maxRate := float64(maxBroadcastRate)
	if v := strings.TrimSpace(getenv("EXAMDESK_PAID_BROADCAST")); v != "" {
		paid, err := strconv.ParseBool(v)
		if err != nil {
			problem("EXAMDESK_PAID_BROADCAST %q is not true or false", v)
		}
		c.paidBroadcast = paid
		if paid {
			maxRate = maxPaidBroadcastRate
		}
	}
	if v := strings.TrimSpace(getenv("EXAMDESK_BROADCAST_RATE")); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || !(rate >= 1 && rate <= maxRate) {
			hint := ""
			if !c.paidBroadcast && err == nil && rate > maxRate && rate <= maxPaidBroadcastRate {
				hint = " (up to 1000 with EXAMDESK_PAID_BROADCAST=true)"
			}
			problem("EXAMDESK_BROADCAST_RATE %q is not a rate of 1 to %v messages per second%s", v, maxRate, hint)
		} else {
			c.broadcastRate = rate
		}
	}
	if c.publicURL != "" {
		// Telegram opens Mini Apps over https only.
		if u, err := url.Parse(c.publicURL); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			problem("EXAMDESK_PUBLIC_URL %q is not an https address like https://desk.example.org (Telegram opens the dashboard there)", c.publicURL)
		}
	}
	return c, errors.Join(errs...)
}

// parseWait reads EXAMDESK_REDIS_WAIT: a number of replicas, then
// optionally a comma and how long to wait for them ("1,250ms").
func parseWait(v string) (int, time.Duration, error) {
	count, timeout, hasTimeout := strings.Cut(v, ",")
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 0 || n > 10 {
		return 0, 0, errors.New("is not a number of replicas (0 to 10), then optionally a comma and a timeout, like 1,250ms; 0 waits for none")
	}
	d := redisstore.DefaultWaitTimeout
	if hasTimeout {
		d, err = time.ParseDuration(strings.TrimSpace(timeout))
		if err != nil || d < time.Millisecond || d > maxWaitTimeout {
			return 0, 0, fmt.Errorf("has a timeout %q that is not a duration of 1ms to %v, like 250ms", strings.TrimSpace(timeout), maxWaitTimeout)
		}
	}
	return n, d, nil
}

// maxWaitTimeout is the longest EXAMDESK_REDIS_WAIT timeout: a WAIT must
// end well within go-redis's read timeout (3 s).
const maxWaitTimeout = 2 * time.Second

// Broadcast rates, in messages per second: Telegram allows about 30 per
// bot, and up to 1000 for paid broadcasts.
const (
	defaultBroadcastRate = 25
	maxBroadcastRate     = 30
	maxPaidBroadcastRate = 1000
)
