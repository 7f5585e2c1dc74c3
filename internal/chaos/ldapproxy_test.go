package chaos

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// searchResultDone is the BER tag of an LDAP SearchResultDone ([APPLICATION 5], constructed),
// which ends each page of a paged search (RFC 4511, section 4.5.2).
const searchResultDone = 0x65

// ldapProxy forwards TCP connections to slapd and cuts the connection once, right after it
// has passed the SearchResultDone of the cutAfter'th page to the client: the client holds a
// whole page and loses the connection before it requests the next one.
type ldapProxy struct {
	listener net.Listener
	target   string
	cutAfter int

	mu    sync.Mutex
	pages int
	cut   bool
	conns int
}

// startLDAPProxy listens on a free loopback port in front of the ldap:// URL.
func startLDAPProxy(t *testing.T, target string, cutAfter int) *ldapProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "ldap" {
		t.Fatalf("the LDAP proxy needs an ldap:// URL, not %q", target)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &ldapProxy{listener: l, target: u.Host, cutAfter: cutAfter}
	t.Cleanup(func() { _ = l.Close() })
	go p.serve()
	return p
}

func (p *ldapProxy) url() string { return "ldap://" + p.listener.Addr().String() }

func (p *ldapProxy) didCut() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cut
}

func (p *ldapProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

func (p *ldapProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

// forward copies the client's requests as they come and the server's responses one LDAP
// message at a time, counting the pages.
func (p *ldapProxy) forward(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	p.mu.Lock()
	p.conns++
	p.mu.Unlock()

	go func() {
		_, _ = io.Copy(server, client)
		_ = server.Close()
	}()

	responses := bufio.NewReader(server)
	for {
		msg, err := readMessage(responses)
		if err != nil {
			return
		}
		if _, err := client.Write(msg); err != nil {
			return
		}
		if p.pageDone(msg) {
			return
		}
	}
}

// pageDone counts msg when it ends a page, and reports whether the connection must be cut now.
func (p *ldapProxy) pageDone(msg []byte) bool {
	if protocolOp(msg) != searchResultDone {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages++
	if !p.cut && p.pages >= p.cutAfter {
		p.cut = true
		return true
	}
	return false
}

// readMessage reads one BER-encoded LDAPMessage: a SEQUENCE tag, its definite length, and the
// contents.
func readMessage(r *bufio.Reader) ([]byte, error) {
	header := make([]byte, 2, 6)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, err
	}
	length := int(header[1])
	if header[1]&0x80 != 0 {
		n := int(header[1] & 0x7f)
		if n == 0 || n > 4 {
			return nil, errors.New("unsupported BER length in an LDAP response")
		}
		extra := make([]byte, n)
		if _, err := io.ReadFull(r, extra); err != nil {
			return nil, err
		}
		header = append(header, extra...)
		length = 0
		for _, b := range extra {
			length = length<<8 | int(b)
		}
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return append(header, body...), nil
}

// protocolOp returns the tag of the message's protocolOp, which follows its messageID, or 0.
func protocolOp(msg []byte) byte {
	i := 2
	if msg[1]&0x80 != 0 {
		i += int(msg[1] & 0x7f)
	}
	// messageID: INTEGER tag 0x02, a short length, the value.
	if i+2 > len(msg) || msg[i] != 0x02 {
		return 0
	}
	i += 2 + int(msg[i+1])
	if i >= len(msg) {
		return 0
	}
	return msg[i]
}

// countPeople counts the inetOrgPerson entries below ou=people, searching as the slapd admin.
func countPeople(t *testing.T, s *chaosSuite) int {
	t.Helper()
	password, err := os.ReadFile(filepath.Join(s.stackDir, "slapd", "admin-password"))
	if err != nil {
		t.Fatalf("read the slapd admin password: %v", err)
	}
	conn, err := ldap.DialURL(s.settings["LDAP_URL"])
	if err != nil {
		t.Fatalf("dial slapd: %v", err)
	}
	defer conn.Close()
	base := s.settings["LDAP_BASE_DN"]
	if err := conn.Bind("cn=admin,"+base, strings.TrimSpace(string(password))); err != nil {
		t.Fatalf("bind to slapd as admin: %v", err)
	}
	result, err := conn.SearchWithPaging(ldap.NewSearchRequest("ou=people,"+base,
		ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=inetOrgPerson)", []string{"1.1"}, nil), 1000)
	if err != nil {
		t.Fatalf("count the people: %v", err)
	}
	if len(result.Entries) == 0 {
		t.Fatalf("no people below ou=people,%s: the seed failed", base)
	}
	return len(result.Entries)
}
