package axl

import (
	"fmt"
	"slices"
	"strings"
)

// Operation names as they appear in the SOAP body and the SOAPAction header.
const (
	OpGetUser    = "getUser"
	OpAddUser    = "addUser"
	OpUpdateUser = "updateUser"
	OpRemoveUser = "removeUser"
	OpListUser   = "listUser"
)

// supportedVersions lists the AXL versions whose user operations share one schema, so a single
// set of request types serves them all.
var supportedVersions = []string{"12.5", "14.0", "15.0"}

// SupportedVersions returns the AXL versions the client accepts in [Config.Version], oldest
// first. The caller may modify the returned slice.
func SupportedVersions() []string {
	return slices.Clone(supportedVersions)
}

// IsSupportedVersion reports whether version is one of [SupportedVersions].
func IsSupportedVersion(version string) bool {
	return slices.Contains(supportedVersions, version)
}

// Namespace returns the XML namespace of AXL request and response elements for version, such
// as http://www.cisco.com/AXL/API/14.0. It does not check that the version is supported.
func Namespace(version string) string {
	return "http://www.cisco.com/AXL/API/" + version
}

// SOAPAction returns the SOAPAction header value UCM expects for operation at version,
// including the double quotes that SOAP 1.1 requires: "CUCM:DB ver=14.0 addUser".
func SOAPAction(version, operation string) string {
	return `"CUCM:DB ver=` + version + " " + operation + `"`
}

func checkVersion(version string) error {
	if IsSupportedVersion(version) {
		return nil
	}

	return fmt.Errorf("axl version %q is not supported: use one of %s",
		version, strings.Join(supportedVersions, ", "))
}
