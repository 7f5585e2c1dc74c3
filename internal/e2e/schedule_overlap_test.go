package e2e

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
)

func TestCLISyncFollowsRunningScheduledSync(t *testing.T) {
	s := newStack(t)
	s.useSlowSimulator(200 * time.Millisecond)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustCLI("schedule", "create", s.directory, "--every", "24h", "--paused")
	t.Cleanup(func() { _, _, _ = s.cli("schedule", "delete", s.directory) })

	s.mustCLI("schedule", "trigger", s.directory)
	query := "WorkflowType = 'LdapSyncThenPush' AND UcmpushDirectory = '" + s.directory +
		"' AND ExecutionStatus = 'Running'"
	visible := waitFor(30*time.Second, func() bool {
		resp, err := s.temporal.ListWorkflow(s.ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: envOr("TEMPORAL_NAMESPACE", "default"), Query: query})
		return err == nil && len(resp.GetExecutions()) > 0
	})
	if !visible {
		t.Fatal("the scheduled sync did not show as running within 30 s")
	}
	_, errOut, err := s.cli("sync", s.directory, "--wait")

	if err != nil {
		t.Fatalf("sync during a scheduled sync: %v", err)
	}
	if !strings.Contains(errOut, "A scheduled sync of directory "+s.directory+" is running") {
		t.Errorf("sync did not follow the scheduled run; stderr:\n%s", errOut)
	}
	if n := s.sim.Stats().Requests["addUser"]; n != 3 {
		t.Errorf("simulator received %d addUser, want 3: one sync, not two", n)
	}
}
