package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/store"
)

// Names of the checks a Quick User run makes before it writes.
const (
	QuickUserCheckSite     = "site"
	QuickUserCheckUser     = "user"
	QuickUserCheckSettings = "settings"
	QuickUserCheckDevice   = "device"
	QuickUserCheckNumber   = "number"
	QuickUserCheckProfile  = "profile"
	QuickUserCheckMobile   = "mobile"
)

// maxOwnDeviceReads bounds the associated devices the check reads to find the user's own
// lines. The devices of a user who has more are searched only up to this bound.
const maxOwnDeviceReads = 25

// QuickUserCheckInput is the request to check and how.
type QuickUserCheckInput struct {
	Request QuickUserRequest
	// DryRun reads the store and UCM only: the number is not reserved.
	DryRun bool
	// RunKey identifies the run; the number it reserves carries it.
	RunKey string
}

// QuickUserCheckResult is the outcome of the checks of a Quick User request and, when they
// pass, the plan of the run.
type QuickUserCheckResult struct {
	Passed bool
	// Check names the check that failed, and Reason explains why and what to do.
	Check  string `json:",omitempty"`
	Reason string `json:",omitempty"`
	// Checks lists every check made, in order, with its result.
	Checks []store.QuickUserStep
	// Plan is complete only when Passed is set.
	Plan QuickUserPlan
	// Calls are the AXL writes the run would send on what UCM holds now, in order.
	Calls []AXLCall `json:",omitempty"`
}

// checkFailure is a failed check; QuickUserCheck returns it in its result, not as an error.
type checkFailure struct {
	check, reason string
}

func (f *checkFailure) Error() string { return f.check + ": " + f.reason }

func fail(check, format string, args ...any) error {
	return &checkFailure{check: check, reason: fmt.Sprintf(format, args...)}
}

// QuickUserCheck checks a Quick User request before anything is written. The site must have
// a UCM cluster, the user must be active at the site and the settings complete. Every device
// name must be valid and free or already the user's, and so must the number. It reads the
// store and UCM (through the cluster's in-flight lanes) and writes nothing to UCM.
// When every check passes and DryRun is not set, it reserves the number for the user in the
// store, so no other run takes it.
//
// A failed check is a result with Passed unset, not an error; errors are failures to read,
// classified as for the other activities.
func (a *UCMActivities) QuickUserCheck(ctx context.Context, in QuickUserCheckInput) (QuickUserCheckResult, error) {
	c := &quickCheck{a: a, in: in, req: in.Request}
	c.result.Plan.RunKey = in.RunKey
	err := c.run(ctx)

	var failed *checkFailure
	if errors.As(err, &failed) {
		c.result.Check, c.result.Reason = failed.check, failed.reason
		c.result.Checks = append(c.result.Checks, store.QuickUserStep{Name: failed.check,
			Status: QuickUserFailed, Detail: failed.reason})
		return c.result, nil
	}
	if err != nil {
		return c.result, err
	}
	c.result.Passed = true
	return c.result, nil
}

// quickCheck carries what the checks found so far.
type quickCheck struct {
	a        *UCMActivities
	in       QuickUserCheckInput
	req      QuickUserRequest
	result   QuickUserCheckResult
	site     domain.Site
	defaults store.SiteDefaults
	subject  store.QuickUserSubject

	partition         string
	deskName, product string
	protocol          string
	jabberName        string
	extensionMobility bool
	mobile            string

	// ownPhones are the phones of the user's associated devices, as read.
	ownPhones []axl.Phone
	ownNumber bool
}

func (c *quickCheck) plan() *QuickUserPlan { return &c.result.Plan }

func (c *quickCheck) pass(check, format string, args ...any) {
	c.result.Checks = append(c.result.Checks, store.QuickUserStep{Name: check,
		Status: QuickUserPassed, Detail: fmt.Sprintf(format, args...)})
}

func (c *quickCheck) run(ctx context.Context) error {
	if err := c.loadSite(ctx); err != nil {
		return err
	}
	if err := c.loadUser(ctx); err != nil {
		return err
	}
	if err := c.resolveSettings(); err != nil {
		return err
	}

	err := c.a.withQuickClient(ctx, c.site.ClusterID, func(q quickClient) error {
		for _, step := range []func(context.Context, quickClient) error{
			c.readUser, c.checkDevices, c.checkNumber, c.checkProfile, c.checkMobile,
		} {
			if err := step(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	c.result.Calls = plannedCalls(*c.plan())
	if c.in.DryRun {
		return nil
	}
	return c.reserveNumber(ctx)
}

func (c *quickCheck) loadSite(ctx context.Context) error {
	ref, err := domain.ParseSiteRef(c.req.Site)
	if err != nil {
		return fail(QuickUserCheckSite, "%v", err)
	}
	c.site, err = c.a.Store.Site(ctx, ref)
	if store.IsNotFound(err) {
		return fail(QuickUserCheckSite, "%v", err)
	}
	if err != nil {
		return storeError(err)
	}
	if c.site.ClusterID == 0 {
		return fail(QuickUserCheckSite, "site %s has no UCM cluster (NDL %q): link an NDL that "+
			"names one with `ucmpush site set %s --ndl NAME`", ref, c.site.NDL, ref)
	}
	if c.defaults, err = c.a.Store.SiteDefaultsByID(ctx, c.site.ID); err != nil {
		return storeError(err)
	}

	p := c.plan()
	p.Site, p.SiteID, p.ClusterID, p.Cluster = ref.String(), c.site.ID, c.site.ClusterID, c.site.Cluster
	c.pass(QuickUserCheckSite, "site %s is served by UCM cluster %s (NDL %s)", ref, c.site.Cluster,
		c.site.NDL)
	return nil
}

func (c *quickCheck) loadUser(ctx context.Context) error {
	var err error
	c.subject, err = c.a.Store.QuickUserSubject(ctx, c.site.ID, c.site.ClusterID, c.req.UserID)
	if store.IsNotFound(err) {
		return fail(QuickUserCheckUser, "user %s is not at site %s: list the site's users with "+
			"`ucmpush users list --site %s`, move the user there with `ucmpush users move`, or "+
			"create them with `ucmpush users add`", c.req.UserID, c.plan().Site, c.plan().Site)
	}
	if err != nil {
		return storeError(err)
	}

	u := c.subject
	switch {
	case u.Status != domain.UserActive:
		return fail(QuickUserCheckUser, "user %s is %s in the store: Quick User provisions active "+
			"users only", u.Attributes.UserID, u.Status)
	case u.Invalid != "":
		return fail(QuickUserCheckUser, "user %s has an invalid directory entry: %s",
			u.Attributes.UserID, u.Invalid)
	case u.Owner != "":
		return fail(QuickUserCheckUser, "userid %s is already on UCM cluster %s for %s; two users "+
			"cannot share a UCM userid, so rename one of them", u.Attributes.UserID, c.site.Cluster, u.Owner)
	}

	p := c.plan()
	p.StoreUserID = u.ID
	p.User = QuickUserSpec{Attributes: u.Attributes, MayAdd: u.Source != domain.SourceUCM,
		KeepDirectoryFields: u.Source == domain.SourceUCM}
	return nil
}

// resolveSettings merges the request with the site's defaults and checks what needs no
// reading of UCM: what to provision, the device pool, device names and the mobile number.
func (c *quickCheck) resolveSettings() error {
	d, req, p := c.defaults, c.req, c.plan()
	jabber := switchOr(req.Jabber, d.Jabber)
	c.extensionMobility = switchOr(req.ExtensionMobility, d.ExtensionMobility)
	p.Voicemail = switchOr(req.Voicemail, d.Voicemail)
	c.partition = valueOr(req.Partition, d.RoutePartition)

	if req.PhoneType == "" && req.MAC == "" && !jabber {
		return fail(QuickUserCheckSettings, "nothing to provision: give a desk phone with "+
			"--phone-type and --mac, or --jabber")
	}
	if d.DevicePool == "" {
		return fail(QuickUserCheckSettings, "site %s has no device pool for new devices: set one "+
			"with `ucmpush site defaults set %s --device-pool NAME`", p.Site, p.Site)
	}
	if err := c.resolveDevices(jabber); err != nil {
		return err
	}
	if c.extensionMobility && c.deskName == "" {
		return fail(QuickUserCheckSettings, "extension mobility needs a desk phone model for its "+
			"device profile: give --phone-type and --mac, or --extension-mobility=false")
	}
	if err := c.resolveMobile(); err != nil {
		return err
	}

	if jabber {
		on := true
		p.User.HomeCluster, p.User.IMAndPresenceEnable = &on, &on
	}
	if c.mobile != "" {
		on := true
		p.User.EnableMobility = &on
	}
	c.pass(QuickUserCheckSettings, "device pool %s, partition %s, features: %s", d.DevicePool,
		orNull(c.partition), c.featureText(jabber))
	return nil
}

func (c *quickCheck) resolveDevices(jabber bool) error {
	req := c.req
	if req.PhoneType != "" || req.MAC != "" {
		if req.PhoneType == "" || req.MAC == "" {
			return fail(QuickUserCheckDevice, "a desk phone needs both --phone-type and --mac")
		}
		var err error
		if c.product, err = DeskProduct(req.PhoneType); err != nil {
			return fail(QuickUserCheckDevice, "%v", err)
		}
		if c.deskName, err = DeskPhoneName(req.MAC); err != nil {
			return fail(QuickUserCheckDevice, "%v", err)
		}
		c.protocol = strings.ToUpper(valueOr(req.Protocol, axl.ProtocolSIP))
		if c.protocol != axl.ProtocolSIP && c.protocol != axl.ProtocolSCCP {
			return fail(QuickUserCheckDevice, "invalid protocol %q: use SIP or SCCP", req.Protocol)
		}
	}
	if jabber {
		name, err := JabberDeviceName(c.subject.Attributes.UserID)
		if err != nil {
			return fail(QuickUserCheckDevice, "%v", err)
		}
		c.jabberName = name
	}
	return nil
}

func (c *quickCheck) resolveMobile() error {
	on := switchOr(c.req.SingleNumberReach, c.defaults.SingleNumberReach)
	switch {
	case !on:
		return nil
	case c.req.MobileNumber == "" && c.req.SingleNumberReach != nil:
		return fail(QuickUserCheckSettings, "single number reach needs the user's mobile number: "+
			"give it as --single-number-reach +447700900123")
	case c.req.MobileNumber == "":
		c.plan().Notes = append(c.plan().Notes, "single number reach is on by default at this "+
			"site but skipped: give the mobile number with --single-number-reach NUMBER")
		return nil
	}
	if err := ValidateMobileNumber(c.req.MobileNumber); err != nil {
		return fail(QuickUserCheckSettings, "%v", err)
	}
	c.mobile = c.req.MobileNumber
	return nil
}

func (c *quickCheck) featureText(jabber bool) string {
	var on []string
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"desk phone", c.deskName != ""}, {"jabber", jabber},
		{"extension mobility", c.extensionMobility}, {"single number reach", c.mobile != ""},
		{"voicemail", c.plan().Voicemail},
	} {
		if f.on {
			on = append(on, f.name)
		}
	}
	return strings.Join(on, ", ")
}

// readUser reads the user from UCM, and the user's associated devices, in which the user's
// own lines are.
func (c *quickCheck) readUser(_ context.Context, q quickClient) error {
	p := c.plan()
	userid := p.User.Attributes.UserID
	u, err := q.getUser(userid)
	if err != nil {
		return err
	}
	if u == nil && !p.User.MayAdd {
		return fail(QuickUserCheckUser, "user %s came from UCM cluster %s but is not on it any "+
			"more: import the cluster's users again with `ucmpush ucm import`", userid, p.Cluster)
	}
	p.Before.User = u
	if u == nil {
		c.pass(QuickUserCheckUser, "%s is at site %s and not yet on UCM cluster %s: the run adds them",
			userid, p.Site, p.Cluster)
		return nil
	}

	if u.LDAPDirectoryName != "" {
		p.User.KeepDirectoryFields, p.User.DirectoryName = true, u.LDAPDirectoryName
	}
	for _, name := range u.AssociatedDevices[:min(len(u.AssociatedDevices), maxOwnDeviceReads)] {
		phone, err := q.getPhone(name)
		if err != nil {
			return err
		}
		if phone != nil {
			c.ownPhones = append(c.ownPhones, *phone)
		}
	}
	c.pass(QuickUserCheckUser, "%s is at site %s and on UCM cluster %s with %d associated devices",
		userid, p.Site, p.Cluster, len(u.AssociatedDevices))
	return nil
}

// associated returns the user's associated devices on UCM, empty when the user is not there.
func (c *quickCheck) associated() []string {
	if u := c.plan().Before.User; u != nil && u.AssociatedDevices != nil {
		return u.AssociatedDevices
	}
	return []string{}
}

// checkDevices checks that each device name is free on UCM or already the user's, with the
// product the request names.
func (c *quickCheck) checkDevices(_ context.Context, q quickClient) error {
	p := c.plan()
	userid := p.User.Attributes.UserID
	var notes []string
	for _, d := range []struct {
		name, product string
		before        **axl.Phone
	}{
		{c.deskName, c.product, &p.Before.DeskPhone},
		{c.jabberName, axl.ProductJabberDesktop, &p.Before.Jabber},
	} {
		if d.name == "" {
			continue
		}
		actual, err := q.getPhone(d.name)
		if err != nil {
			return err
		}
		if actual == nil {
			notes = append(notes, d.name+" is free")
			continue
		}
		if !ownsDevice(*actual, userid, c.associated()) {
			return fail(QuickUserCheckDevice, "device %s is already on UCM cluster %s, %s: give "+
				"another MAC address, or free the device on UCM", d.name, p.Cluster, ownerText(*actual))
		}
		if !strings.EqualFold(actual.Product, d.product) {
			return fail(QuickUserCheckDevice, "device %s is already %s's as a %s, not a %s: give "+
				"the phone type it has", d.name, userid, actual.Product, d.product)
		}
		*d.before = actual
		notes = append(notes, d.name+" is already "+userid+"'s")
	}
	c.pass(QuickUserCheckDevice, "%s", strings.Join(notes, "; "))
	return nil
}

func ownerText(p axl.Phone) string {
	if p.OwnerUserName == "" {
		return "with no owner and not associated with the user"
	}
	return "owned by " + p.OwnerUserName
}

// checkNumber picks the number, from the request, the site's mask or the site's range, and
// checks that it is free or already the user's.
func (c *quickCheck) checkNumber(ctx context.Context, q quickClient) error {
	number, source, err := c.pickNumber(ctx, q)
	if err != nil {
		return err
	}
	p := c.plan()
	ext := axl.Extension{Pattern: number, RoutePartitionName: c.partition}
	n := store.Number{Pattern: number, Partition: c.partition}

	line, err := q.getLine(ext)
	if err != nil {
		return err
	}
	holder, held, err := c.a.Store.NumberHolder(ctx, p.ClusterID, n)
	if err != nil {
		return storeError(err)
	}
	if held && holder.UserID != c.subject.ID {
		return fail(QuickUserCheckNumber, "number %s is held by %s, who got it from Quick User: "+
			"pick another with --number", n, holder.Holder)
	}
	c.ownNumber = held || c.onOwnDevice(ext)
	if line != nil && !c.ownNumber {
		return fail(QuickUserCheckNumber, "number %s is already on UCM cluster %s%s and is on no "+
			"device of %s: pick another with --number, or free it on UCM", n, p.Cluster,
			lineHolderText(*line), p.User.Attributes.UserID)
	}

	p.Before.Line = line != nil
	p.NumberSource = source
	c.buildPlan(ext)
	state := "free"
	if line != nil || held {
		state = "already " + p.User.Attributes.UserID + "'s"
	}
	c.pass(QuickUserCheckNumber, "%s (%s) is %s", n, source, state)
	return nil
}

// lineHolderText names what UCM shows of a line's holder: its alerting name or description.
func lineHolderText(l axl.Line) string {
	switch {
	case l.AlertingName != "":
		return fmt.Sprintf(" with alerting name %q", l.AlertingName)
	case l.Description != "":
		return fmt.Sprintf(" with description %q", l.Description)
	}
	return ""
}

// onOwnDevice reports whether the line is the user's primary extension or on one of the
// user's devices: the associated devices read, and the request's devices the user owns.
func (c *quickCheck) onOwnDevice(ext axl.Extension) bool {
	before := c.plan().Before
	if u := before.User; u != nil && u.PrimaryExtension != nil && sameExtension(*u.PrimaryExtension, ext) {
		return true
	}
	phones := c.ownPhones
	for _, p := range []*axl.Phone{before.DeskPhone, before.Jabber} {
		if p != nil {
			phones = append(phones, *p)
		}
	}
	for _, phone := range phones {
		if hasPhoneLine(phone.Lines, ext) {
			return true
		}
	}
	return false
}

func (c *quickCheck) pickNumber(ctx context.Context, q quickClient) (string, string, error) {
	d := c.defaults
	switch {
	case c.req.Number != "":
		if err := store.ValidateNumber(c.req.Number); err != nil {
			return "", "", fail(QuickUserCheckNumber, "%v", err)
		}
		return c.req.Number, "from the request", nil
	case d.NumberMask != "":
		number, err := store.ApplyNumberMask(d.NumberMask, c.subject.Attributes.TelephoneNumber)
		if err != nil {
			return "", "", fail(QuickUserCheckNumber, "%v", err)
		}
		return number, "mask " + d.NumberMask + " on telephone number " +
			c.subject.Attributes.TelephoneNumber, nil
	case d.NumberRange != "":
		r, err := store.ParseNumberRange(d.NumberRange)
		if err != nil {
			return "", "", fail(QuickUserCheckNumber, "site %s: %v", c.plan().Site, err)
		}
		return c.pickFromRange(ctx, q, r)
	}
	return "", "", fail(QuickUserCheckNumber, "no number: give --number, or set a mask or a range "+
		"for the site with `ucmpush site defaults set %s --number-range 4000-4999`", c.plan().Site)
}

// pickFromRange returns the user's own number in the range when there is one, else the
// lowest number of the range that is neither on UCM nor given to anyone by Quick User.
func (c *quickCheck) pickFromRange(ctx context.Context, q quickClient, r store.NumberRange) (string, string, error) {
	p := c.plan()
	own, err := c.a.Store.UserNumbers(ctx, p.ClusterID, c.subject.ID)
	if err != nil {
		return "", "", storeError(err)
	}
	for _, n := range own {
		if r.Contains(n.Pattern) && strings.EqualFold(n.Partition, c.partition) {
			return n.Pattern, "the user's own number in range " + r.String(), nil
		}
	}
	if u := p.Before.User; u != nil && u.PrimaryExtension != nil &&
		r.Contains(u.PrimaryExtension.Pattern) &&
		strings.EqualFold(u.PrimaryExtension.RoutePartitionName, c.partition) {
		return u.PrimaryExtension.Pattern, "the user's primary extension in range " + r.String(), nil
	}

	lines, err := q.listLines(r.Prefix(), c.partition)
	if err != nil {
		return "", "", err
	}
	used := map[string]bool{}
	for _, l := range lines {
		used[l.Pattern] = true
	}
	reserved, err := c.a.Store.ReservedNumbers(ctx, p.ClusterID, c.partition, r)
	if err != nil {
		return "", "", storeError(err)
	}
	for n := range r.All() {
		if _, taken := reserved[n]; !taken && !used[n] {
			return n, "next free number of range " + r.String(), nil
		}
	}
	return "", "", fail(QuickUserCheckNumber, "every number of range %s in partition %s is taken: "+
		"widen the range with `ucmpush site defaults set %s --number-range FIRST-LAST`, or give "+
		"--number", r, orNull(c.partition), p.Site)
}

// buildPlan fills the plan's line and devices once the number is known.
func (c *quickCheck) buildPlan(ext axl.Extension) {
	p, d := c.plan(), c.defaults
	a := p.User.Attributes
	name := displayName(a)
	p.Line = axl.Line{Pattern: ext.Pattern, RoutePartitionName: ext.RoutePartitionName,
		Description:  truncateRunes(name+" ("+a.UserID+")", maxDescriptionLength),
		AlertingName: truncateRunes(name, axl.MaxAlertingNameLength), ASCIIAlertingName: asciiName(name)}
	line := axl.PhoneLine{Index: 1, Display: truncateRunes(name, maxDisplayLength), Dirn: ext,
		AssociatedEndUsers: []string{a.UserID}}

	if c.deskName != "" {
		p.DeskPhone = &axl.Phone{Name: c.deskName,
			Description: truncateRunes(name+" "+strings.TrimPrefix(c.product, "Cisco "), maxDescriptionLength),
			Product:     c.product, Protocol: c.protocol, DevicePoolName: d.DevicePool,
			CallingSearchSpaceName: d.CallingSearchSpace, PhoneTemplateName: d.PhoneTemplate,
			OwnerUserName: a.UserID, Lines: []axl.PhoneLine{line}}
	}
	if c.jabberName != "" {
		p.Jabber = &axl.Phone{Name: c.jabberName,
			Description: truncateRunes(name+" Jabber", maxDescriptionLength),
			Product:     axl.ProductJabberDesktop, Protocol: axl.ProtocolSIP, DevicePoolName: d.DevicePool,
			CallingSearchSpaceName: d.CallingSearchSpace, PhoneTemplateName: d.JabberTemplate,
			OwnerUserName: a.UserID, Lines: []axl.PhoneLine{line}}
	}
	if c.extensionMobility {
		p.Profile = &axl.DeviceProfile{Name: DeviceProfileName(a.UserID),
			Description: truncateRunes(name+" extension mobility", maxDescriptionLength),
			Product:     c.product, Protocol: c.protocol, PhoneTemplateName: d.PhoneTemplate,
			Lines: []axl.PhoneLine{line}}
	}
	if c.mobile != "" {
		rdpName := RemoteDestinationProfileName(a.UserID)
		p.RemoteDestinationProfile = &axl.RemoteDestinationProfile{Name: rdpName,
			Description:            truncateRunes(name+" single number reach", maxDescriptionLength),
			CallingSearchSpaceName: d.CallingSearchSpace, DevicePoolName: d.DevicePool,
			Lines: []axl.PhoneLine{line}, UserID: a.UserID}
		p.RemoteDestination = &axl.RemoteDestination{Name: "Mobile", Destination: c.mobile,
			OwnerUserID: a.UserID, RemoteDestinationProfileName: rdpName, IsMobilePhone: true,
			EnableMobileConnect: true, LineAssociations: []axl.Extension{ext}}
	}
}

// checkProfile checks that the extension mobility profile is free or already the user's:
// among the user's profiles, or carrying the user's own number.
func (c *quickCheck) checkProfile(_ context.Context, q quickClient) error {
	p := c.plan()
	if p.Profile == nil {
		return nil
	}
	actual, err := q.getDeviceProfile(p.Profile.Name)
	if err != nil || actual == nil {
		if err == nil {
			c.pass(QuickUserCheckProfile, "device profile %s is free", p.Profile.Name)
		}
		return err
	}

	u := p.Before.User
	mine := (u != nil && containsFold(u.PhoneProfiles, actual.Name)) ||
		(c.ownNumber && hasPhoneLine(actual.Lines, p.Line.Extension()))
	if !mine {
		return fail(QuickUserCheckProfile, "device profile %s is already on UCM cluster %s and is "+
			"not among %s's profiles: remove it on UCM, or turn extension mobility off",
			actual.Name, p.Cluster, p.User.Attributes.UserID)
	}
	p.Before.Profile = true
	c.pass(QuickUserCheckProfile, "device profile %s is already %s's", actual.Name, p.User.Attributes.UserID)
	return nil
}

// checkMobile checks that the remote destination profile and the mobile number are free or
// already the user's.
func (c *quickCheck) checkMobile(_ context.Context, q quickClient) error {
	p := c.plan()
	if p.RemoteDestination == nil {
		return nil
	}
	userid := p.User.Attributes.UserID
	rdp, err := q.getRemoteDestinationProfile(p.RemoteDestinationProfile.Name)
	if err != nil {
		return err
	}
	if rdp != nil && !strings.EqualFold(rdp.UserID, userid) {
		return fail(QuickUserCheckMobile, "remote destination profile %s is already on UCM cluster "+
			"%s for user %s", rdp.Name, p.Cluster, rdp.UserID)
	}
	rd, err := q.getRemoteDestination(p.RemoteDestination.Destination)
	if err != nil {
		return err
	}
	if rd != nil && !strings.EqualFold(rd.OwnerUserID, userid) {
		return fail(QuickUserCheckMobile, "mobile number %s is already a remote destination of %s "+
			"on UCM cluster %s: check the number", rd.Destination, rd.OwnerUserID, p.Cluster)
	}
	p.Before.RemoteDestinationProfile, p.Before.RemoteDestination = rdp != nil, rd != nil
	state := "free"
	if rd != nil {
		state = "already " + userid + "'s"
	}
	c.pass(QuickUserCheckMobile, "mobile number %s is %s", p.RemoteDestination.Destination, state)
	return nil
}

// reserveNumber gives the number to the user in the store, failing the number check when
// another run took it since it was found free.
func (c *quickCheck) reserveNumber(ctx context.Context) error {
	p := c.plan()
	n := store.Number{Pattern: p.Line.Pattern, Partition: p.Line.RoutePartitionName}
	holder, err := c.a.Store.ReserveNumber(ctx, p.ClusterID, n, c.subject.ID, c.in.RunKey)
	if err != nil {
		return storeError(err)
	}
	if holder.UserID != c.subject.ID {
		return fail(QuickUserCheckNumber, "number %s was given to %s by another Quick User run a "+
			"moment ago: run again to pick another", n, holder.Holder)
	}
	p.NumberReserved = holder.RunKey == c.in.RunKey
	return nil
}

// plannedCalls lists the AXL writes a run of the plan would send on what UCM held when the
// check read it, in the order of the steps.
func plannedCalls(p QuickUserPlan) []AXLCall {
	var calls []AXLCall
	add, update, _ := userChange(p.User, p.Before.User)
	switch {
	case add != nil:
		calls = append(calls, describeAddUser(*add))
	case update != nil && !update.IsEmpty():
		calls = append(calls, describeUpdateUser(*update))
	}
	if !p.Before.Line {
		calls = append(calls, describeAddLine(p.Line))
	}
	for _, step := range []string{QuickUserStepPhone, QuickUserStepJabber} {
		if want, before := p.phone(step); want != nil {
			calls = append(calls, phoneCalls(*want, before)...)
		}
	}
	if p.Profile != nil && !p.Before.Profile {
		calls = append(calls, describeAddDeviceProfile(*p.Profile))
	}
	if p.RemoteDestination != nil {
		if !p.Before.RemoteDestinationProfile {
			calls = append(calls, describeAddRemoteDestinationProfile(*p.RemoteDestinationProfile))
		}
		if !p.Before.RemoteDestination {
			calls = append(calls, describeAddRemoteDestination(*p.RemoteDestination))
		}
	}

	actual := axl.User{UserID: p.User.Attributes.UserID}
	if p.Before.User != nil {
		actual = *p.Before.User
	}
	if assoc := associateChange(p, actual); !assoc.IsEmpty() {
		calls = append(calls, describeUpdateUser(assoc))
	}
	return calls
}

func phoneCalls(want axl.Phone, before *axl.Phone) []AXLCall {
	add, update := phoneChange(want, before)
	switch {
	case add != nil:
		return []AXLCall{describeAddPhone(*add)}
	case !update.IsEmpty():
		return []AXLCall{describeUpdatePhone(*update)}
	}
	return nil
}

func switchOr(value *bool, fallback bool) bool {
	if value == nil {
		return fallback
	}
	return *value
}

func valueOr(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

// orNull names the null partition for messages.
func orNull(partition string) string {
	if partition == "" {
		return "(null partition)"
	}
	return partition
}
