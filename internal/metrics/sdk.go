package metrics

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// sdkBuckets are the upper bounds, in seconds, of the SDK's timer histograms. They span
// task latencies of milliseconds, long polls of about a minute and workflows of an hour.
var sdkBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
	60, 120, 300, 600, 1800, 3600}

// SDKHandler returns the Temporal SDK metrics handler (client.Options.MetricsHandler) that
// records into m. Counters are exported with a _total suffix and timers as histograms in
// seconds with a _seconds suffix, the names that Temporal's Grafana dashboard for the Go and
// Java SDKs with Tally queries: temporal_request_total and temporal_request_latency_seconds,
// for example. Tags become labels. For nil m it returns the SDK's no-op handler.
func (m *Metrics) SDKHandler() client.MetricsHandler {
	if m == nil {
		return client.MetricsNopHandler
	}
	return sdkHandler{collector: m.sdk}
}

// sdkHandler implements client.MetricsHandler for one set of tags.
type sdkHandler struct {
	collector *sdkCollector
	tags      map[string]string
}

// WithTags returns a handler whose tags are the receiver's, overwritten by tags.
func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	maps.Copy(merged, h.tags)
	maps.Copy(merged, tags)
	return sdkHandler{collector: h.collector, tags: merged}
}

// Counter returns the counter name_total with the handler's tags.
func (h sdkHandler) Counter(name string) client.MetricsCounter {
	s := h.collector.lookup(kindCounter, name, h.tags)
	if s == nil {
		return client.MetricsNopHandler.Counter(name)
	}
	counter := s.(prometheus.Counter)
	return counterFunc(func(d int64) {
		if d > 0 {
			counter.Add(float64(d))
		}
	})
}

// Gauge returns the gauge name with the handler's tags.
func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	s := h.collector.lookup(kindGauge, name, h.tags)
	if s == nil {
		return client.MetricsNopHandler.Gauge(name)
	}
	gauge := s.(prometheus.Gauge)
	return gaugeFunc(gauge.Set)
}

// Timer returns the histogram name_seconds with the handler's tags.
func (h sdkHandler) Timer(name string) client.MetricsTimer {
	s := h.collector.lookup(kindTimer, name, h.tags)
	if s == nil {
		return client.MetricsNopHandler.Timer(name)
	}
	histogram := s.(prometheus.Histogram)
	return timerFunc(func(d time.Duration) { histogram.Observe(d.Seconds()) })
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

type metricKind int

const (
	kindCounter metricKind = iota
	kindGauge
	kindTimer
)

// sdkCollector holds every series the SDK created, keyed by exported name and label set. The
// SDK gives different tags to the same metric name (temporal_request gains status_code on
// failure, for one), which a prometheus.*Vec cannot hold, so each series is its own
// metric and the collector is unchecked: it describes nothing up front.
type sdkCollector struct {
	mu     sync.RWMutex
	series map[string]prometheus.Metric
	kinds  map[string]metricKind // exported name to kind, so one name keeps one type
}

func newSDKCollector() *sdkCollector {
	return &sdkCollector{series: map[string]prometheus.Metric{}, kinds: map[string]metricKind{}}
}

// Describe sends nothing, which makes the collector unchecked.
func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

// Collect sends every series.
func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.RLock()
	defer c.mu.RUnlock()

	for _, s := range c.series {
		ch <- s
	}
}

// lookup returns the series of kind for the SDK's name and tags, creating it on first use.
// It returns nil when the exported name already belongs to a series of another kind, since
// Prometheus cannot export one name with two types.
func (c *sdkCollector) lookup(kind metricKind, name string, tags map[string]string) prometheus.Metric {
	exported := exportedName(kind, name)
	labels := sanitizeLabels(tags)
	key := seriesKey(kind, exported, labels)

	c.mu.RLock()
	s, ok := c.series[key]
	c.mu.RUnlock()
	if ok {
		return s
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	if s, ok := c.series[key]; ok {
		return s
	}
	if known, ok := c.kinds[exported]; ok && known != kind {
		return nil
	}

	help := "Temporal SDK metric " + name + "."
	switch kind {
	case kindCounter:
		s = prometheus.NewCounter(prometheus.CounterOpts{Name: exported, Help: help, ConstLabels: labels})
	case kindGauge:
		s = prometheus.NewGauge(prometheus.GaugeOpts{Name: exported, Help: help, ConstLabels: labels})
	case kindTimer:
		s = prometheus.NewHistogram(prometheus.HistogramOpts{Name: exported, Help: help,
			ConstLabels: labels, Buckets: sdkBuckets})
	}
	c.series[key] = s
	c.kinds[exported] = kind
	return s
}

// exportedName applies the Prometheus suffixes: _total for counters and _seconds for
// timers.
func exportedName(kind metricKind, name string) string {
	name = sanitizeName(name)
	switch {
	case kind == kindCounter && !strings.HasSuffix(name, "_total"):
		return name + "_total"
	case kind == kindTimer && !strings.HasSuffix(name, "_seconds"):
		return name + "_seconds"
	}
	return name
}

// sanitizeName replaces the characters that Prometheus names do not allow with '_'.
func sanitizeName(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == ':':
			b.WriteRune(r)
		case r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// sanitizeLabels turns tags into valid label names and UTF-8 values. Label names that start
// with "__" are reserved by Prometheus, so they lose one underscore.
func sanitizeLabels(tags map[string]string) prometheus.Labels {
	labels := make(prometheus.Labels, len(tags))
	for k, v := range tags {
		k = strings.ReplaceAll(sanitizeName(k), ":", "_")
		if strings.HasPrefix(k, "__") {
			k = k[1:]
		}
		if k == "" {
			continue
		}
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		labels[k] = v
	}
	return labels
}

// seriesKey identifies a series by kind, name and labels. The kind is part of the key, so a
// lookup never returns a series of another kind that shares the exported name.
func seriesKey(kind metricKind, name string, labels prometheus.Labels) string {
	var b strings.Builder
	b.WriteByte(byte('0' + kind))
	b.WriteString(name)
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(labels[k])
	}
	return b.String()
}
