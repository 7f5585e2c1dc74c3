package activities

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/internal/store"
)

// Application error types. Retry policies list the non-retryable ones, and the workflows
// match on them; the names are part of the workflow contract, so they never change.
const (
	// ErrInvalidConfig: configuration that cannot work until an operator fixes it.
	ErrInvalidConfig = "InvalidConfig"
	// ErrNotFound: a customer, site, directory or cluster that does not exist.
	ErrNotFound = "NotFound"
	// ErrSyncRefused: a sync stopped by the removal guards; nothing was changed.
	ErrSyncRefused = "SyncRefused"
	// ErrSiteNotServed: a site without an NDL, or whose NDL names no UCM cluster.
	ErrSiteNotServed = "SiteNotServed"
	// ErrDirectoryAuth: the directory rejected the bind DN or password.
	ErrDirectoryAuth = "DirectoryAuthFailed"
	// ErrDirectoryUnavailable: the directory could not be reached or was busy; retryable.
	ErrDirectoryUnavailable = "DirectoryUnavailable"
	// ErrAXLAuth: UCM rejected the AXL credentials (HTTP 401 or 403).
	ErrAXLAuth = "AXLAuthFailed"
	// ErrAXLUnavailable: UCM could not be reached, or throttled past the activity's own
	// backoff; retryable.
	ErrAXLUnavailable = "AXLUnavailable"
	// ErrStoreUnavailable: PostgreSQL failed in a way that may pass; retryable.
	ErrStoreUnavailable = "StoreUnavailable"
)

// ErrorTypes lists every type above.
var ErrorTypes = []string{
	ErrInvalidConfig, ErrNotFound, ErrSyncRefused, ErrSiteNotServed, ErrDirectoryAuth,
	ErrDirectoryUnavailable, ErrAXLAuth, ErrAXLUnavailable, ErrStoreUnavailable,
}

// NonRetryableErrors lists the types that no retry can fix.
var NonRetryableErrors = []string{
	ErrInvalidConfig, ErrNotFound, ErrSyncRefused, ErrSiteNotServed, ErrDirectoryAuth, ErrAXLAuth,
}

func nonRetryable(errType string, err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), errType, err)
}

func retryable(errType string, err error) error {
	return temporal.NewApplicationErrorWithCause(err.Error(), errType, err)
}

// storeError classifies an error of the store: missing objects and refused syncs are final,
// anything else (a lost connection, a deadlock) is retried.
func storeError(err error) error {
	switch {
	case err == nil:
		return nil
	case store.IsNotFound(err):
		return nonRetryable(ErrNotFound, err)
	case errors.Is(err, store.ErrSyncRefused):
		return nonRetryable(ErrSyncRefused, err)
	case errors.Is(err, store.ErrSiteNotServed):
		return nonRetryable(ErrSiteNotServed, err)
	}
	return retryable(ErrStoreUnavailable, err)
}
