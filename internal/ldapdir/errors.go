package ldapdir

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-ldap/ldap/v3"
)

// errUntrustedCertificate marks a TLS handshake that failed because the server certificate
// did not verify.
var errUntrustedCertificate = errors.New("server certificate not trusted")

// callbackError wraps an error returned by the page function of [Reader.Search], so it is
// never mistaken for a directory failure.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }
func (e *callbackError) Unwrap() error { return e.err }

// connectionLostError marks an error of a request whose connection closed under it.
type connectionLostError struct{ err error }

func (e *connectionLostError) Error() string { return "connection lost: " + e.err.Error() }
func (e *connectionLostError) Unwrap() error { return e.err }

// markConnectionLost marks err as a dropped connection when conn closed under the request.
// go-ldap v3.4.15 reports a read failure of its reader goroutine as an untyped error
// ("unable to read LDAP response packet: EOF"), so the closed connection is the reliable sign.
// An LDAP result the server sent is returned unchanged.
func markConnectionLost(conn *ldap.Conn, err error) error {
	var ldapErr *ldap.Error
	if errors.As(err, &ldapErr) && ldapErr.ResultCode < ldap.ErrorNetwork {
		return err
	}
	if conn.IsClosing() {
		return &connectionLostError{err: err}
	}
	return err
}

// IsInvalidCredentials reports whether err is a bind that the server rejected with result
// code 49 (invalidCredentials): a wrong bind DN or password, or a locked or expired account.
func IsInvalidCredentials(err error) bool {
	return ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials)
}

// IsRetryable reports whether the same search may succeed later without a change of
// configuration: a network error, a timeout, or a server that returned busy (51), unavailable
// (52), server down (81), timeout (85), time limit exceeded (3) or connect error (91).
//
// It returns false for nil, a canceled context, an untrusted or unreadable TLS certificate,
// an error from the page function, and every other LDAP result, among them invalid
// credentials (49), no such object (32, a missing base DN), insufficient access (50) and
// filter errors.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var callback *callbackError
	if errors.As(err, &callback) || isTLSConfigError(err) {
		return false
	}
	var lost *connectionLostError
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &lost) {
		return true
	}

	var ldapErr *ldap.Error
	if errors.As(err, &ldapErr) {
		switch ldapErr.ResultCode {
		case ldap.ErrorNetwork,
			ldap.LDAPResultBusy,
			ldap.LDAPResultUnavailable,
			ldap.LDAPResultServerDown,
			ldap.LDAPResultTimeout,
			ldap.LDAPResultTimeLimitExceeded,
			ldap.LDAPResultConnectError:
			return true
		}
		return false
	}
	return isNetworkError(err)
}

// isConnectionDrop reports whether err means the connection itself failed, as opposed to an
// LDAP result the server sent. Only such errors make a search redial.
func isConnectionDrop(err error) bool {
	var callback *callbackError
	if errors.As(err, &callback) || isTLSConfigError(err) {
		return false
	}
	var lost *connectionLostError
	if errors.As(err, &lost) || ldap.IsErrorWithCode(err, ldap.ErrorNetwork) {
		return true
	}
	return isNetworkError(err)
}

func isNetworkError(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}

// isTLSConfigError reports whether err is a TLS failure that only a change of configuration
// fixes: an untrusted certificate, a wrong host name, or a port that does not speak TLS.
func isTLSConfigError(err error) bool {
	var (
		recordHeader tls.RecordHeaderError
		alert        tls.AlertError
	)
	return isCertificateError(err) || errors.As(err, &recordHeader) || errors.As(err, &alert)
}

// isCertificateError reports whether err is a failed verification of the server certificate.
func isCertificateError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
	)
	return errors.Is(err, errUntrustedCertificate) ||
		errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostname) ||
		errors.As(err, &invalid) ||
		errors.As(err, &verification)
}

// describeConnectError explains a failed TCP connect.
func (s *settings) describeConnectError(err error) error {
	return fmt.Errorf("connect to %s: %w", redactURL(s.URL), err)
}

// describeHandshakeError explains a failed TLS handshake of an ldaps:// connection.
func (s *settings) describeHandshakeError(err error) error {
	url := redactURL(s.URL)
	var recordHeader tls.RecordHeaderError
	switch {
	case isCertificateError(err):
		return fmt.Errorf("TLS handshake with %s failed: the server certificate is not trusted "+
			"for host %q; set CAFile to the PEM file of the CA that signed it: %w",
			url, s.tls.ServerName, err)
	case errors.As(err, &recordHeader):
		return fmt.Errorf("TLS handshake with %s failed: the port does not speak TLS; use the "+
			"server's ldaps port, or ldap:// with StartTLS: %w", url, err)
	case errors.Is(err, io.EOF):
		// A plain LDAP port closes the connection on a TLS hello, but so can a server that
		// restarts: the error stays retryable.
		return fmt.Errorf("TLS handshake with %s failed: the server closed the connection, as "+
			"a plain ldap:// port does; check that the port serves ldaps: %w", url, err)
	}
	return fmt.Errorf("TLS handshake with %s failed: %w", url, err)
}

// describeStartTLSError explains a failed StartTLS. go-ldap v3.4.15 formats the handshake
// error with %v, which drops the x509 error type, so a verification failure is recognized by
// its text and marked with errUntrustedCertificate.
func (s *settings) describeStartTLSError(err error) error {
	url := redactURL(s.URL)
	text := err.Error()
	if strings.Contains(text, "x509:") || strings.Contains(text, "failed to verify certificate") {
		return fmt.Errorf("StartTLS with %s failed: %w for host %q; set CAFile to the PEM file "+
			"of the CA that signed it: %w", url, errUntrustedCertificate, s.tls.ServerName, err)
	}
	return fmt.Errorf("StartTLS with %s failed: %w", url, err)
}

// describeBindError explains a failed simple bind.
func (s *settings) describeBindError(err error) error {
	url := redactURL(s.URL)
	if IsInvalidCredentials(err) {
		return fmt.Errorf("bind as %q rejected by %s: invalid credentials; check the bind DN and "+
			"password: %w", s.BindDN, url, err)
	}
	if ldap.IsErrorWithCode(err, ldap.LDAPResultConfidentialityRequired) ||
		ldap.IsErrorWithCode(err, ldap.LDAPResultStrongAuthRequired) {
		return fmt.Errorf("bind as %q rejected by %s: the server requires an encrypted "+
			"connection; use ldaps:// or StartTLS: %w", s.BindDN, url, err)
	}
	return fmt.Errorf("bind as %q on %s: %w", s.BindDN, url, err)
}

// describeSearchError explains a failed search request; entries is the count read before it.
func (s *settings) describeSearchError(err error, entries int) error {
	url := redactURL(s.URL)
	var ldapErr *ldap.Error
	if !errors.As(err, &ldapErr) {
		return fmt.Errorf("search %q on %s: %w", s.BaseDN, url, err)
	}

	switch ldapErr.ResultCode {
	case ldap.LDAPResultNoSuchObject:
		return fmt.Errorf("base DN %q not found on %s (its nearest existing parent is %q): "+
			"check the base DN: %w", s.BaseDN, url, ldapErr.MatchedDN, err)
	case ldap.LDAPResultInsufficientAccessRights:
		return fmt.Errorf("bind DN %q may not search %q on %s: grant it read access to the "+
			"users: %w", s.BindDN, s.BaseDN, url, err)
	case ldap.LDAPResultSizeLimitExceeded, ldap.LDAPResultAdminLimitExceeded:
		return fmt.Errorf("%s stopped the search of %q at its size limit after %d entries "+
			"although it was paged: allow paged searches past the limit for %q (OpenLDAP: "+
			"limits size.prtotal=unlimited): %w", url, s.BaseDN, entries, s.BindDN, err)
	case ldap.LDAPResultUnavailableCriticalExtension:
		return fmt.Errorf("%s does not support the paged results control (RFC 2696), which "+
			"ucmpush needs to read more entries than the server's size limit: %w", url, err)
	case ldap.LDAPResultFilterError, ldap.ErrorFilterCompile, ldap.LDAPResultProtocolError:
		return fmt.Errorf("search of %q with filter %q rejected by %s: check the filter: %w",
			s.BaseDN, s.Filter, url, err)
	}
	return fmt.Errorf("search %q on %s: %w", s.BaseDN, url, err)
}
