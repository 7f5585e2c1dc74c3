package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/ldapdir"
	"github.com/ucmpush/ucmpush/internal/ldapdir/slapdtest"
)

// record is one parsed LDIF entry: its DN and attribute values in file order.
type record struct {
	dn    string
	attrs map[string][]string
}

func (r record) first(name string) string {
	if v := r.attrs[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseLDIF reads the subset of RFC 2849 that the generator writes, plus folded lines.
func parseLDIF(t *testing.T, ldif []byte) []record {
	t.Helper()
	var records []record
	var current *record
	var lines []string

	scanner := bufio.NewScanner(bytes.NewReader(ldif))
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, " ") && len(lines) > 0 {
			lines[len(lines)-1] += line[1:]
			continue
		}
		lines = append(lines, line)
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}

	for _, line := range lines {
		if line == "" {
			current = nil
			continue
		}
		if line == "version: 1" && current == nil && len(records) == 0 {
			continue
		}

		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("LDIF line without a colon: %q", line)
		}
		if encoded, isBase64 := strings.CutPrefix(value, ": "); isBase64 {
			decoded, err := base64.StdEncoding.DecodeString(encoded)
			if err != nil {
				t.Fatalf("invalid base64 in %q: %v", line, err)
			}
			value = string(decoded)
		} else {
			value = strings.TrimPrefix(value, " ")
		}

		if name == "dn" {
			records = append(records, record{dn: value, attrs: map[string][]string{}})
			current = &records[len(records)-1]
			continue
		}
		if current == nil {
			t.Fatalf("attribute line outside an entry: %q", line)
		}
		current.attrs[name] = append(current.attrs[name], value)
	}
	return records
}

func generateString(t *testing.T, opts options) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := generate(&out, opts); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func defaultOptions(count int) options {
	return options{count: count, baseDN: "dc=example,dc=com", seed: 1}
}

// people returns the records that are persons, not OUs.
func people(records []record) []record {
	var out []record
	for _, r := range records {
		if len(r.attrs["uid"]) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	a := generateString(t, defaultOptions(500))
	b := generateString(t, defaultOptions(500))
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 1 wrote different LDIF")
	}

	other := defaultOptions(500)
	other.seed = 2
	if bytes.Equal(a, generateString(t, other)) {
		t.Error("seeds 1 and 2 wrote the same LDIF")
	}
}

func TestGenerateEdgeCases(t *testing.T) {
	const count = 400
	ldif := generateString(t, defaultOptions(count))
	records := parseLDIF(t, ldif)
	persons := people(records)

	if len(persons) != count {
		t.Fatalf("got %d people, want %d", len(persons), count)
	}
	if records[0].dn != "ou=people,dc=example,dc=com" {
		t.Errorf("first entry is %q, want ou=people,dc=example,dc=com", records[0].dn)
	}
	if ous := len(records) - len(persons); ous != 1+len(sites) {
		t.Errorf("got %d OUs, want ou=people and %d sites", ous, len(sites))
	}

	for i, line := range bytes.Split(ldif, []byte("\n")) {
		for _, c := range line {
			if c > 0x7e || (c < 0x20 && c != '\t') {
				t.Fatalf("line %d holds a byte %#x that LDIF must base64-encode: %q", i+1, c, line)
			}
		}
	}

	byDN := map[string]record{}
	byCN := map[string]record{}
	var noSurname, disabled, shared []record
	departments := map[string]bool{}
	for _, p := range persons {
		if _, dup := byDN[strings.ToLower(p.dn)]; dup {
			t.Errorf("duplicate DN %q", p.dn)
		}
		byDN[strings.ToLower(p.dn)] = p
		byCN[p.first("cn")] = p
		if len(p.attrs["sn"]) == 0 {
			noSurname = append(noSurname, p)
		}
		if p.first("employeeType") == "disabled" {
			disabled = append(disabled, p)
		}
		if p.first("mail") == "reception.london@example.com" {
			shared = append(shared, p)
		}
		departments[p.first("departmentNumber")] = true
	}

	if _, ok := byDN[strings.ToLower(`cn=Smith\, John,ou=London,ou=people,dc=example,dc=com`)]; !ok {
		t.Error(`no entry cn=Smith\, John,ou=London,ou=people,dc=example,dc=com`)
	}
	for _, cn := range []string{"José Núñez", "Zoë Lefèvre", "Łukasz Wiśniewski",
		"Дмитрий Иванов", "محمد حسن", "田中 太郎", "Siobhán O'Brien-Murphy"} {
		if _, ok := byCN[cn]; !ok {
			t.Errorf("no person with cn %q", cn)
		}
	}
	if tanaka := byCN["田中 太郎"]; tanaka.first("sn") != "田中" ||
		tanaka.first("givenName") != "太郎" || tanaka.first("uid") != "taro.tanaka" {
		t.Errorf("田中 太郎 = %v, want sn 田中, givenName 太郎, uid taro.tanaka", tanaka.attrs)
	}

	if len(noSurname) != 1 {
		t.Fatalf("%d people without sn, want exactly 1", len(noSurname))
	}
	if oc := noSurname[0].attrs["objectClass"]; strings.Join(oc, ",") != "account,extensibleObject" {
		t.Errorf("person without sn has objectClass %v, want account and extensibleObject", oc)
	}
	if len(shared) != 2 {
		t.Errorf("%d people with mail reception.london@example.com, want 2", len(shared))
	}
	if len(disabled) == 0 || byCN["Björn Ek"].first("employeeType") != "disabled" {
		t.Errorf("%d disabled people, want Björn Ek among them", len(disabled))
	}
	if !departments["R&D"] || len(departments) < 6 {
		t.Errorf("departments %v, want R&D and at least 6 in all", departments)
	}
}

func TestGeneratePhoneNumbersAndUIDs(t *testing.T) {
	persons := people(parseLDIF(t, generateString(t, defaultOptions(3000))))
	prefixes := map[string]string{}
	for _, s := range sites {
		prefixes[s.ou] = s.phonePrefix
	}
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	uidPattern := regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

	uids := map[string]string{}
	phones := map[string]bool{}
	withPhone := 0
	for _, p := range persons {
		site := strings.TrimPrefix(strings.Split(p.dn, ",")[1], "ou=")
		if strings.HasPrefix(p.dn, `cn=Smith\, John`) {
			site = "London"
		}
		if phone := p.first("telephoneNumber"); phone != "" {
			withPhone++
			if !e164.MatchString(phone) || !strings.HasPrefix(phone, prefixes[site]) {
				t.Errorf("%s: telephoneNumber %q, want E.164 starting %s", p.dn, phone,
					prefixes[site])
			}
			if phones[phone] {
				t.Errorf("%s: telephoneNumber %q given twice", p.dn, phone)
			}
			phones[phone] = true
		}

		uid := p.first("uid")
		if !uidPattern.MatchString(uid) {
			t.Errorf("%s: uid %q is not lower-case ASCII", p.dn, uid)
		}
		if other, dup := uids[strings.ToLower(uid)]; dup {
			t.Errorf("uid %q of %s repeats %s", uid, p.dn, other)
		}
		uids[strings.ToLower(uid)] = p.dn
	}

	if withPhone < len(persons)*9/10 {
		t.Errorf("%d of %d people have a telephone number, want most", withPhone, len(persons))
	}
}

func TestGenerateRussianFemaleSurnames(t *testing.T) {
	female := map[string]bool{}
	for _, s := range sites {
		if s.gendered {
			for _, n := range s.given {
				female[n.native] = n.female
			}
		}
	}

	checked := 0
	for _, p := range people(parseLDIF(t, generateString(t, defaultOptions(3000)))) {
		if !strings.Contains(p.dn, ",ou=Moscow,") {
			continue
		}
		checked++
		sn := p.first("sn")
		if got := strings.HasSuffix(sn, "а"); got != female[p.first("givenName")] {
			t.Errorf("%s %s: female surname form = %t, want %t", p.first("givenName"), sn, got,
				!got)
		}
	}
	if checked == 0 {
		t.Fatal("no person in ou=Moscow")
	}
}

func TestGenerateCaseDuplicates(t *testing.T) {
	opts := defaultOptions(100)
	opts.caseDuplicates = true
	persons := people(parseLDIF(t, generateString(t, opts)))

	if len(persons) != 100 {
		t.Errorf("got %d people, want 100", len(persons))
	}
	folded := map[string][]string{}
	for _, p := range persons {
		uid := p.first("uid")
		folded[strings.ToLower(uid)] = append(folded[strings.ToLower(uid)], uid)
	}
	var collisions [][]string
	for _, uids := range folded {
		if len(uids) > 1 {
			collisions = append(collisions, uids)
		}
	}
	if len(collisions) != 1 || strings.Join(collisions[0], " ") != "jose.nunez Jose.Nunez" {
		t.Errorf("uids equal ignoring case: %v, want only [jose.nunez Jose.Nunez]", collisions)
	}
}

// countingWriter counts the people written, by their uid lines, which may span two writes.
type countingWriter struct {
	people int
	tail   []byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	const marker = "\nuid: "
	joined := append(w.tail, p...)
	w.people += bytes.Count(joined, []byte(marker))
	w.tail = append([]byte(nil), joined[max(0, len(joined)-len(marker)+1):]...)
	return len(p), nil
}

func TestGenerateMaxCountStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping 100,000-entry generation in short mode")
	}
	opts := defaultOptions(maxCount)
	var out countingWriter

	g := newGenerator(opts)
	if err := generate(&out, opts); err != nil {
		t.Fatal(err)
	}
	if out.people != maxCount {
		t.Errorf("wrote %d people, want %d", out.people, maxCount)
	}

	// The generator's only state that grows is one counter per distinct name pair.
	g = newGenerator(opts)
	bound := len(specialPeople)
	for _, s := range sites {
		bound += len(s.given) * len(s.family)
	}
	w := bufio.NewWriter(io.Discard)
	for range maxCount {
		g.writePerson(w, g.complete(g.randomPerson()))
	}
	if n := len(g.uidCount); n > bound {
		t.Errorf("uid counters = %d after %d people, want at most %d", n, maxCount, bound)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    options
		wantErr string
	}{
		{args: nil, want: options{count: 3000, baseDN: "dc=example,dc=com", seed: 1}},
		{args: []string{"-count", "13", "-base-dn", "o=corp", "-seed", "7", "-case-duplicates"},
			want: options{count: 13, baseDN: "o=corp", seed: 7, caseDuplicates: true}},
		{args: []string{"-count", "11"}, wantErr: "invalid -count 11: use 12 to 100000"},
		{args: []string{"-count", "12", "-case-duplicates"},
			wantErr: "invalid -count 12: use 13 to 100000"},
		{args: []string{"-count", "100001"}, wantErr: "invalid -count 100001"},
		{args: []string{"-base-dn", "example"}, wantErr: `invalid -base-dn "example"`},
		{args: []string{"-base-dn", ""}, wantErr: `invalid -base-dn ""`},
		{args: []string{"people.ldif"}, wantErr: `unexpected argument "people.ldif"`},
	}
	for _, tt := range tests {
		got, err := parseFlags(tt.args, io.Discard)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseFlags(%q) error = %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseFlags(%q): %v", tt.args, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseFlags(%q) = %+v, want %+v", tt.args, got, tt.want)
		}
	}
}

func TestMailDomain(t *testing.T) {
	tests := map[string]string{
		"dc=example,dc=com":              "example.com",
		"ou=Corp,DC=Example,DC=co,DC=uk": "example.co.uk",
		"o=corp":                         "example.com",
	}
	for baseDN, want := range tests {
		if got := mailDomain(baseDN); got != want {
			t.Errorf("mailDomain(%q) = %q, want %q", baseDN, got, want)
		}
	}
}

func TestASCIIName(t *testing.T) {
	tests := map[string]string{
		"Núñez":          "nunez",
		"Łukasz":         "lukasz",
		"Groß":           "gross",
		"O'Brien-Murphy": "obrien-murphy",
		"Zoë":            "zoe",
		"El-Sayed":       "el-sayed",
		"Abdallah":       "abdallah",
	}
	for in, want := range tests {
		if got := asciiName(in); got != want {
			t.Errorf("asciiName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteLineEncoding(t *testing.T) {
	tests := []struct {
		value string
		want  string
	}{
		{"plain", "cn: plain\n"},
		{"R&D", "cn: R&D\n"},
		{"", "cn: \n"},
		{"José", "cn:: Sm9zw6k=\n"},
		{" leading space", "cn:: IGxlYWRpbmcgc3BhY2U=\n"},
		{"trailing ", "cn:: dHJhaWxpbmcg\n"},
		{":colon", "cn:: OmNvbG9u\n"},
		{"<angle", "cn:: PGFuZ2xl\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		writeLine(w, "cn", tt.value)
		w.Flush()
		if b.String() != tt.want {
			t.Errorf("writeLine(%q) = %q, want %q", tt.value, b.String(), tt.want)
		}
		if !utf8.ValidString(b.String()) {
			t.Errorf("writeLine(%q) wrote invalid UTF-8", tt.value)
		}
	}
}

func TestSampleLoadsIntoSlapd(t *testing.T) {
	srv := slapdtest.Start(t)
	opts := defaultOptions(300)
	opts.baseDN = srv.BaseDN
	opts.caseDuplicates = true
	ldif := generateString(t, opts)
	path := filepath.Join(t.TempDir(), "people.ldif")
	if err := os.WriteFile(path, ldif, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(path); err != nil {
		t.Fatal(err)
	}

	wantDisabled := 0
	for _, p := range people(parseLDIF(t, ldif)) {
		if p.first("employeeType") == "disabled" {
			wantDisabled++
		}
	}

	reader, err := ldapdir.New(ldapdir.Config{
		URL:          srv.LDAPSURL,
		CAFile:       srv.CAFile,
		BindDN:       srv.BindDN,
		BindPassword: srv.BindPassword,
		BaseDN:       "ou=people," + srv.BaseDN,
		// The person without a surname is an account, not an inetOrgPerson.
		Filter:  "(|(objectClass=inetOrgPerson)(objectClass=account))",
		Mapping: domain.DefaultOpenLDAPMapping(),
	})
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]domain.DirectoryEntry{}
	disabled := 0
	var invalid []domain.DirectoryEntry
	stats, err := reader.Search(context.Background(), func(page []domain.DirectoryEntry) error {
		for _, e := range page {
			byUID[e.Attributes.UserID] = e
			if e.Disabled {
				disabled++
			}
			if e.Invalid != "" {
				invalid = append(invalid, e)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if stats.Entries != 300 || stats.Invalid != 1 {
		t.Errorf("stats = %+v, want 300 entries, 1 invalid", stats)
	}
	if len(invalid) != 1 || invalid[0].Attributes.UserID != "wulan" ||
		invalid[0].Invalid != "missing last name (sn)" {
		t.Errorf("invalid entries = %+v, want wulan with missing last name (sn)", invalid)
	}
	if disabled != wantDisabled {
		t.Errorf("%d disabled entries, want %d", disabled, wantDisabled)
	}

	tanaka := byUID["taro.tanaka"].Attributes
	if tanaka.LastName != "田中" || tanaka.FirstName != "太郎" {
		t.Errorf("taro.tanaka = %+v, want 田中 太郎", tanaka)
	}
	if got := byUID["jose.nunez"].Attributes.LastName; got != "Núñez" {
		t.Errorf("last name of jose.nunez = %q, want Núñez", got)
	}
	if _, ok := byUID["Jose.Nunez"]; !ok {
		t.Error("case duplicate Jose.Nunez missing")
	}
	if smith := byUID["john.smith"]; !strings.HasPrefix(smith.DN, `cn=Smith\`) {
		t.Errorf("DN of john.smith = %q, want cn=Smith\\, John,...", smith.DN)
	}
	if a, b := byUID["anna.berg"].Attributes.Mail, byUID["erik.berg"].Attributes.Mail; a != b ||
		a == "" {
		t.Errorf("mail of anna.berg %q and erik.berg %q, want one shared address", a, b)
	}
}
