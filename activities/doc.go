// Package activities holds the Temporal activities of ucmpush, one struct per dependency:
// [StoreActivities] for PostgreSQL, [DirectoryActivities] for LDAP and [UCMActivities] for
// AXL. Every activity is idempotent, so Temporal may retry it after any failure.
//
// Errors are classified once, here, into Temporal application errors whose type is one of the
// Err* constants of this package; workflows and retry policies match on those names.
package activities
