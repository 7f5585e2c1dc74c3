package ldapdir

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
)

// Defaults that [New] fills into a [Config] whose field is zero.
const (
	DefaultFilter        = "(objectClass=inetOrgPerson)"
	DefaultPageSize      = 500
	DefaultTimeout       = 30 * time.Second
	DefaultMaxReconnects = 3
)

// Config describes one directory and how to read its users. The zero values of PageSize,
// Filter, Timeout, MaxReconnects and Logger mean their defaults; everything else has none.
type Config struct {
	// URL is ldap://host[:port] (default port 389) or ldaps://host[:port] (default port 636).
	// It carries no path and no credentials.
	URL string
	// StartTLS upgrades an ldap:// connection to TLS before the bind. It is invalid with
	// ldaps://, which is encrypted from the first byte.
	StartTLS bool
	// CAFile is a PEM file of CA certificates trusted in addition to the system's. It needs
	// ldaps:// or StartTLS.
	CAFile string
	// InsecureSkipVerify turns off verification of the server certificate. For tests only: it
	// lets anyone between ucmpush and the server read the bind password.
	InsecureSkipVerify bool
	// BindDN and BindPassword are the credentials of a simple bind. An empty BindDN binds
	// anonymously. A BindDN with an empty BindPassword is rejected, because most servers treat
	// that as an anonymous bind, which would hide a missing password.
	BindDN, BindPassword string
	// BaseDN is the subtree searched for users, for example ou=people,dc=example,dc=com.
	BaseDN string
	// Filter selects the users below BaseDN (RFC 4515). Default [DefaultFilter].
	Filter string
	// PageSize is the number of entries per page of the paged results control (RFC 2696).
	// Default [DefaultPageSize]. Active Directory returns at most 1000 per page whatever is
	// asked.
	PageSize uint32
	// Mapping names the attributes that fill each user field.
	Mapping domain.AttributeMapping
	// Timeout bounds the TCP connect, the TLS handshake and the wait for each response
	// (a bind, or one page of a search). Default [DefaultTimeout].
	Timeout time.Duration
	// MaxReconnects is how often one search may redial after the connection dropped.
	// Default [DefaultMaxReconnects]; a negative value turns reconnecting off.
	MaxReconnects int
	// Logger receives one line per search start, end and reconnect, and one debug line per
	// page. Default: discard. The bind password is never logged.
	Logger *slog.Logger
}

// Validate reports the first setting that cannot work, without opening a connection. It
// reads CAFile when one is set. The error names the setting and never contains BindPassword.
func (c Config) Validate() error {
	_, err := c.normalize()
	return err
}

// String returns the connection settings without the bind password, so a Config printed
// with %v or %s leaks no secret.
func (c Config) String() string {
	return fmt.Sprintf("ldapdir.Config{URL: %s, StartTLS: %t, BindDN: %q, BaseDN: %q, Filter: %q}",
		redactURL(c.URL), c.StartTLS, c.BindDN, c.BaseDN, c.Filter)
}

// GoString returns the same text as [Config.String], for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue logs the connection settings without the bind password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", redactURL(c.URL)),
		slog.Bool("startTLS", c.StartTLS),
		slog.String("bindDN", c.BindDN),
		slog.String("baseDN", c.BaseDN),
		slog.String("filter", c.Filter),
	)
}

// settings is a validated Config with defaults applied and the URL taken apart.
type settings struct {
	Config
	// addr is host:port with the scheme's default port filled in.
	addr string
	// implicitTLS is true for ldaps://.
	implicitTLS bool
	tls         *tls.Config
	attributes  []string
}

// normalize validates c and returns it with defaults applied.
func (c Config) normalize() (*settings, error) {
	s := &settings{Config: c}
	if s.Filter == "" {
		s.Filter = DefaultFilter
	}
	if s.PageSize == 0 {
		s.PageSize = DefaultPageSize
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	if s.MaxReconnects == 0 {
		s.MaxReconnects = DefaultMaxReconnects
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}

	host, err := s.parseURL()
	if err != nil {
		return nil, err
	}

	if err := s.validateDirectory(); err != nil {
		return nil, err
	}

	s.tls, err = s.tlsConfig(host)
	if err != nil {
		return nil, err
	}

	s.attributes = requestedAttributes(s.Mapping)
	return s, nil
}

const urlExample = "ldap://ldap.example.com:389 or ldaps://ldap.example.com:636"

// parseURL checks URL and StartTLS, fills addr and implicitTLS and returns the host name.
func (s *settings) parseURL() (string, error) {
	if s.URL == "" {
		return "", fmt.Errorf("missing LDAP URL: set it to %s", urlExample)
	}

	u, err := url.Parse(s.URL)
	if err != nil || u.Opaque != "" {
		return "", fmt.Errorf("invalid LDAP URL %q: use %s", redactURL(s.URL), urlExample)
	}
	if u.User != nil {
		return "", fmt.Errorf("invalid LDAP URL %q: put the credentials in the bind DN and "+
			"password, not in the URL", redactURL(s.URL))
	}

	switch u.Scheme {
	case "ldap":
	case "ldaps":
		s.implicitTLS = true
	default:
		return "", fmt.Errorf("invalid LDAP URL %q: scheme must be ldap or ldaps, for example %s",
			redactURL(s.URL), urlExample)
	}

	host := u.Hostname()
	if host == "" {
		return "", fmt.Errorf("invalid LDAP URL %q: missing host, use %s", redactURL(s.URL), urlExample)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid LDAP URL %q: set the base DN and filter in their own "+
			"settings and leave the URL as scheme://host:port", redactURL(s.URL))
	}

	port := u.Port()
	if port == "" {
		port = ldap.DefaultLdapPort
		if s.implicitTLS {
			port = ldap.DefaultLdapsPort
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid LDAP URL %q: port %q is not in 1-65535", redactURL(s.URL), port)
	}
	s.addr = net.JoinHostPort(host, port)

	if s.StartTLS && s.implicitTLS {
		return "", fmt.Errorf("StartTLS is set with %q: ldaps:// is already encrypted, so turn "+
			"StartTLS off or use ldap://", redactURL(s.URL))
	}
	return host, nil
}

// validateDirectory checks the bind DN, base DN, filter, page size and mapping.
func (s *settings) validateDirectory() error {
	if s.BindDN != "" {
		if _, err := ldap.ParseDN(s.BindDN); err != nil {
			return fmt.Errorf("invalid bind DN %q: %w", s.BindDN, err)
		}
		if s.BindPassword == "" {
			return fmt.Errorf("missing bind password for %q: set it, or clear the bind DN to "+
				"bind anonymously", s.BindDN)
		}
	}

	if s.BaseDN == "" {
		return errors.New("missing base DN: set it to the subtree that contains the users, " +
			"for example ou=people,dc=example,dc=com")
	}
	if _, err := ldap.ParseDN(s.BaseDN); err != nil {
		return fmt.Errorf("invalid base DN %q: %w", s.BaseDN, err)
	}

	if _, err := ldap.CompileFilter(s.Filter); err != nil {
		return fmt.Errorf("invalid search filter %q: %w; a filter looks like %s",
			s.Filter, err, DefaultFilter)
	}

	if err := s.Mapping.Validate(); err != nil {
		return fmt.Errorf("invalid attribute mapping: %w", err)
	}
	return nil
}

// tlsConfig returns the TLS settings for ldaps:// and StartTLS, or nil for plain ldap://.
func (s *settings) tlsConfig(host string) (*tls.Config, error) {
	encrypted := s.implicitTLS || s.StartTLS
	if !encrypted {
		if s.CAFile != "" {
			return nil, fmt.Errorf("CA file %s is set but %q is not encrypted: use ldaps:// or "+
				"StartTLS", s.CAFile, redactURL(s.URL))
		}
		return nil, nil
	}

	config := &tls.Config{
		ServerName:         host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: s.InsecureSkipVerify,
	}
	if s.CAFile == "" {
		return config, nil
	}

	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s contains no PEM certificate: give the CA that "+
			"signed the server certificate, in PEM form", s.CAFile)
	}
	config.RootCAs = pool
	return config, nil
}

// requestedAttributes lists each attribute the mapping reads once, in mapping order: the key,
// the user fields and the disabled attribute. entryUUID is operational, so it is only returned
// when asked for by name, as here.
func requestedAttributes(m domain.AttributeMapping) []string {
	names := []string{
		string(m.Key), m.UserID, m.FirstName, m.LastName, m.Mail, m.TelephoneNumber,
		m.Department, m.Title, m.DisabledAttribute,
	}
	var attributes []string
	for _, name := range names {
		if name == "" || containsFold(attributes, name) {
			continue
		}
		attributes = append(attributes, name)
	}
	return attributes
}

func containsFold(list []string, s string) bool {
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}
	return false
}

// redactURL returns raw with any user information replaced, for error messages and logs.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	scheme, rest, found := strings.Cut(raw, "//")
	if !found {
		return raw
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = "xxxxx" + rest[at:]
	}
	return scheme + "//" + rest
}
