package ldapdir

import (
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
)

// TestMapEntryRejectsCharactersXMLCannotCarry covers values that are valid UTF-8 without NUL
// bytes but hold characters that XML 1.0 does not allow, even as character references: C0
// controls other than tab, line feed and carriage return, and U+FFFE and U+FFFF. AXL is XML,
// so such a value cannot reach UCM unchanged; Go's encoding/xml replaces each with U+FFFD,
// which alters the user on UCM without a word. The entry must be invalid, naming the attribute.
func TestMapEntryRejectsCharactersXMLCannotCarry(t *testing.T) {
	tests := []struct {
		name, attribute, value string
	}{
		{name: "ANSI escape in last name", attribute: "sn", value: "Red\x1b[31m"},
		{name: "bell in first name", attribute: "givenName", value: "Bell\x07"},
		{name: "control in userid", attribute: "uid", value: "j\x01doe"},
		{name: "noncharacter U+FFFE in title", attribute: "title", value: "Non\uFFFEchar"},
		{name: "noncharacter U+FFFF in mail", attribute: "mail", value: "a\uFFFF@example.com"},
		{name: "vertical tab in department", attribute: "departmentNumber", value: "R\x0bD"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ldap.NewEntry("uid=jdoe,dc=example", person(map[string][]string{tt.attribute: {tt.value}}))

			got := MapEntry(e, domain.DefaultOpenLDAPMapping())

			if got.Invalid == "" {
				t.Fatalf("entry with %s %q is valid, want invalid", tt.attribute, tt.value)
			}

			if !strings.Contains(got.Invalid, tt.attribute) {
				t.Errorf("invalid reason %q does not name %s", got.Invalid, tt.attribute)
			}
		})
	}

	// Tab, line feed and carriage return are XML characters, so they are not what this test
	// rejects; a plain value must stay valid.
	plain := MapEntry(ldap.NewEntry("uid=jdoe,dc=example", person(nil)), domain.DefaultOpenLDAPMapping())
	if plain.Invalid != "" {
		t.Errorf("plain entry is invalid: %s", plain.Invalid)
	}
}
