package axlsim

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// maxRequestBytes limits request bodies; user requests are a few kilobytes.
const maxRequestBytes = 1 << 20

// Options configures a [Server]. The zero value is a simulator without authentication,
// latency, throttling or recording.
type Options struct {
	// Username and Password are the credentials that basic authentication must present. An
	// empty Username accepts any request without checking.
	Username string
	Password string

	// Latency delays every admitted request before it executes, while it counts as in flight.
	Latency time.Duration

	// MaxInFlight is the number of requests processed at once; requests above it get HTTP
	// 503 at once, like UCM's throttle. 0 means unlimited.
	MaxInFlight int

	// MaxWritesPerSecond limits the add, update and remove operations with a token bucket that
	// holds one second's worth of writes, at least one. Writes above the rate get HTTP 503.
	// 0 means unlimited.
	MaxWritesPerSecond float64

	// RecordDir, when set, receives every authenticated request body as NNNNNN-<operation>.xml,
	// numbered from 000001 in arrival order. Bodies whose operation cannot be read are named
	// NNNNNN-invalid.xml. Each file appears whole (written to a temporary file, then renamed).
	RecordDir string

	// Logger receives start, stop and fault messages at info and one line per request at
	// debug. Nil discards them.
	Logger *slog.Logger
}

// Server is an in-memory UCM that serves AXL requests at /axl/ with the wire format,
// faults and throttling of UCM, and test controls at /axlsim/. It is safe for concurrent use.
//
// Use it with [Server.StartTLS], or mount it on an httptest server:
//
//	sim := axlsim.New(axlsim.Options{Username: "axl", Password: "secret"})
//	ts := httptest.NewTLSServer(sim)
//	defer ts.Close()
//	client, err := axl.New(axl.Config{
//		URL: ts.URL + "/axl/", Version: "14.0", Username: "axl", Password: "secret",
//		HTTPClient: ts.Client(), // trusts the httptest certificate
//	})
type Server struct {
	opts   Options
	logger *slog.Logger

	mu       sync.Mutex
	users    map[string]axl.User // by lower-case userid
	uuids    map[string]string   // lower-case userid by UUID
	lines    map[lineKey]axl.Line
	phones   map[string]axl.Phone         // by lower-case name
	profiles map[string]axl.DeviceProfile // by lower-case name
	// rdps holds remote destination profiles by lower-case name, destinations remote
	// destinations by number.
	rdps         map[string]axl.RemoteDestinationProfile
	destinations map[string]axl.RemoteDestination
	stats        Stats
	faults       map[string][]*injection
	down         bool
	bucket       tokenBucket
	inFlight     int

	recordSequence atomic.Int64
	recordDirOnce  sync.Once
	recordDirError error

	listener listenerState
}

// New returns a simulator with no users.
func New(opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	s := &Server{opts: opts, logger: logger}
	s.resetLocked()

	return s
}

// Reset removes all users, lines, devices, remote destinations, injected faults and
// statistics, brings the simulator up after [Server.SetDown] and refills the write rate.
// Recorded files stay, and their numbering continues.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.users = make(map[string]axl.User)
	s.uuids = make(map[string]string)
	s.lines = make(map[lineKey]axl.Line)
	s.phones = make(map[string]axl.Phone)
	s.profiles = make(map[string]axl.DeviceProfile)
	s.rdps = make(map[string]axl.RemoteDestinationProfile)
	s.destinations = make(map[string]axl.RemoteDestination)
	s.stats = Stats{Requests: make(map[string]int)}
	s.faults = make(map[string][]*injection)
	s.down = false
	s.bucket = newTokenBucket(s.opts.MaxWritesPerSecond, time.Now())
}

// ServeHTTP serves AXL requests at /axl/ and test controls at /axlsim/ (see the package
// documentation). Other paths get 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/axl/":
		s.serveAXL(w, r)
	case strings.HasPrefix(r.URL.Path, controlPrefix):
		s.serveControl(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveAXL(w http.ResponseWriter, r *http.Request) {
	if s.isDown() {
		s.logger.Debug("axlsim is down: closing the connection", "remoteAddr", r.RemoteAddr)
		// The server closes the connection without a response, as a UCM node that stops.
		panic(http.ErrAbortHandler)
	}

	if r.Method == http.MethodGet {
		writeBanner(w)

		return
	}

	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed: use POST", http.StatusMethodNotAllowed)

		return
	}

	if !s.authorized(r) {
		s.count(func(st *Stats) { st.Unauthorized++ })
		writeUnauthorized(w)

		return
	}

	if mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType != "text/xml" {
		s.count(func(st *Stats) { st.Faults++ })
		http.Error(w, "unsupported content type: SOAP 1.1 needs text/xml", http.StatusUnsupportedMediaType)

		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)

		return
	}

	s.handle(w, r, body)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	started := time.Now()
	req, parseErr := parseRequest(body)

	s.record(req.op, body)
	s.count(func(st *Stats) { st.Requests[req.op]++ })

	release, admitted := s.admit()
	if !admitted {
		s.logger.Debug("axlsim throttled a request", "operation", req.op, "reason", "maxInFlight")
		writeThrottled(w)

		return
	}
	defer release()

	status := s.process(w, r, req, parseErr)

	s.logger.Debug("axlsim request", "operation", req.op, "status", status,
		"duration", time.Since(started).Round(time.Microsecond))
}

// process runs the checks and the operation, writes the response and returns its status.
func (s *Server) process(w http.ResponseWriter, r *http.Request, req request, parseErr error) int {
	if parseErr != nil {
		return s.writeError(w, req, parseErr)
	}

	if err := checkSOAPAction(r.Header.Get("SOAPAction"), req); err != nil {
		return s.writeError(w, req, err)
	}

	if isWrite(req.op) && !s.takeWriteToken() {
		s.logger.Debug("axlsim throttled a write", "operation", req.op, "reason", "maxWritesPerSecond")

		return writeThrottled(w)
	}

	if !sleep(r.Context(), s.opts.Latency) {
		return 0
	}

	if injected, ok := s.nextInjectedFault(req.op); ok {
		return s.writeInjected(w, req, injected)
	}

	inner, err := s.execute(req)
	if err != nil {
		return s.writeError(w, req, err)
	}

	return writeResponse(w, req, inner)
}

func isWrite(op string) bool {
	return strings.HasPrefix(op, "add") || strings.HasPrefix(op, "update") || strings.HasPrefix(op, "remove")
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}

	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Username == "" {
		return true
	}

	username, password, ok := r.BasicAuth()
	if !ok {
		return false
	}

	userOK := subtle.ConstantTimeCompare([]byte(username), []byte(s.opts.Username)) == 1
	passwordOK := subtle.ConstantTimeCompare([]byte(password), []byte(s.opts.Password)) == 1

	return userOK && passwordOK
}

func (s *Server) count(update func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()

	update(&s.stats)
}

// admit counts the request in flight unless MaxInFlight is reached, and returns the function
// that ends it.
func (s *Server) admit() (func(), bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.opts.MaxInFlight > 0 && s.inFlight >= s.opts.MaxInFlight {
		s.stats.Throttled++

		return nil, false
	}

	s.inFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)

	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()

		s.inFlight--
	}, true
}

func (s *Server) takeWriteToken() bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.bucket.take(time.Now()) {
		return true
	}

	s.stats.Throttled++

	return false
}

var safeOperation = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// record writes body to RecordDir. A failure is logged and does not fail the request, so a
// full disk shows in the log rather than as a UCM fault.
func (s *Server) record(op string, body []byte) {
	if s.opts.RecordDir == "" {
		return
	}

	s.recordDirOnce.Do(func() {
		s.recordDirError = os.MkdirAll(s.opts.RecordDir, 0o755)
	})

	if s.recordDirError != nil {
		s.logger.Error("axlsim cannot create the record folder", "dir", s.opts.RecordDir,
			"error", s.recordDirError)

		return
	}

	if !safeOperation.MatchString(op) {
		op = invalidOperation
	}

	name := fmt.Sprintf("%06d-%s.xml", s.recordSequence.Add(1), op)
	if err := writeFileAtomic(filepath.Join(s.opts.RecordDir, name), body); err != nil {
		s.logger.Error("axlsim cannot record a request", "file", name, "error", err)
	}
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".axlsim-*.tmp")
	if err != nil {
		return err
	}

	_, writeErr := tmp.Write(data)
	closeErr := tmp.Close()

	if err := errors.Join(writeErr, closeErr); err != nil {
		os.Remove(tmp.Name())

		return err
	}

	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())

		return err
	}

	return nil
}
