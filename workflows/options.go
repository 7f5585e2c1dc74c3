package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
)

// Activity option presets, one per dependency. Every retry policy is bounded, and each lists
// the error types that no retry can fix (see [activities.NonRetryableErrors]).

// storeOptions suit PostgreSQL transactions: a few quick retries cover a restart. Applying a
// sync of 100,000 users is one transaction of tens of seconds, hence the long timeout.
func storeOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: activities.NonRetryableErrors,
		},
	}
}

// directoryOptions suit a whole directory search: long, with a heartbeat per page, so a
// worker that dies mid-search is noticed within a minute and the search starts again.
func directoryOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        5 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			MaximumAttempts:        6,
			NonRetryableErrorTypes: activities.NonRetryableErrors,
		},
	}
}

// clusterCheckOptions give up quickly: an unreachable cluster is reported in under a minute
// instead of retried behind a long push.
func clusterCheckOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        10 * time.Second,
			MaximumAttempts:        4,
			NonRetryableErrorTypes: activities.NonRetryableErrors,
		},
	}
}

// pushOptions suit a batch of AXL calls to a cluster that throttles: the activity backs off
// in place first, and Temporal retries for up to about half an hour after that, resuming
// from the users the store records as finished.
func pushOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		// A push heartbeats at least every 31 s or so (see the lanes' pace), so a batch of a
		// worker that died is retried on another after a minute.
		HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        5 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        5 * time.Minute,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: activities.NonRetryableErrors,
		},
	}
}

// previewOptions suit a dry run's reads of UCM, which an operator waits for. A cluster that
// does not respond fails the dry run after three attempts, within seconds, instead of
// retrying for half an hour as a push does.
func previewOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        10 * time.Second,
			MaximumAttempts:        3,
			NonRetryableErrorTypes: activities.NonRetryableErrors,
		},
	}
}

// importOptions suit reading a whole cluster's users: long, with a heartbeat per page, from
// which a retry resumes.
func importOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        5 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			MaximumAttempts:        6,
			NonRetryableErrorTypes: activities.NonRetryableErrors,
		},
	}
}
