package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

func newPushCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "push", Short: "Push users to UCM by hand, whatever the auto push switch says"}
	cmd.AddCommand(newPushSiteCommand(a), newPushCustomerCommand(a), newPushRetryCommand(a),
		newPushConfirmCommand(a))
	return cmd
}

func newPushSiteCommand(a *app) *cobra.Command {
	var wait, dryRun, confirmed bool
	cmd := &cobra.Command{
		Use:   "site CUSTOMER/SITE",
		Short: "Push every user of a site to the site's UCM cluster",
		Long: "Start a PushSite workflow for every active user of the site, whether or not its " +
			"auto push is on. Each user is read from UCM first and only what differs is " +
			"written, so users already right are counted unchanged. Users from UCM and users " +
			"with invalid directory entries are skipped. One manual push of a site runs at a " +
			"time: starting another attaches to the running one.",
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
			site, err := db.Site(ctx, ref)
			if err != nil {
				return err
			}
			if site.ClusterID == 0 {
				return fmt.Errorf("site %s has no UCM cluster (NDL %s): link an NDL that names one "+
					"with `ucmpush site set %s --ndl NAME`", ref, orDash(site.NDL), ref)
			}
			tc, err := a.temporalClient()
			if err != nil {
				return err
			}

			id := workflows.SitePushWorkflowID(ref.String(), workflows.TriggerManual, "")
			if dryRun {
				// A dry run must not attach to a real push of the site, nor a real push to it.
				id, wait = workflows.DryRunWorkflowID(id), true
				a.waiting = true
			}
			opts := client.StartWorkflowOptions{
				ID:                       id,
				TaskQueue:                a.taskQueue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
				TypedSearchAttributes: temporal.NewSearchAttributes(
					workflows.CustomerKey.ValueSet(ref.Customer),
					workflows.SiteKey.ValueSet(ref.String()),
					workflows.TriggerKey.ValueSet(workflows.TriggerManual),
					workflows.OutcomeKey.ValueSet(workflows.OutcomeRunning),
				),
			}
			input := workflows.PushSiteInput{SiteID: site.ID, Site: ref.String(),
				Trigger: workflows.TriggerManual, All: true, DryRun: dryRun, Confirmed: confirmed}
			opts.StaticSummary = input.Summary()
			run, err := tc.ExecuteWorkflow(ctx, opts, workflows.PushSite, input)
			if err != nil {
				return fmt.Errorf("start push of site %s: %w", ref, err)
			}
			a.printStarted("Push", run.GetID(), run.GetRunID())
			if !wait {
				return nil
			}

			var result workflows.PushSiteResult
			if err := a.waitWithProgress(ctx, run, &result); err != nil {
				return fmt.Errorf("push of site %s failed: %s", ref, workflowErrorMessage(err))
			}
			return a.printPushResult(result)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the push, then print its counts")
	addGuardFlags(cmd, &dryRun, &confirmed)
	return cmd
}

func (a *app) printPushResult(r workflows.PushSiteResult) error {
	if a.output == "json" {
		if err := printJSON(a.out, r); err != nil {
			return err
		}
	} else if r.DryRun {
		if r.Error != "" {
			fmt.Fprintf(a.out, "\nSite %s: %s\n", r.Site, r.Error)
		}
		fmt.Fprintf(a.out, "\nDry run of site %s on UCM cluster %s, nothing written: %s; "+
			"%d skipped.\n", r.Site, r.Cluster, dryRunCounts(r), r.Skipped)
		a.printPreviews(r.Preview)
	} else {
		if r.Error != "" {
			fmt.Fprintf(a.out, "\nSite %s: %s\n", r.Site, r.Error)
		}
		fmt.Fprintf(a.out, "\nSite %s on UCM cluster %s: %d planned, %d added, %d updated, "+
			"%d unchanged, %d failed, %d skipped.\n", r.Site, r.Cluster, r.Planned, r.Added,
			r.Updated, r.Unchanged, r.Failed, r.Skipped)
		for _, f := range r.Failures {
			fmt.Fprintf(a.out, "  failed %s: %s\n", f.UserID, f.Reason)
		}
	}
	if r.DryRun && r.Error != "" {
		return fmt.Errorf("dry run of site %s previewed nothing: %s", r.Site, r.Error)
	}
	if r.Failed > 0 {
		return fmt.Errorf("%s of site %s failed to push", countOf(r.Failed, "user", "users"), r.Site)
	}
	return nil
}

// dryRunCounts describes what a push's dry run found among its planned users, then how many
// users it did not plan because their last push is still what the store holds.
// PushSiteResult counts both kinds as unchanged.
func dryRunCounts(r workflows.PushSiteResult) string {
	plannedUnchanged := max(0, r.Planned-r.Added-r.Updated-r.Failed)
	notPlanned := max(0, r.Unchanged-plannedUnchanged)
	counts := fmt.Sprintf("of %d planned users, %d would be added, %d updated, %d left unchanged, "+
		"%d refused", r.Planned, r.Added, r.Updated, min(plannedUnchanged, r.Unchanged), r.Failed)
	if notPlanned > 0 {
		counts += fmt.Sprintf("; %d more users were not planned, as their last push is what the "+
			"store holds", notPlanned)
	}
	return counts
}

// printPreviews prints one line per previewed user: the action, the userid, the fields an
// update would write and the reason of a refusal.
func (a *app) printPreviews(previews []activities.UserPreview) {
	for _, p := range previews {
		line := "  " + p.Action + " " + p.UserID
		if len(p.Fields) > 0 {
			line += ": " + strings.Join(p.Fields, ", ")
		}
		if p.Reason != "" {
			line += " (" + p.Reason + ")"
		}
		fmt.Fprintln(a.out, line)
	}
}

func newPushCustomerCommand(a *app) *cobra.Command {
	var wait, dryRun, confirmed bool
	cmd := &cobra.Command{
		Use:   "customer CUSTOMER",
		Short: "Push every user of a customer to the UCM cluster of the user's own site",
		Long: "Start a NodePush workflow: one push per site of the customer whose NDL names a UCM " +
			"cluster, whatever the auto push switch says. Each user is read from UCM first and " +
			"only what differs is written. Sites without a UCM are listed with the reason, and " +
			"users at no site are counted as skipped.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := domain.ValidateName("customer", args[0]); err != nil {
				return err
			}
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			if _, err := db.Customer(ctx, args[0]); err != nil {
				return err
			}

			attrs := []temporal.SearchAttributeUpdate{
				workflows.CustomerKey.ValueSet(args[0]),
				workflows.TriggerKey.ValueSet(workflows.TriggerNodePush),
			}
			return a.startTrigger(ctx, workflows.NodePushWorkflowID(args[0]), attrs, workflows.NodePush,
				workflows.NodePushInput{Customer: args[0], DryRun: dryRun, Confirmed: confirmed},
				dryRun, wait)
		},
	}
	addWaitFlag(cmd, &wait)
	addGuardFlags(cmd, &dryRun, &confirmed)
	return cmd
}

// addGuardFlags adds --dry-run and --confirm to a command that pushes.
func addGuardFlags(cmd *cobra.Command, dryRun, confirmed *bool) {
	cmd.Flags().BoolVar(dryRun, "dry-run", false,
		"read UCM and print, per user, what the push would add or update; write nothing "+
			"(implies --wait)")
	cmd.Flags().BoolVar(confirmed, "confirm", false,
		"start writing at once even when a site's push is larger than its --confirm-above guard")
}

func newPushConfirmCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "confirm PUSH-WORKFLOW-ID",
		Short: "Let a push that waits for confirmation start writing",
		Long: "A push of more users than its site's --confirm-above guard waits for a " +
			"confirmation before its first write (at most 24 hours, then it gives up writing " +
			"nothing). This sends the confirm signal; in the Web UI, Send Signal with the name " +
			"confirm does the same. `ucmpush push ... --wait` prints the ID to confirm.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tc, err := a.temporalClient()
			if err != nil {
				return err
			}
			var progress workflows.Progress
			value, err := tc.QueryWorkflow(cmd.Context(), args[0], "", workflows.QueryProgress)
			if err != nil {
				return fmt.Errorf("push %s not found or not running: %w", args[0], err)
			}
			if err := value.Get(&progress); err != nil {
				return err
			}
			if !progress.AwaitingConfirmation {
				return fmt.Errorf("push %s is not waiting for confirmation", args[0])
			}
			if err := tc.SignalWorkflow(cmd.Context(), args[0], "", workflows.SignalConfirm, nil); err != nil {
				return fmt.Errorf("confirm push %s: %w", args[0], err)
			}
			fmt.Fprintf(a.out, "Confirmed push %s of %d users; it starts writing now.\n", args[0], progress.Total)
			return nil
		},
	}
}

func newPushRetryCommand(a *app) *cobra.Command {
	var site, customer, userid string
	var allFailed, wait, dryRun, confirmed bool
	cmd := &cobra.Command{
		Use:   "retry (--site CUSTOMER/SITE | --customer CUSTOMER --userid USERID | --all-failed [--customer CUSTOMER])",
		Short: "Push again the users whose last push failed",
		Long: "Push again what failed: the failed users of one site, one user (whatever its " +
			"state), or the failed users of every site of a customer or of the whole provider. " +
			"Each user is read from UCM first and only what differs is written.\n\n" +
			"In the Temporal Web UI the same is a reset: open the failed push workflow, choose " +
			"Reset and reset to the first workflow task; the new run plans afresh and pushes " +
			"every user of that push who is not yet right.",
		Example: "  ucmpush push retry --site acme/london --wait\n" +
			"  ucmpush push retry --customer acme --userid alice --wait\n" +
			"  ucmpush push retry --all-failed --wait",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.store(ctx)
			if err != nil {
				return err
			}

			switch {
			case allFailed:
				if customer != "" {
					if _, err := db.Customer(ctx, customer); err != nil {
						return err
					}
				}
				node := customer
				if node == "" {
					node = "all"
				}
				return a.startTrigger(ctx, workflows.NodePushWorkflowID(node)+"/retry",
					[]temporal.SearchAttributeUpdate{workflows.TriggerKey.ValueSet(workflows.TriggerRetry)},
					workflows.NodePush, workflows.NodePushInput{Customer: customer, OnlyFailed: true,
						DryRun: dryRun, Confirmed: confirmed}, dryRun, wait)

			case site != "":
				ref, err := domain.ParseSiteRef(site)
				if err != nil {
					return err
				}
				return a.retrySite(cmd, ref, workflows.PushSiteInput{OnlyFailed: true,
					DryRun: dryRun, Confirmed: confirmed}, wait)

			case userid != "" && customer != "":
				users, err := db.Users(ctx, store.UserFilter{Customer: customer, UserID: userid})
				if err != nil {
					return err
				}
				if len(users) == 0 {
					return fmt.Errorf("user %q of customer %s not found: list users with `ucmpush users list --customer %s`",
						userid, customer, customer)
				}
				if users[0].Site == "" {
					return fmt.Errorf("user %s is at no site, so no UCM serves it: move it with `ucmpush users move`", userid)
				}
				ref := domain.SiteRef{Customer: customer, Site: users[0].Site}
				return a.retrySite(cmd, ref, workflows.PushSiteInput{UserID: users[0].UserID, All: true,
					DryRun: dryRun, Confirmed: confirmed}, wait)
			}
			return fmt.Errorf("say what to retry: --site CUSTOMER/SITE, --customer CUSTOMER --userid USERID, or --all-failed")
		},
	}
	cmd.Flags().StringVar(&site, "site", "", "retry the failed users of this site (CUSTOMER/SITE)")
	cmd.Flags().StringVar(&customer, "customer", "", "customer of --userid, or the customer --all-failed covers")
	cmd.Flags().StringVar(&userid, "userid", "", "retry this user (needs --customer)")
	cmd.Flags().BoolVar(&allFailed, "all-failed", false, "retry the failed users of every site (of --customer, if given)")
	cmd.MarkFlagsMutuallyExclusive("site", "userid", "all-failed")
	cmd.MarkFlagsMutuallyExclusive("site", "customer")
	addWaitFlag(cmd, &wait)
	addGuardFlags(cmd, &dryRun, &confirmed)
	return cmd
}

// retrySite starts a PushSite of the site narrowed by input, under a retry ID.
func (a *app) retrySite(cmd *cobra.Command, ref domain.SiteRef, input workflows.PushSiteInput, wait bool) error {
	ctx := cmd.Context()
	db, err := a.store(ctx)
	if err != nil {
		return err
	}
	site, err := db.Site(ctx, ref)
	if err != nil {
		return err
	}
	if site.ClusterID == 0 {
		return fmt.Errorf("site %s has no UCM cluster (NDL %s): link an NDL that names one "+
			"with `ucmpush site set %s --ndl NAME`", ref, orDash(site.NDL), ref)
	}

	input.SiteID, input.Site, input.Trigger = site.ID, ref.String(), workflows.TriggerRetry
	key := "retry"
	attrs := siteAttributes(ref, workflows.TriggerRetry)
	if input.UserID != "" {
		key += "-" + workflows.EscapeUserID(input.UserID)
		attrs = append(attrs, workflows.UserIDKey.ValueSet(input.UserID))
	}
	id := workflows.SitePushWorkflowID(ref.String(), key, "")
	if input.DryRun {
		id, wait = workflows.DryRunWorkflowID(id), true
		a.waiting = true
	}
	run, err := a.start(ctx, id, attrs, workflows.PushSite, input)
	if err != nil || !wait {
		return err
	}
	var result workflows.PushSiteResult
	if err := a.waitWithProgress(ctx, run, &result); err != nil {
		return fmt.Errorf("retry of site %s failed: %s", ref, workflowErrorMessage(err))
	}
	return a.printPushResult(result)
}
