package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
)

// dryRunPageSize bounds the planned users of each site that one dry-run store step returns.
// At an estimated 300 bytes a user, a page is near 150 KB, well under the 2 MB that a
// Temporal server accepts in one payload by default.
const dryRunPageSize = 500

// maxDryRunUsers bounds the users of each site that a trigger's dry run reads from UCM, with
// the same bound as PushSite's dry run. The plan's Planned count covers every user.
const maxDryRunUsers = maxBatchesPerRun * DefaultBatchSize

// DryRunWorkflowID returns the ID of the dry run of the trigger whose real run has the ID id:
// dry-run/ followed by id. No real trigger's ID starts with dry-run/, so a dry run never
// attaches to a real run, and a real run never attaches to a dry run.
func DryRunWorkflowID(id string) string { return "dry-run/" + id }

// dryRunStep runs a trigger's dry-run store step for one page of the planned users.
type dryRunStep func(page activities.PlanPage) (activities.TriggerPreview, error)

// previewTrigger runs a trigger as a dry run. The store step applies the change and plans
// every push the real run would start, in a transaction that it rolls back, and returns the
// first page of each plan. Each page is read from UCM, as PushSite's dry run reads it, and
// the step runs again for the next page while a plan has more users. Nothing is written: no
// change, no plan, no push state, no AXL write. A site whose UCM cannot be read keeps the
// users previewed so far and has the error in its result, and the other sites go on.
func previewTrigger(ctx workflow.Context, result TriggerResult, step dryRunStep) (TriggerResult, error) {
	result.DryRun = true
	page := activities.PlanPage{From: 1, To: dryRunPageSize}
	preview, err := step(page)
	if err != nil {
		return result, err
	}
	result.Unserved = preview.Unserved
	result.UnknownUsernames = preview.Moves.UnknownUsernames
	sites := preview.Sites
	result.Sites = dryRunSites(preview)

	for {
		more := false
		for _, plan := range preview.Plans {
			i := siteIndex(sites, plan.SiteID)
			if i < 0 || result.Sites[i].Push == nil || result.Sites[i].Push.Error != "" {
				continue
			}
			previewItems(ctx, result.Sites[i].Push, plan)
			more = more || plan.Total > page.To
		}
		if !more || page.To >= maxDryRunUsers {
			break
		}

		page = activities.PlanPage{From: page.To + 1, To: page.To + dryRunPageSize}
		if preview, err = step(page); err != nil {
			return result, err
		}
	}
	return finishDryRun(ctx, result)
}

// dryRunSites builds one result per concerned site, as [sitePushes.run] would, with an empty
// preview for each site that the real run would push.
func dryRunSites(preview activities.TriggerPreview) []SiteResult {
	moved := map[int64]activities.SiteMoves{}
	for _, m := range preview.Moves.Sites {
		moved[m.SiteID] = m
	}

	results := make([]SiteResult, len(preview.Sites))
	for i, site := range preview.Sites {
		results[i] = SiteResult{Site: site.Site, AutoPush: site.AutoPush, Cluster: site.Cluster,
			Users: site.Users, Moved: moved[site.SiteID].Moved,
			LeftOnOldCluster: moved[site.SiteID].LeftOnOldCluster,
			NotPushed:        site.NotPushedReason(false)}
	}
	for _, plan := range preview.Plans {
		if i := siteIndex(preview.Sites, plan.SiteID); i >= 0 {
			results[i].Push = &PushSiteResult{Site: results[i].Site, Cluster: plan.Cluster,
				Planned: plan.Total, Unchanged: plan.Unchanged, Skipped: plan.Skipped, DryRun: true}
		}
	}
	return results
}

// siteIndex returns the index of the site with ID siteID in sites, or -1.
func siteIndex(sites []activities.SiteTarget, siteID int64) int {
	for i, site := range sites {
		if site.SiteID == siteID {
			return i
		}
	}
	return -1
}

// previewItems reads the page of plan from UCM, DefaultBatchSize users per activity, and
// counts each user's action in push. A read that fails for good sets push.Error.
func previewItems(ctx workflow.Context, push *PushSiteResult, plan activities.SitePlanPreview) {
	var u *activities.UCMActivities
	actx := workflow.WithActivityOptions(ctx, previewOptions())
	for from := 0; from < len(plan.Items); from += DefaultBatchSize {
		var batch activities.PreviewUsersResult
		err := workflow.ExecuteActivity(actx, u.PreviewPlanItems, activities.PreviewPlanItemsInput{
			ClusterID: plan.ClusterID,
			Items:     plan.Items[from:min(from+DefaultBatchSize, len(plan.Items))],
		}).Get(ctx, &batch)
		if err != nil {
			push.Error = fmt.Sprintf("dry run could not read UCM cluster %s: %s", plan.Cluster,
				errorMessage(err))
			workflow.GetLogger(ctx).Error("Dry-run preview failed", "site", push.Site,
				"cluster", plan.Cluster, "error", push.Error)
			return
		}
		countPreviews(push, batch.Users)
	}
}

// countPreviews adds the actions of users to push and lists the first maxListedPreviews.
func countPreviews(push *PushSiteResult, users []activities.UserPreview) {
	for _, user := range users {
		switch user.Action {
		case "add":
			push.Added++
		case "update":
			push.Updated++
		case "unchanged":
			push.Unchanged++
		default:
			push.Failed++
		}
		if len(push.Preview) < maxListedPreviews {
			push.Preview = append(push.Preview, user)
		}
	}
}

// finishDryRun records the outcome dry-run, shows in the Web UI that nothing was written, and
// logs the end of the dry run.
func finishDryRun(ctx workflow.Context, result TriggerResult) (TriggerResult, error) {
	details := fmt.Sprintf("Dry run, nothing was written: %s would be done", result.Change)
	for _, site := range result.Sites {
		if p := site.Push; p != nil {
			details += fmt.Sprintf("\n%s: %d planned, %d would be added, %d updated, "+
				"%d unchanged, %d refused", site.Site, p.Planned, p.Added, p.Updated, p.Unchanged,
				p.Failed)
		}
	}
	workflow.SetCurrentDetails(ctx, details)
	workflow.GetLogger(ctx).Info("Trigger dry run finished, nothing written",
		"trigger", result.Trigger, "change", result.Change, "sites", len(result.Sites))
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeDryRun))
}
