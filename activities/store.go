package activities

import (
	"context"
	"fmt"
	"sort"

	"go.temporal.io/sdk/activity"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
)

// StoreActivities read and write ucmpush's PostgreSQL store.
type StoreActivities struct {
	Store *store.Store
}

// BeginSyncInput names the directory to sync and the workflow run that owns the sync.
type BeginSyncInput struct {
	Directory string
	// RunKey identifies the sync run; a retry with the same key continues the same run.
	RunKey string
}

// BeginSyncResult identifies the sync run.
type BeginSyncResult struct {
	RunID       int64
	DirectoryID int64
	CustomerID  int64
	Customer    string
}

// BeginSync looks up the directory and starts, or finds again, its sync run.
func (a *StoreActivities) BeginSync(ctx context.Context, in BeginSyncInput) (BeginSyncResult, error) {
	dir, err := a.Store.Directory(ctx, in.Directory)
	if err != nil {
		return BeginSyncResult{}, storeError(err)
	}
	run, err := a.Store.BeginSync(ctx, dir.ID, in.RunKey)
	if err != nil {
		return BeginSyncResult{}, storeError(err)
	}
	return BeginSyncResult{RunID: run.ID, DirectoryID: dir.ID, CustomerID: dir.CustomerID,
		Customer: dir.Customer}, nil
}

// ApplySyncInput selects a staged sync run.
type ApplySyncInput struct {
	RunID int64
	// ConfirmRemovals applies the run even when it removes or disables more users than the
	// directory's removal guard allows. An empty search is never applied.
	ConfirmRemovals bool
	// DryRun counts the changes and writes nothing to the users.
	DryRun bool
}

// ApplySync applies the staged run to the users; see [store.Store.ApplySync]. A run refused
// by the removal guards fails with the non-retryable type [ErrSyncRefused].
func (a *StoreActivities) ApplySync(ctx context.Context, in ApplySyncInput) (store.SyncCounts, error) {
	counts, err := a.Store.ApplySync(ctx, in.RunID, in.ConfirmRemovals, in.DryRun)
	if err != nil {
		return counts, storeError(err)
	}
	activity.GetLogger(ctx).Info("Applied directory sync", "syncRunID", in.RunID,
		"found", counts.Found, "added", counts.Added, "updated", counts.Updated,
		"removed", counts.Removed, "disabled", counts.Disabled, "invalid", counts.Invalid)
	return counts, nil
}

// ApplyMoveRulesInput selects the customer whose rules run.
type ApplyMoveRulesInput struct {
	CustomerID int64
}

// SiteMoves counts the users one site received from move rules.
type SiteMoves struct {
	SiteID int64
	Moved  int
	// LeftOnOldCluster counts moved users that stay on a cluster that no longer serves them.
	LeftOnOldCluster int
}

// ApplyMoveRulesResult lists, by site ID, the sites that received users.
type ApplyMoveRulesResult struct {
	Sites []SiteMoves
	// UnknownUsernames lists the usernames of a move by username that the customer has no
	// user for.
	UnknownUsernames []string `json:",omitempty"`
}

// ApplyMoveRules runs the customer's move rules over its directory users.
func (a *StoreActivities) ApplyMoveRules(ctx context.Context, in ApplyMoveRulesInput) (ApplyMoveRulesResult, error) {
	moved, err := a.Store.ApplyMoveRules(ctx, in.CustomerID)
	if err != nil {
		return ApplyMoveRulesResult{}, storeError(err)
	}
	return moveResult(moved), nil
}

// moveResult turns the store's maps into a list sorted by site ID, as workflows need
// deterministic input.
func moveResult(m store.MoveResult) ApplyMoveRulesResult {
	result := ApplyMoveRulesResult{UnknownUsernames: m.UnknownUsernames}
	for site, n := range m.Moved {
		result.Sites = append(result.Sites, SiteMoves{SiteID: site, Moved: n,
			LeftOnOldCluster: m.LeftOnOldCluster[site]})
	}
	sort.Slice(result.Sites, func(i, j int) bool { return result.Sites[i].SiteID < result.Sites[j].SiteID })
	return result
}

// ListSitesInput selects a customer.
type ListSitesInput struct {
	CustomerID int64
}

// SiteTarget is a site with what a push to it needs to know.
type SiteTarget struct {
	SiteID   int64
	Site     string
	AutoPush bool
	Cluster  string
	// Users counts the site's active users.
	Users int
	// NotServed is empty when the site's NDL names a UCM cluster, otherwise the reason a
	// push cannot reach one.
	NotServed string
}

// ListSitesResult lists a customer's sites in name order.
type ListSitesResult struct {
	Sites []SiteTarget
}

// ListSites returns every site of the customer with its auto push switch and UCM cluster.
func (a *StoreActivities) ListSites(ctx context.Context, in ListSitesInput) (ListSitesResult, error) {
	sites, err := a.Store.SitesOfCustomer(ctx, in.CustomerID)
	if err != nil {
		return ListSitesResult{}, storeError(err)
	}
	return a.siteTargets(ctx, sites)
}

// siteTargets describes sites for a push, with their active user counts.
func (a *StoreActivities) siteTargets(ctx context.Context, sites []domain.Site) (ListSitesResult, error) {
	var result ListSitesResult
	for _, s := range sites {
		t := SiteTarget{SiteID: s.ID, Site: s.Ref().String(), AutoPush: s.AutoPush,
			Cluster: s.Cluster}
		switch {
		case s.NDL == "":
			t.NotServed = fmt.Sprintf("site has no NDL; link one with `ucmpush site set %s --ndl NAME`", t.Site)
		case s.ClusterID == 0:
			t.NotServed = fmt.Sprintf("NDL %s names no UCM cluster; set one with `ucmpush ndl set %s --cluster NAME`", s.NDL, s.NDL)
		}
		var err error
		if t.Users, err = a.Store.CountActiveUsers(ctx, s.ID); err != nil {
			return result, storeError(err)
		}
		result.Sites = append(result.Sites, t)
	}
	return result, nil
}

// PlanSitePushInput selects the site and names the plan.
type PlanSitePushInput struct {
	SiteID int64
	// PlanKey identifies the plan; a retry with the same key returns the same plan.
	PlanKey string
	// All plans every pushable user of the site, not only the new and changed ones.
	All bool
	// ChangeKey plans only the users that the trigger with this key moved or created.
	ChangeKey string
	// OnlyFailed plans only the users whose last push to the cluster failed.
	OnlyFailed bool
	// UserID plans only this user.
	UserID string
}

// PlanSitePushResult describes a frozen push plan.
type PlanSitePushResult struct {
	PlanID      int64
	ClusterID   int64
	Cluster     string
	MaxInFlight int
	// ConfirmAbove is the site's guard: a larger plan waits for confirmation.
	ConfirmAbove int
	Total        int
	Unchanged    int
	Skipped      int
}

// PlanSitePush freezes the users of the site that need a push to its UCM cluster.
func (a *StoreActivities) PlanSitePush(ctx context.Context, in PlanSitePushInput) (PlanSitePushResult, error) {
	plan, err := a.Store.PlanSitePush(ctx, in.PlanKey, in.SiteID, store.PlanOptions{
		All: in.All, ChangeKey: in.ChangeKey, OnlyFailed: in.OnlyFailed, UserID: in.UserID})
	if err != nil {
		return PlanSitePushResult{}, storeError(err)
	}
	cluster, err := a.Store.ClusterByID(ctx, plan.ClusterID)
	if err != nil {
		return PlanSitePushResult{}, storeError(err)
	}
	site, err := a.Store.SiteByID(ctx, in.SiteID)
	if err != nil {
		return PlanSitePushResult{}, storeError(err)
	}
	return PlanSitePushResult{PlanID: plan.ID, ClusterID: cluster.ID, Cluster: cluster.Name,
		ConfirmAbove: site.ConfirmAbove,
		MaxInFlight:  cluster.MaxInFlight, Total: plan.Total, Unchanged: plan.Unchanged,
		Skipped: plan.Skipped}, nil
}

// FailPlanRangeInput selects plan items that a batch could not push.
type FailPlanRangeInput struct {
	PlanID   int64
	From, To int
	Reason   string
}

// FailPlanRange records the unfinished items in the range as failed with the reason, and
// returns how many it recorded.
func (a *StoreActivities) FailPlanRange(ctx context.Context, in FailPlanRangeInput) (int, error) {
	n, err := a.Store.FailPlanRange(ctx, in.PlanID, in.From, in.To, in.Reason)
	return n, storeError(err)
}

// SummarizePlanInput selects a plan.
type SummarizePlanInput struct {
	PlanID int64
	// MaxFailures bounds the failed users listed by userid.
	MaxFailures int
}

// PlanSummary counts a plan's outcomes and lists the first failures.
type PlanSummary struct {
	Progress store.PlanProgress
	Failures []store.UserFailure
}

// SummarizePlan counts the outcomes of the plan, as recorded in the store.
func (a *StoreActivities) SummarizePlan(ctx context.Context, in SummarizePlanInput) (PlanSummary, error) {
	progress, err := a.Store.PlanProgress(ctx, in.PlanID)
	if err != nil {
		return PlanSummary{}, storeError(err)
	}
	failures, err := a.Store.FailedItems(ctx, in.PlanID, in.MaxFailures)
	if err != nil {
		return PlanSummary{}, storeError(err)
	}
	return PlanSummary{Progress: progress, Failures: failures}, nil
}

// DeletePlanInput selects a plan.
type DeletePlanInput struct {
	PlanID int64
}

// DeletePlan removes a plan that a dry run made.
func (a *StoreActivities) DeletePlan(ctx context.Context, in DeletePlanInput) error {
	return storeError(a.Store.DeletePlan(ctx, in.PlanID))
}
