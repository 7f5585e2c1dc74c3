package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// quickUserFlags are the flags of `ucmpush quick-user`; the feature switches are read only
// when given, so that the site's defaults apply otherwise.
type quickUserFlags struct {
	req                              activities.QuickUserRequest
	jabber, extensionMobility, vmail bool
	singleNumberReach                string
	wait, dryRun                     bool
}

func newQuickUserCommand(a *app) *cobra.Command {
	f := &quickUserFlags{}
	cmd := &cobra.Command{
		Use:   "quick-user CUSTOMER/SITE USERID (--phone-type MODEL --mac MAC | --jabber) [flags]",
		Short: "Provision one user on the site's UCM in one action: user, line, phone and features",
		Long: "Start a ManualQuickUserPush workflow, whatever the site's auto push switch says. It " +
			"checks first: the user is at the site, the site's NDL names a UCM cluster, the device " +
			"names are valid and free (or already the user's) and the number is free (or already " +
			"the user's). A failed check writes nothing and says which check failed and why.\n\n" +
			"Then it adds or updates the user, the line, the desk phone and the Jabber (CSF) " +
			"device on that line, the extension mobility profile and single number reach, merges " +
			"the devices into the user's associated devices and sets the primary extension. Each " +
			"step writes only what differs from UCM, so running it again changes nothing. When a " +
			"step fails for good, what this run created is removed again and the result says " +
			"what was undone; run the command again once the cause is fixed.\n\n" +
			"Values not given come from the site's defaults (`ucmpush site defaults set`): device " +
			"pool, partition, calling search space, templates, the number (a mask on the user's " +
			"telephone number, or the next free number of a range) and the features on by default.",
		Example: "  ucmpush quick-user acme/london alice --phone-type 8841 --mac 00:11:22:33:44:55 --wait\n" +
			"  ucmpush quick-user acme/london bob --jabber --number 4100 --voicemail --wait\n" +
			"  ucmpush quick-user acme/london carol --phone-type 8845 --mac 0011.2233.4466 \\\n" +
			"      --extension-mobility --single-number-reach +447700900123 --dry-run",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runQuickUser(cmd, args, f)
		},
	}

	fl := cmd.Flags()
	fl.StringVar(&f.req.PhoneType, "phone-type", "", "desk phone model, such as 8841")
	fl.StringVar(&f.req.MAC, "mac", "", "MAC address of the desk phone, such as 00:11:22:33:44:55")
	fl.StringVar(&f.req.Protocol, "protocol", "SIP", "protocol of the desk phone: SIP or SCCP")
	fl.BoolVar(&f.jabber, "jabber", false, "add a Jabber desktop (CSF) device on the line "+
		"(default: the site's)")
	fl.StringVar(&f.req.Number, "number", "", "directory number, such as 4001 (default: the "+
		"site's mask or the next free number of its range)")
	fl.StringVar(&f.req.Partition, "partition", "", "route partition of the line (default: the site's)")
	fl.BoolVar(&f.extensionMobility, "extension-mobility", false, "add an extension mobility "+
		"device profile with the line (default: the site's)")
	fl.StringVar(&f.singleNumberReach, "single-number-reach", "", "ring this mobile number with "+
		"the line, such as +447700900123; off turns single number reach off")
	fl.BoolVar(&f.vmail, "voicemail", false, "record the user for voicemail (default: the site's)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "run the checks and print the AXL calls the run "+
		"would send; change nothing")
	addWaitFlag(cmd, &f.wait)
	cmd.MarkFlagsRequiredTogether("phone-type", "mac")
	return cmd
}

func (a *app) runQuickUser(cmd *cobra.Command, args []string, f *quickUserFlags) error {
	ctx := cmd.Context()
	ref, err := domain.ParseSiteRef(args[0])
	if err != nil {
		return err
	}
	req, err := f.request(cmd, ref, args[1])
	if err != nil {
		return err
	}
	if err := a.checkSite(cmd, ref); err != nil {
		return err
	}

	id := workflows.QuickUserWorkflowID(ref.String(), req.UserID)
	if f.dryRun {
		id = workflows.QuickUserDryRunWorkflowID(ref.String(), req.UserID)
		a.waiting = true
	}
	attrs := append(siteAttributes(ref, workflows.TriggerQuickUser), workflows.UserIDKey.ValueSet(req.UserID))
	run, err := a.start(ctx, id, attrs, workflows.ManualQuickUserPush,
		workflows.ManualQuickUserPushInput{Request: req, DryRun: f.dryRun})
	if err != nil || (!f.wait && !f.dryRun) {
		return err
	}

	var result workflows.ManualQuickUserPushResult
	if err := run.Get(ctx, &result); err != nil {
		return fmt.Errorf("quick user %s at %s failed: %s", req.UserID, ref, workflowErrorMessage(err))
	}
	return a.printQuickUserResult(result)
}

// request builds the workflow's request from the flags, checking what it can without the
// store, so a typo fails before a workflow starts.
func (f *quickUserFlags) request(cmd *cobra.Command, ref domain.SiteRef, userid string) (activities.QuickUserRequest, error) {
	req := f.req
	req.Site, req.UserID = ref.String(), strings.TrimSpace(userid)
	if req.UserID == "" {
		return req, fmt.Errorf("missing USERID: name the user to provision")
	}
	if req.MAC != "" {
		if _, err := activities.DeskPhoneName(req.MAC); err != nil {
			return req, err
		}
	}
	if req.Number != "" {
		if err := store.ValidateNumber(req.Number); err != nil {
			return req, err
		}
	}

	flags := cmd.Flags()
	for _, s := range []struct {
		name  string
		value bool
		field **bool
	}{
		{"jabber", f.jabber, &req.Jabber},
		{"extension-mobility", f.extensionMobility, &req.ExtensionMobility},
		{"voicemail", f.vmail, &req.Voicemail},
	} {
		if flags.Changed(s.name) {
			value := s.value
			*s.field = &value
		}
	}
	if flags.Changed("single-number-reach") {
		on := !strings.EqualFold(f.singleNumberReach, "off")
		req.SingleNumberReach = &on
		if on {
			if err := activities.ValidateMobileNumber(f.singleNumberReach); err != nil {
				return req, err
			}
			req.MobileNumber = f.singleNumberReach
		}
	}
	return req, nil
}

// printQuickUserResult prints the steps of a Quick User run (for a dry run the checks and
// the AXL calls it would send) and returns an error unless the run succeeded.
func (a *app) printQuickUserResult(r workflows.ManualQuickUserPushResult) error {
	if a.output == "json" {
		if err := printJSON(a.out, r); err != nil {
			return err
		}
		return quickUserFailure(r)
	}

	if r.Outcome == workflows.OutcomeDryRun {
		return a.printQuickUserDryRun(r)
	}
	fmt.Fprintf(a.out, "\nQuick User %s at %s on UCM cluster %s: %s.\n\n", r.UserID, r.Site,
		orDash(r.Cluster), r.Outcome)
	rows := stepRows(r.Steps)
	if r.Outcome == workflows.OutcomeRefused {
		rows = stepRows(r.Checks)
	}
	if err := printTable(a.out, []string{"STEP", "RESULT", "DETAIL"}, rows); err != nil {
		return err
	}
	a.printQuickUserNotes(r)
	return quickUserFailure(r)
}

func (a *app) printQuickUserDryRun(r workflows.ManualQuickUserPushResult) error {
	fmt.Fprintf(a.out, "\nDry run of Quick User %s at %s on UCM cluster %s: every check passed; "+
		"nothing was changed.\n\n", r.UserID, r.Site, orDash(r.Cluster))
	if err := printTable(a.out, []string{"CHECK", "RESULT", "DETAIL"}, stepRows(r.Checks)); err != nil {
		return err
	}
	if len(r.Calls) == 0 {
		fmt.Fprintln(a.out, "\nUCM already holds everything: the run would send no AXL write.")
	} else {
		fmt.Fprintf(a.out, "\nThe run would send these %d AXL calls:\n", len(r.Calls))
		for _, call := range r.Calls {
			fmt.Fprintf(a.out, "  %s %s\n", call.Operation, call.Name)
			for _, field := range call.Fields {
				fmt.Fprintf(a.out, "      %s\n", field)
			}
		}
	}
	a.printQuickUserNotes(r)
	return nil
}

func (a *app) printQuickUserNotes(r workflows.ManualQuickUserPushResult) {
	for _, note := range r.Notes {
		fmt.Fprintf(a.out, "Note: %s.\n", note)
	}
	if len(r.Undone) > 0 {
		fmt.Fprintln(a.out, "\nUndone, because a step failed:")
		for _, u := range r.Undone {
			fmt.Fprintf(a.out, "  %s\n", u)
		}
	}
	if len(r.NotUndone) > 0 {
		fmt.Fprintln(a.out, "\nNot undone; run Quick User again to finish, or remove it on UCM:")
		for _, u := range r.NotUndone {
			fmt.Fprintf(a.out, "  %s\n", u)
		}
	}
}

func stepRows(steps []store.QuickUserStep) [][]string {
	var rows [][]string
	for _, s := range steps {
		rows = append(rows, []string{s.Name, s.Status, s.Detail})
	}
	return rows
}

// quickUserFailure returns an error for a run that did not succeed, so scripts see a
// non-zero exit.
func quickUserFailure(r workflows.ManualQuickUserPushResult) error {
	switch r.Outcome {
	case workflows.OutcomeSucceeded, workflows.OutcomeDryRun:
		return nil
	case workflows.OutcomeRefused:
		return fmt.Errorf("quick user %s refused: %s", r.UserID, r.Reason)
	}
	return fmt.Errorf("quick user %s failed: %s", r.UserID, r.Reason)
}
