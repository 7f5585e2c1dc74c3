package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Source tells where a user came from.
type Source string

const (
	// SourceLDAP users are synced from a customer's LDAP or Active Directory.
	SourceLDAP Source = "ldap"
	// SourceUCM users were imported from a UCM cluster that already held them; ucmpush never
	// pushes them back.
	SourceUCM Source = "ucm"
	// SourceManual users were created by an operator.
	SourceManual Source = "manual"
)

// UserStatus is a user's state in the store.
type UserStatus string

const (
	// UserActive users are pushed where their site's rules say so.
	UserActive UserStatus = "active"
	// UserDisabled users are disabled accounts in their directory. They stay on UCM as they are.
	UserDisabled UserStatus = "disabled"
	// UserRemoved users were missing from a directory search that passed the removal guard.
	// They stay on UCM as they are: ucmpush never deletes users from UCM.
	UserRemoved UserStatus = "removed"
)

// PushStatus is the state of one user on one UCM cluster.
type PushStatus string

const (
	// PushPending users are planned for a push that has not finished.
	PushPending PushStatus = "pending"
	// PushPushed users are on the cluster with the attributes whose hash is recorded.
	PushPushed PushStatus = "pushed"
	// PushFailed users failed their last push; the reason is recorded beside the status.
	PushFailed PushStatus = "failed"
	// PushUnserved users were pushed to a cluster that no longer serves their site. Nothing
	// was deleted from that cluster.
	PushUnserved PushStatus = "unserved"
)

// Hash returns a digest of the attributes that a push writes, so a user whose attributes
// have not changed since the last push is skipped without asking UCM.
func (a Attributes) Hash() string {
	fields := []string{
		a.UserID, a.FirstName, a.LastName, a.Mail, a.TelephoneNumber, a.Department, a.Title,
	}
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x00")))
	return hex.EncodeToString(sum[:16])
}
