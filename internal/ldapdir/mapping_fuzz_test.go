package ldapdir

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
)

// FuzzMapEntry maps entries with arbitrary attribute values under both default mappings. It
// checks that MapEntry never panics and that no mapped string holds invalid UTF-8 or a NUL
// byte, because PostgreSQL text rejects both. An entry reported valid must have a key, a
// userid and a last name within UCM's limits, and every value of its mapped attributes must
// be valid UTF-8 without NUL bytes. `go test` runs the seeds only; run
// `go test -run=NONE -fuzz=FuzzMapEntry ./internal/ldapdir/` to search further.
func FuzzMapEntry(f *testing.F) {
	guid := string([]byte{0x6f, 0x4a, 0xbf, 0xc0, 0x4e, 0x2c, 0x01, 0x46, 0x8d, 0x11, 0x22, 0x33,
		0x44, 0x55, 0x66, 0x77})
	seeds := []struct {
		dn, key, userID, lastName, firstName, mail, disabled, shadow string
	}{
		{"uid=jdoe,ou=people,dc=example", testUUID, "jdoe", "Doe", "Jane", "j@example.com", "employee", ""},
		{"uid=x", guid, "*)(uid=*", "O'Brien <&>", "Zoë", "", "512", ""},
		{"cn=田中", testUUID, "田中", "田中", "太郎 🙂", "t@example.jp", "514", "TANAKA"},
		{"uid=a", testUUID, "  ", "Doe", "", "", "", ""},
		{"uid=a", testUUID, "a\x00b", "Doe", "", "", "", ""},
		{"uid=\xff", testUUID, "jdoe", "\xffDoe", "", "", "", ""},
		{"uid=a", "", "a", "b", "", "", "disabled", ""},
		{"uid=a", "\x00", "a", "b", "", "", "0x2", ""},
		{"uid=a", testUUID, strings.Repeat("u", 129), "b", "", "", "", ""},
		{"uid=a", testUUID, "a", strings.Repeat("é", 65), "", "", "", ""},
		{"uid=a", testUUID, "a", "\u00a0\u2003", "", "", "", ""},
		{"uid=a", testUUID, "a", "b", "\xc3", "", "-2", "shadow"},
	}

	for _, s := range seeds {
		f.Add(s.dn, []byte(s.key), []byte(s.userID), []byte(s.lastName), []byte(s.firstName),
			[]byte(s.mail), s.disabled, s.shadow)
	}

	f.Fuzz(func(t *testing.T, dn string, key, userID, lastName, firstName, mail []byte,
		disabled, shadow string) {
		for _, m := range []domain.AttributeMapping{
			domain.DefaultOpenLDAPMapping(),
			domain.DefaultActiveDirectoryMapping(),
		} {
			raw := map[string][][]byte{
				string(m.Key): {key},
				m.UserID:      {userID},
				m.LastName:    {lastName},
				m.FirstName:   {firstName},
				m.Mail:        {mail, []byte(shadow)},
			}
			if m.DisabledAttribute != "" {
				raw[m.DisabledAttribute] = [][]byte{[]byte(disabled)}
			}

			e := buildEntry(dn, raw)
			// A second attribute whose name differs only in case: the first one wins.
			if shadow != "" {
				e.Attributes = append(e.Attributes, ldap.NewEntryAttribute(strings.ToUpper(m.UserID),
					[]string{shadow}))
			}

			got := MapEntry(e, m)

			checkMappedEntry(t, m, raw, got)
		}
	})
}

func buildEntry(dn string, raw map[string][][]byte) *ldap.Entry {
	e := &ldap.Entry{DN: dn}
	for name, values := range raw {
		attribute := &ldap.EntryAttribute{Name: name, ByteValues: values}
		for _, v := range values {
			attribute.Values = append(attribute.Values, string(v))
		}

		e.Attributes = append(e.Attributes, attribute)
	}

	return e
}

func checkMappedEntry(t *testing.T, m domain.AttributeMapping, raw map[string][][]byte,
	got domain.DirectoryEntry) {
	t.Helper()

	a := got.Attributes
	for name, value := range map[string]string{
		"DN": got.DN, "Key": got.Key, "Invalid": got.Invalid, "UserID": a.UserID,
		"FirstName": a.FirstName, "LastName": a.LastName, "Mail": a.Mail,
		"TelephoneNumber": a.TelephoneNumber, "Department": a.Department, "Title": a.Title,
	} {
		if !utf8.ValidString(value) || strings.IndexByte(value, 0) >= 0 {
			t.Errorf("%s mapping: %s = %q holds invalid UTF-8 or a NUL byte", m.Key, name, value)
		}
	}

	if got.Invalid != "" {
		return
	}

	if got.Key == "" || a.UserID == "" || a.LastName == "" {
		t.Errorf("%s mapping: valid entry without key, userid or last name: %+v", m.Key, got)
	}

	if len(a.UserID) > domain.MaxUserIDBytes || utf8.RuneCountInString(a.LastName) > domain.MaxNameChars ||
		utf8.RuneCountInString(a.FirstName) > domain.MaxNameChars || utf8.RuneCountInString(a.Mail) > domain.MaxMailChars {
		t.Errorf("%s mapping: valid entry exceeds a UCM length limit: %+v", m.Key, got)
	}

	for name, values := range raw {
		if name == string(domain.KeyObjectGUID) || strings.EqualFold(name, m.DisabledAttribute) {
			continue
		}

		for _, v := range values {
			if !utf8.Valid(v) || strings.IndexByte(string(v), 0) >= 0 {
				t.Errorf("%s mapping: entry is valid although %s holds %q", m.Key, name, v)
			}
		}
	}
}
