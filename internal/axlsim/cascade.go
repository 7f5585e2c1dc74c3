package axlsim

import (
	"slices"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// A removal drops the references to the removed item, as the foreign keys of UCM's database
// cascade. A removed line leaves the devices that have it, the remote destinations that ring
// it and the primary extensions that name it. A removed phone leaves its users' associated
// devices, and a removed device profile its users' profiles. A removed remote destination
// profile takes its remote destinations with it. A user who owns a remote destination
// profile or a remote destination cannot be removed.
//
// NOTE: these cascades follow how the database is laid out and have not been checked against
// a real UCM, which may instead reject some of the removals.

func (s *Server) dropLineReferences(key lineKey) {
	for name, p := range s.phones {
		if hasLine(p.Lines, key) {
			p.Lines = withoutLine(p.Lines, key)
			s.phones[name] = p
		}
	}

	for name, p := range s.profiles {
		if hasLine(p.Lines, key) {
			p.Lines = withoutLine(p.Lines, key)
			s.profiles[name] = p
		}
	}

	for name, p := range s.rdps {
		if hasLine(p.Lines, key) {
			p.Lines = withoutLine(p.Lines, key)
			s.rdps[name] = p
		}
	}

	for number, d := range s.destinations {
		kept := slices.DeleteFunc(slices.Clone(d.LineAssociations), func(l axl.Extension) bool {
			return keyOfExtension(l) == key
		})

		if len(kept) != len(d.LineAssociations) {
			d.LineAssociations = kept
			s.destinations[number] = d
		}
	}

	for userid, u := range s.users {
		if u.PrimaryExtension != nil && keyOfExtension(*u.PrimaryExtension) == key {
			u.PrimaryExtension = nil
			s.users[userid] = u
		}
	}
}

// dropDeviceReferences removes the phone named name from every user's associated devices.
func (s *Server) dropDeviceReferences(name string) {
	for userid, u := range s.users {
		kept := slices.DeleteFunc(slices.Clone(u.AssociatedDevices), func(device string) bool {
			return strings.EqualFold(device, name)
		})

		if len(kept) != len(u.AssociatedDevices) {
			u.AssociatedDevices = kept
			s.users[userid] = u
		}
	}
}

// dropProfileReferences removes the device profile named name from every user's profiles
// and default profile.
func (s *Server) dropProfileReferences(name string) {
	for userid, u := range s.users {
		kept := slices.DeleteFunc(slices.Clone(u.PhoneProfiles), func(profile string) bool {
			return strings.EqualFold(profile, name)
		})

		if len(kept) == len(u.PhoneProfiles) && !strings.EqualFold(u.DefaultProfile, name) {
			continue
		}

		u.PhoneProfiles = kept
		if strings.EqualFold(u.DefaultProfile, name) {
			u.DefaultProfile = ""
		}

		s.users[userid] = u
	}
}

// dropRemoteDestinationsOf removes the remote destinations of the profile named name.
func (s *Server) dropRemoteDestinationsOf(name string) {
	for number, d := range s.destinations {
		if strings.EqualFold(d.RemoteDestinationProfileName, name) {
			delete(s.destinations, number)
		}
	}
}

// releaseUser prepares the removal of the user whose key is key. It fails while the user owns
// a remote destination profile or remote destination. Otherwise it clears the user from the
// owners of phones and from the associated end users of lines.
func (s *Server) releaseUser(key string) error {
	for _, p := range s.rdps {
		if strings.ToLower(p.UserID) == key {
			return axlFaultf(codeStillReferenced,
				"User %s owns remote destination profile %s: remove it first", p.UserID, p.Name)
		}
	}

	for _, d := range s.destinations {
		if strings.ToLower(d.OwnerUserID) == key {
			return axlFaultf(codeStillReferenced, "User %s owns remote destination %s: remove it first",
				d.OwnerUserID, d.Destination)
		}
	}

	for name, p := range s.phones {
		if strings.ToLower(p.OwnerUserName) == key {
			p.OwnerUserName = ""
		}

		p.Lines = withoutEndUser(p.Lines, key)
		s.phones[name] = p
	}

	for name, p := range s.profiles {
		p.Lines = withoutEndUser(p.Lines, key)
		s.profiles[name] = p
	}

	for name, p := range s.rdps {
		p.Lines = withoutEndUser(p.Lines, key)
		s.rdps[name] = p
	}

	return nil
}

// renameUserReferences follows a rename of the user whose old key is oldKey to userid, as UCM
// refers to users by their database key and not by userid.
func (s *Server) renameUserReferences(oldKey, userid string) {
	rename := func(value *string) {
		if strings.ToLower(*value) == oldKey {
			*value = userid
		}
	}

	renameLines := func(lines []axl.PhoneLine) []axl.PhoneLine {
		cloned := clonePhoneLines(lines)
		for i := range cloned {
			for j := range cloned[i].AssociatedEndUsers {
				rename(&cloned[i].AssociatedEndUsers[j])
			}
		}

		return cloned
	}

	for name, p := range s.phones {
		rename(&p.OwnerUserName)
		p.Lines = renameLines(p.Lines)
		s.phones[name] = p
	}

	for name, p := range s.profiles {
		p.Lines = renameLines(p.Lines)
		s.profiles[name] = p
	}

	for name, p := range s.rdps {
		rename(&p.UserID)
		p.Lines = renameLines(p.Lines)
		s.rdps[name] = p
	}

	for number, d := range s.destinations {
		rename(&d.OwnerUserID)
		s.destinations[number] = d
	}
}
