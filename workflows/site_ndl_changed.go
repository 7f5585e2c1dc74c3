package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
)

// SiteNDLChangedInput is one of two changes. With Site set, the site is linked to NDL (an
// empty NDL unlinks it). With Site empty, NDL is made to name Cluster (an empty Cluster
// leaves it without one).
type SiteNDLChangedInput struct {
	Site    string `json:",omitempty"`
	NDL     string
	Cluster string `json:",omitempty"`
	// DryRun applies the change and plans the pushes in a transaction that is rolled back,
	// reads UCM for the users a push would send, and writes nothing.
	DryRun bool `json:",omitempty"`
}

// SiteNDLChanged applies an NDL change, then pushes the users of every site it concerns to
// the site's UCM cluster, where the site's auto push is on: all users of a site newly linked
// to an NDL with a UCM (trigger 2), or of every site on an NDL that newly names a UCM
// (trigger 3). Each push plans the users not yet on that cluster, so a change that leaves a
// site's cluster as it was pushes nothing. Users on a cluster that no longer serves their
// site keep their data there; their push state there becomes unserved. A dry run previews
// all of this and writes nothing; see [previewTrigger].
func SiteNDLChanged(ctx workflow.Context, in SiteNDLChangedInput) (TriggerResult, error) {
	result := TriggerResult{Trigger: TriggerNDLChanged, Change: describeNDLChange(in)}
	pushes := &sitePushes{Trigger: TriggerNDLChanged}
	if err := registerPushesQuery(ctx, pushes); err != nil {
		return result, err
	}

	var s *activities.StoreActivities
	storeCtx := workflow.WithActivityOptions(ctx, storeOptions())
	changeNDL := activities.ChangeNDLInput{Site: in.Site, NDL: in.NDL, Cluster: in.Cluster}
	if in.DryRun {
		return previewTrigger(ctx, result, func(page activities.PlanPage) (activities.TriggerPreview, error) {
			var preview activities.TriggerPreview
			err := workflow.ExecuteActivity(storeCtx, s.DryRunChangeNDL, activities.DryRunChangeNDLInput{
				Change: changeNDL, RunKey: changeKey(ctx), Page: page,
			}).Get(ctx, &preview)
			if err != nil {
				return preview, fmt.Errorf("dry run of %s: %w", result.Change, err)
			}
			return preview, nil
		})
	}

	var change activities.ChangeNDLResult
	err := workflow.ExecuteActivity(storeCtx, s.ChangeNDL, changeNDL).Get(ctx, &change)
	if err != nil {
		return result, fmt.Errorf("%s: %w", result.Change, err)
	}
	result.Unserved = change.Unserved

	// An NDL's sites may belong to several customers; each child carries its own.
	for _, site := range change.Sites.Sites {
		one := *pushes
		one.Customer = customerOf(site.Site)
		result.Sites = append(result.Sites, one.run(ctx, []activities.SiteTarget{site},
			activities.ApplyMoveRulesResult{})...)
		pushes.started = append(pushes.started, one.started...)
	}
	return finishTrigger(ctx, result)
}

func describeNDLChange(in SiteNDLChangedInput) string {
	if in.Site != "" {
		return fmt.Sprintf("link site %s to NDL %s", in.Site, orNone(in.NDL))
	}
	return fmt.Sprintf("make NDL %s name UCM cluster %s", in.NDL, orNone(in.Cluster))
}
