package domain

import (
	"strings"
	"testing"
)

var testNames = AttributeNames{UserID: "--userid", FirstName: "--first-name",
	LastName: "--last-name", Mail: "--mail", TelephoneNumber: "--telephone",
	Department: "--department", Title: "--title"}

func TestCheckAttributesCases(t *testing.T) {
	valid := Attributes{UserID: "nakamura.中村", FirstName: "Ai", LastName: "中村 & <Co>",
		Mail: "ai@example.com", TelephoneNumber: "+81300000001", Department: "R&D", Title: "Lead"}
	tests := []struct {
		name   string
		change func(a *Attributes)
		want   string // a part of the reason; "" for a valid user
	}{
		{name: "valid, with non-Latin and XML characters", change: func(*Attributes) {}},
		{name: "space in the userid", change: func(a *Attributes) { a.UserID = "a b" },
			want: `--userid "a b" contains a space`},
		{name: "no-break space in the userid", change: func(a *Attributes) { a.UserID = "a\u00a0b" },
			want: "contains a space"},
		{name: "userid of 129 bytes", change: func(a *Attributes) { a.UserID = strings.Repeat("a", 129) },
			want: "--userid is 129 bytes, longer than the 128"},
		{name: "last name of 65 characters", change: func(a *Attributes) { a.LastName = strings.Repeat("é", 65) },
			want: "--last-name is 65 characters, longer than the 64"},
		{name: "mail of 256 characters", change: func(a *Attributes) { a.Mail = strings.Repeat("m", 256) },
			want: "--mail is 256 characters"},
		{name: "line break in the title", change: func(a *Attributes) { a.Title = "a\nb" },
			want: "--title contains a tab or line break"},
		{name: "NUL byte", change: func(a *Attributes) { a.Department = "a\x00b" },
			want: "NUL byte in --department"},
		{name: "invalid UTF-8", change: func(a *Attributes) { a.FirstName = "\xff" },
			want: "invalid UTF-8 in --first-name"},
		{name: "control character XML cannot carry", change: func(a *Attributes) { a.LastName = "a\x01" },
			want: "character U+0001 in --last-name"},
		{name: "white space around a value", change: func(a *Attributes) { a.TelephoneNumber = " +44" },
			want: `--telephone " +44" has white space around it`},
		{name: "missing userid", change: func(a *Attributes) { a.UserID = "" },
			want: "missing --userid"},
		{name: "missing last name", change: func(a *Attributes) { a.LastName = "" },
			want: "missing --last-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid
			tt.change(&a)
			got := CheckAttributes(a, testNames)
			if tt.want == "" && got != "" {
				t.Errorf("CheckAttributes = %q, want the user valid", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("CheckAttributes = %q, want a reason containing %q", got, tt.want)
			}
		})
	}
}
