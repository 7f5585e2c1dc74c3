package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
)

// UCMImportInput names the cluster whose users are imported, and where they land.
type UCMImportInput struct {
	Cluster  string
	Customer string
	// Site is customer/site, or empty to leave the users at the customer.
	Site string `json:",omitempty"`
}

// UCMImport reads the users a UCM cluster already holds into the store with source ucm. They
// are never pushed back. A user the store already has with the same userid (compared without
// regard to case) is linked instead of duplicated, and its first push updates the UCM user.
func UCMImport(ctx workflow.Context, in UCMImportInput) (activities.ImportUsersResult, error) {
	var u *activities.UCMActivities
	actx := workflow.WithActivityOptions(ctx, importOptions())
	var result activities.ImportUsersResult
	err := workflow.ExecuteActivity(actx, u.ImportUsers, activities.ImportUsersInput{
		Cluster: in.Cluster, Customer: in.Customer, Site: in.Site,
	}).Get(ctx, &result)
	if err != nil {
		return result, fmt.Errorf("import users of UCM cluster %s: %w", in.Cluster, err)
	}
	workflow.GetLogger(ctx).Info("UCM import finished", "cluster", in.Cluster,
		"customer", in.Customer, "read", result.Read, "imported", result.Imported,
		"linked", result.Linked)
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(OutcomeSucceeded))
}
