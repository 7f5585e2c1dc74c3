// Package slapdtest runs a private OpenLDAP server for integration tests, with
// deploy/stack/slapd.sh in a temporary STACK_DIR on free loopback ports.
//
// The server is the development one: TLS with a generated CA, a read-only bind user and a size
// limit of 1000 entries per unpaged search or page for every user but the admin.
package slapdtest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// InstallHint is the command that installs what the server needs on Debian.
const InstallHint = "apt-get install -y slapd ldap-utils openssl"

// Server is a running slapd started by [StartServer] or [Start].
type Server struct {
	// URL is ldap://127.0.0.1:port and LDAPSURL ldaps://127.0.0.1:port.
	URL, LDAPSURL string
	BaseDN        string
	// BindDN and BindPassword are the read-only user that ucmpush binds as.
	BindDN, BindPassword string
	// AdminDN and AdminPassword are the rootdn, which no size limit or ACL applies to.
	AdminDN, AdminPassword string
	// CAFile is the PEM file of the CA that signed the server certificate.
	CAFile string
	// StackDir is the STACK_DIR the server lives in.
	StackDir string

	env []string
}

// Available returns nil when slapd, the OpenLDAP client tools and openssl are installed, or
// an error that names the missing program and [InstallHint].
func Available() error {
	for _, path := range []string{"/usr/sbin/slapd", "/usr/sbin/slapadd", "/usr/sbin/slappasswd"} {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("%s is not installed: run %s", path, InstallHint)
		}
	}
	for _, tool := range []string{"ldapadd", "ldapdelete", "ldapsearch", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed: run %s", tool, InstallHint)
		}
	}
	return nil
}

// Start starts a server in a temporary directory of tb and stops it when tb ends. It skips
// tb when [Available] reports a missing program.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if err := Available(); err != nil {
		tb.Skipf("skipping LDAP integration test: %v", err)
	}

	s, err := StartServer(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// StartServer starts a server in stackDir on two free ports of 127.0.0.1. The caller stops it
// with [Server.Stop]. A port taken between the choice and the start is retried once with new
// ports.
func StartServer(stackDir string) (*Server, error) {
	var lastErr error
	for range 2 {
		s, err := startOnce(stackDir)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startOnce(stackDir string) (*Server, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}

	s := &Server{
		StackDir: stackDir,
		env: append(os.Environ(),
			"STACK_DIR="+stackDir,
			"LDAP_PORT="+strconv.Itoa(ports[0]),
			"LDAPS_PORT="+strconv.Itoa(ports[1]),
		),
	}
	if _, err := s.run("start"); err != nil {
		return nil, err
	}

	if err := s.readEnv(); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Stop stops the server. It is a no-op for a server that is not running.
func (s *Server) Stop() error {
	_, err := s.run("stop")
	return err
}

// Seed replaces ou=people below the base DN with the entries of the LDIF file at path.
func (s *Server) Seed(path string) error {
	_, err := s.run("seed", path)
	return err
}

// SeedString writes ldif to a file in the server's directory and seeds it.
func (s *Server) SeedString(ldif string) error {
	path := filepath.Join(s.StackDir, "seed.ldif")
	if err := os.WriteFile(path, []byte(ldif), 0o600); err != nil {
		return fmt.Errorf("write seed LDIF: %w", err)
	}
	return s.Seed(path)
}

// Script returns the path of deploy/stack/slapd.sh in this source tree.
func Script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "deploy", "stack", "slapd.sh")
}

func (s *Server) run(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{Script()}, args...)...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("slapd.sh %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// readEnv fills the connection settings from $STACK_DIR/slapd.env and the admin password.
func (s *Server) readEnv() error {
	f, err := os.Open(filepath.Join(s.StackDir, "slapd.env"))
	if err != nil {
		return fmt.Errorf("read slapd.env: %w", err)
	}
	defer f.Close()

	values := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		name, value, ok := strings.Cut(scanner.Text(), "=")
		if !ok {
			continue
		}
		if len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'' {
			value = strings.ReplaceAll(value[1:len(value)-1], `'\''`, `'`)
		}
		values[name] = value
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read slapd.env: %w", err)
	}

	s.URL = values["LDAP_URL"]
	s.LDAPSURL = values["LDAPS_URL"]
	s.BaseDN = values["LDAP_BASE_DN"]
	s.BindDN = values["LDAP_BIND_DN"]
	s.BindPassword = values["LDAP_BIND_PASSWORD"]
	s.CAFile = values["LDAP_CA_FILE"]
	s.AdminDN = "cn=admin," + s.BaseDN
	if s.URL == "" || s.BaseDN == "" || s.BindPassword == "" {
		return errors.New("slapd.env lacks LDAP_URL, LDAP_BASE_DN or LDAP_BIND_PASSWORD")
	}

	password, err := os.ReadFile(filepath.Join(s.StackDir, "slapd", "admin-password"))
	if err != nil {
		return fmt.Errorf("read admin password: %w", err)
	}
	s.AdminPassword = string(password)
	return nil
}

// freePorts returns n distinct TCP ports that were free on 127.0.0.1 a moment ago.
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()

	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
