package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
)

// MaxReadUCMUsers bounds the users one ReadUCMUsers call reads from UCM. Each user takes a
// getUser and one read per device and profile, so 200 users are about a thousand requests.
const MaxReadUCMUsers = 200

// ReadUCMUsersInput names the site and the users to read from its UCM cluster.
type ReadUCMUsersInput struct {
	// Site is customer/site.
	Site  string
	Users []ReadUCMUser
}

// ReadUCMUser is one user to read.
type ReadUCMUser struct {
	UserID string
	// MobileNumber is the user's single number reach destination as the store records it,
	// whose remote destination is read; empty reads none.
	MobileNumber string `json:",omitempty"`
}

// UCMDevice is a phone or device profile as the users view shows it.
type UCMDevice struct {
	Name     string `json:"name"`
	Product  string `json:"product"`
	Protocol string `json:"protocol,omitempty"`
	Owner    string `json:"owner,omitempty"`
	// Lines are the device's lines as pattern/partition, in button order.
	Lines []string `json:"lines,omitempty"`
	// Missing is set for an associated device that UCM no longer has.
	Missing bool `json:"missing,omitempty"`
}

// UCMUserView is one user as UCM has them: the devices, lines and features.
type UCMUserView struct {
	UserID string `json:"userID"`
	// OnUCM is false when the cluster has no such user; the other fields are then empty.
	OnUCM             bool   `json:"onUCM"`
	UUID              string `json:"uuid,omitempty"`
	LDAPDirectoryName string `json:"ldapDirectoryName,omitempty"`
	// PrimaryExtension is pattern/partition, or empty.
	PrimaryExtension string      `json:"primaryExtension,omitempty"`
	Phones           []UCMDevice `json:"phones,omitempty"`
	Profiles         []UCMDevice `json:"deviceProfiles,omitempty"`
	DefaultProfile   string      `json:"defaultProfile,omitempty"`
	// Lines are the distinct lines of the user's phones and profiles, as pattern/partition.
	Lines []string `json:"lines,omitempty"`
	// RemoteDestinationProfile is the single number reach profile Quick User names RDP_ and
	// the userid; a profile of another name is not found.
	RemoteDestinationProfile *UCMDevice `json:"remoteDestinationProfile,omitempty"`
	// RemoteDestinations are the mobile numbers recorded for the user that UCM has.
	RemoteDestinations  []string `json:"remoteDestinations,omitempty"`
	HomeCluster         bool     `json:"homeCluster"`
	IMAndPresenceEnable bool     `json:"imAndPresenceEnable"`
	EnableMobility      bool     `json:"enableMobility"`
	// Features names what the user has: jabber, extension mobility, single number reach.
	Features []string `json:"features,omitempty"`
	// Error is set when the user could not be read; the rest is then empty.
	Error string `json:"error,omitempty"`
}

// ReadUCMUsersResult lists the users as UCM holds them, in the order asked.
type ReadUCMUsersResult struct {
	Site    string
	Cluster string
	Users   []UCMUserView
}

// ReadUCMUsers reads each user from the site's UCM cluster with getUser, then each
// associated device, device profile and single number reach profile, and the remote
// destination of the mobile number given. It only reads, through the
// cluster's in-flight lanes, and heartbeats per user. A fault about one user is reported in
// that user's Error; the others are still read. More than [MaxReadUCMUsers] userids fail
// with [ErrInvalidConfig].
func (a *UCMActivities) ReadUCMUsers(ctx context.Context, in ReadUCMUsersInput) (ReadUCMUsersResult, error) {
	result := ReadUCMUsersResult{Site: in.Site}
	if len(in.Users) > MaxReadUCMUsers {
		return result, nonRetryable(ErrInvalidConfig, fmt.Errorf("%d users asked, more than the %d "+
			"one read takes: ask for fewer", len(in.Users), MaxReadUCMUsers))
	}
	ref, err := domain.ParseSiteRef(in.Site)
	if err != nil {
		return result, nonRetryable(ErrInvalidConfig, err)
	}
	site, err := a.Store.Site(ctx, ref)
	if err != nil {
		return result, storeError(err)
	}
	if site.ClusterID == 0 {
		return result, nonRetryable(ErrSiteNotServed, fmt.Errorf("site %s has no UCM cluster: link "+
			"an NDL that names one with `ucmpush site set %s --ndl NAME`", ref, ref))
	}
	result.Cluster = site.Cluster

	err = a.withQuickClient(ctx, site.ClusterID, func(c quickClient) error {
		for i, user := range in.Users {
			view, err := readUCMUser(c, user.UserID, user.MobileNumber)
			if err != nil {
				return err
			}
			result.Users = append(result.Users, view)
			activity.RecordHeartbeat(ctx, i)
		}
		return nil
	})
	return result, err
}

// readUCMUser reads one user. It returns an error only for failures that concern the whole
// cluster; a fault about this user goes into the view's Error.
func readUCMUser(c quickClient, userid, mobile string) (UCMUserView, error) {
	view := UCMUserView{UserID: userid}
	u, err := c.getUser(userid)
	if err != nil {
		return userReadError(view, err)
	}
	if u == nil {
		return view, nil
	}
	view.OnUCM, view.UUID, view.LDAPDirectoryName = true, u.UUID, u.LDAPDirectoryName
	view.HomeCluster, view.IMAndPresenceEnable = isSet(u.HomeCluster), isSet(u.IMAndPresenceEnable)
	view.EnableMobility, view.DefaultProfile = isSet(u.EnableMobility), u.DefaultProfile
	if u.PrimaryExtension != nil && u.PrimaryExtension.Pattern != "" {
		view.PrimaryExtension = extensionText(*u.PrimaryExtension)
	}

	if err := readDevices(c, *u, &view); err != nil {
		return userReadError(view, err)
	}
	if err := readSingleNumberReach(c, *u, mobile, &view); err != nil {
		return userReadError(view, err)
	}
	view.Features = featuresOf(view)
	return view, nil
}

// userReadError puts a fault about one user into the view, and returns other errors.
func userReadError(view UCMUserView, err error) (UCMUserView, error) {
	if appErr := applicationType(err); appErr != ErrUCMRejected {
		return view, err
	}
	view.Error = err.Error()
	return view, nil
}

func readDevices(c quickClient, u axl.User, view *UCMUserView) error {
	for _, name := range u.AssociatedDevices {
		phone, err := c.getPhone(name)
		if err != nil {
			return err
		}
		if phone == nil {
			view.Phones = append(view.Phones, UCMDevice{Name: name, Missing: true})
			continue
		}
		view.Phones = append(view.Phones, deviceView(phone.Name, phone.Product, phone.Protocol,
			phone.OwnerUserName, phone.Lines, view))
	}
	for _, name := range u.PhoneProfiles {
		profile, err := c.getDeviceProfile(name)
		if err != nil {
			return err
		}
		if profile == nil {
			view.Profiles = append(view.Profiles, UCMDevice{Name: name, Missing: true})
			continue
		}
		view.Profiles = append(view.Profiles, deviceView(profile.Name, profile.Product,
			profile.Protocol, "", profile.Lines, view))
	}
	return nil
}

func readSingleNumberReach(c quickClient, u axl.User, mobile string, view *UCMUserView) error {
	rdp, err := c.getRemoteDestinationProfile(RemoteDestinationProfileName(u.UserID))
	if err != nil || rdp == nil {
		return err
	}
	device := deviceView(rdp.Name, axl.ProductRemoteDestinationProfile, "", rdp.UserID, rdp.Lines, view)
	view.RemoteDestinationProfile = &device
	if mobile == "" {
		return nil
	}
	rd, err := c.getRemoteDestination(mobile)
	if err != nil || rd == nil {
		return err
	}
	view.RemoteDestinations = append(view.RemoteDestinations, rd.Destination)
	return nil
}

// deviceView describes a device and adds its lines to the view's distinct lines.
func deviceView(name, product, protocol, owner string, lines []axl.PhoneLine, view *UCMUserView) UCMDevice {
	d := UCMDevice{Name: name, Product: product, Protocol: protocol, Owner: owner}
	for _, l := range lines {
		text := extensionText(l.Dirn)
		d.Lines = append(d.Lines, text)
		if !containsFold(view.Lines, text) {
			view.Lines = append(view.Lines, text)
		}
	}
	return d
}

func featuresOf(view UCMUserView) []string {
	var features []string
	for _, p := range view.Phones {
		if isJabberDevice(p.Name) && !p.Missing {
			features = append(features, "jabber")
			break
		}
	}
	if len(view.Profiles) > 0 {
		features = append(features, "extension mobility")
	}
	if view.EnableMobility && view.RemoteDestinationProfile != nil {
		features = append(features, "single number reach")
	}
	if view.IMAndPresenceEnable {
		features = append(features, "IM and presence")
	}
	return features
}

func isSet(b *bool) bool { return b != nil && *b }
