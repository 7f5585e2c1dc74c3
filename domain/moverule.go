package domain

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MoveRuleKind tells how a move rule picks its users.
type MoveRuleKind string

const (
	// MoveByFilter moves the users whose attributes match a [Filter].
	MoveByFilter MoveRuleKind = "filter"
	// MoveByUsername moves one user, named by userid.
	MoveByUsername MoveRuleKind = "username"
	// MoveByUsernames moves every user of a list of userids.
	MoveByUsernames MoveRuleKind = "usernames"
)

// MoveRule moves a customer's users to one of its sites. Rules are applied after every sync in
// order of Priority (lowest first) and the first rule that matches a user decides the user's
// site. A user that no rule matches stays where it is: at the customer, or at the site an
// earlier rule or an operator put it.
type MoveRule struct {
	ID       int64
	Priority int
	Kind     MoveRuleKind
	SiteID   int64
	// Filter is set for MoveByFilter rules.
	Filter Filter
	// Usernames is set for MoveByUsername (one name) and MoveByUsernames rules. Userids are
	// compared without regard to case, as UCM compares them.
	Usernames []string
}

// Candidate is what a move rule sees of a user.
type Candidate struct {
	Attributes Attributes
	DN         string
}

// Matches reports whether the rule selects the candidate.
func (r MoveRule) Matches(c Candidate) bool {
	switch r.Kind {
	case MoveByFilter:
		return r.Filter.Matches(c)
	case MoveByUsername, MoveByUsernames:
		return slices.ContainsFunc(r.Usernames, func(name string) bool {
			return strings.EqualFold(name, c.Attributes.UserID)
		})
	}
	return false
}

// PickSite returns the site of the first rule, in priority order, that matches the candidate,
// and false when none does. The rules must already be sorted by [SortMoveRules].
func PickSite(rules []MoveRule, c Candidate) (int64, bool) {
	for _, r := range rules {
		if r.Matches(c) {
			return r.SiteID, true
		}
	}
	return 0, false
}

// SortMoveRules orders rules by priority, then by ID, so rules of equal priority apply in
// the order they were created.
func SortMoveRules(rules []MoveRule) {
	slices.SortStableFunc(rules, func(a, b MoveRule) int {
		if a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		return int(a.ID - b.ID)
	})
}

// FilterAttributes are the names a filter term may test. ou matches any organizational unit
// in the user's DN; dn matches the whole DN.
var FilterAttributes = []string{
	"userid", "firstName", "lastName", "mail", "telephoneNumber", "department", "title",
	"ou", "dn",
}

// Filter selects users by their attributes: one or more terms joined by "and", each term
// attribute=pattern. A pattern matches the whole value without regard to case, and '*' in it
// matches any run of characters, so telephoneNumber=+4420* selects a London number range.
// A value with spaces is written in double quotes, with \" and \\ for a quote and a
// backslash inside. Example: department="R and D" and title=*Engineer*.
type Filter struct {
	Terms []FilterTerm
	text  string
}

// FilterTerm is one attribute=pattern test of a [Filter].
type FilterTerm struct {
	Attribute string
	Pattern   string
}

// String returns the filter as it was parsed.
func (f Filter) String() string { return f.text }

// maxFilterLength bounds a filter so a rule stays readable in a list; real rules are a few terms.
const maxFilterLength = 1024

// ParseFilter parses the filter syntax described on [Filter].
func ParseFilter(text string) (Filter, error) {
	if !utf8.ValidString(text) {
		return Filter{}, fmt.Errorf("invalid filter: it is not valid UTF-8")
	}
	if len(text) > maxFilterLength {
		return Filter{}, fmt.Errorf("invalid filter: longer than %d bytes", maxFilterLength)
	}
	p := filterParser{input: text}
	var terms []FilterTerm
	for {
		term, err := p.term()
		if err != nil {
			return Filter{}, fmt.Errorf("invalid filter %q: %w", text, err)
		}
		terms = append(terms, term)

		p.skipSpaces()
		if p.done() {
			break
		}
		if !p.keyword("and") {
			return Filter{}, fmt.Errorf("invalid filter %q: expected \"and\" at byte %d", text, p.pos)
		}
	}
	return Filter{Terms: terms, text: text}, nil
}

// Matches reports whether every term of the filter matches the candidate.
func (f Filter) Matches(c Candidate) bool {
	if len(f.Terms) == 0 {
		return false
	}
	for _, t := range f.Terms {
		if !t.matches(c) {
			return false
		}
	}
	return true
}

func (t FilterTerm) matches(c Candidate) bool {
	pattern := strings.ToLower(t.Pattern)
	if t.Attribute == "ou" {
		return slices.ContainsFunc(OrganizationalUnits(c.DN), func(ou string) bool {
			return globMatch(pattern, strings.ToLower(ou))
		})
	}
	return globMatch(pattern, strings.ToLower(candidateValue(c, t.Attribute)))
}

func candidateValue(c Candidate, attribute string) string {
	a := c.Attributes
	switch attribute {
	case "userid":
		return a.UserID
	case "firstName":
		return a.FirstName
	case "lastName":
		return a.LastName
	case "mail":
		return a.Mail
	case "telephoneNumber":
		return a.TelephoneNumber
	case "department":
		return a.Department
	case "title":
		return a.Title
	case "dn":
		return c.DN
	}
	return ""
}

// globMatch matches pattern against value, where '*' in pattern matches any run of
// characters and every other character matches itself.
func globMatch(pattern, value string) bool {
	// path.Match treats ?, [ and \ specially; escape them so only '*' is a wildcard.
	var escaped strings.Builder
	for _, r := range pattern {
		switch r {
		case '?', '[', ']', '\\':
			escaped.WriteByte('\\')
		}
		escaped.WriteRune(r)
	}
	// '/' never matches '*' in path.Match, so compare with slashes mapped to a private rune.
	swap := func(s string) string { return strings.ReplaceAll(s, "/", "\uE000") }
	ok, err := path.Match(swap(escaped.String()), swap(value))
	return err == nil && ok
}

// OrganizationalUnits returns the values of the ou= parts of a DN, nearest first.
func OrganizationalUnits(dn string) []string {
	var units []string
	for _, rdn := range splitDN(dn) {
		name, value, ok := strings.Cut(rdn, "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "ou") {
			units = append(units, unescapeDNValue(strings.TrimSpace(value)))
		}
	}
	return units
}

// splitDN splits a DN at the commas that are not escaped with a backslash.
func splitDN(dn string) []string {
	var parts []string
	var current strings.Builder
	for i := 0; i < len(dn); i++ {
		switch {
		case dn[i] == '\\' && i+1 < len(dn):
			current.WriteByte(dn[i])
			current.WriteByte(dn[i+1])
			i++
		case dn[i] == ',':
			parts = append(parts, current.String())
			current.Reset()
		default:
			current.WriteByte(dn[i])
		}
	}
	return append(parts, current.String())
}

// unescapeDNValue undoes the escapes of RFC 4514: a backslash before a special character
// (\, for a comma), and a backslash before two hex digits, which encode one byte of UTF-8
// (\2C for a comma, \C3\A9 for é).
func unescapeDNValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+2 < len(v) {
			if n, err := strconv.ParseUint(v[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

type filterParser struct {
	input string
	pos   int
}

func (p *filterParser) done() bool { return p.pos >= len(p.input) }

func (p *filterParser) skipSpaces() {
	for !p.done() && (p.input[p.pos] == ' ' || p.input[p.pos] == '\t') {
		p.pos++
	}
}

// keyword consumes word (without regard to case) when it stands alone at the position.
func (p *filterParser) keyword(word string) bool {
	end := p.pos + len(word)
	if end > len(p.input) || !strings.EqualFold(p.input[p.pos:end], word) {
		return false
	}
	if end < len(p.input) && p.input[end] != ' ' && p.input[end] != '\t' {
		return false
	}
	p.pos = end
	return true
}

func (p *filterParser) term() (FilterTerm, error) {
	p.skipSpaces()
	start := p.pos
	for !p.done() && p.input[p.pos] != '=' && p.input[p.pos] != ' ' {
		p.pos++
	}
	name := p.input[start:p.pos]
	if name == "" {
		return FilterTerm{}, fmt.Errorf("expected attribute=pattern at byte %d", start)
	}
	attribute, ok := canonicalFilterAttribute(name)
	if !ok {
		return FilterTerm{}, fmt.Errorf("unknown attribute %q: use one of %s",
			name, strings.Join(FilterAttributes, ", "))
	}
	if p.done() || p.input[p.pos] != '=' {
		return FilterTerm{}, fmt.Errorf("expected '=' after %q", name)
	}
	p.pos++

	pattern, err := p.value()
	if err != nil {
		return FilterTerm{}, err
	}
	if pattern == "" {
		return FilterTerm{}, fmt.Errorf("empty pattern for %s: use * to match any value", attribute)
	}
	if strings.HasPrefix(pattern, "=") {
		return FilterTerm{}, fmt.Errorf("pattern for %s starts with '=': write %s=value with one '=', "+
			"or quote a value that starts with '='", attribute, attribute)
	}
	return FilterTerm{Attribute: attribute, Pattern: pattern}, nil
}

func (p *filterParser) value() (string, error) {
	if p.done() || p.input[p.pos] != '"' {
		start := p.pos
		for !p.done() && p.input[p.pos] != ' ' && p.input[p.pos] != '\t' {
			p.pos++
		}
		return p.input[start:p.pos], nil
	}

	p.pos++
	var b strings.Builder
	for !p.done() {
		c := p.input[p.pos]
		p.pos++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\' && !p.done():
			b.WriteByte(p.input[p.pos])
			p.pos++
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated quoted value")
}

func canonicalFilterAttribute(name string) (string, bool) {
	for _, known := range FilterAttributes {
		if strings.EqualFold(known, name) {
			return known, true
		}
	}
	return "", false
}
