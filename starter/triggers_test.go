package starter

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/workflows"
)

// runCLI runs the command tree in-process with args and returns its output and error.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := NewRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestTriggerCommandsOfferDryRun(t *testing.T) {
	for _, args := range [][]string{
		{"users", "move", "--help"},
		{"users", "add", "--help"},
		{"site", "set", "--help"},
		{"ndl", "set", "--help"},
	} {
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("ucmpush %s: %v", strings.Join(args, " "), err)
		}
		if !strings.Contains(out, "--dry-run") {
			t.Errorf("ucmpush %s lists no --dry-run flag:\n%s", strings.Join(args, " "), out)
		}
		if !strings.Contains(out, "rolled back") {
			t.Errorf("ucmpush %s does not say how a dry run writes nothing:\n%s",
				strings.Join(args, " "), out)
		}
	}
}

func TestSiteSetDryRunRejectsOtherChanges(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"site", "set", "acme/london", "--dry-run", "--confirm-above", "5"}, "give --ndl NAME"},
		{[]string{"site", "set", "acme/london", "--dry-run", "--ndl", "ndl-lab", "--auto-push=on"},
			"--ndl alone"},
		{[]string{"site", "set", "acme/london", "--dry-run", "--ndl", "ndl-lab", "--confirm-above", "5"},
			"--ndl alone"},
	}
	for _, c := range cases {
		// An unreachable store makes the test fail loudly if validation lets the command through.
		_, err := runCLI(t, append(c.args, "--database-url", "postgres://nobody@127.0.0.1:1/none")...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ucmpush %s: error %v, want one containing %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// dryRunResult is a move's dry run: london would add alice and update bob, paris has auto
// push off, and 3 users would stay on their old cluster.
func dryRunResult() workflows.TriggerResult {
	return workflows.TriggerResult{
		Trigger: workflows.TriggerMoved, DryRun: true, Change: "move alice, bob to acme/london",
		Unserved: 4,
		Sites: []workflows.SiteResult{
			{Site: "acme/london", AutoPush: true, Cluster: "ucm-lab", Users: 12, Moved: 2,
				LeftOnOldCluster: 3,
				Push: &workflows.PushSiteResult{Site: "acme/london", Cluster: "ucm-lab", Planned: 2,
					Added: 1, Updated: 1, DryRun: true, Preview: []activities.UserPreview{
						{UserID: "alice", Action: "add"},
						{UserID: "bob", Action: "update", Fields: []string{"firstName=Bob"}},
					}}},
			{Site: "acme/paris", Cluster: "ucm-lab", Users: 3, NotPushed: "auto push is off"},
		},
	}
}

func TestPrintTriggerDryRunListsUsers(t *testing.T) {
	var out bytes.Buffer
	a := &app{out: &out, output: "table"}
	if err := a.printTriggerResult(dryRunResult()); err != nil {
		t.Fatalf("print dry run: %v", err)
	}
	for _, want := range []string{
		"Dry run, nothing was written: move alice, bob to acme/london.",
		"4 users would stay on a UCM cluster",
		"3 moved users would stay on their old cluster",
		"auto push is off",
		"of 2 planned users, 1 would be added, 1 updated, 0 left unchanged, 0 refused",
		"  add alice\n",
		"  update bob: firstName=Bob\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "Done:") {
		t.Errorf("dry-run output reads like a real run:\n%s", out.String())
	}
}

func TestTriggerDryRunRefusalNoError(t *testing.T) {
	r := dryRunResult()
	r.Sites[0].Push.Failed = 1
	r.Sites[0].Push.Preview = append(r.Sites[0].Push.Preview,
		activities.UserPreview{UserID: "carol", Action: "refuse", Reason: "userid already on this cluster for beta/carol"})
	var out bytes.Buffer
	a := &app{out: &out, output: "table"}
	if err := a.printTriggerResult(r); err != nil {
		t.Errorf("dry run with a refused user returned %v, want nil: a refusal is part of the plan", err)
	}
	if !strings.Contains(out.String(), "refuse carol (userid already on this cluster for beta/carol)") {
		t.Errorf("dry-run output lacks the refusal:\n%s", out.String())
	}
}

func TestPrintTriggerDryRunUnreadableCluster(t *testing.T) {
	r := dryRunResult()
	r.Sites[0].Push.Error = "dry run could not read UCM cluster ucm-lab: connection refused"
	for _, output := range []string{"table", "json"} {
		var out bytes.Buffer
		a := &app{out: &out, output: output}
		err := a.printTriggerResult(r)
		if err == nil || !strings.Contains(err.Error(), "acme/london is incomplete") {
			t.Errorf("-o %s: error %v, want the incomplete site named", output, err)
		}
	}
}
