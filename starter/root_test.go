package starter

import (
	"bytes"
	"strings"
	"testing"
)

func TestHelpHidesDatabasePassword(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://ucmpush:s3cret-pw@127.0.0.1:5432/ucmpush")
	for _, args := range [][]string{{"--help"}, {"users", "list", "--help"}} {
		root := NewRootCommand()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("ucmpush %s: %v", strings.Join(args, " "), err)
		}
		if strings.Contains(out.String(), "s3cret-pw") {
			t.Errorf("ucmpush %s prints the database password:\n%s", strings.Join(args, " "), out.String())
		}
		if !strings.Contains(out.String(), "DATABASE_URL") {
			t.Errorf("ucmpush %s does not name DATABASE_URL in its help", strings.Join(args, " "))
		}
	}
}
