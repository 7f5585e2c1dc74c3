package store

import (
	"slices"
	"testing"
)

func TestApplyNumberMask(t *testing.T) {
	cases := []struct {
		mask, telephone, want string
		ok                    bool
	}{
		{"+44207100XXXX", "+44 20 7946 0123", "+442071000123", true},
		{"4XXX", "+442071001234", "4234", true},
		{"XX00", "0171-55", "5500", true},
		{"+44207100XXXX", "123", "", false},
		{"+44207100", "+442079460123", "", false},
		{"44-XX", "1234", "", false},
	}
	for _, c := range cases {
		got, err := ApplyNumberMask(c.mask, c.telephone)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ApplyNumberMask(%q, %q) = %q, %v; want %q, ok %v", c.mask, c.telephone, got,
				err, c.want, c.ok)
		}
	}
}

func TestParseNumberRange(t *testing.T) {
	cases := []struct {
		in     string
		ok     bool
		prefix string
	}{
		{"4000-4999", true, "4"},
		{"+442071004000-+442071004999", true, "+442071004"},
		{"0400-0499", true, "04"},
		{"1000-9999", true, ""},
		{"4999-4000", false, ""},
		{"400-4999", false, ""},
		{"+4000-4999", false, ""},
		{"4000", false, ""},
		{"1-200000", false, ""},
		{"0000000-0999999", false, ""},
	}
	for _, c := range cases {
		r, err := ParseNumberRange(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseNumberRange(%q) error %v, want ok %v", c.in, err, c.ok)
			continue
		}
		if c.ok && r.Prefix() != c.prefix {
			t.Errorf("ParseNumberRange(%q).Prefix() = %q, want %q", c.in, r.Prefix(), c.prefix)
		}
	}
}

func TestNumberRangeAllKeepsForm(t *testing.T) {
	r, err := ParseNumberRange("+0998-+1001")
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Collect(r.All())
	if want := []string{"+0998", "+0999", "+1000", "+1001"}; !slices.Equal(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}
	for number, want := range map[string]bool{"+0999": true, "0999": false, "+999": false,
		"+1002": false, "+0998": true} {
		if r.Contains(number) != want {
			t.Errorf("Contains(%q) = %v, want %v", number, !want, want)
		}
	}
}

func TestSiteDefaultsValidate(t *testing.T) {
	cases := []struct {
		d  SiteDefaults
		ok bool
	}{
		{SiteDefaults{}, true},
		{SiteDefaults{NumberMask: "+44207100XXXX"}, true},
		{SiteDefaults{NumberRange: "4000-4999"}, true},
		{SiteDefaults{NumberMask: "4XXX", NumberRange: "4000-4999"}, false},
		{SiteDefaults{NumberMask: "4000"}, false},
		{SiteDefaults{NumberRange: "4000-"}, false},
	}
	for _, c := range cases {
		if err := c.d.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v, want ok %v", c.d, err, c.ok)
		}
	}
}
