// Package temporalclient connects the ucmpush worker and CLI to a Temporal cluster: a local
// dev server over plain gRPC, a self-hosted cluster over TLS or mutual TLS, or Temporal Cloud
// with mutual TLS or an API key. Settings come from flags or from the TEMPORAL_* environment
// variables named below, and secrets (the client key, the API key, the codec keys) are only
// ever read from files or the environment, never from a flag value that shows in the process
// list. The same settings choose payload encryption (see [Config.CodecKeyFile]), so the
// worker and the CLI encrypt with the same keys.
package temporalclient

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// Environment variables read by [FromEnv]. Each setting except the API key also has a flag of
// the same meaning (see [Config.BindFlags]).
const (
	EnvAddress       = "TEMPORAL_ADDRESS"
	EnvNamespace     = "TEMPORAL_NAMESPACE"
	EnvTLS           = "TEMPORAL_TLS"
	EnvTLSCAFile     = "TEMPORAL_TLS_CA_FILE"
	EnvTLSCertFile   = "TEMPORAL_TLS_CERT_FILE"
	EnvTLSKeyFile    = "TEMPORAL_TLS_KEY_FILE"
	EnvTLSServerName = "TEMPORAL_TLS_SERVER_NAME"
	EnvAPIKeyFile    = "TEMPORAL_API_KEY_FILE"
	// EnvAPIKey holds the API key itself. It has no flag, so the key never shows in `ps`.
	EnvAPIKey = "TEMPORAL_API_KEY"
	// EnvCodecKeyFile is the key file of the payload codec (see [Config.CodecKeyFile]).
	EnvCodecKeyFile = "UCMPUSH_CODEC_KEY_FILE"
	// EnvPlainPayloads set to true turns payload encryption off (see [Config.PlainPayloads]).
	EnvPlainPayloads = "UCMPUSH_PLAIN_PAYLOADS"
)

// DefaultAddress is the frontend of a local dev server (`temporal server start-dev`).
const DefaultAddress = "127.0.0.1:7233"

// DefaultNamespace is used when Config.Namespace is empty.
const DefaultNamespace = "default"

// Config is the connection to one Temporal namespace. The zero value with only Address set
// dials a plain (non-TLS) frontend in namespace "default", as a dev server expects.
type Config struct {
	// Address is the frontend's host:port, such as 127.0.0.1:7233 or
	// my-ns.a1b2c.tmprl.cloud:7233. Required.
	Address string

	// Namespace is the Temporal namespace; empty means [DefaultNamespace].
	Namespace string

	// TLS turns on TLS with the system's root certificates. Any of CAFile, CertFile,
	// ServerName or an API key turns TLS on as well, so TLS alone is needed only for a
	// frontend whose certificate a public CA signs and which requires no client certificate.
	TLS bool

	// CAFile is a PEM file of the CA certificates that sign the frontend's certificate. It
	// replaces the system roots; empty means the system roots.
	CAFile string

	// CertFile and KeyFile are the PEM client certificate and private key for mutual TLS.
	// Both or neither must be set. The files are read again when their modification time
	// changes, so a rotated certificate is used for new connections without a restart.
	CertFile string
	KeyFile  string

	// ServerName overrides the host name that the frontend's certificate must match; empty
	// means the host of Address. Set it when dialing an IP address or a load balancer whose
	// name the certificate does not carry.
	ServerName string

	// APIKey is a Temporal Cloud API key, sent as a bearer token with every request. It
	// turns TLS on. Set it or APIKeyFile, not both.
	APIKey string

	// APIKeyFile is a file holding the API key; surrounding white space is ignored. The file
	// is read again when its modification time changes, so a rotated key needs no restart.
	APIKeyFile string

	// Logger receives the SDK's log lines; nil means slog's default logger.
	Logger *slog.Logger

	// MetricsHandler receives the SDK's metrics; nil means none.
	MetricsHandler client.MetricsHandler

	// CodecKeyFile is the key file of the payload codec, in the format of codec.LoadKeys. When it
	// is set and DataConverter is nil, [Config.Options] reads it and encrypts payloads and
	// failure messages with AES-256-GCM, so histories hold no personal data in clear text.
	// The worker and every client of its task queues must use the same key file.
	CodecKeyFile string

	// PlainPayloads records the operator's explicit choice of clear-text payloads, which
	// [Config.CheckPayloadEncryption] requires when no key file is set. It cannot be set
	// together with CodecKeyFile.
	PlainPayloads bool

	// DataConverter encodes workflow and activity payloads; nil means the one of
	// CodecKeyFile, or without a key file the SDK's default (JSON), which then rejects
	// encrypted payloads with an error naming CodecKeyFile's setting. The worker and every
	// client of a namespace must use the same one.
	DataConverter converter.DataConverter

	// FailureConverter turns errors into failures; nil means the one of CodecKeyFile, or the
	// SDK's default, which keeps messages and stack traces in clear text. With a
	// DataConverter that encrypts, set one that encodes them with the same codec.
	FailureConverter converter.FailureConverter
}

// String describes the connection for logs and errors: the address, namespace, mode, file
// paths and payload mode, with the API key redacted.
func (c Config) String() string {
	apiKey := ""
	if c.APIKey != "" {
		apiKey = "[redacted]"
	}
	return fmt.Sprintf("temporalclient.Config{Address: %q, Namespace: %q, Mode: %q, CAFile: %q, "+
		"CertFile: %q, KeyFile: %q, ServerName: %q, APIKey: %q, APIKeyFile: %q, "+
		"Payloads: %q, CodecKeyFile: %q}", c.Address, c.Namespace, c.Mode(), c.CAFile,
		c.CertFile, c.KeyFile, c.ServerName, apiKey, c.APIKeyFile, c.PayloadMode(),
		c.CodecKeyFile)
}

// GoString is String, so %#v does not print the API key either.
func (c Config) GoString() string { return c.String() }

// LogValue is String, so slog does not print the API key either.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// FromEnv returns the settings of the TEMPORAL_* variables above, read with lookup (nil means
// os.LookupEnv). Unset variables leave their fields empty, except Address, which defaults to
// [DefaultAddress], and Namespace, which defaults to [DefaultNamespace]. It fails only when
// TEMPORAL_TLS or UCMPUSH_PLAIN_PAYLOADS is not a boolean.
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	get := func(name string) string {
		value, _ := lookup(name)
		return value
	}

	cfg := Config{
		Address:      get(EnvAddress),
		Namespace:    get(EnvNamespace),
		CAFile:       get(EnvTLSCAFile),
		CertFile:     get(EnvTLSCertFile),
		KeyFile:      get(EnvTLSKeyFile),
		ServerName:   get(EnvTLSServerName),
		APIKey:       get(EnvAPIKey),
		APIKeyFile:   get(EnvAPIKeyFile),
		CodecKeyFile: get(EnvCodecKeyFile),
	}
	if cfg.Address == "" {
		cfg.Address = DefaultAddress
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}

	if raw := get(EnvTLS); raw != "" {
		on, err := strconv.ParseBool(raw)
		if err != nil {
			return cfg, fmt.Errorf("invalid %s=%q: use true or false", EnvTLS, raw)
		}
		cfg.TLS = on
	}

	if raw := get(EnvPlainPayloads); raw != "" {
		on, err := strconv.ParseBool(raw)
		if err != nil {
			return cfg, fmt.Errorf("invalid %s=%q: use true or false", EnvPlainPayloads, raw)
		}
		cfg.PlainPayloads = on
	}
	return cfg, nil
}

// FlagSet is the part of flag.FlagSet and pflag.FlagSet (cobra) that [Config.BindFlags]
// uses, so the worker's standard flags and the CLI's cobra flags share one definition.
type FlagSet interface {
	StringVar(p *string, name, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}

// BindFlags defines the connection flags on fs, with the current values of c (usually from
// [FromEnv]) as defaults, so a flag overrides its environment variable. There is no flag
// for the API key itself: use --temporal-api-key-file or TEMPORAL_API_KEY. The codec flags
// --codec-key-file and --plain-payloads are defined here too, so that the worker and the CLI
// share them.
func (c *Config) BindFlags(fs FlagSet) {
	fs.StringVar(&c.Address, "temporal-address", c.Address,
		"Temporal frontend host:port (env "+EnvAddress+")")
	fs.StringVar(&c.Namespace, "namespace", c.Namespace,
		"Temporal namespace (env "+EnvNamespace+")")
	fs.BoolVar(&c.TLS, "temporal-tls", c.TLS,
		"connect with TLS and the system's root CAs; implied by the other TLS and API key "+
			"settings (env "+EnvTLS+")")
	fs.StringVar(&c.CAFile, "temporal-tls-ca-file", c.CAFile,
		"PEM file of the CAs that sign the frontend's certificate (env "+EnvTLSCAFile+")")
	fs.StringVar(&c.CertFile, "temporal-tls-cert-file", c.CertFile,
		"PEM client certificate for mutual TLS; needs --temporal-tls-key-file (env "+
			EnvTLSCertFile+")")
	fs.StringVar(&c.KeyFile, "temporal-tls-key-file", c.KeyFile,
		"PEM private key of the client certificate (env "+EnvTLSKeyFile+")")
	fs.StringVar(&c.ServerName, "temporal-tls-server-name", c.ServerName,
		"host name the frontend's certificate must match, when it differs from the address's "+
			"host (env "+EnvTLSServerName+")")
	fs.StringVar(&c.APIKeyFile, "temporal-api-key-file", c.APIKeyFile,
		"file holding a Temporal Cloud API key; the key itself may instead be in "+EnvAPIKey+
			" (env "+EnvAPIKeyFile+")")
	fs.StringVar(&c.CodecKeyFile, "codec-key-file", c.CodecKeyFile,
		"key file of the payload codec, one KEYID:BASE64 line per key, mode 0600; encrypts "+
			"workflow inputs, results and failure messages (env "+EnvCodecKeyFile+")")
	fs.BoolVar(&c.PlainPayloads, "plain-payloads", c.PlainPayloads,
		"send payloads in clear text when no --codec-key-file is set, so that Temporal "+
			"histories hold personal data readable to anyone with access (env "+
			EnvPlainPayloads+")")
}

// UsesTLS reports whether the connection uses TLS: TLS is set, or a CA file, client
// certificate, server name or API key is.
func (c Config) UsesTLS() bool {
	return c.TLS || c.CAFile != "" || c.CertFile != "" || c.KeyFile != "" ||
		c.ServerName != "" || c.usesAPIKey()
}

func (c Config) usesAPIKey() bool {
	return c.APIKey != "" || c.APIKeyFile != ""
}

// Mode names the kind of connection for logs: "plain", "tls", "mtls", "api-key" or
// "mtls+api-key". It contains no secret.
func (c Config) Mode() string {
	mtls := c.CertFile != "" || c.KeyFile != ""
	switch {
	case mtls && c.usesAPIKey():
		return "mtls+api-key"
	case mtls:
		return "mtls"
	case c.usesAPIKey():
		return "api-key"
	case c.UsesTLS():
		return "tls"
	}
	return "plain"
}

// Validate checks the settings that need no file access: an address, a client certificate
// together with its key, at most one source of API key, and not both a codec key file and
// plain payloads.
func (c Config) Validate() error {
	if c.Address == "" {
		return fmt.Errorf("missing Temporal address: set %s or --temporal-address, for example %s",
			EnvAddress, DefaultAddress)
	}
	if c.CertFile != "" && c.KeyFile == "" {
		return fmt.Errorf("the Temporal client certificate %s has no key: set %s or "+
			"--temporal-tls-key-file too, or neither for TLS without a client certificate",
			c.CertFile, EnvTLSKeyFile)
	}
	if c.KeyFile != "" && c.CertFile == "" {
		return fmt.Errorf("the Temporal client key %s has no certificate: set %s or "+
			"--temporal-tls-cert-file too", c.KeyFile, EnvTLSCertFile)
	}
	if c.APIKey != "" && c.APIKeyFile != "" {
		return fmt.Errorf("both %s and an API key file (%s) are set: set only one",
			EnvAPIKey, c.APIKeyFile)
	}
	if c.CodecKeyFile != "" && c.PlainPayloads {
		return errPlainAndKeyFile
	}
	return nil
}

// namespace returns the namespace with its default.
func (c Config) namespace() string {
	if c.Namespace == "" {
		return DefaultNamespace
	}
	return c.Namespace
}

// errNoPEM is wrapped by the error for a CA file without a certificate.
var errNoPEM = errors.New("no PEM certificate found")
