package axl

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultTimeout is the time limit of one AXL call when [Config.Timeout] is zero.
const DefaultTimeout = 30 * time.Second

// MaxResponseBytes is the largest response body the client reads. UCM itself refuses list
// results above 8 MB, so a larger body means the caller must page with a smaller
// [ListUsersRequest.First].
const MaxResponseBytes = 8 << 20

// ErrResponseTooLarge is wrapped by the error of a call whose response body exceeds
// [MaxResponseBytes].
var ErrResponseTooLarge = errors.New("axl response exceeds 8 MB: page with a smaller First")

// Config is the connection to one UCM cluster's AXL service.
type Config struct {
	// URL is the full AXL endpoint, such as https://ucm.example.com:8443/axl/. It must use
	// https, except for loopback hosts (127.0.0.0/8, ::1, localhost), where http is allowed for
	// tests. It must not contain credentials.
	URL string

	// Version is the cluster's AXL schema version: one of [SupportedVersions].
	Version string

	// Username and Password are the AXL application user's credentials, sent with HTTP basic
	// authentication. Both are required. The password never appears in errors or String.
	Username string
	Password string

	// CAFile is a PEM file with the certificates that sign the UCM Tomcat certificate. When set,
	// it replaces the system roots. Empty means the system roots.
	CAFile string

	// InsecureSkipVerify turns off TLS certificate verification. Off by default; use it only
	// against a lab cluster whose certificate cannot be obtained.
	InsecureSkipVerify bool

	// Timeout limits each call, including reading the response. Zero means [DefaultTimeout].
	Timeout time.Duration

	// HTTPClient, when set, sends the requests instead of a client built from CAFile and
	// InsecureSkipVerify, which must then be left empty. Tests use it with httptest servers.
	HTTPClient *http.Client

	// Observer, when set, is called once per HTTP call with the operation, the time until the
	// response was read and decoded, and the call's error (nil on success). Calls that fail
	// before a request is sent, while encoding say, are not observed. Nil means none.
	Observer func(op string, elapsed time.Duration, err error)
}

// String describes the configuration without the password.
func (c Config) String() string {
	password := ""
	if c.Password != "" {
		password = "[redacted]"
	}

	return fmt.Sprintf("axl.Config{URL: %q, Version: %q, Username: %q, Password: %q}",
		c.URL, c.Version, c.Username, password)
}

// GoString describes the configuration for %#v without the password.
func (c Config) GoString() string {
	return c.String()
}

// Client calls one UCM cluster's AXL service. It is safe for concurrent use.
type Client struct {
	url      string
	version  string
	username string
	password string
	timeout  time.Duration
	http     *http.Client
	observer func(op string, elapsed time.Duration, err error)
}

// New checks cfg and returns a client for it. It fails on an unsupported version, a URL that
// is not https (outside loopback), missing credentials, and an unreadable or empty CAFile. It
// does not contact UCM. Without HTTPClient, requests honour HTTPS_PROXY and NO_PROXY.
func New(cfg Config) (*Client, error) {
	if err := checkVersion(cfg.Version); err != nil {
		return nil, err
	}

	if err := checkURL(cfg.URL); err != nil {
		return nil, err
	}

	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("axl username and password are required: give the UCM cluster " +
			"an AXL user with --username and a --password-ref whose secret is not empty " +
			"(ucmpush cluster set NAME --username USER --password-ref env:VARIABLE)")
	}

	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("axl timeout %s is negative: use 0 for the default %s", cfg.Timeout, DefaultTimeout)
	}

	httpClient, err := buildHTTPClient(cfg)
	if err != nil {
		return nil, err
	}

	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}

	return &Client{
		url:      cfg.URL,
		version:  cfg.Version,
		username: cfg.Username,
		password: cfg.Password,
		timeout:  timeout,
		http:     httpClient,
		observer: cfg.Observer,
	}, nil
}

// Version returns the AXL version the client speaks.
func (c *Client) Version() string {
	return c.version
}

// String describes the client without the password.
func (c *Client) String() string {
	return fmt.Sprintf("axl.Client{URL: %q, Version: %q, Username: %q}", c.url, c.version, c.username)
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("axl URL %q is invalid: %w", raw, err)
	}

	if u.User != nil {
		return errors.New("axl URL must not contain credentials: remove user:password@ from " +
			"--axl-url and give the AXL user with --username and its password with --password-ref")
	}

	if u.Host == "" {
		return fmt.Errorf("axl URL %q has no host: use the full endpoint such as https://ucm:8443/axl/", raw)
	}

	if u.Path == "" || u.Path == "/" {
		return fmt.Errorf("axl URL %q has no path: use the full endpoint such as https://ucm:8443/axl/", raw)
	}

	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}

		return fmt.Errorf("axl URL %q uses http: use https (http is allowed on loopback hosts only)", raw)
	default:
		return fmt.Errorf("axl URL %q has scheme %q: use https", raw, u.Scheme)
	}
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}

	ip := net.ParseIP(host)

	return ip != nil && ip.IsLoopback()
}

func buildHTTPClient(cfg Config) (*http.Client, error) {
	if cfg.HTTPClient != nil {
		if cfg.CAFile != "" || cfg.InsecureSkipVerify {
			return nil, errors.New("axl config sets HTTPClient together with CAFile or InsecureSkipVerify: " +
				"configure TLS on the HTTPClient instead")
		}

		return cfg.HTTPClient, nil
	}

	tlsConfig := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // explicit opt-in, documented on Config
	}

	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read axl CA file: %w", err)
		}

		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("axl CA file %s contains no PEM certificate", cfg.CAFile)
		}

		tlsConfig.RootCAs = pool
	}

	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}

	client := &http.Client{
		Transport: transport,
		// A redirect would turn the POST into a GET. Return the 3xx as a fault instead, whose
		// message points at the URL.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	return client, nil
}

// call sends request as the body of operation op and decodes the response element into
// response. A nil response skips decoding after the fault check.
func (c *Client) call(ctx context.Context, op string, request, response any) (err error) {
	body, err := encodeEnvelope(c.version, request)
	if err != nil {
		return fmt.Errorf("axl %s: encode request: %w", op, err)
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	httpRequest, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("axl %s: build request: %w", op, err)
	}

	httpRequest.Header.Set("Content-Type", "text/xml; charset=utf-8")
	httpRequest.Header.Set("SOAPAction", SOAPAction(c.version, op))
	httpRequest.SetBasicAuth(c.username, c.password)

	if c.observer != nil {
		start := time.Now()
		defer func() { c.observer(op, time.Since(start), err) }()
	}

	httpResponse, err := c.http.Do(httpRequest)
	if err != nil {
		return fmt.Errorf("axl %s: %w", op, err)
	}
	defer httpResponse.Body.Close()

	data, err := readLimited(httpResponse.Body)
	if err != nil {
		return fmt.Errorf("axl %s: read response: %w", op, err)
	}

	return decodeResponse(op, httpResponse.StatusCode, data, response)
}

func readLimited(body io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxResponseBytes+1))
	if err != nil {
		return nil, err
	}

	if len(data) > MaxResponseBytes {
		return nil, ErrResponseTooLarge
	}

	return data, nil
}
