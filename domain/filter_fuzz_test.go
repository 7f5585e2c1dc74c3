package domain

import (
	"strings"
	"testing"
)

// FuzzParseFilter checks that ParseFilter never panics, that a parsed filter returns its input
// from String, and that Matches never panics whatever the candidate holds. `go test` runs it
// on the seeds only; `go test -fuzz FuzzParseFilter ./domain/` searches further.
func FuzzParseFilter(f *testing.F) {
	seeds := []struct{ filter, value string }{
		{"userid=jsmith", "jsmith"},
		{"department=Sales AND title=*Manager*", "Sales"},
		{`department="R and D" and ou=London`, smithDN},
		{`title="Head of \"Ops\""`, `Head of "Ops"`},
		{"ou=*", `cn=x,ou=a\,b,ou=c\2C\C3\A9,dc=y`},
		{"dn=*\\*", `a\`},
		{"mail=[a-z]*?", "[a-z]x?"},
		{"telephoneNumber=+44/20*", "+44/2079"},
		{"userid=\xff", ""},
		{`userid="unterminated`, ""},
		{"userid=a and", ""},
		{"", ""},
		{"ou=\\", "ou=\\"},
		{"lastName=**a**", "\uE000a/"},
	}
	for _, s := range seeds {
		f.Add(s.filter, s.value)
	}

	f.Fuzz(func(t *testing.T, text, value string) {
		filter, err := ParseFilter(text)
		if err != nil {
			return
		}

		if filter.String() != text {
			t.Errorf("ParseFilter(%q).String() = %q, want the input", text, filter.String())
		}
		if len(filter.Terms) == 0 {
			t.Errorf("ParseFilter(%q) returned no terms and no error", text)
		}
		for _, term := range filter.Terms {
			if term.Pattern == "" {
				t.Errorf("ParseFilter(%q) returned an empty pattern for %s", text, term.Attribute)
			}
			if term.Attribute == "ou" {
				continue
			}
			// '*' may match nothing, so the pattern without its stars is a value it matches.
			literal := strings.ReplaceAll(term.Pattern, "*", "")
			own := Candidate{DN: literal, Attributes: Attributes{
				UserID: literal, FirstName: literal, LastName: literal, Mail: literal,
				TelephoneNumber: literal, Department: literal, Title: literal,
			}}
			single := Filter{Terms: []FilterTerm{term}}
			if !single.Matches(own) {
				t.Errorf("term %s=%q does not match the value %q", term.Attribute, term.Pattern,
					literal)
			}
		}

		c := Candidate{
			DN: value,
			Attributes: Attributes{
				UserID: value, FirstName: value, LastName: value, Mail: value,
				TelephoneNumber: value, Department: value, Title: value,
			},
		}
		filter.Matches(c)
		OrganizationalUnits(value)
	})
}
