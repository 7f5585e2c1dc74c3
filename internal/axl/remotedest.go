package axl

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Remote destination operation names.
const (
	OpAddRemoteDestinationProfile    = "addRemoteDestinationProfile"
	OpGetRemoteDestinationProfile    = "getRemoteDestinationProfile"
	OpRemoveRemoteDestinationProfile = "removeRemoteDestinationProfile"
	OpAddRemoteDestination           = "addRemoteDestination"
	OpGetRemoteDestination           = "getRemoteDestination"
	OpRemoveRemoteDestination        = "removeRemoteDestination"
)

// Timers of a remote destination that UCM uses when none is set, from the defaults in the AXL
// 14.0 schema's XRemoteDestination.
const (
	DefaultAnswerTooSoonTimer     = 1500 * time.Millisecond
	DefaultAnswerTooLateTimer     = 19 * time.Second
	DefaultDelayBeforeRingingCell = 4 * time.Second
)

// RemoteDestinationProfile is the device that holds a user's remote destinations for single
// number reach: it shares the lines of the user's desk phone, so that calls to them also ring
// the remote destinations. Its product, class and protocol are fixed (Remote Destination
// Profile, Remote Destination), so the type has no fields for them.
type RemoteDestinationProfile struct {
	// UUID is UCM's identifier in braces and upper case. Read only.
	UUID string `json:"uuid,omitempty"`
	// Name identifies the profile, such as RDP_jdoe. Required.
	Name                   string `json:"name"`
	Description            string `json:"description,omitempty"`
	CallingSearchSpaceName string `json:"callingSearchSpaceName,omitempty"`
	// DevicePoolName is the device pool, such as "Default". Required by the add.
	DevicePoolName string      `json:"devicePoolName"`
	Lines          []PhoneLine `json:"lines,omitempty"`
	// UserID is the owner, who must have [User.EnableMobility] set. Required.
	UserID string `json:"userId"`
}

// RemoteDestination is a number outside the cluster, such as a mobile phone, that rings
// together with the lines of a remote destination profile (single number reach).
//
// AXL 14.0 also attaches remote destinations to Jabber mobile clients (dualModeDeviceName) or
// CTI remote devices (ctiRemoteDeviceName); this type uses the remote destination profile
// only.
type RemoteDestination struct {
	// UUID is UCM's identifier in braces and upper case. Read only.
	UUID string `json:"uuid,omitempty"`
	// Name is a label for the destination; empty leaves UCM's default.
	Name string `json:"name,omitempty"`
	// Destination is the number UCM dials, such as +41791234567, unique in the cluster. It is
	// not a pattern, so a leading + is sent as is. Required.
	Destination string `json:"destination"`
	// OwnerUserID is the userid of the owner, who must have [User.EnableMobility] set and
	// own the profile. Required.
	OwnerUserID string `json:"ownerUserId"`
	// RemoteDestinationProfileName is the profile whose lines ring the destination. Required.
	RemoteDestinationProfileName string `json:"remoteDestinationProfileName"`
	// IsMobilePhone marks a mobile phone, which can receive calls handed off from the desk.
	IsMobilePhone bool `json:"isMobilePhone"`
	// EnableMobileConnect turns single number reach on for the destination. The request always
	// sends it, so false turns it off, although UCM's default is true.
	EnableMobileConnect bool `json:"enableMobileConnect"`
	// AnswerTooSoonTimer, AnswerTooLateTimer and DelayBeforeRingingCell are sent in whole
	// milliseconds; zero means UCM's defaults ([DefaultAnswerTooSoonTimer] and the others).
	AnswerTooSoonTimer     time.Duration `json:"answerTooSoonTimer,omitempty"`
	AnswerTooLateTimer     time.Duration `json:"answerTooLateTimer,omitempty"`
	DelayBeforeRingingCell time.Duration `json:"delayBeforeRingingCell,omitempty"`
	// LineAssociations are the lines of the profile that ring the destination.
	LineAssociations []Extension `json:"lineAssociations,omitempty"`
}

// AddRemoteDestinationProfile creates p and returns its UUID in braces and upper case. Name,
// DevicePoolName and UserID are required. An existing device name is a [*Fault] for which
// [IsDuplicate] is true; a missing user or line is one for which [IsNotFound] is true.
func (c *Client) AddRemoteDestinationProfile(
	ctx context.Context,
	p RemoteDestinationProfile,
) (string, error) {
	op := OpAddRemoteDestinationProfile

	switch {
	case p.Name == "":
		return "", fmt.Errorf("axl %s: name is empty", op)
	case p.DevicePoolName == "":
		return "", fmt.Errorf("axl %s %s: device pool is empty (UCM requires one)", op, p.Name)
	case p.UserID == "":
		return "", fmt.Errorf("axl %s %s: userid is empty (UCM requires an owner)", op, p.Name)
	}

	if err := checkPhoneLines(op, p.Lines); err != nil {
		return "", err
	}

	request := addRemoteDestinationProfileRequest{
		XMLName: operationName(op),
		Profile: xRemoteDestinationProfile{
			Name:                   p.Name,
			Description:            p.Description,
			Product:                ProductRemoteDestinationProfile,
			Class:                  ClassRemoteDestinationProfile,
			Protocol:               ProtocolRemoteDestination,
			ProtocolSide:           ProtocolSideUser,
			CallingSearchSpaceName: p.CallingSearchSpaceName,
			DevicePoolName:         p.DevicePoolName,
			Lines:                  newXLines(p.Lines, false),
			UserID:                 p.UserID,
		},
	}

	return c.callAdd(ctx, op, &request)
}

// GetRemoteDestinationProfile returns the remote destination profile named name, with its
// lines. A missing profile is a [*Fault] for which [IsNotFound] is true.
func (c *Client) GetRemoteDestinationProfile(
	ctx context.Context,
	name string,
) (RemoteDestinationProfile, error) {
	if name == "" {
		return RemoteDestinationProfile{}, errors.New("axl getRemoteDestinationProfile: name is empty")
	}

	request := getRemoteDestinationProfileRequest{
		XMLName: operationName(OpGetRemoteDestinationProfile),
		Name:    name,
	}

	var response getRemoteDestinationProfileResponse
	if err := c.call(ctx, OpGetRemoteDestinationProfile, &request, &response); err != nil {
		return RemoteDestinationProfile{}, err
	}

	r := response.Profile

	return RemoteDestinationProfile{
		UUID:                   strings.ToUpper(r.UUID),
		Name:                   r.Name,
		Description:            r.Description,
		CallingSearchSpaceName: r.CallingSearchSpaceName,
		DevicePoolName:         r.DevicePoolName,
		Lines:                  toPhoneLines(r.Lines),
		UserID:                 r.UserID,
	}, nil
}

// RemoveRemoteDestinationProfile deletes the remote destination profile named name. A
// missing profile is a [*Fault] for which [IsNotFound] is true.
func (c *Client) RemoveRemoteDestinationProfile(ctx context.Context, name string) error {
	if name == "" {
		return errors.New("axl removeRemoteDestinationProfile: name is empty")
	}

	request := removeDeviceRequest{XMLName: operationName(OpRemoveRemoteDestinationProfile), Name: name}

	return c.call(ctx, OpRemoveRemoteDestinationProfile, &request, &standardResponse{})
}

// AddRemoteDestination creates d and returns its UUID in braces and upper case. Destination,
// OwnerUserID and RemoteDestinationProfileName are required. An existing destination is a
// [*Fault] for which [IsDuplicate] is true.
func (c *Client) AddRemoteDestination(ctx context.Context, d RemoteDestination) (string, error) {
	op := OpAddRemoteDestination

	switch {
	case d.Destination == "":
		return "", fmt.Errorf("axl %s: destination is empty", op)
	case d.OwnerUserID == "":
		return "", fmt.Errorf("axl %s %s: owner userid is empty", op, d.Destination)
	case d.RemoteDestinationProfileName == "":
		return "", fmt.Errorf("axl %s %s: remote destination profile is empty: "+
			"add one with AddRemoteDestinationProfile", op, d.Destination)
	case d.AnswerTooSoonTimer < 0 || d.AnswerTooLateTimer < 0 || d.DelayBeforeRingingCell < 0:
		return "", fmt.Errorf("axl %s %s: timers must not be negative", op, d.Destination)
	}

	for _, line := range d.LineAssociations {
		if line.Pattern == "" {
			return "", fmt.Errorf("axl %s %s: a line association has no pattern", op, d.Destination)
		}
	}

	request := addRemoteDestinationRequest{XMLName: operationName(op), Destination: newXRemoteDestination(d)}

	return c.callAdd(ctx, op, &request)
}

// GetRemoteDestination returns the remote destination whose number is destination. A missing
// destination is a [*Fault] for which [IsNotFound] is true.
func (c *Client) GetRemoteDestination(ctx context.Context, destination string) (RemoteDestination, error) {
	if destination == "" {
		return RemoteDestination{}, errors.New("axl getRemoteDestination: destination is empty")
	}

	request := getRemoteDestinationRequest{
		XMLName:      operationName(OpGetRemoteDestination),
		Destination:  destination,
		ReturnedTags: &remoteDestinationTags{},
	}

	var response getRemoteDestinationResponse
	if err := c.call(ctx, OpGetRemoteDestination, &request, &response); err != nil {
		return RemoteDestination{}, err
	}

	return response.Destination.toRemoteDestination(), nil
}

// RemoveRemoteDestination deletes the remote destination whose number is destination. A
// missing destination is a [*Fault] for which [IsNotFound] is true.
func (c *Client) RemoveRemoteDestination(ctx context.Context, destination string) error {
	if destination == "" {
		return errors.New("axl removeRemoteDestination: destination is empty")
	}

	request := getRemoteDestinationRequest{
		XMLName:     operationName(OpRemoveRemoteDestination),
		Destination: destination,
	}

	return c.call(ctx, OpRemoveRemoteDestination, &request, &standardResponse{})
}

// The request types below follow the AXL schema's XRemoteDestinationProfile,
// XRemoteDestination, GetRemoteDestinationProfileReq with RRemoteDestinationProfile,
// GetRemoteDestinationReq with RRemoteDestination, and RemoveRemoteDestinationReq.

type addRemoteDestinationProfileRequest struct {
	XMLName xml.Name
	Profile xRemoteDestinationProfile `xml:"remoteDestinationProfile"`
}

type xRemoteDestinationProfile struct {
	Name                   string  `xml:"name"`
	Description            string  `xml:"description,omitempty"`
	Product                string  `xml:"product"`
	Class                  string  `xml:"class"`
	Protocol               string  `xml:"protocol"`
	ProtocolSide           string  `xml:"protocolSide"`
	CallingSearchSpaceName string  `xml:"callingSearchSpaceName,omitempty"`
	DevicePoolName         string  `xml:"devicePoolName"`
	Lines                  *xLines `xml:"lines,omitempty"`
	UserID                 string  `xml:"userId"`
}

type getRemoteDestinationProfileRequest struct {
	XMLName      xml.Name
	Name         string                       `xml:"name"`
	ReturnedTags remoteDestinationProfileTags `xml:"returnedTags"`
}

// remoteDestinationProfileTags follows the order of RRemoteDestinationProfile.
type remoteDestinationProfileTags struct {
	Name                   string        `xml:"name"`
	Description            string        `xml:"description"`
	CallingSearchSpaceName string        `xml:"callingSearchSpaceName"`
	DevicePoolName         string        `xml:"devicePoolName"`
	Lines                  phoneLinesTag `xml:"lines"`
	UserID                 string        `xml:"userId"`
}

type getRemoteDestinationProfileResponse struct {
	Profile rRemoteDestinationProfile `xml:"return>remoteDestinationProfile"`
}

type rRemoteDestinationProfile struct {
	UUID                   string       `xml:"uuid,attr"`
	Name                   string       `xml:"name"`
	Description            string       `xml:"description"`
	CallingSearchSpaceName string       `xml:"callingSearchSpaceName"`
	DevicePoolName         string       `xml:"devicePoolName"`
	Lines                  []rPhoneLine `xml:"lines>line"`
	UserID                 string       `xml:"userId"`
}

type addRemoteDestinationRequest struct {
	XMLName     xml.Name
	Destination xRemoteDestination `xml:"remoteDestination"`
}

type xRemoteDestination struct {
	Name                         string             `xml:"name,omitempty"`
	Destination                  string             `xml:"destination"`
	AnswerTooSoonTimer           int64              `xml:"answerTooSoonTimer"`
	AnswerTooLateTimer           int64              `xml:"answerTooLateTimer"`
	DelayBeforeRingingCell       int64              `xml:"delayBeforeRingingCell"`
	OwnerUserID                  string             `xml:"ownerUserId"`
	RemoteDestinationProfileName string             `xml:"remoteDestinationProfileName"`
	IsMobilePhone                bool               `xml:"isMobilePhone"`
	EnableMobileConnect          bool               `xml:"enableMobileConnect"`
	LineAssociations             *xLineAssociations `xml:"lineAssociations,omitempty"`
}

type xLineAssociations struct {
	LineAssociation []lineKey `xml:"lineAssociation"`
}

func newXRemoteDestination(d RemoteDestination) xRemoteDestination {
	x := xRemoteDestination{
		Name:                         d.Name,
		Destination:                  d.Destination,
		AnswerTooSoonTimer:           milliseconds(d.AnswerTooSoonTimer, DefaultAnswerTooSoonTimer),
		AnswerTooLateTimer:           milliseconds(d.AnswerTooLateTimer, DefaultAnswerTooLateTimer),
		DelayBeforeRingingCell:       milliseconds(d.DelayBeforeRingingCell, DefaultDelayBeforeRingingCell),
		OwnerUserID:                  d.OwnerUserID,
		RemoteDestinationProfileName: d.RemoteDestinationProfileName,
		IsMobilePhone:                d.IsMobilePhone,
		EnableMobileConnect:          d.EnableMobileConnect,
	}

	if len(d.LineAssociations) > 0 {
		x.LineAssociations = &xLineAssociations{}
		for _, line := range d.LineAssociations {
			x.LineAssociations.LineAssociation = append(x.LineAssociations.LineAssociation, newLineKey(line))
		}
	}

	return x
}

func milliseconds(d, fallback time.Duration) int64 {
	if d == 0 {
		d = fallback
	}

	return d.Milliseconds()
}

// getRemoteDestinationRequest selects a remote destination by number, for get and remove.
type getRemoteDestinationRequest struct {
	XMLName      xml.Name
	Destination  string                 `xml:"destination"`
	ReturnedTags *remoteDestinationTags `xml:"returnedTags,omitempty"`
}

// remoteDestinationTags follows the order of RRemoteDestination.
type remoteDestinationTags struct {
	Name                         string  `xml:"name"`
	Destination                  string  `xml:"destination"`
	AnswerTooSoonTimer           string  `xml:"answerTooSoonTimer"`
	AnswerTooLateTimer           string  `xml:"answerTooLateTimer"`
	DelayBeforeRingingCell       string  `xml:"delayBeforeRingingCell"`
	OwnerUserID                  string  `xml:"ownerUserId"`
	RemoteDestinationProfileName string  `xml:"remoteDestinationProfileName"`
	IsMobilePhone                boolTag `xml:"isMobilePhone"`
	EnableMobileConnect          boolTag `xml:"enableMobileConnect"`
	LineAssociations             struct {
		LineAssociation struct {
			Pattern            string `xml:"pattern"`
			RoutePartitionName string `xml:"routePartitionName"`
		} `xml:"lineAssociation"`
	} `xml:"lineAssociations"`
}

type getRemoteDestinationResponse struct {
	Destination rRemoteDestination `xml:"return>remoteDestination"`
}

type rRemoteDestination struct {
	UUID                         string    `xml:"uuid,attr"`
	Name                         string    `xml:"name"`
	Destination                  string    `xml:"destination"`
	AnswerTooSoonTimer           string    `xml:"answerTooSoonTimer"`
	AnswerTooLateTimer           string    `xml:"answerTooLateTimer"`
	DelayBeforeRingingCell       string    `xml:"delayBeforeRingingCell"`
	OwnerUserID                  string    `xml:"ownerUserId"`
	RemoteDestinationProfileName string    `xml:"remoteDestinationProfileName"`
	IsMobilePhone                string    `xml:"isMobilePhone"`
	EnableMobileConnect          string    `xml:"enableMobileConnect"`
	LineAssociations             []lineKey `xml:"lineAssociations>lineAssociation"`
}

func (r rRemoteDestination) toRemoteDestination() RemoteDestination {
	d := RemoteDestination{
		UUID:                         strings.ToUpper(r.UUID),
		Name:                         r.Name,
		Destination:                  r.Destination,
		OwnerUserID:                  r.OwnerUserID,
		RemoteDestinationProfileName: r.RemoteDestinationProfileName,
		IsMobilePhone:                isTrue(r.IsMobilePhone),
		EnableMobileConnect:          isTrue(r.EnableMobileConnect),
		AnswerTooSoonTimer:           parseMilliseconds(r.AnswerTooSoonTimer),
		AnswerTooLateTimer:           parseMilliseconds(r.AnswerTooLateTimer),
		DelayBeforeRingingCell:       parseMilliseconds(r.DelayBeforeRingingCell),
	}

	for _, line := range r.LineAssociations {
		d.LineAssociations = append(d.LineAssociations, Extension{
			Pattern:            UnescapePattern(line.Pattern),
			RoutePartitionName: line.RoutePartitionName,
		})
	}

	return d
}

func isTrue(s string) bool {
	value := parseBool(s)

	return value != nil && *value
}
