package axlsim

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// profileName is the form of device profile names that the simulator accepts: letters,
// digits, dots, underscores, hyphens and spaces, at most maxDeviceProfileName of them.
var profileName = regexp.MustCompile(`^[A-Za-z0-9._ -]+$`)

// DeviceProfiles returns a copy of every extension mobility device profile, sorted by name
// regardless of case. Line patterns are as UCM stores them, with \+ for a leading +.
func (s *Server) DeviceProfiles() []axl.DeviceProfile {
	s.mu.Lock()
	defer s.mu.Unlock()

	profiles := make([]axl.DeviceProfile, 0, len(s.profiles))
	for _, key := range slices.Sorted(maps.Keys(s.profiles)) {
		p := s.profiles[key]
		p.Lines = clonePhoneLines(p.Lines)
		profiles = append(profiles, p)
	}

	return profiles
}

func (s *Server) addDeviceProfile(element *node) ([]byte, error) {
	n := element.child("deviceProfile")

	p := axl.DeviceProfile{}
	p.Name, _ = n.value("name")
	p.Description, _ = n.value("description")
	p.Product, _ = n.value("product")
	p.Class, _ = n.value("class")
	p.Protocol, _ = n.value("protocol")
	p.ProtocolSide, _ = n.value("protocolSide")
	p.PhoneTemplateName, _ = n.value("phoneTemplateName")

	lines, err := phoneLinesFromNode(n.child("lines"))
	if err != nil {
		return nil, err
	}

	p.Lines = lines

	if err := checkProfileIdentity(p); err != nil {
		return nil, err
	}

	if err := s.checkNewDevice(p.Name, p.Description); err != nil {
		return nil, err
	}

	if err := s.checkDeviceLines(p.Lines); err != nil {
		return nil, err
	}

	p.UUID = newUUID()
	s.profiles[strings.ToLower(p.Name)] = p
	s.stats.Writes++

	return returnValue(p.UUID), nil
}

func checkProfileIdentity(p axl.DeviceProfile) error {
	if p.Class != axl.ClassDeviceProfile {
		return ruleFault("Class %s is not valid for a device profile: use %s",
			p.Class, axl.ClassDeviceProfile)
	}

	model, err := checkModel(p.Product, p.Protocol, p.ProtocolSide)
	if err != nil {
		return err
	}

	if !model.extensionMobility {
		return ruleFault("Product %s does not support extension mobility: use a desk phone model", p.Product)
	}

	if !profileName.MatchString(p.Name) || len(p.Name) > maxDeviceProfileName {
		return ruleFault("Device Profile Name %q is not valid: use up to %d letters, digits, dots, "+
			"underscores, hyphens and spaces", p.Name, maxDeviceProfileName)
	}

	return nil
}

func deviceProfileUUID(p axl.DeviceProfile) string { return p.UUID }

func (s *Server) getDeviceProfile(element *node) ([]byte, error) {
	key, err := lookupByName(s.profiles, element, "Device Profile", deviceProfileUUID)
	if err != nil {
		return nil, err
	}

	p := s.profiles[key]
	out := complexOut("deviceProfile",
		textOut("name", p.Name),
		textOut("description", p.Description),
		textOut("product", p.Product),
		textOut("class", p.Class),
		textOut("protocol", p.Protocol),
		textOut("protocolSide", p.ProtocolSide),
		phoneLinesOut(p.Lines),
		textOut("phoneTemplateName", p.PhoneTemplateName),
	)
	out.uuid = p.UUID

	return returnElements(out.only(returnedTags(element))), nil
}

func (s *Server) removeDeviceProfile(element *node) ([]byte, error) {
	key, err := lookupByName(s.profiles, element, "Device Profile", deviceProfileUUID)
	if err != nil {
		return nil, err
	}

	p := s.profiles[key]
	delete(s.profiles, key)
	s.dropProfileReferences(p.Name)
	s.stats.Writes++

	return returnValue(p.UUID), nil
}
