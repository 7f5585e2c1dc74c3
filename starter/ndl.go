package starter

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/workflows"
)

func newNDLCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ndl",
		Short: "Add, change and list network device lists (an NDL names a site's UCM cluster)",
	}
	cmd.AddCommand(newNDLAddCommand(a), newNDLSetCommand(a), newNDLListCommand(a))
	return cmd
}

func newNDLAddCommand(a *app) *cobra.Command {
	var cluster string
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a network device list",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := domain.ValidateName("NDL", args[0]); err != nil {
				return err
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			n, err := db.CreateNDL(cmd.Context(), args[0], cluster)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added NDL %s (UCM cluster %s).\n", n.Name, orDash(n.Cluster))
			return nil
		},
	}
	cmd.Flags().StringVar(&cluster, "cluster", "", "UCM cluster the NDL names")
	return cmd
}

func newNDLSetCommand(a *app) *cobra.Command {
	var cluster string
	var wait, dryRun bool
	cmd := &cobra.Command{
		Use:   "set NAME --cluster CLUSTER",
		Short: "Change the UCM cluster an NDL names (--cluster \"\" removes it)",
		Long: "Start a SiteNDLChanged workflow: its first step makes the NDL name the cluster, " +
			"then the users of every site on the NDL whose auto push is on are pushed to the new " +
			"cluster. Nothing is deleted from the old cluster; the users' push state there " +
			"becomes unserved.\n\n" +
			"--dry-run makes the same change and plans the same pushes in a transaction that is " +
			"rolled back, reads UCM, and prints per site and user what would be added, updated, " +
			"left unchanged or refused, and how many push states would become unserved; nothing " +
			"is written.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			if _, err := db.NDL(ctx, args[0]); err != nil {
				return err
			}
			if cluster != "" {
				if _, err := db.Cluster(ctx, cluster); err != nil {
					return err
				}
			}

			input := workflows.SiteNDLChangedInput{NDL: args[0], Cluster: cluster, DryRun: dryRun}
			attrs := []temporal.SearchAttributeUpdate{
				workflows.TriggerKey.ValueSet(workflows.TriggerNDLChanged),
				workflows.ClusterKey.ValueSet(cluster),
			}
			return a.startTrigger(ctx, workflows.NDLClusterChangedWorkflowID(args[0], cluster), attrs,
				workflows.SiteNDLChanged, input, dryRun, wait)
		},
	}
	cmd.Flags().StringVar(&cluster, "cluster", "", "UCM cluster the NDL names")
	_ = cmd.MarkFlagRequired("cluster")
	addWaitFlag(cmd, &wait)
	addDryRunTriggerFlag(cmd, &dryRun)
	return cmd
}

func newNDLListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List network device lists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			ndls, err := db.NDLs(cmd.Context())
			if err != nil {
				return err
			}
			return a.render(ndls, []string{"NDL", "CLUSTER"}, func() [][]string {
				var rows [][]string
				for _, n := range ndls {
					rows = append(rows, []string{n.Name, orDash(n.Cluster)})
				}
				return rows
			})
		},
	}
}
