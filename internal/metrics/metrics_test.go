package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axlsim"
)

// scrape returns the text that m's handler serves at /metrics.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	server := httptest.NewServer(m.Handler())
	defer server.Close()

	resp, err := http.Get(server.URL)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read /metrics: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want the Prometheus text format", ct)
	}
	return string(body)
}

// value returns the value of the series name with exactly labels, or -1 when there is none.
// For histograms it returns the sample count.
func value(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, metric := range f.GetMetric() {
			if !sameLabels(metric.GetLabel(), labels) {
				continue
			}
			switch {
			case metric.Counter != nil:
				return metric.GetCounter().GetValue()
			case metric.Gauge != nil:
				return metric.GetGauge().GetValue()
			case metric.Histogram != nil:
				return float64(metric.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func sameLabels(pairs []*dto.LabelPair, want map[string]string) bool {
	if len(pairs) != len(want) {
		return false
	}
	for _, p := range pairs {
		if want[p.GetName()] != p.GetValue() {
			return false
		}
	}
	return true
}

func TestSDKHandlerExportsCounterGaugeTimer(t *testing.T) {
	m := New()
	h := m.SDKHandler().WithTags(map[string]string{"namespace": "default", "task_queue": "ucmpush"})

	h.Counter("temporal_request").Inc(2)
	h.Counter("temporal_request").Inc(3)
	h.WithTags(map[string]string{"status_code": "Unavailable"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_num_pollers").Update(4)
	h.Gauge("temporal_num_pollers").Update(2)
	h.Timer("temporal_activity_execution_latency").Record(1500 * time.Millisecond)

	text := scrape(t, m)
	for _, line := range []string{
		`# TYPE temporal_request_total counter`,
		`temporal_request_total{namespace="default",task_queue="ucmpush"} 5`,
		`temporal_request_total{namespace="default",status_code="Unavailable",task_queue="ucmpush"} 1`,
		`# TYPE temporal_num_pollers gauge`,
		`temporal_num_pollers{namespace="default",task_queue="ucmpush"} 2`,
		`# TYPE temporal_activity_execution_latency_seconds histogram`,
		`temporal_activity_execution_latency_seconds_bucket{namespace="default",task_queue="ucmpush",le="1"} 0`,
		`temporal_activity_execution_latency_seconds_bucket{namespace="default",task_queue="ucmpush",le="2.5"} 1`,
		`temporal_activity_execution_latency_seconds_sum{namespace="default",task_queue="ucmpush"} 1.5`,
		`temporal_activity_execution_latency_seconds_count{namespace="default",task_queue="ucmpush"} 1`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("/metrics lacks the line %q", line)
		}
	}
}

func TestSDKHandlerWithTagsOverwritesAndKeepsParent(t *testing.T) {
	m := New()
	parent := m.SDKHandler().WithTags(map[string]string{"namespace": "a", "operation": "Poll"})
	child := parent.WithTags(map[string]string{"namespace": "b"})

	child.Counter("temporal_long_request").Inc(1)
	parent.Counter("temporal_long_request").Inc(1)

	if v := value(t, m, "temporal_long_request_total", map[string]string{"namespace": "b",
		"operation": "Poll"}); v != 1 {
		t.Errorf("child series = %v, want 1", v)
	}
	if v := value(t, m, "temporal_long_request_total", map[string]string{"namespace": "a",
		"operation": "Poll"}); v != 1 {
		t.Errorf("parent series = %v, want 1 (WithTags must not change the parent)", v)
	}
}

func TestSDKHandlerKeepsOneTypePerName(t *testing.T) {
	m := New()
	h := m.SDKHandler()
	h.Gauge("temporal_thing_seconds").Update(1)
	// A timer of this name would export temporal_thing_seconds as a histogram as well, which
	// Prometheus rejects: the second kind is dropped and /metrics still works.
	h.Timer("temporal_thing").Record(time.Second)

	text := scrape(t, m)
	if !strings.Contains(text, "# TYPE temporal_thing_seconds gauge") {
		t.Errorf("the gauge temporal_thing_seconds is missing:\n%s", text)
	}
	if strings.Contains(text, "temporal_thing_seconds_bucket") {
		t.Errorf("the conflicting histogram was exported")
	}
}

func TestSDKHandlerSanitizesNamesAndLabels(t *testing.T) {
	m := New()
	m.SDKHandler().WithTags(map[string]string{"task-queue": "q", "__reserved": "x",
		"bad": "\xff"}).Counter("temporal.odd name").Inc(1)

	if v := value(t, m, "temporal_odd_name_total", map[string]string{"task_queue": "q",
		"_reserved": "x", "bad": "\uFFFD"}); v != 1 {
		t.Errorf("sanitized series = %v, want 1; /metrics:\n%s", v, scrape(t, m))
	}
}

func TestNilMetricsDoNothing(t *testing.T) {
	var m *Metrics
	m.RecordPush("c", OutcomeAdded)
	m.AddDirectoryEntries("d", 3)
	m.SetSyncUsers("d", "found", 3)
	if m.AXLObserver("c") != nil {
		t.Errorf("AXLObserver of nil metrics is not nil")
	}
	m.SDKHandler().Counter("x").Inc(1)
	if m.Gatherer() != nil {
		t.Errorf("Gatherer of nil metrics is not nil")
	}
}

func TestRecordPushFoldsUnknownOutcomes(t *testing.T) {
	m := New()
	m.RecordPush("ucm-lab", OutcomeAdded)
	m.RecordPush("ucm-lab", OutcomeAdded)
	m.RecordPush("ucm-lab", "jdoe")

	if v := value(t, m, "ucmpush_pushes_total", map[string]string{"cluster": "ucm-lab",
		"outcome": "added"}); v != 2 {
		t.Errorf("added = %v, want 2", v)
	}
	if v := value(t, m, "ucmpush_pushes_total", map[string]string{"cluster": "ucm-lab",
		"outcome": "other"}); v != 1 {
		t.Errorf("other = %v, want 1", v)
	}
	if strings.Contains(scrape(t, m), "jdoe") {
		t.Errorf("an unknown outcome value reached /metrics")
	}
}

func TestDirectoryAndSyncMetrics(t *testing.T) {
	m := New()
	m.AddDirectoryEntries("acme-ldap", 500)
	m.AddDirectoryEntries("acme-ldap", 20)
	m.AddDirectoryEntries("acme-ldap", 0)
	m.SetSyncUsers("acme-ldap", "added", 7)
	m.SetSyncUsers("acme-ldap", "added", 3)

	if v := value(t, m, "ucmpush_directory_entries_total", map[string]string{"directory": "acme-ldap"}); v != 520 {
		t.Errorf("entries = %v, want 520", v)
	}
	if v := value(t, m, "ucmpush_sync_users", map[string]string{"directory": "acme-ldap",
		"kind": "added"}); v != 3 {
		t.Errorf("sync users added = %v, want the last value 3", v)
	}
}

func TestAXLResultClassifies(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ResultOK},
		{"HTTP 503", &axl.Fault{HTTPStatus: http.StatusServiceUnavailable}, ResultThrottled},
		{"memory throttle", &axl.Fault{HTTPStatus: 500, Code: axl.CodeGeneric,
			Message: "Maximum AXL Memory Allocation Consumed"}, ResultThrottled},
		{"not found", &axl.Fault{HTTPStatus: 500, Code: 5007}, ResultFault},
		{"wrapped auth fault", errorsJoin(&axl.Fault{HTTPStatus: 401}), ResultFault},
		{"network", errors.New("dial tcp: connection refused"), ResultError},
		{"too large", axl.ErrResponseTooLarge, ResultError},
	}
	for _, tt := range tests {
		if got := AXLResult(tt.err); got != tt.want {
			t.Errorf("%s: AXLResult = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func errorsJoin(err error) error { return errors.Join(errors.New("axl getUser"), err) }

const (
	simUser     = "axladmin"
	simPassword = "sim-secret"
)

// TestAXLObserverCountsSimulatorCalls drives the AXL client against the simulator and
// checks that each HTTP call moves the counter of its operation and result.
func TestAXLObserverCountsSimulatorCalls(t *testing.T) {
	m := New()
	sim := axlsim.New(axlsim.Options{Username: simUser, Password: simPassword})
	ts := httptest.NewTLSServer(sim)
	defer ts.Close()
	client, err := axl.New(axl.Config{URL: ts.URL + "/axl/", Version: "14.0", Username: simUser,
		Password: simPassword, Timeout: 5 * time.Second, HTTPClient: ts.Client(),
		Observer: m.AXLObserver("ucm-lab")})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}
	ctx := context.Background()

	if _, err := client.GetUser(ctx, "jdoe"); !axl.IsNotFound(err) {
		t.Fatalf("GetUser of a missing user = %v, want not found", err)
	}
	if _, err := client.AddUser(ctx, axl.User{UserID: "jdoe", LastName: "Doe"}); err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	if _, err := client.GetUser(ctx, "jdoe"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	sim.InjectFault("getUser", axlsim.InjectedFault{HTTPStatus: http.StatusServiceUnavailable})
	if _, err := client.GetUser(ctx, "jdoe"); !axl.IsThrottled(err) {
		t.Fatalf("GetUser with an injected 503 = %v, want throttled", err)
	}
	sim.SetDown(true)
	if _, err := client.GetUser(ctx, "jdoe"); err == nil {
		t.Fatal("GetUser against a simulator that is down succeeded")
	}

	counts := []struct {
		op, result string
		want       float64
	}{
		{"getUser", ResultFault, 1},
		{"getUser", ResultOK, 1},
		{"getUser", ResultThrottled, 1},
		{"getUser", ResultError, 1},
		{"addUser", ResultOK, 1},
	}
	for _, c := range counts {
		got := value(t, m, "ucmpush_axl_requests_total", map[string]string{"cluster": "ucm-lab",
			"operation": c.op, "result": c.result})
		if got != c.want {
			t.Errorf("ucmpush_axl_requests_total{%s,%s} = %v, want %v", c.op, c.result, got, c.want)
		}
	}
	if got := value(t, m, "ucmpush_axl_request_seconds", map[string]string{"cluster": "ucm-lab",
		"operation": "getUser"}); got != 4 {
		t.Errorf("getUser latency samples = %v, want 4", got)
	}
	if got := value(t, m, "ucmpush_axl_throttled_total", map[string]string{"cluster": "ucm-lab"}); got != 1 {
		t.Errorf("ucmpush_axl_throttled_total = %v, want 1", got)
	}
	if strings.Contains(scrape(t, m), "jdoe") {
		t.Errorf("a userid reached /metrics")
	}
}
