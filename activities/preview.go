package activities

import (
	"context"
	"fmt"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/store"
)

// UserPreview is what a push would do to one user, found by reading UCM only.
type UserPreview struct {
	UserID string `json:"userID"`
	// Action is add, update, unchanged or refuse.
	Action string `json:"action"`
	// Fields lists the AXL fields an update would write, as field=value.
	Fields []string `json:"fields,omitempty"`
	Reason string   `json:"reason,omitempty"`
}

// PreviewUsersResult lists the previews of a plan range, in seq order.
type PreviewUsersResult struct {
	Users []UserPreview
}

// PreviewUsers reads each user of the plan range from UCM and says whether a push would add
// it, update which fields, or leave it; it writes nothing to UCM or to the users' push state.
// Reads go through the cluster's in-flight slots like a push.
func (a *UCMActivities) PreviewUsers(ctx context.Context, in PushUsersInput) (PreviewUsersResult, error) {
	items, err := a.Store.PlanItems(ctx, in.PlanID, in.From, in.To)
	if err != nil {
		return PreviewUsersResult{}, storeError(err)
	}
	return a.preview(ctx, in.ClusterID, items)
}

// PreviewPlanItemsInput carries planned users themselves, for a plan that exists only inside
// a rolled-back transaction (see [StoreActivities.DryRunMoveUsers]).
type PreviewPlanItemsInput struct {
	ClusterID int64
	Items     []store.PlanItem
}

// PreviewPlanItems does what [UCMActivities.PreviewUsers] does for the given users, reading
// nothing of them from the store.
func (a *UCMActivities) PreviewPlanItems(ctx context.Context, in PreviewPlanItemsInput) (PreviewUsersResult, error) {
	return a.preview(ctx, in.ClusterID, in.Items)
}

func (a *UCMActivities) preview(ctx context.Context, clusterID int64, items []store.PlanItem) (PreviewUsersResult, error) {
	var result PreviewUsersResult
	axlClient, cluster, err := a.client(ctx, clusterID)
	if err != nil {
		return result, err
	}
	lane, err := a.acquireLane(ctx, cluster)
	if err != nil {
		return result, err
	}
	defer lane.release()
	client := pacedClient{client: axlClient, lane: lane}

	for _, it := range items {
		preview := UserPreview{UserID: it.Attributes.UserID}
		if it.Owner != "" {
			preview.Action = "refuse"
			preview.Reason = fmt.Sprintf("userid already on this cluster for %s", it.Owner)
			result.Users = append(result.Users, preview)
			continue
		}

		actual, err := client.GetUser(lane.ctx, it.Attributes.UserID)
		switch {
		case axl.IsNotFound(err):
			preview.Action = "add"
		case err != nil:
			return result, clusterError(cluster, err)
		default:
			changes := domain.DiffUCMUser(it.Attributes, domain.UCMUser{
				UserID: actual.UserID, FirstName: actual.FirstName, LastName: actual.LastName,
				Mail: actual.MailID, TelephoneNumber: actual.TelephoneNumber,
				Department: actual.Department, Title: actual.Title,
				LDAPDirectoryName: actual.LDAPDirectoryName,
			})
			preview.Action = "unchanged"
			if len(changes) > 0 {
				preview.Action = "update"
			}
			for _, c := range changes {
				preview.Fields = append(preview.Fields, fmt.Sprintf("%s=%s", c.Field, c.To))
			}
		}
		result.Users = append(result.Users, preview)
	}
	return result, nil
}
