package axl

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewValidatesConfig(t *testing.T) {
	dir := t.TempDir()

	emptyCA := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(emptyCA, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	valid := Config{URL: "https://ucm.example.com:8443/axl/", Version: "14.0", Username: "axl", Password: "pw"}

	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string // "" means success
	}{
		{"valid https", func(*Config) {}, ""},
		{"version 12.5", func(c *Config) { c.Version = "12.5" }, ""},
		{"version 15.0", func(c *Config) { c.Version = "15.0" }, ""},
		{"unsupported version", func(c *Config) { c.Version = "11.5" },
			`"11.5" is not supported: use one of 12.5, 14.0, 15.0`},
		{"empty version", func(c *Config) { c.Version = "" }, `"" is not supported`},
		{"http remote", func(c *Config) { c.URL = "http://ucm.example.com:8080/axl/" }, "use https"},
		{"http loopback", func(c *Config) { c.URL = "http://127.0.0.1:8080/axl/" }, ""},
		{"http localhost", func(c *Config) { c.URL = "http://localhost:8080/axl/" }, ""},
		{"http ipv6 loopback", func(c *Config) { c.URL = "http://[::1]:8080/axl/" }, ""},
		{"other scheme", func(c *Config) { c.URL = "ftp://ucm/axl/" }, `scheme "ftp"`},
		{"no path", func(c *Config) { c.URL = "https://ucm.example.com:8443" }, "has no path"},
		{"no host", func(c *Config) { c.URL = "https:///axl/" }, "has no host"},
		{"credentials in URL", func(c *Config) { c.URL = "https://axl:pw@ucm/axl/" }, "must not contain credentials"},
		{"no username", func(c *Config) { c.Username = "" }, "username and password are required"},
		{"no password", func(c *Config) { c.Password = "" }, "username and password are required"},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "negative"},
		{"missing CA file", func(c *Config) { c.CAFile = filepath.Join(dir, "missing.pem") }, "read axl CA file"},
		{"CA file without PEM", func(c *Config) { c.CAFile = emptyCA }, "contains no PEM certificate"},
		{"HTTPClient with CA file", func(c *Config) {
			c.HTTPClient = http.DefaultClient
			c.CAFile = emptyCA
		}, "configure TLS on the HTTPClient"},
		{"HTTPClient alone", func(c *Config) { c.HTTPClient = http.DefaultClient }, ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)

			client, err := New(cfg)

			if tt.wantErr == "" {
				if err != nil || client == nil {
					t.Fatalf("New = %v, %v, want a client", client, err)
				}

				return
			}

			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one containing %q", err, tt.wantErr)
			}

			if strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), `"pw"`) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestConfigStringHidesPassword(t *testing.T) {
	cfg := Config{URL: "https://ucm/axl/", Version: "14.0", Username: "axl", Password: "Very$ecret"}

	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		if got := fmt.Sprintf(format, cfg); strings.Contains(got, "Very$ecret") {
			t.Errorf("Sprintf(%q) = %q contains the password", format, got)
		}
	}

	client, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	if got := fmt.Sprintf("%v %+v", client, client); strings.Contains(got, "Very$ecret") {
		t.Errorf("client formats as %q, which contains the password", got)
	}
}
