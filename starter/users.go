package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
)

func newUsersCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "List, move and create users"}
	cmd.AddCommand(newUsersListCommand(a), newUsersMoveCommand(a), newUsersAddCommand(a))
	cmd.AddCommand(newUsersShowCommand(a))
	return cmd
}

func newUsersListCommand(a *app) *cobra.Command {
	var filter store.UserFilter
	var site string
	cmd := &cobra.Command{
		Use:   "list [--customer CUSTOMER | --site CUSTOMER/SITE] [--userid USERID] [--invalid]",
		Short: "List users, their site, source, status and push state on their site's UCM cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if site != "" {
				ref, err := domain.ParseSiteRef(site)
				if err != nil {
					return err
				}
				filter.Customer, filter.Site = ref.Customer, ref.Site
			}
			if filter.Limit < 1 || filter.Limit > 100000 {
				return fmt.Errorf("invalid --limit %d: use 1 to 100000", filter.Limit)
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			if err := checkUserFilter(cmd, db, filter); err != nil {
				return err
			}
			users, err := db.Users(cmd.Context(), filter)
			if err != nil {
				return err
			}
			if len(users) == filter.Limit {
				fmt.Fprintf(a.errOut, "Showing the first %d users; raise --limit to see more.\n", filter.Limit)
			}

			header := []string{"USERID", "SITE", "SOURCE", "STATUS", "NAME", "TELEPHONE", "CLUSTER",
				"PUSH", "REASON"}
			return a.render(users, header, func() [][]string {
				var rows [][]string
				for _, u := range users {
					place := u.Customer + " (no site)"
					if u.Site != "" {
						place = u.Customer + "/" + u.Site
					}
					push := u.PushStatus
					if u.PushAction != "" {
						push += " (" + u.PushAction + ")"
					}
					reason := u.PushReason
					if u.Invalid != "" {
						reason = "invalid: " + u.Invalid
					}
					name := strings.TrimSpace(u.FirstName + " " + u.LastName)
					rows = append(rows, []string{u.UserID, place, u.Source, u.Status, orDash(name),
						orDash(u.TelephoneNumber), orDash(u.Cluster), orDash(push), reason})
				}
				return rows
			})
		},
	}
	cmd.Flags().StringVar(&filter.Customer, "customer", "", "list only this customer's users")
	cmd.Flags().StringVar(&site, "site", "", "list only this site's users (CUSTOMER/SITE)")
	cmd.Flags().StringVar(&filter.UserID, "userid", "", "list only this userid (ignoring case)")
	cmd.Flags().BoolVar(&filter.Invalid, "invalid", false,
		"list only the users that cannot reach UCM, with the reason, such as a missing last name")
	cmd.Flags().IntVar(&filter.Limit, "limit", 1000, "list at most this many users, 1 to 100000")
	cmd.MarkFlagsMutuallyExclusive("customer", "site")
	return cmd
}

// checkUserFilter fails when the filter names a customer or site that does not exist, so a
// typo does not read as "no users".
func checkUserFilter(cmd *cobra.Command, db *store.Store, f store.UserFilter) error {
	switch {
	case f.Site != "":
		_, err := db.Site(cmd.Context(), domain.SiteRef{Customer: f.Customer, Site: f.Site})
		return err
	case f.Customer != "":
		_, err := db.Customer(cmd.Context(), f.Customer)
		return err
	}
	return nil
}
