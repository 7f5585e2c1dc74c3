package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/ucmpush/ucmpush/internal/codec"
)

const (
	testToken  = "s3cret-token-9f2c"
	testOrigin = "http://127.0.0.1:8233"
	testUserID = "jdoe.codec-4711"
)

func testKeyring(t *testing.T) *codec.Keyring {
	t.Helper()

	line := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, codec.KeySize))
	keys, err := codec.ParseKeys([]byte(line), "test")
	if err != nil {
		t.Fatal(err)
	}

	return keys
}

// startServer serves the handler with the test keys, token and origin, logging into logs.
func startServer(t *testing.T, token string, logs *bytes.Buffer) *httptest.Server {
	t.Helper()

	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	handler := newHandler(handlerConfig{
		codec:   codec.NewCodec(testKeyring(t)),
		token:   token,
		origins: []string{testOrigin},
		log:     log,
	})

	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)

	return server
}

// remoteCodec is the SDK's client of the codec server protocol, as the CLI uses it.
func remoteCodec(endpoint, token string) converter.PayloadCodec {
	return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: endpoint,
		ModifyRequest: func(r *http.Request) error {
			if token != "" {
				r.Header.Set("Authorization", "Bearer "+token)
			}

			r.Header.Set("X-Namespace", "default")
			return nil
		},
	})
}

func plainPayload(t *testing.T) *commonpb.Payload {
	t.Helper()

	p, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"userID": testUserID})
	if err != nil {
		t.Fatal(err)
	}

	return p
}

func TestCodecServerRoundTrip(t *testing.T) {
	var logs bytes.Buffer
	server := startServer(t, testToken, &logs)

	for _, endpoint := range []string{server.URL, server.URL + "/default"} {
		remote := remoteCodec(endpoint, testToken)
		in := plainPayload(t)

		encoded, err := remote.Encode([]*commonpb.Payload{in})
		if err != nil {
			t.Fatalf("encode through %s: %v", endpoint, err)
		}

		if got := string(encoded[0].Metadata[converter.MetadataEncoding]); got != codec.EncodingEncrypted {
			t.Errorf("encoded payload has encoding %q, want %q", got, codec.EncodingEncrypted)
		}

		if bytes.Contains(encoded[0].Data, []byte(testUserID)) {
			t.Error("encoded payload contains the userid in clear text")
		}

		decoded, err := remote.Decode(encoded)
		if err != nil {
			t.Fatalf("decode through %s: %v", endpoint, err)
		}

		if !proto.Equal(decoded[0], in) {
			t.Errorf("round trip through %s = %v, want %v", endpoint, decoded[0], in)
		}
	}

	if strings.Contains(logs.String(), testUserID) {
		t.Errorf("server logs contain the userid:\n%s", logs.String())
	}

	if !strings.Contains(logs.String(), "path=/default/decode") {
		t.Errorf("server logs lack the request line of /default/decode:\n%s", logs.String())
	}
}

func TestCodecServerDecodeUnknownKey(t *testing.T) {
	var logs bytes.Buffer
	server := startServer(t, "", &logs)

	otherLine := "other:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, codec.KeySize))
	other, err := codec.ParseKeys([]byte(otherLine), "other")
	if err != nil {
		t.Fatal(err)
	}

	encoded, err := codec.NewCodec(other).Encode([]*commonpb.Payload{plainPayload(t)})
	if err != nil {
		t.Fatal(err)
	}

	_, err = remoteCodec(server.URL, "").Decode(encoded)
	if err == nil || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("decode with an unknown key: error %v, want one naming key other", err)
	}

	if !strings.Contains(logs.String(), "Decode failed") || !strings.Contains(logs.String(), "other") {
		t.Errorf("server did not log the decode failure with the key ID:\n%s", logs.String())
	}
}

func TestCodecServerCORSPreflight(t *testing.T) {
	server := startServer(t, testToken, &bytes.Buffer{})

	request, err := http.NewRequest(http.MethodOptions, server.URL+"/decode", nil)
	if err != nil {
		t.Fatal(err)
	}

	request.Header.Set("Origin", testOrigin)
	request.Header.Set("Access-Control-Request-Method", "POST")
	request.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace,authorization")

	response := do(t, request)

	if response.StatusCode != http.StatusNoContent {
		t.Errorf("preflight status = %d, want 204", response.StatusCode)
	}

	if got := response.Header.Get("Access-Control-Allow-Origin"); got != testOrigin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, testOrigin)
	}

	if got := response.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
		t.Errorf("Access-Control-Allow-Methods = %q, want POST in it", got)
	}

	allowed := strings.ToLower(response.Header.Get("Access-Control-Allow-Headers"))
	for _, header := range []string{"content-type", "x-namespace", "authorization"} {
		if !strings.Contains(allowed, header) {
			t.Errorf("Access-Control-Allow-Headers = %q, want %s in it", allowed, header)
		}
	}

	if got := response.Header.Get("Access-Control-Allow-Credentials"); got != "true" {
		t.Errorf("Access-Control-Allow-Credentials = %q, want true", got)
	}
}

func TestCodecServerRejectsOtherOrigin(t *testing.T) {
	server := startServer(t, "", &bytes.Buffer{})

	for _, method := range []string{http.MethodOptions, http.MethodPost} {
		request, err := http.NewRequest(method, server.URL+"/encode", strings.NewReader(`{"payloads":[]}`))
		if err != nil {
			t.Fatal(err)
		}

		request.Header.Set("Origin", "http://evil.example")
		request.Header.Set("Access-Control-Request-Method", "POST")

		response := do(t, request)

		if response.StatusCode != http.StatusForbidden {
			t.Errorf("%s from another origin: status %d, want 403", method, response.StatusCode)
		}

		if got := response.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s from another origin: Access-Control-Allow-Origin = %q, want none", method, got)
		}
	}
}

func TestCodecServerToken(t *testing.T) {
	server := startServer(t, testToken, &bytes.Buffer{})
	body := `{"payloads":[]}`

	tests := []struct {
		name          string
		authorization string
		want          int
	}{
		{name: "missing token", want: http.StatusUnauthorized},
		{name: "wrong token", authorization: "Bearer wrong", want: http.StatusUnauthorized},
		{name: "token as basic", authorization: "Basic " + testToken, want: http.StatusUnauthorized},
		{name: "token prefix", authorization: "Bearer " + testToken[:5], want: http.StatusUnauthorized},
		{name: "right token", authorization: "Bearer " + testToken, want: http.StatusOK},
		{name: "scheme in lower case", authorization: "bearer " + testToken, want: http.StatusOK},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			request, err := http.NewRequest(http.MethodPost, server.URL+"/decode", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}

			request.Header.Set("Content-Type", "application/json")
			request.Header.Set("Origin", testOrigin)
			if tt.authorization != "" {
				request.Header.Set("Authorization", tt.authorization)
			}

			response := do(t, request)

			if response.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", response.StatusCode, tt.want)
			}

			// The browser can read a 401 only with the CORS headers on it.
			if got := response.Header.Get("Access-Control-Allow-Origin"); got != testOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, testOrigin)
			}

			if tt.want == http.StatusUnauthorized && response.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestCodecServerRoutes(t *testing.T) {
	server := startServer(t, "", &bytes.Buffer{})

	tests := []struct {
		method, path string
		body         string
		want         int
	}{
		{method: http.MethodGet, path: "/healthz", want: http.StatusOK},
		{method: http.MethodGet, path: "/decode", want: http.StatusNotFound},
		{method: http.MethodPost, path: "/other", body: "{}", want: http.StatusNotFound},
		{method: http.MethodPost, path: "/decode", body: "not json", want: http.StatusBadRequest},
		{method: http.MethodOptions, path: "/decode", want: http.StatusMethodNotAllowed},
	}

	for _, tt := range tests {
		request, err := http.NewRequest(tt.method, server.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}

		if got := do(t, request).StatusCode; got != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestCodecServerBodyLimit(t *testing.T) {
	server := startServer(t, "", &bytes.Buffer{})
	body := `{"payloads":[{"data":"` + strings.Repeat("A", maxRequestBytes) + `"}]}`

	response, err := http.Post(server.URL+"/decode", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()

	if response.StatusCode != http.StatusBadRequest {
		t.Errorf("body over %d bytes: status %d, want 400", maxRequestBytes, response.StatusCode)
	}
}

func do(t *testing.T, request *http.Request) *http.Response {
	t.Helper()

	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}

	_, _ = io.Copy(io.Discard, response.Body)
	_ = response.Body.Close()

	return response
}

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}

	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}

	return path
}

func TestParseFlagsListen(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "default", args: nil},
		{name: "ipv4 loopback", args: []string{"--listen", "127.0.0.2:9000"}},
		{name: "ipv6 loopback", args: []string{"--listen", "[::1]:9000"}},
		{name: "localhost", args: []string{"--listen", "localhost:9000"}},
		{name: "all interfaces", args: []string{"--listen", ":8888"}, want: "not a loopback"},
		{name: "any address", args: []string{"--listen", "0.0.0.0:8888"}, want: "--allow-remote"},
		{name: "host name", args: []string{"--listen", "codec.example:8888"}, want: "not a loopback"},
		{name: "remote without token", args: []string{"--listen", "0.0.0.0:8888", "--allow-remote"},
			want: "needs --auth-token-file"},
		{name: "remote without TLS", args: []string{"--listen", "0.0.0.0:8888", "--allow-remote",
			"--auth-token-file", "/run/token"}, want: "needs --tls-cert-file"},
		{name: "remote with token and TLS", args: []string{"--listen", "0.0.0.0:8888", "--allow-remote",
			"--auth-token-file", "/run/token", "--tls-cert-file", "c.pem", "--tls-key-file", "k.pem"}},
		{name: "TLS key without certificate", args: []string{"--tls-key-file", "k.pem"}, want: "go together"},
		{name: "no port", args: []string{"--listen", "127.0.0.1"}, want: "invalid --listen"},
		{name: "extra argument", args: []string{"serve"}, want: "unexpected argument"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, want: "invalid --log-level"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--key-file", "/etc/keys"}, tt.args...)
			_, err := parseFlags(args, io.Discard)

			if tt.want == "" && err != nil {
				t.Fatalf("parseFlags(%q): %v", args, err)
			}

			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("parseFlags(%q): error %v, want one containing %q", args, err, tt.want)
			}
		})
	}
}

func TestParseFlagsNeedsKeyFile(t *testing.T) {
	t.Setenv("UCMPUSH_CODEC_KEY_FILE", "")

	_, err := parseFlags(nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--key-file") {
		t.Errorf("parseFlags without --key-file: error %v, want one naming --key-file", err)
	}
}

func TestParseOrigins(t *testing.T) {
	origins, err := parseOrigins(" http://127.0.0.1:8233, http://localhost:8233 ,,https://ui.example")
	if err != nil {
		t.Fatalf("parse valid origins: %v", err)
	}

	if got := strings.Join(origins, " "); got != "http://127.0.0.1:8233 http://localhost:8233 https://ui.example" {
		t.Errorf("origins = %q", got)
	}

	for _, bad := range []string{"*", "127.0.0.1:8233", "http://127.0.0.1:8233/", "http://ui/path",
		"ftp://ui.example", "http://*.example", "http://user@ui.example", "http://ui?x=1"} {
		if _, err := parseOrigins(bad); err == nil {
			t.Errorf("parseOrigins(%q) succeeded, want an invalid origin error", bad)
		}
	}
}

func TestReadToken(t *testing.T) {
	token, err := readToken(writeFile(t, "token", testToken+"\n", 0o600))
	if err != nil || token != testToken {
		t.Errorf("readToken = %q, %v; want %q", token, err, testToken)
	}

	tests := []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{name: "readable by group", content: testToken, mode: 0o640, want: "chmod 600"},
		{name: "empty", content: " \n", mode: 0o600, want: "is empty"},
		{name: "two tokens", content: "a b", mode: 0o600, want: "white space"},
	}

	for _, tt := range tests {
		_, err := readToken(writeFile(t, "token", tt.content, tt.mode))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}

	if _, err := readToken(filepath.Join(t.TempDir(), "absent")); err == nil ||
		!strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing token file: error %v, want does not exist", err)
	}
}

func TestRunGenerateKey(t *testing.T) {
	var stdout bytes.Buffer

	if err := run(context.Background(), []string{"--generate-key", "2026-01"}, &stdout, io.Discard); err != nil {
		t.Fatalf("run --generate-key: %v", err)
	}

	keys, err := codec.ParseKeys(stdout.Bytes(), "stdout")
	if err != nil {
		t.Fatalf("generated line %q does not parse: %v", stdout.String(), err)
	}

	if got := keys.EncryptionKeyID(); got != "2026-01" {
		t.Errorf("generated key ID = %q, want 2026-01", got)
	}
}

func TestServeStopsOnCancel(t *testing.T) {
	keyLine := "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, codec.KeySize))
	cfg := config{listen: "127.0.0.1:0", keyFile: writeFile(t, "keys", keyLine, 0o600)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	server, err := newServer(cfg, log)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}

	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, server, listener, cfg, log) }()

	response, err := http.Get("http://" + listener.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	_ = response.Body.Close()

	if response.StatusCode != http.StatusOK {
		t.Errorf("health check status %d, want 200", response.StatusCode)
	}

	cancel()

	select {
	case err := <-done:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return within 5s of cancel")
	}
}

func TestNewServerRejectsBadKeyFile(t *testing.T) {
	cfg := config{listen: defaultListen, keyFile: writeFile(t, "keys", "broken", 0o600)}

	if _, err := newServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), "line 1") {
		t.Errorf("newServer with a bad key file: error %v, want one naming line 1", err)
	}
}
