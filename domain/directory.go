package domain

import "fmt"

// KeyAttribute names the directory attribute that identifies an entry for its whole life.
// Users are keyed on it rather than on the DN or the userid, so renames, moves between OUs and
// changes of case arrive as updates of the same user.
type KeyAttribute string

const (
	// KeyEntryUUID is the RFC 4530 operational attribute of OpenLDAP and most LDAP servers.
	KeyEntryUUID KeyAttribute = "entryUUID"
	// KeyObjectGUID is Active Directory's 16-byte binary GUID.
	KeyObjectGUID KeyAttribute = "objectGUID"
)

// AttributeMapping names the directory attributes that fill each user field. An empty field
// name means the directory does not provide that field.
type AttributeMapping struct {
	Key             KeyAttribute `json:"key"`
	UserID          string       `json:"userID"`
	FirstName       string       `json:"firstName"`
	LastName        string       `json:"lastName"`
	Mail            string       `json:"mail"`
	TelephoneNumber string       `json:"telephoneNumber"`
	Department      string       `json:"department"`
	Title           string       `json:"title"`

	// DisabledAttribute and DisabledValue mark an entry as a disabled account. For
	// userAccountControl (Active Directory) the entry is disabled when bit 0x2 is set and
	// DisabledValue is ignored; for any other attribute the entry is disabled when one of its
	// values equals DisabledValue, compared without regard to case. An empty DisabledAttribute
	// means no entry is ever disabled.
	DisabledAttribute string `json:"disabledAttribute"`
	DisabledValue     string `json:"disabledValue"`
}

// DefaultOpenLDAPMapping returns the mapping for an inetOrgPerson directory on OpenLDAP.
func DefaultOpenLDAPMapping() AttributeMapping {
	return AttributeMapping{
		Key:               KeyEntryUUID,
		UserID:            "uid",
		FirstName:         "givenName",
		LastName:          "sn",
		Mail:              "mail",
		TelephoneNumber:   "telephoneNumber",
		Department:        "departmentNumber",
		Title:             "title",
		DisabledAttribute: "employeeType",
		DisabledValue:     "disabled",
	}
}

// DefaultActiveDirectoryMapping returns the mapping for user objects in Active Directory.
func DefaultActiveDirectoryMapping() AttributeMapping {
	return AttributeMapping{
		Key:               KeyObjectGUID,
		UserID:            "sAMAccountName",
		FirstName:         "givenName",
		LastName:          "sn",
		Mail:              "mail",
		TelephoneNumber:   "telephoneNumber",
		Department:        "department",
		Title:             "title",
		DisabledAttribute: "userAccountControl",
	}
}

// Validate reports the first mapping field that cannot work.
func (m AttributeMapping) Validate() error {
	switch m.Key {
	case KeyEntryUUID, KeyObjectGUID:
	default:
		return fmt.Errorf("invalid key attribute %q: use %q or %q", m.Key, KeyEntryUUID, KeyObjectGUID)
	}
	if m.UserID == "" {
		return fmt.Errorf("missing userid attribute: set it to uid, sAMAccountName or mail")
	}
	if m.LastName == "" {
		return fmt.Errorf("missing last name attribute: UCM requires a last name, usually sn")
	}
	return nil
}

// Attributes are the fields of a person that ucmpush keeps and pushes to UCM.
type Attributes struct {
	UserID          string `json:"userID"`
	FirstName       string `json:"firstName,omitempty"`
	LastName        string `json:"lastName,omitempty"`
	Mail            string `json:"mail,omitempty"`
	TelephoneNumber string `json:"telephoneNumber,omitempty"`
	Department      string `json:"department,omitempty"`
	Title           string `json:"title,omitempty"`
}

// DirectoryEntry is one person read from a directory, already mapped to [Attributes].
type DirectoryEntry struct {
	// Key is the value of the mapping's key attribute: entryUUID as read, or objectGUID in its
	// canonical string form (for example 5f3a...-...).
	Key string
	// DN is recorded for operators and for OU move rules; it is not an identity.
	DN         string
	Attributes Attributes
	Disabled   bool
	// Invalid is empty for a usable entry, otherwise the reason it cannot reach UCM (for
	// example a missing last name). Invalid entries are stored and reported, never pushed.
	Invalid string
}
