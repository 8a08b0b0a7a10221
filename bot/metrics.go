package bot

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"examdesk/broadcast"
	"examdesk/inbox"
)

// Metrics are serve's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	updates     *prometheus.CounterVec
	handling    prometheus.Histogram
	apiErrors   *prometheus.CounterVec
	redisErrors prometheus.Counter
	broadcasts  *prometheus.CounterVec
	deferred    *prometheus.CounterVec
	givenUp     prometheus.Counter
	intake      *intakeMetrics // metrics_intake.go
}

// NewMetrics registers the metrics on reg. depth, if not nil, is read at
// every scrape for the queue depth gauge.
func NewMetrics(reg prometheus.Registerer, depth func() float64) *Metrics {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examdesk_updates_total",
			Help: "Telegram updates received, by kind.",
		}, []string{"kind"}),
		handling: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "examdesk_update_handling_seconds",
			Help:    "Time from taking an update off the queue to having sent its replies.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examdesk_botapi_errors_total",
			Help: "Errors answered by the Telegram Bot API, by method and code.",
		}, []string{"method", "code"}),
		redisErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "examdesk_redis_errors_total",
			Help: "Failed Redis operations.",
		}),
		broadcasts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examdesk_broadcast_messages_total",
			Help: "Broadcast recipients done with, by outcome: sent, blocked or failed.",
		}, []string{"result"}),
		deferred: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "examdesk_chats_deferred_total",
			Help: "Chats given up until later with replies left to send, by cause: turn (the chat's pace), flood (a 429) or failure (a 5xx or a network error).",
		}, []string{"cause"}),
		givenUp: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "examdesk_replies_given_up_total",
			Help: "Reply messages, and parts of a picture's answer, given up after failing for 10 minutes.",
		}),
	}
	reg.MustRegister(m.updates, m.handling, m.apiErrors, m.redisErrors, m.broadcasts, m.deferred, m.givenUp)
	m.intake = newIntakeMetrics(reg)
	if depth != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "examdesk_queue_depth",
			Help: "Chats with updates waiting to be handled.",
		}, depth))
	}
	return m
}

func (m *Metrics) update(kind string) {
	if m != nil {
		m.updates.WithLabelValues(kind).Inc()
	}
}

// Handled counts an update handled in d; it fits conversation.Metrics.
func (m *Metrics) Handled(d time.Duration) {
	if m != nil {
		m.handling.Observe(d.Seconds())
	}
}

func (m *Metrics) apiError(method string, code int) {
	if m != nil {
		m.apiErrors.WithLabelValues(method, strconv.Itoa(code)).Inc()
	}
}

// StoreError counts a failed Redis operation; it fits
// conversation.Metrics.
func (m *Metrics) StoreError() {
	if m != nil {
		m.redisErrors.Inc()
	}
}

// Deferred counts a chat given up until later; it fits
// conversation.Metrics.
func (m *Metrics) Deferred(cause inbox.Cause) {
	if m == nil {
		return
	}
	name := map[inbox.Cause]string{inbox.Waiting: "turn", inbox.Flood: "flood", inbox.Failure: "failure"}[cause]
	m.deferred.WithLabelValues(name).Inc()
}

// GaveUp counts a reply message given up; it fits conversation.Metrics.
func (m *Metrics) GaveUp() {
	if m != nil {
		m.givenUp.Inc()
	}
}

// Broadcast counts the outcome of one broadcast recipient; it fits
// broadcast.Deliverer's Recorded.
func (m *Metrics) Broadcast(r broadcast.Result) {
	if m != nil {
		m.broadcasts.WithLabelValues(string(r)).Inc()
	}
}
