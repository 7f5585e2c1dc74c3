package axlsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// node is one element of a parsed request: its name, attributes other than namespace
// declarations, children and text.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     string
}

const maxDepth = 32

// parseTree reads an XML document into a tree. It rejects more than one root element, text
// outside the root and documents nested deeper than maxDepth.
func parseTree(data []byte) (*node, error) {
	decoder := xml.NewDecoder(bytes.NewReader(data))
	decoder.Strict = true

	var root *node
	var stack []*node

	for {
		token, err := decoder.Token()
		if err == io.EOF {
			break
		}

		if err != nil {
			return nil, err
		}

		switch t := token.(type) {
		case xml.StartElement:
			if len(stack) == 0 && root != nil {
				return nil, errors.New("more than one root element")
			}

			if len(stack) == maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}

			n := &node{name: t.Name, attrs: withoutNamespaceDeclarations(t.Attr)}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}

			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text outside the root element")
			}
		}
	}

	if root == nil {
		return nil, errors.New("no root element")
	}

	return root, nil
}

func withoutNamespaceDeclarations(attrs []xml.Attr) []xml.Attr {
	var kept []xml.Attr

	for _, attr := range attrs {
		if attr.Name.Space == "xmlns" || (attr.Name.Space == "" && attr.Name.Local == "xmlns") {
			continue
		}

		kept = append(kept, attr)
	}

	return kept
}

// child returns the first child with the local name, or nil.
func (n *node) child(local string) *node {
	for _, c := range n.children {
		if c.name.Local == local {
			return c
		}
	}

	return nil
}

// value returns the text of the named child and whether the child is present.
func (n *node) value(local string) (string, bool) {
	c := n.child(local)
	if c == nil {
		return "", false
	}

	return c.text, true
}

func (n *node) attr(local string) (string, bool) {
	for _, attr := range n.attrs {
		if attr.Name.Space == "" && attr.Name.Local == local {
			return attr.Value, true
		}
	}

	return "", false
}

// spec describes an element of a request: its name, whether it must appear and may repeat,
// the attributes it allows and, for complex elements, its children in schema order. A spec
// with nil children is a text-only element.
type spec struct {
	name     string
	required bool
	repeated bool
	attrs    []string
	children []spec
	// optional marks a child sequence that may be absent as a whole (minOccurs="0" on the
	// sequence): an element without children is valid even if some children are required.
	optional bool
	// schemaNames lists every child the schema allows, for telling a valid element that the
	// simulator does not model from an unknown one.
	schemaNames []string
}

// schemaError is a request that breaks the schema. Its message follows the wording of the
// Xerces validator that UCM uses.
type schemaError struct {
	message string
}

func (e *schemaError) Error() string {
	return e.message
}

func schemaErrorf(format string, args ...any) error {
	return &schemaError{message: fmt.Sprintf(format, args...)}
}

// check validates n against s: unqualified children in schema order, no unknown elements or
// attributes, required children present, and no text beside child elements.
func check(n *node, s spec) error {
	for _, attr := range n.attrs {
		if attr.Name.Space != "" || !slices.Contains(s.attrs, attr.Name.Local) {
			return schemaErrorf("cvc-complex-type.3.2.2: Attribute '%s' is not allowed to appear in element '%s'.",
				attr.Name.Local, s.name)
		}
	}

	if s.children == nil {
		if len(n.children) > 0 {
			return schemaErrorf("cvc-type.3.1.2: Element '%s' is a simple type, so it must have no "+
				"element information item [children]; found '%s'.", s.name, n.children[0].name.Local)
		}

		return nil
	}

	if strings.TrimSpace(n.text) != "" {
		return schemaErrorf("cvc-complex-type.2.3: Element '%s' cannot have character [children], "+
			"because the type's content type is element-only.", s.name)
	}

	if s.optional && len(n.children) == 0 {
		return nil
	}

	return checkChildren(n, s)
}

func checkChildren(n *node, s spec) error {
	next := 0

	for i, field := range s.children {
		count := 0

		for next < len(n.children) && isElement(n.children[next], field.name) {
			if err := check(n.children[next], field); err != nil {
				return err
			}

			count++
			next++
		}

		if count == 0 && field.required {
			if next < len(n.children) {
				return unexpectedChild(n.children[next], s, expectedAt(s.children, i))
			}

			return schemaErrorf("cvc-complex-type.2.4.b: The content of element '%s' is not complete. "+
				"One of '{%s}' is expected.", s.name, expectedNames(expectedAt(s.children, i)))
		}

		if count > 1 && !field.repeated {
			return schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with "+
				"element '%s'. Element '%s' may appear only once.", field.name, field.name)
		}
	}

	if next < len(n.children) {
		return unexpectedChild(n.children[next], s, nil)
	}

	return nil
}

// expectedAt returns the children that may come at position i of a sequence: the optional
// ones up to and including the first required one.
func expectedAt(children []spec, i int) []spec {
	for j := i; j < len(children); j++ {
		if children[j].required {
			return children[i : j+1]
		}
	}

	return children[i:]
}

func isElement(n *node, local string) bool {
	return n.name.Space == "" && n.name.Local == local
}

func expectedNames(specs []spec) string {
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		names = append(names, `"":`+s.name)
	}

	return strings.Join(names, ", ")
}

// unexpectedChild describes a child that does not fit the sequence of parent where expected
// children may come: qualified, out of order, valid AXL that the simulator does not model,
// or unknown.
func unexpectedChild(c *node, parent spec, expected []spec) error {
	if c.name.Space != "" {
		return schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with "+
			"element '{%s}%s'. Children of '%s' must be unqualified.", c.name.Space, c.name.Local, parent.name)
	}

	found := fmt.Sprintf("Invalid content was found starting with element '%s'.", c.name.Local)
	if len(expected) > 0 {
		found = fmt.Sprintf("cvc-complex-type.2.4.a: %s One of '{%s}' is expected.", found, expectedNames(expected))
	} else {
		found = fmt.Sprintf("cvc-complex-type.2.4.d: %s No child element is expected at this point.", found)
	}

	names := make([]string, 0, len(parent.children))
	for _, s := range parent.children {
		names = append(names, s.name)
	}

	if slices.Contains(names, c.name.Local) {
		return schemaErrorf("%s The element is out of order or repeated: the sequence of '%s' is %s.",
			found, parent.name, strings.Join(names, ", "))
	}

	if slices.Contains(parent.schemaNames, c.name.Local) {
		return schemaErrorf("%s AXL allows '%s' in '%s', but the simulator does not model it: "+
			"it accepts %s.", found, c.name.Local, parent.name, strings.Join(names, ", "))
	}

	return schemaErrorf("%s", found)
}
