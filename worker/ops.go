package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ucmpush/ucmpush/internal/metrics"
)

// ReadinessTimeout limits each readiness check of /readyz.
const ReadinessTimeout = 2 * time.Second

// Check is one readiness check of /readyz: Name labels its failure in the response.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Health serves the worker's operational endpoints:
//
//   - /metrics: the metrics in the Prometheus text format;
//   - /healthz: 200 "ok" while the process serves HTTP (for liveness probes);
//   - /readyz: 200 "ready" once the worker polls and every check passes, otherwise 503 with
//     one line per reason: "starting", "stopping", or a failed check and its error.
//
// The zero value is not usable; create one with [NewHealth]. It is safe for concurrent use.
type Health struct {
	metrics *metrics.Metrics

	mu     sync.Mutex
	state  string // starting, ready or stopping
	checks []Check
}

// States of [Health].
const (
	stateStarting = "starting"
	stateReady    = "ready"
	stateStopping = "stopping"
)

// NewHealth returns a Health in state starting, serving m at /metrics (404 when m is nil).
func NewHealth(m *metrics.Metrics) *Health {
	return &Health{metrics: m, state: stateStarting}
}

// SetReady switches /readyz to running checks; each must pass for a 200.
func (h *Health) SetReady(checks ...Check) {
	h.mu.Lock()
	defer h.mu.Unlock()

	h.state, h.checks = stateReady, checks
}

// SetStopping makes /readyz return 503 "stopping" from now on.
func (h *Health) SetStopping() {
	h.mu.Lock()
	defer h.mu.Unlock()

	h.state = stateStopping
}

// Handler returns the mux of the three endpoints.
func (h *Health) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", h.serveReady)
	return mux
}

func (h *Health) serveReady(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	state, checks := h.state, h.checks
	h.mu.Unlock()

	if state != stateReady {
		writeText(w, http.StatusServiceUnavailable, state)
		return
	}

	failures := runChecks(r.Context(), checks)
	if len(failures) > 0 {
		writeText(w, http.StatusServiceUnavailable, strings.Join(failures, "\n"))
		return
	}
	writeText(w, http.StatusOK, "ready")
}

// runChecks runs the checks at once, each within ReadinessTimeout, and returns one line per
// failed check in the order given.
func runChecks(ctx context.Context, checks []Check) []string {
	results := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			checkCtx, cancel := context.WithTimeout(ctx, ReadinessTimeout)
			defer cancel()
			results[i] = c.Run(checkCtx)
		})
	}
	wg.Wait()

	var failures []string
	for i, err := range results {
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", checks[i].Name, err))
		}
	}
	return failures
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintln(w, body)
}

// opsServer is the HTTP server of a [Health] on the --metrics-listen address.
type opsServer struct {
	server *http.Server
	done   chan struct{}
}

// startOps listens on address and serves h until shutdown. The listen happens before it
// returns, so a taken port fails the worker at start.
func startOps(address string, h *Health, log *slog.Logger) (*opsServer, error) {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w; pick another --metrics-listen "+
			"address, or set it empty to turn the endpoint off", address, err)
	}

	s := &opsServer{
		server: &http.Server{Handler: h.Handler(), ReadHeaderTimeout: 5 * time.Second},
		done:   make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("Metrics server failed", "address", listener.Addr().String(), "error", err)
		}
	}()
	log.Info("Serving metrics and health checks", "address", listener.Addr().String(),
		"paths", "/metrics /healthz /readyz")
	return s, nil
}

// shutdown stops the server, waiting up to 5 s for scrapes in progress.
func (s *opsServer) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	_ = s.server.Shutdown(ctx)
	<-s.done
}
