package axl

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultPresenceGroup is the presence group UCM assigns when addUser names none.
const DefaultPresenceGroup = "Standard Presence group"

// User is a UCM end user as ucmpush reads and writes it. Empty strings are fields UCM holds
// empty, or fields a list call did not return.
type User struct {
	// UUID is UCM's identifier in braces and upper case, such as
	// {3E9D9F47-2D2B-4B2B-9C1E-4A5F1B6C7D8E}. Read only.
	UUID string `json:"uuid,omitempty"`
	// UserID is the login name, unique in the cluster regardless of case. Required by AddUser.
	UserID    string `json:"userid"`
	FirstName string `json:"firstName,omitempty"`
	// LastName is required by AddUser.
	LastName        string `json:"lastName,omitempty"`
	MailID          string `json:"mailid,omitempty"`
	TelephoneNumber string `json:"telephoneNumber,omitempty"`
	Department      string `json:"department,omitempty"`
	Title           string `json:"title,omitempty"`
	// LDAPDirectoryName names the UCM LDAP directory that synchronised the user; empty for
	// local users. Read only: AddUser does not send it.
	LDAPDirectoryName string `json:"ldapDirectoryName,omitempty"`
	// AssociatedDevices are the names of the devices the user controls, such as
	// SEP001122334455. UCM checks that they exist.
	AssociatedDevices []string `json:"associatedDevices,omitempty"`
	// PrimaryExtension is nil when the user has none.
	PrimaryExtension *Extension `json:"primaryExtension,omitempty"`
	// PresenceGroupName is the user's presence group. Empty on AddUser means UCM's default,
	// [DefaultPresenceGroup].
	PresenceGroupName string `json:"presenceGroupName,omitempty"`
	// EnableCTI lets CTI applications, such as Jabber in desk phone mode, control the user's
	// devices. Nil on AddUser means UCM's default, true.
	EnableCTI *bool `json:"enableCti,omitempty"`
	// PhoneProfiles are the names of the extension mobility device profiles the user may log
	// in with. UCM checks that they exist.
	PhoneProfiles []string `json:"phoneProfiles,omitempty"`
	// DefaultProfile is the device profile that extension mobility loads by default; empty
	// means none.
	DefaultProfile string `json:"defaultProfile,omitempty"`
	// EnableMobility lets the user own remote destination profiles and remote destinations
	// (single number reach). Nil on AddUser means UCM's default, false.
	EnableMobility *bool `json:"enableMobility,omitempty"`
	// HomeCluster marks this cluster as the user's home cluster, which Jabber and IM and
	// Presence need. Nil on AddUser means UCM's default, true.
	HomeCluster *bool `json:"homeCluster,omitempty"`
	// IMAndPresenceEnable enables the user for Cisco IM and Presence, which Jabber needs for
	// chat and presence (not for calls). It needs HomeCluster. Nil on AddUser leaves UCM's
	// default, which the schema does not state.
	IMAndPresenceEnable *bool `json:"imAndPresenceEnable,omitempty"`
}

// Extension is a directory number with its route partition, the key of a [Line]. An empty
// RoutePartitionName is the null partition. Pattern is in plain form, +4420... for an E.164
// number, and the client sends it as UCM stores it, \+4420... (see [EscapePattern]).
type Extension struct {
	Pattern            string `json:"pattern"`
	RoutePartitionName string `json:"routePartitionName,omitempty"`
}

// UserUpdate is a change to an existing user. Nil fields are not sent, so UCM keeps them; a
// pointer to "" clears the field.
type UserUpdate struct {
	// UserID selects the user. Required.
	UserID string
	// NewUserID renames the user; a change of case alone is allowed.
	NewUserID       *string
	FirstName       *string
	LastName        *string
	MailID          *string
	TelephoneNumber *string
	Department      *string
	Title           *string
	// AssociatedDevices replaces the whole list when non-nil, as AXL does; an empty non-nil
	// slice removes all devices. Read, merge and write to add one device.
	AssociatedDevices []string
	// PrimaryExtension sets the primary extension when non-nil. An Extension with an empty
	// Pattern sends an empty element, which clears it.
	//
	// NOTE: clearing by an empty primaryExtension element is what the simulator does; it has
	// not been checked against a real UCM.
	PrimaryExtension *Extension
	// EnableCTI, EnableMobility, HomeCluster and IMAndPresenceEnable set the flags of [User]
	// with the same names when non-nil.
	EnableCTI           *bool
	EnableMobility      *bool
	HomeCluster         *bool
	IMAndPresenceEnable *bool
	// PhoneProfiles replaces the whole list of device profiles when non-nil; an empty non-nil
	// slice removes all.
	PhoneProfiles []string
	// DefaultProfile sets the default device profile when non-nil; a pointer to "" clears it.
	DefaultProfile *string
}

// IsEmpty reports whether the update changes nothing.
func (u UserUpdate) IsEmpty() bool {
	return u.NewUserID == nil && u.FirstName == nil && u.LastName == nil && u.MailID == nil &&
		u.TelephoneNumber == nil && u.Department == nil && u.Title == nil &&
		u.AssociatedDevices == nil && u.PrimaryExtension == nil && u.EnableCTI == nil &&
		u.EnableMobility == nil && u.HomeCluster == nil && u.IMAndPresenceEnable == nil &&
		u.PhoneProfiles == nil && u.DefaultProfile == nil
}

// GetUser returns the user whose userid is userid (UCM matches it regardless of case). A
// missing user is a [*Fault] for which [IsNotFound] is true.
func (c *Client) GetUser(ctx context.Context, userid string) (User, error) {
	if userid == "" {
		return User{}, errors.New("axl getUser: userid is empty")
	}

	request := getUserRequest{XMLName: operationName(OpGetUser), UserID: userid}

	var response getUserResponse
	if err := c.call(ctx, OpGetUser, &request, &response); err != nil {
		return User{}, err
	}

	return response.User.toUser(), nil
}

// AddUser creates u and returns its UUID as UCM returns it, in braces and upper case. UserID
// and LastName are required; UUID and LDAPDirectoryName are ignored. An existing userid is a
// [*Fault] for which [IsDuplicate] is true.
func (c *Client) AddUser(ctx context.Context, u User) (string, error) {
	if err := checkNewUser(u); err != nil {
		return "", err
	}

	request := addUserRequest{XMLName: operationName(OpAddUser), User: newXUser(u)}

	var response standardResponse
	if err := c.call(ctx, OpAddUser, &request, &response); err != nil {
		return "", err
	}

	uuid := strings.TrimSpace(response.Return)
	if !isUUID(uuid) {
		return "", fmt.Errorf("axl addUser: response %q is not a UUID in braces", uuid)
	}

	return strings.ToUpper(uuid), nil
}

func checkNewUser(u User) error {
	if u.UserID == "" {
		return errors.New("axl addUser: userid is empty")
	}

	if u.LastName == "" {
		return fmt.Errorf("axl addUser %s: last name is empty (UCM requires one)", u.UserID)
	}

	return checkExtension(OpAddUser, u.PrimaryExtension)
}

func checkExtension(op string, e *Extension) error {
	if e != nil && e.Pattern == "" && e.RoutePartitionName != "" {
		return fmt.Errorf("axl %s: primary extension has partition %q but no pattern", op, e.RoutePartitionName)
	}

	return nil
}

// UpdateUser sends the fields of u that are set. An update that sets nothing returns nil
// without calling UCM. A missing user is a [*Fault] for which [IsNotFound] is true.
func (c *Client) UpdateUser(ctx context.Context, u UserUpdate) error {
	if u.UserID == "" {
		return errors.New("axl updateUser: userid is empty")
	}

	if err := checkExtension(OpUpdateUser, u.PrimaryExtension); err != nil {
		return err
	}

	if u.IsEmpty() {
		return nil
	}

	request := newUpdateUserRequest(u)

	return c.call(ctx, OpUpdateUser, &request, &standardResponse{})
}

// RemoveUser deletes the user whose userid is userid. A missing user is a [*Fault] for which
// [IsNotFound] is true, so a caller that wants removal to be idempotent checks for it.
func (c *Client) RemoveUser(ctx context.Context, userid string) error {
	if userid == "" {
		return errors.New("axl removeUser: userid is empty")
	}

	request := removeUserRequest{XMLName: operationName(OpRemoveUser), UserID: userid}

	return c.call(ctx, OpRemoveUser, &request, &standardResponse{})
}

// Tag names a user field that listUser can return. The values are AXL element names.
type Tag string

// Tags that listUser can return. listUser cannot return associated devices, the presence group
// or the LDAP directory; use [Client.GetUser] for those.
const (
	TagFirstName        Tag = "firstName"
	TagLastName         Tag = "lastName"
	TagUserID           Tag = "userid"
	TagMailID           Tag = "mailid"
	TagDepartment       Tag = "department"
	TagPrimaryExtension Tag = "primaryExtension"
	TagTelephoneNumber  Tag = "telephoneNumber"
	TagTitle            Tag = "title"
)

// listTags lists the tags in the order of the schema's LUser sequence.
var listTags = []Tag{
	TagFirstName, TagLastName, TagUserID, TagMailID, TagDepartment,
	TagPrimaryExtension, TagTelephoneNumber, TagTitle,
}

// ListUsersRequest selects users for [Client.ListUsers].
type ListUsersRequest struct {
	// UserID, FirstName and LastName are search patterns in which % matches any run of
	// characters; a pattern without % matches the whole value. Empty patterns are not sent.
	// Set patterns must all match. With none set, the request searches userid "%" (every user).
	UserID    string
	FirstName string
	LastName  string
	// ReturnedTags lists the fields to return; empty means all tags. The UUID always returns.
	ReturnedTags []Tag
	// Skip drops that many matches first. It needs First, as UCM ignores it otherwise.
	Skip int
	// First limits the number of users returned; 0 means no limit. Keep pages small enough
	// for responses under 8 MB. A user with every tag takes about 400 bytes in the
	// simulator's responses, so 5000 users take about 2 MB; real UCM responses may be larger.
	First int
}

// ListUsers returns the users that match r, in UCM's order, with only the returned tags
// filled. It returns an empty slice when nothing matches.
func (c *Client) ListUsers(ctx context.Context, r ListUsersRequest) ([]User, error) {
	request, err := newListUserRequest(r)
	if err != nil {
		return nil, err
	}

	var response listUserResponse
	if err := c.call(ctx, OpListUser, &request, &response); err != nil {
		return nil, err
	}

	users := make([]User, 0, len(response.Users))
	for _, u := range response.Users {
		users = append(users, u.toUser())
	}

	return users, nil
}

func checkListRequest(r ListUsersRequest) error {
	if err := checkPaging(OpListUser, r.Skip, r.First); err != nil {
		return err
	}

	for _, tag := range r.ReturnedTags {
		if !slices.Contains(listTags, tag) {
			return fmt.Errorf("axl listUser: returned tag %q is not available: use one of %s, "+
				"or GetUser for other fields", tag, joinTags(listTags))
		}
	}

	return nil
}

func joinTags(tags []Tag) string {
	names := make([]string, len(tags))
	for i, tag := range tags {
		names[i] = string(tag)
	}

	return strings.Join(names, ", ")
}

func isUUID(s string) bool {
	if len(s) != 38 || s[0] != '{' || s[37] != '}' {
		return false
	}

	for i, r := range s[1:37] {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}

	return true
}
