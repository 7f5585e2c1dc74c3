package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
)

// UsersMovedInput is an operator's move of users to a site: by filter, by one username or by
// a list of usernames.
type UsersMovedInput struct {
	// Site is customer/site.
	Site      string
	Kind      domain.MoveRuleKind
	Filter    string   `json:",omitempty"`
	Usernames []string `json:",omitempty"`
	// DryRun computes the move and the pushes that would follow in a transaction that is
	// rolled back, reads UCM for the users a push would send, and writes nothing.
	DryRun bool `json:",omitempty"`
}

// UsersMoved moves users to a site, then pushes exactly the moved users to the UCM cluster of
// each site that received some, where that site's auto push is on (trigger 1). The move is
// recorded as a move rule ahead of the customer's other rules, so the next sync keeps it; a
// user moved away from a site on another cluster stays on that cluster, and the result
// counts those users. A dry run previews all of this and writes nothing; see [previewTrigger].
func UsersMoved(ctx workflow.Context, in UsersMovedInput) (TriggerResult, error) {
	result := TriggerResult{Trigger: TriggerMoved, Change: describeMove(in)}
	pushes := &sitePushes{Trigger: TriggerMoved, Customer: customerOf(in.Site), ChangeKey: changeKey(ctx)}
	if err := registerPushesQuery(ctx, pushes); err != nil {
		return result, err
	}

	var s *activities.StoreActivities
	storeCtx := workflow.WithActivityOptions(ctx, storeOptions())
	move := activities.MoveUsersInput{Site: in.Site, Kind: in.Kind, Filter: in.Filter,
		Usernames: in.Usernames, ChangeKey: pushes.ChangeKey}
	if in.DryRun {
		return previewTrigger(ctx, result, func(page activities.PlanPage) (activities.TriggerPreview, error) {
			var preview activities.TriggerPreview
			err := workflow.ExecuteActivity(storeCtx, s.DryRunMoveUsers, activities.DryRunMoveUsersInput{
				Move: move, RunKey: pushes.ChangeKey, Page: page,
			}).Get(ctx, &preview)
			if err != nil {
				return preview, fmt.Errorf("dry run of a move of users to site %s: %w", in.Site, err)
			}
			return preview, nil
		})
	}

	var moved activities.MoveUsersResult
	err := workflow.ExecuteActivity(storeCtx, s.MoveUsers, move).Get(ctx, &moved)
	if err != nil {
		return result, fmt.Errorf("move users to site %s: %w", in.Site, err)
	}

	var all activities.ListSitesResult
	err = workflow.ExecuteActivity(storeCtx, s.ListSites, activities.ListSitesInput{
		CustomerID: moved.CustomerID,
	}).Get(ctx, &all)
	if err != nil {
		return result, fmt.Errorf("list sites of customer %s: %w", pushes.Customer, err)
	}
	result.UnknownUsernames = moved.Moves.UnknownUsernames
	sites := activities.MoveTargets(all.Sites, moved.Moves, in.Site)
	result.Sites = pushes.run(ctx, sites, moved.Moves)
	return finishTrigger(ctx, result)
}

func describeMove(in UsersMovedInput) string {
	if in.Kind == domain.MoveByFilter {
		return fmt.Sprintf("move users matching %s to %s", in.Filter, in.Site)
	}
	return fmt.Sprintf("move %s to %s", strings.Join(in.Usernames, ", "), in.Site)
}
