package starter

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/domain"
)

func newCustomerCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "customer", Short: "Add and list customers"}
	cmd.AddCommand(newCustomerAddCommand(a), newCustomerListCommand(a))
	return cmd
}

func newCustomerAddCommand(a *app) *cobra.Command {
	var reseller string
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a customer, optionally under a reseller",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := domain.ValidateName("customer", name); err != nil {
				return err
			}
			if reseller != "" {
				if err := domain.ValidateName("reseller", reseller); err != nil {
					return err
				}
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			c, err := db.CreateCustomer(cmd.Context(), name, reseller)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added customer %s.\n", c.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&reseller, "reseller", "", "reseller the customer belongs to (created on first use)")
	return cmd
}

func newCustomerListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List customers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			customers, err := db.Customers(cmd.Context())
			if err != nil {
				return err
			}
			return a.render(customers, []string{"CUSTOMER", "RESELLER"}, func() [][]string {
				var rows [][]string
				for _, c := range customers {
					rows = append(rows, []string{c.Name, orDash(c.Reseller)})
				}
				return rows
			})
		},
	}
}
