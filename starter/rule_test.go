package starter

import (
	"bytes"
	"strings"
	"testing"
)

func TestRuleSelectorEmptyFilter(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"users move empty filter", []string{"users", "move", "acme/paris", "--filter", ""},
			[]string{"empty --filter", "attribute=pattern", "--filter 'ou=Paris'", "telephoneNumber"}},
		{"users move blank filter", []string{"users", "move", "acme/paris", "--filter", "  "},
			[]string{"empty --filter"}},
		{"rule add empty filter", []string{"rule", "add", "acme/paris", "--filter", ""},
			[]string{"empty --filter", "attribute=pattern"}},
		{"users move empty username", []string{"users", "move", "acme/paris", "--username", ""},
			[]string{"missing userids"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No store is reached: the selector is checked before the site is looked up.
			t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
			root := NewRootCommand()
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetErr(&out)
			root.SetArgs(tt.args)

			err := root.Execute()
			if err == nil {
				t.Fatalf("ucmpush %s succeeded, want an error", strings.Join(tt.args, " "))
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(tt.args[len(tt.args)-2], "filter") &&
				strings.Contains(err.Error(), "missing userids") {
				t.Errorf("error %q blames userids for an empty --filter", err)
			}
		})
	}
}
