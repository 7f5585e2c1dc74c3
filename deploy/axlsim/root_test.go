package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
)

func TestCheckListen(t *testing.T) {
	tests := []struct {
		listen      string
		allowRemote bool
		wantErr     string
	}{
		{"127.0.0.1:8443", false, ""},
		{"127.0.0.2:0", false, ""},
		{"[::1]:8443", false, ""},
		{"localhost:8443", false, ""},
		{":8443", false, "not loopback"},
		{"0.0.0.0:8443", false, "--allow-remote"},
		{"192.0.2.10:8443", false, "not loopback"},
		{"ucm.example.com:8443", false, "not loopback"},
		{"0.0.0.0:8443", true, ""},
		{"127.0.0.1", false, "use host:port"},
	}

	for _, tt := range tests {
		err := checkListen(tt.listen, tt.allowRemote)

		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("checkListen(%q, %v) = %v, want nil", tt.listen, tt.allowRemote, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("checkListen(%q, %v) = %v, want an error containing %q", tt.listen, tt.allowRemote, err, tt.wantErr)
		}
	}
}

func TestReadPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}

		return path
	}

	t.Setenv("AXL_PASSWORD", "from-env")

	tests := []struct {
		name    string
		file    string
		want    string
		wantErr string
	}{
		{"first line of file", write("crlf", "p@ss word\r\nsecond line\n"), "p@ss word", ""},
		{"file without newline", write("plain", "secret"), "secret", ""},
		{"empty file", write("empty", "\n"), "", "is empty"},
		{"missing file", filepath.Join(dir, "missing"), "", "read the password file"},
		{"environment", "", "from-env", ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPassword(tt.file)

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("readPassword = %q, %v, want an error containing %q", got, err, tt.wantErr)
				}

				return
			}

			if err != nil || got != tt.want {
				t.Errorf("readPassword = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

func TestCommandRejectsBadFlags(t *testing.T) {
	t.Setenv("AXL_PASSWORD", "pw")

	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--username", "axl", "--listen", "0.0.0.0:8443"}, "not loopback"},
		{[]string{"--listen", "127.0.0.1:0"}, "username is missing"},
		{[]string{"--username", "axl", "--max-in-flight", "-1"}, "negative"},
		{[]string{"--username", "axl", "--log-level", "loud"}, "log level"},
		{[]string{"--username", "axl", "extra"}, "unknown command"},
	}

	for _, tt := range tests {
		cmd := newRootCommand(&bytes.Buffer{})
		cmd.SetArgs(tt.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})

		err := cmd.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("axlsim %v = %v, want an error containing %q", tt.args, err, tt.wantErr)
		}
	}
}

// syncBuffer is a bytes.Buffer that the command's logger and the test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.String()
}

var readyURL = regexp.MustCompile(`msg="axlsim ready" url=(https://\S+/axl/)`)

func TestCommandServesUntilCanceled(t *testing.T) {
	dir := t.TempDir()
	passwordFile := filepath.Join(dir, "password")
	certFile := filepath.Join(dir, "cert.pem")
	recordDir := filepath.Join(dir, "requests")

	if err := os.WriteFile(passwordFile, []byte("pw-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	logs := &syncBuffer{}
	cmd := newRootCommand(logs)
	cmd.SetArgs([]string{
		"--listen", "127.0.0.1:0", "--username", "axl", "--password-file", passwordFile,
		"--cert-out", certFile, "--record-dir", recordDir, "--max-in-flight", "4",
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)

	go func() { done <- cmd.ExecuteContext(ctx) }()

	url := waitForURL(t, logs, done)

	client, err := axl.New(axl.Config{
		URL: url, Version: "14.0", Username: "axl", Password: "pw-from-file", CAFile: certFile,
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	if _, err := client.AddUser(context.Background(), axl.User{UserID: "demo", LastName: "User"}); err != nil {
		t.Fatalf("AddUser against the command: %v", err)
	}

	if _, err := os.Stat(filepath.Join(recordDir, "000001-addUser.xml")); err != nil {
		t.Errorf("request not recorded: %v", err)
	}

	cancel()

	select {
	case err := <-done:
		if err != nil {
			t.Errorf("command returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("command did not stop within 10s of cancel")
	}

	output := logs.String()
	if !strings.Contains(output, "axlsim stopped") {
		t.Errorf("logs lack the stop line:\n%s", output)
	}

	if strings.Contains(output, "pw-from-file") {
		t.Errorf("logs contain the password:\n%s", output)
	}
}

func waitForURL(t *testing.T, logs *syncBuffer, done <-chan error) string {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)

	for time.Now().Before(deadline) {
		if match := readyURL.FindStringSubmatch(logs.String()); match != nil {
			return match[1]
		}

		select {
		case err := <-done:
			t.Fatalf("command ended before it was ready: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}

	t.Fatalf("command not ready within 10s:\n%s", logs.String())

	return ""
}
