package axlsim

import (
	"bytes"
	"encoding/xml"
	"slices"
)

// outElement is an element of a response, built in the order of the schema's R or L type.
// An element with children is complex; one without is written with its text.
type outElement struct {
	name     string
	uuid     string
	text     string
	children []outElement
}

func textOut(name, value string) outElement {
	return outElement{name: name, text: value}
}

func complexOut(name string, children ...outElement) outElement {
	return outElement{name: name, children: children}
}

func boolText(value bool) string {
	if value {
		return "true"
	}

	return "false"
}

// only returns e with the top-level children named in tags, in e's order. Nil tags keep every
// child, as a request without returnedTags gets every field.
func (e outElement) only(tags []string) outElement {
	if tags == nil {
		return e
	}

	kept := make([]outElement, 0, len(tags))
	for _, c := range e.children {
		if slices.Contains(tags, c.name) {
			kept = append(kept, c)
		}
	}

	e.children = kept

	return e
}

func (e outElement) write(buf *bytes.Buffer) {
	buf.WriteString("<" + e.name)

	if e.uuid != "" {
		buf.WriteString(` uuid="`)
		xml.EscapeText(buf, []byte(e.uuid))
		buf.WriteString(`"`)
	}

	buf.WriteString(">")

	if len(e.children) == 0 {
		xml.EscapeText(buf, []byte(e.text))
	}

	for _, c := range e.children {
		c.write(buf)
	}

	buf.WriteString("</" + e.name + ">")
}

// returnElements wraps elements in the return element of a get or list response.
func returnElements(elements ...outElement) []byte {
	var buf bytes.Buffer

	buf.WriteString("<return>")
	for _, e := range elements {
		e.write(&buf)
	}

	buf.WriteString("</return>")

	return buf.Bytes()
}

// returnedTags returns the names of the returnedTags children of element. It returns nil
// when the request has none, because then UCM returns every field.
func returnedTags(element *node) []string {
	returned := element.child("returnedTags")
	if returned == nil {
		return nil
	}

	return tagNames(returned)
}
