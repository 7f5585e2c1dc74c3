package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/store"
)

// pushFixture mocks the activities of PushSite: a fixed plan, a cluster check, PushUsers
// calls that succeed unless a test mocks a range first, and FailPlanRange and SummarizePlan.
type pushFixture struct {
	env     *testsuite.TestWorkflowEnvironment
	calls   *callLog
	attrs   *searchAttributeLog
	plan    activities.PlanSitePushResult
	summary activities.PlanSummary
}

func newPushFixture(t *testing.T, plan activities.PlanSitePushResult) *pushFixture {
	f := &pushFixture{env: newTestEnv(t), calls: newCallLog(), plan: plan}
	f.attrs = recordSearchAttributes(f.env)
	f.summary = activities.PlanSummary{Progress: store.PlanProgress{Total: plan.Total,
		Added: plan.Total}}
	return f
}

// mockPlanAndCheck mocks PlanSitePush with the fixture's plan and a cluster check that passes.
func (f *pushFixture) mockPlanAndCheck() {
	f.env.OnActivity(storeActs.PlanSitePush, mock.Anything, mock.Anything).
		Run(f.calls.record("PlanSitePush")).Return(f.plan, nil)
	f.env.OnActivity(ucmActs.CheckCluster, mock.Anything, mock.Anything).
		Run(f.calls.record("CheckCluster")).Return(nil)
}

// mockPushRange makes PushUsers of the range starting at from fail with err, on every attempt.
// Call it before mockPushSuccess: the first mock that matches a call decides its result.
func (f *pushFixture) mockPushRange(from int, err error) {
	f.env.OnActivity(ucmActs.PushUsers, mock.Anything, mock.MatchedBy(
		func(in activities.PushUsersInput) bool { return in.From == from },
	)).Run(f.calls.record("PushUsers")).Return(activities.PushUsersResult{}, err)
}

// mockPushSuccess makes every other PushUsers call take delay on the workflow clock, then
// add every user of its range.
func (f *pushFixture) mockPushSuccess(delay time.Duration) {
	call := f.env.OnActivity(ucmActs.PushUsers, mock.Anything, mock.Anything).
		Run(f.calls.record("PushUsers")).
		Return(func(_ context.Context, in activities.PushUsersInput) (activities.PushUsersResult, error) {
			return activities.PushUsersResult{Added: in.To - in.From + 1}, nil
		})
	if delay > 0 {
		call.After(delay)
	}
}

// mockOutcomes mocks FailPlanRange, which fails every user of the range, and SummarizePlan,
// which returns the fixture's summary.
func (f *pushFixture) mockOutcomes() {
	f.env.OnActivity(storeActs.FailPlanRange, mock.Anything, mock.Anything).
		Run(f.calls.record("FailPlanRange")).
		Return(func(_ context.Context, in activities.FailPlanRangeInput) (int, error) {
			return in.To - in.From + 1, nil
		})
	f.env.OnActivity(storeActs.SummarizePlan, mock.Anything, mock.Anything).
		Run(f.calls.record("SummarizePlan")).
		Return(func(context.Context, activities.SummarizePlanInput) (activities.PlanSummary, error) {
			return f.summary, nil
		})
}

// run executes PushSite with the input and returns its result; it fails the test when the
// workflow fails.
func (f *pushFixture) run(t *testing.T, in PushSiteInput) PushSiteResult {
	t.Helper()
	f.env.ExecuteWorkflow(PushSite, in)
	if !f.env.IsWorkflowCompleted() {
		t.Fatal("PushSite did not complete")
	}
	var result PushSiteResult
	if err := f.env.GetWorkflowResult(&result); err != nil {
		t.Fatalf("PushSite error = %v, want nil", err)
	}
	return result
}

type seqRange struct{ from, to int }

func pushRanges(t *testing.T, l *callLog) []seqRange {
	var ranges []seqRange
	for _, in := range inputsOf[activities.PushUsersInput](t, l, "PushUsers") {
		ranges = append(ranges, seqRange{in.From, in.To})
	}
	slices.SortFunc(ranges, func(a, b seqRange) int { return a.from - b.from })
	return ranges
}

func failRanges(t *testing.T, l *callLog) []seqRange {
	var ranges []seqRange
	for _, in := range inputsOf[activities.FailPlanRangeInput](t, l, "FailPlanRange") {
		ranges = append(ranges, seqRange{in.From, in.To})
	}
	slices.SortFunc(ranges, func(a, b seqRange) int { return a.from - b.from })
	return ranges
}

func londonPlan(total, maxInFlight int) activities.PlanSitePushResult {
	return activities.PlanSitePushResult{PlanID: 42, ClusterID: 7, Cluster: "ucm-london",
		MaxInFlight: maxInFlight, Total: total, Unchanged: 7, Skipped: 3}
}

var londonInput = PushSiteInput{SiteID: 11, Site: "acme/london", Trigger: TriggerSync,
	PlanKey: "push/acme/london/sync-3f2a9c1e/run-1", BatchSize: 100}

func TestPushSiteBatchesWithinMaxInFlight(t *testing.T) {
	f := newPushFixture(t, londonPlan(250, 2))
	f.summary = activities.PlanSummary{Progress: store.PlanProgress{Total: 250, Added: 200,
		Updated: 40, Unchanged: 10}}
	f.mockPlanAndCheck()
	f.mockPushSuccess(time.Minute)
	f.mockOutcomes()

	// The listeners run on the environment's own loop, one at a time.
	inFlight, maxInFlight := 0, 0
	f.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "PushUsers" {
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
		}
	})
	f.env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, _ error) {
		if info.ActivityType.Name == "PushUsers" {
			inFlight--
		}
	})

	result := f.run(t, londonInput)

	wantRanges := []seqRange{{1, 100}, {101, 200}, {201, 250}}
	if got := pushRanges(t, f.calls); !slices.Equal(got, wantRanges) {
		t.Errorf("PushUsers ranges = %v, want %v", got, wantRanges)
	}
	if maxInFlight != 2 {
		t.Errorf("PushUsers in flight at once = %d, want the cluster's MaxInFlight 2", maxInFlight)
	}
	for _, in := range inputsOf[activities.PushUsersInput](t, f.calls, "PushUsers") {
		checkFields(t, "PushUsers input", []field{
			{"PlanID", in.PlanID, int64(42)},
			{"ClusterID", in.ClusterID, int64(7)},
		})
	}
	if got := inputsOf[activities.CheckClusterInput](t, f.calls, "CheckCluster"); !slices.Equal(got,
		[]activities.CheckClusterInput{{ClusterID: 7}}) {
		t.Errorf("CheckCluster inputs = %+v, want one for cluster 7", got)
	}
	if got := f.calls.count("FailPlanRange"); got != 0 {
		t.Errorf("FailPlanRange calls = %d, want 0", got)
	}
	wantSummarize := []activities.SummarizePlanInput{{PlanID: 42, MaxFailures: maxListedFailures}}
	if got := inputsOf[activities.SummarizePlanInput](t, f.calls, "SummarizePlan"); !slices.Equal(
		got, wantSummarize) {
		t.Errorf("SummarizePlan inputs = %+v, want %+v", got, wantSummarize)
	}

	// Added, Updated and Failed come from the summary; Unchanged adds the 7 users not
	// planned to the 10 the push found unchanged.
	checkFields(t, "result", []field{
		{"Site", result.Site, "acme/london"},
		{"Cluster", result.Cluster, "ucm-london"},
		{"Planned", result.Planned, 250},
		{"Added", result.Added, 200},
		{"Updated", result.Updated, 40},
		{"Unchanged", result.Unchanged, 17},
		{"Failed", result.Failed, 0},
		{"Skipped", result.Skipped, 3},
		{"Error", result.Error, ""},
	})

	if got := f.attrs.values(ClusterKey); !slices.Equal(got, []string{"ucm-london"}) {
		t.Errorf("upserted %s = %q, want [ucm-london]", ClusterKey.GetName(), got)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeSucceeded}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeSucceeded)
	}
}

func TestPushSiteDefaultBatchSize(t *testing.T) {
	f := newPushFixture(t, londonPlan(DefaultBatchSize+1, 4))
	f.mockPlanAndCheck()
	f.mockPushSuccess(0)
	f.mockOutcomes()

	in := londonInput
	in.BatchSize = 0
	f.run(t, in)

	want := []seqRange{{1, DefaultBatchSize}, {DefaultBatchSize + 1, DefaultBatchSize + 1}}
	if got := pushRanges(t, f.calls); !slices.Equal(got, want) {
		t.Errorf("PushUsers ranges with BatchSize 0 = %v, want %v", got, want)
	}
}

func TestPushSiteEmptyPlan(t *testing.T) {
	plan := londonPlan(0, 2)
	plan.Unchanged = 40
	f := newPushFixture(t, plan)
	f.mockPlanAndCheck()
	f.mockPushSuccess(0)
	f.mockOutcomes()

	result := f.run(t, londonInput)

	for _, name := range []string{"CheckCluster", "PushUsers", "FailPlanRange", "SummarizePlan"} {
		if got := f.calls.count(name); got != 0 {
			t.Errorf("%s calls = %d, want 0 for an empty plan", name, got)
		}
	}
	checkFields(t, "result", []field{
		{"Planned", result.Planned, 0},
		{"Unchanged", result.Unchanged, 40},
		{"Skipped", result.Skipped, 3},
		{"Failed", result.Failed, 0},
	})
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeSucceeded}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeSucceeded)
	}
}

func TestPushSitePlanKey(t *testing.T) {
	tests := []struct {
		name       string
		planKey    string
		all        bool
		wantPrefix string
		wantExact  bool
	}{
		{name: "given key", planKey: "push/acme/london/sync-3f2a9c1e/run-1",
			wantPrefix: "push/acme/london/sync-3f2a9c1e/run-1", wantExact: true},
		{name: "empty key uses the workflow and run ID", all: true,
			wantPrefix: "push/acme/london/manual/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPushFixture(t, londonPlan(0, 1))
			f.mockPlanAndCheck()
			f.mockOutcomes()
			f.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "push/acme/london/manual"})

			in := londonInput
			in.PlanKey, in.All = tt.planKey, tt.all
			f.run(t, in)

			plans := inputsOf[activities.PlanSitePushInput](t, f.calls, "PlanSitePush")
			if len(plans) != 1 {
				t.Fatalf("PlanSitePush calls = %d, want 1", len(plans))
			}
			got := plans[0]
			checkFields(t, "PlanSitePush input", []field{
				{"SiteID", got.SiteID, int64(11)},
				{"All", got.All, tt.all},
			})
			if tt.wantExact && got.PlanKey != tt.wantPrefix {
				t.Errorf("PlanSitePush key = %q, want %q", got.PlanKey, tt.wantPrefix)
			}
			if !tt.wantExact && (!strings.HasPrefix(got.PlanKey, tt.wantPrefix) ||
				len(got.PlanKey) == len(tt.wantPrefix)) {
				t.Errorf("PlanSitePush key = %q, want %q and a run ID", got.PlanKey, tt.wantPrefix)
			}
		})
	}
}

func TestPushSiteClusterCheckFails(t *testing.T) {
	const reason = "UCM ucm-london rejected the AXL credentials of axladmin (HTTP 401): " +
		"fix the password the cluster's passwordRef points at"
	f := newPushFixture(t, londonPlan(250, 2))
	f.summary.Progress = store.PlanProgress{Total: 250, Failed: 250}
	f.env.OnActivity(storeActs.PlanSitePush, mock.Anything, mock.Anything).Return(f.plan, nil)
	f.env.OnActivity(ucmActs.CheckCluster, mock.Anything, mock.Anything).
		Run(f.calls.record("CheckCluster")).
		Return(temporal.NewNonRetryableApplicationError(reason, activities.ErrAXLAuth, nil))
	f.mockPushSuccess(0)
	f.mockOutcomes()

	result := f.run(t, londonInput)

	if got := f.calls.count("CheckCluster"); got != 1 {
		t.Errorf("CheckCluster attempts = %d, want 1 for a non-retryable error", got)
	}
	if got := f.calls.count("PushUsers"); got != 0 {
		t.Errorf("PushUsers calls = %d, want 0 after the cluster check failed", got)
	}
	wantFail := []activities.FailPlanRangeInput{{PlanID: 42, From: 1, To: 250, Reason: reason}}
	if got := inputsOf[activities.FailPlanRangeInput](t, f.calls, "FailPlanRange"); !slices.Equal(
		got, wantFail) {
		t.Errorf("FailPlanRange inputs = %+v, want %+v", got, wantFail)
	}
	if result.Error != reason {
		t.Errorf("result error = %q, want %q", result.Error, reason)
	}
	if result.Failed != 250 {
		t.Errorf("result failed = %d, want 250 from the summary", result.Failed)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeFailed}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeFailed)
	}
}

func TestPushSiteDryRunClusterCheckFails(t *testing.T) {
	const reason = "UCM ucm-london could not be reached: connection refused"
	f := newPushFixture(t, londonPlan(250, 2))
	f.env.OnActivity(storeActs.PlanSitePush, mock.Anything, mock.Anything).Return(f.plan, nil)
	f.env.OnActivity(ucmActs.CheckCluster, mock.Anything, mock.Anything).
		Return(temporal.NewNonRetryableApplicationError(reason, activities.ErrAXLAuth, nil))
	f.env.OnActivity(storeActs.DeletePlan, mock.Anything, mock.Anything).
		Run(f.calls.record("DeletePlan")).Return(nil)
	f.mockOutcomes()

	in := londonInput
	in.DryRun = true
	result := f.run(t, in)

	if got := f.calls.count("FailPlanRange"); got != 0 {
		t.Errorf("FailPlanRange calls = %d, want 0: a dry run records no user as failed", got)
	}
	wantDelete := []activities.DeletePlanInput{{PlanID: 42}}
	if got := inputsOf[activities.DeletePlanInput](t, f.calls, "DeletePlan"); !slices.Equal(got, wantDelete) {
		t.Errorf("DeletePlan inputs = %+v, want %+v", got, wantDelete)
	}
	checkFields(t, "result", []field{
		{"error", result.Error, reason},
		{"dry run", result.DryRun, true},
		{"failed", result.Failed, 0},
		{"planned", result.Planned, 250},
	})
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeDryRun}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeDryRun)
	}
}

func TestPushSiteBatchRetriesRunOut(t *testing.T) {
	const reason = "UCM ucm-london is throttling AXL requests (HTTP 503)"
	f := newPushFixture(t, londonPlan(250, 1))
	f.summary.Progress = store.PlanProgress{Total: 250, Added: 150, Failed: 100}
	f.mockPlanAndCheck()
	f.mockPushRange(101, temporal.NewApplicationError(reason, activities.ErrAXLUnavailable))
	f.mockPushSuccess(0)
	f.mockOutcomes()

	start := f.env.Now()
	result := f.run(t, londonInput)
	elapsed := f.env.Now().Sub(start)

	attempts := 0
	for _, r := range pushRanges(t, f.calls) {
		if r.from == 101 {
			attempts++
		}
	}
	wantAttempts := int(pushOptions().RetryPolicy.MaximumAttempts)
	if attempts != wantAttempts {
		t.Errorf("PushUsers attempts of 101-200 = %d, want %d", attempts, wantAttempts)
	}
	// 5 s doubling to the 5-minute cap: 5+10+20+40+80+160+300+300+300 seconds between attempts.
	if minWait := 1215 * time.Second; elapsed < minWait {
		t.Errorf("workflow clock moved %v, want at least %v of retry backoff", elapsed, minWait)
	}

	want := []seqRange{{1, 100}, {201, 250}}
	var others []seqRange
	for _, r := range pushRanges(t, f.calls) {
		if r.from != 101 {
			others = append(others, r)
		}
	}
	if !slices.Equal(others, want) {
		t.Errorf("other PushUsers ranges = %v, want %v, each once", others, want)
	}

	wantFail := []activities.FailPlanRangeInput{{PlanID: 42, From: 101, To: 200, Reason: reason}}
	if got := inputsOf[activities.FailPlanRangeInput](t, f.calls, "FailPlanRange"); !slices.Equal(
		got, wantFail) {
		t.Errorf("FailPlanRange inputs = %+v, want %+v", got, wantFail)
	}
	if result.Error != "" {
		t.Errorf("result error = %q, want empty: the cluster answered", result.Error)
	}
	checkFields(t, "result", []field{
		{"Failed", result.Failed, 100},
		{"Added", result.Added, 150},
	})
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeFailed}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeFailed)
	}
}

func TestPushSiteFatalBatchStopsPush(t *testing.T) {
	tests := []struct {
		errType string
		reason  string
	}{
		{errType: activities.ErrAXLAuth, reason: "UCM ucm-london rejected the AXL credentials"},
		{errType: activities.ErrInvalidConfig, reason: "cluster ucm-london: invalid AXL URL"},
	}
	for _, tt := range tests {
		t.Run(tt.errType, func(t *testing.T) {
			f := newPushFixture(t, londonPlan(500, 2))
			f.mockPlanAndCheck()
			f.mockPushRange(101, temporal.NewNonRetryableApplicationError(tt.reason, tt.errType, nil))
			// The first batch is still running when the second fails, and must be awaited.
			f.mockPushSuccess(time.Minute)
			f.mockOutcomes()

			f.run(t, londonInput)

			wantPushed := []seqRange{{1, 100}, {101, 200}}
			if got := pushRanges(t, f.calls); !slices.Equal(got, wantPushed) {
				t.Errorf("PushUsers ranges = %v, want %v and nothing started after the failure",
					got, wantPushed)
			}
			wantFail := []activities.FailPlanRangeInput{
				{PlanID: 42, From: 101, To: 200, Reason: tt.reason},
				{PlanID: 42, From: 201, To: 500, Reason: tt.reason},
			}
			if got := inputsOf[activities.FailPlanRangeInput](t, f.calls, "FailPlanRange"); !slices.Equal(
				got, wantFail) {
				t.Errorf("FailPlanRange inputs = %+v, want %+v", got, wantFail)
			}
		})
	}
}

func TestPushSiteRetryableBatchGoesOn(t *testing.T) {
	f := newPushFixture(t, londonPlan(300, 1))
	f.mockPlanAndCheck()
	f.mockPushRange(101, temporal.NewApplicationError("connection reset", activities.ErrAXLUnavailable))
	f.mockPushSuccess(0)
	f.mockOutcomes()

	f.run(t, londonInput)

	if got, want := failRanges(t, f.calls), []seqRange{{101, 200}}; !slices.Equal(got, want) {
		t.Errorf("FailPlanRange ranges = %v, want %v: a retryable failure stops only its batch",
			got, want)
	}
	var later int
	for _, r := range pushRanges(t, f.calls) {
		if r.from == 201 {
			later++
		}
	}
	if later != 1 {
		t.Errorf("PushUsers calls for 201-300 = %d, want 1", later)
	}
}

func TestPushSiteContinuesAsNew(t *testing.T) {
	total := maxBatchesPerRun + 1
	f := newPushFixture(t, londonPlan(total, 100))
	f.mockPlanAndCheck()
	f.mockPushSuccess(0)
	f.mockOutcomes()

	in := londonInput
	in.BatchSize = 1
	f.env.ExecuteWorkflow(PushSite, in)

	err := f.env.GetWorkflowError()
	if !workflow.IsContinueAsNewError(err) {
		t.Fatalf("PushSite error = %v, want a ContinueAsNewError", err)
	}
	if got := f.calls.count("PushUsers"); got != maxBatchesPerRun {
		t.Errorf("PushUsers calls in the first run = %d, want %d", got, maxBatchesPerRun)
	}
	if got := f.calls.count("SummarizePlan"); got != 0 {
		t.Errorf("SummarizePlan calls in the first run = %d, want 0", got)
	}

	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("errors.As(%v, *ContinueAsNewError) = false", err)
	}
	if can.WorkflowType.Name != "PushSite" {
		t.Errorf("continued as %q, want PushSite", can.WorkflowType.Name)
	}
	var next PushSiteInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatalf("decode the continued input: %v", err)
	}
	if next.Continued == nil {
		t.Fatalf("continued input %+v has no state", next)
	}
	state := *next.Continued
	if state.NextSeq != total {
		t.Errorf("continued NextSeq = %d, want %d", state.NextSeq, total)
	}
	if state.Plan != f.plan {
		t.Errorf("continued plan = %+v, want %+v", state.Plan, f.plan)
	}
	wantProgress := Progress{Total: total, Added: maxBatchesPerRun, Skipped: 3, Remaining: 1}
	if state.Progress != wantProgress {
		t.Errorf("continued progress = %+v, want %+v", state.Progress, wantProgress)
	}
	checkFields(t, "continued input", []field{
		{"SiteID", next.SiteID, in.SiteID},
		{"PlanKey", next.PlanKey, in.PlanKey},
		{"BatchSize", next.BatchSize, 1},
	})

	// The next run starts from the state: no new plan, no cluster check, the last user only.
	g := newPushFixture(t, f.plan)
	g.summary.Progress = store.PlanProgress{Total: total, Added: total}
	g.mockPlanAndCheck()
	g.mockPushSuccess(0)
	g.mockOutcomes()
	result := g.run(t, next)

	if got := g.calls.count("PlanSitePush") + g.calls.count("CheckCluster"); got != 0 {
		t.Errorf("PlanSitePush and CheckCluster calls in the continued run = %d, want 0", got)
	}
	if got, want := pushRanges(t, g.calls), []seqRange{{total, total}}; !slices.Equal(got, want) {
		t.Errorf("PushUsers ranges in the continued run = %v, want %v", got, want)
	}
	checkFields(t, "continued result", []field{
		{"Added", result.Added, total},
		{"Planned", result.Planned, total},
	})
}

func TestPushSiteProgressQuery(t *testing.T) {
	plan := londonPlan(300, 1)
	f := newPushFixture(t, plan)
	f.summary.Progress = store.PlanProgress{Total: 300, Added: 180, Updated: 90, Unchanged: 30}
	f.mockPlanAndCheck()
	f.env.OnActivity(ucmActs.PushUsers, mock.Anything, mock.Anything).After(time.Minute).
		Return(activities.PushUsersResult{Added: 60, Updated: 30, Unchanged: 10}, nil)
	f.mockOutcomes()

	query := func() (Progress, error) {
		var p Progress
		value, err := f.env.QueryWorkflow(QueryProgress)
		if err != nil {
			return p, err
		}
		return p, value.Get(&p)
	}
	type sample struct {
		progress Progress
		err      error
	}
	var early, middle sample
	f.env.RegisterDelayedCallback(func() {
		early.progress, early.err = query()
	}, 30*time.Second)
	f.env.RegisterDelayedCallback(func() {
		middle.progress, middle.err = query()
	}, 90*time.Second)

	f.run(t, londonInput)

	if early.err != nil {
		t.Fatalf("progress query at 30 s: %v", early.err)
	}
	wantEarly := Progress{Total: 300, Skipped: 3, Remaining: 300}
	if early.progress != wantEarly {
		t.Errorf("progress at 30 s = %+v, want %+v", early.progress, wantEarly)
	}

	if middle.err != nil {
		t.Fatalf("progress query at 90 s: %v", middle.err)
	}
	wantMiddle := Progress{Total: 300, Added: 60, Updated: 30, Unchanged: 10, Skipped: 3,
		Remaining: 200}
	if middle.progress != wantMiddle {
		t.Errorf("progress at 90 s, one batch done = %+v, want %+v", middle.progress, wantMiddle)
	}

	final, err := query()
	if err != nil {
		t.Fatalf("progress query after the push: %v", err)
	}
	wantFinal := Progress{Total: 300, Added: 180, Updated: 90, Unchanged: 30, Skipped: 3}
	if final != wantFinal {
		t.Errorf("progress after the push = %+v, want the summary %+v", final, wantFinal)
	}
}

func TestPushSitePlanFails(t *testing.T) {
	f := newPushFixture(t, londonPlan(10, 1))
	f.env.OnActivity(storeActs.PlanSitePush, mock.Anything, mock.Anything).Return(
		activities.PlanSitePushResult{},
		temporal.NewNonRetryableApplicationError("site acme/london has no NDL",
			activities.ErrSiteNotServed, nil))
	f.env.OnActivity(ucmActs.CheckCluster, mock.Anything, mock.Anything).
		Run(f.calls.record("CheckCluster")).Return(nil)

	f.env.ExecuteWorkflow(PushSite, londonInput)

	err := f.env.GetWorkflowError()
	if err == nil {
		t.Fatal("PushSite error = nil, want the planning error")
	}
	if _, ok := findApplicationError(err, activities.ErrSiteNotServed); !ok {
		t.Errorf("PushSite error = %v, want a %s error in its chain", err,
			activities.ErrSiteNotServed)
	}
	if !strings.Contains(err.Error(), "plan push of site acme/london") {
		t.Errorf("PushSite error = %q, want it to name the site", err)
	}
	if got := f.calls.count("CheckCluster"); got != 0 {
		t.Errorf("CheckCluster calls = %d, want 0 without a plan", got)
	}
}
