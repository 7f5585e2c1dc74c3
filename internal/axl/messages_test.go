package axl

import (
	"strings"
	"testing"
)

// Operators meet these errors in ucmpush cluster add and set and in the worker's log, so they
// name the cluster's CLI flags rather than the fields of Config.
func TestNewErrorsNameClusterFlags(t *testing.T) {
	valid := Config{URL: "https://ucm.example.com:8443/axl/", Version: "14.0", Username: "axl", Password: "pw"}

	tests := []struct {
		name   string
		change func(*Config)
		want   []string
	}{
		{"no username", func(c *Config) { c.Username = "" }, []string{"--username", "--password-ref"}},
		{"no password", func(c *Config) { c.Password = "" }, []string{"--username", "--password-ref"}},
		{"credentials in URL", func(c *Config) { c.URL = "https://axl:pw@ucm/axl/" },
			[]string{"user:password@", "--axl-url", "--username", "--password-ref"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)

			_, err := New(cfg)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}

			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}

			if strings.Contains(err.Error(), "Config.") {
				t.Errorf("error %q names a Go field of Config", err)
			}
		})
	}
}
