package temporalclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and frontend.test, and a client
// certificate, all written as PEM files into a test's temporary folder.
type testPKI struct {
	dir                 string
	caFile              string
	caPool              *x509.CertPool
	server              tls.Certificate
	clientCertFile      string
	clientKeyFile       string
	clientCommonName    string
	otherClientCertFile string
	otherClientKeyFile  string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir(), clientCommonName: "ucmpush-worker"}

	caKey := newKey(t)
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("create CA certificate: %v", err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	p.caFile = p.write(t, "ca.pem", "CERTIFICATE", caDER)
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(caCert)

	serverDER, serverKey := p.issue(t, caCert, caKey, 2, "frontend.test", x509.ExtKeyUsageServerAuth)
	p.server = tls.Certificate{Certificate: [][]byte{serverDER}, PrivateKey: serverKey}

	p.clientCertFile, p.clientKeyFile = p.writePair(t, "client", caCert, caKey, 3, p.clientCommonName)
	p.otherClientCertFile, p.otherClientKeyFile = p.writePair(t, "other", caCert, caKey, 4, "rotated")
	return p
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	return key
}

func (p *testPKI) issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64,
	name string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key := newKey(t)
	template := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatalf("issue certificate for %s: %v", name, err)
	}
	return der, key
}

func (p *testPKI) writePair(t *testing.T, prefix string, ca *x509.Certificate, caKey *ecdsa.PrivateKey,
	serial int64, name string) (string, string) {
	t.Helper()
	der, key := p.issue(t, ca, caKey, serial, name, x509.ExtKeyUsageClientAuth)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatalf("marshal key: %v", err)
	}
	return p.write(t, prefix+"-cert.pem", "CERTIFICATE", der),
		p.write(t, prefix+"-key.pem", "EC PRIVATE KEY", keyDER)
}

func (p *testPKI) write(t *testing.T, name, blockType string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return path
}

// replaceFile copies src over dst and moves dst's modification time forward, so a reload
// detects the change even on file systems with coarse timestamps.
func replaceFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read %s: %v", src, err)
	}
	writeFileLater(t, dst, data)
}

// touches makes every writeFileLater stamp a later time than the one before.
var touches atomic.Int64

func writeFileLater(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	later := time.Now().Add(time.Duration(touches.Add(1)) * time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatalf("touch %s: %v", path, err)
	}
}
