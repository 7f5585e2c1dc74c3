package starter

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ucmpush/ucmpush/domain"
)

func newRuleCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rule",
		Short: "Add and list move rules, which place a customer's synced users at its sites",
	}
	cmd.AddCommand(newRuleAddCommand(a), newRuleRemoveCommand(a), newRuleListCommand(a))
	return cmd
}

func newRuleAddCommand(a *app) *cobra.Command {
	var filter, username, usernamesFile string
	var usernames []string
	var priority int
	cmd := &cobra.Command{
		Use:   "add CUSTOMER/SITE (--filter EXPR | --username NAME | --usernames A,B | --usernames-file FILE)",
		Short: "Add a rule that moves matching users to a site",
		Long: "Add a move rule. After every sync the customer's rules run in priority order " +
			"(lowest first) and the first that matches a user decides its site; users that no " +
			"rule matches stay where they are.\n\n" +
			"A filter is one or more attribute=pattern terms joined by \"and\"; '*' matches any " +
			"run of characters and matching ignores case. Attributes: " +
			strings.Join(domain.FilterAttributes, ", ") + ". ou matches any OU of the user's DN.",
		Example: "  ucmpush rule add acme/london --filter 'telephoneNumber=+4420*'\n" +
			"  ucmpush rule add acme/paris --filter 'ou=Paris and department=\"R&D\"'\n" +
			"  ucmpush rule add acme/london --usernames-file london-users.txt",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			rule, err := buildRule(cmd.Flags(), filter, username, usernames, usernamesFile)
			if err != nil {
				return err
			}
			rule.Priority = priority

			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			id, err := db.CreateMoveRule(cmd.Context(), ref, rule)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added move rule %d to site %s; it applies from the next sync.\n", id, ref)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&filter, "filter", "", "attribute filter, for example 'department=Sales and title=*Manager*'")
	f.StringVar(&username, "username", "", "move one user by userid")
	f.StringSliceVar(&usernames, "usernames", nil, "move these userids (comma-separated)")
	f.StringVar(&usernamesFile, "usernames-file", "", "move the userids of this file, one a line ('#' starts a comment)")
	f.IntVar(&priority, "priority", 100, "rule order: lower runs first")
	cmd.MarkFlagsMutuallyExclusive("filter", "username", "usernames", "usernames-file")
	cmd.MarkFlagsOneRequired("filter", "username", "usernames", "usernames-file")
	return cmd
}

// buildRule makes the move rule of the one selector flag given. flags distinguishes an empty
// --filter, which would otherwise read as no selector at all, from a missing one.
func buildRule(
	flags *pflag.FlagSet, filter, username string, usernames []string, file string,
) (domain.MoveRule, error) {
	if flags.Changed("filter") && strings.TrimSpace(filter) == "" {
		return domain.MoveRule{}, fmt.Errorf("empty --filter: give one or more attribute=pattern "+
			"terms joined by \"and\", such as --filter 'ou=Paris' or --filter "+
			"'telephoneNumber=+4420* and department=Sales'; attributes: %s",
			strings.Join(domain.FilterAttributes, ", "))
	}

	switch {
	case filter != "":
		parsed, err := domain.ParseFilter(filter)
		if err != nil {
			return domain.MoveRule{}, err
		}
		return domain.MoveRule{Kind: domain.MoveByFilter, Filter: parsed}, nil
	case username != "":
		if err := validateUsername(username); err != nil {
			return domain.MoveRule{}, fmt.Errorf("invalid --username: %w", err)
		}
		return domain.MoveRule{Kind: domain.MoveByUsername, Usernames: []string{username}}, nil
	case file != "":
		names, err := readUsernames(file)
		if err != nil {
			return domain.MoveRule{}, err
		}
		return domain.MoveRule{Kind: domain.MoveByUsernames, Usernames: names}, nil
	}
	if len(usernames) == 0 {
		return domain.MoveRule{}, fmt.Errorf("missing userids: give --filter, --username, " +
			"--usernames or --usernames-file with at least one userid")
	}
	for _, name := range usernames {
		if err := validateUsername(name); err != nil {
			return domain.MoveRule{}, fmt.Errorf("invalid --usernames: %w", err)
		}
	}
	return domain.MoveRule{Kind: domain.MoveByUsernames, Usernames: usernames}, nil
}

// validateUsername rejects what cannot be a UCM userid: nothing, white space, or characters
// of filter syntax that point to a paste error.
func validateUsername(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty userid")
	case strings.ContainsAny(name, " \t\n\r,"):
		return fmt.Errorf("%q contains a space or a comma: write one userid at a time", name)
	case strings.ContainsAny(name, "*()"):
		return fmt.Errorf("%q contains *, ( or ): a username rule names users, use --filter to match", name)
	}
	return nil
}

// readUsernames reads one userid a line, skipping blank lines and '#' comments.
func readUsernames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read --usernames-file: %w", err)
	}
	defer f.Close()

	var names []string
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		name, _, _ := strings.Cut(scanner.Text(), "#")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if err := validateUsername(name); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		names = append(names, name)
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no userids: write one userid a line", path)
	}
	return names, nil
}

func newRuleListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list CUSTOMER",
		Short: "List a customer's move rules in the order they apply",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			customer, err := db.Customer(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			rules, err := db.MoveRules(cmd.Context(), customer.ID)
			if err != nil {
				return err
			}
			return a.render(rules, []string{"ID", "PRIORITY", "SITE", "KIND", "MATCH"}, func() [][]string {
				var rows [][]string
				for _, r := range rules {
					rows = append(rows, []string{strconv.FormatInt(r.ID, 10), strconv.Itoa(r.Priority),
						r.Customer + "/" + r.Site, r.Kind, r.Match})
				}
				return rows
			})
		},
	}
}

func newRuleRemoveCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove CUSTOMER RULE-ID",
		Short: "Remove a move rule; the users it moved stay where they are",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil || id < 1 {
				return fmt.Errorf("invalid rule ID %q: give the number `ucmpush rule list %s` shows", args[1], args[0])
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			if err := db.DeleteMoveRule(cmd.Context(), args[0], id); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Removed move rule %d of customer %s.\n", id, args[0])
			return nil
		},
	}
}
