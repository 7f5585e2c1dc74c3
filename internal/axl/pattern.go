package axl

import "strings"

// UCM stores a directory number that starts with + with the plus escaped, as \+4420..., because
// + is a wildcard in route patterns. The client's types hold the plain form, +4420..., and
// every request and response converts at the wire.

// EscapePattern returns the form in which UCM stores pattern: a leading + becomes \+. A pattern
// that is already escaped, or that does not start with +, is returned unchanged.
func EscapePattern(pattern string) string {
	if strings.HasPrefix(pattern, "+") {
		return `\` + pattern
	}

	return pattern
}

// UnescapePattern returns the plain form of a pattern that UCM returned: a leading \+ becomes
// +. Other patterns are returned unchanged.
func UnescapePattern(pattern string) string {
	if rest, ok := strings.CutPrefix(pattern, `\+`); ok {
		return "+" + rest
	}

	return pattern
}
