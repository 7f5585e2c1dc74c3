// Command ucmpush-codec-server serves the ucmpush payload codec over HTTP, so the Temporal
// Web UI and CLI show decrypted payloads to those who can reach it and hold the token. It
// serves POST /encode and /decode (under any path prefix) with the Temporal codec server
// protocol, and GET /healthz.
//
//	ucmpush-codec-server --key-file /etc/ucmpush/codec-keys --cors-origin http://127.0.0.1:8233
//	ucmpush-codec-server --generate-key 2026-01 >> /etc/ucmpush/codec-keys
//
// In the Web UI, set the codec server endpoint to http://127.0.0.1:8888 (the --listen address).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ucmpush/ucmpush/internal/codec"
)

const defaultListen = "127.0.0.1:8888"

// config is the command line of the codec server.
type config struct {
	listen        string
	allowRemote   bool
	keyFile       string
	corsOrigins   []string
	authTokenFile string
	tlsCertFile   string
	tlsKeyFile    string
	logLevel      slog.Level
	generateKeyID string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}

	if err != nil {
		fmt.Fprintln(os.Stderr, "ucmpush-codec-server:", err)
		os.Exit(1)
	}
}

// run parses args and serves until ctx ends. With --generate-key it prints one key line to
// stdout and returns.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}

	if cfg.generateKeyID != "" {
		line, err := codec.GenerateKey(cfg.generateKeyID)
		if err != nil {
			return err
		}

		_, err = fmt.Fprintln(stdout, line)
		return err
	}

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	server, err := newServer(cfg, log)
	if err != nil {
		return err
	}

	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.listen, err)
	}

	return serve(ctx, server, listener, cfg, log)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{}
	flags := flag.NewFlagSet("ucmpush-codec-server", flag.ContinueOnError)
	flags.SetOutput(stderr)

	flags.StringVar(&cfg.listen, "listen", envOr("UCMPUSH_CODEC_LISTEN", defaultListen),
		"host:port to listen on; a non-loopback address needs --allow-remote (env UCMPUSH_CODEC_LISTEN)")
	flags.BoolVar(&cfg.allowRemote, "allow-remote", false,
		"allow a non-loopback --listen address; it then needs --auth-token-file and TLS")
	flags.StringVar(&cfg.keyFile, "key-file", os.Getenv("UCMPUSH_CODEC_KEY_FILE"),
		"key file, one KEYID:BASE64 line per key, mode 0600 (env UCMPUSH_CODEC_KEY_FILE)")
	origins := flags.String("cors-origin", os.Getenv("UCMPUSH_CODEC_CORS_ORIGIN"),
		"comma-separated browser origins allowed to call, such as http://127.0.0.1:8233 "+
			"(the Web UI); empty allows no browser (env UCMPUSH_CODEC_CORS_ORIGIN)")
	flags.StringVar(&cfg.authTokenFile, "auth-token-file", os.Getenv("UCMPUSH_CODEC_AUTH_TOKEN_FILE"),
		"file holding the token that requests must send as Authorization: Bearer <token>, "+
			"mode 0600; empty means no token (env UCMPUSH_CODEC_AUTH_TOKEN_FILE)")
	flags.StringVar(&cfg.tlsCertFile, "tls-cert-file", "", "PEM certificate chain to serve HTTPS with")
	flags.StringVar(&cfg.tlsKeyFile, "tls-key-file", "", "PEM private key of --tls-cert-file")
	level := flags.String("log-level", envOr("UCMPUSH_LOG_LEVEL", "info"),
		"log level: debug (one line per request), info, warn or error (env UCMPUSH_LOG_LEVEL)")
	flags.StringVar(&cfg.generateKeyID, "generate-key", "",
		"print a new key line with this key ID to stdout and exit")

	if err := flags.Parse(args); err != nil {
		return config{}, err
	}

	if flags.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q: every setting is a flag", flags.Arg(0))
	}

	if err := cfg.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return config{}, fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", *level)
	}

	if cfg.generateKeyID != "" {
		return cfg, nil
	}

	parsed, err := parseOrigins(*origins)
	if err != nil {
		return config{}, err
	}

	cfg.corsOrigins = parsed

	return cfg, cfg.validate()
}

// validate checks the combination of flags: the key file is required, and a listener
// outside loopback needs --allow-remote, a token and TLS, because it hands out decrypted
// personal data.
func (cfg config) validate() error {
	if cfg.keyFile == "" {
		return errors.New("missing --key-file: point it at the worker's codec key file")
	}

	if (cfg.tlsCertFile == "") != (cfg.tlsKeyFile == "") {
		return errors.New("--tls-cert-file and --tls-key-file go together: set both or neither")
	}

	loopback, err := isLoopbackAddress(cfg.listen)
	if err != nil {
		return err
	}

	if loopback {
		return nil
	}

	if !cfg.allowRemote {
		return fmt.Errorf("--listen %s is not a loopback address: anyone who reaches it can "+
			"decrypt payloads; use 127.0.0.1, or add --allow-remote", cfg.listen)
	}

	if cfg.authTokenFile == "" {
		return fmt.Errorf("--listen %s with --allow-remote needs --auth-token-file", cfg.listen)
	}

	if cfg.tlsCertFile == "" {
		return fmt.Errorf("--listen %s with --allow-remote needs --tls-cert-file and --tls-key-file, "+
			"because decrypted payloads and the token would cross the network in clear text", cfg.listen)
	}

	return nil
}

// isLoopbackAddress reports whether host:port names a loopback host: localhost, 127.0.0.0/8
// or ::1. An empty host listens on every interface, so it is not loopback.
func isLoopbackAddress(address string) (bool, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false, fmt.Errorf("invalid --listen %q: use host:port such as %s", address, defaultListen)
	}

	if strings.EqualFold(host, "localhost") {
		return true, nil
	}

	ip := net.ParseIP(host)

	return ip != nil && ip.IsLoopback(), nil
}

// parseOrigins splits a comma-separated list of origins and checks that each is
// scheme://host[:port] with nothing after it, as browsers send in the Origin header.
func parseOrigins(list string) ([]string, error) {
	var origins []string

	for _, origin := range strings.Split(list, ",") {
		origin = strings.TrimSpace(origin)
		if origin == "" {
			continue
		}

		u, err := url.Parse(origin)
		valid := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
			u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == "" &&
			!strings.Contains(u.Host, "*")
		if !valid {
			return nil, fmt.Errorf("invalid --cors-origin %q: use scheme://host:port with no path "+
				"or wildcard, such as http://127.0.0.1:8233", origin)
		}

		origins = append(origins, origin)
	}

	return origins, nil
}

// newServer loads the keys and the token and builds the HTTP server.
func newServer(cfg config, log *slog.Logger) (*http.Server, error) {
	keys, err := codec.LoadKeys(cfg.keyFile)
	if err != nil {
		return nil, err
	}

	token := ""
	if cfg.authTokenFile != "" {
		token, err = readToken(cfg.authTokenFile)
		if err != nil {
			return nil, err
		}
	}

	handler := newHandler(handlerConfig{
		codec:   codec.NewCodec(keys),
		token:   token,
		origins: cfg.corsOrigins,
		log:     log,
	})

	log.Info("Codec keys loaded", "keyFile", cfg.keyFile, "keyIDs", keys.KeyIDs(),
		"encryptionKeyID", keys.EncryptionKeyID())

	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}, nil
}

// readToken reads the bearer token from path, rejecting files that group or others may read
// and files without a token.
func readToken(path string) (string, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("auth token file %s does not exist: write a long random token to "+
			"it and chmod 600", path)
	}

	if err != nil {
		return "", fmt.Errorf("auth token file: %w", err)
	}

	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("auth token file %s has mode %04o, so group or others may read it: "+
			"run chmod 600 %s", path, perm, path)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read auth token file: %w", err)
	}

	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("auth token file %s is empty: write a long random token to it", path)
	}

	if strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("auth token file %s contains white space inside the token: write one "+
			"token on one line", path)
	}

	return token, nil
}

// serve runs server on listener until ctx ends, then shuts it down, waiting up to 10 seconds
// for open requests.
func serve(ctx context.Context, server *http.Server, listener net.Listener, cfg config,
	log *slog.Logger) error {
	tlsOn := cfg.tlsCertFile != ""
	log.Info("Codec server started", "listen", listener.Addr().String(), "tls", tlsOn,
		"corsOrigins", cfg.corsOrigins, "authToken", cfg.authTokenFile != "")

	errs := make(chan error, 1)
	go func() {
		if tlsOn {
			errs <- server.ServeTLS(listener, cfg.tlsCertFile, cfg.tlsKeyFile)
		} else {
			errs <- server.Serve(listener)
		}
	}()

	select {
	case err := <-errs:
		return fmt.Errorf("serve on %s: %w", cfg.listen, err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	err := server.Shutdown(shutdownCtx)
	log.Info("Codec server stopped", "listen", listener.Addr().String())

	return err
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}

	return fallback
}
