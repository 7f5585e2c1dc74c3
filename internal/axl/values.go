package axl

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// checkPaging checks the skip and first of a list request: neither negative, and skip only
// together with first, because UCM ignores skip without first.
func checkPaging(op string, skip, first int) error {
	if skip < 0 || first < 0 {
		return fmt.Errorf("axl %s: skip %d and first %d must not be negative", op, skip, first)
	}

	if skip > 0 && first == 0 {
		return fmt.Errorf("axl %s: skip %d needs first: UCM ignores skip without first", op, skip)
	}

	return nil
}

// pagingElements returns the skip and first elements of a list request, nil when not sent.
func pagingElements(skip, first int) (*int, *int) {
	if first == 0 {
		return nil, nil
	}

	if skip == 0 {
		return nil, &first
	}

	return &skip, &first
}

// parseBool reads an AXL boolean (t, f, true, false, 0 or 1). It returns nil for an empty or
// unknown value, so a field that UCM did not return stays unset.
func parseBool(s string) *bool {
	switch strings.TrimSpace(s) {
	case "t", "true", "1":
		value := true

		return &value
	case "f", "false", "0":
		value := false

		return &value
	default:
		return nil
	}
}

// parseMilliseconds reads an AXL integer of milliseconds; an empty or invalid value is 0.
func parseMilliseconds(s string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}

	return time.Duration(n) * time.Millisecond
}

// boolTag is a returned tag whose schema type is boolean. The schema rejects an empty boolean,
// so the tag is sent as <name>true</name>; UCM reads only the names of returned tags.
//
// NOTE: that UCM ignores the value of a returned tag has not been checked against a real UCM.
type boolTag struct{}

// MarshalXML writes the tag with the value true.
func (boolTag) MarshalXML(encoder *xml.Encoder, start xml.StartElement) error {
	return encoder.EncodeElement("true", start)
}
