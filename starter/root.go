// Package starter is the ucmpush command line: it configures the hierarchy, UCM clusters,
// NDLs, directories and move rules in the store, starts and watches workflows on Temporal,
// and lists users with their push state. Each command group lives in its own file and is
// built by a constructor, so tests run the whole tree in-process.
package starter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/internal/temporalclient"
	"github.com/ucmpush/ucmpush/workflows"
)

// app carries the settings every command shares and opens connections on first use.
type app struct {
	databaseURL     string
	databaseURLFile string
	temporalCfg     temporalclient.Config
	temporalErr     error // an invalid TEMPORAL_* variable, reported when a command runs
	uiURL           string
	taskQueue       string
	output          string
	// waiting is set by commands run with --wait, whose result replaces the start notice.
	waiting bool

	out, errOut io.Writer
	db          *store.Store
	temporal    client.Client
}

// NewRootCommand returns the ucmpush command tree, reading connection defaults from the
// environment (DATABASE_URL, the TEMPORAL_* variables of package temporalclient,
// TEMPORAL_UI_URL, UCMPUSH_TASK_QUEUE).
func NewRootCommand() *cobra.Command {
	a := &app{}
	a.temporalCfg, a.temporalErr = temporalclient.FromEnv(nil)
	root := &cobra.Command{
		Use:   "ucmpush",
		Short: "Push users from LDAP, UCM and operators to the Cisco UCM cluster of their site",
		Long: "ucmpush keeps a provider's customers, sites, UCM clusters and users in one store, " +
			"and pushes users to the UCM cluster of their site through Temporal workflows.\n\n" +
			"Connection settings default to DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, " +
			"TEMPORAL_UI_URL and UCMPUSH_CODEC_KEY_FILE; `. .devstack/env` sets them for the " +
			"local stack.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.out, a.errOut = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if flag := cmd.Flags().Lookup("wait"); flag != nil && flag.Value.String() == "true" {
				a.waiting = true
			}
			if a.output != "table" && a.output != "json" {
				return fmt.Errorf("invalid --output %q: use table or json", a.output)
			}
			return a.temporalErr
		},
		PersistentPostRun: func(*cobra.Command, []string) { a.close() },
	}

	flags := root.PersistentFlags()
	// The URL holds a password, so the environment is read when the store opens rather than
	// shown as the flag's default in --help.
	flags.StringVar(&a.databaseURL, "database-url", "",
		"PostgreSQL URL of the ucmpush store (env DATABASE_URL)")
	flags.StringVar(&a.databaseURLFile, "database-url-file", os.Getenv("DATABASE_URL_FILE"),
		"file holding the PostgreSQL URL; overrides --database-url (env DATABASE_URL_FILE)")
	a.temporalCfg.BindFlags(flags)
	flags.StringVar(&a.uiURL, "ui-url", os.Getenv("TEMPORAL_UI_URL"),
		"Temporal Web UI base URL, for links to workflows (env TEMPORAL_UI_URL)")
	flags.StringVar(&a.taskQueue, "task-queue", envOr("UCMPUSH_TASK_QUEUE", workflows.TaskQueue),
		"Temporal task queue the workers poll (env UCMPUSH_TASK_QUEUE)")
	flags.StringVarP(&a.output, "output", "o", "table", "output format: table or json")

	root.AddCommand(
		newMigrateCommand(a),
		newCustomerCommand(a),
		newClusterCommand(a),
		newNDLCommand(a),
		newSiteCommand(a),
		newDirectoryCommand(a),
		newRuleCommand(a),
		newSyncCommand(a),
		newPushCommand(a),
		newUCMCommand(a),
		newUsersCommand(a),
		newQuickUserCommand(a),
		newScheduleCommand(a),
	)
	return root
}

// Execute runs the command tree with the process arguments, prints an error to stderr and
// returns the exit code: 0 on success, 1 on any error.
func Execute(ctx context.Context) int {
	root := NewRootCommand()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(root.ErrOrStderr(), "ucmpush:", err)
		return 1
	}
	return 0
}

func (a *app) store(ctx context.Context) (*store.Store, error) {
	if a.db != nil {
		return a.db, nil
	}
	url := a.databaseURL
	if url == "" {
		url = os.Getenv("DATABASE_URL")
	}
	if a.databaseURLFile != "" {
		body, err := os.ReadFile(a.databaseURLFile)
		if err != nil {
			return nil, fmt.Errorf("read the database URL file (--database-url-file): %w", err)
		}
		url = strings.TrimSpace(string(body))
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	a.db = db
	return db, nil
}

func (a *app) temporalClient() (client.Client, error) {
	if a.temporal != nil {
		return a.temporal, nil
	}
	// The SDK logs connection details at info; a CLI shows only warnings and errors.
	log := slog.New(slog.NewTextHandler(a.errOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := a.temporalCfg
	cfg.Logger = log
	// Workflow inputs and results carry userids, so the CLI encrypts them as the worker does
	// and needs the same key file, or --plain-payloads when the worker runs with it.
	if err := cfg.CheckPayloadEncryption(); err != nil {
		return nil, err
	}
	c, err := temporalclient.Dial(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	a.temporal = c
	return c, nil
}

func (a *app) close() {
	if a.db != nil {
		a.db.Close()
	}
	if a.temporal != nil {
		a.temporal.Close()
	}
}

// workflowURL returns the Web UI page of a workflow run, or "" when no UI URL is set.
func (a *app) workflowURL(workflowID, runID string) string {
	if a.uiURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s/%s/history", a.uiURL, a.temporalCfg.Namespace,
		urlPathEscape(workflowID), runID)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
