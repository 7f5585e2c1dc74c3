package axlsim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// Faults of the device, line and feature rules. The codes are those of the database errors
// that UCM passes through: 5007 for a missing item, -239 for a duplicate key, 5003 for an
// invalid value.
//
// NOTE: -746 (a rule raised by a database procedure) for device rules and -692 (a key still
// referenced) are plausible codes that have not been checked against a real UCM, and neither
// have the messages of any of these faults.
const (
	codeRuleViolation    = -746
	codeStillReferenced  = -692
	invalidPrefix        = "Item not valid: "
	maxDeviceProfileName = 50
)

// missingFault is a 5007 fault for a missing item named in a request, such as "Line" or
// "Device SEP001122334455".
func missingFault(item string) error {
	return axlFault(axl.CodeNotFound, invalidPrefix+"The specified "+item+" was not found")
}

func lineName(pattern, partition string) string {
	if partition == "" {
		return "Line " + pattern + " in the null partition"
	}

	return "Line " + pattern + " in partition " + partition
}

func invalidFault(format string, args ...any) error {
	return axlFault(axl.CodeInvalid, invalidPrefix+fmt.Sprintf(format, args...))
}

func ruleFault(format string, args ...any) error {
	return axlFaultf(codeRuleViolation, format, args...)
}

func axlFaultf(code int, format string, args ...any) error {
	return axlFault(code, fmt.Sprintf(format, args...))
}

// boolValue reads an AXL boolean child of n, or fallback when the child is absent.
func boolValue(n *node, name string, fallback bool) (bool, error) {
	value, ok := n.value(name)
	if !ok {
		return fallback, nil
	}

	switch strings.TrimSpace(value) {
	case "t", "true", "1":
		return true, nil
	case "f", "false", "0":
		return false, nil
	default:
		return false, schemaErrorf("cvc-pattern-valid: Value '%s' of element '%s' is not facet-valid "+
			"with respect to pattern '(t)|(f)|(true)|(false)|(0)|(1)' for type 'boolean'.", value, name)
	}
}

// optionalBool reads an AXL boolean child of n into a pointer, nil when the child is absent.
func optionalBool(n *node, name string) (*bool, error) {
	if n.child(name) == nil {
		return nil, nil
	}

	value, err := boolValue(n, name, false)

	return &value, err
}

// intValue reads an AXL integer child of n, or fallback when the child is absent or empty.
func intValue(n *node, name string, fallback int) (int, error) {
	value, ok := n.value(name)
	if !ok || strings.TrimSpace(value) == "" {
		return fallback, nil
	}

	i, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil {
		return 0, schemaErrorf("cvc-datatype-valid.1.2.3: '%s' is not a valid value of union type "+
			"'XInteger' in element '%s'.", value, name)
	}

	return i, nil
}

// checkMaxLength rejects a value longer than the schema's maxLength, counted in characters.
func checkMaxLength(name, value string, limit int) error {
	if n := len([]rune(value)); n > limit {
		return schemaErrorf("cvc-maxLength-valid: Value '%s' with length = '%d' is not facet-valid "+
			"with respect to maxLength '%d' for element '%s'.", value, n, limit, name)
	}

	return nil
}
