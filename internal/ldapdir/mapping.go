package ldapdir

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
)

// userAccountControl is Active Directory's attribute of account flags, in which
// uacAccountDisabledFlag (ADS_UF_ACCOUNTDISABLE) marks a disabled account.
const (
	userAccountControl     = "userAccountControl"
	uacAccountDisabledFlag = 0x2
)

// field is one user field filled from one directory attribute.
type field struct {
	attribute string
	target    *string
	limit     domain.FieldLimit
}

// MapEntry maps one search result entry to a [domain.DirectoryEntry] with mapping m.
//
// Attribute names are matched without regard to case. Each field takes the first value of
// its attribute with surrounding white space trimmed, so the other values of a multi-valued
// attribute are ignored. The userid keeps its case. The key is entryUUID as the server
// returns it, or objectGUID formatted by [FormatObjectGUID].
//
// An entry that cannot reach UCM is still mapped as far as possible and gets the first reason
// in Invalid: a missing key, userid or last name; a value of a mapped attribute with invalid
// UTF-8, a NUL byte, a character XML cannot carry, a tab or a line break; a userid with a
// space; a value longer than UCM accepts; a userAccountControl that is not a number. Stored strings never contain NUL bytes or invalid UTF-8, whatever the entry held:
// NUL bytes are dropped and invalid bytes become U+FFFD.
func MapEntry(e *ldap.Entry, m domain.AttributeMapping) domain.DirectoryEntry {
	out := domain.DirectoryEntry{DN: cleanString(e.DN)}
	var reasons []string
	invalidf := func(format string, args ...any) {
		reasons = append(reasons, fmt.Sprintf(format, args...))
	}

	key, reason := mapKey(e, m.Key)
	out.Key = key
	if reason != "" {
		invalidf("%s", reason)
	}

	fields := []field{
		{attribute: m.UserID, target: &out.Attributes.UserID, limit: domain.UserIDLimit},
		{attribute: m.FirstName, target: &out.Attributes.FirstName, limit: domain.NameLimit},
		{attribute: m.LastName, target: &out.Attributes.LastName, limit: domain.NameLimit},
		{attribute: m.Mail, target: &out.Attributes.Mail, limit: domain.MailLimit},
		{attribute: m.TelephoneNumber, target: &out.Attributes.TelephoneNumber,
			limit: domain.TelephoneLimit},
		{attribute: m.Department, target: &out.Attributes.Department, limit: domain.DepartmentLimit},
		{attribute: m.Title, target: &out.Attributes.Title, limit: domain.TitleLimit},
	}
	var fieldReasons []string
	for _, f := range fields {
		if reason := mapField(e, f); reason != "" {
			fieldReasons = append(fieldReasons, reason)
		}
	}

	if out.Attributes.UserID == "" {
		invalidf("missing userid (%s)", m.UserID)
	}
	if out.Attributes.LastName == "" {
		invalidf("missing last name (%s)", m.LastName)
	}
	reasons = append(reasons, fieldReasons...)

	disabled, reason := mapDisabled(e, m)
	out.Disabled = disabled
	if reason != "" {
		invalidf("%s", reason)
	}

	if len(reasons) > 0 {
		out.Invalid = reasons[0]
	}
	return out
}

// mapField stores the first value of f.attribute in f.target and returns why the attribute
// cannot reach UCM, or "".
func mapField(e *ldap.Entry, f field) string {
	if f.attribute == "" {
		return ""
	}

	values := e.GetEqualFoldRawAttributeValues(f.attribute)
	if len(values) == 0 {
		return ""
	}
	reason := checkEncoding(f.attribute, values)

	value := strings.TrimSpace(cleanString(string(values[0])))
	*f.target = value

	if reason != "" {
		return reason
	}
	return domain.CheckFieldValue(f.attribute, value, f.limit)
}

// checkEncoding returns why one of the values cannot be stored as text, or "".
func checkEncoding(attribute string, values [][]byte) string {
	for _, v := range values {
		if reason := domain.CheckText(attribute, string(v)); reason != "" {
			return reason
		}
	}
	return ""
}

// mapKey returns the entry's key and why it has no usable one, or "".
func mapKey(e *ldap.Entry, key domain.KeyAttribute) (string, string) {
	values := e.GetEqualFoldRawAttributeValues(string(key))
	if len(values) == 0 || len(strings.TrimSpace(string(values[0]))) == 0 {
		return "", fmt.Sprintf("missing key attribute %s", key)
	}

	if key == domain.KeyObjectGUID {
		guid, err := FormatObjectGUID(values[0])
		if err != nil {
			return "", err.Error()
		}
		return guid, ""
	}

	reason := checkEncoding(string(key), values[:1])
	return strings.TrimSpace(cleanString(string(values[0]))), reason
}

// mapDisabled applies the mapping's disabled rule and returns why it cannot, or "".
func mapDisabled(e *ldap.Entry, m domain.AttributeMapping) (bool, string) {
	if m.DisabledAttribute == "" {
		return false, ""
	}
	values := e.GetEqualFoldAttributeValues(m.DisabledAttribute)

	if strings.EqualFold(m.DisabledAttribute, userAccountControl) {
		if len(values) == 0 {
			return false, ""
		}
		value := strings.TrimSpace(values[0])
		// Active Directory stores the flags as a signed 32-bit integer.
		flags, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return false, fmt.Sprintf("%s value %q is not a number", m.DisabledAttribute,
				cleanString(value))
		}
		return flags&uacAccountDisabledFlag != 0, ""
	}

	for _, v := range values {
		if strings.EqualFold(strings.TrimSpace(v), m.DisabledValue) {
			return true, ""
		}
	}
	return false, ""
}

// FormatObjectGUID formats Active Directory's 16-byte objectGUID as a lower-case GUID string.
// AD stores the first three groups little-endian, so the bytes
// 6f 4a bf c0 4e 2c 01 46 8d 11 22 33 44 55 66 77 read c0bf4a6f-2c4e-4601-8d11-223344556677.
// A value of any other length is an error.
func FormatObjectGUID(raw []byte) (string, error) {
	if len(raw) != 16 {
		return "", fmt.Errorf("objectGUID is %d bytes, expected 16", len(raw))
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(raw[0:4]),
		binary.LittleEndian.Uint16(raw[4:6]),
		binary.LittleEndian.Uint16(raw[6:8]),
		raw[8:10],
		raw[10:16],
	), nil
}

// cleanString drops NUL bytes and replaces invalid UTF-8, because PostgreSQL text holds
// neither.
func cleanString(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}
