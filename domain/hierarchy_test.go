package domain

import (
	"strings"
	"testing"
)

func TestValidateNameRules(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		wantErr bool
	}{
		{name: "letters", value: "acme"},
		{name: "one character", value: "a"},
		{name: "starts with a digit", value: "3com"},
		{name: "dot, underscore and hyphen", value: "london.hq_2-b"},
		{name: "upper case", value: "ACME"},
		{name: "63 characters", value: strings.Repeat("a", 63)},
		{name: "64 characters", value: strings.Repeat("a", 64), wantErr: true},
		{name: "empty", value: "", wantErr: true},
		{name: "starts with a hyphen", value: "-acme", wantErr: true},
		{name: "starts with a dot", value: ".acme", wantErr: true},
		{name: "starts with an underscore", value: "_acme", wantErr: true},
		{name: "slash", value: "acme/london", wantErr: true},
		{name: "space", value: "acme london", wantErr: true},
		{name: "trailing newline", value: "acme\n", wantErr: true},
		{name: "non-ASCII letter", value: "münchen", wantErr: true},
		{name: "colon", value: "acme:1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName("site", tt.value)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ValidateName(site, %q) error = %v, want error %t", tt.value, err, tt.wantErr)
			}
		})
	}
}

func TestValidateNameMessage(t *testing.T) {
	err := ValidateName("cluster", "bad name")
	if err == nil {
		t.Fatal(`ValidateName("cluster", "bad name") = nil, want an error`)
	}

	want := `invalid cluster name "bad name": use 1 to 63 letters`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}

func TestParseSiteRefForms(t *testing.T) {
	tests := []struct {
		input string
		want  SiteRef
		// wantErr is a part of the expected error message; empty when parsing succeeds.
		wantErr string
	}{
		{input: "acme/london", want: SiteRef{Customer: "acme", Site: "london"}},
		{input: "ACME.uk/london-2", want: SiteRef{Customer: "ACME.uk", Site: "london-2"}},
		{input: "acme", wantErr: `invalid site "acme": write it as customer/site`},
		{input: "", wantErr: "write it as customer/site"},
		{input: "/london", wantErr: `invalid customer name ""`},
		{input: "acme/", wantErr: `invalid site name ""`},
		{input: "acme/london/hq", wantErr: `invalid site name "london/hq"`},
		{input: "ac me/london", wantErr: `invalid customer name "ac me"`},
		{input: " acme/london", wantErr: `invalid customer name " acme"`},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, err := ParseSiteRef(tt.input)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseSiteRef(%q) = %+v, want an error containing %q",
						tt.input, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseSiteRef(%q) error = %q, want it to contain %q", tt.input, err, tt.wantErr)
				}
				return
			}

			if err != nil {
				t.Fatalf("ParseSiteRef(%q) error = %v, want nil", tt.input, err)
			}
			if got != tt.want {
				t.Errorf("ParseSiteRef(%q) = %+v, want %+v", tt.input, got, tt.want)
			}
			if got.String() != tt.input {
				t.Errorf("ParseSiteRef(%q).String() = %q, want the input", tt.input, got.String())
			}
		})
	}
}

func TestSiteRefFromSite(t *testing.T) {
	s := Site{Customer: "acme", Name: "london"}
	if got, want := s.Ref().String(), "acme/london"; got != want {
		t.Errorf("Site%+v.Ref().String() = %q, want %q", s, got, want)
	}
}

func TestValidateAXLVersionKnown(t *testing.T) {
	tests := []struct {
		version string
		wantErr bool
	}{
		{version: "12.5"},
		{version: "14.0"},
		{version: "15.0"},
		{version: "14", wantErr: true},
		{version: "14.0.1", wantErr: true},
		{version: "11.5", wantErr: true},
		{version: " 14.0", wantErr: true},
		{version: "", wantErr: true},
	}
	for _, tt := range tests {
		err := ValidateAXLVersion(tt.version)
		if (err != nil) != tt.wantErr {
			t.Errorf("ValidateAXLVersion(%q) error = %v, want error %t", tt.version, err, tt.wantErr)
		}
	}
}

func TestValidateAXLVersionMessage(t *testing.T) {
	err := ValidateAXLVersion("11.5")
	if err == nil {
		t.Fatal(`ValidateAXLVersion("11.5") = nil, want an error`)
	}

	want := `invalid AXL version "11.5": use one of 12.5, 14.0, 15.0`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestValidateSecretRefForms(t *testing.T) {
	tests := []struct {
		ref string
		// wantErr is a part of the expected error message; empty when the reference is valid.
		wantErr string
	}{
		{ref: "env:AXL_PASSWORD"},
		{ref: "file:/run/secrets/axl"},
		{ref: "file:/"},
		{ref: "env:", wantErr: "use env:VARIABLE or file:/path/to/secret"},
		{ref: "file:", wantErr: "use env:VARIABLE or file:/path/to/secret"},
		{ref: "AXL_PASSWORD", wantErr: "use env:VARIABLE or file:/path/to/secret"},
		{ref: "", wantErr: "use env:VARIABLE or file:/path/to/secret"},
		{ref: "vault:secret/axl", wantErr: `invalid secret reference "vault:secret/axl"`},
		{ref: "ENV:AXL_PASSWORD", wantErr: "use env:VARIABLE"},
		{ref: "file:run/secrets/axl", wantErr: "the file path must be absolute"},
		{ref: "file:./axl", wantErr: "the file path must be absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			err := ValidateSecretRef(tt.ref)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidateSecretRef(%q) error = %v, want nil", tt.ref, err)
				}
				return
			}

			if err == nil {
				t.Fatalf("ValidateSecretRef(%q) = nil, want an error containing %q", tt.ref, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateSecretRef(%q) error = %q, want it to contain %q", tt.ref, err, tt.wantErr)
			}
		})
	}
}
