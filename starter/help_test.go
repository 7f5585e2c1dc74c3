package starter

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// valueName matches what a flag's value placeholder may be when its usage backquotes one, as
// pflag.UnquoteUsage takes the first backquoted text for it: an upper-case name such as FILE
// or CUSTOMER/SITE, or lower-case choices such as on|off.
var valueName = regexp.MustCompile(`^([A-Z][A-Z0-9_/.-]*|[a-z0-9]+(\|[a-z0-9]+)+)$`)

// flagLine matches a flag line of rendered help and captures the text between the flag's name
// and the usage, which pflag separates by at least two spaces.
var flagLine = regexp.MustCompile(`^\s+(?:-\w, )?--[\w-]+ (\S.*?)\s{2,}`)

func TestHelpFlagPlaceholders(t *testing.T) {
	for _, path := range commandPaths(NewRootCommand()) {
		help := renderHelp(t, path)
		name := strings.Join(append([]string{"ucmpush"}, path...), " ")

		cmd, _, err := NewRootCommand().Find(path)
		if err != nil {
			t.Fatalf("find %s: %v", name, err)
		}

		visit := func(flag *pflag.Flag) {
			if !strings.Contains(flag.Usage, "`") {
				return
			}
			placeholder, _ := pflag.UnquoteUsage(flag)
			if !valueName.MatchString(placeholder) {
				t.Errorf("%s --help: flag --%s shows %q as its value placeholder because its "+
					"usage backquotes it; reword the usage without backquotes", name, flag.Name,
					placeholder)
			}
		}
		cmd.LocalFlags().VisitAll(visit)
		cmd.InheritedFlags().VisitAll(visit)

		for _, line := range strings.Split(help, "\n") {
			match := flagLine.FindStringSubmatch(line)
			if match != nil && strings.ContainsAny(match[1], " `") {
				t.Errorf("%s --help: flag line has the placeholder %q:\n%s", name, match[1], line)
			}
		}
	}
}

func TestHelpDefaultNotDoubled(t *testing.T) {
	for _, path := range commandPaths(NewRootCommand()) {
		help := renderHelp(t, path)
		name := strings.Join(append([]string{"ucmpush"}, path...), " ")

		for _, line := range strings.Split(help, "\n") {
			if strings.Count(line, "(default") > 1 {
				t.Errorf("%s --help: the flag's usage repeats the default that pflag adds:\n%s",
					name, line)
			}
		}
	}
}

// commandPaths lists the argument paths of every command below root, root itself as an
// empty path first.
func commandPaths(root *cobra.Command) [][]string {
	paths := [][]string{{}}
	var walk func(cmd *cobra.Command, prefix []string)
	walk = func(cmd *cobra.Command, prefix []string) {
		for _, sub := range cmd.Commands() {
			path := append(append([]string{}, prefix...), sub.Name())
			paths = append(paths, path)
			walk(sub, path)
		}
	}
	walk(root, nil)
	return paths
}

// renderHelp runs ucmpush PATH --help in-process and returns what it prints.
func renderHelp(t *testing.T, path []string) string {
	t.Helper()

	root := NewRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append(append([]string{}, path...), "--help"))
	if err := root.Execute(); err != nil {
		t.Fatalf("ucmpush %s --help: %v", strings.Join(path, " "), err)
	}
	if !strings.Contains(out.String(), "Usage:") {
		t.Fatalf("ucmpush %s --help printed no usage:\n%s", strings.Join(path, " "), out.String())
	}
	return out.String()
}

// A set command changes only the flags given, so its help must show neither a default nor a
// required flag.
func TestSetHelpShowsNoDefaults(t *testing.T) {
	for _, path := range [][]string{{"cluster", "set"}, {"site", "set"}} {
		help := renderHelp(t, path)
		flags := help[strings.Index(help, "Flags:"):strings.Index(help, "Global Flags:")]
		for _, bad := range []string{"(default ", "(required)"} {
			if strings.Contains(flags, bad) {
				t.Errorf("ucmpush %s --help shows %q, but a flag left out keeps the setting:\n%s",
					strings.Join(path, " "), bad, flags)
			}
		}
	}
}
