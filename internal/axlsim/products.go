package axlsim

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// product is a phone model the simulator accepts: the prefix its device names start with,
// the protocols it registers with, and whether extension mobility profiles exist for it.
type product struct {
	prefix            string
	protocols         []string
	extensionMobility bool
}

// products is the short list of models that Quick User provisions. The AXL 14.0 schema's
// XProduct lists about 300, and the simulator rejects the others as unknown. Desk phones are
// named SEP and their MAC address. Jabber clients are named CSF (desktop), BOT (Android), TCT
// (iPhone) or TAB (tablet) and up to 12 upper-case letters or digits.
var products = map[string]product{
	"Cisco 7841":             {prefix: "SEP", protocols: sipOnly, extensionMobility: true},
	"Cisco 8841":             {prefix: "SEP", protocols: sipOnly, extensionMobility: true},
	"Cisco 8845":             {prefix: "SEP", protocols: sipOnly, extensionMobility: true},
	"Cisco 8851":             {prefix: "SEP", protocols: sipOnly, extensionMobility: true},
	"Cisco 8865":             {prefix: "SEP", protocols: sipOnly, extensionMobility: true},
	"Cisco 8945":             {prefix: "SEP", protocols: sipOrSCCP, extensionMobility: true},
	axl.ProductJabberDesktop: {prefix: "CSF", protocols: sipOnly},
	axl.ProductJabberAndroid: {prefix: "BOT", protocols: sipOnly},
	axl.ProductJabberIPhone:  {prefix: "TCT", protocols: sipOnly},
	axl.ProductJabberTablet:  {prefix: "TAB", protocols: sipOnly},
}

var (
	sipOnly   = []string{axl.ProtocolSIP}
	sipOrSCCP = []string{axl.ProtocolSIP, axl.ProtocolSCCP}
)

// macName accepts desk phone names in either case, as UCM compares device names regardless
// of case; clientName takes Jabber names in upper case only.
var (
	macName    = regexp.MustCompile(`(?i)^SEP[0-9A-F]{12}$`)
	clientName = regexp.MustCompile(`^(CSF|BOT|TCT|TAB)[A-Z0-9]{1,12}$`)
)

func productNames() string {
	names := make([]string, 0, len(products))
	for name := range products {
		names = append(names, name)
	}

	sort.Strings(names)

	return strings.Join(names, ", ")
}

// lookupProduct returns the product, or a Client fault for one outside the table. The schema
// allows any string as a product, so the fault is the simulator's, not one that UCM sends.
func lookupProduct(name string) (product, error) {
	p, ok := products[name]
	if !ok {
		return product{}, clientFault(fmt.Sprintf("axlsim does not model the product %q: use one of %s",
			name, productNames()))
	}

	return p, nil
}

// checkPhoneIdentity checks a new phone's class, protocol side, product, protocol and name.
func checkPhoneIdentity(p axl.Phone) error {
	if p.Class != axl.ClassPhone {
		return ruleFault("Class %s is not valid for a phone: use %s", p.Class, axl.ClassPhone)
	}

	model, err := checkModel(p.Product, p.Protocol, p.ProtocolSide)
	if err != nil {
		return err
	}

	valid := clientName.MatchString(p.Name) && strings.HasPrefix(p.Name, model.prefix)
	rule := model.prefix + " followed by 1 to 12 upper-case letters or digits"

	if model.prefix == "SEP" {
		valid = macName.MatchString(p.Name)
		rule = "SEP followed by the 12 hexadecimal digits of the MAC address"
	}

	if !valid {
		return ruleFault("Device Name %s is not valid for product %s: use %s", p.Name, p.Product, rule)
	}

	return nil
}

// checkModel checks a product, its protocol and the protocol side of a phone or profile.
func checkModel(name, protocol, side string) (product, error) {
	model, err := lookupProduct(name)
	if err != nil {
		return product{}, err
	}

	if !slices.Contains(model.protocols, protocol) {
		return product{}, ruleFault("Protocol %s is not supported by product %s: use %s",
			protocol, name, strings.Join(model.protocols, " or "))
	}

	if side != axl.ProtocolSideUser {
		return product{}, ruleFault("Protocol side %s is not valid for product %s: use %s",
			side, name, axl.ProtocolSideUser)
	}

	return model, nil
}
