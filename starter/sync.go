package starter

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/workflows"
)

func newSyncCommand(a *app) *cobra.Command {
	var wait, confirmRemovals, confirmPush, dryRun bool
	cmd := &cobra.Command{
		Use:   "sync DIRECTORY",
		Short: "Sync a directory into the store, then push new and changed users of auto push sites",
		Long: "Start the LdapSyncThenPush workflow for a directory. Only one sync of a directory " +
			"runs at a time: starting one while another runs attaches to the running one.\n\n" +
			"A sync that would remove or disable more users than the directory's removal guard " +
			"allows changes nothing and fails; rerun it with --confirm-removals to apply it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.store(ctx)
			if err != nil {
				return err
			}
			dir, err := db.Directory(ctx, args[0])
			if err != nil {
				return err
			}
			tc, err := a.temporalClient()
			if err != nil {
				return err
			}

			opts := client.StartWorkflowOptions{
				ID:                       workflows.SyncWorkflowID(dir.Name),
				TaskQueue:                a.taskQueue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
				TypedSearchAttributes: temporal.NewSearchAttributes(
					workflows.CustomerKey.ValueSet(dir.Customer),
					workflows.DirectoryKey.ValueSet(dir.Name),
					workflows.TriggerKey.ValueSet(workflows.TriggerSync),
					workflows.OutcomeKey.ValueSet(workflows.OutcomeRunning),
				),
			}
			input := workflows.LdapSyncThenPushInput{Directory: dir.Name, ConfirmRemovals: confirmRemovals,
				ConfirmPush: confirmPush, DryRun: dryRun}
			opts.StaticSummary = input.Summary()
			var run client.WorkflowRun
			if dryRun {
				// A dry run must not attach to a real sync, nor a real sync to a dry run. Its
				// result is all it produces, so it always waits for it.
				opts.ID += "/dry-run"
				wait, a.waiting = true, true
			} else if run, err = a.runningScheduledSync(ctx, tc, dir.Name); err != nil {
				return err
			}
			if run == nil {
				run, err = tc.ExecuteWorkflow(ctx, opts, workflows.LdapSyncThenPush, input)
			}
			if err != nil {
				return fmt.Errorf("start sync of directory %s: %w", dir.Name, err)
			}
			a.printStarted("Sync", run.GetID(), run.GetRunID())
			if !wait {
				return nil
			}

			var result workflows.LdapSyncThenPushResult
			if err := a.waitWithProgress(ctx, run, &result); err != nil {
				return fmt.Errorf("sync of directory %s failed: %s", dir.Name, workflowErrorMessage(err))
			}
			return a.printSyncResult(result)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the sync and its pushes, then print the counts per site")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false,
		"read the directory and print what the sync would change in the store; change no user, "+
			"push nothing (implies --wait)")
	cmd.Flags().BoolVar(&confirmPush, "confirm-push", false,
		"let site pushes larger than their site's --confirm-above guard start without waiting")
	cmd.Flags().BoolVar(&confirmRemovals, "confirm-removals", false,
		"apply the sync even when it removes or disables more users than the removal guard allows")
	return cmd
}

// printStarted says which workflow run started, and where the Web UI shows it. With -o json
// and no --wait it prints the same as JSON, so a script can follow the run.
func (a *app) printStarted(what, workflowID, runID string) {
	if a.output == "json" {
		if !a.waiting {
			_ = printJSON(a.out, map[string]string{"workflowID": workflowID, "runID": runID,
				"url": a.workflowURL(workflowID, runID)})
		}
		return
	}
	fmt.Fprintf(a.out, "%s started: workflow %s, run %s\n", what, workflowID, runID)
	if url := a.workflowURL(workflowID, runID); url != "" {
		fmt.Fprintf(a.out, "Watch it at %s\n", url)
	}
}

func (a *app) printSyncResult(r workflows.LdapSyncThenPushResult) error {
	if a.output == "json" {
		if err := printJSON(a.out, r); err != nil {
			return err
		}
		return pushFailures(r)
	}

	s := r.Sync
	fmt.Fprintf(a.out, "\nDirectory %s (customer %s): %s read in %s, %d invalid.\n",
		r.Directory, r.Customer, countOf(r.Search.Entries, "entry", "entries"),
		countOf(r.Search.Pages, "page", "pages"), s.Invalid)
	if s.Invalid > 0 && r.Sites != nil {
		fmt.Fprintf(a.out, "Invalid entries are stored but never pushed; `ucmpush users list "+
			"--customer %s --invalid` lists them with the reason.\n", r.Customer)
	}
	if r.Sites == nil && s.Found > 0 {
		fmt.Fprintf(a.out, "Dry run, no user changed: the sync would add %d, update %d, remove %d "+
			"and disable %d users; %d stay unchanged.\n", s.Added, s.Updated, s.Removed, s.Disabled,
			s.Unchanged)
		if s.Refused != "" {
			fmt.Fprintf(a.out, "The real sync would stop: %s\n", s.Refused)
		}
		return nil
	}
	fmt.Fprintf(a.out, "Store: %d added, %d updated, %d unchanged, %d removed, %d disabled.\n\n",
		s.Added, s.Updated, s.Unchanged, s.Removed, s.Disabled)

	if err := a.printSiteTable(r.Sites); err != nil {
		return err
	}
	return pushFailures(r)
}

// pushFailures returns an error when any user failed to push, so scripts see a non-zero exit.
func pushFailures(r workflows.LdapSyncThenPushResult) error {
	return sitePushFailures(r.Sites)
}

// runningScheduledSync returns a sync of the directory that its schedule started and that
// still runs, or nil. Scheduled runs carry the schedule's time in their ID, so the
// use-existing policy of sync/<directory> does not see them; a CLI sync attaches to one
// instead of running beside it.
func (a *app) runningScheduledSync(ctx context.Context, tc client.Client, directory string) (client.WorkflowRun, error) {
	// Directory names are letters, digits, '.', '_' and '-' only, so they are safe in a query.
	query := fmt.Sprintf("WorkflowType = 'LdapSyncThenPush' AND %s = '%s' AND ExecutionStatus = 'Running'",
		workflows.DirectoryKey.GetName(), directory)
	resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: a.temporalCfg.Namespace, Query: query, PageSize: 10,
	})
	if err != nil {
		return nil, fmt.Errorf("look for a running sync of directory %s: %w", directory, err)
	}
	for _, e := range resp.GetExecutions() {
		id := e.GetExecution().GetWorkflowId()
		if id == workflows.SyncWorkflowID(directory) {
			continue
		}
		fmt.Fprintf(a.errOut, "A scheduled sync of directory %s is running (%s); following it "+
			"instead of starting another.\n", directory, id)
		return tc.GetWorkflow(ctx, id, e.GetExecution().GetRunId()), nil
	}
	return nil, nil
}

// countOf writes n with the singular or plural noun, as in "1 page" and "6 pages".
func countOf(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return fmt.Sprintf("%d %s", n, plural)
}
