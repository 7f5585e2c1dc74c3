package temporalclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// TLSConfig builds the TLS settings of the connection, or returns nil for a plain one. It
// reads the CA file and the client key pair now, so a missing, unreadable or malformed file
// fails here with the file's name and the variable that set it, not at the first request.
func (c Config) TLSConfig() (*tls.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !c.UsesTLS() {
		return nil, nil
	}

	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}

	if c.CAFile != "" {
		pool, err := loadCAFile(c.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}

	if c.CertFile != "" {
		pair, err := newKeyPairFile(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, err
		}
		cfg.GetClientCertificate = pair.clientCertificate
	}
	return cfg, nil
}

func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the Temporal CA file (%s): %w", EnvTLSCAFile, err)
	}

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the Temporal CA file %s (%s): %w: it must hold one or more "+
			"-----BEGIN CERTIFICATE----- blocks", path, EnvTLSCAFile, errNoPEM)
	}
	return pool, nil
}

// keyPairFile is a client certificate and key on disk, loaded again when either file's
// modification time changes.
type keyPairFile struct {
	certFile, keyFile string

	mu              sync.Mutex
	pair            *tls.Certificate
	certMod, keyMod time.Time
}

// newKeyPairFile loads the pair once, so that configuration errors surface at start.
func newKeyPairFile(certFile, keyFile string) (*keyPairFile, error) {
	k := &keyPairFile{certFile: certFile, keyFile: keyFile}
	if err := k.reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// clientCertificate is the tls.Config.GetClientCertificate callback. A reload that fails
// (a file being replaced, say) keeps the last good pair: the server then decides, and the
// next handshake tries the files again.
func (k *keyPairFile) clientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()

	certMod, keyMod := modTime(k.certFile), modTime(k.keyFile)
	if !certMod.Equal(k.certMod) || !keyMod.Equal(k.keyMod) {
		_ = k.reloadLocked()
	}
	return k.pair, nil
}

func (k *keyPairFile) reload() error {
	k.mu.Lock()
	defer k.mu.Unlock()

	return k.reloadLocked()
}

func (k *keyPairFile) reloadLocked() error {
	for _, f := range []struct{ path, env string }{
		{k.certFile, EnvTLSCertFile}, {k.keyFile, EnvTLSKeyFile},
	} {
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("read the Temporal client TLS file (%s): %w", f.env, err)
		}
	}

	certMod, keyMod := modTime(k.certFile), modTime(k.keyFile)
	pair, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return fmt.Errorf("load the Temporal client certificate %s with key %s: %w; check "+
			"that both are PEM and that the key belongs to the certificate",
			k.certFile, k.keyFile, err)
	}
	k.pair, k.certMod, k.keyMod = &pair, certMod, keyMod
	return nil
}

func modTime(path string) time.Time {
	info, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return info.ModTime()
}

// apiKeyFile is an API key on disk, read again when the file's modification time changes.
type apiKeyFile struct {
	path string

	mu  sync.Mutex
	key string
	mod time.Time
}

func newAPIKeyFile(path string) (*apiKeyFile, error) {
	f := &apiKeyFile{path: path}
	f.mu.Lock()
	defer f.mu.Unlock()

	if err := f.readLocked(); err != nil {
		return nil, err
	}
	return f, nil
}

// current returns the key, reading the file again when it changed. A read that fails keeps
// the last good key, as for the client certificate.
func (f *apiKeyFile) current(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	if !modTime(f.path).Equal(f.mod) {
		_ = f.readLocked()
	}
	return f.key, nil
}

func (f *apiKeyFile) readLocked() error {
	mod := modTime(f.path)
	body, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("read the Temporal API key file (%s): %w", EnvAPIKeyFile, err)
	}

	key := strings.TrimSpace(string(body))
	if key == "" {
		return fmt.Errorf("the Temporal API key file %s (%s) is empty: write the key into it",
			f.path, EnvAPIKeyFile)
	}
	f.key, f.mod = key, mod
	return nil
}
