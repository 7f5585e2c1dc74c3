package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
)

// sitePushes starts the PushSite children of one trigger and collects their results.
type sitePushes struct {
	Trigger  string
	Customer string
	// ChangeKey narrows each push to the users the trigger moved or created.
	ChangeKey string
	// All pushes every user of each site, not only new and changed ones.
	All bool
	// OnlyFailed pushes only the users whose last push failed.
	OnlyFailed bool
	// Manual pushes whatever the sites' auto push switch says.
	Manual bool
	// DryRun previews each push and writes nothing.
	DryRun bool
	// Confirmed lets pushes larger than their site's guard start writing at once.
	Confirmed bool
	// started lists the child workflow IDs, for the pushes query.
	started []string
}

// run starts one PushSite child per site that can be pushed, all at once, and waits for them.
// A site is skipped, with the reason in its result, when no UCM serves it or, unless the push
// is manual, when its auto push is off. A child that fails is reported in its site's result;
// the other sites go on.
func (p *sitePushes) run(ctx workflow.Context, sites []activities.SiteTarget, moves activities.ApplyMoveRulesResult) []SiteResult {
	moved := map[int64]activities.SiteMoves{}
	for _, m := range moves.Sites {
		moved[m.SiteID] = m
	}

	results := make([]SiteResult, len(sites))
	futures := make([]workflow.ChildWorkflowFuture, len(sites))
	runID := workflow.GetInfo(ctx).WorkflowExecution.RunID
	for i, site := range sites {
		results[i] = SiteResult{Site: site.Site, AutoPush: site.AutoPush, Cluster: site.Cluster,
			Users: site.Users, Moved: moved[site.SiteID].Moved,
			LeftOnOldCluster: moved[site.SiteID].LeftOnOldCluster}
		if reason := site.NotPushedReason(p.Manual); reason != "" {
			results[i].NotPushed = reason
			continue
		}

		id := SitePushWorkflowID(site.Site, p.Trigger, runID)
		results[i].PushWorkflowID = id
		p.started = append(p.started, id)
		childCtx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:    id,
			StaticSummary: fmt.Sprintf("Push %s of %s (%s)", p.pushWhat(), site.Site, p.Trigger),
			TypedSearchAttributes: temporal.NewSearchAttributes(
				CustomerKey.ValueSet(customerOf(site.Site)),
				SiteKey.ValueSet(site.Site),
				TriggerKey.ValueSet(p.Trigger),
				OutcomeKey.ValueSet(OutcomeRunning),
			),
		})
		input := PushSiteInput{
			SiteID:     site.SiteID,
			Site:       site.Site,
			Trigger:    p.Trigger,
			All:        p.All,
			ChangeKey:  p.ChangeKey,
			OnlyFailed: p.OnlyFailed,
			DryRun:     p.DryRun,
			Confirmed:  p.Confirmed,
		}
		futures[i] = workflow.ExecuteChildWorkflow(childCtx, PushSite, input)
	}

	for i, future := range futures {
		if future == nil {
			continue
		}
		var push PushSiteResult
		if err := future.Get(ctx, &push); err != nil {
			workflow.GetLogger(ctx).Error("Site push failed", "site", sites[i].Site, "error", err)
			results[i].NotPushed = "push failed: " + errorMessage(err)
			continue
		}
		results[i].Push = &push
	}
	return results
}

// registerPushesQuery answers QueryPushes with the PushSite children started so far.
func registerPushesQuery(ctx workflow.Context, p *sitePushes) error {
	return workflow.SetQueryHandler(ctx, QueryPushes, func() ([]string, error) {
		return p.started, nil
	})
}

// outcomeOf returns the outcome search attribute value of a trigger's site results.
func outcomeOf(sites []SiteResult) string {
	for _, site := range sites {
		if site.PushWorkflowID != "" && (site.Push == nil || site.Push.Failed > 0) {
			return OutcomeFailed
		}
	}
	return OutcomeSucceeded
}

// pushWhat names the users each push of the trigger handles, for summaries.
func (p *sitePushes) pushWhat() string {
	switch {
	case p.ChangeKey != "":
		return "the changed users"
	case p.OnlyFailed:
		return "the failed users"
	case p.All:
		return "every user"
	}
	return "new and changed users"
}
