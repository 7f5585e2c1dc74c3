package temporalclient

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// Options builds the SDK's client options from c: host, namespace, TLS, API key
// credentials, logger, metrics handler, and data and failure converters. It reads the TLS and
// API key files (see [Config.TLSConfig]) and the codec key file (see [Config.LoadCodec]) and
// fails on the first one that is missing or invalid.
func (c Config) Options() (client.Options, error) {
	tlsConfig, err := c.TLSConfig()
	if err != nil {
		return client.Options{}, err
	}

	dataConverter, failureConverter, err := c.Converters()
	if err != nil {
		return client.Options{}, err
	}

	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	opts := client.Options{
		HostPort:          c.Address,
		Namespace:         c.namespace(),
		Logger:            tlog.NewStructuredLogger(log),
		MetricsHandler:    c.MetricsHandler,
		DataConverter:     dataConverter,
		FailureConverter:  failureConverter,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConfig},
	}

	switch {
	case c.APIKey != "":
		opts.Credentials = client.NewAPIKeyStaticCredentials(c.APIKey)
	case c.APIKeyFile != "":
		keyFile, err := newAPIKeyFile(c.APIKeyFile)
		if err != nil {
			return client.Options{}, err
		}
		opts.Credentials = client.NewAPIKeyDynamicCredentials(keyFile.current)
	}
	return opts, nil
}

// Dial connects to the frontend and checks that it responds, within ctx. Its errors name the
// address and namespace, and add what to check when the failure looks like a TLS mismatch: a
// TLS client talking to a plain dev server, a plain client talking to a TLS frontend, or a
// certificate that does not verify.
func Dial(ctx context.Context, c Config) (client.Client, error) {
	opts, err := c.Options()
	if err != nil {
		return nil, err
	}

	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s, %s): %w%s",
			c.Address, c.namespace(), c.Mode(), err, c.dialHint(err))
	}
	return tc, nil
}

// dialHint returns a sentence, starting with "; ", that names what to check for err.
func (c Config) dialHint(err error) string {
	msg := err.Error()
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError

	switch {
	case c.UsesTLS() && strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "; the server does not speak TLS, as a dev server started with `temporal " +
			"server start-dev` does not: unset the TEMPORAL_TLS_* and TEMPORAL_API_KEY* " +
			"settings for it, or point TEMPORAL_ADDRESS at the TLS frontend"
	case errors.As(err, &unknownAuthority) || strings.Contains(msg, "certificate signed by unknown authority"):
		return "; the frontend's certificate is not signed by a trusted CA: set " +
			EnvTLSCAFile + " to the CA that signs it"
	case errors.As(err, &hostname) || strings.Contains(msg, "certificate is valid for"):
		return "; the frontend's certificate does not name the host dialed: set " +
			EnvTLSServerName + " to a name it carries"
	case !c.UsesTLS() && isPlainToTLS(msg):
		return "; the server may require TLS: set " + EnvTLSCAFile + " (or " + EnvTLS +
			"=true), and for Temporal Cloud a client certificate or an API key"
	case c.UsesTLS() && c.CertFile == "" && isClientCertRejected(msg):
		return "; the frontend may require a client certificate (mutual TLS): set " +
			EnvTLSCertFile + " and " + EnvTLSKeyFile
	case c.CertFile != "" && isClientCertRejected(msg):
		return "; the frontend rejected the client certificate: check that a CA it trusts " +
			"signs it (for Temporal Cloud, the CA certificates uploaded to the namespace)"
	case strings.Contains(msg, "Unauthenticated") || strings.Contains(msg, "PermissionDenied"):
		return "; the frontend rejected the credentials: check the API key or client " +
			"certificate, and that it grants access to the namespace"
	}
	return "; check that the server runs and that " + EnvAddress + " is right"
}

// isPlainToTLS reports the errors a plain gRPC client gets from a TLS listener, which closes
// the connection when it reads the HTTP/2 preface instead of a TLS handshake.
func isPlainToTLS(msg string) bool {
	for _, s := range []string{"error reading server preface", "connection reset by peer",
		"http2: frame too large", "server preface"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// isClientCertRejected reports the errors a TLS client gets when the server rejects or
// misses its certificate. With TLS 1.3 the server's alert often arrives after the client's
// first write, which then fails with a broken pipe or a reset.
func isClientCertRejected(msg string) bool {
	for _, s := range []string{"certificate required", "bad certificate",
		"unknown certificate authority", "broken pipe", "connection reset by peer"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
