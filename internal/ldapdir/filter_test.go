package ldapdir

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestEqualityFilter(t *testing.T) {
	tests := []struct {
		attr, value string
		want        string
	}{
		{"uid", "jdoe", "(uid=jdoe)"},
		{"uid", "*)(uid=*", `(uid=\2a\29\28uid=\2a)`},
		{"cn", `back\slash`, `(cn=back\5cslash)`},
		{"cn", "nul\x00byte", `(cn=nul\00byte)`},
		{"sn", "Núñez", `(sn=N\c3\ba\c3\b1ez)`},
		{"mail", "", "(mail=)"},
	}
	for _, tt := range tests {
		got := EqualityFilter(tt.attr, tt.value)
		if got != tt.want {
			t.Errorf("EqualityFilter(%q, %q) = %q, want %q", tt.attr, tt.value, got, tt.want)
		}
		if _, err := ldap.CompileFilter(got); err != nil {
			t.Errorf("EqualityFilter(%q, %q) = %q does not compile: %v", tt.attr, tt.value, got, err)
		}
	}
}
