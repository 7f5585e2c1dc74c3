package activities

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
)

// The pure rules of Quick User: device names, products, and the AXL writes that bring what
// UCM holds to what a plan wants. The check uses them to list the calls of a dry run and the
// steps use them to decide what to send, so both always agree.

// Lengths of UCM names that Quick User builds. A Jabber device name is its prefix and at
// most 12 characters; device profile and remote destination profile names take 50.
const (
	maxJabberNameLength  = 15
	maxProfileNameLength = 50
	maxDescriptionLength = 128
	maxDisplayLength     = 50
)

var (
	hexDigits    = regexp.MustCompile(`^[0-9A-F]{12}$`)
	mobileNumber = regexp.MustCompile(`^\+?[0-9]{4,20}$`)
)

// DeskPhoneName returns the device name of a desk phone with the MAC address mac: SEP and
// its 12 hexadecimal digits in upper case. It accepts 00:11:22:33:44:55, 00-11-22-33-44-55,
// 0011.2233.4455 and 001122334455, in either case.
func DeskPhoneName(mac string) (string, error) {
	digits := strings.ToUpper(strings.NewReplacer(":", "", "-", "", ".", "").Replace(mac))
	if !hexDigits.MatchString(digits) {
		return "", fmt.Errorf("invalid MAC address %q: use 12 hexadecimal digits, such as "+
			"00:11:22:33:44:55", mac)
	}
	return "SEP" + digits, nil
}

// JabberDeviceName returns the name of the Jabber desktop (CSF) device of userid: CSF and the
// userid in upper case, without the characters UCM does not take in such names (anything but
// A-Z and 0-9), cut to UCM's 15 characters. Two userids that differ only past the 12th
// letter share a name; the check then finds the device taken by the other user.
func JabberDeviceName(userid string) (string, error) {
	var b strings.Builder
	b.WriteString("CSF")
	for _, r := range strings.ToUpper(userid) {
		if b.Len() == maxJabberNameLength {
			break
		}
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 3 {
		return "", fmt.Errorf("userid %q has no letter or digit for a Jabber device name "+
			"(CSF and up to 12 of A-Z and 0-9)", userid)
	}
	return b.String(), nil
}

// DeskProduct returns the UCM product of a desk phone model: "8841" and "cisco 8841" give
// "Cisco 8841". UCM, not this function, decides whether the product exists.
func DeskProduct(phoneType string) (string, error) {
	words := strings.Fields(phoneType)
	if len(words) > 0 && strings.EqualFold(words[0], "Cisco") {
		words = words[1:]
	}
	model := strings.Join(words, " ")
	if model == "" || strings.ContainsAny(model, "<>&\"") {
		return "", fmt.Errorf("invalid phone type %q: give the model, such as 8841", phoneType)
	}
	return "Cisco " + model, nil
}

// DeviceProfileName returns the name of the extension mobility profile of userid: UDP_ and
// the userid, keeping letters, digits, '.', '_' and '-', cut to 50 characters.
func DeviceProfileName(userid string) string { return profileName("UDP_", userid) }

// RemoteDestinationProfileName returns the name of the single number reach profile of
// userid: RDP_ and the userid, built as [DeviceProfileName] builds its names.
func RemoteDestinationProfileName(userid string) string { return profileName("RDP_", userid) }

func profileName(prefix, userid string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range userid {
		if b.Len() == maxProfileNameLength {
			break
		}
		if r < utf8.RuneSelf && (r == '.' || r == '_' || r == '-' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidateMobileNumber checks a single number reach destination: 4 to 20 digits, optionally
// after a leading +.
func ValidateMobileNumber(number string) error {
	if !mobileNumber.MatchString(number) {
		return fmt.Errorf("invalid mobile number %q: use 4 to 20 digits, optionally after a "+
			"leading +, such as +447700900123", number)
	}
	return nil
}

// isJabberDevice reports whether a device name is that of a Jabber client.
func isJabberDevice(name string) bool {
	upper := strings.ToUpper(name)
	for _, prefix := range []string{"CSF", "BOT", "TCT", "TAB"} {
		if strings.HasPrefix(upper, prefix) {
			return true
		}
	}
	return false
}

// displayName returns the user's full name, or the userid when both names are empty.
func displayName(a domain.Attributes) string {
	name := strings.TrimSpace(a.FirstName + " " + a.LastName)
	if name == "" {
		return a.UserID
	}
	return name
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// asciiName keeps the ASCII letters, digits and punctuation of s, at most 32 characters, for
// the ASCII alerting name of devices without Unicode fonts.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == axl.MaxASCIIAlertingNameLength {
			break
		}
		if r >= ' ' && r < utf8.RuneSelf {
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// sameExtension reports whether two extensions name the same line: the same pattern in the
// same partition, whose name UCM compares without regard to case.
func sameExtension(a, b axl.Extension) bool {
	return axl.UnescapePattern(a.Pattern) == axl.UnescapePattern(b.Pattern) &&
		strings.EqualFold(a.RoutePartitionName, b.RoutePartitionName)
}

func hasPhoneLine(lines []axl.PhoneLine, e axl.Extension) bool {
	return slices.ContainsFunc(lines, func(l axl.PhoneLine) bool { return sameExtension(l.Dirn, e) })
}

// mergeNames returns current with each of wanted that it lacks (compared without regard to
// case) appended, and the names it appended. The order of current is kept, so a device an
// operator put there by hand stays where it was.
func mergeNames(current, wanted []string) (merged, added []string) {
	merged = slices.Clone(current)
	for _, name := range wanted {
		if !containsFold(merged, name) {
			merged = append(merged, name)
			added = append(added, name)
		}
	}
	return merged, added
}

func containsFold(names []string, name string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
}

// withoutNames returns names without those of drop, compared without regard to case.
func withoutNames(names, drop []string) []string {
	kept := []string{}
	for _, n := range names {
		if !containsFold(drop, n) {
			kept = append(kept, n)
		}
	}
	return kept
}

// errUserMissing means that a user whom Quick User may not add is not on UCM.
var errUserMissing = errors.New("user is not on UCM and Quick User may not add them")

// userChange returns the add that creates the user when actual is nil, or otherwise the
// update that brings actual to spec. An update with nothing set means the user is right.
// With spec.KeepDirectoryFields set, or a user that UCM syncs from LDAP, only the flags are
// written.
func userChange(spec QuickUserSpec, actual *axl.User) (*axl.User, *axl.UserUpdate, error) {
	wanted := spec.Attributes
	if actual == nil {
		if !spec.MayAdd {
			return nil, nil, errUserMissing
		}
		return &axl.User{
			UserID: wanted.UserID, FirstName: wanted.FirstName, LastName: wanted.LastName,
			MailID: wanted.Mail, TelephoneNumber: wanted.TelephoneNumber,
			Department: wanted.Department, Title: wanted.Title,
			HomeCluster: spec.HomeCluster, IMAndPresenceEnable: spec.IMAndPresenceEnable,
			EnableMobility: spec.EnableMobility,
		}, nil, nil
	}

	update := axl.UserUpdate{UserID: actual.UserID}
	if !spec.KeepDirectoryFields {
		update = userUpdate(actual.UserID, domain.DiffUCMUser(wanted, domain.UCMUser{
			UserID: actual.UserID, FirstName: actual.FirstName, LastName: actual.LastName,
			Mail: actual.MailID, TelephoneNumber: actual.TelephoneNumber,
			Department: actual.Department, Title: actual.Title,
			LDAPDirectoryName: actual.LDAPDirectoryName,
		}))
	}
	update.HomeCluster = flagChange(spec.HomeCluster, actual.HomeCluster)
	update.IMAndPresenceEnable = flagChange(spec.IMAndPresenceEnable, actual.IMAndPresenceEnable)
	update.EnableMobility = flagChange(spec.EnableMobility, actual.EnableMobility)
	return nil, &update, nil
}

// flagChange returns want when it is set and differs from actual, else nil.
func flagChange(want, actual *bool) *bool {
	if want == nil || (actual != nil && *actual == *want) {
		return nil
	}
	value := *want
	return &value
}

// phoneChange returns the add that creates want when actual is nil, or otherwise the update
// that puts want's line on actual (on the next free button) and makes want's owner its
// owner when it has none. An update with nothing set means the phone is right. It never
// takes a line or a button off a phone.
func phoneChange(want axl.Phone, actual *axl.Phone) (*axl.Phone, *axl.PhoneUpdate) {
	if actual == nil {
		return &want, nil
	}
	update := axl.PhoneUpdate{Name: actual.Name}
	if line := want.Lines[0]; !hasPhoneLine(actual.Lines, line.Dirn) {
		line.Index = nextButton(actual.Lines)
		update.AddLines = []axl.PhoneLine{line}
	}
	if actual.OwnerUserName == "" && want.OwnerUserName != "" {
		owner := want.OwnerUserName
		update.OwnerUserName = &owner
	}
	return nil, &update
}

func nextButton(lines []axl.PhoneLine) int {
	last := 0
	for _, l := range lines {
		last = max(last, l.Index)
	}
	return last + 1
}

// associateChange returns the update that gives actual the plan's devices, its line as the
// primary extension and its device profile, as the user's phoneProfiles and default
// profile. AXL replaces the lists whole, so the update carries actual's lists with the
// plan's names appended; nothing that was there is dropped.
func associateChange(plan QuickUserPlan, actual axl.User) axl.UserUpdate {
	update := axl.UserUpdate{UserID: actual.UserID}
	if merged, added := mergeNames(actual.AssociatedDevices, plan.DeviceNames()); len(added) > 0 {
		update.AssociatedDevices = merged
	}

	ext := plan.Line.Extension()
	if actual.PrimaryExtension == nil || !sameExtension(*actual.PrimaryExtension, ext) {
		update.PrimaryExtension = &ext
	}

	if plan.Profile != nil {
		name := plan.Profile.Name
		if merged, added := mergeNames(actual.PhoneProfiles, []string{name}); len(added) > 0 {
			update.PhoneProfiles = merged
		}
		if !strings.EqualFold(actual.DefaultProfile, name) {
			update.DefaultProfile = &name
		}
	}
	return update
}

// The describe functions turn a write into the AXLCall a dry run and a step result show:
// the operation, the item and its main fields.

func describeAddUser(u axl.User) AXLCall {
	return AXLCall{Operation: axl.OpAddUser, Name: u.UserID, Fields: fields(
		"firstName", u.FirstName, "lastName", u.LastName, "mailid", u.MailID,
		"telephoneNumber", u.TelephoneNumber, "department", u.Department, "title", u.Title,
		"homeCluster", boolText(u.HomeCluster), "imAndPresenceEnable", boolText(u.IMAndPresenceEnable),
		"enableMobility", boolText(u.EnableMobility))}
}

func describeUpdateUser(u axl.UserUpdate) AXLCall {
	var f []string
	f = optional(f, "firstName", u.FirstName)
	f = optional(f, "lastName", u.LastName)
	f = optional(f, "mailid", u.MailID)
	f = optional(f, "telephoneNumber", u.TelephoneNumber)
	f = optional(f, "department", u.Department)
	f = optional(f, "title", u.Title)
	f = append(f, fields("homeCluster", boolText(u.HomeCluster),
		"imAndPresenceEnable", boolText(u.IMAndPresenceEnable),
		"enableMobility", boolText(u.EnableMobility))...)
	if u.AssociatedDevices != nil {
		f = append(f, "associatedDevices="+strings.Join(u.AssociatedDevices, ","))
	}
	if u.PrimaryExtension != nil {
		f = append(f, "primaryExtension="+extensionText(*u.PrimaryExtension))
	}
	if u.PhoneProfiles != nil {
		f = append(f, "phoneProfiles="+strings.Join(u.PhoneProfiles, ","))
	}
	f = optional(f, "defaultProfile", u.DefaultProfile)
	return AXLCall{Operation: axl.OpUpdateUser, Name: u.UserID, Fields: f}
}

// optional appends name=value when value is set, also when it is empty, which clears the
// field on UCM.
func optional(out []string, name string, value *string) []string {
	if value == nil {
		return out
	}
	return append(out, name+"="+*value)
}

func describeAddLine(l axl.Line) AXLCall {
	return AXLCall{Operation: axl.OpAddLine, Name: l.Pattern, Fields: fields(
		"routePartitionName", l.RoutePartitionName, "alertingName", l.AlertingName,
		"description", l.Description)}
}

func describeAddPhone(p axl.Phone) AXLCall {
	call := AXLCall{Operation: axl.OpAddPhone, Name: p.Name, Fields: fields(
		"product", p.Product, "protocol", p.Protocol, "devicePoolName", p.DevicePoolName,
		"callingSearchSpaceName", p.CallingSearchSpaceName,
		"phoneTemplateName", p.PhoneTemplateName, "ownerUserName", p.OwnerUserName)}
	return withLines(call, "lines", p.Lines)
}

func describeUpdatePhone(u axl.PhoneUpdate) AXLCall {
	call := AXLCall{Operation: axl.OpUpdatePhone, Name: u.Name,
		Fields: optional(nil, "ownerUserName", u.OwnerUserName)}
	call = withLines(call, "addLines", u.AddLines)
	return withLines(call, "removeLines", u.RemoveLines)
}

func describeAddDeviceProfile(p axl.DeviceProfile) AXLCall {
	call := AXLCall{Operation: axl.OpAddDeviceProfile, Name: p.Name, Fields: fields(
		"product", p.Product, "protocol", p.Protocol, "phoneTemplateName", p.PhoneTemplateName)}
	return withLines(call, "lines", p.Lines)
}

func describeAddRemoteDestinationProfile(p axl.RemoteDestinationProfile) AXLCall {
	call := AXLCall{Operation: axl.OpAddRemoteDestinationProfile, Name: p.Name, Fields: fields(
		"devicePoolName", p.DevicePoolName, "callingSearchSpaceName", p.CallingSearchSpaceName,
		"userId", p.UserID)}
	return withLines(call, "lines", p.Lines)
}

func describeAddRemoteDestination(d axl.RemoteDestination) AXLCall {
	call := AXLCall{Operation: axl.OpAddRemoteDestination, Name: d.Destination, Fields: fields(
		"ownerUserId", d.OwnerUserID, "remoteDestinationProfileName", d.RemoteDestinationProfileName,
		"enableMobileConnect", fmt.Sprint(d.EnableMobileConnect))}
	for _, l := range d.LineAssociations {
		call.Fields = append(call.Fields, "lineAssociation="+extensionText(l))
	}
	return call
}

// fields turns name, value pairs into name=value texts, leaving out empty values.
func fields(pairs ...string) []string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, pairs[i]+"="+pairs[i+1])
		}
	}
	return out
}

func withLines(call AXLCall, name string, lines []axl.PhoneLine) AXLCall {
	for _, l := range lines {
		call.Fields = append(call.Fields, fmt.Sprintf("%s=%d:%s", name, l.Index, extensionText(l.Dirn)))
	}
	return call
}

// extensionText returns a line as pattern/partition, or the pattern alone in the null
// partition.
func extensionText(e axl.Extension) string {
	if e.RoutePartitionName == "" {
		return e.Pattern
	}
	return e.Pattern + "/" + e.RoutePartitionName
}

func boolText(b *bool) string {
	if b == nil {
		return ""
	}
	return fmt.Sprint(*b)
}
