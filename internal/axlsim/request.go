package axlsim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

const (
	soapNamespace    = "http://schemas.xmlsoap.org/soap/envelope/"
	axlNamespaceBase = "http://www.cisco.com/AXL/API/"
	invalidOperation = "invalid"
)

// request is a parsed AXL request. op is the operation's local name, or "invalid" when the
// envelope has none; version is the AXL version of the body namespace.
type request struct {
	op       string
	version  string
	element  *node
	sequence string
}

// parseRequest reads the envelope and the operation element. The operation name is returned
// even when the content is invalid, so that the request is recorded and counted under it.
func parseRequest(body []byte) (request, error) {
	req := request{op: invalidOperation}

	root, err := parseTree(body)
	if err != nil {
		return req, clientFault("Unmarshalling Error: " + err.Error())
	}

	if root.name.Space != soapNamespace || root.name.Local != "Envelope" {
		return req, clientFault(fmt.Sprintf("the root element is {%s}%s: send a SOAP 1.1 Envelope (%s)",
			root.name.Space, root.name.Local, soapNamespace))
	}

	soapBody, err := envelopeBody(root)
	if err != nil {
		return req, err
	}

	if len(soapBody.children) != 1 {
		return req, clientFault(fmt.Sprintf("the SOAP Body has %d elements: send exactly one operation",
			len(soapBody.children)))
	}

	element := soapBody.children[0]
	req.op = element.name.Local
	req.element = element
	req.sequence, _ = element.attr("sequence")

	version, ok := strings.CutPrefix(element.name.Space, axlNamespaceBase)
	if !ok || !axl.IsSupportedVersion(version) {
		return req, clientFault(fmt.Sprintf("the namespace of %s is %q: use %sVERSION with VERSION one of %s",
			req.op, element.name.Space, axlNamespaceBase, strings.Join(axl.SupportedVersions(), ", ")))
	}

	req.version = version

	opSpec, ok := operationSpecs[req.op]
	if !ok {
		return req, clientFault(fmt.Sprintf("axlsim does not implement the operation %s: it implements %s",
			req.op, strings.Join(implementedOperations(), ", ")))
	}

	if err := check(element, opSpec); err != nil {
		return req, err
	}

	return req, nil
}

// envelopeBody returns the Body of a SOAP 1.1 envelope, which may start with a Header.
func envelopeBody(envelope *node) (*node, error) {
	children := envelope.children
	if len(children) > 0 && children[0].name.Space == soapNamespace && children[0].name.Local == "Header" {
		children = children[1:]
	}

	if len(children) != 1 || children[0].name.Space != soapNamespace || children[0].name.Local != "Body" {
		return nil, clientFault("the SOAP Envelope must contain an optional Header and one Body")
	}

	return children[0], nil
}

func implementedOperations() []string {
	names := make([]string, 0, len(operationSpecs))
	for name := range operationSpecs {
		names = append(names, name)
	}

	sort.Strings(names)

	return names
}

// checkSOAPAction compares the header, "CUCM:DB ver=14.0 addUser" in double quotes, with the
// body's version and operation. UCM selects the schema version from this header.
func checkSOAPAction(header string, req request) error {
	expected := fmt.Sprintf(`"CUCM:DB ver=%s %s"`, req.version, req.op)
	if header == "" {
		return clientFault("the SOAPAction header is missing: send " + expected)
	}

	unquoted, quoted := strings.CutPrefix(header, `"`)
	unquoted, closed := strings.CutSuffix(unquoted, `"`)
	action, hasPrefix := strings.CutPrefix(unquoted, "CUCM:DB ver=")
	version, op, hasSpace := strings.Cut(action, " ")

	if !quoted || !closed || !hasPrefix || !hasSpace {
		return clientFault(fmt.Sprintf("the SOAPAction header %s is malformed: send %s", header, expected))
	}

	if version != req.version || op != req.op {
		return clientFault(fmt.Sprintf("the SOAPAction header %s does not match the body "+
			"{%s%s}%s: send %s", header, axlNamespaceBase, req.version, req.op, expected))
	}

	return nil
}
