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
}

// UserCreated adds a user with source manual at a site, then pushes that user to the site's
// UCM cluster where the site's auto push is on (trigger 4).
func UserCreated(ctx workflow.Context, in UserCreatedInput) (TriggerResult, error) {
	result := TriggerResult{Trigger: TriggerCreated,
		Change: fmt.Sprintf("create user %s at %s", in.Attributes.UserID, in.Site)}
	pushes := &sitePushes{Trigger: TriggerCreated, Customer: customerOf(in.Site), ChangeKey: changeKey(ctx)}
	if err := registerPushesQuery(ctx, pushes); err != nil {
		return result, err
	}

	var s *activities.StoreActivities
	storeCtx := workflow.WithActivityOptions(ctx, storeOptions())
	var created activities.CreateUserResult
	err := workflow.ExecuteActivity(storeCtx, s.CreateUser, activities.CreateUserInput{
		Site: in.Site, Attributes: in.Attributes, ChangeKey: pushes.ChangeKey,
	}).Get(ctx, &created)
	if err != nil {
		return result, fmt.Errorf("%s: %w", result.Change, err)
	}

	result.Sites = pushes.run(ctx, []activities.SiteTarget{created.Site}, activities.ApplyMoveRulesResult{})
	return finishTrigger(ctx, result)
}
