// Package metrics exposes the service's state in the Prometheus text format
// for the operators of a deployment (GB/T 22239-2019 8.1.4 asks that the
// running state of a level-3 system be monitored): requests by route and
// status with their latency, the SMS outbox's depth, the timed jobs' runs,
// and the database pools.
//
// Routes are the patterns of the route table ("GET /applications/{id}"),
// never the paths themselves, so an 申请号 or a token never becomes a label
// and the number of series stays bounded.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"opcert/internal/store"
)

// Metrics holds the service's collectors in a registry of its own (not the
// global one), so two servers in one test process do not collide.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobRuns  *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
	jobLast  *prometheus.GaugeVec

	// series are the request counter and latency histogram of each route,
	// method and status seen: found by their labels once, not hashed
	// again on every request.
	series sync.Map // requestKey → requestSeries
}

type requestKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// New registers the collectors; db's pools and outbox are read at each
// scrape.
func New(db *store.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opcert_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "opcert_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opcert_job_runs_total", Help: "Runs of the timed jobs, by job and result (ok, error).",
		}, []string{"job", "result"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "opcert_job_duration_seconds", Help: "Time a timed job took.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300},
		}, []string{"job"}),
		jobLast: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "opcert_job_last_success_timestamp_seconds", Help: "When each timed job last ran without error (Unix time): an alert on its age finds a stopped runner.",
		}, []string{"job"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.jobRuns, m.jobTime, m.jobLast,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		outboxCollector{db: db})
	// SQLite has a pool of readers and one of a single writer; on
	// PostgreSQL they are one pool.
	for name, pool := range db.Pools() {
		prometheus.WrapRegistererWith(prometheus.Labels{"pool": name}, m.reg).MustRegister(collectors.NewDBStatsCollector(pool, "opcert"))
	}
	return m
}

// ObserveRequest counts one answered request.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	k := requestKey{route, method, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, requestSeries{count: m.requests.WithLabelValues(route, method, strconv.Itoa(status)), latency: m.latency.WithLabelValues(route)})
	}
	rs := v.(requestSeries)
	rs.count.Inc()
	rs.latency.Observe(took.Seconds())
}

// ObserveJob counts one run of a timed job.
func (m *Metrics) ObserveJob(job string, err error, took time.Duration) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	} else {
		m.jobLast.WithLabelValues(job).SetToCurrentTime()
	}
	m.jobRuns.WithLabelValues(job, result).Inc()
	m.jobTime.WithLabelValues(job).Observe(took.Seconds())
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// outboxCollector reads the SMS outbox's depth at each scrape.
type outboxCollector struct{ db *store.DB }

var (
	outboxDesc = prometheus.NewDesc("opcert_sms_outbox_messages", "SMS messages in the outbox, by delivery state (pending, sending, failed).",
		[]string{"state"}, nil)
	outboxAgeDesc = prometheus.NewDesc("opcert_sms_outbox_oldest_pending_seconds", "Age of the oldest message still to send (0 when none): a growing age means no sender is running.",
		nil, nil)
)

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- outboxDesc; ch <- outboxAgeDesc }

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.db.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(s.Pending), "pending")
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(s.Sending), "sending")
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(s.Failed), "failed")
	age := 0.0
	if !s.OldestPending.IsZero() {
		age = max(0, c.db.Now().Sub(s.OldestPending).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
}
