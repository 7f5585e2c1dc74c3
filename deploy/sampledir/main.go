// Command sampledir writes a sample people directory as LDIF on standard output, for seeding
// the development slapd (deploy/stack/slapd.sh seed):
//
//	go run ./deploy/sampledir -count 3000 -base-dn dc=example,dc=com -seed 1 > people.ldif
//
// The LDIF contains ou=people below the base DN, one sub-OU per site (London, New York, Paris,
// Madrid, Berlin, Warsaw, Moscow, Cairo, Tokyo), and -count people. Each person is an
// inetOrgPerson whose RDN is cn, with these attributes:
//
//   - uid: the ASCII form of given.family, numbered from 2 when it repeats;
//   - cn, sn and givenName in the site's script;
//   - mail: uid@domain, where the domain is the base DN's dc= parts (example.com otherwise);
//   - telephoneNumber in E.164 with the site's prefix (+4420, +1212, +331, +3491, +4930,
//     +4822, +7495, +202, +813), distinct per person;
//   - departmentNumber: R&D, Sales, Support, Finance, Human Resources, Marketing, Operations
//     or Legal, and a title that fits it;
//   - employeeType: employee, contractor, intern, or disabled for about one in a hundred.
//
// About one person in a hundred has no title, two no mail and three no telephone number.
// Names follow the site: accented Latin (José Núñez, Zoë Lefèvre, Łukasz Wiśniewski, Jürgen
// Groß), Cyrillic with female surnames where Russian has them (Дмитрий Иванов, Анна
// Иванова), Arabic (محمد حسن) and Japanese written family name first (田中 太郎).
//
// The first people are fixed edge cases, so any count of at least 12 contains them all:
//
//   - José Núñez, Zoë Lefèvre, Łukasz Wiśniewski, Дмитрий Иванов, محمد حسن and 田中 太郎;
//   - "Smith, John", whose DN escapes the comma (cn=Smith\, John);
//   - Siobhán O'Brien-Murphy, with an apostrophe and a hyphen;
//   - Wulan, who has no surname: an account + extensibleObject entry, which slapd accepts
//     without sn while ucmpush reports it invalid;
//   - Anna Berg and Erik Berg, who share the mailbox reception.london@<domain>;
//   - Björn Ek, a disabled account (employeeType: disabled).
//
// With -case-duplicates one more person, José Núñez in Paris, has the uid Jose.Nunez, which
// differs only in case from Madrid's jose.nunez, and so the same mail address.
//
// The person without a surname is no inetOrgPerson, so a reader with the filter
// (objectClass=inetOrgPerson) skips her: use (uid=*) or
// (|(objectClass=inetOrgPerson)(objectClass=account)) to see her reported invalid.
//
// Values that are not plain ASCII, and DNs that contain such values, are written base64-encoded
// after "::" as RFC 2849 requires. Output is deterministic for a seed and streamed: memory does
// not grow with -count. Nothing but LDIF goes to standard output; errors go to standard error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

const maxCount = 100_000

type options struct {
	count          int
	baseDN         string
	seed           uint64
	caseDuplicates bool
}

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sampledir:", err)
		os.Exit(2)
	}

	if err := generate(os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "sampledir: write LDIF:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var opts options
	fs := flag.NewFlagSet("sampledir", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&opts.count, "count", 3000,
		fmt.Sprintf("number of people to write, %d to %d", len(specialPeople), maxCount))
	fs.StringVar(&opts.baseDN, "base-dn", "dc=example,dc=com",
		"base DN that ou=people is created below; its dc= parts form the mail domain")
	fs.Uint64Var(&opts.seed, "seed", 1, "seed of the random choices; equal seeds give equal LDIF")
	fs.BoolVar(&opts.caseDuplicates, "case-duplicates", false,
		"add a person whose uid differs only in case from another's")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q: all settings are flags", fs.Arg(0))
	}

	minCount := len(specialPeople)
	if opts.caseDuplicates {
		minCount++
	}
	if opts.count < minCount || opts.count > maxCount {
		return opts, fmt.Errorf("invalid -count %d: use %d to %d, so every edge case fits",
			opts.count, minCount, maxCount)
	}
	if _, err := ldap.ParseDN(opts.baseDN); err != nil || opts.baseDN == "" {
		return opts, fmt.Errorf("invalid -base-dn %q: use a DN such as dc=example,dc=com",
			opts.baseDN)
	}
	return opts, nil
}

// mailDomain joins the dc= components of baseDN, or returns example.com when there are none.
func mailDomain(baseDN string) string {
	dn, err := ldap.ParseDN(baseDN)
	if err != nil {
		return "example.com"
	}
	var labels []string
	for _, rdn := range dn.RDNs {
		for _, attr := range rdn.Attributes {
			if strings.EqualFold(attr.Type, "dc") {
				labels = append(labels, strings.ToLower(attr.Value))
			}
		}
	}
	if len(labels) == 0 {
		return "example.com"
	}
	return strings.Join(labels, ".")
}
