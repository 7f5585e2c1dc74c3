package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/internal/axlsim"
)

// options are the command's flags.
type options struct {
	listen             string
	username           string
	passwordFile       string
	latency            time.Duration
	maxInFlight        int
	maxWritesPerSecond float64
	recordDir          string
	certOut            string
	allowRemote        bool
	logLevel           string
}

// newRootCommand returns the axlsim command; logs go to logOutput.
func newRootCommand(logOutput io.Writer) *cobra.Command {
	var o options

	cmd := &cobra.Command{
		Use:   "axlsim",
		Short: "Run the AXL simulator, an in-memory Cisco UCM, over HTTPS",
		Long: "axlsim serves the AXL user operations of Cisco UCM 12.5, 14.0 and 15.0 at /axl/ with a\n" +
			"self-signed certificate generated at start, and test controls at /axlsim/. It keeps users\n" +
			"in memory only. It listens on loopback addresses unless --allow-remote is given.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), o, logOutput)
		},
	}

	flags := cmd.Flags()
	flags.StringVar(&o.listen, "listen", envOr("AXLSIM_LISTEN", "127.0.0.1:8443"),
		"host:port to listen on; port 0 picks a free port (env AXLSIM_LISTEN)")
	flags.StringVar(&o.username, "username", os.Getenv("AXL_USERNAME"),
		"AXL username that basic authentication must present (env AXL_USERNAME)")
	flags.StringVar(&o.passwordFile, "password-file", os.Getenv("AXL_PASSWORD_FILE"),
		"file whose first line is the AXL password (env AXL_PASSWORD_FILE); else env AXL_PASSWORD")
	flags.DurationVar(&o.latency, "latency", 0, "delay added to every request, such as 50ms")
	flags.IntVar(&o.maxInFlight, "max-in-flight", 0,
		"requests processed at once; more get HTTP 503 (0 is unlimited)")
	flags.Float64Var(&o.maxWritesPerSecond, "max-writes-per-second", 0,
		"add, update and remove requests per second; more get HTTP 503 (0 is unlimited)")
	flags.StringVar(&o.recordDir, "record-dir", os.Getenv("AXLSIM_RECORD_DIR"),
		"folder that receives every request body as NNNNNN-<operation>.xml (env AXLSIM_RECORD_DIR)")
	flags.StringVar(&o.certOut, "cert-out", os.Getenv("AXLSIM_CERT_OUT"),
		"file to write the PEM certificate to, for the worker's CA file (env AXLSIM_CERT_OUT)")
	flags.BoolVar(&o.allowRemote, "allow-remote", false,
		"allow a listen address that is not loopback; the simulator is a test tool")
	flags.StringVar(&o.logLevel, "log-level", "info",
		"log level: debug (one line per request), info, warn or error")

	return cmd
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}

	return fallback
}

// run starts the simulator and serves until ctx ends.
func run(ctx context.Context, o options, logOutput io.Writer) error {
	level, err := parseLevel(o.logLevel)
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(logOutput, &slog.HandlerOptions{Level: level}))

	if err := checkListen(o.listen, o.allowRemote); err != nil {
		return err
	}

	if err := checkLimits(o); err != nil {
		return err
	}

	password, err := readPassword(o.passwordFile)
	if err != nil {
		return err
	}

	if o.username == "" {
		return errors.New("the AXL username is missing: set --username or AXL_USERNAME")
	}

	sim := axlsim.New(axlsim.Options{
		Username:           o.username,
		Password:           password,
		Latency:            o.latency,
		MaxInFlight:        o.maxInFlight,
		MaxWritesPerSecond: o.maxWritesPerSecond,
		RecordDir:          o.recordDir,
		Logger:             logger,
	})

	if _, err := sim.StartTLS(o.listen); err != nil {
		return err
	}

	if o.certOut != "" {
		if err := writeCertificate(o.certOut, sim.CertificatePEM()); err != nil {
			return errors.Join(err, sim.Close())
		}
	}

	logger.Info("axlsim ready", "url", sim.URL(), "username", o.username, "certOut", o.certOut,
		"recordDir", o.recordDir, "latency", o.latency, "maxInFlight", o.maxInFlight,
		"maxWritesPerSecond", o.maxWritesPerSecond)

	<-ctx.Done()

	logger.Info("axlsim stopping", "reason", context.Cause(ctx))

	return sim.Close()
}

func parseLevel(name string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(name)); err != nil {
		return 0, fmt.Errorf("log level %q is invalid: use debug, info, warn or error", name)
	}

	return level, nil
}

// checkListen rejects addresses that are not loopback unless allowRemote is set. An empty
// host listens on every interface, so it counts as remote.
func checkListen(listen string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen address %q is invalid: use host:port, such as 127.0.0.1:8443", listen)
	}

	if allowRemote || isLoopback(host) {
		return nil
	}

	return fmt.Errorf("listen address %q is not loopback: use 127.0.0.1, ::1 or localhost, "+
		"or pass --allow-remote to expose this test tool", listen)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}

	ip := net.ParseIP(host)

	return ip != nil && ip.IsLoopback()
}

func checkLimits(o options) error {
	switch {
	case o.latency < 0:
		return fmt.Errorf("--latency %s is negative: use 0 for none", o.latency)
	case o.maxInFlight < 0:
		return fmt.Errorf("--max-in-flight %d is negative: use 0 for unlimited", o.maxInFlight)
	case o.maxWritesPerSecond < 0:
		return fmt.Errorf("--max-writes-per-second %g is negative: use 0 for unlimited", o.maxWritesPerSecond)
	}

	return nil
}

// readPassword returns the first line of file, or AXL_PASSWORD when file is empty.
func readPassword(file string) (string, error) {
	if file == "" {
		if password := os.Getenv("AXL_PASSWORD"); password != "" {
			return password, nil
		}

		return "", errors.New("the AXL password is missing: set --password-file, AXL_PASSWORD_FILE or AXL_PASSWORD")
	}

	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read the password file: %w", err)
	}

	password, _, _ := strings.Cut(string(data), "\n")
	password = strings.TrimSuffix(password, "\r")

	if password == "" {
		return "", fmt.Errorf("the password file %s is empty: write the password on its first line", file)
	}

	return password, nil
}

// writeCertificate writes the PEM certificate through a temporary file and a rename, so that
// a script waiting for the file never reads half of it.
func writeCertificate(path string, pem []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".axlsim-cert-*.tmp")
	if err != nil {
		return fmt.Errorf("write the certificate: %w", err)
	}

	_, writeErr := tmp.Write(pem)
	closeErr := tmp.Close()
	chmodErr := os.Chmod(tmp.Name(), 0o644)

	if err := errors.Join(writeErr, closeErr, chmodErr); err != nil {
		os.Remove(tmp.Name())

		return fmt.Errorf("write the certificate: %w", err)
	}

	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())

		return fmt.Errorf("write the certificate: %w", err)
	}

	return nil
}
