package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/ldapdir"
	"github.com/ucmpush/ucmpush/internal/metrics"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/internal/store"
)

// DirectoryActivities read customers' LDAP and Active Directory servers.
type DirectoryActivities struct {
	Store   *store.Store
	Secrets secrets.Resolver
	// Metrics counts the entries read per directory; nil records nothing.
	Metrics *metrics.Metrics
}

// StageDirectoryInput selects the directory and the sync run that receives its entries.
type StageDirectoryInput struct {
	DirectoryID int64
	RunID       int64
}

// StageDirectoryResult counts what the search returned.
type StageDirectoryResult struct {
	Entries    int
	Invalid    int
	Pages      int
	Reconnects int
}

// StageDirectory searches the directory page by page and stages every entry in the sync run,
// heartbeating after each page. A retry, after a worker crash or a lost connection, searches
// again from the first page: paging cookies do not outlive their connection, and staging is
// an upsert by directory key, so the pages staged before the crash are simply written again.
func (a *DirectoryActivities) StageDirectory(ctx context.Context, in StageDirectoryInput) (StageDirectoryResult, error) {
	dir, err := a.Store.DirectoryByID(ctx, in.DirectoryID)
	if err != nil {
		return StageDirectoryResult{}, storeError(err)
	}
	reader, err := a.reader(dir)
	if err != nil {
		return StageDirectoryResult{}, nonRetryable(ErrInvalidConfig, err)
	}

	log := activity.GetLogger(ctx)
	log.Info("Reading directory", "directory", dir.Name, "syncRunID", in.RunID)
	staged := 0
	stats, err := reader.Search(ctx, func(page []domain.DirectoryEntry) error {
		if err := a.Store.StageEntries(ctx, in.RunID, page); err != nil {
			return fmt.Errorf("%w: %w", errStaging, err)
		}
		staged += len(page)
		a.Metrics.AddDirectoryEntries(dir.Name, len(page))
		activity.RecordHeartbeat(ctx, staged)
		return nil
	})
	if err != nil {
		return StageDirectoryResult{}, directoryError(dir, err)
	}

	log.Info("Read directory", "directory", dir.Name, "entries", stats.Entries,
		"invalid", stats.Invalid, "pages", stats.Pages, "reconnects", stats.Reconnects)
	return StageDirectoryResult{Entries: stats.Entries, Invalid: stats.Invalid, Pages: stats.Pages,
		Reconnects: stats.Reconnects}, nil
}

func (a *DirectoryActivities) reader(dir domain.Directory) (*ldapdir.Reader, error) {
	password, err := a.Secrets.Resolve(dir.BindPasswordRef)
	if err != nil {
		return nil, fmt.Errorf("directory %s: %w", dir.Name, err)
	}
	return ldapdir.New(ldapdir.Config{
		URL:                dir.URL,
		StartTLS:           dir.StartTLS,
		CAFile:             dir.CAFile,
		InsecureSkipVerify: dir.InsecureSkipVerify,
		BindDN:             dir.BindDN,
		BindPassword:       password,
		BaseDN:             dir.BaseDN,
		Filter:             dir.Filter,
		PageSize:           uint32(dir.PageSize),
		Mapping:            dir.Mapping,
	})
}

// errStaging marks an error of the store while staging a page, as opposed to one of the
// directory.
var errStaging = errors.New("stage directory page")

// directoryError classifies an error of a directory search. Staging errors come from the
// store and are retried like any store error.
func directoryError(dir domain.Directory, err error) error {
	err = fmt.Errorf("directory %s: %w", dir.Name, err)
	switch {
	case ldapdir.IsInvalidCredentials(err):
		return nonRetryable(ErrDirectoryAuth, err)
	case ldapdir.IsRetryable(err):
		return retryable(ErrDirectoryUnavailable, err)
	case errors.Is(err, errStaging):
		return retryable(ErrStoreUnavailable, err)
	}
	return nonRetryable(ErrInvalidConfig, err)
}
