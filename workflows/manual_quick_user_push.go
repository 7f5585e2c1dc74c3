package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/store"
)

// UcmpushTrigger values of the Quick User runs and of the UCM reads of `ucmpush users show`.
const (
	TriggerQuickUser = "quick-user"
	TriggerUsersShow = "users-show"
)

// QueryQuickUserSteps returns the steps of a running ManualQuickUserPush finished so far, as
// []store.QuickUserStep.
const QueryQuickUserSteps = "quick-user-steps"

// QuickUserWorkflowID returns the ID of the ManualQuickUserPush of a user at a site:
// quick-user/customer/site/userid, with the userid as [EscapeUserID] writes it. One ID per
// user means two runs for the same user never overlap.
func QuickUserWorkflowID(site, userid string) string {
	return fmt.Sprintf("quick-user/%s/%s", site, EscapeUserID(userid))
}

// QuickUserDryRunWorkflowID returns the ID of a dry run of Quick User, which must never
// attach to a real run of the same user: quick-user-dry-run/customer/site/userid.
func QuickUserDryRunWorkflowID(site, userid string) string {
	return fmt.Sprintf("quick-user-dry-run/%s/%s", site, EscapeUserID(userid))
}

// ReadUCMUserWorkflowID returns the ID of a ReadUCMUser of one user at a site, or of the
// site's users when userid is empty: read-ucm-user/customer/site[/userid].
func ReadUCMUserWorkflowID(site, userid string) string {
	if userid == "" {
		return "read-ucm-user/" + site
	}
	return fmt.Sprintf("read-ucm-user/%s/%s", site, EscapeUserID(userid))
}

// quickUserStepOptions suit one Quick User step: a few AXL calls that may first wait,
// heartbeating, for one of the cluster's in-flight slots behind a site push, then retries
// for a few minutes while UCM is busy or unreachable. A write that UCM rejects is final. A
// canceled run waits for the running step to end, so its undo never races the step.
func quickUserStepOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		WaitForCancellation: true,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			MaximumAttempts:        6,
			NonRetryableErrorTypes: slices.Concat(activities.NonRetryableErrors, []string{activities.ErrUCMRejected}),
		},
	}
}

// ManualQuickUserPushInput is a Quick User request.
type ManualQuickUserPushInput struct {
	Request activities.QuickUserRequest
	// DryRun runs the checks only and returns the AXL writes the run would send; nothing is
	// written to UCM or the store.
	DryRun bool
}

// ManualQuickUserPushResult is the outcome of a Quick User run, step by step.
type ManualQuickUserPushResult struct {
	Site    string `json:"site"`
	UserID  string `json:"userID"`
	Cluster string `json:"cluster,omitempty"`
	DryRun  bool   `json:"dryRun,omitempty"`
	// Outcome is succeeded, refused, failed or dry-run. A refused run failed a check and
	// wrote nothing. A failed run had a step fail for good and removed what it created.
	Outcome string `json:"outcome"`
	// Reason names, for a refused or failed run, the check or step that failed and why.
	Reason string `json:"reason,omitempty"`
	// Checks lists each check with its result.
	Checks []store.QuickUserStep `json:"checks"`
	// Steps lists the check, then each step with its result, in order; steps a failure
	// stopped are "not run".
	Steps []store.QuickUserStep `json:"steps"`
	// Calls are the AXL writes the run sent, or for a dry run would send.
	Calls []activities.AXLCall `json:"calls,omitempty"`
	// Undone lists what a failed run removed or restored again; NotUndone what it could not,
	// with the error, which a re-run finishes or an operator removes by hand.
	Undone    []string `json:"undone,omitempty"`
	NotUndone []string `json:"notUndone,omitempty"`
	// Notes are features skipped, and why.
	Notes []string `json:"notes,omitempty"`
	// Line is the user's line and Devices the devices on it.
	Line    string   `json:"line,omitempty"`
	Devices []string `json:"devices,omitempty"`
}

// ManualQuickUserPush provisions one user of a site on the site's UCM cluster in one action,
// whether or not the site's auto push is on: the user, a line, a desk phone and a Jabber
// device on it, an extension mobility profile, single number reach, and the voicemail flag.
//
// It checks first (QuickUserCheck): the user is active at the site, the site's NDL has a
// UCM, the device names are valid and free or already the user's, and the number is free or
// already the user's. A failed check ends the run as refused, with nothing written and the
// check and reason in the result. A dry run stops after the check and returns the AXL writes
// the run would send.
//
// Then one activity per step: user, line, phone, jabber, profile, remote-destination,
// associate. Each reads UCM and writes only the difference, so a re-run after any failure
// finishes the job without duplicates. Every step goes through the cluster's in-flight
// lanes and retries while UCM is busy or unreachable (quickUserStepOptions).
//
// When a step fails for good (UCM rejects a write, or the retries run out), the run undoes
// itself: in reverse order, QuickUserUndo removes what this run created and restores what
// it changed, telling both from what existed at the check; what existed before stays. The
// run then ends as failed, its result listing what was undone and what could not be. A
// canceled run undoes itself the same way. The result of every step is recorded in the
// store as the user's last Quick User run; a successful run also records the user's push
// state on the cluster.
func ManualQuickUserPush(ctx workflow.Context, in ManualQuickUserPushInput) (ManualQuickUserPushResult, error) {
	q := &quickUserPush{in: in, result: ManualQuickUserPushResult{Site: in.Request.Site,
		UserID: in.Request.UserID, DryRun: in.DryRun}}
	err := workflow.SetQueryHandler(ctx, QueryQuickUserSteps, func() ([]store.QuickUserStep, error) {
		return q.result.Steps, nil
	})
	if err != nil {
		return q.result, err
	}
	return q.run(ctx)
}

// quickUserPush is the state of one run.
type quickUserPush struct {
	in     ManualQuickUserPushInput
	result ManualQuickUserPushResult
	plan   activities.QuickUserPlan
	// attempted lists the steps that started, in order, for undo.
	attempted []string
	// userAction and uuid are what the user step did, for the push state.
	userAction, uuid string
}

func (q *quickUserPush) run(ctx workflow.Context) (ManualQuickUserPushResult, error) {
	check, err := q.check(ctx)
	if err != nil && ctx.Err() != nil {
		return q.result, err
	}
	if err != nil {
		q.addStep(activities.QuickUserStepCheck, activities.QuickUserFailed, quickUserErrorMessage(err))
		return q.finish(ctx, OutcomeFailed, "check: "+quickUserErrorMessage(err))
	}
	if !check.Passed {
		q.addStep(activities.QuickUserStepCheck, activities.QuickUserFailed, check.Check+": "+check.Reason)
		return q.finish(ctx, OutcomeRefused, fmt.Sprintf("check %s failed: %s; nothing was written",
			check.Check, check.Reason))
	}
	q.addStep(activities.QuickUserStepCheck, activities.QuickUserPassed, checkSummary(check))
	if q.in.DryRun {
		q.result.Calls = check.Calls
		return q.finish(ctx, OutcomeDryRun, "")
	}

	steps := q.plan.Steps()
	for i, step := range steps {
		if err := q.step(ctx, step); err != nil {
			return q.fail(ctx, step, steps[i+1:], err)
		}
	}
	q.addStep(activities.QuickUserStepVoicemail, activities.QuickUserRecorded, onOffText(q.plan.Voicemail))
	return q.finish(ctx, OutcomeSucceeded, "")
}

// check runs QuickUserCheck and keeps its plan.
func (q *quickUserPush) check(ctx workflow.Context) (activities.QuickUserCheckResult, error) {
	var u *activities.UCMActivities
	info := workflow.GetInfo(ctx)
	var check activities.QuickUserCheckResult
	actx := workflow.WithActivityOptions(ctx, quickUserStepOptions())
	err := workflow.ExecuteActivity(actx, u.QuickUserCheck, activities.QuickUserCheckInput{
		Request: q.in.Request,
		DryRun:  q.in.DryRun,
		RunKey:  info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID,
	}).Get(ctx, &check)
	if err != nil {
		return check, err
	}

	q.plan = check.Plan
	q.result.Checks = check.Checks
	q.result.Cluster = check.Plan.Cluster
	q.result.Notes = check.Plan.Notes
	if check.Passed {
		q.result.Line = extensionOf(check.Plan)
		q.result.Devices = check.Plan.DeviceNames()
	}
	if check.Plan.Cluster != "" {
		if err := workflow.UpsertTypedSearchAttributes(ctx, ClusterKey.ValueSet(check.Plan.Cluster)); err != nil {
			return check, err
		}
	}
	return check, nil
}

// step runs one step's activity and records its result.
func (q *quickUserPush) step(ctx workflow.Context, step string) error {
	q.attempted = append(q.attempted, step)
	actx := workflow.WithActivityOptions(ctx, quickUserStepOptions())
	var r activities.QuickUserStepResult
	err := workflow.ExecuteActivity(actx, stepActivity(step), activities.QuickUserStepInput{
		Plan: q.plan, Step: step,
	}).Get(ctx, &r)
	if err != nil {
		return err
	}

	if step == activities.QuickUserStepUser {
		q.userAction, q.uuid = r.Action, r.UUID
	}
	q.result.Calls = append(q.result.Calls, r.Calls...)
	q.addStep(step, r.Action, r.Detail)
	workflow.GetLogger(ctx).Info("Quick User step finished", "site", q.plan.Site,
		"userID", q.in.Request.UserID, "step", step, "action", r.Action)
	return nil
}

// stepActivity returns the activity of a step.
func stepActivity(step string) any {
	var u *activities.UCMActivities
	switch step {
	case activities.QuickUserStepUser:
		return u.QuickUserUser
	case activities.QuickUserStepLine:
		return u.QuickUserLine
	case activities.QuickUserStepProfile:
		return u.QuickUserProfile
	case activities.QuickUserStepRemoteDestination:
		return u.QuickUserRemoteDestination
	case activities.QuickUserStepAssociate:
		return u.QuickUserAssociate
	}
	return u.QuickUserPhone
}

// fail records the failed step and those it stopped, undoes the run and finishes it as
// failed. A canceled run is undone on a disconnected context, then ends canceled.
func (q *quickUserPush) fail(ctx workflow.Context, step string, notRun []string, cause error) (ManualQuickUserPushResult, error) {
	canceled := temporal.IsCanceledError(cause) || errors.Is(ctx.Err(), workflow.ErrCanceled)
	reason := quickUserErrorMessage(cause)
	if canceled {
		reason = "the run was canceled"
	}
	q.addStep(step, activities.QuickUserFailed, reason)
	for _, s := range notRun {
		q.addStep(s, "not run", "")
	}
	workflow.GetLogger(ctx).Error("Quick User step failed, undoing the run", "site", q.plan.Site,
		"userID", q.in.Request.UserID, "step", step, "error", reason)

	undoCtx := ctx
	if canceled {
		undoCtx, _ = workflow.NewDisconnectedContext(ctx)
	}
	q.undo(undoCtx)
	result, err := q.finish(undoCtx, OutcomeFailed, fmt.Sprintf("step %s failed: %s", step, reason))
	if canceled && err == nil {
		err = temporal.NewCanceledError(reason)
	}
	return result, err
}

// undo runs QuickUserUndo for each attempted step, last first. A step whose undo fails is
// listed in NotUndone; the others are still undone.
func (q *quickUserPush) undo(ctx workflow.Context) {
	var u *activities.UCMActivities
	actx := workflow.WithActivityOptions(ctx, quickUserStepOptions())
	for i := len(q.attempted) - 1; i >= 0; i-- {
		step := q.attempted[i]
		var r activities.QuickUserUndoResult
		err := workflow.ExecuteActivity(actx, u.QuickUserUndo, activities.QuickUserStepInput{
			Plan: q.plan, Step: step,
		}).Get(ctx, &r)
		if err != nil {
			q.result.NotUndone = append(q.result.NotUndone, fmt.Sprintf("step %s: %s", step,
				quickUserErrorMessage(err)))
			continue
		}
		q.result.Undone = append(q.result.Undone, r.Undone...)
		if len(r.Undone) > 0 {
			q.markUndone(step)
		}
	}
}

// markUndone sets the status of a step that added or updated something to undone.
func (q *quickUserPush) markUndone(step string) {
	for i := range q.result.Steps {
		s := &q.result.Steps[i]
		if s.Name == step && s.Status != activities.QuickUserFailed {
			s.Detail = strings.TrimSpace(s.Status + ", then undone: " + s.Detail)
			s.Status = activities.QuickUserUndone
		}
	}
}

// finish records the result in the store (not for a dry run, nor before the check found the
// user) and sets the outcome search attribute.
func (q *quickUserPush) finish(ctx workflow.Context, outcome, reason string) (ManualQuickUserPushResult, error) {
	q.result.Outcome, q.result.Reason = outcome, reason
	if outcome != OutcomeDryRun && q.plan.StoreUserID != 0 {
		if err := q.record(ctx); err != nil {
			return q.result, fmt.Errorf("record Quick User result of %s: %w", q.in.Request.UserID, err)
		}
	}
	workflow.GetLogger(ctx).Info("Quick User finished", "site", q.result.Site,
		"userID", q.result.UserID, "outcome", outcome)
	return q.result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(outcome))
}

func (q *quickUserPush) record(ctx workflow.Context) error {
	info := workflow.GetInfo(ctx)
	p := q.plan
	r := store.QuickUserRecord{UserID: p.StoreUserID, ClusterID: p.ClusterID,
		Result: store.QuickUserResult{WorkflowID: info.WorkflowExecution.ID,
			RunID: info.WorkflowExecution.RunID, Outcome: q.result.Outcome, Reason: q.result.Reason,
			Steps: q.result.Steps,
			Line:  store.Number{Pattern: p.Line.Pattern, Partition: p.Line.RoutePartitionName}}}
	if p.RemoteDestination != nil {
		r.Result.Mobile = p.RemoteDestination.Destination
	}

	switch q.result.Outcome {
	case OutcomeSucceeded:
		voicemail := p.Voicemail
		r.Voicemail = &voicemail
		if p.User.MayAdd {
			r.Pushed = &store.PushOutcome{Action: q.userAction, UUID: q.uuid,
				Hash: p.User.Attributes.Hash(), PushedUserID: p.User.Attributes.UserID,
				Reason: "Quick User: line " + q.result.Line + ", devices " +
					strings.Join(q.result.Devices, ", ")}
		}
	case OutcomeFailed:
		if p.NumberReserved {
			r.ReleaseRunKey = p.RunKey
		}
	}

	var s *activities.StoreActivities
	actx := workflow.WithActivityOptions(ctx, storeOptions())
	return workflow.ExecuteActivity(actx, s.RecordQuickUser, r).Get(ctx, nil)
}

func (q *quickUserPush) addStep(name, status, detail string) {
	q.result.Steps = append(q.result.Steps, store.QuickUserStep{Name: name, Status: status, Detail: detail})
}

// checkSummary describes a passed check in one line: the number, the devices and the
// features skipped.
func checkSummary(c activities.QuickUserCheckResult) string {
	parts := []string{fmt.Sprintf("line %s (%s)", extensionOf(c.Plan), c.Plan.NumberSource)}
	if names := c.Plan.DeviceNames(); len(names) > 0 {
		parts = append(parts, "devices "+strings.Join(names, ", "))
	}
	return strings.Join(append(parts, c.Plan.Notes...), "; ")
}

func extensionOf(p activities.QuickUserPlan) string {
	return store.Number{Pattern: p.Line.Pattern, Partition: p.Line.RoutePartitionName}.String()
}

func onOffText(on bool) string {
	if on {
		return "voicemail on (recorded in the store for the voicemail system)"
	}
	return "voicemail off"
}

// quickUserErrorMessage returns the activity's own message of err: that of a rejected UCM
// write, or what [ErrorMessage] finds.
func quickUserErrorMessage(err error) string {
	var appErr *temporal.ApplicationError
	for e := err; errors.As(e, &appErr); e = appErr.Unwrap() {
		if appErr.Type() == activities.ErrUCMRejected && appErr.Message() != "" {
			return appErr.Message()
		}
	}
	return ErrorMessage(err)
}

// ReadUCMUserInput names the users of a site to read from its UCM cluster.
type ReadUCMUserInput struct {
	Site  string
	Users []activities.ReadUCMUser
}

// ReadUCMUser reads what the site's UCM cluster holds of each user (devices, lines, profiles,
// single number reach and flags) and returns it; it writes nothing. It exists so that the
// CLI, which holds no AXL password, can show users as UCM has them. At most
// [activities.MaxReadUCMUsers] users are read.
func ReadUCMUser(ctx workflow.Context, in ReadUCMUserInput) (activities.ReadUCMUsersResult, error) {
	var u *activities.UCMActivities
	actx := workflow.WithActivityOptions(ctx, quickUserStepOptions())
	var result activities.ReadUCMUsersResult
	err := workflow.ExecuteActivity(actx, u.ReadUCMUsers, activities.ReadUCMUsersInput{
		Site: in.Site, Users: in.Users,
	}).Get(ctx, &result)
	if err != nil {
		_ = workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeFailed))
		return result, fmt.Errorf("read %d users of site %s from UCM: %w", len(in.Users), in.Site, err)
	}
	return result, workflow.UpsertTypedSearchAttributes(ctx, ClusterKey.ValueSet(result.Cluster),
		OutcomeKey.ValueSet(OutcomeSucceeded))
}
