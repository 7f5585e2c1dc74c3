package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
)

// UserCreatedInput is a user an operator creates at a site.
type UserCreatedInput struct {
	Site       string
	Attributes domain.Attributes
	// DryRun creates the user and plans its push in a transaction that is rolled back, reads
	// UCM for it, and writes nothing.
	DryRun bool `json:",omitempty"`
}

// UserCreated adds a user with source manual at a site, then pushes that user to the site's
// UCM cluster where the site's auto push is on (trigger 4). A dry run previews both and
// writes nothing; see [previewTrigger].
func UserCreated(ctx workflow.Context, in UserCreatedInput) (TriggerResult, error) {
	result := TriggerResult{Trigger: TriggerCreated,
		Change: fmt.Sprintf("create user %s at %s", in.Attributes.UserID, in.Site)}
	pushes := &sitePushes{Trigger: TriggerCreated, Customer: customerOf(in.Site), ChangeKey: changeKey(ctx)}
	if err := registerPushesQuery(ctx, pushes); err != nil {
		return result, err
	}

	var s *activities.StoreActivities
	storeCtx := workflow.WithActivityOptions(ctx, storeOptions())
	create := activities.CreateUserInput{Site: in.Site, Attributes: in.Attributes,
		ChangeKey: pushes.ChangeKey}
	if in.DryRun {
		return previewTrigger(ctx, result, func(page activities.PlanPage) (activities.TriggerPreview, error) {
			var preview activities.TriggerPreview
			err := workflow.ExecuteActivity(storeCtx, s.DryRunCreateUser, activities.DryRunCreateUserInput{
				Create: create, RunKey: pushes.ChangeKey, Page: page,
			}).Get(ctx, &preview)
			if err != nil {
				return preview, fmt.Errorf("dry run of %s: %w", result.Change, err)
			}
			return preview, nil
		})
	}

	var created activities.CreateUserResult
	err := workflow.ExecuteActivity(storeCtx, s.CreateUser, create).Get(ctx, &created)
	if err != nil {
		return result, fmt.Errorf("%s: %w", result.Change, err)
	}

	result.Sites = pushes.run(ctx, []activities.SiteTarget{created.Site}, activities.ApplyMoveRulesResult{})
	return finishTrigger(ctx, result)
}
