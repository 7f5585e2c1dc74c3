package temporalclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

func TestFromEnvReadsEveryVariable(t *testing.T) {
	cfg, err := FromEnv(lookupFrom(map[string]string{
		EnvAddress:       "ns.acct.tmprl.cloud:7233",
		EnvNamespace:     "ns.acct",
		EnvTLS:           "true",
		EnvTLSCAFile:     "/ca.pem",
		EnvTLSCertFile:   "/tls.crt",
		EnvTLSKeyFile:    "/tls.key",
		EnvTLSServerName: "frontend.example",
		EnvAPIKeyFile:    "/api-key",
		EnvAPIKey:        "k",
		EnvCodecKeyFile:  "/codec-keys",
		EnvPlainPayloads: "true",
	}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	want := Config{Address: "ns.acct.tmprl.cloud:7233", Namespace: "ns.acct", TLS: true,
		CAFile: "/ca.pem", CertFile: "/tls.crt", KeyFile: "/tls.key",
		ServerName: "frontend.example", APIKeyFile: "/api-key", APIKey: "k",
		CodecKeyFile: "/codec-keys", PlainPayloads: true}
	if cfg != want {
		t.Errorf("FromEnv = %+v, want %+v", cfg, want)
	}
}

func TestFromEnvDefaults(t *testing.T) {
	cfg, err := FromEnv(lookupFrom(nil))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if cfg.Address != DefaultAddress {
		t.Errorf("Address = %q, want %q", cfg.Address, DefaultAddress)
	}
	if cfg.Namespace != DefaultNamespace {
		t.Errorf("Namespace = %q, want %q", cfg.Namespace, DefaultNamespace)
	}
	if cfg.UsesTLS() {
		t.Errorf("UsesTLS() = true for an empty environment")
	}
}

func TestFromEnvRejectsInvalidTLSFlag(t *testing.T) {
	_, err := FromEnv(lookupFrom(map[string]string{EnvTLS: "maybe"}))
	if err == nil || !strings.Contains(err.Error(), "TEMPORAL_TLS") {
		t.Fatalf("FromEnv(TEMPORAL_TLS=maybe) = %v, want an error naming TEMPORAL_TLS", err)
	}
}

func TestBindFlagsOverrideEnvironment(t *testing.T) {
	cfg, err := FromEnv(lookupFrom(map[string]string{EnvAddress: "env:7233", EnvNamespace: "env-ns",
		EnvTLSCAFile: "/env-ca.pem"}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.BindFlags(fs)
	err = fs.Parse([]string{"--temporal-address", "flag:7233", "--temporal-tls-cert-file", "/c",
		"--temporal-tls-key-file", "/k", "--temporal-api-key-file", "/key"})
	if err != nil {
		t.Fatalf("parse flags: %v", err)
	}

	if cfg.Address != "flag:7233" {
		t.Errorf("Address = %q, want the flag's value", cfg.Address)
	}
	if cfg.Namespace != "env-ns" {
		t.Errorf("Namespace = %q, want the environment's value", cfg.Namespace)
	}
	if cfg.CAFile != "/env-ca.pem" || cfg.CertFile != "/c" || cfg.KeyFile != "/k" {
		t.Errorf("TLS files = %q %q %q", cfg.CAFile, cfg.CertFile, cfg.KeyFile)
	}
	if cfg.APIKeyFile != "/key" {
		t.Errorf("APIKeyFile = %q, want /key", cfg.APIKeyFile)
	}
	if fs.Lookup("temporal-api-key") != nil {
		t.Errorf("a --temporal-api-key flag exists; the key would show in the process list")
	}
}

func TestValidateRejectsIncompleteSettings(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"no address", Config{}, []string{"missing Temporal address", EnvAddress}},
		{"cert without key", Config{Address: "a:1", CertFile: "/c.pem"},
			[]string{"/c.pem has no key", EnvTLSKeyFile}},
		{"key without cert", Config{Address: "a:1", KeyFile: "/k.pem"},
			[]string{"/k.pem has no certificate", EnvTLSCertFile}},
		{"two API keys", Config{Address: "a:1", APIKey: "x", APIKeyFile: "/key"},
			[]string{EnvAPIKey, "/key", "set only one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil {
				t.Fatalf("Validate() = nil, want an error")
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
			if _, err := tt.cfg.TLSConfig(); err == nil {
				t.Errorf("TLSConfig() accepted the settings that Validate rejects")
			}
		})
	}
}

func TestValidateNeverQuotesAPIKey(t *testing.T) {
	err := Config{Address: "a:1", APIKey: "super-secret-key", APIKeyFile: "/key"}.Validate()
	if err == nil || strings.Contains(err.Error(), "super-secret-key") {
		t.Fatalf("Validate() = %v: want an error without the key", err)
	}
}

func TestModeNamesConnection(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "plain"},
		{Config{TLS: true}, "tls"},
		{Config{CAFile: "/ca"}, "tls"},
		{Config{ServerName: "x"}, "tls"},
		{Config{CertFile: "/c", KeyFile: "/k"}, "mtls"},
		{Config{APIKey: "k"}, "api-key"},
		{Config{APIKeyFile: "/k"}, "api-key"},
		{Config{CertFile: "/c", KeyFile: "/k", APIKey: "k"}, "mtls+api-key"},
	}
	for _, tt := range tests {
		if got := tt.cfg.Mode(); got != tt.want {
			t.Errorf("%+v.Mode() = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

func TestTLSConfigPlainIsNil(t *testing.T) {
	cfg, err := Config{Address: "127.0.0.1:7233"}.TLSConfig()
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	if cfg != nil {
		t.Errorf("TLSConfig() = %+v for a plain connection, want nil", cfg)
	}
}

func TestTLSConfigSystemRoots(t *testing.T) {
	cfg, err := Config{Address: "a:1", TLS: true}.TLSConfig()
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	if cfg == nil {
		t.Fatal("TLSConfig() = nil with TLS set")
	}
	if cfg.RootCAs != nil {
		t.Errorf("RootCAs is set without a CA file; want nil (the system roots)")
	}
	if cfg.GetClientCertificate != nil {
		t.Errorf("a client certificate callback is set without a certificate")
	}
	if cfg.MinVersion < 0x0303 {
		t.Errorf("MinVersion = %#x, want at least TLS 1.2", cfg.MinVersion)
	}
}

func TestTLSConfigCAFileAndServerName(t *testing.T) {
	pki := newTestPKI(t)
	cfg, err := Config{Address: "10.0.0.1:7233", CAFile: pki.caFile, ServerName: "frontend.test"}.TLSConfig()
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	if cfg.ServerName != "frontend.test" {
		t.Errorf("ServerName = %q, want frontend.test", cfg.ServerName)
	}

	leaf, err := x509.ParseCertificate(pki.server.Certificate[0])
	if err != nil {
		t.Fatalf("parse server certificate: %v", err)
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: cfg.RootCAs, DNSName: "frontend.test"})
	if err != nil {
		t.Errorf("the server certificate does not verify against RootCAs from the CA file: %v", err)
	}
}

func TestTLSConfigClientCertificate(t *testing.T) {
	pki := newTestPKI(t)
	cfg, err := Config{Address: "a:1", CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile}.TLSConfig()
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	if cfg.GetClientCertificate == nil {
		t.Fatal("GetClientCertificate is nil with a client certificate configured")
	}

	if got := clientCommonName(t, cfg.GetClientCertificate); got != pki.clientCommonName {
		t.Errorf("client certificate CN = %q, want %q", got, pki.clientCommonName)
	}
}

func TestTLSConfigReloadsRotatedCertificate(t *testing.T) {
	pki := newTestPKI(t)
	cfg, err := Config{Address: "a:1", CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile}.TLSConfig()
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}

	replaceFile(t, pki.otherClientCertFile, pki.clientCertFile)
	replaceFile(t, pki.otherClientKeyFile, pki.clientKeyFile)
	if got := clientCommonName(t, cfg.GetClientCertificate); got != "rotated" {
		t.Errorf("client certificate CN after rotation = %q, want rotated", got)
	}

	// A half-written rotation (a certificate whose key is still the old one) keeps the
	// last good pair instead of failing the handshake on the client side.
	replaceFile(t, pki.otherClientCertFile, pki.clientCertFile)
	writeFileLater(t, pki.clientKeyFile, []byte("not a key"))
	if got := clientCommonName(t, cfg.GetClientCertificate); got != "rotated" {
		t.Errorf("client certificate CN after a broken rotation = %q, want the last good one", got)
	}
}

func clientCommonName(t *testing.T, get func(*tls.CertificateRequestInfo) (*tls.Certificate, error)) string {
	t.Helper()
	pair, err := get(nil)
	if err != nil {
		t.Fatalf("GetClientCertificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatalf("parse client certificate: %v", err)
	}
	return leaf.Subject.CommonName
}

func TestTLSConfigFileErrors(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		cfg    Config
		want   []string
		target error
	}{
		{"missing CA file", Config{Address: "a:1", CAFile: missing},
			[]string{missing, EnvTLSCAFile}, fs.ErrNotExist},
		{"CA file is a folder", Config{Address: "a:1", CAFile: dir},
			[]string{dir, EnvTLSCAFile, "is a directory"}, nil},
		{"CA file without PEM", Config{Address: "a:1", CAFile: garbage},
			[]string{garbage, "BEGIN CERTIFICATE"}, errNoPEM},
		{"missing certificate", Config{Address: "a:1", CertFile: missing, KeyFile: pki.clientKeyFile},
			[]string{missing, EnvTLSCertFile}, fs.ErrNotExist},
		{"missing key", Config{Address: "a:1", CertFile: pki.clientCertFile, KeyFile: missing},
			[]string{missing, EnvTLSKeyFile}, fs.ErrNotExist},
		{"key of another certificate", Config{Address: "a:1", CertFile: pki.clientCertFile,
			KeyFile: pki.otherClientKeyFile}, []string{pki.clientCertFile, "belongs to the certificate"}, nil},
		{"certificate is not PEM", Config{Address: "a:1", CertFile: garbage, KeyFile: pki.clientKeyFile},
			[]string{garbage, "PEM"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.TLSConfig()
			if err == nil {
				t.Fatal("TLSConfig() = nil error")
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("error %q does not wrap %v", err, tt.target)
			}
		})
	}
}

func TestOptionsAPIKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := Config{Address: "a:1", APIKeyFile: filepath.Join(dir, "missing")}.Options()
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), EnvAPIKeyFile) {
		t.Errorf("Options() with a missing key file = %v, want a not-exist error naming %s", err,
			EnvAPIKeyFile)
	}

	_, err = Config{Address: "a:1", APIKeyFile: empty}.Options()
	if err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("Options() with an empty key file = %v, want an error saying it is empty", err)
	}
}

func TestOptionsCarryConnectionSettings(t *testing.T) {
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(),
		converter.NewZlibCodec(converter.ZlibCodecOptions{}))
	fc := temporal.NewDefaultFailureConverter(
		temporal.DefaultFailureConverterOptions{EncodeCommonAttributes: true})
	opts, err := Config{Address: "a:1", Namespace: "ns", APIKey: "k", DataConverter: dc,
		FailureConverter: fc}.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}
	if opts.DataConverter != dc || opts.FailureConverter != fc {
		t.Errorf("the data or failure converter was not passed on")
	}
	if opts.HostPort != "a:1" || opts.Namespace != "ns" {
		t.Errorf("HostPort, Namespace = %q, %q", opts.HostPort, opts.Namespace)
	}
	if opts.Credentials == nil {
		t.Errorf("Credentials are nil with an API key")
	}
	if opts.ConnectionOptions.TLS == nil {
		t.Errorf("TLS is nil with an API key; Temporal Cloud requires TLS")
	}

	opts, err = Config{Address: "a:1"}.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}
	if opts.Namespace != DefaultNamespace {
		t.Errorf("Namespace = %q, want %q", opts.Namespace, DefaultNamespace)
	}
	if opts.ConnectionOptions.TLS != nil || opts.Credentials != nil {
		t.Errorf("a plain config has TLS or credentials")
	}
}

func TestConfigPrintsWithoutAPIKey(t *testing.T) {
	cfg := Config{Address: "a:1", APIKey: "printed-key-must-not-show", CertFile: "/c", KeyFile: "/k"}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("dial", "temporal", cfg)

	for _, text := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		logs.String()} {
		if strings.Contains(text, "printed-key-must-not-show") {
			t.Errorf("the API key shows in %q", text)
		}
		if !strings.Contains(text, "mtls+api-key") || !strings.Contains(text, "/c") {
			t.Errorf("%q lacks the mode or the certificate path", text)
		}
	}
}
