package axl

import (
	"encoding/xml"
	"slices"
	"strings"
)

// The request types below follow the element order of the AXL schema's sequences (XUser,
// UpdateUserReq, GetUserReq with RUser, ListUserReq with LUser, RemoveUserReq). UCM rejects
// elements out of order, so keep fields in schema order when adding any.

type addUserRequest struct {
	XMLName xml.Name
	User    xUser `xml:"user"`
}

// xUser is the subset of the schema's XUser that ucmpush sends.
type xUser struct {
	FirstName         string      `xml:"firstName,omitempty"`
	LastName          string      `xml:"lastName"`
	UserID            string      `xml:"userid"`
	MailID            string      `xml:"mailid,omitempty"`
	Department        string      `xml:"department,omitempty"`
	AssociatedDevices *xDevices   `xml:"associatedDevices,omitempty"`
	PrimaryExtension  *xExtension `xml:"primaryExtension,omitempty"`
	EnableCTI         *bool       `xml:"enableCti,omitempty"`
	PhoneProfiles     *xProfiles  `xml:"phoneProfiles,omitempty"`
	DefaultProfile    string      `xml:"defaultProfile,omitempty"`
	PresenceGroupName string      `xml:"presenceGroupName,omitempty"`
	EnableMobility    *bool       `xml:"enableMobility,omitempty"`
	HomeCluster       *bool       `xml:"homeCluster,omitempty"`
	IMAndPresence     *bool       `xml:"imAndPresenceEnable,omitempty"`
	TelephoneNumber   string      `xml:"telephoneNumber,omitempty"`
	Title             string      `xml:"title,omitempty"`
}

// xProfiles is phoneProfiles: device profile names.
type xProfiles struct {
	ProfileName []string `xml:"profileName"`
}

func newXProfiles(names []string) *xProfiles {
	if names == nil {
		return nil
	}

	return &xProfiles{ProfileName: slices.Clone(names)}
}

type xDevices struct {
	Device []string `xml:"device"`
}

// xExtension leaves out an empty pattern, so an Extension without one sends an empty
// primaryExtension element.
type xExtension struct {
	Pattern            string `xml:"pattern,omitempty"`
	RoutePartitionName string `xml:"routePartitionName,omitempty"`
}

func newXUser(u User) xUser {
	x := xUser{
		FirstName:         u.FirstName,
		LastName:          u.LastName,
		UserID:            u.UserID,
		MailID:            u.MailID,
		Department:        u.Department,
		EnableCTI:         u.EnableCTI,
		DefaultProfile:    u.DefaultProfile,
		PresenceGroupName: u.PresenceGroupName,
		EnableMobility:    u.EnableMobility,
		HomeCluster:       u.HomeCluster,
		IMAndPresence:     u.IMAndPresenceEnable,
		TelephoneNumber:   u.TelephoneNumber,
		Title:             u.Title,
	}

	if len(u.PhoneProfiles) > 0 {
		x.PhoneProfiles = newXProfiles(u.PhoneProfiles)
	}

	if len(u.AssociatedDevices) > 0 {
		x.AssociatedDevices = &xDevices{Device: slices.Clone(u.AssociatedDevices)}
	}

	// A new user without a pattern has no primary extension to clear, so nothing is sent.
	if u.PrimaryExtension != nil && u.PrimaryExtension.Pattern != "" {
		x.PrimaryExtension = newXExtension(u.PrimaryExtension)
	}

	return x
}

func newXExtension(e *Extension) *xExtension {
	if e == nil {
		return nil
	}

	return &xExtension{Pattern: EscapePattern(e.Pattern), RoutePartitionName: e.RoutePartitionName}
}

type updateUserRequest struct {
	XMLName           xml.Name
	UserID            string      `xml:"userid"`
	FirstName         *string     `xml:"firstName,omitempty"`
	LastName          *string     `xml:"lastName,omitempty"`
	NewUserID         *string     `xml:"newUserid,omitempty"`
	MailID            *string     `xml:"mailid,omitempty"`
	Department        *string     `xml:"department,omitempty"`
	AssociatedDevices *xDevices   `xml:"associatedDevices,omitempty"`
	PrimaryExtension  *xExtension `xml:"primaryExtension,omitempty"`
	EnableCTI         *bool       `xml:"enableCti,omitempty"`
	PhoneProfiles     *xProfiles  `xml:"phoneProfiles,omitempty"`
	DefaultProfile    *string     `xml:"defaultProfile,omitempty"`
	EnableMobility    *bool       `xml:"enableMobility,omitempty"`
	HomeCluster       *bool       `xml:"homeCluster,omitempty"`
	IMAndPresence     *bool       `xml:"imAndPresenceEnable,omitempty"`
	TelephoneNumber   *string     `xml:"telephoneNumber,omitempty"`
	Title             *string     `xml:"title,omitempty"`
}

func newUpdateUserRequest(u UserUpdate) updateUserRequest {
	request := updateUserRequest{
		XMLName:          operationName(OpUpdateUser),
		UserID:           u.UserID,
		FirstName:        u.FirstName,
		LastName:         u.LastName,
		NewUserID:        u.NewUserID,
		MailID:           u.MailID,
		Department:       u.Department,
		PrimaryExtension: newXExtension(u.PrimaryExtension),
		EnableCTI:        u.EnableCTI,
		PhoneProfiles:    newXProfiles(u.PhoneProfiles),
		DefaultProfile:   u.DefaultProfile,
		EnableMobility:   u.EnableMobility,
		HomeCluster:      u.HomeCluster,
		IMAndPresence:    u.IMAndPresenceEnable,
		TelephoneNumber:  u.TelephoneNumber,
		Title:            u.Title,
	}

	if u.AssociatedDevices != nil {
		request.AssociatedDevices = &xDevices{Device: slices.Clone(u.AssociatedDevices)}
	}

	return request
}

type getUserRequest struct {
	XMLName      xml.Name
	UserID       string      `xml:"userid"`
	ReturnedTags getUserTags `xml:"returnedTags"`
}

// getUserTags requests the fields of User, in the order of the schema's RUser. An empty
// element names a returned tag.
type getUserTags struct {
	FirstName         string `xml:"firstName"`
	LastName          string `xml:"lastName"`
	UserID            string `xml:"userid"`
	MailID            string `xml:"mailid"`
	Department        string `xml:"department"`
	AssociatedDevices struct {
		Device string `xml:"device"`
	} `xml:"associatedDevices"`
	PrimaryExtension struct {
		Pattern            string `xml:"pattern"`
		RoutePartitionName string `xml:"routePartitionName"`
	} `xml:"primaryExtension"`
	EnableCTI     boolTag `xml:"enableCti"`
	PhoneProfiles struct {
		ProfileName string `xml:"profileName"`
	} `xml:"phoneProfiles"`
	DefaultProfile    string  `xml:"defaultProfile"`
	PresenceGroupName string  `xml:"presenceGroupName"`
	EnableMobility    boolTag `xml:"enableMobility"`
	HomeCluster       boolTag `xml:"homeCluster"`
	IMAndPresence     boolTag `xml:"imAndPresenceEnable"`
	TelephoneNumber   string  `xml:"telephoneNumber"`
	Title             string  `xml:"title"`
	LDAPDirectoryName string  `xml:"ldapDirectoryName"`
}

type removeUserRequest struct {
	XMLName xml.Name
	UserID  string `xml:"userid"`
}

type listUserRequest struct {
	XMLName        xml.Name
	SearchCriteria listUserCriteria `xml:"searchCriteria"`
	ReturnedTags   listUserTags     `xml:"returnedTags"`
	Skip           *int             `xml:"skip,omitempty"`
	First          *int             `xml:"first,omitempty"`
}

// listUserCriteria follows the order of ListUserReq's searchCriteria.
type listUserCriteria struct {
	FirstName string `xml:"firstName,omitempty"`
	LastName  string `xml:"lastName,omitempty"`
	UserID    string `xml:"userid,omitempty"`
}

// listUserTags follows the order of the schema's LUser. A non-nil field requests the tag.
type listUserTags struct {
	FirstName        *string        `xml:"firstName,omitempty"`
	LastName         *string        `xml:"lastName,omitempty"`
	UserID           *string        `xml:"userid,omitempty"`
	MailID           *string        `xml:"mailid,omitempty"`
	Department       *string        `xml:"department,omitempty"`
	PrimaryExtension *listExtension `xml:"primaryExtension,omitempty"`
	TelephoneNumber  *string        `xml:"telephoneNumber,omitempty"`
	Title            *string        `xml:"title,omitempty"`
}

type listExtension struct {
	Pattern            string `xml:"pattern"`
	RoutePartitionName string `xml:"routePartitionName"`
}

func newListUserRequest(r ListUsersRequest) (listUserRequest, error) {
	if err := checkListRequest(r); err != nil {
		return listUserRequest{}, err
	}

	request := listUserRequest{
		XMLName: operationName(OpListUser),
		SearchCriteria: listUserCriteria{
			FirstName: r.FirstName,
			LastName:  r.LastName,
			UserID:    r.UserID,
		},
	}

	if r.FirstName == "" && r.LastName == "" && r.UserID == "" {
		request.SearchCriteria.UserID = "%"
	}

	tags := r.ReturnedTags
	if len(tags) == 0 {
		tags = listTags
	}

	for _, tag := range tags {
		request.ReturnedTags.set(tag)
	}

	if r.First > 0 {
		first := r.First
		request.First = &first

		if r.Skip > 0 {
			skip := r.Skip
			request.Skip = &skip
		}
	}

	return request, nil
}

func (t *listUserTags) set(tag Tag) {
	empty := new(string)

	switch tag {
	case TagFirstName:
		t.FirstName = empty
	case TagLastName:
		t.LastName = empty
	case TagUserID:
		t.UserID = empty
	case TagMailID:
		t.MailID = empty
	case TagDepartment:
		t.Department = empty
	case TagPrimaryExtension:
		t.PrimaryExtension = &listExtension{}
	case TagTelephoneNumber:
		t.TelephoneNumber = empty
	case TagTitle:
		t.Title = empty
	}
}

type standardResponse struct {
	Return string `xml:"return"`
}

type getUserResponse struct {
	User rUser `xml:"return>user"`
}

type listUserResponse struct {
	Users []rUser `xml:"return>user"`
}

// rUser reads a user from getUser (RUser) and listUser (LUser) responses. Unknown elements
// are ignored, because UCM returns more than ucmpush reads.
type rUser struct {
	UUID              string      `xml:"uuid,attr"`
	FirstName         string      `xml:"firstName"`
	LastName          string      `xml:"lastName"`
	UserID            string      `xml:"userid"`
	MailID            string      `xml:"mailid"`
	Department        string      `xml:"department"`
	AssociatedDevices []string    `xml:"associatedDevices>device"`
	PrimaryExtension  *xExtension `xml:"primaryExtension"`
	EnableCTI         string      `xml:"enableCti"`
	PhoneProfiles     []string    `xml:"phoneProfiles>profileName"`
	DefaultProfile    string      `xml:"defaultProfile"`
	PresenceGroupName string      `xml:"presenceGroupName"`
	EnableMobility    string      `xml:"enableMobility"`
	HomeCluster       string      `xml:"homeCluster"`
	IMAndPresence     string      `xml:"imAndPresenceEnable"`
	TelephoneNumber   string      `xml:"telephoneNumber"`
	Title             string      `xml:"title"`
	LDAPDirectoryName string      `xml:"ldapDirectoryName"`
}

func (r rUser) toUser() User {
	u := User{
		UUID:                strings.ToUpper(r.UUID),
		UserID:              r.UserID,
		FirstName:           r.FirstName,
		LastName:            r.LastName,
		MailID:              r.MailID,
		TelephoneNumber:     r.TelephoneNumber,
		Department:          r.Department,
		Title:               r.Title,
		LDAPDirectoryName:   r.LDAPDirectoryName,
		AssociatedDevices:   r.AssociatedDevices,
		PresenceGroupName:   r.PresenceGroupName,
		EnableCTI:           parseBool(r.EnableCTI),
		PhoneProfiles:       r.PhoneProfiles,
		DefaultProfile:      r.DefaultProfile,
		EnableMobility:      parseBool(r.EnableMobility),
		HomeCluster:         parseBool(r.HomeCluster),
		IMAndPresenceEnable: parseBool(r.IMAndPresence),
	}

	if r.PrimaryExtension != nil && r.PrimaryExtension.Pattern != "" {
		u.PrimaryExtension = &Extension{
			Pattern:            UnescapePattern(r.PrimaryExtension.Pattern),
			RoutePartitionName: r.PrimaryExtension.RoutePartitionName,
		}
	}

	return u
}
