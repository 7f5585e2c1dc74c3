package axlsim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"
)

// certificateValidity is how long the generated certificate is valid, long enough for any
// test run or demo.
const certificateValidity = 30 * 24 * time.Hour

// listenerState is the HTTPS server that StartTLS runs.
type listenerState struct {
	mu      sync.Mutex
	server  *http.Server
	done    chan struct{}
	url     string
	certPEM []byte
}

// StartTLS generates a self-signed ECDSA certificate for 127.0.0.1, ::1 and localhost, listens
// on addr (such as "127.0.0.1:0" for a free port) and serves HTTPS with HTTP/1.1, as UCM's
// Tomcat does, in the background. It returns the AXL endpoint URL, such as
// https://127.0.0.1:8443/axl/. The caller chooses the address; the simulator does not check
// that it is loopback. It fails when the server is already started or addr cannot be bound.
func (s *Server) StartTLS(addr string) (string, error) {
	s.listener.mu.Lock()
	defer s.listener.mu.Unlock()

	if s.listener.server != nil {
		return "", errors.New("axlsim is already started: call Close first")
	}

	certPEM, certificate, err := selfSignedCertificate(time.Now())
	if err != nil {
		return "", err
	}

	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("axlsim listen on %s: %w", addr, err)
	}

	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{certificate},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}

	server := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Handshake failures of clients that do not trust the certificate go to debug.
		ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug),
	}

	done := make(chan struct{})

	go func() {
		defer close(done)

		err := server.Serve(tls.NewListener(listener, tlsConfig))
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("axlsim server stopped", "error", err)
		}
	}()

	s.listener.server = server
	s.listener.done = done
	s.listener.url = "https://" + listener.Addr().String() + "/axl/"
	s.listener.certPEM = certPEM

	s.logger.Info("axlsim started", "url", s.listener.url)

	return s.listener.url, nil
}

// URL returns the AXL endpoint of the server that StartTLS started, or "" before.
func (s *Server) URL() string {
	s.listener.mu.Lock()
	defer s.listener.mu.Unlock()

	return s.listener.url
}

// CertificatePEM returns the PEM certificate that StartTLS generated, which clients put in
// [axl.Config.CAFile] to trust the simulator. It is nil before StartTLS; each start
// generates a new certificate.
func (s *Server) CertificatePEM() []byte {
	s.listener.mu.Lock()
	defer s.listener.mu.Unlock()

	return append([]byte(nil), s.listener.certPEM...)
}

// Close stops the server that StartTLS started: it waits up to 5 seconds for requests in
// progress, then closes the remaining connections. It returns nil when nothing was started,
// so a simulator mounted on an httptest server can be closed the same way.
func (s *Server) Close() error {
	s.listener.mu.Lock()
	defer s.listener.mu.Unlock()

	if s.listener.server == nil {
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	err := s.listener.server.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.listener.server.Close())
	}

	<-s.listener.done

	s.logger.Info("axlsim stopped", "url", s.listener.url)

	s.listener.server = nil
	s.listener.done = nil
	s.listener.url = ""
	s.listener.certPEM = nil

	return err
}

func selfSignedCertificate(now time.Time) ([]byte, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("generate axlsim key: %w", err)
	}

	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("generate axlsim certificate serial: %w", err)
	}

	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "axlsim", Organization: []string{"ucmpush AXL simulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certificateValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}

	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("create axlsim certificate: %w", err)
	}

	certificate := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})

	return certPEM, certificate, nil
}
