package starter

import (
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
)

func TestValidateManualUserAsSyncDoes(t *testing.T) {
	tests := []struct {
		name  string
		attrs domain.Attributes
		want  string // a part of the error; "" for a valid user
	}{
		{name: "valid non-Latin userid", attrs: domain.Attributes{UserID: "nakamura.中村", LastName: "中村"}},
		{name: "space inside the userid", attrs: domain.Attributes{UserID: "a b", LastName: "B"},
			want: `invalid user: --userid "a b" contains a space`},
		{name: "slash in the userid", attrs: domain.Attributes{UserID: "a/b", LastName: "B"},
			want: "invalid --userid"},
		{name: "last name of 500 characters",
			attrs: domain.Attributes{UserID: "long", LastName: strings.Repeat("x", 500)},
			want:  "--last-name is 500 characters, longer than the 64 UCM accepts"},
		{name: "missing last name", attrs: domain.Attributes{UserID: "bob"},
			want: "missing --last-name"},
		{name: "line break in the title",
			attrs: domain.Attributes{UserID: "bob", LastName: "B", Title: "a\nb"},
			want:  "--title contains a tab or line break"},
	}
	for _, tt := range tests {
		err := validateManualUser(tt.attrs)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: validateManualUser = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: validateManualUser = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
