package axl

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Phone operation names.
const (
	OpAddPhone    = "addPhone"
	OpGetPhone    = "getPhone"
	OpUpdatePhone = "updatePhone"
	OpRemovePhone = "removePhone"
	OpListPhone   = "listPhone"
)

// Values of the device fields that ucmpush sends. The AXL schema's XClass, XDeviceProtocol and
// XProtocolSide enumerations hold more.
const (
	ClassPhone                    = "Phone"
	ClassDeviceProfile            = "Device Profile"
	ClassRemoteDestinationProfile = "Remote Destination Profile"
	ProtocolSIP                   = "SIP"
	ProtocolSCCP                  = "SCCP"
	ProtocolRemoteDestination     = "Remote Destination"
	ProtocolSideUser              = "User"
)

// Products that Quick User provisions, as UCM names them (the schema's XProduct). Desk
// phones are named SEP and 12 hexadecimal digits. Jabber clients are named CSF, BOT, TCT or
// TAB and up to 12 upper-case letters or digits.
const (
	ProductJabberDesktop            = "Cisco Unified Client Services Framework"
	ProductJabberAndroid            = "Cisco Dual Mode for Android"
	ProductJabberIPhone             = "Cisco Dual Mode for iPhone"
	ProductJabberTablet             = "Cisco Jabber for Tablet"
	ProductRemoteDestinationProfile = "Remote Destination Profile"
)

// Phone is a device as ucmpush provisions it. Empty strings are fields UCM holds empty, or
// fields a list call did not return.
type Phone struct {
	// UUID is UCM's identifier in braces and upper case. Read only.
	UUID string `json:"uuid,omitempty"`
	// Name identifies the device: SEP and the MAC address for a desk phone, such as
	// SEP001122334455, or CSF and up to 12 characters for Jabber on a desktop. UCM matches it
	// regardless of case. Required.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Product is the model, such as "Cisco 8841" or [ProductJabberDesktop]. Required.
	Product string `json:"product"`
	// Class is [ClassPhone], which AddPhone sends when Class is empty.
	Class string `json:"class,omitempty"`
	// Protocol is [ProtocolSIP] or [ProtocolSCCP], as the product supports. Required.
	Protocol string `json:"protocol"`
	// ProtocolSide is [ProtocolSideUser], which AddPhone sends when ProtocolSide is empty.
	ProtocolSide           string `json:"protocolSide,omitempty"`
	CallingSearchSpaceName string `json:"callingSearchSpaceName,omitempty"`
	// DevicePoolName is the device pool, such as "Default". Required by AddPhone.
	DevicePoolName string `json:"devicePoolName"`
	// CommonPhoneConfigName, LocationName and PhoneTemplateName are left to UCM's defaults
	// when empty on AddPhone, such as "Standard Common Phone Profile" and "Hub_None".
	CommonPhoneConfigName string `json:"commonPhoneConfigName,omitempty"`
	LocationName          string `json:"locationName,omitempty"`
	PhoneTemplateName     string `json:"phoneTemplateName,omitempty"`
	// OwnerUserName is the userid of the device's owner; empty means none.
	OwnerUserName string `json:"ownerUserName,omitempty"`
	// Lines are the directory numbers on the device's buttons. ListPhones does not return
	// them.
	Lines []PhoneLine `json:"lines,omitempty"`
}

// PhoneLine is a directory number on a button of a phone or profile.
type PhoneLine struct {
	// Index is the button, from 1. Required.
	Index int `json:"index"`
	// Label is the text next to the button; Display is the caller ID name for internal
	// calls. Empty leaves UCM's defaults.
	Label   string `json:"label,omitempty"`
	Display string `json:"display,omitempty"`
	// Dirn is the line's pattern and partition. The line must exist.
	Dirn Extension `json:"dirn"`
	// E164Mask is the external phone number mask, such as +44207123XXXX; empty means none.
	E164Mask string `json:"e164Mask,omitempty"`
	// AssociatedEndUsers are the userids associated with the line on this device, which
	// presence and missed-call features use.
	AssociatedEndUsers []string `json:"associatedEndUsers,omitempty"`
}

// PhoneUpdate is a change to an existing phone. Nil fields are not sent, so UCM keeps them; a
// pointer to "" clears the field.
type PhoneUpdate struct {
	// Name selects the phone. Required.
	Name                   string
	Description            *string
	CallingSearchSpaceName *string
	DevicePoolName         *string
	CommonPhoneConfigName  *string
	LocationName           *string
	// Lines replaces every line of the phone when non-nil; an empty non-nil slice removes all.
	// It cannot be combined with RemoveLines or AddLines.
	Lines []PhoneLine
	// RemoveLines takes lines off the phone, matched by Dirn; AddLines puts lines on it. UCM
	// applies the removals first.
	RemoveLines       []PhoneLine
	AddLines          []PhoneLine
	PhoneTemplateName *string
	OwnerUserName     *string
}

// IsEmpty reports whether the update changes nothing.
func (u PhoneUpdate) IsEmpty() bool {
	return u.Description == nil && u.CallingSearchSpaceName == nil && u.DevicePoolName == nil &&
		u.CommonPhoneConfigName == nil && u.LocationName == nil && u.Lines == nil &&
		len(u.RemoveLines) == 0 && len(u.AddLines) == 0 && u.PhoneTemplateName == nil &&
		u.OwnerUserName == nil
}

// AddPhone creates p and returns its UUID in braces and upper case. Name, Product, Protocol
// and DevicePoolName are required, and UUID is ignored. An existing device name is a
// [*Fault] for which [IsDuplicate] is true. A missing line, owner or device pool is a fault
// for which [IsNotFound] is true.
func (c *Client) AddPhone(ctx context.Context, p Phone) (string, error) {
	if err := checkNewDevice(OpAddPhone, p.Name, p.Product, p.Protocol); err != nil {
		return "", err
	}

	if p.DevicePoolName == "" {
		return "", fmt.Errorf("axl addPhone %s: device pool is empty (UCM requires one)", p.Name)
	}

	if err := checkPhoneLines(OpAddPhone, p.Lines); err != nil {
		return "", err
	}

	request := addPhoneRequest{XMLName: operationName(OpAddPhone), Phone: newXPhone(p)}

	return c.callAdd(ctx, OpAddPhone, &request)
}

// GetPhone returns the phone named name, with its lines. A missing phone is a [*Fault] for
// which [IsNotFound] is true.
func (c *Client) GetPhone(ctx context.Context, name string) (Phone, error) {
	if name == "" {
		return Phone{}, errors.New("axl getPhone: name is empty")
	}

	request := getPhoneRequest{XMLName: operationName(OpGetPhone), Name: name}

	var response getPhoneResponse
	if err := c.call(ctx, OpGetPhone, &request, &response); err != nil {
		return Phone{}, err
	}

	return response.Phone.toPhone(), nil
}

// UpdatePhone sends the fields of u that are set. An update that sets nothing returns nil
// without calling UCM. A missing phone is a [*Fault] for which [IsNotFound] is true.
func (c *Client) UpdatePhone(ctx context.Context, u PhoneUpdate) error {
	if u.Name == "" {
		return errors.New("axl updatePhone: name is empty")
	}

	if u.Lines != nil && (len(u.RemoveLines) > 0 || len(u.AddLines) > 0) {
		return fmt.Errorf("axl updatePhone %s: Lines replaces every line and cannot be combined "+
			"with RemoveLines or AddLines: send one or the other", u.Name)
	}

	for _, lines := range [][]PhoneLine{u.Lines, u.RemoveLines, u.AddLines} {
		if err := checkPhoneLines(OpUpdatePhone, lines); err != nil {
			return err
		}
	}

	if u.IsEmpty() {
		return nil
	}

	request := newUpdatePhoneRequest(u)

	return c.call(ctx, OpUpdatePhone, &request, &standardResponse{})
}

// RemovePhone deletes the phone named name. UCM drops it from the associated devices of its
// users. A missing phone is a [*Fault] for which [IsNotFound] is true.
func (c *Client) RemovePhone(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("axl removePhone: name is empty")
	}

	request := removeDeviceRequest{XMLName: operationName(OpRemovePhone), Name: name}

	return c.call(ctx, OpRemovePhone, &request, &standardResponse{})
}

// ListPhonesRequest selects phones for [Client.ListPhones].
type ListPhonesRequest struct {
	// Name, Description and DevicePoolName are search patterns in which % matches any run of
	// characters. Empty patterns are not sent; with none set, the request searches name "%".
	Name           string
	Description    string
	DevicePoolName string
	// Skip and First page the result as in [ListUsersRequest].
	Skip  int
	First int
}

// ListPhones returns the phones that match r, in UCM's order, without their lines: use
// [Client.GetPhone] for those. It returns an empty slice when nothing matches.
func (c *Client) ListPhones(ctx context.Context, r ListPhonesRequest) ([]Phone, error) {
	if err := checkPaging(OpListPhone, r.Skip, r.First); err != nil {
		return nil, err
	}

	request := listPhoneRequest{
		XMLName: operationName(OpListPhone),
		SearchCriteria: listPhoneCriteria{
			Name:           r.Name,
			Description:    r.Description,
			DevicePoolName: r.DevicePoolName,
		},
	}

	if r.Name == "" && r.Description == "" && r.DevicePoolName == "" {
		request.SearchCriteria.Name = "%"
	}

	request.Skip, request.First = pagingElements(r.Skip, r.First)

	var response listPhoneResponse
	if err := c.call(ctx, OpListPhone, &request, &response); err != nil {
		return nil, err
	}

	phones := make([]Phone, 0, len(response.Phones))
	for _, p := range response.Phones {
		phones = append(phones, p.toPhone())
	}

	return phones, nil
}

func checkNewDevice(op, name, product, protocol string) error {
	switch {
	case name == "":
		return fmt.Errorf("axl %s: name is empty", op)
	case product == "":
		return fmt.Errorf("axl %s %s: product is empty: use a model such as \"Cisco 8841\"", op, name)
	case protocol == "":
		return fmt.Errorf("axl %s %s: protocol is empty: use SIP or SCCP", op, name)
	}

	return nil
}

// checkPhoneLines rejects lines without a button index or a pattern, and two lines on one
// button.
func checkPhoneLines(op string, lines []PhoneLine) error {
	seen := make(map[int]bool, len(lines))

	for _, l := range lines {
		if l.Index < 1 {
			return fmt.Errorf("axl %s: line %q has index %d: buttons count from 1",
				op, l.Dirn.Pattern, l.Index)
		}

		if l.Dirn.Pattern == "" {
			return fmt.Errorf("axl %s: line %d has no pattern", op, l.Index)
		}

		if seen[l.Index] {
			return fmt.Errorf("axl %s: two lines have index %d", op, l.Index)
		}

		seen[l.Index] = true
	}

	return nil
}

// The request types below follow the AXL schema's XPhone, XPhoneLine, UpdatePhoneReq,
// GetPhoneReq with RPhone, ListPhoneReq with LPhone, and NameAndGUIDRequest.

type addPhoneRequest struct {
	XMLName xml.Name
	Phone   xPhone `xml:"phone"`
}

type xPhone struct {
	Name                   string  `xml:"name"`
	Description            string  `xml:"description,omitempty"`
	Product                string  `xml:"product"`
	Class                  string  `xml:"class"`
	Protocol               string  `xml:"protocol"`
	ProtocolSide           string  `xml:"protocolSide"`
	CallingSearchSpaceName string  `xml:"callingSearchSpaceName,omitempty"`
	DevicePoolName         string  `xml:"devicePoolName"`
	CommonPhoneConfigName  string  `xml:"commonPhoneConfigName,omitempty"`
	LocationName           string  `xml:"locationName,omitempty"`
	Lines                  *xLines `xml:"lines,omitempty"`
	PhoneTemplateName      string  `xml:"phoneTemplateName,omitempty"`
	OwnerUserName          string  `xml:"ownerUserName,omitempty"`
}

func newXPhone(p Phone) xPhone {
	return xPhone{
		Name:                   p.Name,
		Description:            p.Description,
		Product:                p.Product,
		Class:                  valueOr(p.Class, ClassPhone),
		Protocol:               p.Protocol,
		ProtocolSide:           valueOr(p.ProtocolSide, ProtocolSideUser),
		CallingSearchSpaceName: p.CallingSearchSpaceName,
		DevicePoolName:         p.DevicePoolName,
		CommonPhoneConfigName:  p.CommonPhoneConfigName,
		LocationName:           p.LocationName,
		Lines:                  newXLines(p.Lines, false),
		PhoneTemplateName:      p.PhoneTemplateName,
		OwnerUserName:          p.OwnerUserName,
	}
}

func valueOr(value, fallback string) string {
	if value == "" {
		return fallback
	}

	return value
}

// xLines is the lines element of phones and profiles. An empty element removes every line on
// updatePhone.
type xLines struct {
	Line []xPhoneLine `xml:"line"`
}

// newXLines returns nil for nil lines, and for no lines unless keepEmpty is set.
func newXLines(lines []PhoneLine, keepEmpty bool) *xLines {
	if lines == nil || (len(lines) == 0 && !keepEmpty) {
		return nil
	}

	x := &xLines{Line: make([]xPhoneLine, 0, len(lines))}
	for _, l := range lines {
		x.Line = append(x.Line, newXPhoneLine(l))
	}

	return x
}

type xPhoneLine struct {
	Index              int        `xml:"index"`
	Label              string     `xml:"label,omitempty"`
	Display            string     `xml:"display,omitempty"`
	Dirn               xDirn      `xml:"dirn"`
	E164Mask           string     `xml:"e164Mask,omitempty"`
	AssociatedEndusers *xEndusers `xml:"associatedEndusers,omitempty"`
}

// xDirn always carries routePartitionName, which XDirn requires; empty is the null partition.
type xDirn struct {
	Pattern            string `xml:"pattern"`
	RoutePartitionName string `xml:"routePartitionName"`
}

type xEndusers struct {
	Enduser []xEnduser `xml:"enduser"`
}

type xEnduser struct {
	UserID string `xml:"userId"`
}

func newXPhoneLine(l PhoneLine) xPhoneLine {
	x := xPhoneLine{
		Index:   l.Index,
		Label:   l.Label,
		Display: l.Display,
		Dirn: xDirn{
			Pattern:            EscapePattern(l.Dirn.Pattern),
			RoutePartitionName: l.Dirn.RoutePartitionName,
		},
		E164Mask: l.E164Mask,
	}

	if len(l.AssociatedEndUsers) > 0 {
		x.AssociatedEndusers = &xEndusers{}
		for _, userid := range l.AssociatedEndUsers {
			x.AssociatedEndusers.Enduser = append(x.AssociatedEndusers.Enduser, xEnduser{UserID: userid})
		}
	}

	return x
}

type updatePhoneRequest struct {
	XMLName                xml.Name
	Name                   string  `xml:"name"`
	Description            *string `xml:"description,omitempty"`
	CallingSearchSpaceName *string `xml:"callingSearchSpaceName,omitempty"`
	DevicePoolName         *string `xml:"devicePoolName,omitempty"`
	CommonPhoneConfigName  *string `xml:"commonPhoneConfigName,omitempty"`
	LocationName           *string `xml:"locationName,omitempty"`
	RemoveLines            *xLines `xml:"removeLines,omitempty"`
	AddLines               *xLines `xml:"addLines,omitempty"`
	Lines                  *xLines `xml:"lines,omitempty"`
	PhoneTemplateName      *string `xml:"phoneTemplateName,omitempty"`
	OwnerUserName          *string `xml:"ownerUserName,omitempty"`
}

func newUpdatePhoneRequest(u PhoneUpdate) updatePhoneRequest {
	return updatePhoneRequest{
		XMLName:                operationName(OpUpdatePhone),
		Name:                   u.Name,
		Description:            u.Description,
		CallingSearchSpaceName: u.CallingSearchSpaceName,
		DevicePoolName:         u.DevicePoolName,
		CommonPhoneConfigName:  u.CommonPhoneConfigName,
		LocationName:           u.LocationName,
		RemoveLines:            newXLines(u.RemoveLines, false),
		AddLines:               newXLines(u.AddLines, false),
		Lines:                  newXLines(u.Lines, true),
		PhoneTemplateName:      u.PhoneTemplateName,
		OwnerUserName:          u.OwnerUserName,
	}
}

// removeDeviceRequest is NameAndGUIDRequest by name: removePhone, removeDeviceProfile and
// removeRemoteDestinationProfile.
type removeDeviceRequest struct {
	XMLName xml.Name
	Name    string `xml:"name"`
}

type getPhoneRequest struct {
	XMLName      xml.Name
	Name         string    `xml:"name"`
	ReturnedTags phoneTags `xml:"returnedTags"`
}

// phoneTags requests the fields of Phone, in the order of RPhone.
type phoneTags struct {
	Name                   string        `xml:"name"`
	Description            string        `xml:"description"`
	Product                string        `xml:"product"`
	Class                  string        `xml:"class"`
	Protocol               string        `xml:"protocol"`
	ProtocolSide           string        `xml:"protocolSide"`
	CallingSearchSpaceName string        `xml:"callingSearchSpaceName"`
	DevicePoolName         string        `xml:"devicePoolName"`
	CommonPhoneConfigName  string        `xml:"commonPhoneConfigName"`
	LocationName           string        `xml:"locationName"`
	Lines                  phoneLinesTag `xml:"lines"`
	PhoneTemplateName      string        `xml:"phoneTemplateName"`
	OwnerUserName          string        `xml:"ownerUserName"`
}

// phoneLinesTag requests the fields of PhoneLine, in the order of RPhoneLine.
type phoneLinesTag struct {
	Line struct {
		Index   string `xml:"index"`
		Label   string `xml:"label"`
		Display string `xml:"display"`
		Dirn    struct {
			Pattern            string `xml:"pattern"`
			RoutePartitionName string `xml:"routePartitionName"`
		} `xml:"dirn"`
		E164Mask           string `xml:"e164Mask"`
		AssociatedEndusers struct {
			Enduser struct {
				UserID string `xml:"userId"`
			} `xml:"enduser"`
		} `xml:"associatedEndusers"`
	} `xml:"line"`
}

type listPhoneRequest struct {
	XMLName        xml.Name
	SearchCriteria listPhoneCriteria `xml:"searchCriteria"`
	ReturnedTags   listPhoneTags     `xml:"returnedTags"`
	Skip           *int              `xml:"skip,omitempty"`
	First          *int              `xml:"first,omitempty"`
}

// listPhoneCriteria follows the order of ListPhoneReq's searchCriteria.
type listPhoneCriteria struct {
	Name           string `xml:"name,omitempty"`
	Description    string `xml:"description,omitempty"`
	DevicePoolName string `xml:"devicePoolName,omitempty"`
}

// listPhoneTags requests the fields of Phone that LPhone has, in its order.
type listPhoneTags struct {
	Name                   string `xml:"name"`
	Description            string `xml:"description"`
	Product                string `xml:"product"`
	Class                  string `xml:"class"`
	Protocol               string `xml:"protocol"`
	ProtocolSide           string `xml:"protocolSide"`
	CallingSearchSpaceName string `xml:"callingSearchSpaceName"`
	DevicePoolName         string `xml:"devicePoolName"`
	CommonPhoneConfigName  string `xml:"commonPhoneConfigName"`
	LocationName           string `xml:"locationName"`
	PhoneTemplateName      string `xml:"phoneTemplateName"`
	OwnerUserName          string `xml:"ownerUserName"`
}

type getPhoneResponse struct {
	Phone rPhone `xml:"return>phone"`
}

type listPhoneResponse struct {
	Phones []rPhone `xml:"return>phone"`
}

// rPhone reads a phone from getPhone (RPhone) and listPhone (LPhone) responses.
type rPhone struct {
	UUID                   string       `xml:"uuid,attr"`
	Name                   string       `xml:"name"`
	Description            string       `xml:"description"`
	Product                string       `xml:"product"`
	Class                  string       `xml:"class"`
	Protocol               string       `xml:"protocol"`
	ProtocolSide           string       `xml:"protocolSide"`
	CallingSearchSpaceName string       `xml:"callingSearchSpaceName"`
	DevicePoolName         string       `xml:"devicePoolName"`
	CommonPhoneConfigName  string       `xml:"commonPhoneConfigName"`
	LocationName           string       `xml:"locationName"`
	Lines                  []rPhoneLine `xml:"lines>line"`
	PhoneTemplateName      string       `xml:"phoneTemplateName"`
	OwnerUserName          string       `xml:"ownerUserName"`
}

func (r rPhone) toPhone() Phone {
	return Phone{
		UUID:                   strings.ToUpper(r.UUID),
		Name:                   r.Name,
		Description:            r.Description,
		Product:                r.Product,
		Class:                  r.Class,
		Protocol:               r.Protocol,
		ProtocolSide:           r.ProtocolSide,
		CallingSearchSpaceName: r.CallingSearchSpaceName,
		DevicePoolName:         r.DevicePoolName,
		CommonPhoneConfigName:  r.CommonPhoneConfigName,
		LocationName:           r.LocationName,
		Lines:                  toPhoneLines(r.Lines),
		PhoneTemplateName:      r.PhoneTemplateName,
		OwnerUserName:          r.OwnerUserName,
	}
}

// rPhoneLine reads RPhoneLine. Index is read as text, because UCM may return it empty.
type rPhoneLine struct {
	Index   string `xml:"index"`
	Label   string `xml:"label"`
	Display string `xml:"display"`
	Dirn    struct {
		Pattern            string `xml:"pattern"`
		RoutePartitionName string `xml:"routePartitionName"`
	} `xml:"dirn"`
	E164Mask           string   `xml:"e164Mask"`
	AssociatedEndusers []string `xml:"associatedEndusers>enduser>userId"`
}

// toPhoneLines converts lines in button order. It returns nil for none, so that a device
// without lines compares equal to one that was never given any.
func toPhoneLines(lines []rPhoneLine) []PhoneLine {
	if len(lines) == 0 {
		return nil
	}

	result := make([]PhoneLine, 0, len(lines))
	for _, l := range lines {
		index, _ := strconv.Atoi(strings.TrimSpace(l.Index))
		result = append(result, PhoneLine{
			Index:   index,
			Label:   l.Label,
			Display: l.Display,
			Dirn: Extension{
				Pattern:            UnescapePattern(l.Dirn.Pattern),
				RoutePartitionName: l.Dirn.RoutePartitionName,
			},
			E164Mask:           l.E164Mask,
			AssociatedEndUsers: l.AssociatedEndusers,
		})
	}

	slices.SortStableFunc(result, func(a, b PhoneLine) int { return a.Index - b.Index })

	return result
}
