package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// TriggerResult is the outcome of a trigger workflow: what its first step changed, and what
// each concerned site pushed.
type TriggerResult struct {
	Trigger string
	// DryRun is set on a dry run's result: nothing was written, and each site's Push is the
	// preview of what its push would do.
	DryRun bool `json:",omitempty"`
	// Change describes what the first step applied, for operators.
	Change string
	// Unserved counts users' push states now on a UCM cluster that no longer serves them, or
	// for a dry run those that would be. Nothing was deleted from that cluster.
	Unserved int `json:",omitempty"`
	// UsersWithoutSite counts the users of a pushed customer that no site holds; they are
	// skipped until a move rule or an operator places them.
	UsersWithoutSite int `json:",omitempty"`
	// UnknownUsernames lists the usernames of a move that the customer has no user for. The
	// move rule keeps them, so users synced later with those userids move too.
	UnknownUsernames []string `json:",omitempty"`
	Sites            []SiteResult
}

// MovedWorkflowID returns the ID of a UsersMoved workflow: the target site and a digest of
// what selects the users, so the same move fired twice is one workflow.
func MovedWorkflowID(site, selector string) string {
	sum := sha256.Sum256([]byte(selector))
	return fmt.Sprintf("moved/%s/%s", site, hex.EncodeToString(sum[:4]))
}

// SiteNDLChangedWorkflowID returns the ID of a SiteNDLChanged workflow that links a site to an
// NDL ("none" when the site is unlinked).
func SiteNDLChangedWorkflowID(site, ndl string) string {
	return fmt.Sprintf("ndl-changed/%s/%s", site, orNone(ndl))
}

// NDLClusterChangedWorkflowID returns the ID of a SiteNDLChanged workflow that names a UCM
// cluster in an NDL ("none" when the NDL loses its cluster).
func NDLClusterChangedWorkflowID(ndl, cluster string) string {
	return fmt.Sprintf("ndl-changed/%s/cluster-%s", ndl, orNone(cluster))
}

// UserCreatedWorkflowID returns the ID of a UserCreated workflow: created/customer/site/userid,
// with the userid as [EscapeUserID] writes it.
func UserCreatedWorkflowID(site, userid string) string {
	return fmt.Sprintf("created/%s/%s", site, EscapeUserID(userid))
}

// NodePushWorkflowID returns the ID of a NodePush workflow: node-push/customer or
// node-push/customer/site.
func NodePushWorkflowID(node string) string { return "node-push/" + node }

// UCMImportWorkflowID returns the ID of a UCMImport workflow.
func UCMImportWorkflowID(cluster, customer string) string {
	return fmt.Sprintf("ucm-import/%s/%s", cluster, customer)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// changeKey identifies a trigger run, stamped on the users it changes.
func changeKey(ctx workflow.Context) string {
	info := workflow.GetInfo(ctx)
	return info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID
}

// finishTrigger records the outcome search attribute and logs the end of a trigger.
func finishTrigger(ctx workflow.Context, result TriggerResult) (TriggerResult, error) {
	outcome := outcomeOf(result.Sites)
	workflow.GetLogger(ctx).Info("Trigger finished", "trigger", result.Trigger,
		"change", result.Change, "outcome", outcome)
	return result, workflow.UpsertTypedSearchAttributes(ctx, OutcomeKey.ValueSet(outcome))
}

// customerOf returns the customer part of customer/site.
func customerOf(site string) string {
	customer, _, _ := strings.Cut(site, "/")
	return customer
}
