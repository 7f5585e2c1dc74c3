package worker

import (
	"context"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/metrics"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// storeActivities registers the store activities under their own names, with ApplySync
// wrapped so that a successful sync sets the ucmpush_sync_users gauges of its directory.
type storeActivities struct {
	*activities.StoreActivities
	metrics *metrics.Metrics
}

// ApplySync runs [activities.StoreActivities.ApplySync] and records its counts.
func (a *storeActivities) ApplySync(ctx context.Context, in activities.ApplySyncInput) (store.SyncCounts, error) {
	counts, err := a.StoreActivities.ApplySync(ctx, in)
	if err != nil {
		return counts, err
	}

	directory, ok := syncDirectory(activity.GetInfo(ctx).WorkflowExecution.ID)
	if !ok {
		return counts, nil
	}
	for kind, n := range map[string]int{
		"found": counts.Found, "added": counts.Added, "updated": counts.Updated,
		"unchanged": counts.Unchanged, "removed": counts.Removed, "disabled": counts.Disabled,
		"restored": counts.Restored, "invalid": counts.Invalid,
	} {
		a.metrics.SetSyncUsers(directory, kind, n)
	}
	return counts, nil
}

// syncDirectory returns the directory of a LdapSyncThenPush workflow ID, the inverse of
// workflows.SyncWorkflowID.
//
// NOTE: ApplySyncInput carries only the sync run's ID, so the directory comes from the
// workflow ID; a sync started under another ID records no gauge.
func syncDirectory(workflowID string) (string, bool) {
	directory, ok := strings.CutPrefix(workflowID, workflows.SyncWorkflowID(""))
	return directory, ok && directory != ""
}
