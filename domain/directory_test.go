package domain

import (
	"strings"
	"testing"
)

func TestAttributeMappingValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(m *AttributeMapping)
		wantErr string
	}{
		{name: "OpenLDAP default", change: func(*AttributeMapping) {}},
		{name: "only the required fields", change: func(m *AttributeMapping) {
			*m = AttributeMapping{Key: KeyEntryUUID, UserID: "uid", LastName: "sn"}
		}},
		{name: "objectGUID key", change: func(m *AttributeMapping) { m.Key = KeyObjectGUID }},
		{name: "empty key", change: func(m *AttributeMapping) { m.Key = "" },
			wantErr: `invalid key attribute "": use "entryUUID" or "objectGUID"`},
		{name: "key in another case", change: func(m *AttributeMapping) { m.Key = "entryuuid" },
			wantErr: `invalid key attribute "entryuuid"`},
		{name: "dn as key", change: func(m *AttributeMapping) { m.Key = "dn" },
			wantErr: `invalid key attribute "dn"`},
		{name: "missing userid", change: func(m *AttributeMapping) { m.UserID = "" },
			wantErr: "missing userid attribute"},
		{name: "missing last name", change: func(m *AttributeMapping) { m.LastName = "" },
			wantErr: "missing last name attribute"},
		{name: "missing optional fields", change: func(m *AttributeMapping) {
			m.FirstName, m.Mail, m.TelephoneNumber, m.Department, m.Title = "", "", "", "", ""
			m.DisabledAttribute, m.DisabledValue = "", ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := DefaultOpenLDAPMapping()
			tt.change(&m)

			err := m.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate(%+v) error = %v, want nil", m, err)
				}
				return
			}

			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error containing %q", m, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate(%+v) error = %q, want it to contain %q", m, err, tt.wantErr)
			}
		})
	}
}

func TestDefaultMappingsValid(t *testing.T) {
	for name, m := range map[string]AttributeMapping{
		"OpenLDAP":         DefaultOpenLDAPMapping(),
		"Active Directory": DefaultActiveDirectoryMapping(),
	} {
		if err := m.Validate(); err != nil {
			t.Errorf("%s default mapping: Validate() error = %v, want nil", name, err)
		}
	}

	if got := DefaultActiveDirectoryMapping().Key; got != KeyObjectGUID {
		t.Errorf("Active Directory default key = %q, want %q", got, KeyObjectGUID)
	}
	if got := DefaultOpenLDAPMapping().Key; got != KeyEntryUUID {
		t.Errorf("OpenLDAP default key = %q, want %q", got, KeyEntryUUID)
	}
}
