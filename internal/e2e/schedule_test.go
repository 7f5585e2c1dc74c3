package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/ucmpush/ucmpush/workflows"
)

// scheduleView is one entry of `ucmpush schedule list -o json`.
type scheduleView struct {
	ID        string      `json:"id"`
	Directory string      `json:"directory"`
	Spec      string      `json:"spec"`
	Paused    bool        `json:"paused"`
	Note      string      `json:"note"`
	NextRuns  []time.Time `json:"nextRuns"`
	Running   []string    `json:"running"`
	LastRun   *struct {
		WorkflowID string    `json:"workflowID"`
		RunID      string    `json:"runID"`
		Started    time.Time `json:"started"`
		Result     string    `json:"result"`
	} `json:"lastRun"`
	Actions             int `json:"actions"`
	SkippedOverlap      int `json:"skippedOverlap"`
	MissedCatchupWindow int `json:"missedCatchupWindow"`
}

// schedule returns the test directory's schedule as `schedule list DIRECTORY` shows it.
func (s *stack) schedule() scheduleView {
	s.t.Helper()
	out := s.mustCLI("schedule", "list", s.directory, "-o", "json")
	var views []scheduleView
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		s.t.Fatalf("schedule list -o json: %v\n%s", err, out)
	}
	if len(views) != 1 || views[0].ID != "sync/"+s.directory {
		s.t.Fatalf("schedule list %s returned %+v, want the one schedule sync/%s", s.directory,
			views, s.directory)
	}
	return views[0]
}

// deleteScheduleAtEnd deletes the test directory's schedule when the test ends, so a failed
// test leaves no schedule behind in the shared namespace.
func (s *stack) deleteScheduleAtEnd() {
	s.t.Cleanup(func() { _, _, _ = s.cli("schedule", "delete", s.directory) })
}

var startedSync = regexp.MustCompile(`Sync started: workflow (\S+), run (\S+)`)

// startedWorkflow returns the workflow ID and run ID that a trigger printed.
func startedWorkflow(t *testing.T, out string) (string, string) {
	t.Helper()
	m := startedSync.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output names no started sync:\n%s", out)
	}
	return m[1], m[2]
}

func TestScheduleLifecycle(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()...)
	s.deleteScheduleAtEnd()
	id := "sync/" + s.directory

	out := s.mustCLI("schedule", "create", s.directory, "--every", "1h", "--note", "e2e hourly")
	for _, want := range []string{"Schedule " + id + " created", "every 1h", "Next sync at"} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule create output lacks %q:\n%s", want, out)
		}
	}
	created := time.Now()
	v := s.schedule()
	if v.Spec != "every 1h" || v.Paused || v.Note != "e2e hourly" || v.Actions != 0 || v.LastRun != nil {
		t.Errorf("new schedule %+v, want every 1h, active, the note, no run", v)
	}
	if len(v.NextRuns) == 0 || !v.NextRuns[0].After(created.Add(-time.Second)) ||
		v.NextRuns[0].After(created.Add(time.Hour)) {
		t.Errorf("next runs %v, want the first within the next hour", v.NextRuns)
	}

	out = s.mustCLI("schedule", "trigger", s.directory, "--wait")
	workflowID, runID := startedWorkflow(t, out)
	if !strings.HasPrefix(workflowID, workflows.SyncWorkflowID(s.directory)+"-") {
		t.Errorf("scheduled sync has workflow ID %s, want sync/%s-TIME", workflowID, s.directory)
	}
	for _, want := range []string{"5 entries read", s.customer + "/london"} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule trigger --wait output lacks %q:\n%s", want, out)
		}
	}
	if n := len(s.sim.Users()); n != 3 {
		t.Errorf("simulator holds %d users after the scheduled sync, want london's 3", n)
	}
	s.expectSearchAttributes(workflowID, runID)

	v = s.schedule()
	if v.LastRun == nil || v.LastRun.WorkflowID != workflowID || v.LastRun.Result != "succeeded" {
		t.Errorf("last run %+v, want %s succeeded", v.LastRun, workflowID)
	}
	if v.Actions != 1 {
		t.Errorf("schedule counts %d actions, want 1", v.Actions)
	}
	if table := s.listedSchedule(id); !strings.Contains(table, "succeeded") ||
		!strings.Contains(table, "active") {
		t.Errorf("schedule list row %q lacks active and succeeded", table)
	}

	s.mustCLI("schedule", "pause", s.directory, "--note", "directory maintenance")
	v = s.schedule()
	if !v.Paused || v.Note != "directory maintenance" || len(v.NextRuns) != 0 {
		t.Errorf("paused schedule %+v, want paused with the note and no next run", v)
	}
	s.mustCLI("schedule", "resume", s.directory)
	if v = s.schedule(); v.Paused || len(v.NextRuns) == 0 {
		t.Errorf("resumed schedule %+v, want active with a next run", v)
	}

	out = s.mustCLI("schedule", "delete", s.directory)
	if !strings.Contains(out, "Schedule "+id+" deleted") {
		t.Errorf("schedule delete output: %s", out)
	}
	if _, _, err := s.cli("schedule", "list", s.directory); err == nil ||
		!strings.Contains(err.Error(), "not found") {
		t.Errorf("schedule list of a deleted schedule: error %v, want not found", err)
	}
	if out := s.mustCLI("schedule", "list"); strings.Contains(out, id+" ") {
		t.Errorf("schedule list still shows the deleted %s:\n%s", id, out)
	}
}

// listedSchedule returns the row of id in the table of every schedule. That list comes from
// Temporal's visibility store, so it may lag behind a change by a moment.
func (s *stack) listedSchedule(id string) string {
	s.t.Helper()
	var row string
	waitFor(10*time.Second, func() bool {
		out, _, err := s.cli("schedule", "list")
		for _, line := range strings.Split(out, "\n") {
			if err == nil && strings.HasPrefix(line, id+" ") {
				row = line
				return true
			}
		}
		return false
	})
	if row == "" {
		s.t.Fatalf("schedule list shows no row for %s within 10 s", id)
	}
	return row
}

// expectSearchAttributes finds the scheduled run by the search attributes the CLI sets, as
// the Web UI would.
func (s *stack) expectSearchAttributes(workflowID, runID string) {
	s.t.Helper()
	query := fmt.Sprintf(`WorkflowId = %q AND UcmpushDirectory = %q AND UcmpushCustomer = %q `+
		`AND UcmpushTrigger = "sync" AND UcmpushOutcome = "succeeded"`, workflowID, s.directory,
		s.customer)
	found := waitFor(10*time.Second, func() bool {
		resp, err := s.temporal.ListWorkflow(s.ctx, listRequest(query))
		return err == nil && len(resp.GetExecutions()) == 1 &&
			resp.GetExecutions()[0].GetExecution().GetRunId() == runID
	})
	if !found {
		s.t.Errorf("no run matches %s within 10 s", query)
	}
}

// TestScheduleBuffersOneOverlappingSync triggers the schedule three times while its
// first sync pushes to a slow simulator: the second start must wait for the first to end and
// the third must be dropped and counted. A trigger while a `ucmpush sync` runs is rejected.
func TestScheduleBuffersOneOverlappingSync(t *testing.T) {
	s := newStack(t)
	s.useSlowSimulator(250 * time.Millisecond)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonPeople(8)...)
	s.deleteScheduleAtEnd()
	s.mustCLI("schedule", "create", s.directory, "--every", "24h", "--paused")

	first, _ := startedWorkflow(t, s.mustCLI("schedule", "trigger", s.directory))
	var outs []string
	for range 2 {
		// Scheduled workflow IDs end in the second of the start, so triggers a second apart
		// get IDs of their own.
		time.Sleep(1100 * time.Millisecond)
		outs = append(outs, s.mustCLI("schedule", "trigger", s.directory))
	}
	for _, out := range outs {
		if !strings.Contains(out, "A scheduled sync runs (workflow "+first+")") {
			t.Errorf("trigger while %s runs: output lacks the running sync:\n%s", first, out)
		}
	}

	var v scheduleView
	done := waitFor(60*time.Second, func() bool {
		v = s.schedule()
		return v.Actions == 2 && len(v.Running) == 0
	})
	if !done {
		t.Fatalf("schedule after three triggers: %+v, want 2 syncs done within 60 s", v)
	}
	if v.SkippedOverlap != 1 {
		t.Errorf("schedule counts %d skipped starts, want 1: the third trigger", v.SkippedOverlap)
	}
	second := v.LastRun.WorkflowID
	if second == first || v.LastRun.Result != "succeeded" {
		t.Errorf("last run %+v, want a second sync after %s that succeeded", v.LastRun, first)
	}
	s.expectSequential(first, second)

	rejectTriggerBesideCLISync(t, s)
}

// expectSequential checks that the run of second started once the run of first had closed.
func (s *stack) expectSequential(first, second string) {
	s.t.Helper()
	a, err := s.temporal.DescribeWorkflowExecution(s.ctx, first, "")
	if err != nil {
		s.t.Fatalf("describe %s: %v", first, err)
	}
	b, err := s.temporal.DescribeWorkflowExecution(s.ctx, second, "")
	if err != nil {
		s.t.Fatalf("describe %s: %v", second, err)
	}
	closed := a.GetWorkflowExecutionInfo().GetCloseTime().AsTime()
	started := b.GetWorkflowExecutionInfo().GetStartTime().AsTime()
	if started.Before(closed) {
		s.t.Errorf("%s started at %s, before %s closed at %s: two syncs ran at once", second,
			started.Format(time.RFC3339Nano), first, closed.Format(time.RFC3339Nano))
	}
}

func rejectTriggerBesideCLISync(t *testing.T, s *stack) {
	t.Helper()
	s.mustCLI("sync", s.directory)
	_, _, err := s.cli("schedule", "trigger", s.directory)
	if err == nil || !strings.Contains(err.Error(), "started by `ucmpush sync` runs") {
		t.Errorf("trigger while `ucmpush sync` runs: error %v, want a rejection", err)
	}
	run := s.temporal.GetWorkflow(s.ctx, workflows.SyncWorkflowID(s.directory), "")
	if err := run.Get(s.ctx, nil); err != nil {
		t.Errorf("the CLI sync failed: %v", err)
	}
}

func TestScheduleRejectsBadInput(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.deleteScheduleAtEnd()
	s.mustCLI("schedule", "create", s.directory, "--every", "1h")
	missing := "nope-" + s.suffix

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown directory", []string{"create", missing, "--every", "1h"},
			fmt.Sprintf("directory %q not found", missing)},
		{"schedule exists", []string{"create", s.directory, "--every", "2h"}, "already exists"},
		{"interval without unit", []string{"create", s.directory, "--every", "60"}, `invalid --every "60"`},
		{"interval with bad unit", []string{"create", s.directory, "--every", "5x"}, `invalid --every "5x"`},
		{"interval too short", []string{"create", s.directory, "--every", "10s"}, "at least 1m0s"},
		{"negative interval", []string{"create", s.directory, "--every", "-1h"}, `invalid --every "-1h"`},
		{"cron for unknown directory", []string{"create", missing, "--cron", "61 * * * *"},
			fmt.Sprintf("directory %q not found", missing)},
		{"cron out of range", []string{"create", s.directory, "--cron", "61 * * * *"},
			`invalid --cron "61 * * * *": Minute is not in range [0-59]`},
		{"cron with four fields", []string{"create", s.directory, "--cron", "0 * * *"}, "5-7 fields"},
		{"cron interval", []string{"create", s.directory, "--cron", "@every 10s"}, "use --every"},
		{"interval and cron", []string{"create", s.directory, "--every", "1h", "--cron", "0 * * * *"},
			"none of the others"},
		{"no time", []string{"create", s.directory}, "at least one of the flags"},
		{"bad directory name", []string{"pause", "a/b"}, `invalid directory name "a/b"`},
		{"pause without schedule", []string{"pause", missing}, "schedule sync/" + missing + " not found"},
		{"resume without schedule", []string{"resume", missing}, "not found"},
		{"trigger without schedule", []string{"trigger", missing}, "not found"},
		{"delete without schedule", []string{"delete", missing}, "not found"},
		{"list without schedule", []string{"list", missing}, "not found"},
	}
	for _, c := range cases {
		_, _, err := s.cli(append([]string{"schedule"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: schedule %s: error %v, want one containing %q", c.name,
				strings.Join(c.args, " "), err, c.want)
		}
	}

	if v := s.schedule(); v.Spec != "every 1h" {
		t.Errorf("a rejected create changed the schedule: %+v", v)
	}
}

func listRequest(query string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: envOr("TEMPORAL_NAMESPACE", "default"), Query: query}
}
