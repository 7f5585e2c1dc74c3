package ldapdir

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestIsRetryable(t *testing.T) {
	ldapErr := func(code uint16) error { return ldap.NewError(code, errors.New("server said no")) }
	wrap := func(err error) error { return fmt.Errorf("search: %w", err) }

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"invalid credentials", ldapErr(ldap.LDAPResultInvalidCredentials), false},
		{"no such object", ldapErr(ldap.LDAPResultNoSuchObject), false},
		{"insufficient access", ldapErr(ldap.LDAPResultInsufficientAccessRights), false},
		{"filter error", ldapErr(ldap.LDAPResultFilterError), false},
		{"filter compile", ldapErr(ldap.ErrorFilterCompile), false},
		{"size limit", ldapErr(ldap.LDAPResultSizeLimitExceeded), false},
		{"busy", ldapErr(ldap.LDAPResultBusy), true},
		{"unavailable", ldapErr(ldap.LDAPResultUnavailable), true},
		{"server down", ldapErr(ldap.LDAPResultServerDown), true},
		{"timeout", ldapErr(ldap.LDAPResultTimeout), true},
		{"time limit", ldapErr(ldap.LDAPResultTimeLimitExceeded), true},
		{"network", ldapErr(ldap.ErrorNetwork), true},
		{"wrapped busy", wrap(ldapErr(ldap.LDAPResultBusy)), true},
		{"wrapped invalid credentials", wrap(ldapErr(ldap.LDAPResultInvalidCredentials)), false},
		{"connection refused", wrap(&net.OpError{Op: "dial", Net: "tcp",
			Err: syscall.ECONNREFUSED}), true},
		{"unexpected EOF", wrap(io.ErrUnexpectedEOF), true},
		{"deadline", wrap(context.DeadlineExceeded), true},
		{"canceled", wrap(context.Canceled), false},
		{"unknown authority", wrap(x509.UnknownAuthorityError{}), false},
		{"untrusted StartTLS", fmt.Errorf("x: %w", errUntrustedCertificate), false},
		{"unknown authority in network error", ldap.NewError(ldap.ErrorNetwork,
			x509.UnknownAuthorityError{}), false},
		{"page function", &callbackError{err: ldapErr(ldap.LDAPResultBusy)}, false},
		{"plain error", errors.New("something"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Errorf("IsRetryable(%v) = %t, want %t", tt.err, got, tt.want)
			}
		})
	}
}

func TestIsInvalidCredentials(t *testing.T) {
	rejected := ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New("invalid"))
	if !IsInvalidCredentials(fmt.Errorf("bind: %w", rejected)) {
		t.Error("IsInvalidCredentials(wrapped code 49) = false, want true")
	}
	if IsInvalidCredentials(ldap.NewError(ldap.LDAPResultNoSuchObject, errors.New("x"))) {
		t.Error("IsInvalidCredentials(code 32) = true, want false")
	}
	if IsInvalidCredentials(nil) {
		t.Error("IsInvalidCredentials(nil) = true, want false")
	}
}

func TestIsConnectionDrop(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"network", ldap.NewError(ldap.ErrorNetwork, errors.New("connection closed")), true},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{"busy result", ldap.NewError(ldap.LDAPResultBusy, errors.New("busy")), false},
		{"page function", &callbackError{err: io.EOF}, false},
		{"untrusted certificate", errUntrustedCertificate, false},
	}
	for _, tt := range tests {
		if got := isConnectionDrop(tt.err); got != tt.want {
			t.Errorf("%s: isConnectionDrop(%v) = %t, want %t", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	want := []string{"250ms", "500ms", "1s", "2s", "4s", "5s", "5s"}
	for i, w := range want {
		if got := backoff(i + 1).String(); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
}
