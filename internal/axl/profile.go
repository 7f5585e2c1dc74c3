package axl

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"
)

// Device profile operation names.
const (
	OpAddDeviceProfile    = "addDeviceProfile"
	OpGetDeviceProfile    = "getDeviceProfile"
	OpRemoveDeviceProfile = "removeDeviceProfile"
)

// DeviceProfile is an extension mobility profile: the lines a user takes to any phone of the
// same product that they log in to. A user reaches it through [User.PhoneProfiles].
type DeviceProfile struct {
	// UUID is UCM's identifier in braces and upper case. Read only.
	UUID string `json:"uuid,omitempty"`
	// Name identifies the profile, such as UDP_jdoe_8841. Required.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Product is the phone model the profile is for, such as "Cisco 8841". Required.
	Product string `json:"product"`
	// Class is [ClassDeviceProfile], which AddDeviceProfile sends when Class is empty.
	Class string `json:"class,omitempty"`
	// Protocol is [ProtocolSIP] or [ProtocolSCCP]. Required.
	Protocol string `json:"protocol"`
	// ProtocolSide is [ProtocolSideUser], which AddDeviceProfile sends when it is empty.
	ProtocolSide      string      `json:"protocolSide,omitempty"`
	PhoneTemplateName string      `json:"phoneTemplateName,omitempty"`
	Lines             []PhoneLine `json:"lines,omitempty"`
}

// AddDeviceProfile creates p and returns its UUID in braces and upper case. Name, Product and
// Protocol are required. An existing device name, of a phone or a profile, is a [*Fault] for
// which [IsDuplicate] is true.
func (c *Client) AddDeviceProfile(ctx context.Context, p DeviceProfile) (string, error) {
	if err := checkNewDevice(OpAddDeviceProfile, p.Name, p.Product, p.Protocol); err != nil {
		return "", err
	}

	if err := checkPhoneLines(OpAddDeviceProfile, p.Lines); err != nil {
		return "", err
	}

	request := addDeviceProfileRequest{
		XMLName: operationName(OpAddDeviceProfile),
		Profile: xDeviceProfile{
			Name:              p.Name,
			Description:       p.Description,
			Product:           p.Product,
			Class:             valueOr(p.Class, ClassDeviceProfile),
			Protocol:          p.Protocol,
			ProtocolSide:      valueOr(p.ProtocolSide, ProtocolSideUser),
			Lines:             newXLines(p.Lines, false),
			PhoneTemplateName: p.PhoneTemplateName,
		},
	}

	return c.callAdd(ctx, OpAddDeviceProfile, &request)
}

// GetDeviceProfile returns the device profile named name, with its lines. A missing profile
// is a [*Fault] for which [IsNotFound] is true.
func (c *Client) GetDeviceProfile(ctx context.Context, name string) (DeviceProfile, error) {
	if name == "" {
		return DeviceProfile{}, errors.New("axl getDeviceProfile: name is empty")
	}

	request := getDeviceProfileRequest{XMLName: operationName(OpGetDeviceProfile), Name: name}

	var response getDeviceProfileResponse
	if err := c.call(ctx, OpGetDeviceProfile, &request, &response); err != nil {
		return DeviceProfile{}, err
	}

	r := response.Profile

	return DeviceProfile{
		UUID:              strings.ToUpper(r.UUID),
		Name:              r.Name,
		Description:       r.Description,
		Product:           r.Product,
		Class:             r.Class,
		Protocol:          r.Protocol,
		ProtocolSide:      r.ProtocolSide,
		PhoneTemplateName: r.PhoneTemplateName,
		Lines:             toPhoneLines(r.Lines),
	}, nil
}

// RemoveDeviceProfile deletes the device profile named name. UCM drops it from the profiles
// of its users. A missing profile is a [*Fault] for which [IsNotFound] is true.
func (c *Client) RemoveDeviceProfile(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("axl removeDeviceProfile: name is empty")
	}

	request := removeDeviceRequest{XMLName: operationName(OpRemoveDeviceProfile), Name: name}

	return c.call(ctx, OpRemoveDeviceProfile, &request, &standardResponse{})
}

// The request types below follow the AXL schema's XDeviceProfile and GetDeviceProfileReq with
// RDeviceProfile.

type addDeviceProfileRequest struct {
	XMLName xml.Name
	Profile xDeviceProfile `xml:"deviceProfile"`
}

type xDeviceProfile struct {
	Name              string  `xml:"name"`
	Description       string  `xml:"description,omitempty"`
	Product           string  `xml:"product"`
	Class             string  `xml:"class"`
	Protocol          string  `xml:"protocol"`
	ProtocolSide      string  `xml:"protocolSide"`
	Lines             *xLines `xml:"lines,omitempty"`
	PhoneTemplateName string  `xml:"phoneTemplateName,omitempty"`
}

type getDeviceProfileRequest struct {
	XMLName      xml.Name
	Name         string            `xml:"name"`
	ReturnedTags deviceProfileTags `xml:"returnedTags"`
}

// deviceProfileTags requests the fields of DeviceProfile, in the order of RDeviceProfile.
type deviceProfileTags struct {
	Name              string        `xml:"name"`
	Description       string        `xml:"description"`
	Product           string        `xml:"product"`
	Class             string        `xml:"class"`
	Protocol          string        `xml:"protocol"`
	ProtocolSide      string        `xml:"protocolSide"`
	Lines             phoneLinesTag `xml:"lines"`
	PhoneTemplateName string        `xml:"phoneTemplateName"`
}

type getDeviceProfileResponse struct {
	Profile rDeviceProfile `xml:"return>deviceProfile"`
}

type rDeviceProfile struct {
	UUID              string       `xml:"uuid,attr"`
	Name              string       `xml:"name"`
	Description       string       `xml:"description"`
	Product           string       `xml:"product"`
	Class             string       `xml:"class"`
	Protocol          string       `xml:"protocol"`
	ProtocolSide      string       `xml:"protocolSide"`
	Lines             []rPhoneLine `xml:"lines>line"`
	PhoneTemplateName string       `xml:"phoneTemplateName"`
}
