package starter

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/workflows"
)

func newSiteCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "site", Short: "Add, change and list sites"}
	cmd.AddCommand(newSiteAddCommand(a), newSiteSetCommand(a), newSiteListCommand(a))
	cmd.AddCommand(newSiteDefaultsCommand(a))
	return cmd
}

func newSiteAddCommand(a *app) *cobra.Command {
	var ndl string
	var autoPush bool
	cmd := &cobra.Command{
		Use:     "add CUSTOMER/SITE",
		Short:   "Add a site to a customer",
		Example: "  ucmpush site add acme/london --ndl ndl-london --auto-push",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			site, err := db.CreateSite(cmd.Context(), ref, ndl, autoPush)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added site %s (NDL %s, auto push %s).\n", site.Ref(), orDash(site.NDL),
				onOff(site.AutoPush))
			return nil
		},
	}
	cmd.Flags().StringVar(&ndl, "ndl", "", "network device list of the site")
	cmd.Flags().Var(switchValue{&autoPush}, "auto-push", "push users to the site's UCM automatically: on or off")
	cmd.Flags().Lookup("auto-push").NoOptDefVal = "on"
	return cmd
}

func newSiteSetCommand(a *app) *cobra.Command {
	var ndl string
	var autoPush, wait, dryRun bool
	var confirmAbove int
	cmd := &cobra.Command{
		Use:   "set CUSTOMER/SITE [--auto-push=on|off] [--ndl NAME] [--confirm-above N]",
		Short: "Change a site's auto push switch or NDL",
		Long: "Change a site's auto push switch or NDL.\n\n" +
			"--ndl starts a SiteNDLChanged workflow: its first step links the NDL, then, if the " +
			"site's auto push is on and the NDL names a UCM cluster, every user of the site not yet " +
			"on that cluster is pushed. Users on a cluster that no longer serves the site stay " +
			"there and are marked unserved.\n\n" +
			"Turning auto push on pushes nothing by itself: the next trigger pushes every user of " +
			"the site not yet on its UCM, and `ucmpush push site` pushes everyone now.\n\n" +
			"--dry-run, with --ndl alone, links the NDL and plans the push in a transaction that " +
			"is rolled back, reads UCM, and prints per user what would be added, updated, left " +
			"unchanged or refused, and how many push states would become unserved; nothing is " +
			"written.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("auto-push") && !cmd.Flags().Changed("ndl") &&
				!cmd.Flags().Changed("confirm-above") {
				return fmt.Errorf("nothing to change: give --auto-push=on|off, --ndl NAME or --confirm-above N")
			}
			if err := checkSiteDryRun(cmd, dryRun); err != nil {
				return err
			}
			if confirmAbove < 0 {
				return fmt.Errorf("invalid --confirm-above %d: use 0 (no guard) or more", confirmAbove)
			}
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			site, err := db.Site(ctx, ref)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("ndl") && ndl != "" {
				if _, err := db.NDL(ctx, ndl); err != nil {
					return err
				}
			}

			if cmd.Flags().Changed("confirm-above") {
				if site, err = db.SetSiteConfirmAbove(ctx, ref, confirmAbove); err != nil {
					return err
				}
				fmt.Fprintf(a.out, "Site %s: pushes of more than %d users wait for confirmation.\n",
					site.Ref(), site.ConfirmAbove)
			}
			if cmd.Flags().Changed("auto-push") {
				if site, err = db.SetSiteAutoPush(ctx, ref, autoPush); err != nil {
					return err
				}
				fmt.Fprintf(a.out, "Site %s: auto push %s.\n", site.Ref(), onOff(site.AutoPush))
				if autoPush {
					fmt.Fprintf(a.out, "Nothing was pushed yet: run `ucmpush push site %s` to push "+
						"the site's users now.\n", site.Ref())
				}
			}
			if !cmd.Flags().Changed("ndl") {
				return nil
			}

			input := workflows.SiteNDLChangedInput{Site: ref.String(), NDL: ndl, DryRun: dryRun}
			return a.startTrigger(ctx, workflows.SiteNDLChangedWorkflowID(ref.String(), ndl),
				siteAttributes(ref, workflows.TriggerNDLChanged), workflows.SiteNDLChanged, input,
				dryRun, wait)
		},
	}
	cmd.Flags().StringVar(&ndl, "ndl", "", "network device list of the site (\"\" unlinks it)")
	cmd.Flags().IntVar(&confirmAbove, "confirm-above", 0,
		"pushes of more users than this wait for confirmation (ucmpush push confirm) before "+
			"their first write; 0 turns the guard off")
	cmd.Flags().Var(switchValue{&autoPush}, "auto-push", "push users to the site's UCM automatically: on or off")
	cmd.Flags().Lookup("auto-push").NoOptDefVal = "on"
	// A flag left out keeps the site's setting, so --help shows no default for any of them.
	cmd.Flags().Lookup("auto-push").DefValue = ""
	addWaitFlag(cmd, &wait)
	addDryRunTriggerFlag(cmd, &dryRun)
	return cmd
}

// checkSiteDryRun rejects a --dry-run that site set cannot honour: only the --ndl change runs
// as a workflow that can preview itself, while --auto-push and --confirm-above are written
// at once.
func checkSiteDryRun(cmd *cobra.Command, dryRun bool) error {
	if !dryRun {
		return nil
	}
	if !cmd.Flags().Changed("ndl") {
		return fmt.Errorf("--dry-run previews an NDL change only: give --ndl NAME")
	}
	if cmd.Flags().Changed("auto-push") || cmd.Flags().Changed("confirm-above") {
		return fmt.Errorf("--dry-run previews --ndl alone: run --auto-push and --confirm-above " +
			"without --dry-run, in a command of their own")
	}
	return nil
}

func newSiteListCommand(a *app) *cobra.Command {
	var customer string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List sites",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			sites, err := db.Sites(cmd.Context(), customer)
			if err != nil {
				return err
			}
			header := []string{"SITE", "NDL", "CLUSTER", "AUTO PUSH", "CONFIRM ABOVE"}
			return a.render(sites, header, func() [][]string {
				var rows [][]string
				for _, s := range sites {
					guard := strconv.Itoa(s.ConfirmAbove)
					if s.ConfirmAbove == 0 {
						guard = "off"
					}
					rows = append(rows, []string{s.Ref().String(), orDash(s.NDL), orDash(s.Cluster),
						onOff(s.AutoPush), guard})
				}
				return rows
			})
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "list only this customer's sites")
	return cmd
}
