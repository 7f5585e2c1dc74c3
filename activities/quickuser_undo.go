package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// QuickUserUndoResult lists what undoing one step removed or restored on UCM.
type QuickUserUndoResult struct {
	Step string
	// Undone lists each removal or restore, in words.
	Undone []string `json:",omitempty"`
	// Kept lists what the step changed and undo leaves on purpose.
	Kept []string `json:",omitempty"`
}

// QuickUserUndo takes back what the step of a failed run created. The plan's
// [QuickUserBefore] tells those items from what was there before. It removes the user, line,
// devices and profiles that did not exist at the check, and takes the run's line off devices
// that existed. It also restores the user's associated devices, profiles, primary extension,
// default profile and flags where the run added or changed them. It also works for a step that failed half way.
// Items already gone need no undo. Directory fields written from the store are kept,
// because the store is their source.
//
// NOTE: an item that someone else created between the check and the undo, under the same
// name, is removed too; the run cannot tell it from its own.
func (a *UCMActivities) QuickUserUndo(ctx context.Context, in QuickUserStepInput) (QuickUserUndoResult, error) {
	result := QuickUserUndoResult{Step: in.Step}
	p := in.Plan
	err := a.withQuickClient(ctx, p.ClusterID, func(c quickClient) error {
		u := undo{c: c, plan: p, result: &result}
		switch in.Step {
		case QuickUserStepUser:
			return u.user()
		case QuickUserStepLine:
			if p.Before.Line {
				return nil
			}
			return u.remove(axl.OpRemoveLine, "line "+lineText(p.Line), func() error {
				return c.client.RemoveLine(c.lane.ctx, p.Line.Extension())
			})
		case QuickUserStepPhone, QuickUserStepJabber:
			return u.phone(in.Step)
		case QuickUserStepProfile:
			return u.profile()
		case QuickUserStepRemoteDestination:
			return u.remoteDestination()
		case QuickUserStepAssociate:
			return u.associate()
		}
		return nil
	})
	return result, err
}

type undo struct {
	c      quickClient
	plan   QuickUserPlan
	result *QuickUserUndoResult
}

// remove runs a removal and records it. An item that is not there, because the step failed
// before creating it or someone removed it, needs no undo and is not listed.
func (u undo) remove(op, what string, call func() error) error {
	if err := u.c.pace(); err != nil {
		return err
	}
	err := call()
	if axl.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return u.c.check(op, what, err)
	}
	u.result.Undone = append(u.result.Undone, "removed "+what)
	return nil
}

func (u undo) user() error {
	p, c := u.plan, u.c
	userid := p.User.Attributes.UserID
	if p.Before.User == nil {
		return u.remove(axl.OpRemoveUser, "user "+userid, func() error {
			return c.client.RemoveUser(c.lane.ctx, userid)
		})
	}

	actual, err := c.getUser(userid)
	if err != nil || actual == nil {
		return err
	}
	before := p.Before.User
	update := axl.UserUpdate{UserID: actual.UserID}
	update.HomeCluster = restoreFlag(p.User.HomeCluster, actual.HomeCluster, before.HomeCluster)
	update.IMAndPresenceEnable = restoreFlag(p.User.IMAndPresenceEnable, actual.IMAndPresenceEnable,
		before.IMAndPresenceEnable)
	update.EnableMobility = restoreFlag(p.User.EnableMobility, actual.EnableMobility, before.EnableMobility)
	if !p.User.KeepDirectoryFields {
		u.result.Kept = append(u.result.Kept, "directory fields of "+userid+" as the store has them")
	}
	return u.update(update, "flags of user "+userid)
}

// restoreFlag returns the value a flag had before the run when the run set it and it has not
// changed since, else nil.
func restoreFlag(planned, actual, before *bool) *bool {
	if planned == nil || before == nil || actual == nil || *actual != *planned || *before == *planned {
		return nil
	}
	value := *before
	return &value
}

func (u undo) update(update axl.UserUpdate, what string) error {
	if update.IsEmpty() {
		return nil
	}
	if err := u.c.pace(); err != nil {
		return err
	}
	if err := u.c.client.UpdateUser(u.c.lane.ctx, update); err != nil {
		return u.c.check(axl.OpUpdateUser, update.UserID, err)
	}
	u.result.Undone = append(u.result.Undone, "restored "+what)
	return nil
}

func (u undo) phone(step string) error {
	c := u.c
	want, before := u.plan.phone(step)
	if want == nil {
		return nil
	}
	if before == nil {
		return u.remove(axl.OpRemovePhone, "device "+want.Name, func() error {
			return c.client.RemovePhone(c.lane.ctx, want.Name)
		})
	}

	actual, err := c.getPhone(want.Name)
	if err != nil || actual == nil {
		return err
	}
	ext := want.Lines[0].Dirn
	update := axl.PhoneUpdate{Name: actual.Name}
	if !hasPhoneLine(before.Lines, ext) {
		for _, l := range actual.Lines {
			if sameExtension(l.Dirn, ext) {
				update.RemoveLines = append(update.RemoveLines, l)
			}
		}
	}
	if before.OwnerUserName == "" && strings.EqualFold(actual.OwnerUserName, want.OwnerUserName) {
		none := ""
		update.OwnerUserName = &none
	}
	if update.IsEmpty() {
		return nil
	}
	if err := c.pace(); err != nil {
		return err
	}
	if err := c.client.UpdatePhone(c.lane.ctx, update); err != nil {
		return c.check(axl.OpUpdatePhone, update.Name, err)
	}
	u.result.Undone = append(u.result.Undone, fmt.Sprintf("took line %s and the owner the run "+
		"set off device %s", extensionText(ext), want.Name))
	return nil
}

func (u undo) profile() error {
	c, profile := u.c, u.plan.Profile
	if profile == nil || u.plan.Before.Profile {
		return nil
	}
	return u.remove(axl.OpRemoveDeviceProfile, "device profile "+profile.Name, func() error {
		return c.client.RemoveDeviceProfile(c.lane.ctx, profile.Name)
	})
}

func (u undo) remoteDestination() error {
	c, p := u.c, u.plan
	if p.RemoteDestination == nil {
		return nil
	}
	if !p.Before.RemoteDestination {
		number := p.RemoteDestination.Destination
		err := u.remove(axl.OpRemoveRemoteDestination, "remote destination "+number, func() error {
			return c.client.RemoveRemoteDestination(c.lane.ctx, number)
		})
		if err != nil {
			return err
		}
	}
	if p.Before.RemoteDestinationProfile {
		return nil
	}
	name := p.RemoteDestinationProfile.Name
	return u.remove(axl.OpRemoveRemoteDestinationProfile, "remote destination profile "+name, func() error {
		return c.client.RemoveRemoteDestinationProfile(c.lane.ctx, name)
	})
}

// associate takes the run's devices and profile off the user again, keeping everything else
// of the lists, and restores the primary extension and default profile the run replaced.
func (u undo) associate() error {
	p, c := u.plan, u.c
	actual, err := c.getUser(p.User.Attributes.UserID)
	if err != nil || actual == nil {
		return err
	}
	before := p.Before.User
	if before == nil {
		before = &axl.User{}
	}

	update := axl.UserUpdate{UserID: actual.UserID}
	drop := withoutNames(p.DeviceNames(), before.AssociatedDevices)
	if kept := withoutNames(actual.AssociatedDevices, drop); len(kept) != len(actual.AssociatedDevices) {
		update.AssociatedDevices = kept
	}
	if p.Profile != nil && !containsFold(before.PhoneProfiles, p.Profile.Name) {
		if kept := withoutNames(actual.PhoneProfiles, []string{p.Profile.Name}); len(kept) != len(actual.PhoneProfiles) {
			update.PhoneProfiles = kept
		}
	}

	ext := p.Line.Extension()
	wasPrimary := before.PrimaryExtension != nil && sameExtension(*before.PrimaryExtension, ext)
	if actual.PrimaryExtension != nil && sameExtension(*actual.PrimaryExtension, ext) && !wasPrimary {
		previous := axl.Extension{}
		if before.PrimaryExtension != nil {
			previous = *before.PrimaryExtension
		}
		update.PrimaryExtension = &previous
	}
	if p.Profile != nil && strings.EqualFold(actual.DefaultProfile, p.Profile.Name) &&
		!strings.EqualFold(before.DefaultProfile, p.Profile.Name) {
		previous := before.DefaultProfile
		update.DefaultProfile = &previous
	}
	return u.update(update, "associated devices, profiles and primary extension of user "+actual.UserID)
}
