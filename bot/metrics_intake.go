package bot

import "github.com/prometheus/client_golang/prometheus"

// intakeMetrics are the metrics of intake's turns and of Redis's replicas.
type intakeMetrics struct {
	reg          prometheus.Registerer
	conflicts    prometheus.Counter
	polling      prometheus.Gauge
	waitTimeouts prometheus.Counter
}

func newIntakeMetrics(reg prometheus.Registerer) *intakeMetrics {
	m := &intakeMetrics{
		reg: reg,
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "examdesk_getupdates_conflicts_total",
			Help: "getUpdates answered 409 Conflict by Telegram, other than at the end of this serve's turn: another poller not on this Redis, or a webhook.",
		}),
		polling: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "examdesk_poller_lease_held",
			Help: "1 while this serve holds the poller lease and polls Telegram, else 0.",
		}),
		waitTimeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "examdesk_redis_wait_timeouts_total",
			Help: "Updates acknowledged to Telegram though WAIT timed out before a replica confirmed them.",
		}),
	}
	reg.MustRegister(m.conflicts, m.polling, m.waitTimeouts)
	return m
}

func (m *Metrics) conflict() {
	if m != nil {
		m.intake.conflicts.Inc()
	}
}

func (m *Metrics) polling(on bool) {
	if m != nil {
		v := 0.0
		if on {
			v = 1
		}
		m.intake.polling.Set(v)
	}
}

// WaitTimedOut counts a WAIT that ended before a replica confirmed the
// updates; it fits redisstore.ReplicationOptions.TimedOut.
func (m *Metrics) WaitTimedOut() {
	if m != nil {
		m.intake.waitTimeouts.Inc()
	}
}

// Replicas registers the gauge of the Redis master's replicas in sync,
// read from inSync at every scrape (redisstore.Replication.InSync).
func (m *Metrics) Replicas(inSync func() int) {
	if m != nil {
		m.intake.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "examdesk_redis_replicas_in_sync",
			Help: "Replicas of the Redis master that intake waits for (online, and acknowledged within 3 s).",
		}, func() float64 { return float64(inSync()) }))
	}
}
