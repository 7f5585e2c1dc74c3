package axl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// SOAPEnvelopeNamespace is the namespace of SOAP 1.1 envelopes.
const SOAPEnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"

// encodeEnvelope wraps request in a SOAP 1.1 envelope that binds the prefix "ns" to the AXL
// namespace of version. The request's XMLName must carry the prefixed operation name, such as
// "ns:addUser". Its children stay unqualified, as the AXL schema declares them.
func encodeEnvelope(version string, request any) ([]byte, error) {
	var buf bytes.Buffer

	buf.WriteString(xml.Header)
	buf.WriteString(`<soapenv:Envelope xmlns:soapenv="` + SOAPEnvelopeNamespace + `" xmlns:ns="`)
	buf.WriteString(Namespace(version))
	buf.WriteString(`"><soapenv:Header/><soapenv:Body>`)

	if err := xml.NewEncoder(&buf).Encode(request); err != nil {
		return nil, err
	}

	buf.WriteString(`</soapenv:Body></soapenv:Envelope>`)

	return buf.Bytes(), nil
}

// operationName returns the prefixed element name of an operation in a request body.
func operationName(op string) xml.Name {
	return xml.Name{Local: "ns:" + op}
}

var errNotSOAP = errors.New("response is not a SOAP envelope")

// bodyChild returns a decoder positioned after the first element inside the SOAP Body, and
// that element. Elements are matched by local name, so any prefix works.
func bodyChild(data []byte) (*xml.Decoder, xml.StartElement, error) {
	decoder := xml.NewDecoder(bytes.NewReader(data))
	depth := 0
	inBody := false

	for {
		token, err := decoder.Token()
		if err == io.EOF {
			return nil, xml.StartElement{}, errNotSOAP
		}

		if err != nil {
			return nil, xml.StartElement{}, fmt.Errorf("%w: %w", errNotSOAP, err)
		}

		switch t := token.(type) {
		case xml.StartElement:
			depth++

			switch {
			case depth == 1 && t.Name.Local != "Envelope":
				return nil, xml.StartElement{}, errNotSOAP
			case depth == 2 && t.Name.Local == "Body":
				inBody = true
			case depth == 2:
				if err := decoder.Skip(); err != nil {
					return nil, xml.StartElement{}, fmt.Errorf("%w: %w", errNotSOAP, err)
				}

				depth--
			case depth == 3 && inBody:
				return decoder, t, nil
			}
		case xml.EndElement:
			depth--
			if inBody && depth == 1 {
				return nil, xml.StartElement{}, fmt.Errorf("%w: the Body is empty", errNotSOAP)
			}
		}
	}
}

// decodeResponse turns an HTTP status and body into the decoded response or a *Fault.
func decodeResponse(op string, status int, data []byte, response any) error {
	if status == http.StatusUnauthorized {
		return &Fault{
			Operation:  op,
			HTTPStatus: status,
			Message:    "authentication failed: check the AXL username and password",
		}
	}

	decoder, child, err := bodyChild(data)
	if err == nil && child.Name.Local == "Fault" {
		return decodeFault(op, status, decoder, child)
	}

	if status != http.StatusOK {
		return &Fault{Operation: op, HTTPStatus: status, Message: statusMessage(status, data)}
	}

	if err != nil {
		return fmt.Errorf("axl %s: %w", op, err)
	}

	if child.Name.Local != op+"Response" {
		return fmt.Errorf("axl %s: response element is %s, expected %sResponse", op, child.Name.Local, op)
	}

	if response == nil {
		return nil
	}

	if err := decoder.DecodeElement(response, &child); err != nil {
		return fmt.Errorf("axl %s: decode response: %w", op, err)
	}

	return nil
}

// soapFault is a SOAP 1.1 Fault with UCM's axlError detail. Tags without a namespace match
// elements of any prefix.
type soapFault struct {
	FaultCode   string `xml:"faultcode"`
	FaultString string `xml:"faultstring"`
	Detail      struct {
		AXLError struct {
			Code    string `xml:"axlcode"`
			Message string `xml:"axlmessage"`
			Request string `xml:"request"`
		} `xml:"axlError"`
	} `xml:"detail"`
}

func decodeFault(op string, status int, decoder *xml.Decoder, start xml.StartElement) error {
	var fault soapFault
	if err := decoder.DecodeElement(&fault, &start); err != nil {
		return &Fault{Operation: op, HTTPStatus: status, Message: "unreadable SOAP fault: " + err.Error()}
	}

	result := &Fault{
		Operation:  op,
		HTTPStatus: status,
		Message:    strings.TrimSpace(fault.FaultString),
	}

	detail := fault.Detail.AXLError
	if message := strings.TrimSpace(detail.Message); message != "" {
		result.Message = message
	}

	if code := strings.TrimSpace(detail.Code); code != "" {
		if _, err := fmt.Sscan(code, &result.Code); err != nil {
			result.Message += " (unreadable axlcode " + code + ")"
		}
	}

	return result
}

var htmlTitle = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// statusMessage describes a non-SOAP error response: a fixed hint for the statuses whose
// cause is known, else the HTML title or the start of the body.
func statusMessage(status int, body []byte) string {
	switch status {
	case http.StatusForbidden:
		return "access denied: give the AXL user the Standard AXL API Access role"
	case http.StatusServiceUnavailable:
		return "AXL service unavailable (UCM throttles writes or is starting): retry later"
	}

	// The body becomes a push reason in PostgreSQL and a Temporal failure message, and both
	// reject NUL bytes and invalid UTF-8, which a broken proxy may send.
	text := strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(string(body), "\x00", ""), "\uFFFD"))
	if match := htmlTitle.FindStringSubmatch(text); match != nil {
		text = strings.TrimSpace(match[1])
	}

	text = strings.Join(strings.Fields(text), " ")
	if runes := []rune(text); len(runes) > 200 {
		text = string(runes[:200]) + "..."
	}

	if text == "" {
		text = http.StatusText(status)
	}

	if text == "" {
		text = "unexpected HTTP status"
	}

	if status >= 300 && status < 400 {
		text += ": check that the URL is the full AXL endpoint, such as https://ucm:8443/axl/"
	}

	return text
}
