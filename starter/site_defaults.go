package starter

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
)

func newSiteDefaultsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "defaults",
		Short: "Set and show a site's Quick User defaults",
		Long: "A site's Quick User defaults are what `ucmpush quick-user` takes when the request " +
			"leaves a value out, so that a run needs only the user and the phone.",
	}
	cmd.AddCommand(newSiteDefaultsSetCommand(a), newSiteDefaultsShowCommand(a))
	return cmd
}

func newSiteDefaultsSetCommand(a *app) *cobra.Command {
	var given store.SiteDefaults
	cmd := &cobra.Command{
		Use:   "set CUSTOMER/SITE [flags]",
		Short: "Set a site's Quick User defaults; settings not given keep their value",
		Example: "  ucmpush site defaults set acme/london --device-pool DP_London --partition Internal_PT \\\n" +
			"      --css CSS_London --phone-template 'Standard 8841 SIP' --number-range 4000-4999 \\\n" +
			"      --jabber=on --voicemail=on",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			current, err := db.SiteDefaults(ctx, ref)
			if err != nil {
				return err
			}
			merged, err := mergeSiteDefaults(cmd, current, given)
			if err != nil {
				return err
			}
			stored, err := db.SetSiteDefaults(ctx, ref, merged)
			if err != nil {
				return err
			}
			return a.printSiteDefaults(stored)
		},
	}

	f := cmd.Flags()
	f.StringVar(&given.DevicePool, "device-pool", "", "device pool of new phones (required by Quick User)")
	f.StringVar(&given.RoutePartition, "partition", "", "route partition of new lines (\"\" is the null partition)")
	f.StringVar(&given.CallingSearchSpace, "css", "", "calling search space of new phones")
	f.StringVar(&given.PhoneTemplate, "phone-template", "", "phone button template of new desk phones "+
		"and device profiles (\"\" leaves UCM's default)")
	f.StringVar(&given.JabberTemplate, "jabber-template", "", "phone button template of new Jabber "+
		"devices (\"\" leaves UCM's default)")
	f.StringVar(&given.NumberMask, "number-mask", "", "build numbers from the user's telephone "+
		"number, such as +44207100XXXX; clears the range")
	f.StringVar(&given.NumberRange, "number-range", "", "give the next free number of this range, "+
		"such as 4000-4999; clears the mask")
	for _, s := range []struct {
		name, help string
		on         *bool
	}{
		{"jabber", "add a Jabber device by default", &given.Jabber},
		{"extension-mobility", "add an extension mobility profile by default", &given.ExtensionMobility},
		{"single-number-reach", "add single number reach by default (needs the mobile number per run)",
			&given.SingleNumberReach},
		{"voicemail", "record users for voicemail by default", &given.Voicemail},
	} {
		f.Var(switchValue{s.on}, s.name, s.help+": on or off")
		f.Lookup(s.name).NoOptDefVal = "on"
	}
	cmd.MarkFlagsMutuallyExclusive("number-mask", "number-range")
	return cmd
}

// mergeSiteDefaults returns current with the settings given on the command line; setting a
// mask clears the range and setting a range clears the mask. It fails when none is given.
func mergeSiteDefaults(cmd *cobra.Command, current, given store.SiteDefaults) (store.SiteDefaults, error) {
	m := current
	changed := applyChangedFlags(cmd, map[string]func(){
		"device-pool":     func() { m.DevicePool = given.DevicePool },
		"partition":       func() { m.RoutePartition = given.RoutePartition },
		"css":             func() { m.CallingSearchSpace = given.CallingSearchSpace },
		"phone-template":  func() { m.PhoneTemplate = given.PhoneTemplate },
		"jabber-template": func() { m.JabberTemplate = given.JabberTemplate },
		"number-mask": func() {
			m.NumberMask = given.NumberMask
			if given.NumberMask != "" {
				m.NumberRange = ""
			}
		},
		"number-range": func() {
			m.NumberRange = given.NumberRange
			if given.NumberRange != "" {
				m.NumberMask = ""
			}
		},
		"jabber":              func() { m.Jabber = given.Jabber },
		"extension-mobility":  func() { m.ExtensionMobility = given.ExtensionMobility },
		"single-number-reach": func() { m.SingleNumberReach = given.SingleNumberReach },
		"voicemail":           func() { m.Voicemail = given.Voicemail },
	})
	if changed == 0 {
		return m, fmt.Errorf("nothing to change: give at least one setting, see --help")
	}
	return m, m.Validate()
}

func newSiteDefaultsShowCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show CUSTOMER/SITE",
		Short: "Show a site's Quick User defaults",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			d, err := db.SiteDefaults(cmd.Context(), ref)
			if err != nil {
				return err
			}
			return a.printSiteDefaults(d)
		},
	}
}

func (a *app) printSiteDefaults(d store.SiteDefaults) error {
	if a.output == "json" {
		return printJSON(a.out, d)
	}
	if d.UpdatedAt == nil {
		fmt.Fprintf(a.out, "Site %s has no Quick User defaults yet: set them with "+
			"`ucmpush site defaults set %s --device-pool NAME ...`.\n", d.Site, d.Site)
		return nil
	}
	numbering := "-"
	switch {
	case d.NumberMask != "":
		numbering = "mask " + d.NumberMask + " on the user's telephone number"
	case d.NumberRange != "":
		numbering = "next free number of range " + d.NumberRange
	}
	partition := d.RoutePartition
	if partition == "" {
		partition = "(null partition)"
	}
	rows := [][]string{
		{"device pool", orDash(d.DevicePool)},
		{"partition", partition},
		{"calling search space", orDash(d.CallingSearchSpace)},
		{"phone template", orDash(d.PhoneTemplate)},
		{"jabber template", orDash(d.JabberTemplate)},
		{"numbers", numbering},
		{"jabber", onOff(d.Jabber)},
		{"extension mobility", onOff(d.ExtensionMobility)},
		{"single number reach", onOff(d.SingleNumberReach)},
		{"voicemail", onOff(d.Voicemail)},
		{"updated", d.UpdatedAt.Format(time.RFC3339)},
	}
	fmt.Fprintf(a.out, "Quick User defaults of site %s:\n", d.Site)
	return printTable(a.out, []string{"SETTING", "VALUE"}, rows)
}
