package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
)

// The activities below apply the change that a trigger workflow stands for, as its first
// step, so a change is recorded only by the workflow that pushes it, and every retry of the
// step finds the change already made.

// MoveUsersInput describes an operator's move of users to a site.
type MoveUsersInput struct {
	// Site is customer/site.
	Site string
	Kind domain.MoveRuleKind
	// Filter is set for a move by filter, in the syntax of [domain.ParseFilter].
	Filter    string
	Usernames []string
	// ChangeKey stamps the moved users, so the push that follows plans exactly them.
	ChangeKey string
}

// MoveUsersResult says which sites received users.
type MoveUsersResult struct {
	CustomerID int64
	Moves      ApplyMoveRulesResult
}

// MoveUsers records the move as a move rule ahead of the customer's others and applies the
// rules; see [store.Store.MoveUsers].
func (a *StoreActivities) MoveUsers(ctx context.Context, in MoveUsersInput) (MoveUsersResult, error) {
	ref, err := domain.ParseSiteRef(in.Site)
	if err != nil {
		return MoveUsersResult{}, nonRetryable(ErrInvalidConfig, err)
	}
	rule := domain.MoveRule{Kind: in.Kind, Usernames: in.Usernames}
	if in.Kind == domain.MoveByFilter {
		if rule.Filter, err = domain.ParseFilter(in.Filter); err != nil {
			return MoveUsersResult{}, nonRetryable(ErrInvalidConfig, err)
		}
	}

	site, err := a.Store.Site(ctx, ref)
	if err != nil {
		return MoveUsersResult{}, storeError(err)
	}
	moved, err := a.Store.MoveUsers(ctx, ref, rule, in.ChangeKey)
	if err != nil {
		return MoveUsersResult{}, storeError(err)
	}
	return MoveUsersResult{CustomerID: site.CustomerID, Moves: moveResult(moved)}, nil
}

// ChangeNDLInput is a change of a site's NDL (Site set) or of an NDL's UCM cluster (Site
// empty). An empty NDL unlinks the site; an empty Cluster leaves the NDL without one.
type ChangeNDLInput struct {
	Site    string
	NDL     string
	Cluster string
}

// ChangeNDLResult lists the sites the change concerns.
type ChangeNDLResult struct {
	Sites ListSitesResult
	// Unserved counts push states now on a cluster that no longer serves their user.
	Unserved int
}

// ChangeNDL applies the change and returns every site whose UCM cluster it may have changed.
func (a *StoreActivities) ChangeNDL(ctx context.Context, in ChangeNDLInput) (ChangeNDLResult, error) {
	var change store.NDLChange
	var err error
	if in.Site != "" {
		ref, parseErr := domain.ParseSiteRef(in.Site)
		if parseErr != nil {
			return ChangeNDLResult{}, nonRetryable(ErrInvalidConfig, parseErr)
		}
		change, err = a.Store.ChangeSiteNDL(ctx, ref, in.NDL)
	} else {
		change, err = a.Store.ChangeNDLCluster(ctx, in.NDL, in.Cluster)
	}
	if err != nil {
		return ChangeNDLResult{}, storeError(err)
	}

	sites, err := a.siteTargets(ctx, change.Sites)
	return ChangeNDLResult{Sites: sites, Unserved: change.Unserved}, err
}

// CreateUserInput is a user created by an operator at a site.
type CreateUserInput struct {
	Site       string
	Attributes domain.Attributes
	ChangeKey  string
}

// CreateUserResult identifies the created user and its site.
type CreateUserResult struct {
	UserID int64
	Site   SiteTarget
}

// CreateUser adds the user with source manual; a retry returns the user it created.
func (a *StoreActivities) CreateUser(ctx context.Context, in CreateUserInput) (CreateUserResult, error) {
	ref, err := domain.ParseSiteRef(in.Site)
	if err != nil {
		return CreateUserResult{}, nonRetryable(ErrInvalidConfig, err)
	}
	if reason := domain.CheckAttributes(in.Attributes, attributeNames); reason != "" {
		return CreateUserResult{}, nonRetryable(ErrInvalidConfig,
			fmt.Errorf("invalid user %q: %s", in.Attributes.UserID, reason))
	}
	id, err := a.Store.CreateManualUser(ctx, ref, in.Attributes, in.ChangeKey)
	if err != nil {
		if store.IsConflict(err) {
			return CreateUserResult{}, nonRetryable(ErrInvalidConfig, err)
		}
		return CreateUserResult{}, storeError(err)
	}
	site, err := a.Store.Site(ctx, ref)
	if err != nil {
		return CreateUserResult{}, storeError(err)
	}
	targets, err := a.siteTargets(ctx, []domain.Site{site})
	if err != nil {
		return CreateUserResult{}, err
	}
	return CreateUserResult{UserID: id, Site: targets.Sites[0]}, nil
}

// attributeNames name the user fields in the messages of the store activities.
var attributeNames = domain.AttributeNames{UserID: "userid", FirstName: "first name",
	LastName: "last name", Mail: "mail", TelephoneNumber: "telephone number",
	Department: "department", Title: "title"}

// ListSitesUnderInput names a hierarchy node: a customer, or one of its sites; both empty
// means the whole provider.
type ListSitesUnderInput struct {
	Customer string
	Site     string
	// OnlyWithFailures lists only the sites that have users whose last push failed.
	OnlyWithFailures bool
}

// ListSitesUnderResult lists the node's sites and counts the users no site holds.
type ListSitesUnderResult struct {
	Sites ListSitesResult
	// UsersWithoutSite counts the customer's active users at no site (only for a customer).
	UsersWithoutSite int
}

// ListSitesUnder returns the sites under the node.
func (a *StoreActivities) ListSitesUnder(ctx context.Context, in ListSitesUnderInput) (ListSitesUnderResult, error) {
	sites, err := a.Store.SitesUnder(ctx, in.Customer, in.Site)
	if err != nil {
		return ListSitesUnderResult{}, storeError(err)
	}
	if in.OnlyWithFailures {
		var failing []domain.Site
		for _, site := range sites {
			n, err := a.Store.CountFailedUsers(ctx, site.ID)
			if err != nil {
				return ListSitesUnderResult{}, storeError(err)
			}
			if n > 0 {
				failing = append(failing, site)
			}
		}
		sites = failing
	}
	targets, err := a.siteTargets(ctx, sites)
	if err != nil {
		return ListSitesUnderResult{}, err
	}
	result := ListSitesUnderResult{Sites: targets}
	if in.Site == "" && in.Customer != "" {
		if result.UsersWithoutSite, err = a.Store.CountUsersWithoutSite(ctx, in.Customer); err != nil {
			return result, storeError(err)
		}
	}
	return result, nil
}

// NotPushedReason returns why a trigger's push skips the site, or "" when it pushes it: no
// UCM serves the site, or, unless the push is manual, the site's auto push is off.
func (t SiteTarget) NotPushedReason(manual bool) string {
	switch {
	case t.NotServed != "":
		return t.NotServed
	case !t.AutoPush && !manual:
		return fmt.Sprintf("auto push is off; push by hand with `ucmpush push site %s`, "+
			"or turn it on with `ucmpush site set %s --auto-push=on`", t.Site, t.Site)
	}
	return ""
}

// MoveTargets returns the sites of all that a move to the site named target concerns, in
// the order of all: the target itself, and every site that received users from the move
// rules that the move applied.
func MoveTargets(all []SiteTarget, moves ApplyMoveRulesResult, target string) []SiteTarget {
	received := map[int64]bool{}
	for _, m := range moves.Sites {
		received[m.SiteID] = m.Moved > 0
	}
	var sites []SiteTarget
	for _, site := range all {
		if received[site.SiteID] || site.Site == target {
			sites = append(sites, site)
		}
	}
	return sites
}

// The dry-run activities below run a trigger's first step exactly as the real activity does,
// in a transaction that [store.Store.DryRun] rolls back. Inside it they also plan the push of
// every site the real run would push, as PushSite would plan it, and return the change and
// the plans: nothing of either is ever committed.

// PlanPage selects the planned users that a dry run returns: seq from From to To of each
// site's plan, both included.
type PlanPage struct {
	From, To int
}

// SitePlanPreview is the plan that a push of one site would freeze after the change.
type SitePlanPreview struct {
	SiteID    int64
	ClusterID int64
	Cluster   string
	// Total, Unchanged and Skipped count as in [PlanSitePushResult].
	Total     int
	Unchanged int
	Skipped   int
	// Items are the planned users of the requested page, in seq order.
	Items []store.PlanItem
}

// TriggerPreview is the change a trigger's first step would make, and the pushes that would
// follow, as seen inside the rolled-back transaction.
type TriggerPreview struct {
	// Sites are the sites the real run would consider, as they would be after the change.
	Sites []SiteTarget
	// Moves counts the users each site would receive (moves only).
	Moves ApplyMoveRulesResult
	// Unserved counts push states that would become unserved (NDL changes only; a move
	// counts them per site in Moves).
	Unserved int
	// Plans holds one plan per site of Sites that the real run would push, in that order.
	Plans []SitePlanPreview
}

// DryRunMoveUsersInput is a move to preview.
type DryRunMoveUsersInput struct {
	Move MoveUsersInput
	// RunKey is unique to the dry run; it names the plans made inside the transaction.
	RunKey string
	Page   PlanPage
}

// DryRunMoveUsers previews [StoreActivities.MoveUsers] and the pushes of the sites that
// would receive users, writing nothing.
func (a *StoreActivities) DryRunMoveUsers(ctx context.Context, in DryRunMoveUsersInput) (TriggerPreview, error) {
	return a.dryRun(ctx, in.RunKey, in.Move.ChangeKey, in.Page, func(tx *StoreActivities) (TriggerPreview, error) {
		moved, err := tx.MoveUsers(ctx, in.Move)
		if err != nil {
			return TriggerPreview{}, err
		}

		all, err := tx.ListSites(ctx, ListSitesInput{CustomerID: moved.CustomerID})
		if err != nil {
			return TriggerPreview{}, err
		}
		return TriggerPreview{Sites: MoveTargets(all.Sites, moved.Moves, in.Move.Site),
			Moves: moved.Moves}, nil
	})
}

// DryRunChangeNDLInput is an NDL change to preview.
type DryRunChangeNDLInput struct {
	Change ChangeNDLInput
	// RunKey is unique to the dry run; it names the plans made inside the transaction.
	RunKey string
	Page   PlanPage
}

// DryRunChangeNDL previews [StoreActivities.ChangeNDL] and the pushes of the sites it
// concerns, writing nothing.
func (a *StoreActivities) DryRunChangeNDL(ctx context.Context, in DryRunChangeNDLInput) (TriggerPreview, error) {
	return a.dryRun(ctx, in.RunKey, "", in.Page, func(tx *StoreActivities) (TriggerPreview, error) {
		change, err := tx.ChangeNDL(ctx, in.Change)
		if err != nil {
			return TriggerPreview{}, err
		}
		return TriggerPreview{Sites: change.Sites.Sites, Unserved: change.Unserved}, nil
	})
}

// DryRunCreateUserInput is a user creation to preview.
type DryRunCreateUserInput struct {
	Create CreateUserInput
	// RunKey is unique to the dry run; it names the plans made inside the transaction.
	RunKey string
	Page   PlanPage
}

// DryRunCreateUser previews [StoreActivities.CreateUser] and the push of its site, writing
// nothing. A userid that the customer already has fails as the real step does.
func (a *StoreActivities) DryRunCreateUser(ctx context.Context, in DryRunCreateUserInput) (TriggerPreview, error) {
	return a.dryRun(ctx, in.RunKey, in.Create.ChangeKey, in.Page, func(tx *StoreActivities) (TriggerPreview, error) {
		created, err := tx.CreateUser(ctx, in.Create)
		if err != nil {
			return TriggerPreview{}, err
		}
		return TriggerPreview{Sites: []SiteTarget{created.Site}}, nil
	})
}

// dryRun runs change, then plans the push of each site it returns that an automatic push
// would reach, all in one transaction that is rolled back.
func (a *StoreActivities) dryRun(ctx context.Context, runKey, changeKey string, page PlanPage,
	change func(tx *StoreActivities) (TriggerPreview, error)) (TriggerPreview, error) {
	var preview TriggerPreview
	err := a.Store.DryRun(ctx, func(tx *store.Store) error {
		acts := &StoreActivities{Store: tx}
		var err error
		if preview, err = change(acts); err != nil {
			return err
		}

		for _, site := range preview.Sites {
			if site.NotPushedReason(false) != "" {
				continue
			}
			plan, err := acts.planPreview(ctx, site, runKey, changeKey, page)
			if err != nil {
				return err
			}
			preview.Plans = append(preview.Plans, plan)
		}
		return nil
	})
	if err != nil {
		return TriggerPreview{}, classified(err)
	}
	activity.GetLogger(ctx).Info("Dry run of a trigger rolled back", "sites", len(preview.Sites),
		"plans", len(preview.Plans), "from", page.From, "to", page.To)
	return preview, nil
}

// planPreview plans the site's push with the activity that PushSite calls, then reads the
// page of the plan.
func (a *StoreActivities) planPreview(ctx context.Context, site SiteTarget, runKey, changeKey string,
	page PlanPage) (SitePlanPreview, error) {
	plan, err := a.PlanSitePush(ctx, PlanSitePushInput{
		SiteID:    site.SiteID,
		PlanKey:   fmt.Sprintf("dry-run/%s/%d", runKey, site.SiteID),
		ChangeKey: changeKey,
	})
	if err != nil {
		return SitePlanPreview{}, err
	}

	items, err := a.Store.PlanItems(ctx, plan.PlanID, page.From, page.To)
	if err != nil {
		return SitePlanPreview{}, storeError(err)
	}
	return SitePlanPreview{SiteID: site.SiteID, ClusterID: plan.ClusterID, Cluster: plan.Cluster,
		Total: plan.Total, Unchanged: plan.Unchanged, Skipped: plan.Skipped, Items: items}, nil
}

// classified returns err as it is when it already carries an application error type, and
// classifies it as a store error otherwise.
func classified(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err
	}
	return storeError(err)
}
