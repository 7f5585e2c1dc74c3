package domain

import (
	"slices"
	"strings"
	"testing"
)

func TestParseFilterValid(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []FilterTerm
	}{
		{
			name: "single term",
			text: "userid=jsmith",
			want: []FilterTerm{{Attribute: "userid", Pattern: "jsmith"}},
		},
		{
			name: "attribute name in any case",
			text: "LASTNAME=Smith",
			want: []FilterTerm{{Attribute: "lastName", Pattern: "Smith"}},
		},
		{
			name: "two terms",
			text: "department=Sales and title=*Manager*",
			want: []FilterTerm{
				{Attribute: "department", Pattern: "Sales"},
				{Attribute: "title", Pattern: "*Manager*"},
			},
		},
		{
			name: "and in any case",
			text: "department=Sales AND title=Engineer aNd mail=*@example.com",
			want: []FilterTerm{
				{Attribute: "department", Pattern: "Sales"},
				{Attribute: "title", Pattern: "Engineer"},
				{Attribute: "mail", Pattern: "*@example.com"},
			},
		},
		{
			name: "spaces and tabs around terms",
			text: "  userid=a \t and\tmail=b  ",
			want: []FilterTerm{
				{Attribute: "userid", Pattern: "a"},
				{Attribute: "mail", Pattern: "b"},
			},
		},
		{
			name: "quoted value with spaces and the word and",
			text: `department="R and D" and ou=London`,
			want: []FilterTerm{
				{Attribute: "department", Pattern: "R and D"},
				{Attribute: "ou", Pattern: "London"},
			},
		},
		{
			name: "escaped quote inside quotes",
			text: `title="Head of \"Ops\""`,
			want: []FilterTerm{{Attribute: "title", Pattern: `Head of "Ops"`}},
		},
		{
			name: "escaped backslash inside quotes",
			text: `dn="cn=Smith\\, John*"`,
			want: []FilterTerm{{Attribute: "dn", Pattern: `cn=Smith\, John*`}},
		},
		{
			name: "backslash outside quotes is literal",
			text: `department=R\D`,
			want: []FilterTerm{{Attribute: "department", Pattern: `R\D`}},
		},
		{
			name: "quoted value followed directly by and",
			text: `title="Sales"and userid=x`,
			want: []FilterTerm{
				{Attribute: "title", Pattern: "Sales"},
				{Attribute: "userid", Pattern: "x"},
			},
		},
		{
			name: "wildcards",
			text: "telephoneNumber=+4420* and lastName=Sm*th and userid=*",
			want: []FilterTerm{
				{Attribute: "telephoneNumber", Pattern: "+4420*"},
				{Attribute: "lastName", Pattern: "Sm*th"},
				{Attribute: "userid", Pattern: "*"},
			},
		},
		{
			name: "non-ASCII value",
			text: "lastName=Müller",
			want: []FilterTerm{{Attribute: "lastName", Pattern: "Müller"}},
		},
		{
			name: "exactly the maximum length",
			text: "userid=" + strings.Repeat("a", maxFilterLength-len("userid=")),
			want: []FilterTerm{
				{Attribute: "userid", Pattern: strings.Repeat("a", maxFilterLength-len("userid="))},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFilter(tt.text)
			if err != nil {
				t.Fatalf("ParseFilter(%q) error = %v, want nil", tt.text, err)
			}

			if !slices.Equal(f.Terms, tt.want) {
				t.Errorf("ParseFilter(%q).Terms = %+v, want %+v", tt.text, f.Terms, tt.want)
			}
			if f.String() != tt.text {
				t.Errorf("ParseFilter(%q).String() = %q, want the input", tt.text, f.String())
			}
		})
	}
}

func TestParseFilterInvalid(t *testing.T) {
	tests := []struct {
		name string
		text string
		// want is a part of the expected error message.
		want string
	}{
		{name: "empty", text: "", want: "expected attribute=pattern at byte 0"},
		{name: "only spaces", text: "   ", want: "expected attribute=pattern at byte 3"},
		{name: "missing attribute", text: "=jsmith", want: "expected attribute=pattern at byte 0"},
		{
			name: "unknown attribute lists the known ones",
			text: "city=London",
			want: `unknown attribute "city": use one of userid, firstName, lastName, mail, ` +
				"telephoneNumber, department, title, ou, dn",
		},
		{name: "missing equals", text: "userid", want: `expected '=' after "userid"`},
		{name: "space before equals", text: "userid =x", want: `expected '=' after "userid"`},
		{
			name: "empty pattern",
			text: "userid=",
			want: "empty pattern for userid: use * to match any value",
		},
		{
			name: "empty quoted pattern",
			text: `title=""`,
			want: "empty pattern for title: use * to match any value",
		},
		{
			name: "empty pattern before and",
			text: "title= and userid=x",
			want: "empty pattern for title",
		},
		{name: "unterminated quote", text: `department="R and D`, want: "unterminated quoted value"},
		{
			name: "quote escaped at the end",
			text: `department="R and D\"`,
			want: "unterminated quoted value",
		},
		{name: "missing and", text: "userid=a mail=b", want: `expected "and" at byte 9`},
		{name: "or is not and", text: "userid=a or mail=b", want: `expected "and" at byte 9`},
		{name: "and glued to a term", text: "userid=a andmail=b", want: `expected "and" at byte 9`},
		{name: "text after a quoted value", text: `userid="a"b`, want: `expected "and" at byte 10`},
		{name: "trailing and", text: "userid=a and", want: "expected attribute=pattern at byte 12"},
		{name: "not UTF-8", text: "userid=\xff\xfe", want: "not valid UTF-8"},
		{
			name: "one byte too long",
			text: "userid=" + strings.Repeat("a", maxFilterLength+1-len("userid=")),
			want: "longer than 1024 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFilter(tt.text)
			if err == nil {
				t.Fatalf("ParseFilter(%q) = %+v, want an error containing %q", tt.text, f.Terms, tt.want)
			}

			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFilter(%q) error = %q, want it to contain %q", tt.text, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "invalid filter") {
				t.Errorf("ParseFilter(%q) error = %q, want it to start with %q",
					tt.text, err, "invalid filter")
			}
			if len(f.Terms) != 0 {
				t.Errorf("ParseFilter(%q) terms = %+v, want none on error", tt.text, f.Terms)
			}
		})
	}
}

// smithDN is a DN with an escaped comma in its common name and two organizational units.
const smithDN = `cn=Smith\, John,ou=London,ou=people,dc=example,dc=com`

func TestFilterMatches(t *testing.T) {
	smith := Candidate{
		DN: smithDN,
		Attributes: Attributes{
			UserID:          "JSmith",
			FirstName:       "John",
			LastName:        "Smith",
			Mail:            "John.Smith@Example.COM",
			TelephoneNumber: "+442079460000",
			Department:      "Sales",
			Title:           "Senior Engineer II",
		},
	}
	withDepartment := func(department string) Candidate {
		c := smith
		c.Attributes.Department = department
		return c
	}
	withDN := func(dn string) Candidate {
		c := smith
		c.DN = dn
		return c
	}

	tests := []struct {
		name      string
		filter    string
		candidate Candidate
		want      bool
	}{
		{name: "exact value in another case", filter: "userid=jsmith", candidate: smith, want: true},
		{name: "pattern matches the whole value", filter: "userid=smith", candidate: smith},
		{name: "prefix without star", filter: "userid=JSmit", candidate: smith},
		{name: "star at the end", filter: "telephoneNumber=+4420*", candidate: smith, want: true},
		{name: "star at the end, other prefix", filter: "telephoneNumber=+4412*", candidate: smith},
		{name: "star at the start", filter: "mail=*@example.com", candidate: smith, want: true},
		{name: "star at the start, other suffix", filter: "mail=*@example.org", candidate: smith},
		{name: "star in the middle", filter: "lastName=Sm*th", candidate: smith, want: true},
		{name: "star in the middle, no match", filter: "lastName=Sm*x", candidate: smith},
		{name: "stars on both sides", filter: "title=*engineer*", candidate: smith, want: true},
		{name: "star alone", filter: "department=*", candidate: smith, want: true},
		{name: "star matches an empty value", filter: "department=*", candidate: withDepartment(""),
			want: true},
		{name: "quoted value with spaces", filter: `title="senior engineer ii"`, candidate: smith,
			want: true},
		{name: "all terms match", filter: "department=sales and lastName=smith", candidate: smith,
			want: true},
		{name: "one term fails", filter: "department=sales and lastName=jones", candidate: smith},
		{name: "slash matches literally", filter: "department=R/D", candidate: withDepartment("R/D"),
			want: true},
		{name: "slash is not any character", filter: "department=R/D",
			candidate: withDepartment("RxD")},
		{name: "star crosses a slash", filter: "department=R*", candidate: withDepartment("R/D/EMEA"),
			want: true},
		{name: "question mark matches literally", filter: "department=Why?",
			candidate: withDepartment("Why?"), want: true},
		{name: "question mark is not any character", filter: "department=Why?",
			candidate: withDepartment("Whyx")},
		{name: "bracket matches literally", filter: "department=[Ops]",
			candidate: withDepartment("[Ops]"), want: true},
		{name: "bracket is not a character class", filter: "department=[Ops]",
			candidate: withDepartment("O")},
		{name: "unclosed bracket", filter: "department=[Ops", candidate: withDepartment("[Ops"),
			want: true},
		{name: "backslash matches literally", filter: `department=R\D`,
			candidate: withDepartment(`R\D`), want: true},
		{name: "backslash does not escape", filter: `department=R\D`, candidate: withDepartment("RD")},
		{name: "non-ASCII in another case", filter: "department=MÜNCHEN",
			candidate: withDepartment("München"), want: true},
		{name: "ou nearest the entry", filter: "ou=london", candidate: smith, want: true},
		{name: "ou further up", filter: "ou=People", candidate: smith, want: true},
		{name: "ou with a star", filter: "ou=Lon*", candidate: smith, want: true},
		{name: "ou not in the DN", filter: "ou=Paris", candidate: smith},
		{name: "ou does not match the common name", filter: "ou=John", candidate: smith},
		{name: "ou does not match the escaped part of the common name", filter: `ou=" John"`,
			candidate: smith},
		{name: "ou does not match dc", filter: "ou=example", candidate: smith},
		{name: "ou matches the whole unit", filter: "ou=Lon", candidate: smith},
		{name: "ou with an escaped comma", filter: `ou="Sales, EMEA"`,
			candidate: withDN(`cn=Ann,ou=Sales\, EMEA,dc=example,dc=com`), want: true},
		{name: "ou with a hex-escaped comma", filter: `ou="Sales, EMEA"`,
			candidate: withDN(`cn=Ann,ou=Sales\2C EMEA,dc=example,dc=com`), want: true},
		{name: "ou attribute name in upper case", filter: "ou=London",
			candidate: withDN("CN=Ann,OU=London,DC=example,DC=com"), want: true},
		{name: "ou with spaces around the RDN", filter: "ou=London",
			candidate: withDN("cn=Ann, ou = London , dc=example"), want: true},
		{name: "ou star on a DN without units", filter: "ou=*",
			candidate: withDN("cn=Ann,dc=example,dc=com")},
		{name: "dn with a star", filter: "dn=*,ou=london,*", candidate: smith, want: true},
		{name: "dn as written", filter: `dn="cn=smith\\, john,*"`, candidate: smith, want: true},
		{name: "dn without the escape", filter: `dn="cn=smith, john,*"`, candidate: smith},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFilter(tt.filter)
			if err != nil {
				t.Fatalf("ParseFilter(%q) error = %v", tt.filter, err)
			}

			got := f.Matches(tt.candidate)
			if got != tt.want {
				t.Errorf("ParseFilter(%q).Matches(%+v) = %t, want %t", tt.filter, tt.candidate, got,
					tt.want)
			}
		})
	}
}

func TestFilterMatchesZeroFilter(t *testing.T) {
	c := Candidate{Attributes: Attributes{UserID: "jsmith"}}
	if got := (Filter{}).Matches(c); got {
		t.Errorf("Filter{}.Matches(%+v) = true, want false: a filter without terms matches nobody", c)
	}
}

func TestOrganizationalUnitsEscapedCommas(t *testing.T) {
	tests := []struct {
		dn   string
		want []string
	}{
		{dn: smithDN, want: []string{"London", "people"}},
		{dn: `cn=Ann,ou=Sales\, EMEA,ou=R\\D,dc=example`, want: []string{"Sales, EMEA", `R\D`}},
		{dn: `cn=Ann,ou=Caf\C3\A9,dc=example`, want: []string{"Café"}},
		{dn: "cn=Ann,dc=example", want: nil},
		{dn: "", want: nil},
	}
	for _, tt := range tests {
		got := OrganizationalUnits(tt.dn)
		if !slices.Equal(got, tt.want) {
			t.Errorf("OrganizationalUnits(%q) = %q, want %q", tt.dn, got, tt.want)
		}
	}
}

func TestMoveRuleMatchesUsernames(t *testing.T) {
	tests := []struct {
		name   string
		rule   MoveRule
		userID string
		want   bool
	}{
		{name: "username", userID: "jsmith", want: true,
			rule: MoveRule{Kind: MoveByUsername, Usernames: []string{"jsmith"}}},
		{name: "username in another case", userID: "JSmith", want: true,
			rule: MoveRule{Kind: MoveByUsername, Usernames: []string{"jsmith"}}},
		{name: "other username", userID: "jsmithers",
			rule: MoveRule{Kind: MoveByUsername, Usernames: []string{"jsmith"}}},
		{name: "usernames, last of the list", userID: "CJONES", want: true,
			rule: MoveRule{Kind: MoveByUsernames, Usernames: []string{"ann", "bob", "cjones"}}},
		{name: "usernames, not in the list", userID: "dave",
			rule: MoveRule{Kind: MoveByUsernames, Usernames: []string{"ann", "bob"}}},
		{name: "usernames take no wildcard", userID: "ann",
			rule: MoveRule{Kind: MoveByUsernames, Usernames: []string{"a*"}}},
		{name: "empty list", userID: "ann", rule: MoveRule{Kind: MoveByUsernames}},
		{name: "unknown kind", userID: "ann",
			rule: MoveRule{Kind: "regex", Usernames: []string{"ann"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Candidate{Attributes: Attributes{UserID: tt.userID}}
			if got := tt.rule.Matches(c); got != tt.want {
				t.Errorf("%+v.Matches(userid %q) = %t, want %t", tt.rule, tt.userID, got, tt.want)
			}
		})
	}
}

func TestMoveRuleMatchesFilter(t *testing.T) {
	f, err := ParseFilter("ou=London and title=*Engineer*")
	if err != nil {
		t.Fatalf("ParseFilter error = %v", err)
	}
	rule := MoveRule{Kind: MoveByFilter, Filter: f}

	london := Candidate{DN: smithDN, Attributes: Attributes{UserID: "jsmith", Title: "Engineer"}}
	if !rule.Matches(london) {
		t.Errorf("filter rule %q.Matches(%+v) = false, want true", f, london)
	}

	paris := london
	paris.DN = "cn=Ann,ou=Paris,dc=example,dc=com"
	if rule.Matches(paris) {
		t.Errorf("filter rule %q.Matches(%+v) = true, want false", f, paris)
	}

	// A username rule ignores a filter that happens to be set, and the reverse.
	byName := MoveRule{Kind: MoveByUsername, Filter: f, Usernames: []string{"nobody"}}
	if byName.Matches(london) {
		t.Errorf("username rule with a filter set matched %+v, want the filter ignored", london)
	}
	byFilter := MoveRule{Kind: MoveByFilter, Usernames: []string{"jsmith"}}
	if byFilter.Matches(london) {
		t.Errorf("filter rule without terms matched %+v, want the usernames ignored", london)
	}
}

func TestPickSitePriorityOrder(t *testing.T) {
	sales, err := ParseFilter("department=Sales")
	if err != nil {
		t.Fatalf("ParseFilter error = %v", err)
	}
	london, err := ParseFilter("ou=London")
	if err != nil {
		t.Fatalf("ParseFilter error = %v", err)
	}

	// Listed out of order on purpose; SortMoveRules must order them by priority, then ID.
	rules := []MoveRule{
		{ID: 9, Priority: 20, Kind: MoveByFilter, Filter: london, SiteID: 300},
		{ID: 7, Priority: 10, Kind: MoveByFilter, Filter: sales, SiteID: 200},
		{ID: 4, Priority: 10, Kind: MoveByFilter, Filter: sales, SiteID: 100},
		{ID: 2, Priority: 5, Kind: MoveByUsername, Usernames: []string{"vip"}, SiteID: 400},
		{ID: 1, Priority: -1, Kind: MoveByUsernames, Usernames: []string{"ceo", "cfo"}, SiteID: 500},
	}
	SortMoveRules(rules)

	var order []int64
	for _, r := range rules {
		order = append(order, r.ID)
	}
	if want := []int64{1, 2, 4, 7, 9}; !slices.Equal(order, want) {
		t.Errorf("SortMoveRules order of IDs = %v, want %v", order, want)
	}

	tests := []struct {
		name      string
		candidate Candidate
		wantSite  int64
		wantFound bool
	}{
		{
			name:      "equal priority picks the lower ID",
			candidate: Candidate{Attributes: Attributes{UserID: "ann", Department: "Sales"}},
			wantSite:  100, wantFound: true,
		},
		{
			name: "lower priority wins over a later match",
			candidate: Candidate{DN: smithDN,
				Attributes: Attributes{UserID: "VIP", Department: "Sales"}},
			wantSite: 400, wantFound: true,
		},
		{
			name:      "negative priority first",
			candidate: Candidate{Attributes: Attributes{UserID: "cfo", Department: "Sales"}},
			wantSite:  500, wantFound: true,
		},
		{
			name:      "only the last rule matches",
			candidate: Candidate{DN: smithDN, Attributes: Attributes{UserID: "bob"}},
			wantSite:  300, wantFound: true,
		},
		{
			name:      "no rule matches",
			candidate: Candidate{DN: "cn=Zed,ou=Paris,dc=example", Attributes: Attributes{UserID: "zed"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, found := PickSite(rules, tt.candidate)
			if found != tt.wantFound {
				t.Errorf("PickSite(%+v) found = %t, want %t", tt.candidate, found, tt.wantFound)
			}
			if site != tt.wantSite {
				t.Errorf("PickSite(%+v) site = %d, want %d", tt.candidate, site, tt.wantSite)
			}
		})
	}
}

func TestPickSiteNoRules(t *testing.T) {
	site, found := PickSite(nil, Candidate{Attributes: Attributes{UserID: "ann"}})
	if found || site != 0 {
		t.Errorf("PickSite(nil) = %d, %t, want 0, false", site, found)
	}
}
