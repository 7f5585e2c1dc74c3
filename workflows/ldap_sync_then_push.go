package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/store"
)

// LdapSyncThenPushInput names the directory to sync.
type LdapSyncThenPushInput struct {
	Directory string
	// ConfirmRemovals applies a sync that removes or disables more of the directory's users
	// than its removal guard allows. A search that returned nobody is never applied.
	ConfirmRemovals bool
	// ConfirmPush lets site pushes larger than their site's guard start writing at once.
	ConfirmPush bool `json:",omitempty"`
	// DryRun reads the directory and counts what the sync would change in the store, then
	// stops: nothing is written to the users, and nothing is pushed.
	DryRun bool `json:",omitempty"`
}

// SiteResult says what one trigger did for one site.
type SiteResult struct {
	Site     string
	AutoPush bool
	Cluster  string `json:",omitempty"`
	// Users counts the site's active users after the sync.
	Users int
	// Moved counts the users that move rules brought to the site in this run.
	Moved int
	// LeftOnOldCluster counts moved users still on a cluster that no longer serves them;
	// nothing is deleted there, and their push state there says so.
	LeftOnOldCluster int `json:",omitempty"`
	// NotPushed is the reason nothing was pushed: auto push is off, or no UCM serves the site.
	NotPushed      string          `json:",omitempty"`
	PushWorkflowID string          `json:",omitempty"`
	Push           *PushSiteResult `json:",omitempty"`
}

// LdapSyncThenPushResult is the outcome of a sync and the pushes it started.
type LdapSyncThenPushResult struct {
	Directory string
	Customer  string
	Search    activities.StageDirectoryResult
	Sync      store.SyncCounts
	Sites     []SiteResult
}

// LdapSyncThenPush reads every user of a directory into the store, applies the customer's
// move rules, then pushes the new and changed users of each site whose auto push is on and
// whose NDL names a UCM cluster, one PushSite child workflow per site.
//
// The directory is staged before anything changes: a search that fails leaves the users as
// they were, and a search that returns nobody, or far fewer users than the last good sync, is
// refused by the removal guards (the workflow fails with an error whose cause has type
// SyncRefused, and whose message says how to confirm). Users whose source is UCM, and unchanged users, are never pushed.
func LdapSyncThenPush(ctx workflow.Context, in LdapSyncThenPushInput) (LdapSyncThenPushResult, error) {
	log := workflow.GetLogger(ctx)
	result := LdapSyncThenPushResult{Directory: in.Directory}
	pushes := &sitePushes{Trigger: TriggerSync, Confirmed: in.ConfirmPush}
	if err := registerPushesQuery(ctx, pushes); err != nil {
		return result, err
	}
	var s *activities.StoreActivities
	var d *activities.DirectoryActivities
	storeCtx := workflow.WithActivityOptions(ctx, storeOptions())

	var run activities.BeginSyncResult
	err := workflow.ExecuteActivity(storeCtx, s.BeginSync, activities.BeginSyncInput{
		Directory: in.Directory,
		RunKey:    workflow.GetInfo(ctx).WorkflowExecution.RunID,
	}).Get(ctx, &run)
	if err != nil {
		return result, fmt.Errorf("begin sync of directory %s: %w", in.Directory, err)
	}
	result.Customer = run.Customer
	pushes.Customer = run.Customer
	log.Info("Sync started", "directory", in.Directory, "customer", run.Customer, "syncRunID", run.RunID)

	directoryCtx := workflow.WithActivityOptions(ctx, directoryOptions())
	err = workflow.ExecuteActivity(directoryCtx, d.StageDirectory, activities.StageDirectoryInput{
		DirectoryID: run.DirectoryID,
		RunID:       run.RunID,
	}).Get(ctx, &result.Search)
	if err != nil {
		return result, failSync(ctx, fmt.Errorf("read directory %s: %w", in.Directory, err))
	}
	log.Info("Directory read", "directory", in.Directory, "entries", result.Search.Entries,
		"invalid", result.Search.Invalid, "pages", result.Search.Pages)

	err = workflow.ExecuteActivity(storeCtx, s.ApplySync, activities.ApplySyncInput{
		RunID:           run.RunID,
		ConfirmRemovals: in.ConfirmRemovals,
		DryRun:          in.DryRun,
	}).Get(ctx, &result.Sync)
	if err != nil {
		return result, failSync(ctx, fmt.Errorf("apply sync of directory %s: %w", in.Directory, err))
	}
	if in.DryRun {
		log.Info("Dry run finished, nothing written", "directory", in.Directory,
			"added", result.Sync.Added, "updated", result.Sync.Updated,
			"removed", result.Sync.Removed, "refused", result.Sync.Refused)
		return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeDryRun))
	}
	log.Info("Sync applied", "directory", in.Directory, "added", result.Sync.Added,
		"updated", result.Sync.Updated, "removed", result.Sync.Removed,
		"disabled", result.Sync.Disabled)

	var moves activities.ApplyMoveRulesResult
	err = workflow.ExecuteActivity(storeCtx, s.ApplyMoveRules, activities.ApplyMoveRulesInput{
		CustomerID: run.CustomerID,
	}).Get(ctx, &moves)
	if err != nil {
		return result, failSync(ctx, fmt.Errorf("apply move rules of customer %s: %w", run.Customer, err))
	}

	var sites activities.ListSitesResult
	err = workflow.ExecuteActivity(storeCtx, s.ListSites, activities.ListSitesInput{
		CustomerID: run.CustomerID,
	}).Get(ctx, &sites)
	if err != nil {
		return result, failSync(ctx, fmt.Errorf("list sites of customer %s: %w", run.Customer, err))
	}

	result.Sites = pushes.run(ctx, sites.Sites, moves)
	return result, finishSync(ctx, result)
}

// failSync records the refused or failed outcome, then returns err.
func failSync(ctx workflow.Context, err error) error {
	outcome := OutcomeFailed
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrSyncRefused {
		outcome = OutcomeRefused
	}
	if upsertErr := workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(outcome)); upsertErr != nil {
		workflow.GetLogger(ctx).Warn("Could not record the sync outcome", "error", upsertErr)
	}
	return err
}

func finishSync(ctx workflow.Context, result LdapSyncThenPushResult) error {
	outcome := outcomeOf(result.Sites)
	details := fmt.Sprintf("%d entries read: %d added, %d updated, %d removed, %d disabled, %d invalid",
		result.Search.Entries, result.Sync.Added, result.Sync.Updated, result.Sync.Removed,
		result.Sync.Disabled, result.Sync.Invalid)
	for _, site := range result.Sites {
		switch {
		case site.Push != nil:
			details += fmt.Sprintf("\n%s: %d added, %d updated, %d failed", site.Site,
				site.Push.Added, site.Push.Updated, site.Push.Failed)
		case site.NotPushed != "":
			details += fmt.Sprintf("\n%s: not pushed, %s", site.Site, site.NotPushed)
		}
	}
	workflow.SetCurrentDetails(ctx, details)
	workflow.GetLogger(ctx).Info("Sync finished", "directory", result.Directory, "outcome", outcome)
	return workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(outcome))
}
