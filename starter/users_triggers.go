package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/workflows"
)

func newUsersMoveCommand(a *app) *cobra.Command {
	var filter, username, usernamesFile string
	var usernames []string
	var wait, dryRun bool
	cmd := &cobra.Command{
		Use:   "move CUSTOMER/SITE (--filter EXPR | --username NAME | --usernames A,B | --usernames-file FILE)",
		Short: "Move users to a site, then push the moved users where the site's auto push is on",
		Long: "Start a UsersMoved workflow. Its first step records the move as a move rule ahead " +
			"of the customer's other rules (so the next sync keeps it) and moves the users; then " +
			"the moved users are pushed to the site's UCM cluster if the site's auto push is on. " +
			"A user moved away from another cluster stays there; the result says how many.\n\n" +
			"--dry-run computes the same move and the same pushes in a transaction that is " +
			"rolled back, reads UCM, and prints per site and user what would be added, updated, " +
			"left unchanged or refused; nothing is written.",
		Example: "  ucmpush users move acme/london --username alice --wait\n" +
			"  ucmpush users move acme/paris --filter 'ou=Paris' --dry-run",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			rule, err := buildRule(cmd.Flags(), filter, username, usernames, usernamesFile)
			if err != nil {
				return err
			}
			if err := a.checkSite(cmd, ref); err != nil {
				return err
			}

			input := workflows.UsersMovedInput{Site: ref.String(), Kind: rule.Kind,
				Filter: rule.Filter.String(), Usernames: rule.Usernames, DryRun: dryRun}
			selector := input.Filter + "|" + strings.Join(input.Usernames, ",")
			return a.startTrigger(ctx, workflows.MovedWorkflowID(ref.String(), selector),
				siteAttributes(ref, workflows.TriggerMoved), workflows.UsersMoved, input, dryRun, wait)
		},
	}
	f := cmd.Flags()
	f.StringVar(&filter, "filter", "",
		"move the customer's users matching this filter, such as 'ou=Paris' (syntax in ucmpush rule add --help)")
	f.StringVar(&username, "username", "", "move one user by userid")
	f.StringSliceVar(&usernames, "usernames", nil, "move these userids (comma-separated)")
	f.StringVar(&usernamesFile, "usernames-file", "", "move the userids of this file, one a line")
	cmd.MarkFlagsMutuallyExclusive("filter", "username", "usernames", "usernames-file")
	cmd.MarkFlagsOneRequired("filter", "username", "usernames", "usernames-file")
	addWaitFlag(cmd, &wait)
	addDryRunTriggerFlag(cmd, &dryRun)
	return cmd
}

func newUsersAddCommand(a *app) *cobra.Command {
	var attrs domain.Attributes
	var wait, dryRun bool
	cmd := &cobra.Command{
		Use:   "add CUSTOMER/SITE --userid USERID --last-name NAME",
		Short: "Create a user at a site, then push it where the site's auto push is on",
		Long: "Start a UserCreated workflow: its first step adds the user with source manual at " +
			"the site, then the user is pushed to the site's UCM cluster if the site's auto push " +
			"is on.\n\n" +
			"--dry-run creates the user and plans its push in a transaction that is rolled back, " +
			"reads UCM, and prints whether the push would add, update or refuse the user; " +
			"nothing is written.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			if err := validateManualUser(attrs); err != nil {
				return err
			}
			if err := a.checkSite(cmd, ref); err != nil {
				return err
			}

			input := workflows.UserCreatedInput{Site: ref.String(), Attributes: attrs, DryRun: dryRun}
			attributes := append(siteAttributes(ref, workflows.TriggerCreated),
				workflows.UserIDKey.ValueSet(attrs.UserID))
			return a.startTrigger(ctx, workflows.UserCreatedWorkflowID(ref.String(), attrs.UserID),
				attributes, workflows.UserCreated, input, dryRun, wait)
		},
	}
	f := cmd.Flags()
	f.StringVar(&attrs.UserID, "userid", "", "the user's UCM userid (required)")
	f.StringVar(&attrs.FirstName, "first-name", "", "first name")
	f.StringVar(&attrs.LastName, "last-name", "", "last name (required: UCM needs one)")
	f.StringVar(&attrs.Mail, "mail", "", "e-mail address")
	f.StringVar(&attrs.TelephoneNumber, "telephone", "", "telephone number, for example +442071000001")
	f.StringVar(&attrs.Department, "department", "", "department")
	f.StringVar(&attrs.Title, "title", "", "title")
	_ = cmd.MarkFlagRequired("userid")
	_ = cmd.MarkFlagRequired("last-name")
	addWaitFlag(cmd, &wait)
	addDryRunTriggerFlag(cmd, &dryRun)
	return cmd
}

// validateManualUser checks what UCM would refuse, by the rules a directory entry meets
// ([domain.CheckAttributes]), before anything is written. A '/' in the userid is refused too,
// because the userid is part of the workflow ID's path.
func validateManualUser(a domain.Attributes) error {
	if strings.ContainsRune(a.UserID, '/') {
		return fmt.Errorf("invalid --userid %q: a userid cannot contain '/'", a.UserID)
	}
	if reason := domain.CheckAttributes(a, userFlagNames); reason != "" {
		return fmt.Errorf("invalid user: %s", reason)
	}
	return nil
}

// userFlagNames name the user fields by the flags of `ucmpush users add`.
var userFlagNames = domain.AttributeNames{UserID: "--userid", FirstName: "--first-name",
	LastName: "--last-name", Mail: "--mail", TelephoneNumber: "--telephone",
	Department: "--department", Title: "--title"}

// checkSite fails with the store's message when the site does not exist, so a trigger for a
// typo never starts.
func (a *app) checkSite(cmd *cobra.Command, ref domain.SiteRef) error {
	db, err := a.store(cmd.Context())
	if err != nil {
		return err
	}
	_, err = db.Site(cmd.Context(), ref)
	return err
}

// siteAttributes are the search attributes of a workflow about one site.
func siteAttributes(ref domain.SiteRef, trigger string) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		workflows.CustomerKey.ValueSet(ref.Customer),
		workflows.SiteKey.ValueSet(ref.String()),
		workflows.TriggerKey.ValueSet(trigger),
	}
}
