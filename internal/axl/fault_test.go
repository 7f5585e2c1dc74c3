package axl

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

// Fault bodies in the shapes UCM sends. The 5007 body is the one UCM 9.1 to 14 return for a
// getUser of a missing user.
const (
	faultNotFound = `<?xml version='1.0' encoding='UTF-8'?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Body>
    <soapenv:Fault>
      <faultcode>soapenv:Server</faultcode>
      <faultstring>Item not valid: The specified User was not found</faultstring>
      <detail>
        <axlError>
          <axlcode>5007</axlcode>
          <axlmessage>Item not valid: The specified User was not found</axlmessage>
          <request>getUser</request>
        </axlError>
      </detail>
    </soapenv:Fault>
  </soapenv:Body>
</soapenv:Envelope>`

	faultDuplicateOtherPrefix = `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">` +
		`<SOAP-ENV:Header/><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode>` +
		`<faultstring>Could not insert new row - duplicate value in a UNIQUE INDEX column (Unique Index:).</faultstring>` +
		`<detail><axl:axlError xmlns:axl="http://www.cisco.com/AXL/API/14.0"><axlcode> -239 </axlcode>` +
		`<axlmessage>Could not insert new row - duplicate value in a UNIQUE INDEX column (Unique Index:).` +
		`</axlmessage><request>addUser</request></axl:axlError></detail></SOAP-ENV:Fault></SOAP-ENV:Body>` +
		`</SOAP-ENV:Envelope>`

	faultNoDetail = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>cvc-complex-type.2.4.a: Invalid ` +
		`content was found starting with element 'foo'.</faultstring></soapenv:Fault></soapenv:Body>` +
		`</soapenv:Envelope>`

	faultDefaultNamespace = `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Fault>` +
		`<faultcode xmlns="">Server</faultcode><faultstring xmlns="">The specified User was not found</faultstring>` +
		`</Fault></Body></Envelope>`

	faultMemory = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Maximum AXL Memory Allocation ` +
		`Consumed</faultstring><detail><axlError><axlcode>-1</axlcode><axlmessage>Maximum AXL Memory ` +
		`Allocation Consumed. Please retry once requests in progress have completed</axlmessage>` +
		`<request>listUser</request></axlError></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

	faultTooLarge = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Query request too large. Total ` +
		`rows matched: 91000 rows. Suggestive Row Fetch: less than 30333 rows</faultstring><detail>` +
		`<axlError><axlcode>-1</axlcode><axlmessage>Query request too large. Total rows matched: 91000 ` +
		`rows. Suggestive Row Fetch: less than 30333 rows</axlmessage><request>listUser</request>` +
		`</axlError></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

	page401 = `<!doctype html><html lang="en"><head><title>HTTP Status 401 – Unauthorized</title></head>` +
		`<body><h1>HTTP Status 401 – Unauthorized</h1></body></html>`

	page503 = `<html><head><title>HTTP Status 503 - Service Unavailable</title></head><body></body></html>`
)

func TestDecodeResponseFaults(t *testing.T) {
	tests := []struct {
		name      string
		op        string
		status    int
		body      string
		code      int
		message   string // substring of Fault.Message
		notFound  bool
		duplicate bool
		throttled bool
		retryable bool
		tooLarge  bool
	}{
		{name: "not found", op: OpGetUser, status: 500, body: faultNotFound, code: 5007,
			message: "The specified User was not found", notFound: true},
		{name: "duplicate with other prefixes", op: OpAddUser, status: 500, body: faultDuplicateOtherPrefix,
			code: -239, message: "duplicate value", duplicate: true},
		{name: "no detail", op: OpAddUser, status: 500, body: faultNoDetail, message: "cvc-complex-type.2.4.a"},
		{name: "getUser not found without code", op: OpGetUser, status: 500, body: faultDefaultNamespace,
			message: "not found", notFound: true},
		{name: "not found text on another operation", op: OpListUser, status: 500, body: faultDefaultNamespace,
			message: "not found"},
		{name: "memory throttle", op: OpListUser, status: 500, body: faultMemory, code: -1,
			message: "Maximum AXL Memory", throttled: true, retryable: true},
		{name: "query too large", op: OpListUser, status: 500, body: faultTooLarge, code: -1,
			message: "Query request too large", tooLarge: true},
		{name: "fault with status 200", op: OpGetUser, status: 200, body: faultNotFound, code: 5007,
			message: "not found", notFound: true},
		{name: "401 page", op: OpGetUser, status: 401, body: page401, message: "check the AXL username and password"},
		{name: "403 page", op: OpGetUser, status: 403, body: "<html><title>403</title></html>",
			message: "Standard AXL API Access"},
		{name: "503 page", op: OpAddUser, status: 503, body: page503, message: "retry later",
			throttled: true, retryable: true},
		{name: "502 text", op: OpAddUser, status: 502, body: "Bad Gateway\n", message: "Bad Gateway",
			retryable: true},
		{name: "504 empty", op: OpAddUser, status: 504, body: "", message: "Gateway Timeout", retryable: true},
		{name: "599", op: OpAddUser, status: 599, body: "", message: ""},
		{name: "500 page", op: OpAddUser, status: 500, body: "<html><head><title>Internal Error</title>",
			message: "Internal Error"},
		{name: "redirect", op: OpAddUser, status: 302, body: "", message: "full AXL endpoint"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeResponse(tt.op, tt.status, []byte(tt.body), nil)

			var fault *Fault
			if !errors.As(err, &fault) {
				t.Fatalf("decodeResponse = %v, want a *Fault", err)
			}

			if fault.Operation != tt.op || fault.HTTPStatus != tt.status || fault.Code != tt.code {
				t.Errorf("fault = %+v, want operation %s, HTTP %d, code %d", fault, tt.op, tt.status, tt.code)
			}

			if !strings.Contains(fault.Message, tt.message) {
				t.Errorf("message = %q, want it to contain %q", fault.Message, tt.message)
			}

			wrapped := fmt.Errorf("push user: %w", err)
			checks := []struct {
				name string
				got  bool
				want bool
			}{
				{"IsNotFound", IsNotFound(wrapped), tt.notFound},
				{"IsDuplicate", IsDuplicate(wrapped), tt.duplicate},
				{"IsThrottled", IsThrottled(wrapped), tt.throttled},
				{"IsRetryable", IsRetryable(wrapped), tt.retryable},
				{"IsResponseTooLarge", IsResponseTooLarge(wrapped), tt.tooLarge},
			}

			for _, check := range checks {
				if check.got != check.want {
					t.Errorf("%s = %v, want %v", check.name, check.got, check.want)
				}
			}
		})
	}
}

func TestDecodeResponseNotSOAP(t *testing.T) {
	err := decodeResponse(OpGetUser, 200, []byte("<html><body>login</body></html>"), nil)
	if err == nil || !strings.Contains(err.Error(), "not a SOAP envelope") {
		t.Fatalf("decodeResponse = %v, want a not-SOAP error", err)
	}

	var fault *Fault
	if errors.As(err, &fault) {
		t.Errorf("decodeResponse returned a fault %+v for a 200 page, want a plain error", fault)
	}
}

func TestDecodeResponseWrongElement(t *testing.T) {
	body := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<ns:addUserResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return>true</return>` +
		`</ns:addUserResponse></soapenv:Body></soapenv:Envelope>`

	err := decodeResponse(OpGetUser, 200, []byte(body), &getUserResponse{})
	if err == nil || !strings.Contains(err.Error(), "getUserResponse") {
		t.Errorf("decodeResponse = %v, want an error naming getUserResponse", err)
	}
}

func TestFaultError(t *testing.T) {
	tests := []struct {
		fault Fault
		want  string
	}{
		{Fault{Operation: "addUser", HTTPStatus: 500, Code: -239, Message: "duplicate"},
			"axl addUser failed: duplicate (axlcode -239, HTTP 500)"},
		{Fault{Operation: "getUser", HTTPStatus: 401, Message: "check"}, "axl getUser failed: check (HTTP 401)"},
		{Fault{Operation: "getUser", Code: 5007, Message: "missing"}, "axl getUser failed: missing (axlcode 5007)"},
	}

	for _, tt := range tests {
		if got := tt.fault.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestIsRetryableTransportErrors(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	post := func(err error) error {
		return fmt.Errorf("axl getUser: %w", &url.Error{Op: "Post", URL: "https://ucm:8443/axl/", Err: err})
	}

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"connection refused", post(refused), true},
		{"connection reset", post(reset), true},
		{"server closed connection", post(io.EOF), true},
		{"unexpected EOF while reading", fmt.Errorf("read response: %w", io.ErrUnexpectedEOF), true},
		{"deadline", post(context.DeadlineExceeded), true},
		{"dial timeout", post(&net.OpError{Op: "dial", Err: timeoutError{}}), true},
		{"canceled", post(context.Canceled), false},
		{"unknown host", post(&net.DNSError{Err: "no such host", Name: "ucm", IsNotFound: true}), false},
		{"dns server failure", post(&net.DNSError{Err: "server misbehaving", Name: "ucm", IsTemporary: true}), true},
		{"unknown authority", post(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false},
		{"hostname mismatch", post(x509.HostnameError{Host: "ucm"}), false},
		{"expired certificate", post(x509.CertificateInvalidError{Reason: x509.Expired}), false},
		{"not TLS", post(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), false},
		{"response too large", fmt.Errorf("axl listUser: %w", ErrResponseTooLarge), false},
		{"unrecognised error", errors.New("something else"), false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestPredicatesOnNonFaults(t *testing.T) {
	err := errors.New("plain")

	if IsNotFound(err) || IsDuplicate(err) || IsThrottled(err) || IsResponseTooLarge(err) {
		t.Error("a predicate is true for a plain error")
	}

	if IsNotFound(nil) || IsDuplicate(nil) || IsThrottled(nil) || IsRetryable(nil) {
		t.Error("a predicate is true for nil")
	}
}
