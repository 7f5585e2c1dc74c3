package ldapdir

import "github.com/go-ldap/ldap/v3"

// EqualityFilter returns the filter (attr=value) with value escaped as RFC 4515 requires, so
// a value taken from user input matches only itself: "*)(uid=*" becomes \2a\29\28uid=\2a.
// attr is not escaped and must be an attribute name chosen by the program, never user input.
func EqualityFilter(attr, value string) string {
	return "(" + attr + "=" + ldap.EscapeFilter(value) + ")"
}
