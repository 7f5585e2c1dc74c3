package e2e

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/workflows"
)

// failOneUser syncs london's three people with the first addUser faulted, so one user fails.
func failOneUser(t *testing.T, s *stack) workflows.SiteResult {
	t.Helper()
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.sim.InjectFault("addUser", axlsim.InjectedFault{Code: 5000, Message: "Invalid value", Count: 1})
	london := siteResult(t, s.mustSync(), "london")
	if london.Push == nil || london.Push.Failed != 1 {
		t.Fatalf("sync with one faulted addUser: %+v, want 1 failed", london.Push)
	}
	return london
}

func TestPushRetryFromCLI(t *testing.T) {
	s := newStack(t)
	failOneUser(t, s)
	london := s.customer + "/london"

	out := s.mustCLI("push", "retry", "--site", london, "--wait")

	if !strings.Contains(out, "1 planned, 1 added") {
		t.Errorf("push retry output lacks \"1 planned, 1 added\":\n%s", out)
	}
	if n := len(s.sim.Users()); n != 3 {
		t.Errorf("simulator holds %d users after the retry, want 3", n)
	}

	out = s.mustCLI("push", "retry", "--customer", s.customer, "--userid", "ALICE", "--wait")
	if !strings.Contains(out, "1 planned") || !strings.Contains(out, "1 unchanged") {
		t.Errorf("retry of one user already right: output lacks 1 planned and 1 unchanged:\n%s", out)
	}
	out = s.mustCLI("push", "retry", "--all-failed", "--customer", s.customer, "--wait")
	if !strings.Contains(out, "No site was concerned") {
		t.Errorf("retry with nothing failed left: output lacks \"No site was concerned\":\n%s", out)
	}
}

// TestPushRetryByReset resets a failed push to its first workflow task, as the Web UI's Reset
// does, and expects the new run to push the failed user.
func TestPushRetryByReset(t *testing.T) {
	s := newStack(t)
	london := failOneUser(t, s)

	desc, err := s.temporal.DescribeWorkflowExecution(s.ctx, london.PushWorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.temporal.ResetWorkflowExecution(s.ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace: envOr("TEMPORAL_NAMESPACE", "default"),
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: london.PushWorkflowID,
			RunId: desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()},
		Reason:                    "retry the failed user",
		WorkflowTaskFinishEventId: firstWorkflowTaskCompleted(t, s, london.PushWorkflowID),
		RequestId:                 uuid.NewString(),
	})
	if err != nil {
		t.Fatalf("reset %s: %v", london.PushWorkflowID, err)
	}

	var result workflows.PushSiteResult
	if err := s.temporal.GetWorkflow(s.ctx, london.PushWorkflowID, resp.GetRunId()).Get(s.ctx, &result); err != nil {
		t.Fatalf("reset run: %v", err)
	}
	if result.Planned != 1 || result.Added != 1 || result.Failed != 0 {
		t.Errorf("reset run %+v, want the failed user planned and added", result)
	}
}

func firstWorkflowTaskCompleted(t *testing.T, s *stack, workflowID string) int64 {
	t.Helper()
	iter := s.temporal.GetWorkflowHistory(s.ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if event.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
			return event.GetEventId()
		}
	}
	t.Fatalf("no completed workflow task in %s", workflowID)
	return 0
}
