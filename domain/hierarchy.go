package domain

import (
	"fmt"
	"regexp"
	"strings"
)

// AXL versions that ucmpush speaks. The user, line and phone types are the same in all three;
// only the version in the SOAP namespace and the SOAPAction header differ.
var AXLVersions = []string{"12.5", "14.0", "15.0"}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// ValidateName checks the name of a customer, site, NDL, UCM cluster or directory. Names appear
// in workflow IDs such as sync/<directory>, so they are limited to letters, digits, '.', '_'
// and '-', start with a letter or digit, and are at most 63 characters long.
func ValidateName(kind, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("invalid %s name %q: use 1 to 63 letters, digits, '.', '_' or '-', "+
			"starting with a letter or digit", kind, name)
	}
	return nil
}

// SiteRef is a site's address in the hierarchy: the customer's name and the site's name,
// written customer/site. Site names are unique within their customer.
type SiteRef struct {
	Customer string
	Site     string
}

// ParseSiteRef parses "customer/site".
func ParseSiteRef(s string) (SiteRef, error) {
	customer, site, ok := strings.Cut(s, "/")
	if !ok {
		return SiteRef{}, fmt.Errorf("invalid site %q: write it as customer/site, for example acme/london", s)
	}
	if err := ValidateName("customer", customer); err != nil {
		return SiteRef{}, err
	}
	if err := ValidateName("site", site); err != nil {
		return SiteRef{}, err
	}
	return SiteRef{Customer: customer, Site: site}, nil
}

// String returns customer/site.
func (r SiteRef) String() string { return r.Customer + "/" + r.Site }

// ValidateAXLVersion checks that v is one of [AXLVersions].
func ValidateAXLVersion(v string) error {
	for _, known := range AXLVersions {
		if v == known {
			return nil
		}
	}
	return fmt.Errorf("invalid AXL version %q: use one of %s", v, strings.Join(AXLVersions, ", "))
}

// ValidateSecretRef checks a reference to a secret. The secret itself is read by the worker
// when it needs it, so workflow inputs, the store and histories carry only the reference:
// env:NAME reads the environment variable NAME and file:/path reads the file's contents with
// surrounding white space trimmed.
func ValidateSecretRef(ref string) error {
	scheme, rest, ok := strings.Cut(ref, ":")
	if !ok || rest == "" || (scheme != "env" && scheme != "file") {
		return fmt.Errorf("invalid secret reference %q: use env:VARIABLE or file:/path/to/secret", ref)
	}
	if scheme == "file" && !strings.HasPrefix(rest, "/") {
		return fmt.Errorf("invalid secret reference %q: the file path must be absolute", ref)
	}
	return nil
}

// Customer is a customer of the provider, optionally under a reseller.
type Customer struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Reseller string `json:"reseller,omitempty"`
}

// Site is a place of a customer. Its NDL names the UCM cluster that serves its users.
type Site struct {
	ID         int64  `json:"id"`
	CustomerID int64  `json:"customerID"`
	Customer   string `json:"customer"`
	Name       string `json:"name"`
	// AutoPush is off for a new site: nothing is pushed to its UCM until an operator turns
	// it on or pushes by hand.
	AutoPush bool `json:"autoPush"`
	// NDL and Cluster are empty when the site has no NDL, or its NDL has no UCM cluster.
	NDL       string `json:"ndl,omitempty"`
	ClusterID int64  `json:"clusterID,omitempty"`
	Cluster   string `json:"cluster,omitempty"`
	// ConfirmAbove is the largest push that starts writing without an operator's
	// confirmation; 0 means every push starts at once.
	ConfirmAbove int `json:"confirmAbove"`
}

// Ref returns the site's customer/site address.
func (s Site) Ref() SiteRef { return SiteRef{Customer: s.Customer, Site: s.Name} }

// NDL is a network device list. It names at most one UCM cluster.
type NDL struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Cluster string `json:"cluster,omitempty"`
}

// Cluster is a UCM cluster reached over AXL.
type Cluster struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// AXLURL is the AXL endpoint, for example https://ucm.example.com:8443/axl/.
	AXLURL     string `json:"axlURL"`
	AXLVersion string `json:"axlVersion"`
	Username   string `json:"username"`
	// PasswordRef points at the AXL password (see [ValidateSecretRef]); the worker reads it.
	PasswordRef        string `json:"passwordRef"`
	CAFile             string `json:"caFile,omitempty"`
	InsecureSkipVerify bool   `json:"insecureSkipVerify,omitempty"`
	// MaxInFlight bounds the AXL requests sent to this cluster at once, by every worker
	// together.
	MaxInFlight int `json:"maxInFlight"`
	// MaxRequestsPerSecond bounds the AXL request rate to this cluster, by every worker
	// together; 0 means no bound beyond MaxInFlight.
	MaxRequestsPerSecond float64 `json:"maxRequestsPerSecond,omitempty"`
}

// Directory is a customer's LDAP or Active Directory server, read only.
type Directory struct {
	ID                 int64            `json:"id"`
	Name               string           `json:"name"`
	CustomerID         int64            `json:"customerID"`
	Customer           string           `json:"customer"`
	URL                string           `json:"url"`
	StartTLS           bool             `json:"startTLS,omitempty"`
	CAFile             string           `json:"caFile,omitempty"`
	InsecureSkipVerify bool             `json:"insecureSkipVerify,omitempty"`
	BindDN             string           `json:"bindDN"`
	BindPasswordRef    string           `json:"bindPasswordRef"`
	BaseDN             string           `json:"baseDN"`
	Filter             string           `json:"filter"`
	PageSize           int              `json:"pageSize"`
	Mapping            AttributeMapping `json:"mapping"`
	// RemovalGuardPercent is the share of users one sync may remove or disable without
	// --confirm-removals; see [CheckRemovals].
	RemovalGuardPercent int `json:"removalGuardPercent"`
	LastGoodCount       int `json:"lastGoodCount"`
}
