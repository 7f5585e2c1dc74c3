package axl

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// AXL error codes that the predicates recognise.
const (
	// CodeNotFound is the axlcode of "Item not valid: The specified User was not found". UCM
	// uses it for any missing item, such as a route partition named in a request.
	CodeNotFound = 5007
	// CodeDuplicate is the Informix unique-index violation UCM passes through on an add of an
	// existing key.
	CodeDuplicate = -239
	// CodeGeneric is the axlcode of many server-side failures, among them the memory throttle.
	CodeGeneric = -1
	// CodeInvalid is the axlcode of a value that breaks a UCM rule, such as a primary extension
	// that is not a line of one of the user's associated devices.
	CodeInvalid = 5003
)

// Fault is an error that UCM reported: a SOAP fault, or an HTTP error status such as 401 or
// 503 whose body is not SOAP. Calls return it as *Fault, possibly wrapped.
type Fault struct {
	// Operation is the AXL operation that failed, such as "addUser".
	Operation string
	// HTTPStatus is the response status: 500 for most SOAP faults.
	HTTPStatus int
	// Code is the axlcode from the fault detail, or 0 when the fault has no detail.
	Code int
	// Message is the axlmessage, else the faultstring, else a description of the status.
	Message string
}

// Error returns the operation, the message, the axlcode when present and the HTTP status.
func (f *Fault) Error() string {
	var b strings.Builder

	b.WriteString("axl ")
	b.WriteString(f.Operation)
	b.WriteString(" failed: ")
	b.WriteString(f.Message)

	switch {
	case f.Code != 0 && f.HTTPStatus != 0:
		fmt.Fprintf(&b, " (axlcode %d, HTTP %d)", f.Code, f.HTTPStatus)
	case f.Code != 0:
		fmt.Fprintf(&b, " (axlcode %d)", f.Code)
	case f.HTTPStatus != 0:
		fmt.Fprintf(&b, " (HTTP %d)", f.HTTPStatus)
	}

	return b.String()
}

func asFault(err error) (*Fault, bool) {
	var fault *Fault
	if errors.As(err, &fault) && fault != nil {
		return fault, true
	}

	return nil, false
}

// IsNotFound reports whether err is a fault for a missing item: axlcode 5007, or a fault of a
// get operation (getUser, getLine, getPhone and the others) whose message contains "not
// found", whatever its code.
//
// NOTE: UCM also sends 5007 when a referenced item is missing, such as the route partition of
// a primary extension on addUser or a device in associatedDevices. Check [Fault.Message] where
// that difference matters.
func IsNotFound(err error) bool {
	fault, ok := asFault(err)
	if !ok {
		return false
	}

	if fault.Code == CodeNotFound {
		return true
	}

	return strings.HasPrefix(fault.Operation, "get") &&
		strings.Contains(strings.ToLower(fault.Message), "not found")
}

// IsDuplicate reports whether err is a fault for an add of an existing key (axlcode -239).
func IsDuplicate(err error) bool {
	fault, ok := asFault(err)

	return ok && fault.Code == CodeDuplicate
}

// IsThrottled reports whether UCM rejected the call to protect itself: HTTP 503, or axlcode -1
// with "Maximum AXL Memory Allocation Consumed". Retry after a delay of seconds.
func IsThrottled(err error) bool {
	fault, ok := asFault(err)
	if !ok {
		return false
	}

	if fault.HTTPStatus == http.StatusServiceUnavailable {
		return true
	}

	return fault.Code == CodeGeneric &&
		strings.Contains(strings.ToLower(fault.Message), "maximum axl memory allocation")
}

// IsResponseTooLarge reports whether the response was refused for its size, either by this
// client ([ErrResponseTooLarge]) or by UCM ("Query request too large"). Page with a smaller
// [ListUsersRequest.First]; a retry of the same call fails the same way.
func IsResponseTooLarge(err error) bool {
	if errors.Is(err, ErrResponseTooLarge) {
		return true
	}

	fault, ok := asFault(err)

	return ok && strings.Contains(strings.ToLower(fault.Message), "query request too large")
}

// IsRetryable reports whether the same call may succeed later: throttling, HTTP 502 and 504,
// timeouts, and connections refused, reset or closed early. It is false for nil, for
// authentication and permission faults (401, 403), HTTP 599, validation faults, not found and
// duplicate faults, responses too large, TLS certificate errors, a canceled context, and any
// error it does not recognise.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}

	if fault, ok := asFault(err); ok {
		return IsThrottled(fault) ||
			fault.HTTPStatus == http.StatusBadGateway ||
			fault.HTTPStatus == http.StatusGatewayTimeout
	}

	if errors.Is(err, context.Canceled) || errors.Is(err, ErrResponseTooLarge) || isTLSError(err) {
		return false
	}

	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}

	var netError net.Error
	if errors.As(err, &netError) && netError.Timeout() {
		return true
	}

	var dnsError *net.DNSError
	if errors.As(err, &dnsError) {
		return !dnsError.IsNotFound
	}

	return isTransientTransportError(err)
}

var transientErrors = []error{
	syscall.ECONNREFUSED,
	syscall.ECONNRESET,
	syscall.ECONNABORTED,
	syscall.EPIPE,
	syscall.EHOSTUNREACH,
	syscall.ENETUNREACH,
	io.EOF,
	io.ErrUnexpectedEOF,
}

func isTransientTransportError(err error) bool {
	for _, target := range transientErrors {
		if errors.Is(err, target) {
			return true
		}
	}

	return false
}

// isTLSError reports certificate and handshake failures, which need a configuration change.
func isTLSError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verification *tls.CertificateVerificationError
	var alert tls.AlertError
	var recordHeader tls.RecordHeaderError

	return errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostname) ||
		errors.As(err, &invalid) ||
		errors.As(err, &verification) ||
		errors.As(err, &alert) ||
		errors.As(err, &recordHeader)
}
