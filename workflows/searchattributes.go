package workflows

import (
	"go.temporal.io/sdk/temporal"
)

// Search attributes that every ucmpush workflow carries, so the Temporal Web UI can filter a
// customer's, a site's or a cluster's runs, and find failed pushes with
// UcmpushSite = "acme/london" AND UcmpushOutcome = "failed". The worker registers them at
// start where they are missing.
var (
	CustomerKey  = temporal.NewSearchAttributeKeyKeyword("UcmpushCustomer")
	SiteKey      = temporal.NewSearchAttributeKeyKeyword("UcmpushSite")
	ClusterKey   = temporal.NewSearchAttributeKeyKeyword("UcmpushCluster")
	DirectoryKey = temporal.NewSearchAttributeKeyKeyword("UcmpushDirectory")
	TriggerKey   = temporal.NewSearchAttributeKeyKeyword("UcmpushTrigger")
	// UserIDKey is set on workflows about one user.
	UserIDKey = temporal.NewSearchAttributeKeyKeyword("UcmpushUserID")
	// OutcomeKey is running while a workflow works, then succeeded, failed (some users
	// failed) or refused (a guard stopped it).
	OutcomeKey = temporal.NewSearchAttributeKeyKeyword("UcmpushOutcome")
)

// SearchAttributeNames lists every search attribute above; all are of type Keyword.
var SearchAttributeNames = []string{
	CustomerKey.GetName(), SiteKey.GetName(), ClusterKey.GetName(), DirectoryKey.GetName(),
	TriggerKey.GetName(), UserIDKey.GetName(), OutcomeKey.GetName(),
}

// Outcomes recorded in [OutcomeKey].
const (
	OutcomeRunning   = "running"
	OutcomeSucceeded = "succeeded"
	OutcomeFailed    = "failed"
	OutcomeRefused   = "refused"
	// OutcomeAwaitingConfirmation marks a push that waits for an operator's confirmation.
	OutcomeAwaitingConfirmation = "awaiting-confirmation"
	// OutcomeDryRun marks a dry run, which wrote nothing.
	OutcomeDryRun = "dry-run"
)
