// Command ucmpush-worker runs the ucmpush Temporal worker. Settings come from flags, or from
// the environment variables named in each flag's help. Secrets (the database URL, the
// Temporal API key) can be read from files.
//
// Payloads are encrypted with the keys of --codec-key-file (UCMPUSH_CODEC_KEY_FILE). Without
// a key file the worker does not start unless --plain-payloads (UCMPUSH_PLAIN_PAYLOADS=true)
// is set, and then it logs a warning at every start.
//
// On SIGTERM or SIGINT the worker stops polling, lets running activities finish for up to
// --shutdown-timeout, and exits 0. A second signal exits at once with status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ucmpush/ucmpush/internal/codec"
	"github.com/ucmpush/ucmpush/internal/temporalclient"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// settings are the command's flags beyond worker.Config.
type settings struct {
	cfg             worker.Config
	databaseURLFile string
	logLevel        string
	logFormat       string
}

// run parses args, runs the worker until a signal, and returns the exit status: 0 after a
// clean stop, 1 when the worker fails, 2 for invalid flags or settings, such as a missing
// or unreadable codec key file.
func run(args []string, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ucmpush-worker:", err)
		return 2
	}

	log, err := newLogger(stderr, s.logLevel, s.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "ucmpush-worker:", err)
		return 2
	}
	s.cfg.Logger = log

	if s.cfg.DatabaseURL == "" {
		s.cfg.DatabaseURL = os.Getenv("DATABASE_URL")
	}
	if s.databaseURLFile != "" {
		url, err := readDatabaseURLFile(s.databaseURLFile)
		if err != nil {
			fmt.Fprintln(stderr, "ucmpush-worker:", err)
			return 2
		}
		s.cfg.DatabaseURL = url
	}

	if err := loadCodec(&s.cfg, log); err != nil {
		fmt.Fprintln(stderr, "ucmpush-worker:", err)
		return 2
	}

	ctx := stopOnSignal(log, s.cfg.ShutdownTimeout)
	if err := worker.Run(ctx, s.cfg); err != nil {
		log.Error("Worker failed", "error", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	var s settings
	temporal, err := temporalclient.FromEnv(nil)
	if err != nil {
		return s, err
	}
	s.cfg.Temporal = temporal

	timeout, err := durationFromEnv("UCMPUSH_SHUTDOWN_TIMEOUT", worker.DefaultShutdownTimeout)
	if err != nil {
		return s, err
	}

	flags := flag.NewFlagSet("ucmpush-worker", flag.ContinueOnError)
	flags.SetOutput(stderr)
	s.cfg.Temporal.BindFlags(flags)
	// The URL holds a password, so the environment is read after parsing rather than shown
	// as the flag's default in --help.
	flags.StringVar(&s.cfg.DatabaseURL, "database-url", "",
		"PostgreSQL URL of the ucmpush store (env DATABASE_URL); prefer --database-url-file, "+
			"since a flag value shows in the process list")
	flags.StringVar(&s.databaseURLFile, "database-url-file", os.Getenv("DATABASE_URL_FILE"),
		"file holding the PostgreSQL URL; overrides --database-url (env DATABASE_URL_FILE)")
	flags.StringVar(&s.cfg.TaskQueue, "task-queue", envOr("UCMPUSH_TASK_QUEUE", workflows.TaskQueue),
		"Temporal task queue to poll (env UCMPUSH_TASK_QUEUE)")
	flags.StringVar(&s.cfg.MetricsListen, "metrics-listen",
		envOrSet("UCMPUSH_METRICS_LISTEN", worker.DefaultMetricsListen),
		"host:port serving /metrics, /healthz and /readyz; empty turns it off "+
			"(env UCMPUSH_METRICS_LISTEN)")
	flags.DurationVar(&s.cfg.ShutdownTimeout, "shutdown-timeout", timeout,
		"how long a stopping worker lets running activities finish before they are canceled "+
			"(env UCMPUSH_SHUTDOWN_TIMEOUT)")
	flags.StringVar(&s.logLevel, "log-level", envOr("UCMPUSH_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (env UCMPUSH_LOG_LEVEL)")
	flags.StringVar(&s.logFormat, "log-format", envOr("UCMPUSH_LOG_FORMAT", "text"),
		"log format: text or json (env UCMPUSH_LOG_FORMAT)")

	if err := flags.Parse(args); err != nil {
		return s, err
	}
	if flags.NArg() > 0 {
		return s, fmt.Errorf("unexpected argument %q: every setting is a flag", flags.Arg(0))
	}
	_, envSet := os.LookupEnv("UCMPUSH_METRICS_LISTEN")
	flagSet := false
	flags.Visit(func(f *flag.Flag) { flagSet = flagSet || f.Name == "metrics-listen" })
	s.cfg.MetricsListenOptional = !envSet && !flagSet

	if s.cfg.ShutdownTimeout <= 0 {
		return s, fmt.Errorf("invalid --shutdown-timeout %s: use a positive duration such as 30s",
			s.cfg.ShutdownTimeout)
	}
	return s, nil
}

// loadCodec checks that payload encryption is on or turned off on purpose, loads the codec
// keys into cfg.Temporal, and logs the payload mode: the key IDs, or a warning that
// histories hold personal data in clear text.
func loadCodec(cfg *worker.Config, log *slog.Logger) error {
	if err := cfg.Temporal.CheckPayloadEncryption(); err != nil {
		return err
	}

	temporal, keys, err := cfg.Temporal.LoadCodec()
	if err != nil {
		return err
	}
	cfg.Temporal = temporal

	logPayloadMode(log, cfg.Temporal.CodecKeyFile, keys)
	return nil
}

func logPayloadMode(log *slog.Logger, keyFile string, keys *codec.Keyring) {
	if keys == nil {
		log.Warn(plainPayloadsWarning, "setting", "--plain-payloads or "+
			temporalclient.EnvPlainPayloads+"=true")
		return
	}

	log.Info("Payload encryption on", "codecKeyFile", keyFile,
		"encryptionKeyID", keys.EncryptionKeyID(), "keyIDs", keys.KeyIDs())
}

// plainPayloadsWarning is the message logged at every start without payload encryption.
const plainPayloadsWarning = "Payload encryption is off: Temporal stores workflow inputs, " +
	"results and failure messages, which carry userids, names and other directory fields, " +
	"in clear text; set --codec-key-file to encrypt them"

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var logLevel slog.Level
	if err := logLevel.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", level)
	}

	opts := &slog.HandlerOptions{Level: logLevel}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q: use text or json", format)
}

// stopOnSignal returns a context that ends at the first SIGTERM or SIGINT. A second signal
// exits the process at once.
func stopOnSignal(log *slog.Logger, timeout time.Duration) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)

	go func() {
		sig := <-signals
		log.Info("Shutdown requested", "signal", sig.String(), "shutdownTimeout", timeout.String())
		cancel()

		sig = <-signals
		log.Warn("Second signal: exiting without waiting for running activities",
			"signal", sig.String())
		os.Exit(1)
	}()
	return ctx
}

// readDatabaseURLFile returns the file's contents without surrounding white space. Its errors
// name the file, never the contents.
func readDatabaseURLFile(path string) (string, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the database URL file (DATABASE_URL_FILE): %w", err)
	}
	value := strings.TrimSpace(string(body))
	if value == "" {
		return "", fmt.Errorf("the database URL file %s is empty: write the postgres:// URL into it",
			path)
	}
	return value, nil
}

func durationFromEnv(name string, fallback time.Duration) (time.Duration, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return fallback, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("invalid %s=%q: use a duration such as 30s or 2m", name, raw)
	}
	return d, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// envOrSet is envOr, except that a variable set to the empty string counts as set.
func envOrSet(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}
