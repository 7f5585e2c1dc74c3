package domain

import (
	"encoding/hex"
	"testing"
)

func TestAttributesHashStable(t *testing.T) {
	a := Attributes{UserID: "jsmith", FirstName: "John", LastName: "Smith", Mail: "j@example.com"}
	b := a

	if a.Hash() != b.Hash() {
		t.Errorf("Hash of equal attributes = %s and %s, want equal", a.Hash(), b.Hash())
	}
	if a.Hash() != a.Hash() {
		t.Errorf("Hash called twice = %s and %s, want equal", a.Hash(), a.Hash())
	}

	// 16 bytes of SHA-256 in hex: the store keeps the hash in a fixed-size column.
	raw, err := hex.DecodeString(a.Hash())
	if err != nil {
		t.Fatalf("Hash() = %q, want hex: %v", a.Hash(), err)
	}
	if len(raw) != 16 {
		t.Errorf("Hash() is %d bytes, want 16", len(raw))
	}
}

// TestAttributesHashKnownValue pins the digest: a change of its input format would make every
// stored hash stale, so every user would be read from UCM again on the next push. The value
// is the first 32 hex digits of `printf 'jsmith\0\0Smith\0\0\0\0' | sha256sum`: the seven
// fields in order, joined by NUL bytes.
func TestAttributesHashKnownValue(t *testing.T) {
	a := Attributes{UserID: "jsmith", LastName: "Smith"}
	const want = "0303a815ee02d6dda1b0ebc714415a85"
	if got := a.Hash(); got != want {
		t.Errorf("Hash(%+v) = %s, want %s", a, got, want)
	}
}

func TestAttributesHashDiffersPerField(t *testing.T) {
	base := Attributes{
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
		change func(a *Attributes)
	}{
		{name: "userid", change: func(a *Attributes) { a.UserID = "jsmith2" }},
		{name: "userid case", change: func(a *Attributes) { a.UserID = "JSmith" }},
		{name: "first name", change: func(a *Attributes) { a.FirstName = "Jon" }},
		{name: "last name", change: func(a *Attributes) { a.LastName = "Smyth" }},
		{name: "mail", change: func(a *Attributes) { a.Mail = "" }},
		{name: "telephone number", change: func(a *Attributes) { a.TelephoneNumber = "+44" }},
		{name: "department", change: func(a *Attributes) { a.Department = "sales" }},
		{name: "title", change: func(a *Attributes) { a.Title = "Engineer " }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := base
			tt.change(&changed)
			if changed.Hash() == base.Hash() {
				t.Errorf("Hash(%+v) = Hash(%+v) = %s, want different", changed, base, base.Hash())
			}
		})
	}
}

func TestAttributesHashValueMovedBetweenFields(t *testing.T) {
	tests := []struct {
		name string
		a, b Attributes
	}{
		{
			name: "first name into last name",
			a:    Attributes{UserID: "u", FirstName: "ab", LastName: "c"},
			b:    Attributes{UserID: "u", FirstName: "a", LastName: "bc"},
		},
		{
			name: "whole value into the next field",
			a:    Attributes{UserID: "u", Department: "Sales"},
			b:    Attributes{UserID: "u", Title: "Sales"},
		},
		{
			name: "userid into first name",
			a:    Attributes{UserID: "jsmith"},
			b:    Attributes{FirstName: "jsmith"},
		},
		{
			name: "mail into telephone number",
			a:    Attributes{UserID: "u", Mail: "x@y", TelephoneNumber: "1"},
			b:    Attributes{UserID: "u", Mail: "x", TelephoneNumber: "@y1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a.Hash() == tt.b.Hash() {
				t.Errorf("Hash(%+v) = Hash(%+v) = %s, want different", tt.a, tt.b, tt.a.Hash())
			}
		})
	}
}
