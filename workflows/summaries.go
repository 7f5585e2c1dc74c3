package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// The Summary methods give each workflow the one line that the Web UI shows in its list, so
// the list reads like a log of what was asked; the CLI sets it when it starts a workflow.

// Summary describes the sync.
func (in LdapSyncThenPushInput) Summary() string {
	s := "Sync directory " + in.Directory + ", then push new and changed users"
	if in.DryRun {
		s = "Dry run of a sync of directory " + in.Directory
	}
	return s
}

// Summary describes the push.
func (in PushSiteInput) Summary() string {
	what := "new and changed users"
	switch {
	case in.UserID != "":
		what = "user " + in.UserID
	case in.OnlyFailed:
		what = "the failed users"
	case in.All:
		what = "every user"
	}
	s := fmt.Sprintf("Push %s of %s (%s)", what, in.Site, in.Trigger)
	if in.DryRun {
		s = "Dry run: " + s
	}
	return s
}

// Summary describes the move.
func (in UsersMovedInput) Summary() string { return dryRunSummary(in.DryRun, describeMove(in)) }

// Summary describes the NDL change.
func (in SiteNDLChangedInput) Summary() string {
	return dryRunSummary(in.DryRun, describeNDLChange(in))
}

// Summary describes the new user.
func (in UserCreatedInput) Summary() string {
	return dryRunSummary(in.DryRun, fmt.Sprintf("create user %s at %s", in.Attributes.UserID, in.Site))
}

// dryRunSummary returns change with its first letter in upper case, or for a dry run after a
// prefix stating that nothing is written.
func dryRunSummary(dryRun bool, change string) string {
	if dryRun {
		return "Dry run, nothing written: " + change
	}
	return upperFirst(change)
}

// Summary describes the node push.
func (in NodePushInput) Summary() string {
	node := in.Customer
	if node == "" {
		node = "every customer"
	}
	if in.Site != "" {
		node += "/" + in.Site
	}
	switch {
	case in.DryRun:
		return "Dry run of a push of " + node
	case in.OnlyFailed:
		return "Push again the failed users of " + node
	}
	return "Push every user of " + node
}

// Summary describes the import.
func (in UCMImportInput) Summary() string {
	return fmt.Sprintf("Import the users of UCM cluster %s for customer %s", in.Cluster, in.Customer)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// setPushDetails shows a finished push's counts and first failure in the Web UI.
func setPushDetails(ctx workflow.Context, r PushSiteResult) {
	details := fmt.Sprintf("%d planned: %d added, %d updated, %d unchanged, %d failed, %d skipped",
		r.Planned, r.Added, r.Updated, r.Unchanged, r.Failed, r.Skipped)
	if r.Error != "" {
		details += "\n" + r.Error
	}
	for _, f := range r.Failures {
		details += fmt.Sprintf("\nfailed %s: %s", f.UserID, f.Reason)
	}
	workflow.SetCurrentDetails(ctx, details)
}
