package main

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// maxRequestBytes bounds a request body, so a client cannot make the server buffer without
// limit. A Temporal server rejects payloads over 2 MB by default (its blob size limit), and
// 16 MB leaves room for several in one request.
//
// NOTE: the bound is derived from the server's default limit, not measured against the
// requests of the Web UI.
const maxRequestBytes = 16 << 20

// allowedRequestHeaders are the headers the Temporal Web UI sends with a codec request.
const allowedRequestHeaders = "Content-Type, X-Namespace, Authorization"

// handlerConfig holds the settings of [newHandler].
type handlerConfig struct {
	// codec encodes and decodes the payloads.
	codec converter.PayloadCodec
	// token, when not empty, must arrive as "Authorization: Bearer <token>".
	token string
	// origins are the browser origins allowed to call, such as http://127.0.0.1:8233.
	origins []string
	log     *slog.Logger
}

// codecServer responds to CORS preflight requests, checks the bearer token and passes POSTs to
// /encode and /decode (under any path prefix, such as /default/decode) to the SDK's handler.
type codecServer struct {
	codec   http.Handler
	token   []byte
	origins map[string]bool
	log     *slog.Logger
}

func newHandler(cfg handlerConfig) http.Handler {
	origins := map[string]bool{}
	for _, origin := range cfg.origins {
		origins[origin] = true
	}

	logged := loggingCodec{codec: cfg.codec, log: cfg.log}

	return &codecServer{
		codec:   converter.NewPayloadCodecHTTPHandler(logged),
		token:   []byte(cfg.token),
		origins: origins,
		log:     cfg.log,
	}
}

func (s *codecServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}

	s.serve(recorder, r)

	level := slog.LevelDebug
	if recorder.status >= 400 {
		level = slog.LevelWarn
	}

	// Only the request line and the outcome: bodies hold personal data.
	s.log.Log(r.Context(), level, "Codec request", "method", r.Method, "path", r.URL.Path,
		"namespace", r.Header.Get("X-Namespace"), "origin", r.Header.Get("Origin"),
		"remoteAddr", r.RemoteAddr, "status", recorder.status,
		"durationMs", time.Since(started).Milliseconds())
}

func (s *codecServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
		return
	}

	origin := r.Header.Get("Origin")
	if origin != "" {
		if !s.origins[origin] {
			// A browser page of another origin must not use the keys, even for requests that
			// need no preflight.
			http.Error(w, "origin "+origin+" is not allowed: start the codec server with "+
				"--cors-origin "+origin, http.StatusForbidden)
			return
		}

		header := w.Header()
		header.Set("Access-Control-Allow-Origin", origin)
		header.Set("Access-Control-Allow-Credentials", "true")
		header.Add("Vary", "Origin")
	}

	if r.Method == http.MethodOptions {
		s.preflight(w, r)
		return
	}

	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ucmpush-codec-server"`)
		http.Error(w, "missing or invalid bearer token: send Authorization: Bearer <token>, "+
			"the contents of the server's --auth-token-file", http.StatusUnauthorized)
		return
	}

	if r.Method != http.MethodPost || !isCodecPath(r.URL.Path) {
		http.Error(w, "not found: POST payloads to /encode or /decode", http.StatusNotFound)
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	s.codec.ServeHTTP(w, r)
}

// preflight responds to a CORS preflight request of an allowed origin. serve has already set
// the origin headers.
func (s *codecServer) preflight(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") == "" {
		http.Error(w, "OPTIONS is only for CORS preflight requests", http.StatusMethodNotAllowed)
		return
	}

	header := w.Header()
	header.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	header.Set("Access-Control-Allow-Headers", allowedRequestHeaders)
	header.Set("Access-Control-Max-Age", "600")
	header.Add("Vary", "Access-Control-Request-Method")
	header.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
}

func (s *codecServer) authorized(r *http.Request) bool {
	if len(s.token) == 0 {
		return true
	}

	scheme, credentials, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}

	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(credentials)), s.token) == 1
}

func isCodecPath(path string) bool {
	return strings.HasSuffix(path, "/encode") || strings.HasSuffix(path, "/decode")
}

// statusRecorder keeps the status code of a response for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// loggingCodec logs codec errors, which name key IDs and never payload contents. Errors of
// the SDK handler itself, such as a malformed request body, are not logged, because their
// text may quote the body.
type loggingCodec struct {
	codec converter.PayloadCodec
	log   *slog.Logger
}

func (c loggingCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	result, err := c.codec.Encode(payloads)
	if err != nil {
		c.log.Warn("Encode failed", "payloads", len(payloads), "error", err)
	}

	return result, err
}

func (c loggingCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	result, err := c.codec.Decode(payloads)
	if err != nil {
		c.log.Warn("Decode failed", "payloads", len(payloads), "error", err)
	}

	return result, err
}
