package axl

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzOperations are the operations whose responses the fuzz target decodes, each with the
// response type the client decodes it into.
var fuzzOperations = []struct {
	op       string
	response func() any
}{
	{OpGetUser, func() any { return &getUserResponse{} }},
	{OpListUser, func() any { return &listUserResponse{} }},
	{OpAddUser, func() any { return &standardResponse{} }},
	{OpUpdateUser, func() any { return &standardResponse{} }},
	{OpRemoveUser, func() any { return nil }},
}

const fuzzEnvelope = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">` +
	`<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>`

// FuzzDecodeResponse feeds arbitrary statuses and bodies to decodeResponse, the step that turns
// what UCM (or a proxy in front of it) sends into a typed response or a *Fault. It checks that
// decoding never panics, that every fault names its operation and, for a non-200 status, the
// status, and that error texts are valid UTF-8, because they become Temporal failure messages
// (protobuf strings) and PostgreSQL text. `go test` runs the seeds only; run
// `go test -run=NONE -fuzz=FuzzDecodeResponse ./internal/axl/` to search further.
func FuzzDecodeResponse(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, wrap(`<ns:getUserResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return>` +
			`<user uuid="{3E9D9F47-2D2B-4B2B-9C1E-4A5F1B6C7D8E}"><userid>jdoe</userid>` +
			`<lastName>Doe &amp; Sons</lastName><associatedDevices><device>SEP001122334455</device>` +
			`</associatedDevices><primaryExtension><pattern>\+442071</pattern></primaryExtension>` +
			`</user></return></ns:getUserResponse>`)},
		{200, wrap(`<ns:listUserResponse xmlns:ns="x"><return><user><userid>a</userid></user>` +
			`<user><userid>b</userid></user></return></ns:listUserResponse>`)},
		{200, wrap(`<ns:addUserResponse xmlns:ns="x"><return>{3E9D9F47-2D2B-4B2B-9C1E-4A5F1B6C7D8E}` +
			`</return></ns:addUserResponse>`)},
		{500, wrap(`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Item not valid` +
			`</faultstring><detail><axlError><axlcode>5007</axlcode><axlmessage>The specified User ` +
			`was not found</axlmessage><request>getUser</request></axlError></detail></soapenv:Fault>`)},
		{500, wrap(`<Fault><faultstring>x</faultstring><detail><axlError><axlcode>abc</axlcode>` +
			`</axlError></detail></Fault>`)},
		{500, wrap(`<Fault><faultstring>unclosed`)},
		{200, wrap(`<Fault/>`)},
		{200, wrap(``)},
		{200, `<Envelope><Header><a/></Header><Body><getUserResponse><return><user><userid>` +
			`x</userid></user></return></getUserResponse></Body></Envelope>`},
		{401, `<html><title>401 Unauthorized</title></html>`},
		{503, ``},
		{302, `<html><head><title>Moved</title></head></html>`},
		{599, "<html><title>Network\tRead\nException</title></html>"},
		{200, `<?xml version="1.0" encoding="ISO-8859-1"?><Envelope/>`},
		{200, "\xef\xbb\xbf" + wrap(`<getUserResponse/>`)},
		{0, ``},
	}

	for i, s := range seeds {
		f.Add(s.status, []byte(s.body), uint8(i))
	}

	f.Fuzz(func(t *testing.T, status int, body []byte, opIndex uint8) {
		operation := fuzzOperations[int(opIndex)%len(fuzzOperations)]
		response := operation.response()

		err := decodeResponse(operation.op, status, body, response)

		checkDecodeError(t, operation.op, status, err)

		if err == nil {
			readDecoded(response)
		}
	})
}

func wrap(body string) string {
	return fmt.Sprintf(fuzzEnvelope, body)
}

func checkDecodeError(t *testing.T, op string, status int, err error) {
	t.Helper()

	if err != nil {
		checkStorableText(t, err.Error())
	}

	var fault *Fault
	isFault := errors.As(err, &fault)

	if status != http.StatusOK && !isFault {
		t.Fatalf("status %d gave %v, want a *Fault", status, err)
	}

	if !isFault {
		return
	}

	if fault.Operation != op {
		t.Errorf("fault operation = %q, want %q", fault.Operation, op)
	}

	if status != http.StatusOK && fault.HTTPStatus != status {
		t.Errorf("fault HTTP status = %d, want %d", fault.HTTPStatus, status)
	}
}

// checkStorableText fails when text cannot be a protobuf string or PostgreSQL text: invalid
// UTF-8 fails proto.Marshal of a Temporal failure, and PostgreSQL text rejects NUL bytes.
func checkStorableText(t *testing.T, text string) {
	t.Helper()

	if !utf8.ValidString(text) {
		t.Errorf("error text is not valid UTF-8: %q", text)
	}

	if strings.IndexByte(text, 0) >= 0 {
		t.Errorf("error text contains a NUL byte: %q", text)
	}
}

// readDecoded converts a decoded response as the client does, so a conversion that panics on
// odd values is found too.
func readDecoded(response any) {
	switch r := response.(type) {
	case *getUserResponse:
		_ = r.User.toUser()
	case *listUserResponse:
		for _, u := range r.Users {
			_ = u.toUser()
		}
	case *standardResponse:
		_ = isUUID(r.Return)
	}
}
