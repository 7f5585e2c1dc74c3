package ldapdir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/ldapdir/slapdtest"
)

// The shared server holds ou=people with testUsers numbered users in two sub-OUs, plus a user
// whose uid is a filter injection and an account without a surname.
const (
	testUsers   = 2600
	testEntries = testUsers + 2
	// testPages is the number of pages of DefaultPageSize that hold testEntries.
	testPages     = (testEntries + DefaultPageSize - 1) / DefaultPageSize
	injectionUID  = "*)(uid=*"
	noSurnameUID  = "nosurname"
	disabledUID   = "user0007"
	testFilter    = "(uid=*)"
	uuidPattern   = `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	reconnectWait = 10 * time.Second
)

var shared struct {
	once sync.Once
	dir  string
	srv  *slapdtest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// directory returns the shared seeded server, starting it on first use. It skips the test
// when slapd is not installed.
func directory(t *testing.T) *slapdtest.Server {
	t.Helper()
	if err := slapdtest.Available(); err != nil {
		t.Skipf("skipping LDAP integration test: %v", err)
	}

	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "ldapdir-slapd-")
		if shared.err != nil {
			return
		}
		shared.srv, shared.err = slapdtest.StartServer(shared.dir)
		if shared.err != nil {
			return
		}
		shared.err = shared.srv.SeedString(testLDIF(shared.srv.BaseDN))
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv
}

func testLDIF(baseDN string) string {
	var b strings.Builder
	people := "ou=people," + baseDN
	fmt.Fprintf(&b, "dn: %s\nobjectClass: organizationalUnit\nou: people\n\n", people)
	for _, ou := range []string{"eng", "ops"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, people, ou)
	}

	for i := range testUsers {
		ou := []string{"eng", "ops"}[i%2]
		uid := fmt.Sprintf("user%04d", i)
		fmt.Fprintf(&b, "dn: uid=%s,ou=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\n"+
			"cn: Test User %d\nsn: User\ngivenName: Test\nmail: %s@example.com\n",
			uid, ou, people, uid, i, uid)
		if uid == disabledUID {
			b.WriteString("employeeType: disabled\n")
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "dn: cn=Star,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: Star\n"+
		"sn: Injection\n\n", people, injectionUID)
	fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: account\nobjectClass: extensibleObject\n"+
		"uid: %s\ngivenName: Mono\n\n", noSurnameUID, people, noSurnameUID)
	return b.String()
}

func testConfig(srv *slapdtest.Server) Config {
	return Config{
		URL:          srv.URL,
		BindDN:       srv.BindDN,
		BindPassword: srv.BindPassword,
		BaseDN:       "ou=people," + srv.BaseDN,
		Filter:       testFilter,
		Mapping:      domain.DefaultOpenLDAPMapping(),
		Timeout:      5 * time.Second,
	}
}

// collector records what a search hands to its page function.
type collector struct {
	pages   int
	maxPage int
	entries []domain.DirectoryEntry
	keys    map[string]int
}

func (c *collector) add(page []domain.DirectoryEntry) {
	if c.keys == nil {
		c.keys = map[string]int{}
	}
	c.pages++
	c.maxPage = max(c.maxPage, len(page))
	c.entries = append(c.entries, page...)
	for _, e := range page {
		c.keys[e.Key]++
	}
}

func search(t *testing.T, cfg Config, fn func([]domain.DirectoryEntry) error) (SearchStats, error) {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r.Search(context.Background(), fn)
}

func TestSearchUnpagedHitsSizeLimit(t *testing.T) {
	srv := directory(t)

	conn, err := ldap.DialURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(srv.BindDN, srv.BindPassword); err != nil {
		t.Fatal(err)
	}

	req := ldap.NewSearchRequest("ou=people,"+srv.BaseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, 0, false, testFilter, []string{"uid"}, nil)
	result, err := conn.Search(req)
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		t.Fatalf("unpaged search error = %v, want size limit exceeded", err)
	}
	if n := len(result.Entries); n != 1000 {
		t.Errorf("unpaged search returned %d entries, want the server's limit of 1000", n)
	}
}

func TestSearchPagesPastSizeLimit(t *testing.T) {
	srv := directory(t)
	var got collector

	stats, err := search(t, testConfig(srv), func(page []domain.DirectoryEntry) error {
		got.add(page)
		return nil
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}

	if len(got.entries) != testEntries {
		t.Errorf("page function got %d entries, want %d", len(got.entries), testEntries)
	}
	if len(got.keys) != testEntries {
		t.Errorf("got %d distinct keys, want %d", len(got.keys), testEntries)
	}
	if got.maxPage > DefaultPageSize {
		t.Errorf("largest page has %d entries, want at most %d", got.maxPage, DefaultPageSize)
	}
	want := SearchStats{Entries: testEntries, Invalid: 1, Pages: testPages}
	if stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
	if got.pages != testPages {
		t.Errorf("page function called %d times, want %d", got.pages, testPages)
	}

	uuid := regexp.MustCompile(uuidPattern)
	byUID := map[string]domain.DirectoryEntry{}
	disabled := 0
	for _, e := range got.entries {
		byUID[e.Attributes.UserID] = e
		if !uuid.MatchString(e.Key) {
			t.Errorf("key %q of %s is not an entryUUID", e.Key, e.DN)
		}
		if e.Disabled {
			disabled++
		}
	}
	if disabled != 1 || !byUID[disabledUID].Disabled {
		t.Errorf("%d disabled entries, want only %s", disabled, disabledUID)
	}
	if reason := byUID[noSurnameUID].Invalid; reason != "missing last name (sn)" {
		t.Errorf("Invalid of %s = %q, want missing last name (sn)", noSurnameUID, reason)
	}

	user := byUID["user0001"]
	wantUser := domain.Attributes{UserID: "user0001", FirstName: "Test", LastName: "User",
		Mail: "user0001@example.com"}
	if user.Attributes != wantUser {
		t.Errorf("user0001 = %+v, want %+v", user.Attributes, wantUser)
	}
	if wantDN := "uid=user0001,ou=ops,ou=people," + srv.BaseDN; user.DN != wantDN {
		t.Errorf("DN of user0001 = %q, want %q", user.DN, wantDN)
	}
}

func TestSearchEqualityFilterMatchesOnlyItself(t *testing.T) {
	srv := directory(t)

	tests := []struct {
		value string
		want  []string
	}{
		{injectionUID, []string{injectionUID}},
		{"user0001", []string{"user0001"}},
		// A literal asterisk is no wildcard.
		{"user000*", nil},
	}
	for _, tt := range tests {
		cfg := testConfig(srv)
		cfg.Filter = "(&(objectClass=inetOrgPerson)" + EqualityFilter("uid", tt.value) + ")"
		var got []string

		_, err := search(t, cfg, func(page []domain.DirectoryEntry) error {
			for _, e := range page {
				got = append(got, e.Attributes.UserID)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Search with filter %s: %v", cfg.Filter, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("filter %s matched %q, want %q", cfg.Filter, got, tt.want)
		}
	}
}

func TestSearchWrongPassword(t *testing.T) {
	srv := directory(t)
	cfg := testConfig(srv)
	cfg.BindPassword = "wrong-" + srv.BindPassword
	var logs bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	_, err := search(t, cfg, func([]domain.DirectoryEntry) error { return nil })
	if err == nil {
		t.Fatal("Search with a wrong password: no error")
	}
	t.Logf("error: %v", err)
	if !IsInvalidCredentials(err) {
		t.Errorf("IsInvalidCredentials(%v) = false, want true", err)
	}
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true, want false", err)
	}
	for _, part := range []string{srv.BindDN, "rejected", "check the bind DN and password"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q lacks %q", err, part)
		}
	}
	for name, text := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(text, cfg.BindPassword) {
			t.Errorf("%s contains the bind password: %s", name, text)
		}
	}
}

func TestSearchMissingBaseDN(t *testing.T) {
	srv := directory(t)
	cfg := testConfig(srv)
	cfg.BaseDN = "ou=nowhere," + srv.BaseDN

	_, err := search(t, cfg, func([]domain.DirectoryEntry) error { return nil })
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		t.Fatalf("Search of a missing base DN: error = %v, want no such object", err)
	}
	t.Logf("error: %v", err)
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true, want false", err)
	}
	want := fmt.Sprintf("base DN %q not found", cfg.BaseDN)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}

func TestCheck(t *testing.T) {
	srv := directory(t)
	ctx := context.Background()

	r, err := New(testConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}

	cfg := testConfig(srv)
	cfg.BaseDN = "ou=nowhere," + srv.BaseDN
	r, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Check(ctx); !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		t.Errorf("Check of a missing base DN = %v, want no such object", err)
	}
}

func TestSearchTLS(t *testing.T) {
	srv := directory(t)

	tests := []struct {
		name   string
		change func(*Config)
		// wantErr is part of the expected error; empty means the search must succeed.
		wantErr   string
		retryable bool
	}{
		{name: "ldaps with CA file", change: func(c *Config) {
			c.URL, c.CAFile = srv.LDAPSURL, srv.CAFile
		}},
		{name: "StartTLS with CA file", change: func(c *Config) {
			c.StartTLS, c.CAFile = true, srv.CAFile
		}},
		{name: "ldaps with localhost", change: func(c *Config) {
			c.URL, c.CAFile = strings.Replace(srv.LDAPSURL, "127.0.0.1", "localhost", 1), srv.CAFile
		}},
		{name: "ldaps skipping verification", change: func(c *Config) {
			c.URL, c.InsecureSkipVerify = srv.LDAPSURL, true
		}},
		{name: "ldaps without CA file", change: func(c *Config) {
			c.URL = srv.LDAPSURL
		}, wantErr: "not trusted"},
		{name: "StartTLS without CA file", change: func(c *Config) {
			c.StartTLS = true
		}, wantErr: "not trusted"},
		// The plain port closes the connection, which cannot be distinguished from a server
		// restart, so the error stays retryable.
		{name: "ldaps on the plain port", change: func(c *Config) {
			c.URL, c.CAFile = strings.Replace(srv.URL, "ldap:", "ldaps:", 1), srv.CAFile
		}, wantErr: "the server closed the connection, as a plain ldap:// port does",
			retryable: true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(srv)
			cfg.Filter = EqualityFilter("uid", "user0001")
			tt.change(&cfg)
			var got []string

			_, err := search(t, cfg, func(page []domain.DirectoryEntry) error {
				for _, e := range page {
					got = append(got, e.Attributes.UserID)
				}
				return nil
			})

			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Search: no error, want one containing %q", tt.wantErr)
				}
				t.Logf("error: %v", err)
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q lacks %q", err, tt.wantErr)
				}
				if IsRetryable(err) != tt.retryable {
					t.Errorf("IsRetryable(%v) = %t, want %t", err, !tt.retryable, tt.retryable)
				}
				return
			}
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if len(got) != 1 || got[0] != "user0001" {
				t.Errorf("Search found %q, want [user0001]", got)
			}
		})
	}
}

func TestSearchReconnectsAfterDrop(t *testing.T) {
	srv := directory(t)
	proxy := startProxy(t, srv.URL)
	cfg := testConfig(srv)
	cfg.URL = proxy.url()
	var logs bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	var got collector

	stats, err := search(t, cfg, func(page []domain.DirectoryEntry) error {
		got.add(page)
		if got.pages == 1 {
			proxy.cut()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}

	if len(got.keys) != testEntries {
		t.Errorf("got %d distinct keys, want %d", len(got.keys), testEntries)
	}
	if len(got.entries) != DefaultPageSize+testEntries {
		t.Errorf("got %d entries, want the first page again plus all: %d", len(got.entries),
			DefaultPageSize+testEntries)
	}
	want := SearchStats{Entries: testEntries, Invalid: 1, Pages: testPages, Reconnects: 1}
	if stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
	if !strings.Contains(logs.String(), "reconnecting") {
		t.Errorf("log lacks the reconnect: %s", logs.String())
	}
	if strings.Contains(logs.String(), srv.BindPassword) {
		t.Errorf("log contains the bind password: %s", logs.String())
	}
}

func TestSearchGivesUpAfterMaxReconnects(t *testing.T) {
	srv := directory(t)

	tests := []struct {
		maxReconnects  int
		wantReconnects int
	}{
		{maxReconnects: 2, wantReconnects: 2},
		{maxReconnects: -1, wantReconnects: 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.maxReconnects), func(t *testing.T) {
			proxy := startProxy(t, srv.URL)
			cfg := testConfig(srv)
			cfg.URL = proxy.url()
			cfg.MaxReconnects = tt.maxReconnects
			calls := 0

			start := time.Now()
			stats, err := search(t, cfg, func([]domain.DirectoryEntry) error {
				calls++
				proxy.cut()
				return nil
			})
			if err == nil {
				t.Fatal("Search through a connection cut on every page: no error")
			}
			t.Logf("error: %v", err)
			if !IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = false, want true", err)
			}
			want := fmt.Sprintf("gave up after %d reconnects", tt.wantReconnects)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
			if stats.Reconnects != tt.wantReconnects {
				t.Errorf("Reconnects = %d, want %d", stats.Reconnects, tt.wantReconnects)
			}
			if calls != tt.wantReconnects+1 {
				t.Errorf("page function called %d times, want %d", calls, tt.wantReconnects+1)
			}
			if elapsed := time.Since(start); elapsed > reconnectWait {
				t.Errorf("Search took %v, want less than %v", elapsed, reconnectWait)
			}
		})
	}
}

func TestSearchCanceledBetweenPages(t *testing.T) {
	srv := directory(t)
	r, err := New(testConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0

	stats, err := r.Search(ctx, func([]domain.DirectoryEntry) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Search error = %v, want context.Canceled", err)
	}
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true, want false", err)
	}
	if calls != 1 {
		t.Errorf("page function called %d times after cancel, want 1", calls)
	}
	if stats.Pages != 1 || stats.Reconnects != 0 {
		t.Errorf("stats = %+v, want 1 page and no reconnect", stats)
	}
}

func TestSearchCanceledWhileWaiting(t *testing.T) {
	silent := startSilentServer(t)
	cfg := Config{
		URL:    "ldap://" + silent,
		BindDN: "cn=ucmpush,dc=example,dc=com", BindPassword: testPassword,
		BaseDN:  "dc=example,dc=com",
		Mapping: domain.DefaultOpenLDAPMapping(),
		Timeout: time.Minute,
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err = r.Search(ctx, func([]domain.DirectoryEntry) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Search error = %v, want context.DeadlineExceeded", err)
	}
	t.Logf("error: %v", err)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Search returned %v after the deadline, want at once", elapsed)
	}
}

func TestSearchTimesOutOnSilentServer(t *testing.T) {
	silent := startSilentServer(t)
	r, err := New(Config{
		URL:    "ldap://" + silent,
		BindDN: "cn=ucmpush,dc=example,dc=com", BindPassword: testPassword,
		BaseDN:  "dc=example,dc=com",
		Mapping: domain.DefaultOpenLDAPMapping(),
		Timeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}

	_, err = r.Search(context.Background(), func([]domain.DirectoryEntry) error { return nil })
	if err == nil {
		t.Fatal("Search of a server that never answers: no error")
	}
	t.Logf("error: %v", err)
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestSearchStopsOnPageFunctionError(t *testing.T) {
	srv := directory(t)
	errStore := errors.New("store unavailable")

	stats, err := search(t, testConfig(srv), func([]domain.DirectoryEntry) error {
		return errStore
	})
	if !errors.Is(err, errStore) {
		t.Fatalf("Search error = %v, want the page function's error", err)
	}
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true, want false", err)
	}
	if stats.Pages != 1 {
		t.Errorf("Pages = %d, want 1", stats.Pages)
	}

	// The abandoned paging leaves the server able to serve the next search.
	stats, err = search(t, testConfig(srv), func([]domain.DirectoryEntry) error { return nil })
	if err != nil || stats.Entries != testEntries {
		t.Errorf("next Search = %+v, %v; want %d entries", stats, err, testEntries)
	}
}

// dropProxy forwards TCP connections to an LDAP server until cut closes them.
type dropProxy struct {
	listener net.Listener
	target   string
	mu       sync.Mutex
	conns    []net.Conn
}

func startProxy(t *testing.T, ldapURL string) *dropProxy {
	t.Helper()
	u, err := url.Parse(ldapURL)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}

	p := &dropProxy{listener: listener, target: u.Host}
	go p.serve()
	t.Cleanup(func() {
		listener.Close()
		p.cut()
	})
	return p
}

func (p *dropProxy) url() string { return "ldap://" + p.listener.Addr().String() }

func (p *dropProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}

		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go pipe(server, client)
		go pipe(client, server)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection forwarded so far; later connections are forwarded again.
func (p *dropProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// startSilentServer accepts TCP connections on 127.0.0.1 and never responds. It returns the
// listening address.
func startSilentServer(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		listener.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})

	go func() {
		for {
			c, err := listener.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return listener.Addr().String()
}
