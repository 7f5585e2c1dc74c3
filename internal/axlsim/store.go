package axlsim

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// Users returns a copy of every user, sorted by userid regardless of case.
func (s *Server) Users() []axl.User {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.sortedUsersLocked()
}

func (s *Server) sortedUsersLocked() []axl.User {
	keys := slices.Sorted(maps.Keys(s.users))

	users := make([]axl.User, 0, len(keys))
	for _, key := range keys {
		users = append(users, cloneUser(s.users[key]))
	}

	return users
}

// User returns a copy of the user whose userid is userid, compared regardless of case, and
// whether it exists.
func (s *Server) User(userid string) (axl.User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	u, ok := s.users[strings.ToLower(userid)]

	return cloneUser(u), ok
}

// PutUser stores u as if UCM already held it, replacing any user with the same userid, and
// returns the stored copy. It keeps u.UUID when set (upper-cased) and generates one otherwise;
// an empty presence group and nil flags become UCM's defaults. It fails on an empty UserID or
// LastName, and skips the checks of addUser: associated devices, profiles and the primary
// extension may name items the simulator does not hold. PutUser does not count as a write in
// [Stats].
func (s *Server) PutUser(u axl.User) (axl.User, error) {
	if u.UserID == "" || u.LastName == "" {
		return axl.User{}, errors.New("axlsim: user needs a userid and a last name")
	}

	u = cloneUser(u)
	u.UUID = strings.ToUpper(u.UUID)

	if u.UUID == "" {
		u.UUID = newUUID()
	}

	if u.PresenceGroupName == "" {
		u.PresenceGroupName = axl.DefaultPresenceGroup
	}

	fillUserDefaults(&u)

	s.mu.Lock()
	defer s.mu.Unlock()

	key := strings.ToLower(u.UserID)
	if otherKey, ok := s.uuids[u.UUID]; ok && otherKey != key {
		return axl.User{}, errors.New("axlsim: another user already has UUID " + u.UUID)
	}

	if old, ok := s.users[key]; ok {
		delete(s.uuids, old.UUID)
	}

	s.users[key] = u
	s.uuids[u.UUID] = key

	return cloneUser(u), nil
}

func cloneUser(u axl.User) axl.User {
	u.AssociatedDevices = slices.Clone(u.AssociatedDevices)
	u.PhoneProfiles = slices.Clone(u.PhoneProfiles)

	for _, flag := range []**bool{&u.EnableCTI, &u.EnableMobility, &u.HomeCluster, &u.IMAndPresenceEnable} {
		if *flag != nil {
			value := **flag
			*flag = &value
		}
	}

	if u.PrimaryExtension != nil {
		extension := *u.PrimaryExtension
		u.PrimaryExtension = &extension
	}

	return u
}
