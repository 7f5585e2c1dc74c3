package starter

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/workflows"
)

func newUCMCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "ucm", Short: "Use a UCM cluster as a source of users"}
	cmd.AddCommand(newUCMImportCommand(a))
	return cmd
}

func newUCMImportCommand(a *app) *cobra.Command {
	var customer, site string
	var wait bool
	cmd := &cobra.Command{
		Use:   "import CLUSTER --customer CUSTOMER [--site CUSTOMER/SITE]",
		Short: "Import the users a UCM cluster already holds, as source ucm",
		Long: "Start a UCMImport workflow that reads every end user of the cluster with listUser, " +
			"page by page, into the store with source ucm, at the customer or at --site. Users " +
			"with source ucm are never pushed back. A user the customer already has (from a " +
			"directory or an operator) with the same userid, compared without regard to case, is " +
			"linked instead of duplicated, and its first push updates the UCM user.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			if _, err := db.Cluster(ctx, args[0]); err != nil {
				return err
			}
			if _, err := db.Customer(ctx, customer); err != nil {
				return err
			}
			if site != "" {
				ref, err := domain.ParseSiteRef(site)
				if err != nil {
					return err
				}
				if ref.Customer != customer {
					return fmt.Errorf("--site %s is not a site of customer %s", site, customer)
				}
				if _, err := db.Site(ctx, ref); err != nil {
					return err
				}
			}

			attrs := []temporal.SearchAttributeUpdate{
				workflows.CustomerKey.ValueSet(customer),
				workflows.ClusterKey.ValueSet(args[0]),
				workflows.TriggerKey.ValueSet(workflows.TriggerUCMImport),
			}
			input := workflows.UCMImportInput{Cluster: args[0], Customer: customer, Site: site}
			run, err := a.start(ctx, workflows.UCMImportWorkflowID(args[0], customer), attrs,
				workflows.UCMImport, input)
			if err != nil || !wait {
				return err
			}

			var result activities.ImportUsersResult
			if err := run.Get(ctx, &result); err != nil {
				return fmt.Errorf("import from UCM cluster %s failed: %s", args[0], workflowErrorMessage(err))
			}
			if a.output == "json" {
				return printJSON(a.out, result)
			}
			fmt.Fprintf(a.out, "Read %d users in %d pages: %d imported, %d updated, %d linked to "+
				"users the customer already had.\n", result.Read, result.Pages, result.Imported,
				result.Updated, result.Linked)
			return nil
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "customer the users belong to (required)")
	cmd.Flags().StringVar(&site, "site", "", "site the users land at (CUSTOMER/SITE); default: the customer")
	_ = cmd.MarkFlagRequired("customer")
	addWaitFlag(cmd, &wait)
	return cmd
}
