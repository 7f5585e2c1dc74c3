// Package metrics holds the ucmpush worker's Prometheus metrics: the Temporal SDK's own,
// through [Metrics.SDKHandler], and ucmpush's pushes, AXL calls, directory reads and sync
// counts. Labels carry configuration names (cluster, directory) and fixed values (outcome,
// operation, result, kind), never a userid or any other personal data.
//
// Every method is safe for concurrent use and does nothing on a nil *Metrics, so code that
// records metrics needs no check for whether metrics are on.
package metrics

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// Push outcomes, the values of the outcome label of ucmpush_pushes_total. Any other value is
// recorded as OutcomeOther, so a new outcome cannot add label values without a code change.
const (
	OutcomeAdded     = "added"
	OutcomeUpdated   = "updated"
	OutcomeUnchanged = "unchanged"
	OutcomeFailed    = "failed"
	OutcomeOther     = "other"
)

// AXL call results, the values of the result label of ucmpush_axl_requests_total.
const (
	// ResultOK is a call that UCM completed without a fault.
	ResultOK = "ok"
	// ResultFault is a SOAP or HTTP fault other than throttling (not found, validation,
	// authentication).
	ResultFault = "fault"
	// ResultThrottled is HTTP 503, or axlcode -1 for a full AXL memory queue.
	ResultThrottled = "throttled"
	// ResultError is a failure without a response from UCM (connection, TLS, timeout), or a
	// response above 8 MB.
	ResultError = "error"
)

// axlBuckets are the upper bounds, in seconds, of the AXL latency histogram. The client's
// default timeout is 30 s, so the last finite bucket catches calls that ran into it.
var axlBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Metrics is a Prometheus registry with ucmpush's metrics, the SDK's and the Go runtime's.
type Metrics struct {
	registry *prometheus.Registry
	sdk      *sdkCollector

	pushes           *prometheus.CounterVec
	axlRequests      *prometheus.CounterVec
	axlSeconds       *prometheus.HistogramVec
	axlThrottled     *prometheus.CounterVec
	directoryEntries *prometheus.CounterVec
	syncUsers        *prometheus.GaugeVec
}

// New returns metrics in a registry of their own, which also holds the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		sdk:      newSDKCollector(),
		pushes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ucmpush_pushes_total",
			Help: "Users pushed to a UCM cluster, by outcome (added, updated, unchanged, failed).",
		}, []string{"cluster", "outcome"}),
		axlRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ucmpush_axl_requests_total",
			Help: "AXL HTTP calls by operation and result (ok, fault, throttled, error).",
		}, []string{"cluster", "operation", "result"}),
		axlSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ucmpush_axl_request_seconds",
			Help:    "Duration of AXL HTTP calls, including reading the response, in seconds.",
			Buckets: axlBuckets,
		}, []string{"cluster", "operation"}),
		axlThrottled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ucmpush_axl_throttled_total",
			Help: "AXL calls that UCM throttled (HTTP 503 or axlcode -1).",
		}, []string{"cluster"}),
		directoryEntries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ucmpush_directory_entries_total",
			Help: "Entries read from a directory, counting again those a retried search re-reads.",
		}, []string{"directory"}),
		syncUsers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ucmpush_sync_users",
			Help: "Counts of the last applied sync of a directory, by kind (found, added, " +
				"updated, unchanged, removed, disabled, restored, invalid).",
		}, []string{"directory", "kind"}),
	}

	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.sdk,
		m.pushes, m.axlRequests, m.axlSeconds, m.axlThrottled, m.directoryEntries, m.syncUsers,
	)
	return m
}

var (
	defaultOnce    sync.Once
	defaultMetrics *Metrics
)

// Default returns the process's metrics, created on first use. The worker serves them and
// the activities that the worker package registers record into them.
func Default() *Metrics {
	defaultOnce.Do(func() { defaultMetrics = New() })
	return defaultMetrics
}

// Gatherer returns the registry, for tests and for serving it another way; nil for nil m.
func (m *Metrics) Gatherer() prometheus.Gatherer {
	if m == nil {
		return nil
	}
	return m.registry
}

// Handler serves the metrics in the Prometheus text format. For nil m it returns 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// RecordPush counts one user's push outcome on a cluster.
func (m *Metrics) RecordPush(cluster, outcome string) {
	if m == nil {
		return
	}
	switch outcome {
	case OutcomeAdded, OutcomeUpdated, OutcomeUnchanged, OutcomeFailed:
	default:
		outcome = OutcomeOther
	}
	m.pushes.WithLabelValues(cluster, outcome).Inc()
}

// AXLObserver returns the [axl.Config.Observer] for a cluster: it counts every call by
// operation and result, records its duration and counts throttled calls. It returns nil for
// nil m, which the AXL client takes as no observer.
func (m *Metrics) AXLObserver(cluster string) func(op string, elapsed time.Duration, err error) {
	if m == nil {
		return nil
	}
	return func(op string, elapsed time.Duration, err error) {
		result := AXLResult(err)
		m.axlRequests.WithLabelValues(cluster, op, result).Inc()
		m.axlSeconds.WithLabelValues(cluster, op).Observe(elapsed.Seconds())
		if result == ResultThrottled {
			m.axlThrottled.WithLabelValues(cluster).Inc()
		}
	}
}

// AXLResult classifies the error of one AXL call into one of the Result values.
func AXLResult(err error) string {
	var fault *axl.Fault
	switch {
	case err == nil:
		return ResultOK
	case axl.IsThrottled(err):
		return ResultThrottled
	case errors.As(err, &fault):
		return ResultFault
	}
	return ResultError
}

// AddDirectoryEntries counts n entries read from a directory.
func (m *Metrics) AddDirectoryEntries(directory string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.directoryEntries.WithLabelValues(directory).Add(float64(n))
}

// SetSyncUsers sets the gauge of one count (kind) of a directory's last applied sync.
func (m *Metrics) SetSyncUsers(directory, kind string, n int) {
	if m == nil {
		return
	}
	m.syncUsers.WithLabelValues(directory, kind).Set(float64(n))
}
