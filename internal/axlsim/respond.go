package axlsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// soapFault is a fault the simulator sends: HTTP status, faultcode (Client for a bad request,
// Server for a failure while executing it), faultstring, and an axlError detail when code is
// set.
type soapFault struct {
	status    int
	faultCode string
	message   string
	code      int
	detail    bool
}

func (f *soapFault) Error() string {
	return f.message
}

// clientFault is a request that cannot be processed as sent, without an axlError detail.
func clientFault(message string) error {
	return &soapFault{status: http.StatusInternalServerError, faultCode: "soapenv:Client", message: message}
}

// axlFault is a failure of the operation with an axlcode, as UCM reports database errors.
func axlFault(code int, message string) error {
	return &soapFault{
		status:    http.StatusInternalServerError,
		faultCode: "soapenv:Server",
		message:   message,
		code:      code,
		detail:    true,
	}
}

const (
	notFoundMessage  = "Item not valid: The specified User was not found"
	duplicateMessage = "Could not insert new row - duplicate value in a UNIQUE INDEX column (Unique Index:)."
)

func notFoundFault() error {
	return axlFault(5007, notFoundMessage)
}

func duplicateFault() error {
	return axlFault(-239, duplicateMessage)
}

// writeError sends err as a SOAP fault. Errors that are not faults, which would be simulator
// bugs, are sent as Server faults.
func (s *Server) writeError(w http.ResponseWriter, req request, err error) int {
	var fault *soapFault
	if !errors.As(err, &fault) {
		var schema *schemaError
		if errors.As(err, &schema) {
			fault = clientFault(schema.message).(*soapFault)
		} else {
			fault = &soapFault{status: http.StatusInternalServerError, faultCode: "soapenv:Server",
				message: "axlsim internal error: " + err.Error()}
		}
	}

	s.count(func(st *Stats) { st.Faults++ })

	return writeFault(w, req.op, fault)
}

func writeFault(w http.ResponseWriter, op string, fault *soapFault) int {
	var buf bytes.Buffer

	buf.WriteString(`<?xml version='1.0' encoding='UTF-8'?>`)
	buf.WriteString(`<soapenv:Envelope xmlns:soapenv="` + soapNamespace + `"><soapenv:Body><soapenv:Fault>`)
	buf.WriteString(`<faultcode>` + fault.faultCode + `</faultcode><faultstring>`)
	xml.EscapeText(&buf, []byte(fault.message))
	buf.WriteString(`</faultstring>`)

	if fault.detail {
		buf.WriteString(`<detail><axlError><axlcode>` + strconv.Itoa(fault.code) + `</axlcode><axlmessage>`)
		xml.EscapeText(&buf, []byte(fault.message))
		buf.WriteString(`</axlmessage><request>`)
		xml.EscapeText(&buf, []byte(op))
		buf.WriteString(`</request></axlError></detail>`)
	}

	buf.WriteString(`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`)

	return writeXML(w, fault.status, buf.Bytes())
}

// writeResponse wraps inner, the children of the response element, in an envelope.
func writeResponse(w http.ResponseWriter, req request, inner []byte) int {
	var buf bytes.Buffer

	buf.WriteString(`<?xml version='1.0' encoding='UTF-8'?>`)
	buf.WriteString(`<soapenv:Envelope xmlns:soapenv="` + soapNamespace + `"><soapenv:Body>`)
	fmt.Fprintf(&buf, `<ns:%sResponse xmlns:ns="%s%s"`, req.op, axlNamespaceBase, req.version)

	if req.sequence != "" {
		buf.WriteString(` sequence="`)
		xml.EscapeText(&buf, []byte(req.sequence))
		buf.WriteString(`"`)
	}

	buf.WriteString(`>`)
	buf.Write(inner)
	fmt.Fprintf(&buf, `</ns:%sResponse></soapenv:Body></soapenv:Envelope>`, req.op)

	return writeXML(w, http.StatusOK, buf.Bytes())
}

func writeXML(w http.ResponseWriter, status int, body []byte) int {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)

	return status
}

// writeHTML sends an error page, as UCM's Tomcat does for errors outside SOAP.
func writeHTML(w http.ResponseWriter, status int, detail string) int {
	title := fmt.Sprintf("HTTP Status %d - %s", status, http.StatusText(status))

	var buf bytes.Buffer

	buf.WriteString(`<!doctype html><html lang="en"><head><title>`)
	xml.EscapeText(&buf, []byte(title))
	buf.WriteString(`</title></head><body><h1>`)
	xml.EscapeText(&buf, []byte(title))
	buf.WriteString(`</h1><p>`)
	xml.EscapeText(&buf, []byte(detail))
	buf.WriteString(`</p></body></html>`)

	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())

	return status
}

func writeUnauthorized(w http.ResponseWriter) int {
	w.Header().Set("WWW-Authenticate", `Basic realm="Cisco Web Services Realm"`)

	return writeHTML(w, http.StatusUnauthorized,
		"This request requires HTTP authentication with an AXL application user.")
}

func writeThrottled(w http.ResponseWriter) int {
	return writeHTML(w, http.StatusServiceUnavailable,
		"AXL is throttling requests to protect the call processing: retry after a delay.")
}

func writeBanner(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>AXL simulator</title></head>` +
		`<body><h1>AXL simulator</h1><p>The AXL web service is running. ` +
		`Send SOAP requests with HTTP POST.</p></body></html>`))
}
