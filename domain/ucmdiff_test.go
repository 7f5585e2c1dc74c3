package domain

import (
	"slices"
	"testing"
)

func TestDiffUCMUserFields(t *testing.T) {
	wanted := Attributes{
		UserID:          "jsmith",
		FirstName:       "John",
		LastName:        "Smith",
		Mail:            "john.smith@example.com",
		TelephoneNumber: "+442079460000",
		Department:      "Sales",
		Title:           "Engineer",
	}
	same := UCMUser{
		UserID:          "jsmith",
		FirstName:       "John",
		LastName:        "Smith",
		Mail:            "john.smith@example.com",
		TelephoneNumber: "+442079460000",
		Department:      "Sales",
		Title:           "Engineer",
	}

	tests := []struct {
		name   string
		actual func(u *UCMUser)
		want   []FieldChange
	}{
		{name: "no change", actual: func(*UCMUser) {}},
		{name: "userid is not a field a push writes", actual: func(u *UCMUser) { u.UserID = "JSMITH" }},
		{
			name:   "first name",
			actual: func(u *UCMUser) { u.FirstName = "Jon" },
			want:   []FieldChange{{Field: FieldFirstName, From: "Jon", To: "John"}},
		},
		{
			name:   "last name",
			actual: func(u *UCMUser) { u.LastName = "Smyth" },
			want:   []FieldChange{{Field: FieldLastName, From: "Smyth", To: "Smith"}},
		},
		{
			name:   "mail",
			actual: func(u *UCMUser) { u.Mail = "" },
			want:   []FieldChange{{Field: FieldMail, From: "", To: "john.smith@example.com"}},
		},
		{
			name:   "telephone number",
			actual: func(u *UCMUser) { u.TelephoneNumber = "+442079460001" },
			want: []FieldChange{
				{Field: FieldTelephoneNumber, From: "+442079460001", To: "+442079460000"},
			},
		},
		{
			name:   "department",
			actual: func(u *UCMUser) { u.Department = "Marketing" },
			want:   []FieldChange{{Field: FieldDepartment, From: "Marketing", To: "Sales"}},
		},
		{
			name:   "title",
			actual: func(u *UCMUser) { u.Title = "Manager" },
			want:   []FieldChange{{Field: FieldTitle, From: "Manager", To: "Engineer"}},
		},
		{
			name:   "case differs",
			actual: func(u *UCMUser) { u.LastName = "SMITH" },
			want:   []FieldChange{{Field: FieldLastName, From: "SMITH", To: "Smith"}},
		},
		{
			name:   "accent differs",
			actual: func(u *UCMUser) { u.FirstName = "Jöhn" },
			want:   []FieldChange{{Field: FieldFirstName, From: "Jöhn", To: "John"}},
		},
		{
			name: "several fields in field order",
			actual: func(u *UCMUser) {
				u.Title = ""
				u.FirstName = ""
				u.Mail = "old@example.com"
			},
			want: []FieldChange{
				{Field: FieldFirstName, From: "", To: "John"},
				{Field: FieldMail, From: "old@example.com", To: "john.smith@example.com"},
				{Field: FieldTitle, From: "", To: "Engineer"},
			},
		},
		{
			name: "LDAP-synced user with every field different",
			actual: func(u *UCMUser) {
				*u = UCMUser{UserID: "jsmith", LastName: "Other", Title: "Other",
					LDAPDirectoryName: "corp-ad"}
			},
		},
		{
			name:   "LDAP-synced user otherwise equal",
			actual: func(u *UCMUser) { u.LDAPDirectoryName = "corp-ad" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			actual := same
			tt.actual(&actual)

			got := DiffUCMUser(wanted, actual)
			if !slices.Equal(got, tt.want) {
				t.Errorf("DiffUCMUser(%+v) = %+v, want %+v", actual, got, tt.want)
			}
		})
	}
}

func TestDiffUCMUserClearsFields(t *testing.T) {
	actual := UCMUser{UserID: "jsmith", LastName: "Smith", Department: "Sales"}
	wanted := Attributes{UserID: "jsmith", LastName: "Smith"}

	got := DiffUCMUser(wanted, actual)
	want := []FieldChange{{Field: FieldDepartment, From: "Sales", To: ""}}
	if !slices.Equal(got, want) {
		t.Errorf("DiffUCMUser(%+v, %+v) = %+v, want %+v", wanted, actual, got, want)
	}
}
