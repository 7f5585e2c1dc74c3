package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/store"
)

// stepOrder records the activities a Quick User run calls, in order, as "Name" or
// "Name/step" for the activities that take a step.
type stepOrder struct {
	mu    sync.Mutex
	calls []string
}

func (o *stepOrder) record(name string) func(mock.Arguments) {
	return func(args mock.Arguments) {
		o.mu.Lock()
		defer o.mu.Unlock()
		call := name
		if in, ok := args.Get(1).(activities.QuickUserStepInput); ok {
			call += "/" + in.Step
		}
		o.calls = append(o.calls, call)
	}
}

func (o *stepOrder) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.calls)
}

// quickFixture mocks the activities of ManualQuickUserPush: a check that passes with a plan
// of every feature, steps that succeed unless a test mocks one first, undo and record.
type quickFixture struct {
	env     *testsuite.TestWorkflowEnvironment
	order   *stepOrder
	attrs   *searchAttributeLog
	check   activities.QuickUserCheckResult
	records []store.QuickUserRecord
	mu      sync.Mutex
}

func fullPlan() activities.QuickUserPlan {
	ext := axl.Extension{Pattern: "4001", RoutePartitionName: "Internal_PT"}
	line := axl.PhoneLine{Index: 1, Dirn: ext}
	return activities.QuickUserPlan{
		Site: "acme/london", SiteID: 1, ClusterID: 2, Cluster: "ucm-lab", StoreUserID: 3,
		RunKey: "quick-user/acme/london/alice/run", NumberReserved: true,
		NumberSource: "next free number of range 4000-4999",
		User: activities.QuickUserSpec{MayAdd: true,
			Attributes: domain.Attributes{UserID: "alice", LastName: "Smith"}},
		Line:                     axl.Line{Pattern: "4001", RoutePartitionName: "Internal_PT"},
		DeskPhone:                &axl.Phone{Name: "SEP001122334455", Lines: []axl.PhoneLine{line}},
		Jabber:                   &axl.Phone{Name: "CSFALICE", Lines: []axl.PhoneLine{line}},
		Profile:                  &axl.DeviceProfile{Name: "UDP_alice", Lines: []axl.PhoneLine{line}},
		RemoteDestinationProfile: &axl.RemoteDestinationProfile{Name: "RDP_alice"},
		RemoteDestination:        &axl.RemoteDestination{Destination: "+447700900123"},
		Voicemail:                true,
	}
}

func newQuickFixture(t *testing.T) *quickFixture {
	f := &quickFixture{env: newTestEnv(t), order: &stepOrder{}}
	f.attrs = recordSearchAttributes(f.env)
	f.check = activities.QuickUserCheckResult{Passed: true, Plan: fullPlan(),
		Checks: []store.QuickUserStep{{Name: "site", Status: "passed"}},
		Calls:  []activities.AXLCall{{Operation: "addLine", Name: "4001"}}}
	return f
}

// mockAll mocks the check with the fixture's result, every step with success, undo and
// record. Mocks a test adds before take precedence.
func (f *quickFixture) mockAll() {
	f.env.OnActivity(ucmActs.QuickUserCheck, mock.Anything, mock.Anything).
		Run(f.order.record("QuickUserCheck")).
		Return(func(context.Context, activities.QuickUserCheckInput) (activities.QuickUserCheckResult, error) {
			return f.check, nil
		})
	for name, fn := range map[string]any{
		"QuickUserUser": ucmActs.QuickUserUser, "QuickUserLine": ucmActs.QuickUserLine,
		"QuickUserPhone": ucmActs.QuickUserPhone, "QuickUserProfile": ucmActs.QuickUserProfile,
		"QuickUserRemoteDestination": ucmActs.QuickUserRemoteDestination,
		"QuickUserAssociate":         ucmActs.QuickUserAssociate,
	} {
		f.env.OnActivity(fn, mock.Anything, mock.Anything).Run(f.order.record(name)).
			Return(func(_ context.Context, in activities.QuickUserStepInput) (activities.QuickUserStepResult, error) {
				return activities.QuickUserStepResult{Step: in.Step, Action: activities.QuickUserAdded,
					Calls: []activities.AXLCall{{Operation: "add", Name: in.Step}}, UUID: "{U}"}, nil
			})
	}
	f.env.OnActivity(ucmActs.QuickUserUndo, mock.Anything, mock.Anything).
		Run(f.order.record("QuickUserUndo")).
		Return(func(_ context.Context, in activities.QuickUserStepInput) (activities.QuickUserUndoResult, error) {
			return activities.QuickUserUndoResult{Step: in.Step, Undone: []string{"removed " + in.Step}}, nil
		})
	f.env.OnActivity(storeActs.RecordQuickUser, mock.Anything, mock.Anything).
		Run(func(args mock.Arguments) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.records = append(f.records, args.Get(1).(store.QuickUserRecord))
		}).Return(nil)
}

func (f *quickFixture) run(t *testing.T, dryRun bool) ManualQuickUserPushResult {
	t.Helper()
	f.env.ExecuteWorkflow(ManualQuickUserPush, ManualQuickUserPushInput{DryRun: dryRun,
		Request: activities.QuickUserRequest{Site: "acme/london", UserID: "alice"}})
	if !f.env.IsWorkflowCompleted() {
		t.Fatal("ManualQuickUserPush did not complete")
	}
	var result ManualQuickUserPushResult
	if err := f.env.GetWorkflowResult(&result); err != nil {
		t.Fatalf("ManualQuickUserPush error = %v, want nil", err)
	}
	return result
}

func (f *quickFixture) onlyRecord(t *testing.T) store.QuickUserRecord {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.records) != 1 {
		t.Fatalf("RecordQuickUser called %d times, want once", len(f.records))
	}
	return f.records[0]
}

func stepStatuses(steps []store.QuickUserStep) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name+"="+s.Status)
	}
	return out
}

func TestQuickUserRunsStepsInOrder(t *testing.T) {
	f := newQuickFixture(t)
	f.mockAll()

	result := f.run(t, false)

	want := []string{"QuickUserCheck", "QuickUserUser/user", "QuickUserLine/line",
		"QuickUserPhone/phone", "QuickUserPhone/jabber", "QuickUserProfile/profile",
		"QuickUserRemoteDestination/remote-destination", "QuickUserAssociate/associate"}
	if got := f.order.list(); !slices.Equal(got, want) {
		t.Errorf("activities called\n%v\nwant\n%v", got, want)
	}
	wantSteps := []string{"check=passed", "user=added", "line=added", "phone=added", "jabber=added",
		"profile=added", "remote-destination=added", "associate=added", "voicemail=recorded"}
	if got := stepStatuses(result.Steps); !slices.Equal(got, wantSteps) {
		t.Errorf("steps %v, want %v", got, wantSteps)
	}
	checkFields(t, "result", []field{
		{"outcome", result.Outcome, OutcomeSucceeded},
		{"line", result.Line, "4001 in Internal_PT"},
		{"calls", len(result.Calls), 7},
		{"undone", len(result.Undone), 0},
	})
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeSucceeded}) {
		t.Errorf("outcome search attribute %v, want [succeeded]", got)
	}
}

func TestQuickUserRecordsSuccessInStore(t *testing.T) {
	f := newQuickFixture(t)
	f.mockAll()

	f.run(t, false)

	r := f.onlyRecord(t)
	checkFields(t, "record", []field{
		{"user", r.UserID, int64(3)},
		{"cluster", r.ClusterID, int64(2)},
		{"outcome", r.Result.Outcome, OutcomeSucceeded},
		{"mobile", r.Result.Mobile, "+447700900123"},
		{"steps", len(r.Result.Steps), 9},
		{"release", r.ReleaseRunKey, ""},
	})
	if r.Voicemail == nil || !*r.Voicemail {
		t.Errorf("record voicemail %v, want on", r.Voicemail)
	}
	if r.Pushed == nil || r.Pushed.Action != activities.QuickUserAdded || r.Pushed.UUID != "{U}" {
		t.Errorf("record push state %+v, want the user step's action and UUID", r.Pushed)
	}
}

func TestQuickUserRefusedCheckWritesNothing(t *testing.T) {
	f := newQuickFixture(t)
	f.check = activities.QuickUserCheckResult{Check: "number", Plan: activities.QuickUserPlan{
		StoreUserID: 3, ClusterID: 2},
		Reason: "number 4001 in Internal_PT is held by acme/bob"}
	f.mockAll()

	result := f.run(t, false)

	if got := f.order.list(); !slices.Equal(got, []string{"QuickUserCheck"}) {
		t.Errorf("activities called %v, want the check only", got)
	}
	checkFields(t, "result", []field{
		{"outcome", result.Outcome, OutcomeRefused},
		{"calls", len(result.Calls), 0},
	})
	if !strings.Contains(result.Reason, "check number failed") || !strings.Contains(result.Reason, "acme/bob") {
		t.Errorf("reason %q, want the failed check and the holder", result.Reason)
	}
	r := f.onlyRecord(t)
	if r.Result.Outcome != OutcomeRefused || r.Pushed != nil || r.Voicemail != nil {
		t.Errorf("record %+v, want refused without push state or voicemail", r)
	}
}

func TestQuickUserFailedStepUndoesInReverse(t *testing.T) {
	f := newQuickFixture(t)
	rejected := temporal.NewNonRetryableApplicationError("UCM cluster ucm-lab rejected addPhone "+
		"SEP001122334455: device pool not found", activities.ErrUCMRejected, nil)
	f.env.OnActivity(ucmActs.QuickUserPhone, mock.Anything, mock.MatchedBy(
		func(in activities.QuickUserStepInput) bool { return in.Step == activities.QuickUserStepPhone },
	)).Run(f.order.record("QuickUserPhone")).Return(activities.QuickUserStepResult{}, rejected)
	f.mockAll()

	result := f.run(t, false)

	want := []string{"QuickUserCheck", "QuickUserUser/user", "QuickUserLine/line",
		"QuickUserPhone/phone", "QuickUserUndo/phone", "QuickUserUndo/line", "QuickUserUndo/user"}
	if got := f.order.list(); !slices.Equal(got, want) {
		t.Errorf("activities called\n%v\nwant\n%v (the rejected write not retried)", got, want)
	}
	wantSteps := []string{"check=passed", "user=undone", "line=undone", "phone=failed",
		"jabber=not run", "profile=not run", "remote-destination=not run", "associate=not run"}
	if got := stepStatuses(result.Steps); !slices.Equal(got, wantSteps) {
		t.Errorf("steps %v, want %v", got, wantSteps)
	}
	if want := []string{"removed phone", "removed line", "removed user"}; !slices.Equal(result.Undone, want) {
		t.Errorf("undone %v, want %v", result.Undone, want)
	}
	if result.Outcome != OutcomeFailed || !strings.Contains(result.Reason, "device pool not found") {
		t.Errorf("outcome %s, reason %q; want failed with UCM's reason", result.Outcome, result.Reason)
	}
	r := f.onlyRecord(t)
	if r.ReleaseRunKey != fullPlan().RunKey || r.Pushed != nil {
		t.Errorf("record releases %q, push state %+v; want the run's number freed, no push state",
			r.ReleaseRunKey, r.Pushed)
	}
}

func TestQuickUserUndoFailureIsListed(t *testing.T) {
	f := newQuickFixture(t)
	f.env.OnActivity(ucmActs.QuickUserAssociate, mock.Anything, mock.Anything).
		Run(f.order.record("QuickUserAssociate")).
		Return(activities.QuickUserStepResult{}, temporal.NewNonRetryableApplicationError(
			"primary extension rejected", activities.ErrUCMRejected, nil))
	f.env.OnActivity(ucmActs.QuickUserUndo, mock.Anything, mock.MatchedBy(
		func(in activities.QuickUserStepInput) bool { return in.Step == activities.QuickUserStepLine },
	)).Run(f.order.record("QuickUserUndo")).Return(activities.QuickUserUndoResult{},
		temporal.NewNonRetryableApplicationError("line still in use", activities.ErrUCMRejected, nil))
	f.mockAll()

	result := f.run(t, false)

	undos := 0
	for _, call := range f.order.list() {
		if strings.HasPrefix(call, "QuickUserUndo/") {
			undos++
		}
	}
	if undos != 7 {
		t.Errorf("%d undo calls, want one per attempted step (7)", undos)
	}
	if len(result.NotUndone) != 1 || !strings.Contains(result.NotUndone[0], "line still in use") {
		t.Errorf("not undone %v, want the line's undo with its error", result.NotUndone)
	}
	if slices.Contains(result.Undone, "removed line") || !slices.Contains(result.Undone, "removed user") {
		t.Errorf("undone %v, want every step but the line", result.Undone)
	}
}

func TestQuickUserRetriesBusyCluster(t *testing.T) {
	f := newQuickFixture(t)
	attempts := 0
	f.env.OnActivity(ucmActs.QuickUserLine, mock.Anything, mock.Anything).
		Return(func(_ context.Context, in activities.QuickUserStepInput) (activities.QuickUserStepResult, error) {
			attempts++
			if attempts < 3 {
				return activities.QuickUserStepResult{}, temporal.NewApplicationError("UCM busy",
					activities.ErrAXLUnavailable)
			}
			return activities.QuickUserStepResult{Step: in.Step, Action: activities.QuickUserAdded}, nil
		})
	f.mockAll()

	result := f.run(t, false)

	if attempts != 3 || result.Outcome != OutcomeSucceeded {
		t.Errorf("line attempts %d, outcome %s; want 3 attempts and success", attempts, result.Outcome)
	}
}

func TestQuickUserCanceledRunUndoes(t *testing.T) {
	f := newQuickFixture(t)
	f.env.OnActivity(ucmActs.QuickUserPhone, mock.Anything, mock.Anything).
		Run(f.order.record("QuickUserPhone")).After(time.Hour).
		Return(activities.QuickUserStepResult{Action: activities.QuickUserAdded}, nil)
	f.mockAll()
	f.env.RegisterDelayedCallback(f.env.CancelWorkflow, time.Minute)

	f.env.ExecuteWorkflow(ManualQuickUserPush, ManualQuickUserPushInput{
		Request: activities.QuickUserRequest{Site: "acme/london", UserID: "alice"}})

	if err := f.env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Errorf("workflow error %v, want canceled", err)
	}
	got := f.order.list()
	want := []string{"QuickUserUndo/phone", "QuickUserUndo/line", "QuickUserUndo/user"}
	if len(got) < len(want) || !slices.Equal(got[len(got)-len(want):], want) {
		t.Errorf("activities called %v, want the run to end with %v", got, want)
	}
	if r := f.onlyRecord(t); r.Result.Outcome != OutcomeFailed || r.ReleaseRunKey == "" {
		t.Errorf("record %+v, want failed with the run's number freed", r.Result)
	}
}

func TestQuickUserDryRunStopsAfterCheck(t *testing.T) {
	f := newQuickFixture(t)
	f.mockAll()

	result := f.run(t, true)

	if got := f.order.list(); !slices.Equal(got, []string{"QuickUserCheck"}) {
		t.Errorf("activities called %v, want the check only", got)
	}
	checkFields(t, "result", []field{
		{"outcome", result.Outcome, OutcomeDryRun},
		{"calls", len(result.Calls), 1},
		{"records", len(f.records), 0},
	})
}

func TestQuickUserCheckErrorFailsRun(t *testing.T) {
	f := newQuickFixture(t)
	f.env.OnActivity(ucmActs.QuickUserCheck, mock.Anything, mock.Anything).
		Return(activities.QuickUserCheckResult{}, temporal.NewNonRetryableApplicationError(
			"UCM cluster ucm-lab rejected AXL user", activities.ErrAXLAuth, errors.New("401")))
	f.mockAll()

	result := f.run(t, false)

	if result.Outcome != OutcomeFailed || !strings.Contains(result.Reason, "rejected AXL user") {
		t.Errorf("outcome %s, reason %q; want failed naming the check's error", result.Outcome, result.Reason)
	}
	if len(f.records) != 0 {
		t.Errorf("%d records, want none: the user is not known before the check", len(f.records))
	}
}

func TestQuickUserWorkflowIDs(t *testing.T) {
	cases := []struct{ got, want string }{
		{QuickUserWorkflowID("acme/london", "Alice"), "quick-user/acme/london/alice"},
		{QuickUserDryRunWorkflowID("acme/london", "Alice"), "quick-user-dry-run/acme/london/alice"},
		{ReadUCMUserWorkflowID("acme/london", "Alice"), "read-ucm-user/acme/london/alice"},
		{ReadUCMUserWorkflowID("acme/london", ""), "read-ucm-user/acme/london"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("workflow ID %q, want %q", c.got, c.want)
		}
	}
}
