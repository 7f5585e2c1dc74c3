package axlsim

import (
	"slices"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// Defaults of the user flags that addUser leaves out, from the AXL 14.0 schema's XUser.
//
// NOTE: the schema states no default for imAndPresenceEnable; false is assumed.
const (
	defaultEnableCTI      = true
	defaultEnableMobility = false
	defaultHomeCluster    = true
	defaultIMAndPresence  = false
)

// fillUserDefaults sets the flags that are nil to UCM's defaults.
func fillUserDefaults(u *axl.User) {
	defaults := []struct {
		field *(*bool)
		value bool
	}{
		{&u.EnableCTI, defaultEnableCTI},
		{&u.EnableMobility, defaultEnableMobility},
		{&u.HomeCluster, defaultHomeCluster},
		{&u.IMAndPresenceEnable, defaultIMAndPresence},
	}

	for _, d := range defaults {
		if *d.field == nil {
			value := d.value
			*d.field = &value
		}
	}
}

// readUserFlags reads the boolean children of a user element into u; absent ones keep their
// value.
func readUserFlags(u *axl.User, n *node) error {
	flags := map[string]*(*bool){
		"enableCti":           &u.EnableCTI,
		"enableMobility":      &u.EnableMobility,
		"homeCluster":         &u.HomeCluster,
		"imAndPresenceEnable": &u.IMAndPresenceEnable,
	}

	for name, field := range flags {
		value, err := optionalBool(n, name)
		if err != nil {
			return err
		}

		if value != nil {
			*field = value
		}
	}

	return nil
}

// checkUserReferences applies UCM's rules to a user about to be stored. Every associated
// device must be an existing phone, and every device profile must exist. With checkExtension
// set, a primary extension must be a line of one of the associated devices (axlcode 5003).
func (s *Server) checkUserReferences(u axl.User, checkExtension bool) error {
	for _, device := range u.AssociatedDevices {
		if _, ok := s.phones[strings.ToLower(device)]; !ok {
			return missingFault("Device " + device)
		}
	}

	for _, profile := range u.PhoneProfiles {
		if _, ok := s.profiles[strings.ToLower(profile)]; !ok {
			return missingFault("Device Profile " + profile)
		}
	}

	if u.DefaultProfile != "" {
		if _, ok := s.profiles[strings.ToLower(u.DefaultProfile)]; !ok {
			return missingFault("Device Profile " + u.DefaultProfile)
		}
	}

	if !checkExtension || u.PrimaryExtension == nil || u.PrimaryExtension.Pattern == "" {
		return nil
	}

	key := keyOfExtension(*u.PrimaryExtension)
	onDevice := slices.ContainsFunc(u.AssociatedDevices, func(device string) bool {
		return hasLine(s.phones[strings.ToLower(device)].Lines, key)
	})

	if !onDevice {
		return invalidFault("The primary extension %s is not a line of a device associated with user %s",
			lineName(key.pattern, key.partition), u.UserID)
	}

	return nil
}
