package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/codec"
)

// clearEnv unsets every variable the command reads, for the duration of the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_TLS",
		"TEMPORAL_TLS_CA_FILE", "TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_KEY_FILE",
		"TEMPORAL_TLS_SERVER_NAME", "TEMPORAL_API_KEY", "TEMPORAL_API_KEY_FILE", "DATABASE_URL",
		"DATABASE_URL_FILE", "UCMPUSH_TASK_QUEUE", "UCMPUSH_METRICS_LISTEN",
		"UCMPUSH_SHUTDOWN_TIMEOUT", "UCMPUSH_LOG_LEVEL", "UCMPUSH_LOG_FORMAT",
		"UCMPUSH_CODEC_KEY_FILE", "UCMPUSH_PLAIN_PAYLOADS"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	clearEnv(t)
	s, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if s.cfg.MetricsListen != "127.0.0.1:9464" {
		t.Errorf("MetricsListen = %q, want 127.0.0.1:9464", s.cfg.MetricsListen)
	}
	if s.cfg.ShutdownTimeout != 30*time.Second {
		t.Errorf("ShutdownTimeout = %s, want 30s", s.cfg.ShutdownTimeout)
	}
	if s.cfg.Temporal.Address != "127.0.0.1:7233" || s.cfg.Temporal.Namespace != "default" {
		t.Errorf("Temporal = %+v", s.cfg.Temporal)
	}
	if s.cfg.TaskQueue != "ucmpush" {
		t.Errorf("TaskQueue = %q, want ucmpush", s.cfg.TaskQueue)
	}
	if !s.cfg.MetricsListenOptional {
		t.Errorf("MetricsListenOptional = false for the default address")
	}
}

func TestParseFlagsExplicitMetricsListenIsRequired(t *testing.T) {
	clearEnv(t)
	s, err := parseFlags([]string{"--metrics-listen", "127.0.0.1:9464"}, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if s.cfg.MetricsListenOptional {
		t.Errorf("MetricsListenOptional = true with --metrics-listen given")
	}

	t.Setenv("UCMPUSH_METRICS_LISTEN", "0.0.0.0:9464")
	s, err = parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if s.cfg.MetricsListenOptional {
		t.Errorf("MetricsListenOptional = true with UCMPUSH_METRICS_LISTEN set")
	}
}

func TestParseFlagsFromEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv("TEMPORAL_ADDRESS", "ns.acct.tmprl.cloud:7233")
	t.Setenv("TEMPORAL_NAMESPACE", "ns.acct")
	t.Setenv("TEMPORAL_API_KEY_FILE", "/run/secrets/temporal-api-key")
	t.Setenv("UCMPUSH_METRICS_LISTEN", "0.0.0.0:9464")
	t.Setenv("UCMPUSH_SHUTDOWN_TIMEOUT", "45s")
	t.Setenv("DATABASE_URL_FILE", "/run/secrets/database-url")

	s, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if s.cfg.Temporal.Address != "ns.acct.tmprl.cloud:7233" || s.cfg.Temporal.Namespace != "ns.acct" {
		t.Errorf("Temporal address, namespace = %q, %q", s.cfg.Temporal.Address, s.cfg.Temporal.Namespace)
	}
	if s.cfg.Temporal.APIKeyFile != "/run/secrets/temporal-api-key" {
		t.Errorf("APIKeyFile = %q", s.cfg.Temporal.APIKeyFile)
	}
	if s.cfg.MetricsListen != "0.0.0.0:9464" {
		t.Errorf("MetricsListen = %q", s.cfg.MetricsListen)
	}
	if s.cfg.ShutdownTimeout != 45*time.Second {
		t.Errorf("ShutdownTimeout = %s, want 45s", s.cfg.ShutdownTimeout)
	}
	if s.databaseURLFile != "/run/secrets/database-url" {
		t.Errorf("databaseURLFile = %q", s.databaseURLFile)
	}
}

func TestParseFlagsEmptyMetricsListenTurnsItOff(t *testing.T) {
	clearEnv(t)
	t.Setenv("UCMPUSH_METRICS_LISTEN", "")
	s, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if s.cfg.MetricsListen != "" {
		t.Errorf("MetricsListen = %q with UCMPUSH_METRICS_LISTEN set empty, want off", s.cfg.MetricsListen)
	}

	clearEnv(t)
	s, err = parseFlags([]string{"--metrics-listen="}, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if s.cfg.MetricsListen != "" {
		t.Errorf("MetricsListen = %q with --metrics-listen=, want off", s.cfg.MetricsListen)
	}
}

func TestParseFlagsRejectsInvalidSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"zero timeout", nil, []string{"--shutdown-timeout", "0s"}, "--shutdown-timeout"},
		{"bad timeout variable", map[string]string{"UCMPUSH_SHUTDOWN_TIMEOUT": "soon"}, nil,
			"UCMPUSH_SHUTDOWN_TIMEOUT"},
		{"bad TLS variable", map[string]string{"TEMPORAL_TLS": "sometimes"}, nil, "TEMPORAL_TLS"},
		{"API key as a flag", nil, []string{"--temporal-api-key", "secret"}, "temporal-api-key"},
		{"positional argument", nil, []string{"extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := parseFlags(tt.args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseFlags = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewLoggerRejectsUnknownLevelAndFormat(t *testing.T) {
	if _, err := newLogger(&bytes.Buffer{}, "loud", "text"); err == nil {
		t.Errorf("newLogger accepted level loud")
	}
	if _, err := newLogger(&bytes.Buffer{}, "info", "xml"); err == nil {
		t.Errorf("newLogger accepted format xml")
	}

	var out bytes.Buffer
	log, err := newLogger(&out, "info", "json")
	if err != nil {
		t.Fatalf("newLogger: %v", err)
	}
	log.Info("Worker started", "taskQueue", "q")
	if !strings.HasPrefix(out.String(), "{") || !strings.Contains(out.String(), `"taskQueue":"q"`) {
		t.Errorf("json log line = %q", out.String())
	}
}

func TestRunExitCodes(t *testing.T) {
	clearEnv(t)
	var stderr bytes.Buffer
	if code := run([]string{"--log-level", "loud"}, &stderr); code != 2 {
		t.Errorf("run with an invalid log level = %d, want 2", code)
	}
	if code := run([]string{"--database-url-file", filepath.Join(t.TempDir(), "missing")},
		&stderr); code != 2 {
		t.Errorf("run with a missing database URL file = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "DATABASE_URL_FILE") {
		t.Errorf("stderr does not name DATABASE_URL_FILE:\n%s", stderr.String())
	}
}

// unreachableDatabase returns a database URL file that points at a closed port, and the
// port.
func unreachableDatabase(t *testing.T) (urlFile, port string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = l.Addr().String()
	_ = l.Close()
	urlFile = filepath.Join(t.TempDir(), "database-url")
	url := "postgres://ucmpush:pw-must-not-show@" + port + "/ucmpush?connect_timeout=1\n"
	if err := os.WriteFile(urlFile, []byte(url), 0o600); err != nil {
		t.Fatal(err)
	}
	return urlFile, port
}

func TestRunFailsWithUnreachableDatabase(t *testing.T) {
	clearEnv(t)
	urlFile, port := unreachableDatabase(t)

	var stderr bytes.Buffer
	code := run([]string{"--database-url-file", urlFile, "--metrics-listen", "",
		"--temporal-address", port, "--plain-payloads"}, &stderr)
	if code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "Worker failed") {
		t.Errorf("the log lacks Worker failed:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "pw-must-not-show") {
		t.Errorf("the log shows the database password:\n%s", stderr.String())
	}
}

func TestRunRequiresKeyFileOrPlainPayloads(t *testing.T) {
	clearEnv(t)
	urlFile, port := unreachableDatabase(t)

	var stderr bytes.Buffer
	code := run([]string{"--database-url-file", urlFile, "--metrics-listen", "",
		"--temporal-address", port}, &stderr)
	if code != 2 {
		t.Errorf("run without a codec key file = %d, want 2", code)
	}
	for _, want := range []string{"--codec-key-file", "UCMPUSH_CODEC_KEY_FILE", "--plain-payloads",
		"UCMPUSH_PLAIN_PAYLOADS=true"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "Database ready") || strings.Contains(stderr.String(), "Worker failed") {
		t.Errorf("the worker went on to connect:\n%s", stderr.String())
	}
}

func TestRunWarnsAboutPlainPayloads(t *testing.T) {
	clearEnv(t)
	urlFile, port := unreachableDatabase(t)
	t.Setenv("UCMPUSH_PLAIN_PAYLOADS", "true")

	var stderr bytes.Buffer
	run([]string{"--database-url-file", urlFile, "--metrics-listen", "", "--temporal-address", port},
		&stderr)
	for _, want := range []string{"level=WARN", "Payload encryption is off", "clear text",
		"--codec-key-file", "payloads=plain"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRunLogsCodecKeyIDs(t *testing.T) {
	clearEnv(t)
	urlFile, port := unreachableDatabase(t)
	keyFile := filepath.Join(t.TempDir(), "codec-keys")
	line, err := codec.GenerateKey("2026-02")
	if err != nil {
		t.Fatal(err)
	}
	old, err := codec.GenerateKey("2025-11")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(line+"\n"+old+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("UCMPUSH_CODEC_KEY_FILE", keyFile)

	var stderr bytes.Buffer
	code := run([]string{"--database-url-file", urlFile, "--metrics-listen", "",
		"--temporal-address", port}, &stderr)
	if code != 1 {
		t.Errorf("run with a key file and no database = %d, want 1", code)
	}
	for _, want := range []string{"Payload encryption on", "encryptionKeyID=2026-02",
		"keyIDs=\"[2026-02 2025-11]\"", "payloads=encrypted"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "Payload encryption is off") {
		t.Errorf("the log warns about plain payloads with a key file:\n%s", stderr.String())
	}
	for _, secret := range []string{line, old} {
		_, material, _ := strings.Cut(secret, ":")
		if strings.Contains(stderr.String(), material) {
			t.Errorf("the log contains key material:\n%s", stderr.String())
		}
	}
}

func TestRunRejectsBadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	readable := filepath.Join(dir, "readable")
	line, err := codec.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readable, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(readable, 0o644); err != nil {
		t.Fatal(err)
	}
	malformed := filepath.Join(dir, "malformed")
	if err := os.WriteFile(malformed, []byte("k1 "+strings.Repeat("x", 44)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing", []string{"--codec-key-file", filepath.Join(dir, "missing")},
			[]string{"does not exist", "UCMPUSH_CODEC_KEY_FILE"}},
		{"world-readable", []string{"--codec-key-file", readable},
			[]string{"mode 0644", "chmod 600", "UCMPUSH_CODEC_KEY_FILE"}},
		{"malformed", []string{"--codec-key-file", malformed},
			[]string{"line 1", "KEYID:BASE64", "UCMPUSH_CODEC_KEY_FILE"}},
		{"key file and plain", []string{"--codec-key-file", readable, "--plain-payloads"},
			[]string{"unset one", "UCMPUSH_PLAIN_PAYLOADS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			var stderr bytes.Buffer
			if code := run(tt.args, &stderr); code != 2 {
				t.Errorf("run = %d, want 2", code)
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}
