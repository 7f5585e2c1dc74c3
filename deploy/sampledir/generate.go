package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// generator writes people as LDIF. Its memory is bounded by the name pools, not by the count:
// uidCount has one key per distinct given.family pair.
type generator struct {
	opts   options
	domain string
	rng    splitMix64
	// uidCount counts the people seen per uid base, to number repeats from 2.
	uidCount map[string]int
	// phoneCount counts the people per site, to give each a distinct number.
	phoneCount map[string]int
	sites      map[string]*site
}

func newGenerator(opts options) *generator {
	g := &generator{
		opts:       opts,
		domain:     mailDomain(opts.baseDN),
		rng:        splitMix64{state: opts.seed},
		uidCount:   map[string]int{},
		phoneCount: map[string]int{},
		sites:      map[string]*site{},
	}
	for _, s := range sites {
		g.sites[s.ou] = s
	}
	return g
}

// generate writes the whole LDIF for opts to w.
func generate(w io.Writer, opts options) error {
	out := bufio.NewWriterSize(w, 64*1024)
	g := newGenerator(opts)
	g.writeHeader(out)

	for _, p := range specialPeople {
		g.writePerson(out, g.complete(p))
	}
	written := len(specialPeople)
	if opts.caseDuplicates {
		g.writePerson(out, g.complete(caseDuplicatePerson))
		written++
	}
	for ; written < opts.count; written++ {
		g.writePerson(out, g.complete(g.randomPerson()))
	}
	return out.Flush()
}

func (g *generator) peopleDN() string { return "ou=people," + g.opts.baseDN }

func (g *generator) writeHeader(w *bufio.Writer) {
	w.WriteString("version: 1\n\n")
	writeEntry(w, g.peopleDN(), [][2]string{
		{"objectClass", "organizationalUnit"},
		{"ou", "people"},
	})
	for _, s := range sites {
		writeEntry(w, "ou="+ldap.EscapeDN(s.ou)+","+g.peopleDN(), [][2]string{
			{"objectClass", "organizationalUnit"},
			{"ou", s.ou},
		})
	}
}

// randomPerson draws a person's site, names, department and optional fields.
func (g *generator) randomPerson() person {
	weights := make([]int, len(sites))
	for i, s := range sites {
		weights[i] = s.weight
	}
	s := sites[g.rng.weighted(weights)]

	p := person{
		site:   s.ou,
		given:  s.given[g.rng.intn(len(s.given))],
		family: s.family[g.rng.intn(len(s.family))],
	}
	if s.gendered && p.given.female {
		p.family.native += "а"
		p.family.latin += "a"
	}

	weights = weights[:0]
	for _, d := range departments {
		weights = append(weights, d.weight)
	}
	d := departments[g.rng.weighted(weights)]
	p.department = d.name
	p.title = d.titles[g.rng.intn(len(d.titles))]

	switch n := g.rng.intn(100); {
	case n < 1:
		p.employeeType = "disabled"
	case n < 5:
		p.employeeType = "intern"
	case n < 20:
		p.employeeType = "contractor"
	}
	// A few people lack a title, a mail address or a telephone number, as in real directories.
	if g.rng.intn(100) < 1 {
		p.title = "-"
	}
	if g.rng.intn(100) < 2 {
		p.mail = "-"
	}
	if g.rng.intn(100) < 3 {
		p.phone = "-"
	}
	return p
}

// complete derives cn, uid, mail and telephone number, numbering repeated names.
func (g *generator) complete(p person) person {
	s := g.sites[p.site]

	base := asciiName(p.given.roman())
	if !p.noSurname {
		base += "." + asciiName(p.family.roman())
	}
	n := 1
	if !p.noCounter {
		g.uidCount[base]++
		n = g.uidCount[base]
	}

	if p.uid == "" {
		p.uid = base
		if n > 1 {
			p.uid = fmt.Sprintf("%s%d", base, n)
		}
	}

	if p.cn == "" {
		p.cn = p.given.native
		if !p.noSurname {
			p.cn = p.given.native + " " + p.family.native
			if s.familyFirst {
				p.cn = p.family.native + " " + p.given.native
			}
		}
		if n > 1 {
			p.cn = fmt.Sprintf("%s (%d)", p.cn, n)
		}
	}

	switch p.mail {
	case "-":
		p.mail = ""
	case "":
		p.mail = strings.ToLower(p.uid) + "@" + g.domain
	default:
		p.mail += "@" + g.domain
	}

	if p.phone == "-" {
		p.phone = ""
	} else {
		g.phoneCount[p.site]++
		p.phone = fmt.Sprintf("%s%d", s.phonePrefix, s.phoneBase+g.phoneCount[p.site])
	}
	if p.title == "-" {
		p.title = ""
	}
	if p.employeeType == "" {
		p.employeeType = "employee"
	}
	return p
}

func (g *generator) writePerson(w *bufio.Writer, p person) {
	dn := "cn=" + ldap.EscapeDN(p.cn) + ",ou=" + ldap.EscapeDN(p.site) + "," + g.peopleDN()

	var attrs [][2]string
	if p.noSurname {
		attrs = append(attrs,
			[2]string{"objectClass", "account"},
			[2]string{"objectClass", "extensibleObject"})
	} else {
		attrs = append(attrs,
			[2]string{"objectClass", "person"},
			[2]string{"objectClass", "organizationalPerson"},
			[2]string{"objectClass", "inetOrgPerson"})
	}
	attrs = append(attrs, [2]string{"uid", p.uid}, [2]string{"cn", p.cn})
	if !p.noSurname {
		attrs = append(attrs, [2]string{"sn", p.family.native})
	}
	attrs = append(attrs, [2]string{"givenName", p.given.native})
	optional := [][2]string{
		{"mail", p.mail},
		{"telephoneNumber", p.phone},
		{"departmentNumber", p.department},
		{"title", p.title},
		{"employeeType", p.employeeType},
	}
	for _, a := range optional {
		if a[1] != "" {
			attrs = append(attrs, a)
		}
	}
	writeEntry(w, dn, attrs)
}

// writeEntry writes one LDIF record and the blank line after it.
func writeEntry(w *bufio.Writer, dn string, attrs [][2]string) {
	writeLine(w, "dn", dn)
	for _, a := range attrs {
		writeLine(w, a[0], a[1])
	}
	w.WriteByte('\n')
}

// writeLine writes "name: value", or "name:: base64" when RFC 2849 does not allow the value as
// a plain SAFE-STRING: it holds a byte outside printable ASCII, starts with a space, colon or
// "<", or ends with a space.
func writeLine(w *bufio.Writer, name, value string) {
	w.WriteString(name)
	if isSafeString(value) {
		w.WriteString(": ")
		w.WriteString(value)
	} else {
		w.WriteString(":: ")
		w.WriteString(base64.StdEncoding.EncodeToString([]byte(value)))
	}
	w.WriteByte('\n')
}

func isSafeString(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[0] == ':' || s[0] == '<' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// asciiFold spells Latin letters with diacritics in plain ASCII, for uids and mail addresses.
var asciiFold = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ą': "a",
	'ç': "c", 'ć': "c", 'č': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ę': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ł': "l", 'ñ': "n", 'ń': "n",
	'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o",
	'ś': "s", 'š': "s", 'ß': "ss",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
	'æ': "ae", 'œ': "oe",
}

// asciiName lower-cases s, folds its diacritics and keeps only a-z, 0-9 and hyphens, so
// "O'Brien-Murphy" becomes "obrien-murphy" and "Núñez" becomes "nunez".
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		case r < utf8.RuneSelf:
			// Spaces, apostrophes and other ASCII punctuation are dropped.
		default:
			b.WriteString(asciiFold[r])
		}
	}
	return b.String()
}

// splitMix64 is a small deterministic random generator (Steele, Lea and Flood, 2014), so the
// LDIF for a seed does not change with the Go version.
type splitMix64 struct{ state uint64 }

func (r *splitMix64) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n). The modulo bias is below 2^-40 for the small n used here.
func (r *splitMix64) intn(n int) int {
	return int(r.next() % uint64(n))
}

// weighted returns index i with probability weights[i] / sum(weights).
func (r *splitMix64) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	pick := r.intn(total)
	for i, w := range weights {
		if pick < w {
			return i
		}
		pick -= w
	}
	return len(weights) - 1
}
