package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/store"
)

// DefaultBatchSize is the number of users one PushUsers activity handles. The dev server
// completes about 100 activities a second on two cores, so one activity per user would make
// the engine, not UCM, the bottleneck; 100 users keep an activity to seconds or minutes.
const DefaultBatchSize = 100

// maxBatchesPerRun bounds the batches one run of PushSite starts before it continues as new,
// which keeps its history near 4,000 events whatever the size of the site.
const maxBatchesPerRun = 500

// maxListedFailures bounds the failed users a result lists by userid; the store keeps all.
const maxListedFailures = 20

// maxListedPreviews bounds the users a dry run lists; the counts cover all of them.
const maxListedPreviews = 200

// DefaultConfirmTimeout is how long a guarded push waits for an operator's confirmation
// before it gives up, writing nothing.
const DefaultConfirmTimeout = 24 * time.Hour

// PushSiteInput selects the site to push and why.
type PushSiteInput struct {
	SiteID int64
	// Site is customer/site, for logs and search attributes.
	Site    string
	Trigger string
	// PlanKey names the push plan; runs with the same key push the same frozen users. Empty,
	// as triggers leave it, means the workflow ID and run ID of this run, so a reset of the
	// workflow (from the Web UI or `temporal workflow reset`) plans afresh and pushes again
	// every user who is not yet right, the failed ones among them.
	PlanKey string `json:",omitempty"`
	// All pushes every user of the site, not only the new and changed ones. Each push still
	// reads first and writes only what differs.
	All bool
	// ChangeKey pushes only the users that the trigger with this key moved or created.
	ChangeKey string `json:",omitempty"`
	// OnlyFailed pushes only the users whose last push to the cluster failed.
	OnlyFailed bool `json:",omitempty"`
	// UserID pushes only this user.
	UserID string `json:",omitempty"`
	// DryRun reads UCM for every planned user and returns what a push would write, writing
	// nothing.
	DryRun bool `json:",omitempty"`
	// Confirmed starts writing at once even when the plan is larger than the site's
	// confirmation guard.
	Confirmed bool `json:",omitempty"`
	// ConfirmTimeout bounds the wait for a confirmation; 0 means [DefaultConfirmTimeout].
	ConfirmTimeout time.Duration `json:",omitempty"`
	// BatchSize is the number of users per activity; 0 means [DefaultBatchSize].
	BatchSize int

	// Continued carries the state of a run that continued as new; nil on the first run.
	Continued *PushSiteState
}

// PushSiteState is what a PushSite run hands to the run it continues as.
type PushSiteState struct {
	Plan     activities.PlanSitePushResult
	NextSeq  int
	Progress Progress
}

// PushSiteResult counts the outcome of a site push. Unchanged includes the users that were
// already pushed and so were not planned at all.
type PushSiteResult struct {
	Site      string
	Cluster   string
	Planned   int
	Added     int
	Updated   int
	Unchanged int
	Failed    int
	Skipped   int
	// Error is set when the push could not reach the cluster at all, so every planned user
	// failed with it, or when nobody confirmed a guarded push, so nothing was written.
	Error string `json:",omitempty"`
	// DryRun is set on a dry run's result: Added, Updated and Unchanged then count what a push
	// would do, and Preview lists the first users with the fields an update would write.
	DryRun   bool                     `json:",omitempty"`
	Preview  []activities.UserPreview `json:",omitempty"`
	Failures []store.UserFailure      `json:",omitempty"`
}

// PushSite pushes the users of one site that are new or changed since their last push to
// the site's UCM cluster. It freezes the users in a plan, checks that the cluster answers,
// then fans out PushUsers activities over ranges of the plan, at most the cluster's
// MaxInFlight at once. A range that fails for good has its unfinished users recorded as
// failed, so every planned user ends with an outcome. The progress query returns the counts
// while it runs.
func PushSite(ctx workflow.Context, in PushSiteInput) (PushSiteResult, error) {
	p := &sitePush{in: in, batchSize: in.BatchSize}
	if p.batchSize <= 0 {
		p.batchSize = DefaultBatchSize
	}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (Progress, error) {
		return p.progress, nil
	}); err != nil {
		return PushSiteResult{}, err
	}

	if in.Continued == nil {
		if err := p.plan(ctx); err != nil {
			return PushSiteResult{}, err
		}
		if p.state.Plan.Total > 0 {
			if err := p.checkCluster(ctx); err != nil {
				if in.DryRun {
					return p.previewUnreachable(ctx, err)
				}
				return p.failEverything(ctx, err)
			}
		}
		if in.DryRun {
			return p.preview(ctx)
		}
		if p.needsConfirmation() && !p.awaitConfirmation(ctx) {
			return p.finishUnconfirmed(ctx)
		}
	} else {
		p.state = *in.Continued
		p.progress = p.state.Progress
	}

	if err := p.pushBatches(ctx); err != nil {
		return PushSiteResult{}, err
	}
	if p.state.NextSeq <= p.state.Plan.Total {
		p.state.Progress = p.progress
		next := in
		next.Continued = &p.state
		return PushSiteResult{}, workflow.NewContinueAsNewError(ctx, PushSite, next)
	}
	return p.finish(ctx, "")
}

type sitePush struct {
	in        PushSiteInput
	batchSize int
	state     PushSiteState
	progress  Progress
	// abort is set when a batch failed in a way that every later batch would too.
	abort string
}

func (p *sitePush) plan(ctx workflow.Context) error {
	var s *activities.StoreActivities
	actx := workflow.WithActivityOptions(ctx, storeOptions())
	key := p.in.PlanKey
	if key == "" {
		info := workflow.GetInfo(ctx)
		key = info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID
	}
	err := workflow.ExecuteActivity(actx, s.PlanSitePush, activities.PlanSitePushInput{
		SiteID:     p.in.SiteID,
		PlanKey:    key,
		All:        p.in.All,
		ChangeKey:  p.in.ChangeKey,
		OnlyFailed: p.in.OnlyFailed,
		UserID:     p.in.UserID,
	}).Get(ctx, &p.state.Plan)
	if err != nil {
		return fmt.Errorf("plan push of site %s: %w", p.in.Site, err)
	}

	plan := p.state.Plan
	p.state.NextSeq = 1
	p.progress = Progress{Total: plan.Total, Remaining: plan.Total, Skipped: plan.Skipped}
	workflow.GetLogger(ctx).Info("Planned site push", "site", p.in.Site, "cluster", plan.Cluster,
		"planned", plan.Total, "unchanged", plan.Unchanged, "skipped", plan.Skipped)
	return workflow.UpsertTypedSearchAttributes(ctx, ClusterKey.ValueSet(plan.Cluster))
}

func (p *sitePush) checkCluster(ctx workflow.Context) error {
	var u *activities.UCMActivities
	actx := workflow.WithActivityOptions(ctx, clusterCheckOptions())
	return workflow.ExecuteActivity(actx, u.CheckCluster, activities.CheckClusterInput{
		ClusterID: p.state.Plan.ClusterID,
	}).Get(ctx, nil)
}

// failEverything records every planned user as failed with the cluster's error and returns
// a result that says so.
func (p *sitePush) failEverything(ctx workflow.Context, cause error) (PushSiteResult, error) {
	reason := errorMessage(cause)
	workflow.GetLogger(ctx).Error("UCM cluster check failed, failing the whole push",
		"site", p.in.Site, "cluster", p.state.Plan.Cluster, "error", reason)
	if err := p.failRange(ctx, 1, p.state.Plan.Total, reason); err != nil {
		return PushSiteResult{}, err
	}
	p.state.NextSeq = p.state.Plan.Total + 1
	return p.finish(ctx, reason)
}

type batchFailure struct {
	from, to int
	err      error
}

// pushBatches starts PushUsers activities over the plan from NextSeq on, keeping at most the
// cluster's MaxInFlight running, until the plan is done or this run has started
// maxBatchesPerRun batches.
func (p *sitePush) pushBatches(ctx workflow.Context) error {
	var u *activities.UCMActivities
	actx := workflow.WithActivityOptions(ctx, pushOptions())
	plan := p.state.Plan
	concurrency := max(1, plan.MaxInFlight)

	selector := workflow.NewSelector(ctx)
	var failures []batchFailure
	inFlight, started := 0, 0
	for {
		canStart := p.abort == "" && p.state.NextSeq <= plan.Total && started < maxBatchesPerRun
		if canStart && inFlight < concurrency {
			from := p.state.NextSeq
			to := min(from+p.batchSize-1, plan.Total)
			p.state.NextSeq = to + 1
			started++
			inFlight++

			future := workflow.ExecuteActivity(actx, u.PushUsers, activities.PushUsersInput{
				PlanID: plan.PlanID, ClusterID: plan.ClusterID, From: from, To: to,
			})
			selector.AddFuture(future, func(f workflow.Future) {
				inFlight--
				var r activities.PushUsersResult
				if err := f.Get(ctx, &r); err != nil {
					failures = append(failures, batchFailure{from: from, to: to, err: err})
					return
				}
				p.count(r, to-from+1)
			})
			continue
		}
		if inFlight == 0 {
			break
		}

		selector.Select(ctx)
		for _, f := range failures {
			if err := p.handleBatchFailure(ctx, f); err != nil {
				return err
			}
		}
		failures = failures[:0]
	}

	if p.abort != "" && p.state.NextSeq <= plan.Total {
		if err := p.failRange(ctx, p.state.NextSeq, plan.Total, p.abort); err != nil {
			return err
		}
		p.state.NextSeq = plan.Total + 1
	}
	return nil
}

func (p *sitePush) count(r activities.PushUsersResult, size int) {
	p.progress.Added += r.Added
	p.progress.Updated += r.Updated
	p.progress.Unchanged += r.Unchanged
	p.progress.Failed += r.Failed
	p.progress.Remaining -= size
}

// handleBatchFailure records the batch's unfinished users as failed, and stops the push when
// the failure would repeat for every batch (rejected credentials, broken configuration).
func (p *sitePush) handleBatchFailure(ctx workflow.Context, f batchFailure) error {
	reason := errorMessage(f.err)
	workflow.GetLogger(ctx).Error("Push batch failed after retries", "site", p.in.Site,
		"from", f.from, "to", f.to, "error", reason)

	var appErr *temporal.ApplicationError
	if errors.As(f.err, &appErr) &&
		(appErr.Type() == activities.ErrAXLAuth || appErr.Type() == activities.ErrInvalidConfig) {
		p.abort = reason
	}
	return p.failRange(ctx, f.from, f.to, reason)
}

func (p *sitePush) failRange(ctx workflow.Context, from, to int, reason string) error {
	if from > to {
		return nil
	}
	var s *activities.StoreActivities
	actx := workflow.WithActivityOptions(ctx, storeOptions())
	var failed int
	err := workflow.ExecuteActivity(actx, s.FailPlanRange, activities.FailPlanRangeInput{
		PlanID: p.state.Plan.PlanID, From: from, To: to, Reason: reason,
	}).Get(ctx, &failed)
	if err != nil {
		return fmt.Errorf("record failed users %d to %d of site %s: %w", from, to, p.in.Site, err)
	}
	p.progress.Failed += failed
	p.progress.Remaining -= to - from + 1
	return nil
}

// finish reads the final counts from the store, which holds every user's outcome, and
// records the outcome search attribute.
func (p *sitePush) finish(ctx workflow.Context, clusterError string) (PushSiteResult, error) {
	plan := p.state.Plan
	result := PushSiteResult{Site: p.in.Site, Cluster: plan.Cluster, Planned: plan.Total,
		Skipped: plan.Skipped, Unchanged: plan.Unchanged, Error: clusterError}

	if plan.Total > 0 {
		var s *activities.StoreActivities
		actx := workflow.WithActivityOptions(ctx, storeOptions())
		var summary activities.PlanSummary
		err := workflow.ExecuteActivity(actx, s.SummarizePlan, activities.SummarizePlanInput{
			PlanID: plan.PlanID, MaxFailures: maxListedFailures,
		}).Get(ctx, &summary)
		if err != nil {
			return result, fmt.Errorf("summarize push of site %s: %w", p.in.Site, err)
		}
		sum := summary.Progress
		result.Added, result.Updated, result.Failed = sum.Added, sum.Updated, sum.Failed
		result.Unchanged += sum.Unchanged
		result.Failures = summary.Failures
		p.progress = Progress{Total: sum.Total, Added: sum.Added, Updated: sum.Updated,
			Unchanged: sum.Unchanged, Failed: sum.Failed, Skipped: plan.Skipped,
			Remaining: sum.Remaining}
	}

	outcome := OutcomeSucceeded
	if result.Failed > 0 {
		outcome = OutcomeFailed
	}
	setPushDetails(ctx, result)
	workflow.GetLogger(ctx).Info("Finished site push", "site", p.in.Site, "cluster", plan.Cluster,
		"added", result.Added, "updated", result.Updated, "unchanged", result.Unchanged,
		"failed", result.Failed, "skipped", result.Skipped)
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(outcome))
}

// ErrorMessage returns the message of the first error in err's chain whose type is one of
// [activities.ErrorTypes]: the activity's own words, naming what failed and the fix, without
// the "workflow execution error" and "activity error (type: ..., scheduledEventID: ...)"
// wrappers that Temporal adds. Any other error returns its outermost application message,
// or its whole text.
func ErrorMessage(err error) string {
	var appErr *temporal.ApplicationError
	outermost := ""
	for e := err; errors.As(e, &appErr); e = appErr.Unwrap() {
		if slices.Contains(activities.ErrorTypes, appErr.Type()) && appErr.Message() != "" {
			return appErr.Message()
		}
		if outermost == "" {
			outermost = appErr.Message()
		}
	}
	if outermost != "" {
		return outermost
	}
	return err.Error()
}

func errorMessage(err error) string { return ErrorMessage(err) }

// needsConfirmation reports whether the plan is larger than the site's guard allows without
// an operator's word.
func (p *sitePush) needsConfirmation() bool {
	plan := p.state.Plan
	return !p.in.Confirmed && plan.ConfirmAbove > 0 && plan.Total > plan.ConfirmAbove
}

// awaitConfirmation waits for the SignalConfirm signal, from `ucmpush push confirm` or the
// Web UI's Send Signal, or for the timeout. It returns whether the push was confirmed.
func (p *sitePush) awaitConfirmation(ctx workflow.Context) bool {
	timeout := p.in.ConfirmTimeout
	if timeout <= 0 {
		timeout = DefaultConfirmTimeout
	}
	info := workflow.GetInfo(ctx)
	workflow.GetLogger(ctx).Warn("Push waits for confirmation before its first write",
		"site", p.in.Site, "planned", p.state.Plan.Total, "confirmAbove", p.state.Plan.ConfirmAbove,
		"confirmWith", "ucmpush push confirm "+info.WorkflowExecution.ID)
	p.progress.AwaitingConfirmation = true
	if err := workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeAwaitingConfirmation)); err != nil {
		workflow.GetLogger(ctx).Warn("Could not record the outcome", "error", err)
	}

	confirmed := false
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	selector := workflow.NewSelector(ctx)
	selector.AddReceive(workflow.GetSignalChannel(ctx, SignalConfirm), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		confirmed = true
	})
	selector.AddFuture(workflow.NewTimer(timerCtx, timeout), func(workflow.Future) {})
	selector.Select(ctx)
	cancelTimer()

	p.progress.AwaitingConfirmation = false
	if confirmed {
		workflow.GetLogger(ctx).Info("Push confirmed", "site", p.in.Site)
		_ = workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeRunning))
	}
	return confirmed
}

// finishUnconfirmed ends a guarded push that nobody confirmed: nothing was written.
func (p *sitePush) finishUnconfirmed(ctx workflow.Context) (PushSiteResult, error) {
	plan := p.state.Plan
	result := PushSiteResult{Site: p.in.Site, Cluster: plan.Cluster, Planned: plan.Total,
		Skipped: plan.Skipped, Unchanged: plan.Unchanged,
		Error: fmt.Sprintf("the push of %d users needed a confirmation (the site's guard is %d) "+
			"and got none; nothing was written: push again and confirm it with `ucmpush push confirm`",
			plan.Total, plan.ConfirmAbove)}
	setPushDetails(ctx, result)
	workflow.GetLogger(ctx).Warn("Push not confirmed, nothing written", "site", p.in.Site)
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeRefused))
}

// previewUnreachable ends a dry run whose cluster check failed: unlike a push, it records no
// user as failed, and it deletes its plan.
func (p *sitePush) previewUnreachable(ctx workflow.Context, cause error) (PushSiteResult, error) {
	plan := p.state.Plan
	result := PushSiteResult{Site: p.in.Site, Cluster: plan.Cluster, Planned: plan.Total,
		Skipped: plan.Skipped, Unchanged: plan.Unchanged, DryRun: true, Error: errorMessage(cause)}
	workflow.GetLogger(ctx).Error("UCM cluster check failed, the dry run previews nothing",
		"site", p.in.Site, "cluster", plan.Cluster, "error", result.Error)

	var s *activities.StoreActivities
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, storeOptions()), s.DeletePlan,
		activities.DeletePlanInput{PlanID: plan.PlanID}).Get(ctx, nil)
	if err != nil {
		return result, fmt.Errorf("delete the dry run's plan of site %s: %w", p.in.Site, err)
	}
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeDryRun))
}

// preview reads UCM for each planned user, one batch at a time, and returns what a push
// would write; then it deletes the plan, so a dry run leaves no trace but its history.
func (p *sitePush) preview(ctx workflow.Context) (PushSiteResult, error) {
	var u *activities.UCMActivities
	plan := p.state.Plan
	result := PushSiteResult{Site: p.in.Site, Cluster: plan.Cluster, Planned: plan.Total,
		Skipped: plan.Skipped, Unchanged: plan.Unchanged, DryRun: true}
	actx := workflow.WithActivityOptions(ctx, previewOptions())
	for from := 1; from <= plan.Total && from <= maxBatchesPerRun*p.batchSize; from += p.batchSize {
		var batch activities.PreviewUsersResult
		err := workflow.ExecuteActivity(actx, u.PreviewUsers, activities.PushUsersInput{
			PlanID: plan.PlanID, ClusterID: plan.ClusterID, From: from,
			To: min(from+p.batchSize-1, plan.Total),
		}).Get(ctx, &batch)
		if err != nil {
			return result, fmt.Errorf("preview push of site %s: %w", p.in.Site, err)
		}
		for _, user := range batch.Users {
			switch user.Action {
			case "add":
				result.Added++
			case "update":
				result.Updated++
			case "unchanged":
				result.Unchanged++
			default:
				result.Failed++
			}
			if len(result.Preview) < maxListedPreviews {
				result.Preview = append(result.Preview, user)
			}
		}
	}

	var s *activities.StoreActivities
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, storeOptions()), s.DeletePlan,
		activities.DeletePlanInput{PlanID: plan.PlanID}).Get(ctx, nil)
	if err != nil {
		return result, fmt.Errorf("delete the dry run's plan of site %s: %w", p.in.Site, err)
	}
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeDryRun))
}
