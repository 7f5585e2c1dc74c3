package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
)

// NodePushInput names a hierarchy node: a customer, or one of its sites; both empty means the
// whole provider.
type NodePushInput struct {
	Customer string `json:",omitempty"`
	Site     string `json:",omitempty"`
	// OnlyFailed pushes again only the users whose last push failed.
	OnlyFailed bool `json:",omitempty"`
	// DryRun previews every push and writes nothing.
	DryRun bool `json:",omitempty"`
	// Confirmed lets pushes larger than their site's guard start writing at once.
	Confirmed bool `json:",omitempty"`
}

// NodePush pushes every user below a hierarchy node to the UCM cluster of the user's own
// site, whatever the sites' auto push switch says. Each push reads first and writes only what
// differs. Sites without a UCM are listed with the reason, and a customer's users that no site
// holds are counted as skipped.
func NodePush(ctx workflow.Context, in NodePushInput) (TriggerResult, error) {
	node := in.Customer
	switch {
	case in.Customer == "":
		node = "every customer"
	case in.Site != "":
		node += "/" + in.Site
	}
	result := TriggerResult{Trigger: TriggerNodePush, Change: "push every user of " + node}
	pushes := &sitePushes{Trigger: TriggerNodePush, Customer: in.Customer, All: !in.OnlyFailed,
		OnlyFailed: in.OnlyFailed, Manual: true, DryRun: in.DryRun, Confirmed: in.Confirmed}
	if in.OnlyFailed {
		result.Trigger, pushes.Trigger = TriggerRetry, TriggerRetry
		result.Change = "push again the failed users of " + node
	}
	if err := registerPushesQuery(ctx, pushes); err != nil {
		return result, err
	}

	var s *activities.StoreActivities
	storeCtx := workflow.WithActivityOptions(ctx, storeOptions())
	var under activities.ListSitesUnderResult
	err := workflow.ExecuteActivity(storeCtx, s.ListSitesUnder, activities.ListSitesUnderInput{
		Customer: in.Customer, Site: in.Site, OnlyWithFailures: in.OnlyFailed,
	}).Get(ctx, &under)
	if err != nil {
		return result, fmt.Errorf("list sites of %s: %w", node, err)
	}
	result.UsersWithoutSite = under.UsersWithoutSite

	result.Sites = pushes.run(ctx, under.Sites.Sites, activities.ApplyMoveRulesResult{})
	if in.DryRun {
		// Each site's push previewed its users, and the result records that nothing was written.
		result.DryRun = true
		return finishDryRun(ctx, result)
	}
	return finishTrigger(ctx, result)
}
