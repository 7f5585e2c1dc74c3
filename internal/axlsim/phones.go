package axlsim

import (
	"maps"
	"slices"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// Names that UCM fills in on addPhone when the request leaves them out: its factory common
// phone profile and location. Other fields left out read back empty.
const (
	defaultCommonPhoneConfig = "Standard Common Phone Profile"
	defaultLocation          = "Hub_None"
)

// Phones returns a copy of every phone, sorted by name regardless of case. Line patterns are
// as UCM stores them, with \+ for a leading +.
func (s *Server) Phones() []axl.Phone {
	s.mu.Lock()
	defer s.mu.Unlock()

	phones := make([]axl.Phone, 0, len(s.phones))
	for _, key := range slices.Sorted(maps.Keys(s.phones)) {
		phones = append(phones, clonePhone(s.phones[key]))
	}

	return phones
}

func clonePhone(p axl.Phone) axl.Phone {
	p.Lines = clonePhoneLines(p.Lines)

	return p
}

func phoneFromNode(n *node) (axl.Phone, error) {
	p := axl.Phone{}
	p.Name, _ = n.value("name")
	p.Description, _ = n.value("description")
	p.Product, _ = n.value("product")
	p.Class, _ = n.value("class")
	p.Protocol, _ = n.value("protocol")
	p.ProtocolSide, _ = n.value("protocolSide")
	p.CallingSearchSpaceName, _ = n.value("callingSearchSpaceName")
	p.DevicePoolName, _ = n.value("devicePoolName")
	p.CommonPhoneConfigName, _ = n.value("commonPhoneConfigName")
	p.LocationName, _ = n.value("locationName")
	p.PhoneTemplateName, _ = n.value("phoneTemplateName")
	p.OwnerUserName, _ = n.value("ownerUserName")

	lines, err := phoneLinesFromNode(n.child("lines"))
	p.Lines = lines

	return p, err
}

func (s *Server) addPhone(element *node) ([]byte, error) {
	p, err := phoneFromNode(element.child("phone"))
	if err != nil {
		return nil, err
	}

	if err := checkPhoneIdentity(p); err != nil {
		return nil, err
	}

	if err := s.checkNewDevice(p.Name, p.Description); err != nil {
		return nil, err
	}

	if strings.TrimSpace(p.DevicePoolName) == "" {
		return nil, missingFault("Device Pool")
	}

	if err := s.checkOwner(p.OwnerUserName); err != nil {
		return nil, err
	}

	if err := s.checkDeviceLines(p.Lines); err != nil {
		return nil, err
	}

	if p.CommonPhoneConfigName == "" {
		p.CommonPhoneConfigName = defaultCommonPhoneConfig
	}

	if p.LocationName == "" {
		p.LocationName = defaultLocation
	}

	p.UUID = newUUID()
	s.phones[strings.ToLower(p.Name)] = p
	s.stats.Writes++

	return returnValue(p.UUID), nil
}

// checkNewDevice rejects a name that a phone or profile of any kind already has, and a
// description longer than the schema's String128.
func (s *Server) checkNewDevice(name, description string) error {
	key := strings.ToLower(name)
	_, phone := s.phones[key]
	_, profile := s.profiles[key]
	_, rdp := s.rdps[key]

	if phone || profile || rdp {
		return duplicateFault()
	}

	return checkMaxLength("description", description, 128)
}

// checkOwner checks that the owner of a device exists; empty means no owner.
func (s *Server) checkOwner(userid string) error {
	if userid == "" {
		return nil
	}

	if _, ok := s.users[strings.ToLower(userid)]; !ok {
		return missingFault("User " + userid)
	}

	return nil
}

// lookupByName returns the key in items of the item that the name or uuid child of element
// names. kind names the item in the not-found fault, such as "Phone".
func lookupByName[T any](
	items map[string]T,
	element *node,
	kind string,
	uuidOf func(T) string,
) (string, error) {
	name, hasName := element.value("name")
	uuid, hasUUID := element.value("uuid")

	switch {
	case hasName && hasUUID:
		return "", schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with "+
			"element '%s'. Send either name or uuid.", secondOf(element, "name", "uuid"))
	case hasName:
		key := strings.ToLower(name)
		if _, ok := items[key]; !ok {
			return "", missingFault(kind)
		}

		return key, nil
	case hasUUID:
		for key, item := range items {
			if strings.EqualFold(uuidOf(item), uuid) {
				return key, nil
			}
		}

		return "", missingFault(kind)
	default:
		return "", schemaErrorf("cvc-complex-type.2.4.b: The content of element '%s' is not complete. "+
			"One of '{\"\":name, \"\":uuid}' is expected.", element.name.Local)
	}
}

func phoneUUID(p axl.Phone) string { return p.UUID }

func (s *Server) getPhone(element *node) ([]byte, error) {
	key, err := lookupByName(s.phones, element, "Phone", phoneUUID)
	if err != nil {
		return nil, err
	}

	return returnElements(phoneOut(s.phones[key], true).only(returnedTags(element))), nil
}

// phoneOut is a phone in getPhone (RPhone) and, without lines, listPhone (LPhone) responses.
func phoneOut(p axl.Phone, withLines bool) outElement {
	e := complexOut("phone",
		textOut("name", p.Name),
		textOut("description", p.Description),
		textOut("product", p.Product),
		textOut("class", p.Class),
		textOut("protocol", p.Protocol),
		textOut("protocolSide", p.ProtocolSide),
		textOut("callingSearchSpaceName", p.CallingSearchSpaceName),
		textOut("devicePoolName", p.DevicePoolName),
		textOut("commonPhoneConfigName", p.CommonPhoneConfigName),
		textOut("locationName", p.LocationName),
	)

	if withLines {
		e.children = append(e.children, phoneLinesOut(p.Lines))
	}

	e.children = append(e.children,
		textOut("phoneTemplateName", p.PhoneTemplateName),
		textOut("ownerUserName", p.OwnerUserName),
	)
	e.uuid = p.UUID

	return e
}

func (s *Server) updatePhone(element *node) ([]byte, error) {
	key, err := lookupByName(s.phones, element, "Phone", phoneUUID)
	if err != nil {
		return nil, err
	}

	p := clonePhone(s.phones[key])
	fields := map[string]*string{
		"description":            &p.Description,
		"callingSearchSpaceName": &p.CallingSearchSpaceName,
		"devicePoolName":         &p.DevicePoolName,
		"commonPhoneConfigName":  &p.CommonPhoneConfigName,
		"locationName":           &p.LocationName,
		"phoneTemplateName":      &p.PhoneTemplateName,
		"ownerUserName":          &p.OwnerUserName,
	}

	for name, field := range fields {
		if value, ok := element.value(name); ok {
			*field = value
		}
	}

	if err := checkMaxLength("description", p.Description, 128); err != nil {
		return nil, err
	}

	if err := s.checkOwner(p.OwnerUserName); err != nil {
		return nil, err
	}

	if p.Lines, err = updatedLines(p.Lines, element); err != nil {
		return nil, err
	}

	if err := s.checkDeviceLines(p.Lines); err != nil {
		return nil, err
	}

	s.phones[key] = p
	s.stats.Writes++

	return returnValue(p.UUID), nil
}

// updatedLines applies the lines, or the removeLines and addLines, of an update to current.
// lines replaces every line. removeLines takes lines off by dirn, ignoring their index, and
// addLines appends.
//
// NOTE: removing a line that the device does not have is a 5007 fault here. What UCM does in
// that case, and whether it also matches the index, has not been checked.
func updatedLines(current []axl.PhoneLine, element *node) ([]axl.PhoneLine, error) {
	replace := element.child("lines")
	remove := element.child("removeLines")
	add := element.child("addLines")

	if replace != nil && (remove != nil || add != nil) {
		return nil, schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with " +
			"element 'lines'. Send lines, or removeLines and addLines, not both.")
	}

	if replace != nil {
		return phoneLinesFromNode(replace)
	}

	removals, err := phoneLinesFromNode(remove)
	if err != nil {
		return nil, err
	}

	for _, l := range removals {
		key := keyOfExtension(l.Dirn)
		if !hasLine(current, key) {
			return nil, missingFault(lineName(key.pattern, key.partition) + " on the device")
		}

		current = withoutLine(current, key)
	}

	additions, err := phoneLinesFromNode(add)
	if err != nil {
		return nil, err
	}

	return append(current, additions...), nil
}

func (s *Server) removePhone(element *node) ([]byte, error) {
	key, err := lookupByName(s.phones, element, "Phone", phoneUUID)
	if err != nil {
		return nil, err
	}

	p := s.phones[key]
	delete(s.phones, key)
	s.dropDeviceReferences(p.Name)
	s.stats.Writes++

	return returnValue(p.UUID), nil
}

func (s *Server) listPhone(element *node) ([]byte, error) {
	criteria := element.child("searchCriteria")
	if len(criteria.children) == 0 {
		return nil, clientFault("searchCriteria is empty: set at least one of name, description, " +
			"protocol, callingSearchSpaceName or devicePoolName")
	}

	skip, first, err := paging(element)
	if err != nil {
		return nil, err
	}

	tags := tagNames(element.child("returnedTags"))

	var matches []outElement

	for _, key := range slices.Sorted(maps.Keys(s.phones)) {
		p := s.phones[key]
		fields := map[string]string{
			"name":                   key,
			"description":            p.Description,
			"protocol":               p.Protocol,
			"callingSearchSpaceName": p.CallingSearchSpaceName,
			"devicePoolName":         p.DevicePoolName,
		}

		if matchesPhone(criteria, fields) {
			matches = append(matches, phoneOut(p, false).only(tags))
		}
	}

	if first >= 0 {
		matches = page(matches, skip, first)
	}

	return returnElements(matches...), nil
}

// matchesPhone is matchesAll with the name compared regardless of case, as UCM compares
// device names.
func matchesPhone(criteria *node, fields map[string]string) bool {
	for _, c := range criteria.children {
		pattern := c.text
		if c.name.Local == "name" {
			pattern = strings.ToLower(pattern)
		}

		if !like(pattern, fields[c.name.Local]) {
			return false
		}
	}

	return true
}
