package starter

import (
	"fmt"
	"math"
	"net/url"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
)

func newClusterCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "cluster", Short: "Add and list UCM clusters"}
	cmd.AddCommand(newClusterAddCommand(a), newClusterSetCommand(a), newClusterListCommand(a))
	return cmd
}

func newClusterAddCommand(a *app) *cobra.Command {
	c := domain.Cluster{}
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a UCM cluster reached over AXL",
		Long: "Add a UCM cluster. The AXL password is not stored: --password-ref names where the " +
			"worker reads it, env:VARIABLE or file:/path.",
		Example: "  ucmpush cluster add ucm-lab --axl-url https://ucm.example.com:8443/axl/ \\\n" +
			"    --axl-version 14.0 --username axladmin --password-ref env:AXL_PASSWORD",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c.Name = args[0]
			if err := validateCluster(c); err != nil {
				return err
			}
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := db.CreateCluster(cmd.Context(), c); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "Added UCM cluster %s (%s, AXL %s).\n", c.Name, c.AXLURL, c.AXLVersion)
			return nil
		},
	}
	bindClusterFlags(cmd, &c, true)
	for _, name := range []string{"axl-url", "username", "password-ref"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// bindClusterFlags adds the flags of a cluster's settings, shared by add and set. For set
// (adding false) a flag left out keeps the cluster's value, so the help shows no default and
// no flag is required.
func bindClusterFlags(cmd *cobra.Command, c *domain.Cluster, adding bool) {
	required := ""
	if adding {
		required = " (required)"
	}
	f := cmd.Flags()
	f.StringVar(&c.AXLURL, "axl-url", "", "AXL endpoint, for example https://ucm.example.com:8443/axl/"+required)
	f.StringVar(&c.AXLVersion, "axl-version", "14.0", "AXL schema version of the cluster: 12.5, 14.0 or 15.0")
	f.StringVar(&c.Username, "username", "", "AXL application user"+required)
	f.StringVar(&c.PasswordRef, "password-ref", "", "where the worker reads the AXL password: env:VARIABLE or file:/path"+required)
	f.StringVar(&c.CAFile, "ca-file", "", "PEM file of the CA that signed the UCM Tomcat certificate (default: system roots)")
	f.BoolVar(&c.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify the UCM certificate (lab clusters only)")
	f.IntVar(&c.MaxInFlight, "max-in-flight", 4, "AXL requests sent to this cluster at once by all workers together, 1 to 100")
	f.Float64Var(&c.MaxRequestsPerSecond, "max-requests-per-second", 0, "AXL requests per second to this cluster by all workers together; 0 means no limit")
	if !adding {
		// pflag leaves out a default equal to the type's zero value.
		f.Lookup("axl-version").DefValue = ""
		f.Lookup("max-in-flight").DefValue = "0"
	}
}

func newClusterSetCommand(a *app) *cobra.Command {
	c := domain.Cluster{}
	cmd := &cobra.Command{
		Use:     "set NAME [flags]",
		Short:   "Change settings of a UCM cluster; flags not given keep their value",
		Example: "  ucmpush cluster set ucm-lab --ca-file /etc/ucmpush/ucm-ca.pem --max-in-flight 8",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			current, err := db.Cluster(ctx, args[0])
			if err != nil {
				return err
			}
			changed := applyChangedFlags(cmd, map[string]func(){
				"axl-url":                 func() { current.AXLURL = c.AXLURL },
				"axl-version":             func() { current.AXLVersion = c.AXLVersion },
				"username":                func() { current.Username = c.Username },
				"password-ref":            func() { current.PasswordRef = c.PasswordRef },
				"ca-file":                 func() { current.CAFile = c.CAFile },
				"insecure-skip-verify":    func() { current.InsecureSkipVerify = c.InsecureSkipVerify },
				"max-in-flight":           func() { current.MaxInFlight = c.MaxInFlight },
				"max-requests-per-second": func() { current.MaxRequestsPerSecond = c.MaxRequestsPerSecond },
			})
			if changed == 0 {
				return fmt.Errorf("nothing to change: give at least one setting flag (see --help)")
			}
			if err := validateCluster(current); err != nil {
				return err
			}
			if err := db.UpdateCluster(ctx, current); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "UCM cluster %s: %s, AXL %s, user %s, password %s; workers use the "+
				"new settings from their next activity.\n", current.Name, current.AXLURL,
				current.AXLVersion, current.Username, current.PasswordRef)
			return nil
		},
	}
	bindClusterFlags(cmd, &c, false)
	return cmd
}

// validateCluster checks the settings as the worker's AXL client will, without the password,
// which only the worker reads.
func validateCluster(c domain.Cluster) error {
	if err := domain.ValidateName("UCM cluster", c.Name); err != nil {
		return err
	}
	if err := domain.ValidateAXLVersion(c.AXLVersion); err != nil {
		return err
	}
	if err := domain.ValidateSecretRef(c.PasswordRef); err != nil {
		return fmt.Errorf("--password-ref: %w", err)
	}
	if c.MaxInFlight < 1 || c.MaxInFlight > 100 {
		return fmt.Errorf("invalid --max-in-flight %d: use 1 to 100", c.MaxInFlight)
	}
	rate := c.MaxRequestsPerSecond
	if math.IsNaN(rate) || math.IsInf(rate, 0) || rate < 0 {
		return fmt.Errorf("invalid --max-requests-per-second %g: use 0 (no limit) or a positive "+
			"number of requests per second, such as 20", rate)
	}
	if err := validateAXLPort(c.AXLURL); err != nil {
		return err
	}
	if c.Username == "" {
		return fmt.Errorf("missing --username: give the AXL application user of the cluster, " +
			"such as --username axladmin, and its password with --password-ref")
	}
	_, err := axl.New(axl.Config{
		URL:                c.AXLURL,
		Version:            c.AXLVersion,
		Username:           c.Username,
		Password:           "checked-by-the-worker",
		CAFile:             c.CAFile,
		InsecureSkipVerify: c.InsecureSkipVerify,
	})
	return err
}

// validateAXLPort rejects an AXL URL whose port is outside 1..65535, which url.Parse accepts
// and the worker would only fail on when it dials. A URL without a port (https's 443) passes,
// and a URL that does not parse is left to axl.New, which names the problem.
func validateAXLPort(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" {
		return nil
	}

	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("invalid --axl-url %q: port %s is outside 1 to 65535; give the port "+
			"of the UCM's AXL service, usually 8443, as in https://ucm.example.com:8443/axl/",
			u.Redacted(), u.Port())
	}
	return nil
}

func newClusterListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List UCM clusters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			clusters, err := db.Clusters(cmd.Context())
			if err != nil {
				return err
			}
			header := []string{"CLUSTER", "AXL URL", "VERSION", "USERNAME", "PASSWORD", "IN FLIGHT", "REQUESTS/S"}
			return a.render(clusters, header, func() [][]string {
				var rows [][]string
				for _, c := range clusters {
					rows = append(rows, []string{c.Name, c.AXLURL, c.AXLVersion, c.Username,
						c.PasswordRef, strconv.Itoa(c.MaxInFlight), rateText(c.MaxRequestsPerSecond)})
				}
				return rows
			})
		},
	}
}

func rateText(perSecond float64) string {
	if perSecond == 0 {
		return "no limit"
	}
	return strconv.FormatFloat(perSecond, 'f', -1, 64)
}
