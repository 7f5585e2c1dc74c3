package activities

import (
	"context"
	"fmt"

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
	if in.Attributes.UserID == "" || in.Attributes.LastName == "" {
		return CreateUserResult{}, nonRetryable(ErrInvalidConfig,
			fmt.Errorf("user needs a userid and a last name (UCM requires both)"))
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
