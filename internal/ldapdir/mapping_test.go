package ldapdir

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
)

const testUUID = "5f3a1c2e-83fa-1041-9913-0f3975f2d207"

// person returns the attributes of a valid inetOrgPerson; with overrides them, and a nil
// value removes the attribute.
func person(with map[string][]string) map[string][]string {
	attrs := map[string][]string{
		"entryUUID":        {testUUID},
		"uid":              {"jdoe"},
		"givenName":        {"Jane"},
		"sn":               {"Doe"},
		"mail":             {"jane.doe@example.com"},
		"telephoneNumber":  {"+442079460001"},
		"departmentNumber": {"R&D"},
		"title":            {"Engineer"},
		"employeeType":     {"employee"},
	}
	for name, values := range with {
		if values == nil {
			delete(attrs, name)
			continue
		}
		attrs[name] = values
	}
	return attrs
}

func TestMapEntryOpenLDAP(t *testing.T) {
	m := domain.DefaultOpenLDAPMapping()
	dn := "uid=jdoe,ou=people,dc=example,dc=com"

	tests := []struct {
		name     string
		attrs    map[string][]string
		want     domain.Attributes
		key      string
		disabled bool
		invalid  string
	}{
		{
			name:  "valid entry",
			attrs: person(nil),
			key:   testUUID,
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name: "values trimmed and first value taken",
			attrs: person(map[string][]string{
				"givenName": {"  Jane  ", "Janet"},
				"title":     {"\tEngineer\n", "Manager"},
			}),
			key: testUUID,
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name: "attribute names matched without case",
			attrs: map[string][]string{
				"entryuuid": {testUUID}, "UID": {"JDoe"}, "SN": {"Doe"},
				"GIVENNAME": {"Jane"},
			},
			key:  testUUID,
			want: domain.Attributes{UserID: "JDoe", FirstName: "Jane", LastName: "Doe"},
		},
		{
			name:  "userid keeps its case",
			attrs: person(map[string][]string{"uid": {"Jane.Doe"}}),
			key:   testUUID,
			want: domain.Attributes{UserID: "Jane.Doe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name: "optional fields absent",
			attrs: person(map[string][]string{
				"givenName": nil, "mail": nil, "telephoneNumber": nil,
				"departmentNumber": nil, "title": nil, "employeeType": nil,
			}),
			key:  testUUID,
			want: domain.Attributes{UserID: "jdoe", LastName: "Doe"},
		},
		{
			name:     "disabled by employeeType ignoring case",
			attrs:    person(map[string][]string{"employeeType": {"staff", " DISABLED "}}),
			key:      testUUID,
			disabled: true,
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "missing key",
			attrs:   person(map[string][]string{"entryUUID": nil}),
			invalid: "missing key attribute entryUUID",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "blank key",
			attrs:   person(map[string][]string{"entryUUID": {"  "}}),
			invalid: "missing key attribute entryUUID",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "missing last name",
			attrs:   person(map[string][]string{"sn": nil}),
			key:     testUUID,
			invalid: "missing last name (sn)",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "blank last name",
			attrs:   person(map[string][]string{"sn": {" "}}),
			key:     testUUID,
			invalid: "missing last name (sn)",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "missing userid",
			attrs:   person(map[string][]string{"uid": nil}),
			key:     testUUID,
			invalid: "missing userid (uid)",
			want: domain.Attributes{FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "missing key reported before missing last name",
			attrs:   person(map[string][]string{"entryUUID": nil, "sn": nil}),
			invalid: "missing key attribute entryUUID",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "invalid UTF-8 replaced and reported",
			attrs:   person(map[string][]string{"givenName": {"Ja\xffne"}}),
			key:     testUUID,
			invalid: "invalid UTF-8 in givenName",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Ja\uFFFDne", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "invalid UTF-8 in a second value",
			attrs:   person(map[string][]string{"title": {"Engineer", "\xc3"}}),
			key:     testUUID,
			invalid: "invalid UTF-8 in title",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "NUL byte dropped and reported",
			attrs:   person(map[string][]string{"mail": {"jane\x00@example.com"}}),
			key:     testUUID,
			invalid: "NUL byte in mail",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
		{
			name:    "NUL byte in key",
			attrs:   person(map[string][]string{"entryUUID": {testUUID + "\x00"}}),
			key:     testUUID,
			invalid: "NUL byte in entryUUID",
			want: domain.Attributes{UserID: "jdoe", FirstName: "Jane", LastName: "Doe",
				Mail: "jane.doe@example.com", TelephoneNumber: "+442079460001",
				Department: "R&D", Title: "Engineer"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MapEntry(ldap.NewEntry(dn, tt.attrs), m)
			if got.Key != tt.key {
				t.Errorf("Key = %q, want %q", got.Key, tt.key)
			}
			if got.DN != dn {
				t.Errorf("DN = %q, want %q", got.DN, dn)
			}
			if got.Attributes != tt.want {
				t.Errorf("Attributes = %+v, want %+v", got.Attributes, tt.want)
			}
			if got.Disabled != tt.disabled {
				t.Errorf("Disabled = %t, want %t", got.Disabled, tt.disabled)
			}
			if got.Invalid != tt.invalid {
				t.Errorf("Invalid = %q, want %q", got.Invalid, tt.invalid)
			}
		})
	}
}

func TestMapEntryLengthLimits(t *testing.T) {
	m := domain.DefaultOpenLDAPMapping()

	tests := []struct {
		attribute string
		value     string
		invalid   string
	}{
		{"uid", strings.Repeat("u", 128), ""},
		{"uid", strings.Repeat("u", 129), "uid is 129 bytes, longer than the 128 UCM accepts"},
		// 65 two-byte characters are 130 bytes: a userid limit counts bytes.
		{"uid", strings.Repeat("é", 65), "uid is 130 bytes, longer than the 128 UCM accepts"},
		{"givenName", strings.Repeat("é", 64), ""},
		{"givenName", strings.Repeat("é", 65),
			"givenName is 65 characters, longer than the 64 UCM accepts"},
		{"sn", strings.Repeat("田", 64), ""},
		{"sn", strings.Repeat("田", 65), "sn is 65 characters, longer than the 64 UCM accepts"},
		{"mail", strings.Repeat("m", 243) + "@example.com", ""},
		{"mail", strings.Repeat("m", 244) + "@example.com",
			"mail is 256 characters, longer than the 255 UCM accepts"},
		{"telephoneNumber", "+" + strings.Repeat("1", 64),
			"telephoneNumber is 65 characters, longer than the 64 UCM accepts"},
		{"departmentNumber", strings.Repeat("d", 65),
			"departmentNumber is 65 characters, longer than the 64 UCM accepts"},
		{"title", strings.Repeat("t", 64), ""},
		{"title", strings.Repeat("t", 65),
			"title is 65 characters, longer than the 64 UCM accepts"},
		// Surrounding white space is trimmed before the length is measured.
		{"title", "  " + strings.Repeat("t", 64) + "  ", ""},
	}

	for _, tt := range tests {
		t.Run(tt.attribute+"/"+strings.TrimSpace(tt.invalid), func(t *testing.T) {
			e := ldap.NewEntry("uid=x,dc=example,dc=com",
				person(map[string][]string{tt.attribute: {tt.value}}))
			got := MapEntry(e, m)
			if got.Invalid != tt.invalid {
				t.Errorf("Invalid = %q, want %q", got.Invalid, tt.invalid)
			}
		})
	}
}

func TestMapEntryActiveDirectory(t *testing.T) {
	m := domain.DefaultActiveDirectoryMapping()
	guid := mustHex(t, "6f4abfc04e2c01468d11223344556677")
	const wantKey = "c0bf4a6f-2c4e-4601-8d11-223344556677"

	entry := func(uac string) *ldap.Entry {
		attrs := map[string][]string{
			"objectGUID":     {string(guid)},
			"sAMAccountName": {"JDoe"},
			"givenName":      {"Jane"},
			"sn":             {"Doe"},
			"department":     {"Sales"},
		}
		if uac != "" {
			attrs["userAccountControl"] = []string{uac}
		}
		return ldap.NewEntry("CN=Doe\\, Jane,OU=Users,DC=corp,DC=example,DC=com", attrs)
	}

	tests := []struct {
		name     string
		uac      string
		disabled bool
		invalid  string
	}{
		{name: "normal account", uac: "512"},
		{name: "disabled account", uac: "514", disabled: true},
		{name: "disabled, password never expires", uac: "66050", disabled: true},
		{name: "no userAccountControl", uac: ""},
		{name: "negative flags keep bit 2", uac: "-2147483646", disabled: true},
		{name: "flags not a number", uac: "disabled",
			invalid: `userAccountControl value "disabled" is not a number`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MapEntry(entry(tt.uac), m)
			if got.Key != wantKey {
				t.Errorf("Key = %q, want %q", got.Key, wantKey)
			}
			if got.Attributes.UserID != "JDoe" {
				t.Errorf("UserID = %q, want JDoe", got.Attributes.UserID)
			}
			if got.Attributes.Department != "Sales" {
				t.Errorf("Department = %q, want Sales", got.Attributes.Department)
			}
			if got.Disabled != tt.disabled {
				t.Errorf("Disabled = %t, want %t", got.Disabled, tt.disabled)
			}
			if got.Invalid != tt.invalid {
				t.Errorf("Invalid = %q, want %q", got.Invalid, tt.invalid)
			}
		})
	}
}

func TestMapEntryObjectGUIDWrongLength(t *testing.T) {
	e := ldap.NewEntry("CN=x,DC=example,DC=com", map[string][]string{
		"objectGUID":     {"\x01\x02\x03"},
		"sAMAccountName": {"x"},
		"sn":             {"X"},
	})

	got := MapEntry(e, domain.DefaultActiveDirectoryMapping())
	if got.Key != "" {
		t.Errorf("Key = %q, want empty", got.Key)
	}
	if want := "objectGUID is 3 bytes, expected 16"; got.Invalid != want {
		t.Errorf("Invalid = %q, want %q", got.Invalid, want)
	}
}

func TestMapEntryNoDisabledAttribute(t *testing.T) {
	m := domain.DefaultOpenLDAPMapping()
	m.DisabledAttribute = ""

	got := MapEntry(ldap.NewEntry("uid=x,dc=example,dc=com",
		person(map[string][]string{"employeeType": {"disabled"}})), m)
	if got.Disabled {
		t.Error("Disabled = true with no disabled attribute in the mapping, want false")
	}
}

func TestMapEntryCleansDN(t *testing.T) {
	got := MapEntry(ldap.NewEntry("uid=a\x00b\xff,dc=example,dc=com", person(nil)),
		domain.DefaultOpenLDAPMapping())
	if want := "uid=ab\uFFFD,dc=example,dc=com"; got.DN != want {
		t.Errorf("DN = %q, want %q", got.DN, want)
	}
}

func TestFormatObjectGUID(t *testing.T) {
	tests := []struct {
		raw  string
		want string
	}{
		// Data1, Data2 and Data3 are little-endian; the last 8 bytes are kept in order.
		{"6f4abfc04e2c01468d11223344556677", "c0bf4a6f-2c4e-4601-8d11-223344556677"},
		{"00112233445566778899aabbccddeeff", "33221100-5544-7766-8899-aabbccddeeff"},
		{"ffffffffffffffffffffffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff"},
	}
	for _, tt := range tests {
		got, err := FormatObjectGUID(mustHex(t, tt.raw))
		if err != nil {
			t.Fatalf("FormatObjectGUID(%s): %v", tt.raw, err)
		}
		if got != tt.want {
			t.Errorf("FormatObjectGUID(%s) = %q, want %q", tt.raw, got, tt.want)
		}
	}

	if _, err := FormatObjectGUID(make([]byte, 17)); err == nil {
		t.Error("FormatObjectGUID of 17 bytes: no error, want one")
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMapEntryRejectsWhiteSpaceThatUCMCannotShow(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string][]string
		want  string
	}{
		{"tab in userid", map[string][]string{"uid": {"tab\tuid"}}, "uid contains a tab or line break"},
		{"space in userid", map[string][]string{"uid": {"john smith"}}, "contains a space"},
		{"line break in title", map[string][]string{"title": {"line1\nline2"}}, "title contains a tab or line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := map[string][]string{"entryUUID": {"4c7f1a2e-0000-4000-8000-000000000001"},
				"uid": {"jdoe"}, "sn": {"Doe"}}
			for k, v := range tt.attrs {
				attrs[k] = v
			}
			entry := ldap.NewEntry("uid=x,ou=people,dc=example,dc=com", attrs)
			got := MapEntry(entry, domain.DefaultOpenLDAPMapping())
			if !strings.Contains(got.Invalid, tt.want) {
				t.Errorf("Invalid = %q, want it to contain %q", got.Invalid, tt.want)
			}
		})
	}
}
