// Package workflows holds the Temporal workflows of ucmpush and their contract with the
// worker and the CLI: the task queue, workflow ID builders, input and result types, message
// names, search attributes and the activity option presets.
package workflows

import (
	"fmt"
	"strings"
)

// TaskQueue is the task queue the worker polls for every workflow and activity.
const TaskQueue = "ucmpush"

// SyncWorkflowID returns the ID of the LdapSyncThenPush workflow of a directory. One ID per
// directory means two syncs of the same directory never run at once.
func SyncWorkflowID(directory string) string { return "sync/" + directory }

// SitePushWorkflowID returns the ID of a PushSite workflow: the site, then the trigger and
// the key of the run that started it, for example push/acme/london/sync-3f2a9c1e. An empty
// key leaves the trigger alone, as in push/acme/london/manual, so only one such push of a
// site runs at a time.
func SitePushWorkflowID(site, trigger, key string) string {
	if key == "" {
		return fmt.Sprintf("push/%s/%s", site, trigger)
	}
	return fmt.Sprintf("push/%s/%s-%s", site, trigger, shortKey(key))
}

// EscapeUserID returns userid as it appears in workflow IDs: in lower case, as UCM compares
// userids without regard to case, with '%' and every byte outside printable ASCII written as
// %XX. Temporal sends a workflow ID in a gRPC header, which takes printable ASCII only, so a
// userid such as nakamura.中村 becomes nakamura.%e4%b8%ad%e6%9d%91. Printable ASCII userids
// stay as they are, apart from the case.
func EscapeUserID(userid string) string {
	lower := strings.ToLower(userid)
	var b strings.Builder
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if c <= ' ' || c >= 0x7f || c == '%' {
			fmt.Fprintf(&b, "%%%02x", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// shortKey keeps IDs readable: the last 12 hex digits of a run ID. Run IDs are UUIDv7, whose
// first digits are a timestamp shared by every run of the same minute and whose last 62 bits
// are random, so the tail tells runs apart.
func shortKey(key string) string {
	key = strings.ReplaceAll(key, "-", "")
	if len(key) > 12 {
		return key[len(key)-12:]
	}
	return key
}

// Triggers, as recorded in the UcmpushTrigger search attribute and in push workflow IDs.
const (
	TriggerSync       = "sync"
	TriggerManual     = "manual"
	TriggerMoved      = "moved"
	TriggerNDLChanged = "ndl-changed"
	TriggerCreated    = "created"
	TriggerNodePush   = "node-push"
	TriggerUCMImport  = "ucm-import"
	TriggerRetry      = "retry"
)

// Message names.
const (
	// QueryProgress returns a PushSite workflow's [Progress].
	QueryProgress = "progress"
	// QueryPushes returns the IDs of the PushSite children a trigger workflow started.
	QueryPushes = "pushes"
	// SignalConfirm lets a PushSite that waits for confirmation start writing.
	SignalConfirm = "confirm"
)

// Progress counts the users of a running push.
type Progress struct {
	Total     int `json:"total"`
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Remaining int `json:"remaining"`
	// AwaitingConfirmation is set while the push waits for SignalConfirm.
	AwaitingConfirmation bool `json:"awaitingConfirmation,omitempty"`
}
