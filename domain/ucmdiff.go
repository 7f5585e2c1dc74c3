package domain

// UCMUser is what ucmpush reads of an end user on UCM and compares with the store.
type UCMUser struct {
	UserID          string
	FirstName       string
	LastName        string
	Mail            string
	TelephoneNumber string
	Department      string
	Title           string
	// LDAPDirectoryName is set when UCM syncs this user from a directory of its own. UCM then
	// owns the directory fields and rejects changes to them, so a push leaves them alone.
	LDAPDirectoryName string
}

// UserField names a field that a push writes.
type UserField string

// The fields a push writes, in AXL's names.
const (
	FieldFirstName       UserField = "firstName"
	FieldLastName        UserField = "lastName"
	FieldMail            UserField = "mailid"
	FieldTelephoneNumber UserField = "telephoneNumber"
	FieldDepartment      UserField = "department"
	FieldTitle           UserField = "title"
)

// FieldChange is one field whose value on UCM differs from the store.
type FieldChange struct {
	Field UserField
	From  string
	To    string
}

// DiffUCMUser returns the changes that bring the UCM user to the wanted attributes, in a fixed
// field order. It returns nothing for a user whose directory fields UCM owns (see
// [UCMUser.LDAPDirectoryName]), and nothing when the two already agree. Values compare
// exactly: UCM keeps case and accents as written.
func DiffUCMUser(wanted Attributes, actual UCMUser) []FieldChange {
	if actual.LDAPDirectoryName != "" {
		return nil
	}
	pairs := []struct {
		field    UserField
		from, to string
	}{
		{FieldFirstName, actual.FirstName, wanted.FirstName},
		{FieldLastName, actual.LastName, wanted.LastName},
		{FieldMail, actual.Mail, wanted.Mail},
		{FieldTelephoneNumber, actual.TelephoneNumber, wanted.TelephoneNumber},
		{FieldDepartment, actual.Department, wanted.Department},
		{FieldTitle, actual.Title, wanted.Title},
	}
	var changes []FieldChange
	for _, p := range pairs {
		if p.from != p.to {
			changes = append(changes, FieldChange{Field: p.field, From: p.from, To: p.to})
		}
	}
	return changes
}
