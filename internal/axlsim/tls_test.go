package axlsim_test

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"testing"

	"github.com/ucmpush/ucmpush/internal/axlsim"
)

func TestStartTLSServesWithGeneratedCertificate(t *testing.T) {
	sim := axlsim.New(axlsim.Options{})

	url, err := sim.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	t.Cleanup(func() { sim.Close() })

	if sim.URL() != url {
		t.Errorf("URL() = %q, want %q", sim.URL(), url)
	}

	block, _ := pem.Decode(sim.CertificatePEM())
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CertificatePEM is not a PEM certificate: %q", sim.CertificatePEM())
	}

	certificate, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}

	if certificate.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("public key algorithm = %v, want ECDSA", certificate.PublicKeyAlgorithm)
	}

	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		if err := certificate.VerifyHostname(host); err != nil {
			t.Errorf("certificate does not cover %s: %v", host, err)
		}
	}

	if _, err := sim.StartTLS("127.0.0.1:0"); err == nil {
		t.Error("second StartTLS succeeded, want an error")
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(sim.CertificatePEM())

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig(pool)}}

	response, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s with the certificate trusted: %v", url, err)
	}
	response.Body.Close()

	if response.StatusCode != http.StatusOK || response.ProtoMajor != 1 {
		t.Errorf("GET = %d over %s, want 200 over HTTP/1.1", response.StatusCode, response.Proto)
	}

	if err := sim.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	client.CloseIdleConnections()

	if _, err := client.Get(url); err == nil {
		t.Error("GET succeeded after Close")
	}

	if sim.CertificatePEM() != nil || sim.URL() != "" {
		t.Error("certificate or URL remain after Close")
	}
}
