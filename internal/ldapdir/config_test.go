package ldapdir

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
)

const testPassword = "s3cret-Pa55"

func validConfig() Config {
	return Config{
		URL:          "ldap://ldap.example.com",
		BindDN:       "cn=ucmpush,ou=services,dc=example,dc=com",
		BindPassword: testPassword,
		BaseDN:       "ou=people,dc=example,dc=com",
		Mapping:      domain.DefaultOpenLDAPMapping(),
	}
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		change func(*Config)
		// wantErr is a part of the expected message; empty means valid.
		wantErr string
	}{
		{name: "valid", change: func(*Config) {}},
		{name: "ldaps with port", change: func(c *Config) { c.URL = "ldaps://127.0.0.1:3636" }},
		{name: "IPv6 host", change: func(c *Config) { c.URL = "ldap://[::1]:3389" }},
		{name: "trailing slash", change: func(c *Config) { c.URL = "ldap://ldap.example.com/" }},
		{name: "anonymous bind", change: func(c *Config) { c.BindDN, c.BindPassword = "", "" }},
		{name: "StartTLS on ldap", change: func(c *Config) { c.StartTLS = true }},
		{name: "missing URL", change: func(c *Config) { c.URL = "" },
			wantErr: "missing LDAP URL: set it to ldap://"},
		{name: "URL without scheme", change: func(c *Config) { c.URL = "ldap.example.com:389" },
			wantErr: `invalid LDAP URL "ldap.example.com:389": use ldap://`},
		{name: "URL missing colon", change: func(c *Config) { c.URL = "ldap//ldap.example.com" },
			wantErr: `invalid LDAP URL "ldap//ldap.example.com": scheme must be ldap or ldaps`},
		{name: "http scheme", change: func(c *Config) { c.URL = "http://ldap.example.com" },
			wantErr: "scheme must be ldap or ldaps, for example ldap://"},
		{name: "missing host", change: func(c *Config) { c.URL = "ldap://" },
			wantErr: "missing host"},
		{name: "opaque URL", change: func(c *Config) { c.URL = "ldap:ldap.example.com" },
			wantErr: "invalid LDAP URL"},
		{name: "port out of range", change: func(c *Config) { c.URL = "ldap://h:99999" },
			wantErr: `port "99999" is not in 1-65535`},
		{name: "credentials in URL", change: func(c *Config) { c.URL = "ldap://u:pw@h" },
			wantErr: "not in the URL"},
		{name: "DN in URL", change: func(c *Config) { c.URL = "ldap://h/dc=example,dc=com" },
			wantErr: "leave the URL as scheme://host:port"},
		{name: "StartTLS on ldaps", change: func(c *Config) {
			c.URL, c.StartTLS = "ldaps://h", true
		}, wantErr: "ldaps:// is already encrypted"},
		{name: "missing base DN", change: func(c *Config) { c.BaseDN = "" },
			wantErr: "missing base DN"},
		{name: "invalid base DN", change: func(c *Config) { c.BaseDN = "people" },
			wantErr: `invalid base DN "people"`},
		{name: "invalid bind DN", change: func(c *Config) { c.BindDN = "ucmpush" },
			wantErr: `invalid bind DN "ucmpush"`},
		{name: "bind DN without password", change: func(c *Config) { c.BindPassword = "" },
			wantErr: "missing bind password for"},
		{name: "unbalanced filter", change: func(c *Config) { c.Filter = "(uid=x" },
			wantErr: `invalid search filter "(uid=x"`},
		{name: "filter without parentheses", change: func(c *Config) { c.Filter = "uid=x" },
			wantErr: `invalid search filter "uid=x"`},
		{name: "empty mapping", change: func(c *Config) { c.Mapping = domain.AttributeMapping{} },
			wantErr: "invalid attribute mapping: invalid key attribute"},
		{name: "mapping without last name", change: func(c *Config) { c.Mapping.LastName = "" },
			wantErr: "missing last name attribute"},
		{name: "CA file on plain ldap", change: func(c *Config) { c.CAFile = notPEM },
			wantErr: "is not encrypted: use ldaps:// or StartTLS"},
		{name: "CA file missing", change: func(c *Config) {
			c.URL, c.CAFile = "ldaps://h", filepath.Join(dir, "missing.pem")
		}, wantErr: "read CA file"},
		{name: "CA file not PEM", change: func(c *Config) {
			c.URL, c.CAFile = "ldaps://h", notPEM
		}, wantErr: "contains no PEM certificate"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.change(&cfg)
			err := cfg.Validate()

			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), ":pw@") {
				t.Errorf("Validate() = %q, which contains a password", err)
			}
		})
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	r, err := New(validConfig())
	if err != nil {
		t.Fatal(err)
	}

	if r.s.Filter != DefaultFilter {
		t.Errorf("Filter = %q, want %q", r.s.Filter, DefaultFilter)
	}
	if r.s.PageSize != DefaultPageSize {
		t.Errorf("PageSize = %d, want %d", r.s.PageSize, DefaultPageSize)
	}
	if r.s.Timeout != DefaultTimeout {
		t.Errorf("Timeout = %v, want %v", r.s.Timeout, DefaultTimeout)
	}
	if r.s.MaxReconnects != DefaultMaxReconnects {
		t.Errorf("MaxReconnects = %d, want %d", r.s.MaxReconnects, DefaultMaxReconnects)
	}
	if r.s.addr != "ldap.example.com:389" {
		t.Errorf("addr = %q, want ldap.example.com:389", r.s.addr)
	}
	if r.s.tls != nil {
		t.Errorf("tls = %v for plain ldap://, want nil", r.s.tls)
	}
}

func TestNewTLSSettings(t *testing.T) {
	cfg := validConfig()
	cfg.URL = "ldaps://ldap.example.com"

	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.s.addr != "ldap.example.com:636" {
		t.Errorf("addr = %q, want ldap.example.com:636", r.s.addr)
	}
	if !r.s.implicitTLS {
		t.Error("implicitTLS = false for ldaps://, want true")
	}
	if r.s.tls.ServerName != "ldap.example.com" {
		t.Errorf("ServerName = %q, want ldap.example.com", r.s.tls.ServerName)
	}
	if r.s.tls.InsecureSkipVerify {
		t.Error("InsecureSkipVerify = true by default, want false")
	}
}

func TestRequestedAttributes(t *testing.T) {
	tests := []struct {
		name    string
		mapping domain.AttributeMapping
		want    []string
	}{
		{
			name:    "OpenLDAP",
			mapping: domain.DefaultOpenLDAPMapping(),
			want: []string{"entryUUID", "uid", "givenName", "sn", "mail", "telephoneNumber",
				"departmentNumber", "title", "employeeType"},
		},
		{
			name:    "Active Directory",
			mapping: domain.DefaultActiveDirectoryMapping(),
			want: []string{"objectGUID", "sAMAccountName", "givenName", "sn", "mail",
				"telephoneNumber", "department", "title", "userAccountControl"},
		},
		{
			name: "shared and empty attributes listed once",
			mapping: domain.AttributeMapping{Key: domain.KeyEntryUUID, UserID: "mail",
				LastName: "sn", Mail: "MAIL"},
			want: []string{"entryUUID", "mail", "sn"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := requestedAttributes(tt.mapping)
			if !slices.Equal(got, tt.want) {
				t.Errorf("requestedAttributes() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConfigHidesPassword(t *testing.T) {
	cfg := validConfig()

	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "directory", cfg)

	outputs := map[string]string{
		"%v":  fmt.Sprintf("%v", cfg),
		"%+v": fmt.Sprintf("%+v", cfg),
		"%#v": fmt.Sprintf("%#v", cfg),
		"%s":  fmt.Sprintf("%s", cfg),
		"log": logged.String(),
	}
	for format, out := range outputs {
		if strings.Contains(out, testPassword) {
			t.Errorf("%s output contains the bind password: %s", format, out)
		}
		if !strings.Contains(out, "ldap.example.com") {
			t.Errorf("%s output lacks the URL: %s", format, out)
		}
	}
}
