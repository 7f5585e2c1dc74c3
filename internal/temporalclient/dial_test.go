package temporalclient

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
)

// fakeFrontend is a gRPC server on loopback that implements GetSystemInfo, the only call of
// client.Dial, and records the authorization header of every request.
type fakeFrontend struct {
	workflowservice.UnimplementedWorkflowServiceServer

	address string

	mu             sync.Mutex
	authorizations []string
	clientNames    []string
}

func (f *fakeFrontend) GetSystemInfo(ctx context.Context,
	_ *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	f.authorizations = append(f.authorizations, strings.Join(md.Get("authorization"), ","))
	f.mu.Unlock()
	return &workflowservice.GetSystemInfoResponse{}, nil
}

func (f *fakeFrontend) lastAuthorization() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.authorizations) == 0 {
		return ""
	}
	return f.authorizations[len(f.authorizations)-1]
}

// startFrontend serves a fakeFrontend, with TLS when tlsConfig is set.
func startFrontend(t *testing.T, tlsConfig *tls.Config) *fakeFrontend {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}

	f := &fakeFrontend{address: listener.Addr().String()}
	var opts []grpc.ServerOption
	if tlsConfig != nil {
		tlsConfig = tlsConfig.Clone()
		tlsConfig.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) > 0 {
				f.mu.Lock()
				f.clientNames = append(f.clientNames, cs.PeerCertificates[0].Subject.CommonName)
				f.mu.Unlock()
			}
			return nil
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tlsConfig)))
	}
	server := grpc.NewServer(opts...)
	workflowservice.RegisterWorkflowServiceServer(server, f)
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	return f
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func dialWithin(t *testing.T, cfg Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg.Logger = quietLogger()

	c, err := Dial(ctx, cfg)
	if err == nil {
		c.Close()
	}
	return err
}

func TestDialPlainFrontend(t *testing.T) {
	f := startFrontend(t, nil)
	if err := dialWithin(t, Config{Address: f.address}); err != nil {
		t.Fatalf("Dial of a plain frontend: %v", err)
	}
}

func TestDialTLSToPlainServerExplains(t *testing.T) {
	pki := newTestPKI(t)
	f := startFrontend(t, nil)

	err := dialWithin(t, Config{Address: f.address, CAFile: pki.caFile})
	if err == nil {
		t.Fatal("Dial with TLS to a plain server succeeded")
	}
	for _, part := range []string{f.address, "does not speak TLS", "start-dev", "TEMPORAL_TLS_"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
}

func TestDialPlainToTLSServerExplains(t *testing.T) {
	pki := newTestPKI(t)
	f := startFrontend(t, &tls.Config{Certificates: []tls.Certificate{pki.server}})

	err := dialWithin(t, Config{Address: f.address})
	if err == nil {
		t.Fatal("Dial without TLS to a TLS server succeeded")
	}
	if !strings.Contains(err.Error(), "may require TLS") {
		t.Errorf("error %q does not say the server may require TLS", err)
	}
}

func TestDialTLSVerifiesServer(t *testing.T) {
	pki := newTestPKI(t)
	f := startFrontend(t, &tls.Config{Certificates: []tls.Certificate{pki.server}})

	if err := dialWithin(t, Config{Address: f.address, CAFile: pki.caFile}); err != nil {
		t.Fatalf("Dial with the right CA: %v", err)
	}

	err := dialWithin(t, Config{Address: f.address, TLS: true})
	if err == nil || !strings.Contains(err.Error(), EnvTLSCAFile) {
		t.Errorf("Dial with the system roots = %v, want an error pointing at %s", err, EnvTLSCAFile)
	}

	err = dialWithin(t, Config{Address: f.address, CAFile: pki.caFile, ServerName: "elsewhere.test"})
	if err == nil || !strings.Contains(err.Error(), EnvTLSServerName) {
		t.Errorf("Dial with a wrong server name = %v, want an error pointing at %s", err,
			EnvTLSServerName)
	}

	err = dialWithin(t, Config{Address: f.address, CAFile: pki.caFile, ServerName: "frontend.test"})
	if err != nil {
		t.Errorf("Dial with the certificate's server name: %v", err)
	}
}

func TestDialMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	f := startFrontend(t, &tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.caPool,
	})

	err := dialWithin(t, Config{Address: f.address, CAFile: pki.caFile,
		CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile})
	if err != nil {
		t.Fatalf("Dial with a client certificate: %v", err)
	}
	f.mu.Lock()
	names := append([]string(nil), f.clientNames...)
	f.mu.Unlock()
	if len(names) == 0 || names[0] != pki.clientCommonName {
		t.Errorf("server saw client certificates %v, want %s", names, pki.clientCommonName)
	}

	err = dialWithin(t, Config{Address: f.address, CAFile: pki.caFile})
	if err == nil {
		t.Fatal("Dial without a client certificate to a server that requires one succeeded")
	}
	if !strings.Contains(err.Error(), EnvTLSCertFile) {
		t.Errorf("error %q does not point at %s", err, EnvTLSCertFile)
	}

	stranger := newTestPKI(t)
	err = dialWithin(t, Config{Address: f.address, CAFile: pki.caFile,
		CertFile: stranger.clientCertFile, KeyFile: stranger.clientKeyFile})
	if err == nil {
		t.Fatal("Dial with a client certificate of an untrusted CA succeeded")
	}
	if !strings.Contains(err.Error(), "rejected the client certificate") {
		t.Errorf("error %q does not say the client certificate was rejected", err)
	}
}

func TestDialAPIKeyFileIsReadAgainAfterRotation(t *testing.T) {
	pki := newTestPKI(t)
	f := startFrontend(t, &tls.Config{Certificates: []tls.Certificate{pki.server}})
	keyFile := filepath.Join(t.TempDir(), "api-key")
	if err := os.WriteFile(keyFile, []byte("first-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, Config{Address: f.address, CAFile: pki.caFile, APIKeyFile: keyFile,
		Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Dial with an API key file: %v", err)
	}
	defer c.Close()
	if got := f.lastAuthorization(); got != "Bearer first-key" {
		t.Errorf("authorization = %q, want Bearer first-key", got)
	}

	writeFileLater(t, keyFile, []byte("second-key"))
	_, err = c.WorkflowService().GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
	if err != nil {
		t.Fatalf("GetSystemInfo: %v", err)
	}
	if got := f.lastAuthorization(); got != "Bearer second-key" {
		t.Errorf("authorization after rotation = %q, want Bearer second-key", got)
	}
}

func TestDialAPIKeyFromEnvironmentTurnsOnTLS(t *testing.T) {
	pki := newTestPKI(t)
	f := startFrontend(t, &tls.Config{Certificates: []tls.Certificate{pki.server}})

	cfg, err := FromEnv(lookupFrom(map[string]string{EnvAddress: f.address,
		EnvTLSCAFile: pki.caFile, EnvAPIKey: "env-key"}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if err := dialWithin(t, cfg); err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if got := f.lastAuthorization(); got != "Bearer env-key" {
		t.Errorf("authorization = %q, want Bearer env-key", got)
	}
}

func TestDialErrorNeverQuotesAPIKey(t *testing.T) {
	f := startFrontend(t, nil)
	err := dialWithin(t, Config{Address: f.address, APIKey: "do-not-print-me"})
	if err == nil {
		t.Fatal("Dial with an API key to a plain server succeeded")
	}
	if strings.Contains(err.Error(), "do-not-print-me") {
		t.Errorf("error %q contains the API key", err)
	}
}
