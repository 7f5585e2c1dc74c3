package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/store"
)

// DefaultImportPageSize is the number of users one listUser call asks for. A user with every
// list tag is a few hundred bytes of XML, so 1,000 users stay far below UCM's 8 MB response
// limit; a response refused for its size halves the page.
const DefaultImportPageSize = 1000

// ImportUsersInput names the cluster to read and where its users land.
type ImportUsersInput struct {
	Cluster  string
	Customer string
	// Site is customer/site, or empty to leave the users at the customer.
	Site     string
	PageSize int
}

// ImportUsersResult counts what the import read and stored.
type ImportUsersResult struct {
	Pages int
	Read  int
	store.ImportCounts
}

// importProgress is the heartbeat of ImportUsers, from which a retried attempt resumes.
type importProgress struct {
	Skip   int
	Pages  int
	Counts store.ImportCounts
}

// ImportUsers reads every end user of the cluster with listUser, page by page (skip and
// first), and stores them with source ucm; see [store.Store.ImportUCMUsers] for how users the
// store already has are linked instead of duplicated. It heartbeats after each page and a
// retried attempt resumes after the last page stored.
func (a *UCMActivities) ImportUsers(ctx context.Context, in ImportUsersInput) (ImportUsersResult, error) {
	cluster, err := a.Store.Cluster(ctx, in.Cluster)
	if err != nil {
		return ImportUsersResult{}, storeError(err)
	}
	customer, err := a.Store.Customer(ctx, in.Customer)
	if err != nil {
		return ImportUsersResult{}, storeError(err)
	}
	var siteID int64
	if in.Site != "" {
		ref, err := domain.ParseSiteRef(in.Site)
		if err != nil {
			return ImportUsersResult{}, nonRetryable(ErrInvalidConfig, err)
		}
		site, err := a.Store.Site(ctx, ref)
		if err != nil {
			return ImportUsersResult{}, storeError(err)
		}
		siteID = site.ID
	}
	client, _, err := a.client(ctx, cluster.ID)
	if err != nil {
		return ImportUsersResult{}, err
	}

	var progress importProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &progress)
	}
	pageSize := in.PageSize
	if pageSize <= 0 {
		pageSize = DefaultImportPageSize
	}

	for {
		users, err := client.ListUsers(ctx, axl.ListUsersRequest{Skip: progress.Skip, First: pageSize})
		if axl.IsResponseTooLarge(err) && pageSize > 10 {
			pageSize /= 2
			activity.GetLogger(ctx).Warn("listUser response too large, halving the page",
				"cluster", cluster.Name, "pageSize", pageSize)
			continue
		}
		if err != nil {
			return ImportUsersResult{}, clusterError(cluster, err)
		}
		if len(users) == 0 {
			break
		}

		page := make([]store.UCMUser, len(users))
		for i, u := range users {
			page[i] = store.UCMUser{UUID: u.UUID, Attributes: domain.Attributes{
				UserID: u.UserID, FirstName: u.FirstName, LastName: u.LastName, Mail: u.MailID,
				TelephoneNumber: u.TelephoneNumber, Department: u.Department, Title: u.Title}}
		}
		counts, err := a.Store.ImportUCMUsers(ctx, customer.ID, cluster.ID, siteID, page)
		if err != nil {
			return ImportUsersResult{}, storeError(fmt.Errorf("import users of cluster %s: %w", cluster.Name, err))
		}
		progress.Skip += len(users)
		progress.Pages++
		progress.Counts.Imported += counts.Imported
		progress.Counts.Updated += counts.Updated
		progress.Counts.Linked += counts.Linked
		activity.RecordHeartbeat(ctx, progress)
		if len(users) < pageSize {
			break
		}
	}

	activity.GetLogger(ctx).Info("Imported users from UCM", "cluster", cluster.Name,
		"customer", customer.Name, "read", progress.Skip, "imported", progress.Counts.Imported,
		"linked", progress.Counts.Linked)
	return ImportUsersResult{Pages: progress.Pages, Read: progress.Skip, ImportCounts: progress.Counts}, nil
}
