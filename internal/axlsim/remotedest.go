package axlsim

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// RemoteDestinationProfiles returns a copy of every remote destination profile, sorted by
// name regardless of case. Line patterns are as UCM stores them, with \+ for a leading +.
func (s *Server) RemoteDestinationProfiles() []axl.RemoteDestinationProfile {
	s.mu.Lock()
	defer s.mu.Unlock()

	profiles := make([]axl.RemoteDestinationProfile, 0, len(s.rdps))
	for _, key := range slices.Sorted(maps.Keys(s.rdps)) {
		p := s.rdps[key]
		p.Lines = clonePhoneLines(p.Lines)
		profiles = append(profiles, p)
	}

	return profiles
}

// RemoteDestinations returns a copy of every remote destination, sorted by destination. Line
// patterns are as UCM stores them, with \+ for a leading +.
func (s *Server) RemoteDestinations() []axl.RemoteDestination {
	s.mu.Lock()
	defer s.mu.Unlock()

	destinations := make([]axl.RemoteDestination, 0, len(s.destinations))
	for _, key := range slices.Sorted(maps.Keys(s.destinations)) {
		d := s.destinations[key]
		d.LineAssociations = slices.Clone(d.LineAssociations)
		destinations = append(destinations, d)
	}

	return destinations
}

// checkMobilityUser checks that userid exists and is enabled for mobility, which UCM requires
// of the owner of a remote destination profile or remote destination.
func (s *Server) checkMobilityUser(userid string) error {
	u, ok := s.users[strings.ToLower(userid)]
	if !ok {
		return missingFault("User " + userid)
	}

	if u.EnableMobility == nil || !*u.EnableMobility {
		return invalidFault("User %s is not enabled for mobility: set enableMobility first", userid)
	}

	return nil
}

func (s *Server) addRemoteDestinationProfile(element *node) ([]byte, error) {
	n := element.child("remoteDestinationProfile")

	p := axl.RemoteDestinationProfile{}
	p.Name, _ = n.value("name")
	p.Description, _ = n.value("description")
	p.CallingSearchSpaceName, _ = n.value("callingSearchSpaceName")
	p.DevicePoolName, _ = n.value("devicePoolName")
	p.UserID, _ = n.value("userId")

	lines, err := phoneLinesFromNode(n.child("lines"))
	if err != nil {
		return nil, err
	}

	p.Lines = lines

	fixed := map[string]string{
		"product":      axl.ProductRemoteDestinationProfile,
		"class":        axl.ClassRemoteDestinationProfile,
		"protocol":     axl.ProtocolRemoteDestination,
		"protocolSide": axl.ProtocolSideUser,
	}

	for name, want := range fixed {
		if value, _ := n.value(name); value != want {
			return nil, ruleFault("%s %s is not valid for a remote destination profile: use %s",
				name, value, want)
		}
	}

	if err := s.checkNewDevice(p.Name, p.Description); err != nil {
		return nil, err
	}

	if strings.TrimSpace(p.DevicePoolName) == "" {
		return nil, missingFault("Device Pool")
	}

	if err := s.checkMobilityUser(p.UserID); err != nil {
		return nil, err
	}

	if err := s.checkDeviceLines(p.Lines); err != nil {
		return nil, err
	}

	p.UUID = newUUID()
	s.rdps[strings.ToLower(p.Name)] = p
	s.stats.Writes++

	return returnValue(p.UUID), nil
}

func rdpUUID(p axl.RemoteDestinationProfile) string { return p.UUID }

func (s *Server) getRemoteDestinationProfile(element *node) ([]byte, error) {
	key, err := lookupByName(s.rdps, element, "Remote Destination Profile", rdpUUID)
	if err != nil {
		return nil, err
	}

	p := s.rdps[key]
	out := complexOut("remoteDestinationProfile",
		textOut("name", p.Name),
		textOut("description", p.Description),
		textOut("product", axl.ProductRemoteDestinationProfile),
		textOut("class", axl.ClassRemoteDestinationProfile),
		textOut("protocol", axl.ProtocolRemoteDestination),
		textOut("protocolSide", axl.ProtocolSideUser),
		textOut("callingSearchSpaceName", p.CallingSearchSpaceName),
		textOut("devicePoolName", p.DevicePoolName),
		phoneLinesOut(p.Lines),
		textOut("userId", p.UserID),
	)
	out.uuid = p.UUID

	return returnElements(out.only(returnedTags(element))), nil
}

func (s *Server) removeRemoteDestinationProfile(element *node) ([]byte, error) {
	key, err := lookupByName(s.rdps, element, "Remote Destination Profile", rdpUUID)
	if err != nil {
		return nil, err
	}

	p := s.rdps[key]
	delete(s.rdps, key)
	s.dropRemoteDestinationsOf(p.Name)
	s.stats.Writes++

	return returnValue(p.UUID), nil
}

// Timers of a remote destination that the request leaves out, in milliseconds, from the
// schema's defaults.
const (
	defaultAnswerTooSoon = 1500
	defaultAnswerTooLate = 19000
	defaultDelayRinging  = 4000
)

// timerValue reads a timer in milliseconds, or fallback milliseconds when it is absent.
func timerValue(n *node, name string, fallback int) (time.Duration, error) {
	value, err := intValue(n, name, fallback)

	return time.Duration(value) * time.Millisecond, err
}

func remoteDestinationFromNode(n *node) (axl.RemoteDestination, error) {
	d := axl.RemoteDestination{}
	d.Name, _ = n.value("name")
	d.Destination, _ = n.value("destination")
	d.OwnerUserID, _ = n.value("ownerUserId")
	d.RemoteDestinationProfileName, _ = n.value("remoteDestinationProfileName")

	var err error
	if d.AnswerTooSoonTimer, err = timerValue(n, "answerTooSoonTimer", defaultAnswerTooSoon); err != nil {
		return d, err
	}

	if d.AnswerTooLateTimer, err = timerValue(n, "answerTooLateTimer", defaultAnswerTooLate); err != nil {
		return d, err
	}

	d.DelayBeforeRingingCell, err = timerValue(n, "delayBeforeRingingCell", defaultDelayRinging)
	if err != nil {
		return d, err
	}

	if d.IsMobilePhone, err = boolValue(n, "isMobilePhone", false); err != nil {
		return d, err
	}

	if d.EnableMobileConnect, err = boolValue(n, "enableMobileConnect", true); err != nil {
		return d, err
	}

	if associations := n.child("lineAssociations"); associations != nil {
		for _, a := range associations.children {
			line := axl.Extension{}
			line.Pattern, _ = a.value("pattern")
			line.RoutePartitionName, _ = a.value("routePartitionName")
			d.LineAssociations = append(d.LineAssociations, line)
		}
	}

	return d, nil
}

func (s *Server) addRemoteDestination(element *node) ([]byte, error) {
	d, err := remoteDestinationFromNode(element.child("remoteDestination"))
	if err != nil {
		return nil, err
	}

	if strings.TrimSpace(d.Destination) == "" {
		return nil, clientFault(invalidPrefix + "destination must not be empty")
	}

	if _, exists := s.destinations[d.Destination]; exists {
		return nil, duplicateFault()
	}

	if err := s.checkMobilityUser(d.OwnerUserID); err != nil {
		return nil, err
	}

	if err := s.checkDestinationProfile(d); err != nil {
		return nil, err
	}

	d.UUID = newUUID()
	s.destinations[d.Destination] = d
	s.stats.Writes++

	return returnValue(d.UUID), nil
}

// checkDestinationProfile checks that the profile of d exists, belongs to d's owner and has
// every line that d associates.
func (s *Server) checkDestinationProfile(d axl.RemoteDestination) error {
	if d.RemoteDestinationProfileName == "" {
		return clientFault("axlsim models remote destinations on a remote destination profile only: " +
			"set remoteDestinationProfileName")
	}

	p, ok := s.rdps[strings.ToLower(d.RemoteDestinationProfileName)]
	if !ok {
		return missingFault("Remote Destination Profile " + d.RemoteDestinationProfileName)
	}

	if !strings.EqualFold(p.UserID, d.OwnerUserID) {
		return invalidFault("ownerUserId %s is not the user %s of remote destination profile %s",
			d.OwnerUserID, p.UserID, p.Name)
	}

	for _, line := range d.LineAssociations {
		key := keyOfExtension(line)
		if !hasLine(p.Lines, key) {
			return invalidFault("%s is not a line of remote destination profile %s",
				lineName(key.pattern, key.partition), p.Name)
		}
	}

	return nil
}

// lookupDestination returns the key of the remote destination that the destination or uuid
// child of element names.
func (s *Server) lookupDestination(element *node) (string, error) {
	destination, hasDestination := element.value("destination")
	uuid, hasUUID := element.value("uuid")

	switch {
	case hasDestination && hasUUID:
		return "", schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with "+
			"element '%s'. Send either destination or uuid.", secondOf(element, "destination", "uuid"))
	case hasDestination:
		if _, ok := s.destinations[destination]; !ok {
			return "", missingFault("Remote Destination")
		}

		return destination, nil
	case hasUUID:
		for key, d := range s.destinations {
			if strings.EqualFold(d.UUID, uuid) {
				return key, nil
			}
		}

		return "", missingFault("Remote Destination")
	default:
		return "", schemaErrorf("cvc-complex-type.2.4.b: The content of element '%s' is not complete. "+
			"One of '{\"\":destination, \"\":uuid}' is expected.", element.name.Local)
	}
}

func (s *Server) getRemoteDestination(element *node) ([]byte, error) {
	key, err := s.lookupDestination(element)
	if err != nil {
		return nil, err
	}

	d := s.destinations[key]

	associations := complexOut("lineAssociations")
	for _, line := range d.LineAssociations {
		associations.children = append(associations.children, complexOut("lineAssociation",
			textOut("pattern", line.Pattern),
			textOut("routePartitionName", line.RoutePartitionName),
		))
	}

	out := complexOut("remoteDestination",
		textOut("name", d.Name),
		textOut("destination", d.Destination),
		textOut("answerTooSoonTimer", strconv.FormatInt(d.AnswerTooSoonTimer.Milliseconds(), 10)),
		textOut("answerTooLateTimer", strconv.FormatInt(d.AnswerTooLateTimer.Milliseconds(), 10)),
		textOut("delayBeforeRingingCell", strconv.FormatInt(d.DelayBeforeRingingCell.Milliseconds(), 10)),
		textOut("ownerUserId", d.OwnerUserID),
		textOut("remoteDestinationProfileName", d.RemoteDestinationProfileName),
		textOut("isMobilePhone", boolText(d.IsMobilePhone)),
		textOut("enableMobileConnect", boolText(d.EnableMobileConnect)),
		associations,
	)
	out.uuid = d.UUID

	return returnElements(out.only(returnedTags(element))), nil
}

func (s *Server) removeRemoteDestination(element *node) ([]byte, error) {
	key, err := s.lookupDestination(element)
	if err != nil {
		return nil, err
	}

	uuid := s.destinations[key].UUID
	delete(s.destinations, key)
	s.stats.Writes++

	return returnValue(uuid), nil
}
