package starter

import (
	"errors"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/activities"
)

// knownErrorTypes are the application error types that ucmpush's activities raise, whose
// messages name what failed and the fix.
var knownErrorTypes = []string{
	activities.ErrInvalidConfig, activities.ErrNotFound, activities.ErrSyncRefused,
	activities.ErrSiteNotServed, activities.ErrDirectoryAuth, activities.ErrDirectoryUnavailable,
	activities.ErrAXLAuth, activities.ErrAXLUnavailable, activities.ErrStoreUnavailable,
}

// workflowErrorMessage returns the message of the first ucmpush application error in the
// chain of a failed workflow, without the "workflow execution error" and "activity error"
// wrappers that Temporal adds around it. Other errors keep their whole message.
func workflowErrorMessage(err error) string {
	var appErr *temporal.ApplicationError
	for e := err; errors.As(e, &appErr); e = appErr.Unwrap() {
		if slices.Contains(knownErrorTypes, appErr.Type()) {
			return appErr.Message()
		}
	}
	return err.Error()
}
