package starter

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/ldapdir"
)

func newDirectoryCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "directory", Short: "Add and list customers' LDAP and Active Directory servers"}
	cmd.AddCommand(newDirectoryAddCommand(a), newDirectorySetCommand(a), newDirectoryListCommand(a))
	return cmd
}

// directoryFlags are the flags of `directory add` that override the chosen mapping.
type directoryFlags struct {
	mapping                                       string
	key, userID, firstName, lastName, mail, phone string
	department, title, disabledAttr, disabledVal  string
}

func newDirectoryAddCommand(a *app) *cobra.Command {
	d := domain.Directory{}
	var f directoryFlags
	cmd := &cobra.Command{
		Use:   "add NAME --customer CUSTOMER --url URL --base-dn DN --bind-dn DN --bind-password-ref REF",
		Short: "Add a customer's directory, read only",
		Long: "Add a customer's LDAP or Active Directory server. Synced users land at the customer; " +
			"move rules place them at sites. --mapping picks the attribute defaults (openldap: uid, " +
			"entryUUID; ad: sAMAccountName, objectGUID), and each attribute flag overrides one. The " +
			"bind password is not stored: --bind-password-ref names where the worker reads it.",
		Example: "  ucmpush directory add acme-ldap --customer acme --url ldaps://ldap.acme.example \\\n" +
			"    --base-dn ou=people,dc=acme,dc=example --bind-dn cn=ucmpush,dc=acme,dc=example \\\n" +
			"    --bind-password-ref env:LDAP_BIND_PASSWORD",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d.Name = args[0]
			if err := f.apply(&d); err != nil {
				return err
			}
			if err := validateDirectory(d); err != nil {
				return err
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := db.CreateDirectory(cmd.Context(), d); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added directory %s for customer %s (%s, base %s).\n", d.Name,
				d.Customer, d.URL, d.BaseDN)
			return nil
		},
	}

	cmd.Flags().StringVar(&d.Customer, "customer", "", "customer whose users the directory holds (required)")
	bindDirectoryFlags(cmd, &d, &f)
	for _, name := range []string{"customer", "url", "bind-dn", "bind-password-ref", "base-dn"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// bindDirectoryFlags adds the flags of a directory's settings, shared by add and set.
func bindDirectoryFlags(cmd *cobra.Command, d *domain.Directory, f *directoryFlags) {
	fl := cmd.Flags()
	fl.StringVar(&d.URL, "url", "", "ldap://host[:port] or ldaps://host[:port] (required)")
	fl.BoolVar(&d.StartTLS, "start-tls", false, "upgrade an ldap:// connection with StartTLS")
	fl.StringVar(&d.CAFile, "ca-file", "", "PEM file of CA certificates to trust for ldaps:// or StartTLS")
	fl.BoolVar(&d.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify the server certificate (tests only)")
	fl.StringVar(&d.BindDN, "bind-dn", "", "DN of the read-only user to bind as (required)")
	fl.StringVar(&d.BindPasswordRef, "bind-password-ref", "", "where the worker reads the bind password: env:VARIABLE or file:/path (required)")
	fl.StringVar(&d.BaseDN, "base-dn", "", "subtree to search for users (required)")
	fl.StringVar(&d.Filter, "filter", "", "LDAP filter selecting users (default per mapping)")
	fl.IntVar(&d.PageSize, "page-size", 500, "entries per page of the paged search")
	fl.IntVar(&d.RemovalGuardPercent, "removal-guard-percent", domain.DefaultRemovalGuardPercent,
		"share of users one sync may remove or disable without --confirm-removals, 0 to 100")
	fl.StringVar(&f.mapping, "mapping", "openldap", "attribute defaults: openldap or ad")
	fl.StringVar(&f.key, "key-attribute", "", "stable identifier: entryUUID or objectGUID")
	fl.StringVar(&f.userID, "userid-attribute", "", "attribute of the UCM userid: uid, sAMAccountName or mail")
	fl.StringVar(&f.firstName, "first-name-attribute", "", "attribute of the first name")
	fl.StringVar(&f.lastName, "last-name-attribute", "", "attribute of the last name")
	fl.StringVar(&f.mail, "mail-attribute", "", "attribute of the e-mail address")
	fl.StringVar(&f.phone, "telephone-attribute", "", "attribute of the telephone number")
	fl.StringVar(&f.department, "department-attribute", "", "attribute of the department")
	fl.StringVar(&f.title, "title-attribute", "", "attribute of the title")
	fl.StringVar(&f.disabledAttr, "disabled-attribute", "", "attribute that marks disabled accounts (userAccountControl tests bit 0x2)")
	fl.StringVar(&f.disabledVal, "disabled-value", "", "value of --disabled-attribute that means disabled")
}

func newDirectorySetCommand(a *app) *cobra.Command {
	d := domain.Directory{}
	var f directoryFlags
	cmd := &cobra.Command{
		Use:   "set NAME [flags]",
		Short: "Change settings of a directory; flags not given keep their value",
		Long: "Change settings of a directory. --mapping resets every attribute to that mapping's " +
			"defaults before the attribute flags apply; without it, attribute flags change only " +
			"their own attribute. The next sync uses the new settings.",
		Example: "  ucmpush directory set acme-ldap --bind-password-ref file:/etc/ucmpush/ldap-password",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			current, err := db.Directory(ctx, args[0])
			if err != nil {
				return err
			}
			if err := f.merge(cmd, d, &current); err != nil {
				return err
			}
			if err := validateDirectory(current); err != nil {
				return err
			}
			if err := db.UpdateDirectory(ctx, current); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Directory %s: %s, base %s, bind %s, password %s; the next sync "+
				"uses these settings.\n", current.Name, current.URL, current.BaseDN, current.BindDN,
				current.BindPasswordRef)
			return nil
		},
	}
	bindDirectoryFlags(cmd, &d, &f)
	return cmd
}

// merge copies into current the settings whose flags were given, and fails when none was.
func (f directoryFlags) merge(cmd *cobra.Command, given domain.Directory, current *domain.Directory) error {
	flags := cmd.Flags()
	changed := applyChangedFlags(cmd, map[string]func(){
		"url":                   func() { current.URL = given.URL },
		"start-tls":             func() { current.StartTLS = given.StartTLS },
		"ca-file":               func() { current.CAFile = given.CAFile },
		"insecure-skip-verify":  func() { current.InsecureSkipVerify = given.InsecureSkipVerify },
		"bind-dn":               func() { current.BindDN = given.BindDN },
		"bind-password-ref":     func() { current.BindPasswordRef = given.BindPasswordRef },
		"base-dn":               func() { current.BaseDN = given.BaseDN },
		"filter":                func() { current.Filter = given.Filter },
		"page-size":             func() { current.PageSize = given.PageSize },
		"removal-guard-percent": func() { current.RemovalGuardPercent = given.RemovalGuardPercent },
	})

	if flags.Changed("mapping") {
		filter := current.Filter
		if err := f.apply(current); err != nil {
			return err
		}
		if flags.Changed("filter") {
			current.Filter = filter
		}
		changed++
	} else {
		for _, name := range []string{"key-attribute", "userid-attribute", "first-name-attribute",
			"last-name-attribute", "mail-attribute", "telephone-attribute", "department-attribute",
			"title-attribute", "disabled-attribute", "disabled-value"} {
			if flags.Changed(name) {
				changed++
			}
		}
		f.override(&current.Mapping)
	}
	if changed == 0 {
		return fmt.Errorf("nothing to change: give at least one setting flag (see --help)")
	}
	return nil
}

// apply sets the directory's mapping from the chosen defaults and the override flags.
func (f directoryFlags) apply(d *domain.Directory) error {
	switch f.mapping {
	case "openldap":
		d.Mapping = domain.DefaultOpenLDAPMapping()
	case "ad":
		d.Mapping = domain.DefaultActiveDirectoryMapping()
		if d.Filter == "" {
			d.Filter = "(&(objectCategory=person)(objectClass=user))"
		}
	default:
		return fmt.Errorf("invalid --mapping %q: use openldap or ad", f.mapping)
	}
	if d.Filter == "" {
		d.Filter = ldapdir.DefaultFilter
	}

	f.override(&d.Mapping)
	return nil
}

// override sets the mapping attributes whose flags are not empty.
func (f directoryFlags) override(m *domain.AttributeMapping) {
	overrides := []struct {
		value  string
		target *string
	}{
		{f.userID, &m.UserID}, {f.firstName, &m.FirstName}, {f.lastName, &m.LastName},
		{f.mail, &m.Mail}, {f.phone, &m.TelephoneNumber}, {f.department, &m.Department},
		{f.title, &m.Title}, {f.disabledAttr, &m.DisabledAttribute}, {f.disabledVal, &m.DisabledValue},
	}
	for _, o := range overrides {
		if o.value != "" {
			*o.target = o.value
		}
	}
	if f.key != "" {
		m.Key = domain.KeyAttribute(f.key)
	}
}

// validateDirectory checks everything the worker's reader will check before it dials.
func validateDirectory(d domain.Directory) error {
	if err := domain.ValidateName("directory", d.Name); err != nil {
		return err
	}
	if err := domain.ValidateSecretRef(d.BindPasswordRef); err != nil {
		return fmt.Errorf("--bind-password-ref: %w", err)
	}
	if d.RemovalGuardPercent < 0 || d.RemovalGuardPercent > 100 {
		return fmt.Errorf("invalid --removal-guard-percent %d: use 0 to 100", d.RemovalGuardPercent)
	}
	if d.PageSize < 1 || d.PageSize > 10000 {
		return fmt.Errorf("invalid --page-size %d: use 1 to 10000", d.PageSize)
	}
	// The reader requires a password with a bind DN; only the worker reads the real one.
	cfg := ldapdir.Config{
		URL:                d.URL,
		StartTLS:           d.StartTLS,
		CAFile:             d.CAFile,
		InsecureSkipVerify: d.InsecureSkipVerify,
		BindDN:             d.BindDN,
		BindPassword:       "checked-by-the-worker",
		BaseDN:             d.BaseDN,
		Filter:             d.Filter,
		PageSize:           uint32(d.PageSize),
		Mapping:            d.Mapping,
	}
	return cfg.Validate()
}

func newDirectoryListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List directories",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			dirs, err := db.Directories(cmd.Context())
			if err != nil {
				return err
			}
			header := []string{"DIRECTORY", "CUSTOMER", "URL", "BASE DN", "USERID", "LAST GOOD COUNT"}
			return a.render(dirs, header, func() [][]string {
				var rows [][]string
				for _, d := range dirs {
					rows = append(rows, []string{d.Name, d.Customer, d.URL, d.BaseDN, d.Mapping.UserID,
						strconv.Itoa(d.LastGoodCount)})
				}
				return rows
			})
		},
	}
}
