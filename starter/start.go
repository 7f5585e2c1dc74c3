package starter

import (
	"context"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/workflows"
)

// start starts a workflow under a business-key ID. A second start of the same ID while the
// first runs attaches to it (conflict policy use-existing), so a trigger fired twice pushes
// once; after it closes, the ID may run again.
func (a *app) start(ctx context.Context, id string, attrs []temporal.SearchAttributeUpdate,
	workflow any, input any) (client.WorkflowRun, error) {
	tc, err := a.temporalClient()
	if err != nil {
		return nil, err
	}
	attrs = append(attrs, workflows.OutcomeKey.ValueSet(workflows.OutcomeRunning))
	opts := client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                a.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
	}
	if s, ok := input.(interface{ Summary() string }); ok {
		opts.StaticSummary = s.Summary()
	}
	run, err := tc.ExecuteWorkflow(ctx, opts, workflow, input)
	if err != nil {
		return nil, fmt.Errorf("start workflow %s: %w", id, err)
	}
	a.printStarted("Workflow", run.GetID(), run.GetRunID())
	return run, nil
}

// waitTrigger waits for a trigger workflow, printing the progress of its pushes to stderr
// every two seconds, then prints its result. It returns an error when the workflow failed or
// a user failed to push.
func (a *app) waitTrigger(ctx context.Context, run client.WorkflowRun) error {
	var result workflows.TriggerResult
	if err := a.waitWithProgress(ctx, run, &result); err != nil {
		return fmt.Errorf("workflow %s failed: %s", run.GetID(), workflowErrorMessage(err))
	}
	return a.printTriggerResult(result)
}

// waitWithProgress waits for the workflow's result while another goroutine prints progress.
func (a *app) waitWithProgress(ctx context.Context, run client.WorkflowRun, result any) error {
	progressCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.reportProgress(progressCtx, run)
	}()
	err := run.Get(ctx, result)
	stop()
	<-done
	return err
}

// reportProgress prints a line whenever the summed progress of the trigger's pushes changes,
// until the trigger ends.
func (a *app) reportProgress(ctx context.Context, run client.WorkflowRun) {
	tc, err := a.temporalClient()
	if err != nil {
		return
	}
	last := ""
	ticker := time.NewTicker(2 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		desc, err := tc.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
		if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return
		}
		line := a.pushProgress(ctx, tc, run.GetID(), run.GetRunID())
		if line != "" && line != last {
			fmt.Fprintln(a.errOut, line)
			last = line
		}
	}
}

// pushProgress returns the progress of a PushSite workflow, or the summed progress of a
// trigger's PushSite children, as one line with a bar; "" when no push has started yet.
func (a *app) pushProgress(ctx context.Context, tc client.Client, id, runID string) string {
	var own workflows.Progress
	if value, err := tc.QueryWorkflow(ctx, id, runID, workflows.QueryProgress); err == nil {
		if value.Get(&own) == nil && own.AwaitingConfirmation {
			return awaitingLine(id, own)
		}
		if own.Total > 0 {
			return progressLine(own)
		}
		return ""
	}

	var children []string
	value, err := tc.QueryWorkflow(ctx, id, runID, workflows.QueryPushes)
	if err != nil || value.Get(&children) != nil || len(children) == 0 {
		return ""
	}
	var sum workflows.Progress
	for _, child := range children {
		var p workflows.Progress
		value, err := tc.QueryWorkflow(ctx, child, "", workflows.QueryProgress)
		if err != nil || value.Get(&p) != nil {
			continue
		}
		if p.AwaitingConfirmation {
			return awaitingLine(child, p)
		}
		sum.Total += p.Total
		sum.Added += p.Added
		sum.Updated += p.Updated
		sum.Unchanged += p.Unchanged
		sum.Failed += p.Failed
		sum.Skipped += p.Skipped
		sum.Remaining += p.Remaining
	}
	return progressLine(sum)
}

// progressLine renders progress as a 30-character bar and the counts.
func progressLine(p workflows.Progress) string {
	done := p.Total - p.Remaining
	filled := 30
	if p.Total > 0 {
		filled = 30 * done / p.Total
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", 30-filled)
	return fmt.Sprintf("[%s] %d/%d done: %d added, %d updated, %d unchanged, %d failed, %d skipped",
		bar, done, p.Total, p.Added, p.Updated, p.Unchanged, p.Failed, p.Skipped)
}

// awaitingLine tells the operator that a push waits, and the command that confirms it.
func awaitingLine(id string, p workflows.Progress) string {
	return fmt.Sprintf("Push %s of %d users waits for confirmation before its first write: "+
		"run `ucmpush push confirm %s`, or cancel the workflow", id, p.Total, id)
}
