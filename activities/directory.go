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
// heartbeating after each page it stages. A retry, after a worker crash or a lost connection,
// searches again from the first page, because paging cookies do not outlive their
// connection. Staging is an upsert by directory key, so the pages staged before the crash
// are simply written again.
//
// The pages are written by a goroutine of their own while the search reads the next ones, at
// most [stagingQueue] pages behind it, so that the directory and PostgreSQL work at the same
// time. The first staging error ends the search; the activity returns once every page handed
// to the writer is written or dropped.
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
	writer := startPageWriter(func(page []domain.DirectoryEntry) error {
		if err := a.Store.StageEntries(ctx, in.RunID, page); err != nil {
			return fmt.Errorf("%w: %w", errStaging, err)
		}
		staged += len(page)
		a.Metrics.AddDirectoryEntries(dir.Name, len(page))
		activity.RecordHeartbeat(ctx, staged)
		return nil
	})
	stats, err := reader.Search(ctx, writer.enqueue)
	if stageErr := writer.finish(); stageErr != nil && err == nil {
		// The search ended before the writer saw its last pages fail.
		err = stageErr
	}
	if err != nil {
		return StageDirectoryResult{}, directoryError(dir, err)
	}

	log.Info("Read directory", "directory", dir.Name, "entries", stats.Entries,
		"invalid", stats.Invalid, "pages", stats.Pages, "reconnects", stats.Reconnects)
	return StageDirectoryResult{Entries: stats.Entries, Invalid: stats.Invalid, Pages: stats.Pages,
		Reconnects: stats.Reconnects}, nil
}

// stagingQueue is how many pages the search may read ahead of the pages being written.
const stagingQueue = 2

// pageWriter writes the pages of one search in the background.
type pageWriter struct {
	pages chan []domain.DirectoryEntry
	// failed is closed when a page could not be written, and err is then the write's error.
	failed chan struct{}
	done   chan struct{}
	err    error
}

// startPageWriter starts the goroutine that calls write for each page queued by enqueue, in
// order, until a call fails. Only that goroutine calls write.
func startPageWriter(write func([]domain.DirectoryEntry) error) *pageWriter {
	w := &pageWriter{
		pages:  make(chan []domain.DirectoryEntry, stagingQueue),
		failed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	go func() {
		defer close(w.done)
		for page := range w.pages {
			if w.err != nil {
				continue // drop what the search queued before it saw the failure
			}
			if err := write(page); err != nil {
				w.err = err
				close(w.failed)
			}
		}
	}()
	return w
}

// enqueue hands a page to the writer, waiting while the queue is full. It returns the
// writer's error once a page failed, which stops the search.
func (w *pageWriter) enqueue(page []domain.DirectoryEntry) error {
	select {
	case <-w.failed:
		return w.err
	default:
	}
	select {
	case w.pages <- page:
		return nil
	case <-w.failed:
		return w.err
	}
}

// finish waits until every queued page is written or dropped and returns the error of the
// write that failed, if any. It must be called once, after the last enqueue.
func (w *pageWriter) finish() error {
	close(w.pages)
	<-w.done
	return w.err
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
