package starter

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newMigrateCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the store's database migrations (the worker also applies them at start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			applied, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(a.out, "Database is up to date.")
				return nil
			}
			fmt.Fprintf(a.out, "Applied migrations %v.\n", applied)
			return nil
		},
	}
}
