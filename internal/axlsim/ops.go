package axlsim

import (
	"bytes"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// execute runs a validated request against the store and returns the children of the
// response element.
func (s *Server) execute(req request) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	handler, ok := handlers[req.op]
	if !ok {
		return nil, fmt.Errorf("no handler for operation %s", req.op)
	}

	return handler(s, req.element)
}

func (s *Server) addUser(element *node) ([]byte, error) {
	u, err := userFromNode(element.child("user"))
	if err != nil {
		return nil, err
	}

	if u.UserID == "" || u.LastName == "" {
		return nil, clientFault("Item not valid: userid and lastName must not be empty")
	}

	key := strings.ToLower(u.UserID)
	if _, exists := s.users[key]; exists {
		return nil, duplicateFault()
	}

	if err := s.checkUserReferences(u, true); err != nil {
		return nil, err
	}

	if u.PresenceGroupName == "" {
		u.PresenceGroupName = axl.DefaultPresenceGroup
	}

	fillUserDefaults(&u)

	u.UUID = newUUID()
	s.users[key] = u
	s.uuids[u.UUID] = key
	s.stats.Writes++

	return returnValue(u.UUID), nil
}

func userFromNode(n *node) (axl.User, error) {
	u := axl.User{}
	u.FirstName, _ = n.value("firstName")
	u.LastName, _ = n.value("lastName")
	u.UserID, _ = n.value("userid")
	u.MailID, _ = n.value("mailid")
	u.Department, _ = n.value("department")
	u.PresenceGroupName, _ = n.value("presenceGroupName")
	u.TelephoneNumber, _ = n.value("telephoneNumber")
	u.Title, _ = n.value("title")
	u.LDAPDirectoryName, _ = n.value("ldapDirectoryName")
	u.DefaultProfile, _ = n.value("defaultProfile")

	if devices := n.child("associatedDevices"); devices != nil {
		u.AssociatedDevices = devicesFromNode(devices)
	}

	if profiles := n.child("phoneProfiles"); profiles != nil {
		u.PhoneProfiles = devicesFromNode(profiles)
	}

	u.PrimaryExtension = extensionFromNode(n.child("primaryExtension"))

	return u, readUserFlags(&u, n)
}

// devicesFromNode returns the texts of the children of associatedDevices or phoneProfiles.
func devicesFromNode(n *node) []string {
	devices := make([]string, 0, len(n.children))
	for _, device := range n.children {
		devices = append(devices, device.text)
	}

	return devices
}

// extensionFromNode returns nil for an absent or empty primaryExtension.
func extensionFromNode(n *node) *axl.Extension {
	if n == nil || len(n.children) == 0 {
		return nil
	}

	pattern, _ := n.value("pattern")
	partition, _ := n.value("routePartitionName")

	return &axl.Extension{Pattern: pattern, RoutePartitionName: partition}
}

// lookup returns the key of the user that the userid or uuid child of element names.
func (s *Server) lookup(element *node) (string, error) {
	userid, hasUserID := element.value("userid")
	uuid, hasUUID := element.value("uuid")

	switch {
	case hasUserID && hasUUID:
		return "", schemaErrorf("cvc-complex-type.2.4.a: Invalid content was found starting with "+
			"element '%s'. Send either userid or uuid.", secondOf(element, "userid", "uuid"))
	case hasUserID:
		key := strings.ToLower(userid)
		if _, ok := s.users[key]; !ok {
			return "", notFoundFault()
		}

		return key, nil
	case hasUUID:
		key, ok := s.uuids[strings.ToUpper(uuid)]
		if !ok {
			return "", notFoundFault()
		}

		return key, nil
	default:
		return "", schemaErrorf("cvc-complex-type.2.4.b: The content of element '%s' is not complete. "+
			"One of '{\"\":userid, \"\":uuid}' is expected.", element.name.Local)
	}
}

func secondOf(element *node, a, b string) string {
	seen := 0
	for _, c := range element.children {
		if c.name.Local == a || c.name.Local == b {
			seen++
			if seen == 2 {
				return c.name.Local
			}
		}
	}

	return b
}

func (s *Server) updateUser(element *node) ([]byte, error) {
	key, err := s.lookup(element)
	if err != nil {
		return nil, err
	}

	u := cloneUser(s.users[key])
	oldUserID := u.UserID
	newKey := key

	if newUserID, ok := element.value("newUserid"); ok {
		newKey = strings.ToLower(newUserID)
		if newUserID == "" {
			return nil, clientFault("Item not valid: newUserid must not be empty")
		}

		if _, taken := s.users[newKey]; taken && newKey != key {
			return nil, duplicateFault()
		}

		u.UserID = newUserID
	}

	if err := applyUpdate(&u, element); err != nil {
		return nil, err
	}

	if err := s.checkUserReferences(u, element.child("primaryExtension") != nil); err != nil {
		return nil, err
	}

	delete(s.users, key)
	s.users[newKey] = u
	s.uuids[u.UUID] = newKey

	if u.UserID != oldUserID {
		s.renameUserReferences(key, u.UserID)
	}

	s.stats.Writes++

	return returnValue(u.UUID), nil
}

// applyUpdate sets the fields that element carries: a present element replaces the value,
// and associatedDevices and phoneProfiles replace the whole list.
func applyUpdate(u *axl.User, element *node) error {
	fields := map[string]*string{
		"firstName":         &u.FirstName,
		"lastName":          &u.LastName,
		"mailid":            &u.MailID,
		"department":        &u.Department,
		"presenceGroupName": &u.PresenceGroupName,
		"telephoneNumber":   &u.TelephoneNumber,
		"title":             &u.Title,
		"defaultProfile":    &u.DefaultProfile,
	}

	for name, field := range fields {
		if value, ok := element.value(name); ok {
			*field = value
		}
	}

	if devices := element.child("associatedDevices"); devices != nil {
		u.AssociatedDevices = devicesFromNode(devices)
	}

	if profiles := element.child("phoneProfiles"); profiles != nil {
		u.PhoneProfiles = devicesFromNode(profiles)
	}

	if extension := element.child("primaryExtension"); extension != nil {
		u.PrimaryExtension = extensionFromNode(extension)
	}

	return readUserFlags(u, element)
}

func (s *Server) getUser(element *node) ([]byte, error) {
	key, err := s.lookup(element)
	if err != nil {
		return nil, err
	}

	tags := getTags
	if returned := element.child("returnedTags"); returned != nil {
		tags = tagNames(returned)
	}

	var buf bytes.Buffer

	buf.WriteString("<return>")
	if err := writeUser(&buf, s.users[key], tags); err != nil {
		return nil, err
	}

	buf.WriteString("</return>")

	return buf.Bytes(), nil
}

func (s *Server) removeUser(element *node) ([]byte, error) {
	key, err := s.lookup(element)
	if err != nil {
		return nil, err
	}

	if err := s.releaseUser(key); err != nil {
		return nil, err
	}

	u := s.users[key]
	delete(s.users, key)
	delete(s.uuids, u.UUID)
	s.stats.Writes++

	return returnValue(u.UUID), nil
}

func (s *Server) listUser(element *node) ([]byte, error) {
	criteria := element.child("searchCriteria")
	if len(criteria.children) == 0 {
		return nil, clientFault("searchCriteria is empty: set at least one of firstName, lastName, " +
			"userid or department")
	}

	skip, first, err := paging(element)
	if err != nil {
		return nil, err
	}

	matches := s.matchingUsers(criteria)

	// As in UCM, skip applies only together with first.
	if first >= 0 {
		matches = page(matches, skip, first)
	}

	tags := tagNames(element.child("returnedTags"))

	var buf bytes.Buffer

	buf.WriteString("<return>")
	for _, u := range matches {
		if err := writeUser(&buf, u, tags); err != nil {
			return nil, err
		}
	}

	buf.WriteString("</return>")

	return buf.Bytes(), nil
}

// paging returns skip and first; first is -1 when absent.
func paging(element *node) (int, int, error) {
	skip, first := 0, -1

	for name, target := range map[string]*int{"skip": &skip, "first": &first} {
		value, ok := element.value(name)
		if !ok {
			continue
		}

		n, err := strconv.ParseUint(strings.TrimSpace(value), 10, 31)
		if err != nil {
			return 0, 0, schemaErrorf("cvc-datatype-valid.1.2.1: '%s' is not a valid value for "+
				"'unsignedLong' in element '%s'.", value, name)
		}

		*target = int(n)
	}

	return skip, first, nil
}

func page[T any](items []T, skip, first int) []T {
	if skip >= len(items) {
		return nil
	}

	items = items[skip:]
	if first < len(items) {
		items = items[:first]
	}

	return items
}

// matchingUsers returns the users that match every criterion, sorted by userid regardless of
// case. userid matches regardless of case; names and department match case-sensitively.
//
// NOTE: whether UCM compares names regardless of case has not been checked.
func (s *Server) matchingUsers(criteria *node) []axl.User {
	var matches []axl.User

	for _, u := range s.sortedUsersLocked() {
		if matchesCriteria(u, criteria) {
			matches = append(matches, u)
		}
	}

	return matches
}

func matchesCriteria(u axl.User, criteria *node) bool {
	fields := map[string]string{
		"firstName":  u.FirstName,
		"lastName":   u.LastName,
		"department": u.Department,
	}

	for _, c := range criteria.children {
		if c.name.Local == "userid" {
			if !like(strings.ToLower(c.text), strings.ToLower(u.UserID)) {
				return false
			}

			continue
		}

		if !like(c.text, fields[c.name.Local]) {
			return false
		}
	}

	return true
}

// like reports whether value matches pattern, in which % matches any run of characters.
func like(pattern, value string) bool {
	parts := strings.Split(pattern, "%")
	if len(parts) == 1 {
		return pattern == value
	}

	head, tail := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(value, head) {
		return false
	}

	value = value[len(head):]

	for _, middle := range parts[1 : len(parts)-1] {
		index := strings.Index(value, middle)
		if index < 0 {
			return false
		}

		value = value[index+len(middle):]
	}

	return strings.HasSuffix(value, tail)
}

// tagNames returns the names of the top-level returnedTags children. The children of a
// nested tag such as primaryExtension are not honoured: the whole element is returned.
func tagNames(returned *node) []string {
	names := make([]string, 0, len(returned.children))
	for _, c := range returned.children {
		names = append(names, c.name.Local)
	}

	return names
}

// userElement is a user in getUser and listUser responses, in RUser order; nil fields are
// tags the request did not name.
type userElement struct {
	XMLName           xml.Name          `xml:"user"`
	UUID              string            `xml:"uuid,attr"`
	FirstName         *string           `xml:"firstName"`
	LastName          *string           `xml:"lastName"`
	UserID            *string           `xml:"userid"`
	MailID            *string           `xml:"mailid"`
	Department        *string           `xml:"department"`
	AssociatedDevices *devicesElement   `xml:"associatedDevices"`
	PrimaryExtension  *extensionElement `xml:"primaryExtension"`
	EnableCTI         *string           `xml:"enableCti"`
	PhoneProfiles     *profilesElement  `xml:"phoneProfiles"`
	DefaultProfile    *foreignKeyValue  `xml:"defaultProfile"`
	PresenceGroupName *foreignKeyValue  `xml:"presenceGroupName"`
	EnableMobility    *string           `xml:"enableMobility"`
	HomeCluster       *string           `xml:"homeCluster"`
	IMAndPresence     *string           `xml:"imAndPresenceEnable"`
	TelephoneNumber   *string           `xml:"telephoneNumber"`
	Title             *string           `xml:"title"`
	LDAPDirectoryName *foreignKeyValue  `xml:"ldapDirectoryName"`
}

type devicesElement struct {
	Device []string `xml:"device"`
}

type profilesElement struct {
	ProfileName []string `xml:"profileName"`
}

type extensionElement struct {
	Pattern            *string `xml:"pattern"`
	RoutePartitionName *string `xml:"routePartitionName"`
}

type foreignKeyValue struct {
	UUID  string `xml:"uuid,attr,omitempty"`
	Value string `xml:",chardata"`
}

// standardPresenceGroupUUID identifies the default presence group in responses.
const standardPresenceGroupUUID = "{AD243D17-98B4-4118-8FEB-5FF2E1B781AC}"

func writeUser(buf *bytes.Buffer, u axl.User, tags []string) error {
	element := userElement{UUID: u.UUID}

	for _, tag := range tags {
		setTag(&element, u, tag)
	}

	return xml.NewEncoder(buf).Encode(element)
}

func setTag(element *userElement, u axl.User, tag string) {
	value := func(s string) *string { return &s }

	switch tag {
	case "firstName":
		element.FirstName = value(u.FirstName)
	case "lastName":
		element.LastName = value(u.LastName)
	case "userid":
		element.UserID = value(u.UserID)
	case "mailid":
		element.MailID = value(u.MailID)
	case "department":
		element.Department = value(u.Department)
	case "associatedDevices":
		element.AssociatedDevices = &devicesElement{Device: slices.Clone(u.AssociatedDevices)}
	case "primaryExtension":
		element.PrimaryExtension = &extensionElement{}
		if u.PrimaryExtension != nil {
			element.PrimaryExtension.Pattern = value(u.PrimaryExtension.Pattern)
			element.PrimaryExtension.RoutePartitionName = value(u.PrimaryExtension.RoutePartitionName)
		}
	case "enableCti":
		element.EnableCTI = flagText(u.EnableCTI)
	case "phoneProfiles":
		element.PhoneProfiles = &profilesElement{ProfileName: slices.Clone(u.PhoneProfiles)}
	case "defaultProfile":
		element.DefaultProfile = &foreignKeyValue{Value: u.DefaultProfile}
	case "enableMobility":
		element.EnableMobility = flagText(u.EnableMobility)
	case "homeCluster":
		element.HomeCluster = flagText(u.HomeCluster)
	case "imAndPresenceEnable":
		element.IMAndPresence = flagText(u.IMAndPresenceEnable)
	case "presenceGroupName":
		element.PresenceGroupName = &foreignKeyValue{Value: u.PresenceGroupName}
		if u.PresenceGroupName == axl.DefaultPresenceGroup {
			element.PresenceGroupName.UUID = standardPresenceGroupUUID
		}
	case "telephoneNumber":
		element.TelephoneNumber = value(u.TelephoneNumber)
	case "title":
		element.Title = value(u.Title)
	case "ldapDirectoryName":
		element.LDAPDirectoryName = &foreignKeyValue{Value: u.LDAPDirectoryName}
	}
}

// flagText is a user flag in a response; a flag that PutUser left nil reads as false.
func flagText(flag *bool) *string {
	text := boolText(flag != nil && *flag)

	return &text
}

func returnValue(value string) []byte {
	var buf bytes.Buffer

	buf.WriteString("<return>")
	xml.EscapeText(&buf, []byte(value))
	buf.WriteString("</return>")

	return buf.Bytes()
}

// newUUID returns a random UUID in UCM's form: braces and upper case.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])

	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80

	return fmt.Sprintf("{%X-%X-%X-%X-%X}", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
