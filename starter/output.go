package starter

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTable writes a header and rows in aligned columns.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// render prints v as JSON with -o json, otherwise as the table that rows builds.
func (a *app) render(v any, header []string, rows func() [][]string) error {
	if a.output == "json" {
		return printJSON(a.out, v)
	}
	return printTable(a.out, header, rows())
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// urlPathEscape escapes a workflow ID for a Web UI path; IDs contain slashes.
func urlPathEscape(s string) string { return url.PathEscape(s) }

// switchValue is a flag that takes on or off (true and false work too); given alone, as
// --auto-push, it means on.
type switchValue struct{ on *bool }

func (v switchValue) String() string {
	if v.on == nil {
		return "off"
	}
	return onOff(*v.on)
}

func (v switchValue) Set(s string) error {
	switch strings.ToLower(s) {
	case "on", "true":
		*v.on = true
	case "off", "false":
		*v.on = false
	default:
		return fmt.Errorf("invalid value %q: use on or off", s)
	}
	return nil
}

func (v switchValue) Type() string { return "on|off" }

// applyChangedFlags runs the setter of every flag the command line gave, and returns how many
// it ran; a set command uses it to change only what the operator named.
func applyChangedFlags(cmd *cobra.Command, setters map[string]func()) int {
	changed := 0
	for name, set := range setters {
		if cmd.Flags().Changed(name) {
			set()
			changed++
		}
	}
	return changed
}
