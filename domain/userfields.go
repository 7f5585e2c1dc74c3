package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Maximum lengths of the values UCM stores in an end user. The AXL 14.0 schema puts no
// maxLength facet on XUser's fields, so these come from UCM's database: the 15.0 data
// dictionary rejects a userid over 128 bytes (rule RI-58 of the enduser table).
//
// NOTE: the limits of the name, mail, telephone, department and title columns are the commonly
// documented sizes of the enduser table (64 and 255 characters), not checked against a data
// dictionary. A UCM that rejects shorter values fails at push time with a validation fault.
const (
	MaxUserIDBytes     = 128
	MaxNameChars       = 64
	MaxMailChars       = 255
	MaxTelephoneChars  = 64
	MaxDepartmentChars = 64
	MaxTitleChars      = 64
)

// FieldLimit is the limit that UCM sets on the values of one user field.
type FieldLimit struct {
	// MaxChars is the longest value in characters, MaxBytes in bytes; zero means no limit.
	MaxChars, MaxBytes int
	// SingleWord rejects values with spaces, as the userid must be.
	SingleWord bool
}

// The limits of each user field.
var (
	UserIDLimit     = FieldLimit{MaxBytes: MaxUserIDBytes, SingleWord: true}
	NameLimit       = FieldLimit{MaxChars: MaxNameChars}
	MailLimit       = FieldLimit{MaxChars: MaxMailChars}
	TelephoneLimit  = FieldLimit{MaxChars: MaxTelephoneChars}
	DepartmentLimit = FieldLimit{MaxChars: MaxDepartmentChars}
	TitleLimit      = FieldLimit{MaxChars: MaxTitleChars}
)

// CheckText returns why value cannot be sent to UCM as text, naming it as name, or "": a NUL
// byte, invalid UTF-8, or a character that XML 1.0 does not allow.
func CheckText(name, value string) string {
	if strings.IndexByte(value, 0) >= 0 {
		return fmt.Sprintf("NUL byte in %s", name)
	}
	if !utf8.ValidString(value) {
		return fmt.Sprintf("invalid UTF-8 in %s", name)
	}
	for _, r := range value {
		if !isXMLChar(r) {
			return fmt.Sprintf("character U+%04X in %s cannot be sent to UCM (XML 1.0 does not allow it)",
				r, name)
		}
	}
	return ""
}

// isXMLChar reports whether XML 1.0 (section 2.2) allows r in a document. AXL is XML, and Go's
// encoding/xml silently replaces other characters with U+FFFD, so UCM would hold another value
// than the source.
func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// CheckFieldValue returns why value, already checked with [CheckText], cannot be the user
// field that limit describes, naming it as name, or "": a tab or line break, a space in a
// single-word field, or a value longer than the limit.
func CheckFieldValue(name, value string, limit FieldLimit) string {
	if strings.ContainsAny(value, "\t\n\r") {
		return fmt.Sprintf("%s contains a tab or line break, which UCM shows on phones as is", name)
	}
	if limit.SingleWord && strings.ContainsAny(value, " \u00a0") {
		return fmt.Sprintf("%s %q contains a space, which a UCM userid cannot", name, value)
	}
	if n := len(value); limit.MaxBytes > 0 && n > limit.MaxBytes {
		return fmt.Sprintf("%s is %d bytes, longer than the %d UCM accepts", name, n, limit.MaxBytes)
	}
	if n := utf8.RuneCountInString(value); limit.MaxChars > 0 && n > limit.MaxChars {
		return fmt.Sprintf("%s is %d characters, longer than the %d UCM accepts", name, n,
			limit.MaxChars)
	}
	return ""
}

// AttributeNames names the fields of [Attributes] in messages, for example by the CLI flags
// that set them.
type AttributeNames struct {
	UserID, FirstName, LastName, Mail, TelephoneNumber, Department, Title string
}

// CheckAttributes returns why a user with attributes a cannot reach UCM, naming each field as
// names does, or "": the first field that [CheckText] or [CheckFieldValue] rejects, or a
// missing userid or last name. Values with white space around them are rejected too, since a
// directory's values are trimmed and UCM would show the spaces.
func CheckAttributes(a Attributes, names AttributeNames) string {
	fields := []struct {
		name, value string
		limit       FieldLimit
	}{
		{names.UserID, a.UserID, UserIDLimit},
		{names.FirstName, a.FirstName, NameLimit},
		{names.LastName, a.LastName, NameLimit},
		{names.Mail, a.Mail, MailLimit},
		{names.TelephoneNumber, a.TelephoneNumber, TelephoneLimit},
		{names.Department, a.Department, DepartmentLimit},
		{names.Title, a.Title, TitleLimit},
	}
	for _, f := range fields {
		if reason := CheckText(f.name, f.value); reason != "" {
			return reason
		}
		if strings.TrimSpace(f.value) != f.value {
			return fmt.Sprintf("%s %q has white space around it", f.name, f.value)
		}
		if reason := CheckFieldValue(f.name, f.value, f.limit); reason != "" {
			return reason
		}
	}
	if a.UserID == "" {
		return fmt.Sprintf("missing %s: UCM needs a userid", names.UserID)
	}
	if a.LastName == "" {
		return fmt.Sprintf("missing %s: UCM needs a last name", names.LastName)
	}
	return ""
}
