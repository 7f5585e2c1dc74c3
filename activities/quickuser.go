package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/store"
)

// Quick User provisions one user of a site on the site's UCM cluster: the user, a line, a
// desk phone and a Jabber device on that line, and the features the request or the site's
// defaults turn on. The check (QuickUserCheck) reads the store and UCM and freezes a
// [QuickUserPlan]. Each later step is an activity of its own. It reads what UCM has and
// writes only the difference, so a retry or a re-run never makes a duplicate.

// ErrUCMRejected is the application error type of a Quick User write that UCM rejected for
// a reason no retry can fix, such as a device pool or product that does not exist. It is
// not in [NonRetryableErrors], so retry policies that use it list it themselves.
const ErrUCMRejected = "UCMRejected"

// Names of the Quick User steps, in the order a run takes them.
const (
	QuickUserStepCheck             = "check"
	QuickUserStepUser              = "user"
	QuickUserStepLine              = "line"
	QuickUserStepPhone             = "phone"
	QuickUserStepJabber            = "jabber"
	QuickUserStepProfile           = "profile"
	QuickUserStepRemoteDestination = "remote-destination"
	QuickUserStepAssociate         = "associate"
	QuickUserStepVoicemail         = "voicemail"
)

// Actions of a Quick User step, as its result and the store record them.
const (
	QuickUserAdded     = "added"
	QuickUserUpdated   = "updated"
	QuickUserUnchanged = "unchanged"
	QuickUserFailed    = "failed"
	QuickUserSkipped   = "skipped"
	QuickUserUndone    = "undone"
	QuickUserPassed    = "passed"
	QuickUserRecorded  = "recorded"
)

// QuickUserRequest is an operator's request to provision one user. Empty values and nil
// switches take the site's defaults (see [store.SiteDefaults]).
type QuickUserRequest struct {
	// Site is customer/site.
	Site   string
	UserID string
	// PhoneType is the desk phone model, such as 8841 or "Cisco 8841"; empty means no desk
	// phone. MAC is its MAC address, required with PhoneType.
	PhoneType string `json:",omitempty"`
	MAC       string `json:",omitempty"`
	// Protocol is SIP or SCCP for the desk phone; empty means SIP.
	Protocol string `json:",omitempty"`
	// Jabber adds a Jabber desktop (CSF) device on the line.
	Jabber *bool `json:",omitempty"`
	// ExtensionMobility adds a device profile with the line, for the desk phone's model.
	ExtensionMobility *bool `json:",omitempty"`
	// SingleNumberReach adds a remote destination profile and a remote destination that
	// rings MobileNumber with the line. On without a MobileNumber, the feature is skipped.
	SingleNumberReach *bool  `json:",omitempty"`
	MobileNumber      string `json:",omitempty"`
	// Voicemail records the user's voicemail flag in the store; nothing of it is on UCM.
	Voicemail *bool `json:",omitempty"`
	// Number is the directory number; empty takes the site's mask or range.
	Number string `json:",omitempty"`
	// Partition is the route partition of the line; empty takes the site's.
	Partition string `json:",omitempty"`
}

// QuickUserSpec is the user a plan provisions and the flags it sets.
type QuickUserSpec struct {
	Attributes domain.Attributes
	// KeepDirectoryFields is set when UCM syncs the user from its own LDAP directory, or the
	// user came from UCM: only the devices, primary extension, profiles and flags are written.
	KeepDirectoryFields bool
	// DirectoryName is the UCM LDAP directory that syncs the user; empty for local users.
	DirectoryName string `json:",omitempty"`
	// MayAdd is false for users who came from UCM: they are never added back.
	MayAdd bool
	// HomeCluster, IMAndPresenceEnable and EnableMobility are the flags to set; nil leaves
	// the user's own.
	HomeCluster         *bool `json:",omitempty"`
	IMAndPresenceEnable *bool `json:",omitempty"`
	EnableMobility      *bool `json:",omitempty"`
}

// QuickUserBefore is the state of UCM when the check read it. Undo uses it to tell the items
// the run created from those that were there before.
type QuickUserBefore struct {
	// User is nil when the user was not on UCM.
	User *axl.User `json:",omitempty"`
	// DeskPhone and Jabber are nil when the device did not exist.
	DeskPhone *axl.Phone `json:",omitempty"`
	Jabber    *axl.Phone `json:",omitempty"`
	Line      bool
	Profile   bool
	// RemoteDestinationProfile and RemoteDestination tell whether each existed.
	RemoteDestinationProfile bool
	RemoteDestination        bool
}

// QuickUserPlan is the provisioning of one run, frozen by its check. Nil devices are not
// part of the run.
type QuickUserPlan struct {
	Site      string
	SiteID    int64
	ClusterID int64
	Cluster   string
	// StoreUserID is the user's ID in the store.
	StoreUserID int64
	// RunKey identifies the run, for the number it reserves.
	RunKey string
	User   QuickUserSpec
	Line   axl.Line
	// NumberSource says where the number came from, such as "range 4000-4999".
	NumberSource string
	// NumberReserved is set when this run reserved the number, so undo frees it again.
	NumberReserved           bool                          `json:",omitempty"`
	DeskPhone                *axl.Phone                    `json:",omitempty"`
	Jabber                   *axl.Phone                    `json:",omitempty"`
	Profile                  *axl.DeviceProfile            `json:",omitempty"`
	RemoteDestinationProfile *axl.RemoteDestinationProfile `json:",omitempty"`
	RemoteDestination        *axl.RemoteDestination        `json:",omitempty"`
	Voicemail                bool
	// Notes lists features that were asked for, or on by default, but are skipped, and why.
	Notes  []string `json:",omitempty"`
	Before QuickUserBefore
}

// Steps returns the steps after the check that the plan needs, in the order a run takes
// them; the voicemail flag is recorded with the result and is not among them.
func (p QuickUserPlan) Steps() []string {
	steps := []string{QuickUserStepUser, QuickUserStepLine}
	if p.DeskPhone != nil {
		steps = append(steps, QuickUserStepPhone)
	}
	if p.Jabber != nil {
		steps = append(steps, QuickUserStepJabber)
	}
	if p.Profile != nil {
		steps = append(steps, QuickUserStepProfile)
	}
	if p.RemoteDestination != nil {
		steps = append(steps, QuickUserStepRemoteDestination)
	}
	return append(steps, QuickUserStepAssociate)
}

// DeviceNames returns the names of the plan's phones, desk phone first.
func (p QuickUserPlan) DeviceNames() []string {
	var names []string
	for _, phone := range []*axl.Phone{p.DeskPhone, p.Jabber} {
		if phone != nil {
			names = append(names, phone.Name)
		}
	}
	return names
}

// phone returns the plan's phone and what UCM held of it for the phone or jabber step.
func (p QuickUserPlan) phone(step string) (*axl.Phone, *axl.Phone) {
	if step == QuickUserStepJabber {
		return p.Jabber, p.Before.Jabber
	}
	return p.DeskPhone, p.Before.DeskPhone
}

// AXLCall is one AXL write, as a dry run lists it and a step reports it: the operation, the
// item it concerns, and its main fields as name=value.
type AXLCall struct {
	Operation string   `json:"operation"`
	Name      string   `json:"name"`
	Fields    []string `json:"fields,omitempty"`
}

// String returns the operation, the item and the fields on one line.
func (c AXLCall) String() string {
	return strings.TrimSpace(c.Operation + " " + c.Name + " " + strings.Join(c.Fields, " "))
}

// QuickUserStepInput is the plan a step works on and, for the phone activity, which phone.
type QuickUserStepInput struct {
	Plan QuickUserPlan
	// Step is the step's name; it picks the desk phone or the Jabber device.
	Step string
}

// QuickUserStepResult is the outcome of one step.
type QuickUserStepResult struct {
	Step string
	// Action is added, updated or unchanged.
	Action string
	Detail string
	// Calls are the writes the step sent.
	Calls []AXLCall `json:",omitempty"`
	// UUID is the user's UUID on UCM, set by the user step.
	UUID string `json:",omitempty"`
}

// QuickUserUser adds the user when UCM lacks them, or updates what differs: the directory
// fields of a local user, and the flags the plan's features need (homeCluster and
// imAndPresenceEnable for Jabber, enableMobility for single number reach). A user who came
// from UCM and is no longer there fails with [ErrUCMRejected].
func (a *UCMActivities) QuickUserUser(ctx context.Context, in QuickUserStepInput) (QuickUserStepResult, error) {
	result := QuickUserStepResult{Step: QuickUserStepUser}
	err := a.withQuickClient(ctx, in.Plan.ClusterID, func(c quickClient) error {
		spec := in.Plan.User
		actual, err := c.getUser(spec.Attributes.UserID)
		if err != nil {
			return err
		}

		add, update, err := userChange(spec, actual)
		if err != nil {
			return c.rejected(fmt.Errorf("user %s came from UCM but is not on cluster %s any "+
				"more: import it again with `ucmpush ucm import`", spec.Attributes.UserID, c.cluster.Name))
		}
		if add != nil {
			result.UUID, err = c.client.AddUser(c.lane.ctx, *add)
			if !axl.IsDuplicate(err) {
				result.Action, result.Calls = QuickUserAdded, []AXLCall{describeAddUser(*add)}
				return c.check(axl.OpAddUser, add.UserID, err)
			}
			// Another writer added the user since the read: update it instead.
			if actual, err = c.getUser(spec.Attributes.UserID); err != nil {
				return err
			}
			if actual == nil {
				return c.check(axl.OpAddUser, add.UserID, errors.New("addUser reported a "+
					"duplicate, but getUser finds no such user"))
			}
			_, update, _ = userChange(spec, actual)
		}

		result.UUID = actual.UUID
		return c.sendUserUpdate(&result, *update)
	})
	result.Detail = userDetail(in.Plan, result)
	return result, err
}

// sendUserUpdate sends a non-empty update and records it in result.
func (c quickClient) sendUserUpdate(result *QuickUserStepResult, update axl.UserUpdate) error {
	if update.IsEmpty() {
		result.Action = QuickUserUnchanged
		return nil
	}
	result.Action, result.Calls = QuickUserUpdated, []AXLCall{describeUpdateUser(update)}
	if err := c.pace(); err != nil {
		return err
	}
	return c.check(axl.OpUpdateUser, update.UserID, c.client.UpdateUser(c.lane.ctx, update))
}

func userDetail(plan QuickUserPlan, r QuickUserStepResult) string {
	detail := plan.User.Attributes.UserID
	if plan.User.DirectoryName != "" {
		detail += fmt.Sprintf("; UCM syncs this user from its LDAP directory %q, so its "+
			"directory fields were left to UCM", plan.User.DirectoryName)
	}
	for _, call := range r.Calls {
		detail += "; " + strings.Join(call.Fields, ", ")
	}
	return detail
}

// QuickUserLine adds the plan's line when UCM lacks it. A line that exists is left as it is:
// the check found it free or the user's own.
func (a *UCMActivities) QuickUserLine(ctx context.Context, in QuickUserStepInput) (QuickUserStepResult, error) {
	line := in.Plan.Line
	result := QuickUserStepResult{Step: QuickUserStepLine, Action: QuickUserUnchanged,
		Detail: lineText(line)}
	err := a.withQuickClient(ctx, in.Plan.ClusterID, func(c quickClient) error {
		exists, err := c.lineExists(line.Extension())
		if err != nil || exists {
			return err
		}
		if err := c.pace(); err != nil {
			return err
		}
		_, err = c.client.AddLine(c.lane.ctx, line)
		if axl.IsDuplicate(err) {
			return nil
		}
		result.Action, result.Calls = QuickUserAdded, []AXLCall{describeAddLine(line)}
		return c.check(axl.OpAddLine, line.Pattern, err)
	})
	return result, err
}

// QuickUserPhone adds the plan's desk phone (Step phone) or Jabber device (Step jabber) with
// the line and the user as owner, or, when the device exists and is the user's, puts the
// line on its next free button and makes the user its owner if it has none. A device that
// another user owns by now fails with [ErrUCMRejected].
func (a *UCMActivities) QuickUserPhone(ctx context.Context, in QuickUserStepInput) (QuickUserStepResult, error) {
	want, _ := in.Plan.phone(in.Step)
	result := QuickUserStepResult{Step: in.Step}
	if want == nil {
		return result, nonRetryable(ErrInvalidConfig, fmt.Errorf("quick user plan has no %s", in.Step))
	}
	result.Detail = fmt.Sprintf("%s (%s, %s) on %s", want.Name, want.Product, want.Protocol,
		extensionText(want.Lines[0].Dirn))

	err := a.withQuickClient(ctx, in.Plan.ClusterID, func(c quickClient) error {
		actual, err := c.getPhone(want.Name)
		if err != nil {
			return err
		}
		if actual != nil && !ownsDevice(*actual, in.Plan.User.Attributes.UserID, nil) {
			return c.rejected(fmt.Errorf("device %s is owned by %s since the check: run Quick User "+
				"again to check it", actual.Name, actual.OwnerUserName))
		}

		add, update := phoneChange(*want, actual)
		if add != nil {
			if err := c.pace(); err != nil {
				return err
			}
			_, err = c.client.AddPhone(c.lane.ctx, *add)
			result.Action, result.Calls = QuickUserAdded, []AXLCall{describeAddPhone(*add)}
			return c.check(axl.OpAddPhone, add.Name, err)
		}
		return c.sendPhoneUpdate(&result, *update)
	})
	return result, err
}

func (c quickClient) sendPhoneUpdate(result *QuickUserStepResult, update axl.PhoneUpdate) error {
	if update.IsEmpty() {
		result.Action = QuickUserUnchanged
		return nil
	}
	result.Action, result.Calls = QuickUserUpdated, []AXLCall{describeUpdatePhone(update)}
	if err := c.pace(); err != nil {
		return err
	}
	return c.check(axl.OpUpdatePhone, update.Name, c.client.UpdatePhone(c.lane.ctx, update))
}

// ownsDevice reports whether a device is the user's: the user owns it, or it has no owner
// and is among the user's associated devices (nil when unknown).
func ownsDevice(p axl.Phone, userid string, associated []string) bool {
	if p.OwnerUserName != "" {
		return strings.EqualFold(p.OwnerUserName, userid)
	}
	return associated == nil || containsFold(associated, p.Name)
}

// QuickUserProfile adds the plan's extension mobility device profile with the line when UCM
// lacks it. AXL offers no update of device profiles to this client, so a profile that exists
// is left as it is; the check found it the user's.
func (a *UCMActivities) QuickUserProfile(ctx context.Context, in QuickUserStepInput) (QuickUserStepResult, error) {
	profile := in.Plan.Profile
	result := QuickUserStepResult{Step: QuickUserStepProfile, Action: QuickUserUnchanged}
	if profile == nil {
		return result, nonRetryable(ErrInvalidConfig, errors.New("quick user plan has no device profile"))
	}
	result.Detail = fmt.Sprintf("%s (%s) on %s", profile.Name, profile.Product,
		extensionText(in.Plan.Line.Extension()))

	err := a.withQuickClient(ctx, in.Plan.ClusterID, func(c quickClient) error {
		exists, err := c.profileExists(profile.Name)
		if err != nil || exists {
			return err
		}
		if err := c.pace(); err != nil {
			return err
		}
		_, err = c.client.AddDeviceProfile(c.lane.ctx, *profile)
		if axl.IsDuplicate(err) {
			return nil
		}
		result.Action, result.Calls = QuickUserAdded, []AXLCall{describeAddDeviceProfile(*profile)}
		return c.check(axl.OpAddDeviceProfile, profile.Name, err)
	})
	return result, err
}

// QuickUserRemoteDestination adds the plan's remote destination profile with the line, then
// the remote destination that rings the user's mobile number, each when UCM lacks it.
// UCM requires the user's enableMobility first, which the user step sets.
func (a *UCMActivities) QuickUserRemoteDestination(ctx context.Context, in QuickUserStepInput) (QuickUserStepResult, error) {
	rdp, rd := in.Plan.RemoteDestinationProfile, in.Plan.RemoteDestination
	result := QuickUserStepResult{Step: QuickUserStepRemoteDestination, Action: QuickUserUnchanged}
	if rdp == nil || rd == nil {
		return result, nonRetryable(ErrInvalidConfig, errors.New("quick user plan has no remote destination"))
	}
	result.Detail = fmt.Sprintf("%s rings %s with %s", rdp.Name, rd.Destination,
		extensionText(in.Plan.Line.Extension()))

	err := a.withQuickClient(ctx, in.Plan.ClusterID, func(c quickClient) error {
		exists, err := c.rdpExists(rdp.Name)
		if err != nil {
			return err
		}
		if !exists {
			if err := c.pace(); err != nil {
				return err
			}
			_, err = c.client.AddRemoteDestinationProfile(c.lane.ctx, *rdp)
			if !axl.IsDuplicate(err) {
				result.Action = QuickUserAdded
				result.Calls = append(result.Calls, describeAddRemoteDestinationProfile(*rdp))
				if err := c.check(axl.OpAddRemoteDestinationProfile, rdp.Name, err); err != nil {
					return err
				}
			}
		}
		return c.addRemoteDestination(&result, *rd)
	})
	return result, err
}

func (c quickClient) addRemoteDestination(result *QuickUserStepResult, rd axl.RemoteDestination) error {
	actual, err := c.getRemoteDestination(rd.Destination)
	if err != nil {
		return err
	}
	if actual != nil {
		if !strings.EqualFold(actual.OwnerUserID, rd.OwnerUserID) {
			return c.rejected(fmt.Errorf("mobile number %s is a remote destination of %s since "+
				"the check", rd.Destination, actual.OwnerUserID))
		}
		return nil
	}
	if err := c.pace(); err != nil {
		return err
	}
	_, err = c.client.AddRemoteDestination(c.lane.ctx, rd)
	if axl.IsDuplicate(err) {
		return nil
	}
	result.Action = QuickUserAdded
	result.Calls = append(result.Calls, describeAddRemoteDestination(rd))
	return c.check(axl.OpAddRemoteDestination, rd.Destination, err)
}

// QuickUserAssociate reads the user, merges the plan's devices into the user's associated
// devices (AXL replaces the list whole, so nothing put there by hand is dropped), sets the
// line as primary extension and adds the device profile to the user's phoneProfiles and
// default profile. These fields are written for users whom UCM syncs from LDAP too.
func (a *UCMActivities) QuickUserAssociate(ctx context.Context, in QuickUserStepInput) (QuickUserStepResult, error) {
	result := QuickUserStepResult{Step: QuickUserStepAssociate}
	err := a.withQuickClient(ctx, in.Plan.ClusterID, func(c quickClient) error {
		userid := in.Plan.User.Attributes.UserID
		actual, err := c.getUser(userid)
		if err != nil {
			return err
		}
		if actual == nil {
			return c.rejected(fmt.Errorf("user %s is no longer on UCM cluster %s", userid, c.cluster.Name))
		}
		result.UUID = actual.UUID
		return c.sendUserUpdate(&result, associateChange(in.Plan, *actual))
	})
	result.Detail = fmt.Sprintf("devices %s, primary extension %s",
		strings.Join(in.Plan.DeviceNames(), ", "), extensionText(in.Plan.Line.Extension()))
	if in.Plan.Profile != nil {
		result.Detail += ", device profile " + in.Plan.Profile.Name
	}
	return result, err
}

// lineText describes a line for step results.
func lineText(l axl.Line) string {
	return store.Number{Pattern: l.Pattern, Partition: l.RoutePartitionName}.String()
}

// quickClient sends a Quick User activity's AXL calls through one of the cluster's in-flight
// lanes, as PushUsers does, and classifies their errors.
type quickClient struct {
	client  *axl.Client
	lane    *clusterLane
	cluster domain.Cluster
}

// withQuickClient leases a lane of the cluster, runs fn with a client on it and frees the
// lane again.
func (a *UCMActivities) withQuickClient(ctx context.Context, clusterID int64, fn func(quickClient) error) error {
	client, cluster, err := a.client(ctx, clusterID)
	if err != nil {
		return err
	}
	lane, err := a.acquireLane(ctx, cluster)
	if err != nil {
		return err
	}
	defer lane.release()
	return fn(quickClient{client: client, lane: lane, cluster: cluster})
}

func (c quickClient) pace() error {
	if err := c.lane.pace(); err != nil {
		return c.check("", "", err)
	}
	return nil
}

// check classifies err of the operation op on the item name: nil stays nil; a lost lane,
// throttling and transport errors are retryable ([ErrAXLUnavailable]); rejected credentials
// are [ErrAXLAuth]; any other fault is [ErrUCMRejected].
func (c quickClient) check(op, name string, err error) error {
	if err == nil {
		return nil
	}
	if cause := context.Cause(c.lane.ctx); cause != nil {
		return retryable(ErrAXLUnavailable, fmt.Errorf("quick user call to UCM cluster %s "+
			"stopped: %w", c.cluster.Name, cause))
	}
	var fault *axl.Fault
	isAuth := errors.As(err, &fault) &&
		(fault.HTTPStatus == http.StatusUnauthorized || fault.HTTPStatus == http.StatusForbidden)
	if isAuth || axl.IsRetryable(err) {
		return clusterError(c.cluster, err)
	}
	return c.rejected(fmt.Errorf("UCM cluster %s rejected %s %s: %w", c.cluster.Name, op, name, err))
}

func (c quickClient) rejected(err error) error { return nonRetryable(ErrUCMRejected, err) }

// applicationType returns the type of the application error in err's chain, or "".
func applicationType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

// getUser returns the user, or nil when UCM has no such user.
func (c quickClient) getUser(userid string) (*axl.User, error) {
	if err := c.pace(); err != nil {
		return nil, err
	}
	u, err := c.client.GetUser(c.lane.ctx, userid)
	if axl.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.check(axl.OpGetUser, userid, err)
	}
	return &u, nil
}

// getPhone returns the phone, or nil when UCM has no such phone.
func (c quickClient) getPhone(name string) (*axl.Phone, error) {
	if err := c.pace(); err != nil {
		return nil, err
	}
	p, err := c.client.GetPhone(c.lane.ctx, name)
	if axl.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.check(axl.OpGetPhone, name, err)
	}
	return &p, nil
}

// getLine returns the line, or nil when UCM has no such line.
func (c quickClient) getLine(e axl.Extension) (*axl.Line, error) {
	if err := c.pace(); err != nil {
		return nil, err
	}
	l, err := c.client.GetLine(c.lane.ctx, e)
	if axl.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.check(axl.OpGetLine, e.Pattern, err)
	}
	return &l, nil
}

func (c quickClient) lineExists(e axl.Extension) (bool, error) {
	l, err := c.getLine(e)
	return l != nil, err
}

// getDeviceProfile returns the device profile, or nil when UCM has none of that name.
func (c quickClient) getDeviceProfile(name string) (*axl.DeviceProfile, error) {
	if err := c.pace(); err != nil {
		return nil, err
	}
	p, err := c.client.GetDeviceProfile(c.lane.ctx, name)
	if axl.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.check(axl.OpGetDeviceProfile, name, err)
	}
	return &p, nil
}

func (c quickClient) profileExists(name string) (bool, error) {
	p, err := c.getDeviceProfile(name)
	return p != nil, err
}

// getRemoteDestinationProfile returns the profile, or nil when UCM has none of that name.
func (c quickClient) getRemoteDestinationProfile(name string) (*axl.RemoteDestinationProfile, error) {
	if err := c.pace(); err != nil {
		return nil, err
	}
	p, err := c.client.GetRemoteDestinationProfile(c.lane.ctx, name)
	if axl.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.check(axl.OpGetRemoteDestinationProfile, name, err)
	}
	return &p, nil
}

func (c quickClient) rdpExists(name string) (bool, error) {
	p, err := c.getRemoteDestinationProfile(name)
	return p != nil, err
}

// getRemoteDestination returns the remote destination, or nil when UCM has none.
func (c quickClient) getRemoteDestination(destination string) (*axl.RemoteDestination, error) {
	if err := c.pace(); err != nil {
		return nil, err
	}
	d, err := c.client.GetRemoteDestination(c.lane.ctx, destination)
	if axl.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, c.check(axl.OpGetRemoteDestination, destination, err)
	}
	return &d, nil
}

// listLines returns every line of the partition whose pattern starts with prefix, paging
// through listLine. It reads at most maxListLinePages pages.
func (c quickClient) listLines(prefix, partition string) ([]axl.Line, error) {
	var lines []axl.Line
	for page := 0; page < maxListLinePages; page++ {
		if err := c.pace(); err != nil {
			return nil, err
		}
		batch, err := c.client.ListLines(c.lane.ctx, axl.ListLinesRequest{Pattern: prefix + "%",
			RoutePartitionName: partition, Skip: page * listLinePageSize, First: listLinePageSize})
		if err != nil {
			return nil, c.check(axl.OpListLine, prefix+"%", err)
		}
		for _, l := range batch {
			if strings.EqualFold(l.RoutePartitionName, partition) {
				lines = append(lines, l)
			}
		}
		if len(batch) < listLinePageSize {
			return lines, nil
		}
		activity.RecordHeartbeat(c.lane.ctx, page)
	}
	return lines, nil
}

// listLinePageSize and maxListLinePages bound the lines read to find a free number: 200
// pages of 1,000 cover the largest range a site may own twice over.
//
// NOTE: with the null partition, listLine cannot search one partition only, so every line
// of every partition that matches the prefix counts against the bound.
const (
	listLinePageSize = 1000
	maxListLinePages = 200
)

// RecordQuickUser stores the result of a finished Quick User run as the user's last, with
// the voicemail flag, the numbers to free and the push state that r asks for; see
// [store.Store.RecordQuickUserResult].
func (a *StoreActivities) RecordQuickUser(ctx context.Context, r store.QuickUserRecord) error {
	return storeError(a.Store.RecordQuickUserResult(ctx, r))
}
