package axlsim

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// lineKey identifies a line: its pattern as stored, with \+ for a leading +, and its
// partition. The simulator compares both exactly and does not check that the partition
// exists.
type lineKey struct {
	pattern   string
	partition string
}

func keyOfLine(l axl.Line) lineKey {
	return lineKey{pattern: l.Pattern, partition: l.RoutePartitionName}
}

func keyOfExtension(e axl.Extension) lineKey {
	return lineKey{pattern: e.Pattern, partition: e.RoutePartitionName}
}

func compareLines(a, b lineKey) int {
	return cmp.Or(cmp.Compare(a.pattern, b.pattern), cmp.Compare(a.partition, b.partition))
}

// Lines returns a copy of every line, sorted by pattern and partition. Patterns are as UCM
// stores them: an E.164 number starts with \+ (see [axl.EscapePattern]).
func (s *Server) Lines() []axl.Line {
	s.mu.Lock()
	defer s.mu.Unlock()

	keys := slices.SortedFunc(maps.Keys(s.lines), compareLines)

	lines := make([]axl.Line, 0, len(keys))
	for _, key := range keys {
		lines = append(lines, s.lines[key])
	}

	return lines
}

// lineUsage is the only usage the simulator models: directory numbers of devices.
const lineUsage = "Device"

func (s *Server) addLine(element *node) ([]byte, error) {
	n := element.child("line")

	if usage, ok := n.value("usage"); ok && usage != lineUsage {
		return nil, clientFault("axlsim models lines of usage " + lineUsage + " only, not " + usage)
	}

	l := axl.Line{}
	l.Pattern, _ = n.value("pattern")
	l.Description, _ = n.value("description")
	l.RoutePartitionName, _ = n.value("routePartitionName")
	l.AlertingName, _ = n.value("alertingName")
	l.ASCIIAlertingName, _ = n.value("asciiAlertingName")
	l.ShareLineAppearanceCSSName, _ = n.value("shareLineAppearanceCssName")

	if strings.TrimSpace(l.Pattern) == "" {
		return nil, clientFault(invalidPrefix + "pattern must not be empty")
	}

	if err := checkAlertingNames(l); err != nil {
		return nil, err
	}

	key := keyOfLine(l)
	if _, exists := s.lines[key]; exists {
		return nil, duplicateFault()
	}

	l.UUID = newUUID()
	s.lines[key] = l
	s.stats.Writes++

	return returnValue(l.UUID), nil
}

// checkAlertingNames applies the schema's limits: alertingName is a String50, and
// asciiAlertingName a String32 that UCM restricts to ASCII.
func checkAlertingNames(l axl.Line) error {
	if err := checkMaxLength("alertingName", l.AlertingName, 50); err != nil {
		return err
	}

	if err := checkMaxLength("asciiAlertingName", l.ASCIIAlertingName, 32); err != nil {
		return err
	}

	for _, r := range l.ASCIIAlertingName {
		if r > 127 {
			return invalidFault("asciiAlertingName %s contains the non-ASCII character %q",
				l.ASCIIAlertingName, r)
		}
	}

	return nil
}

// lookupLine returns the key of the line that the uuid, or the pattern and
// routePartitionName, children of element name.
func (s *Server) lookupLine(element *node) (lineKey, error) {
	pattern, hasPattern := element.value("pattern")
	uuid, hasUUID := element.value("uuid")

	switch {
	case hasPattern && hasUUID:
		return lineKey{}, schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with " +
			"element 'pattern'. Send either uuid or pattern and routePartitionName.")
	case hasPattern:
		partition, _ := element.value("routePartitionName")
		key := lineKey{pattern: pattern, partition: partition}

		if _, ok := s.lines[key]; !ok {
			return lineKey{}, missingFault(lineName(pattern, partition))
		}

		return key, nil
	case hasUUID:
		for key, l := range s.lines {
			if strings.EqualFold(l.UUID, uuid) {
				return key, nil
			}
		}

		return lineKey{}, missingFault("Line")
	default:
		return lineKey{}, schemaErrorf("cvc-complex-type.2.4.b: The content of element '%s' is not "+
			"complete. One of '{\"\":uuid, \"\":pattern}' is expected.", element.name.Local)
	}
}

func (s *Server) getLine(element *node) ([]byte, error) {
	key, err := s.lookupLine(element)
	if err != nil {
		return nil, err
	}

	return returnElements(lineOut(s.lines[key]).only(returnedTags(element))), nil
}

// lineOut is a line in getLine and listLine responses, in RLine and LLine order.
func lineOut(l axl.Line) outElement {
	e := complexOut("line",
		textOut("pattern", l.Pattern),
		textOut("description", l.Description),
		textOut("usage", lineUsage),
		textOut("routePartitionName", l.RoutePartitionName),
		textOut("alertingName", l.AlertingName),
		textOut("asciiAlertingName", l.ASCIIAlertingName),
		textOut("shareLineAppearanceCssName", l.ShareLineAppearanceCSSName),
	)
	e.uuid = l.UUID

	return e
}

func (s *Server) updateLine(element *node) ([]byte, error) {
	key, err := s.lookupLine(element)
	if err != nil {
		return nil, err
	}

	l := s.lines[key]
	fields := map[string]*string{
		"description":                &l.Description,
		"alertingName":               &l.AlertingName,
		"asciiAlertingName":          &l.ASCIIAlertingName,
		"shareLineAppearanceCssName": &l.ShareLineAppearanceCSSName,
	}

	for name, field := range fields {
		if value, ok := element.value(name); ok {
			*field = value
		}
	}

	if err := checkAlertingNames(l); err != nil {
		return nil, err
	}

	s.lines[key] = l
	s.stats.Writes++

	return returnValue(l.UUID), nil
}

func (s *Server) removeLine(element *node) ([]byte, error) {
	key, err := s.lookupLine(element)
	if err != nil {
		return nil, err
	}

	uuid := s.lines[key].UUID
	delete(s.lines, key)
	s.dropLineReferences(key)
	s.stats.Writes++

	return returnValue(uuid), nil
}

func (s *Server) listLine(element *node) ([]byte, error) {
	criteria := element.child("searchCriteria")
	if len(criteria.children) == 0 {
		return nil, clientFault("searchCriteria is empty: set at least one of pattern, description, " +
			"usage or routePartitionName")
	}

	skip, first, err := paging(element)
	if err != nil {
		return nil, err
	}

	var matches []outElement

	for _, key := range slices.SortedFunc(maps.Keys(s.lines), compareLines) {
		l := s.lines[key]
		fields := map[string]string{
			"pattern":            l.Pattern,
			"description":        l.Description,
			"usage":              lineUsage,
			"routePartitionName": l.RoutePartitionName,
		}

		if matchesAll(criteria, fields) {
			matches = append(matches, lineOut(l).only(tagNames(element.child("returnedTags"))))
		}
	}

	if first >= 0 {
		matches = page(matches, skip, first)
	}

	return returnElements(matches...), nil
}

// matchesAll reports whether every criterion matches its field with like. Patterns and
// names match case-sensitively, and a backslash is an ordinary character.
func matchesAll(criteria *node, fields map[string]string) bool {
	for _, c := range criteria.children {
		if !like(c.text, fields[c.name.Local]) {
			return false
		}
	}

	return true
}
