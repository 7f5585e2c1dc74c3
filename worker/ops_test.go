package worker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ucmpush/ucmpush/internal/metrics"
	"github.com/ucmpush/ucmpush/internal/temporalclient"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	server := httptest.NewServer(h)
	defer server.Close()

	resp, err := http.Get(server.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func passing(name string) Check {
	return Check{Name: name, Run: func(context.Context) error { return nil }}
}

func TestHealthzAnswersInEveryState(t *testing.T) {
	h := NewHealth(nil)
	for _, step := range []func(){func() {}, func() { h.SetReady() }, h.SetStopping} {
		step()
		if code, body := get(t, h.Handler(), "/healthz"); code != http.StatusOK || body != "ok\n" {
			t.Errorf("/healthz = %d %q, want 200 ok", code, body)
		}
	}
}

func TestReadyzFollowsWorkerState(t *testing.T) {
	h := NewHealth(nil)
	if code, body := get(t, h.Handler(), "/readyz"); code != http.StatusServiceUnavailable ||
		body != "starting\n" {
		t.Errorf("/readyz before start = %d %q, want 503 starting", code, body)
	}

	h.SetReady(passing("database"), passing("temporal"))
	if code, body := get(t, h.Handler(), "/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz when ready = %d %q, want 200 ready", code, body)
	}

	h.SetStopping()
	if code, body := get(t, h.Handler(), "/readyz"); code != http.StatusServiceUnavailable ||
		body != "stopping\n" {
		t.Errorf("/readyz when stopping = %d %q, want 503 stopping", code, body)
	}
}

func TestReadyzListsEveryFailedCheck(t *testing.T) {
	h := NewHealth(nil)
	h.SetReady(
		Check{Name: "database", Run: func(context.Context) error { return errors.New("no route") }},
		passing("middle"),
		Check{Name: "temporal", Run: func(context.Context) error { return errors.New("unavailable") }},
	)

	code, body := get(t, h.Handler(), "/readyz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d, want 503", code)
	}
	if want := "database: no route\ntemporal: unavailable\n"; body != want {
		t.Errorf("/readyz body = %q, want %q", body, want)
	}
}

// closedPort returns a loopback port that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestReadyzFailsWhenDatabaseIsDown(t *testing.T) {
	url := "postgres://ucmpush:pw-must-not-show@" + closedPort(t) + "/ucmpush?connect_timeout=1"
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	defer pool.Close()

	h := NewHealth(nil)
	h.SetReady(Check{Name: "database", Run: func(ctx context.Context) error { return pool.Ping(ctx) }},
		passing("temporal"))
	code, body := get(t, h.Handler(), "/readyz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down = %d, want 503", code)
	}
	if !strings.HasPrefix(body, "database: ") {
		t.Errorf("/readyz body %q does not name the database", body)
	}
	if strings.Contains(body, "pw-must-not-show") {
		t.Errorf("/readyz body %q contains the database password", body)
	}
}

func TestMetricsEndpointServesRegistry(t *testing.T) {
	m := metrics.New()
	m.RecordPush("ucm-lab", metrics.OutcomeUpdated)

	code, body := get(t, NewHealth(m).Handler(), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	if !strings.Contains(body, `ucmpush_pushes_total{cluster="ucm-lab",outcome="updated"} 1`) {
		t.Errorf("/metrics lacks the push counter:\n%s", body)
	}
	if code, _ := get(t, NewHealth(nil).Handler(), "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics without metrics = %d, want 404", code)
	}
}

func TestStartOpsRejectsTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	_, err = startOps(l.Addr().String(), NewHealth(nil), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "--metrics-listen") {
		t.Fatalf("startOps on a taken port = %v, want an error naming --metrics-listen", err)
	}
}

func TestWithDefaults(t *testing.T) {
	cfg, err := Config{Temporal: temporalclient.Config{Address: "127.0.0.1:7233"}}.withDefaults()
	if err != nil {
		t.Fatalf("withDefaults: %v", err)
	}
	if cfg.ShutdownTimeout != DefaultShutdownTimeout {
		t.Errorf("ShutdownTimeout = %s, want %s", cfg.ShutdownTimeout, DefaultShutdownTimeout)
	}
	if cfg.TaskQueue != "ucmpush" || cfg.Temporal.Namespace != "default" {
		t.Errorf("TaskQueue, Namespace = %q, %q", cfg.TaskQueue, cfg.Temporal.Namespace)
	}
	if cfg.Metrics != metrics.Default() {
		t.Errorf("Metrics is not metrics.Default()")
	}

	_, err = Config{Temporal: temporalclient.Config{Address: "a:1"}, ShutdownTimeout: -time.Second}.withDefaults()
	if err == nil || !strings.Contains(err.Error(), "shutdown timeout") {
		t.Errorf("withDefaults with a negative timeout = %v", err)
	}
	_, err = Config{Temporal: temporalclient.Config{Address: "a:1", CertFile: "/c"}}.withDefaults()
	if err == nil || !strings.Contains(err.Error(), "has no key") {
		t.Errorf("withDefaults with a certificate and no key = %v", err)
	}
}

// TestRunFailsFastWithoutDatabase checks that Run returns a clear error, without the
// password, when the store is unreachable, and that the metrics listener it opened is
// closed again.
func TestRunFailsFastWithoutDatabase(t *testing.T) {
	var logs bytes.Buffer
	listen := closedPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	err := Run(ctx, Config{
		Temporal:      temporalclient.Config{Address: closedPort(t)},
		DatabaseURL:   "postgres://ucmpush:pw-must-not-show@" + closedPort(t) + "/ucmpush?connect_timeout=1",
		MetricsListen: listen,
		Metrics:       metrics.New(),
		Logger:        slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err == nil || !strings.Contains(err.Error(), "connect to database") {
		t.Fatalf("Run = %v, want a database connection error", err)
	}
	if strings.Contains(err.Error()+logs.String(), "pw-must-not-show") {
		t.Errorf("the password shows in the error or the log:\n%v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "Serving metrics") {
		t.Errorf("the log lacks the metrics listener line:\n%s", logs.String())
	}

	l, err := net.Listen("tcp", listen)
	if err != nil {
		t.Errorf("the metrics address %s is still taken after Run returned: %v", listen, err)
	} else {
		_ = l.Close()
	}
}

// TestRunWithoutMetricsWhenDefaultPortTaken checks that an optional metrics address that is
// taken only costs the endpoint: Run gets past it to the database, and warns.
func TestRunWithoutMetricsWhenDefaultPortTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	for _, optional := range []bool{false, true} {
		var logs bytes.Buffer
		err := Run(context.Background(), Config{
			Temporal:              temporalclient.Config{Address: closedPort(t)},
			DatabaseURL:           "postgres://u:p@" + closedPort(t) + "/db?connect_timeout=1",
			MetricsListen:         taken.Addr().String(),
			MetricsListenOptional: optional,
			Metrics:               metrics.New(),
			Logger:                slog.New(slog.NewTextHandler(&logs, nil)),
		})
		switch {
		case !optional && (err == nil || !strings.Contains(err.Error(), "listen for metrics")):
			t.Errorf("required metrics address taken: Run = %v, want a listen error", err)
		case optional && (err == nil || !strings.Contains(err.Error(), "connect to database")):
			t.Errorf("optional metrics address taken: Run = %v, want it to reach the database", err)
		case optional && !strings.Contains(logs.String(), "Running without metrics"):
			t.Errorf("optional metrics address taken: no warning in the log:\n%s", logs.String())
		}
	}
}
