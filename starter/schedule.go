package starter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/workflows"
)

// Policies of every sync schedule. A schedule starts its syncs under the workflow ID
// sync/<directory>-<nominal time in RFC 3339>, because the Temporal server appends the time
// to the action's ID (seen with server 1.29.1). Its runs therefore never share the ID of a
// `ucmpush sync` run, and the overlap policy, not the workflow ID, keeps two scheduled syncs
// of a directory from running at once.
//
// NOTE: nothing keeps a scheduled sync and a `ucmpush sync` of the same directory apart when
// the schedule fires while the CLI's sync runs, or the reverse. `schedule trigger` rejects a
// trigger while the CLI's sync runs; a lock per directory in the store would close the rest.
const (
	// scheduleOverlap lets one start wait behind a running sync and drops later ones, which
	// the schedule counts as skipped. A stuck sync therefore neither piles up syncs nor
	// silently stops the schedule, because the waiting sync runs as soon as it ends.
	scheduleOverlap = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
	// scheduleCatchupWindow is how late a start may still run after the server or the
	// schedule was unavailable. Older missed starts are counted, not replayed, so an outage
	// of a day does not run a day of hourly syncs one after the other.
	scheduleCatchupWindow = 10 * time.Minute
	// minScheduleInterval bounds --every: each sync reads the whole directory.
	minScheduleInterval = time.Minute
	// scheduleSpecMemo is the memo field that keeps the --every or --cron text, because the
	// server turns cron expressions into calendar specs.
	scheduleSpecMemo = "ucmpushSpec"
)

// scheduleID returns the ID of a directory's sync schedule, sync/<directory>. Schedule IDs
// and workflow IDs are separate, so it may equal [workflows.SyncWorkflowID].
func scheduleID(directory string) string { return "sync/" + directory }

func newScheduleCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Sync directories on a Temporal schedule",
		Long: "Each directory has at most one schedule, with ID sync/DIRECTORY. It starts " +
			"LdapSyncThenPush as `ucmpush sync` does, under the workflow ID " +
			"sync/DIRECTORY-TIME, where TIME is the scheduled time in UTC (Temporal appends it). " +
			"In the Web UI the schedules are under Schedules, and their runs carry " +
			"UcmpushTrigger = \"sync\" and UcmpushDirectory like every sync.",
	}
	cmd.AddCommand(newScheduleCreateCommand(a), newScheduleListCommand(a),
		newSchedulePauseCommand(a, true), newSchedulePauseCommand(a, false),
		newScheduleTriggerCommand(a), newScheduleDeleteCommand(a))
	return cmd
}

func newScheduleCreateCommand(a *app) *cobra.Command {
	var every, cron, note string
	var paused bool
	cmd := &cobra.Command{
		Use:   "create DIRECTORY (--every DURATION | --cron EXPRESSION)",
		Short: "Sync a directory at fixed intervals or cron times",
		Long: "Create the schedule sync/DIRECTORY, which starts a sync of the directory at each " +
			"time of --every or --cron.\n\n" +
			"--every takes a Go duration of at least 1m, such as 30m, 1h or 24h; intervals are " +
			"counted from the Unix epoch, so 1h starts on the hour (UTC). --cron takes five " +
			"fields (minute hour day-of-month month day-of-week) in UTC, such as \"0 * * * *\"; " +
			"prefix CRON_TZ=Europe/London for another time zone.\n\n" +
			"Only one scheduled sync of a directory runs at a time (overlap policy buffer-one): " +
			"a start that comes while a sync runs waits for it, and starts that come while one " +
			"already waits are dropped and counted as skipped in `ucmpush schedule list`. A " +
			"start missed while Temporal or the schedule was unavailable still runs when it is " +
			"at most 10 minutes late (catch-up window); older ones are counted as missed.\n\n" +
			"A sync started by `ucmpush sync` runs under another workflow ID, so the schedule " +
			"does not wait for it: use `ucmpush schedule trigger` for a directory that has a " +
			"schedule.",
		Example: "  ucmpush schedule create acme-ldap --every 1h --note \"hourly, agreed with acme\"\n" +
			"  ucmpush schedule create acme-ldap --cron \"30 6 * * MON-FRI\" --paused",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, specText, err := parseScheduleSpec(every, cron)
			if err != nil {
				return err
			}
			return a.createSchedule(cmd.Context(), args[0], spec, specText, paused, note)
		},
	}
	cmd.Flags().StringVar(&every, "every", "", "sync at this interval, such as 1h (at least 1m)")
	cmd.Flags().StringVar(&cron, "cron", "", "sync at the times of this cron expression, in UTC")
	cmd.Flags().BoolVar(&paused, "paused", false, "create the schedule paused")
	cmd.Flags().StringVar(&note, "note", "", "note shown with the schedule, such as who asked for it")
	cmd.MarkFlagsMutuallyExclusive("every", "cron")
	cmd.MarkFlagsOneRequired("every", "cron")
	return cmd
}

// parseScheduleSpec turns --every or --cron into a schedule spec and the text that
// `schedule list` shows. Exactly one of them must be set; the server checks the cron fields.
func parseScheduleSpec(every, cron string) (client.ScheduleSpec, string, error) {
	every, cron = strings.TrimSpace(every), strings.TrimSpace(cron)
	switch {
	case every != "" && cron != "":
		return client.ScheduleSpec{}, "", errors.New("set either --every or --cron, not both")
	case every != "":
		d, err := time.ParseDuration(every)
		if err != nil || d <= 0 {
			return client.ScheduleSpec{}, "", fmt.Errorf("invalid --every %q: use a duration "+
				"such as 30m, 1h or 24h", every)
		}
		if d < minScheduleInterval {
			return client.ScheduleSpec{}, "", fmt.Errorf("invalid --every %s: each sync reads "+
				"the whole directory, so use at least %s", every, minScheduleInterval)
		}
		return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: d}}},
			"every " + every, nil
	case cron != "":
		if strings.Contains(cron, "@every") {
			return client.ScheduleSpec{}, "", fmt.Errorf("invalid --cron %q: use --every for "+
				"intervals", cron)
		}
		return client.ScheduleSpec{CronExpressions: []string{cron}}, "cron " + cron, nil
	}
	return client.ScheduleSpec{}, "", errors.New("say when to sync: --every DURATION or " +
		"--cron EXPRESSION")
}

// createSchedule creates the schedule of a directory, which must exist in the store.
func (a *app) createSchedule(ctx context.Context, name string, spec client.ScheduleSpec,
	specText string, paused bool, note string) error {
	db, err := a.store(ctx)
	if err != nil {
		return err
	}
	dir, err := db.Directory(ctx, name)
	if err != nil {
		return err
	}
	tc, err := a.temporalClient()
	if err != nil {
		return err
	}

	id := scheduleID(dir.Name)
	handle, err := tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            id,
		Spec:          spec,
		Action:        syncAction(dir, a.taskQueue),
		Overlap:       scheduleOverlap,
		CatchupWindow: scheduleCatchupWindow,
		Paused:        paused,
		Note:          note,
		Memo:          map[string]any{scheduleSpecMemo: specText},
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.CustomerKey.ValueSet(dir.Customer),
			workflows.DirectoryKey.ValueSet(dir.Name),
		),
	})
	if err != nil {
		return createScheduleError(id, dir.Name, spec, err)
	}

	fmt.Fprintf(a.out, "Schedule %s created: syncs directory %s %s.\n", id, dir.Name, specText)
	if paused {
		fmt.Fprintf(a.out, "It is paused; start it with `ucmpush schedule resume %s`.\n", dir.Name)
	} else if desc, err := handle.Describe(ctx); err == nil && len(desc.Info.NextActionTimes) > 0 {
		fmt.Fprintf(a.out, "Next sync at %s.\n", formatTime(desc.Info.NextActionTimes[0]))
	}
	if url := a.scheduleURL(id); url != "" {
		fmt.Fprintf(a.out, "Watch it at %s\n", url)
	}
	return nil
}

// syncAction starts LdapSyncThenPush with the search attributes `ucmpush sync` sets. The
// customer is the directory's at creation; a schedule made before a directory changed
// customer keeps the old name until it is created again.
func syncAction(dir domain.Directory, taskQueue string) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:        workflows.SyncWorkflowID(dir.Name),
		Workflow:  workflows.LdapSyncThenPush,
		Args:      []any{workflows.LdapSyncThenPushInput{Directory: dir.Name}},
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.CustomerKey.ValueSet(dir.Customer),
			workflows.DirectoryKey.ValueSet(dir.Name),
			workflows.TriggerKey.ValueSet(workflows.TriggerSync),
			workflows.OutcomeKey.ValueSet(workflows.OutcomeRunning),
		),
	}
}

func createScheduleError(id, directory string, spec client.ScheduleSpec, err error) error {
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("schedule %s already exists: see it with `ucmpush schedule list %s`, "+
			"or delete it with `ucmpush schedule delete %s` and create it again", id, directory,
			directory)
	}
	var invalid *serviceerror.InvalidArgument
	if errors.As(err, &invalid) && len(spec.CronExpressions) > 0 {
		return fmt.Errorf("invalid --cron %q: %s; use five fields (minute hour day-of-month "+
			"month day-of-week), such as \"0 * * * *\"", spec.CronExpressions[0],
			strings.TrimPrefix(invalid.Message, "Invalid schedule spec: "))
	}
	return fmt.Errorf("create schedule %s: %w", id, err)
}

// scheduleView is one schedule as `schedule list` prints it.
type scheduleView struct {
	ID        string `json:"id"`
	Directory string `json:"directory"`
	Spec      string `json:"spec"`
	Paused    bool   `json:"paused"`
	Note      string `json:"note,omitempty"`
	// NextRuns are the next times the schedule starts a sync; none while it is paused.
	NextRuns []time.Time `json:"nextRuns"`
	// Running lists the workflow IDs of the syncs it started that still run.
	Running []string     `json:"running"`
	LastRun *scheduleRun `json:"lastRun,omitempty"`
	// Actions counts the syncs it started, triggers included.
	Actions int `json:"actions"`
	// SkippedOverlap counts the starts dropped because a sync ran and another waited.
	SkippedOverlap int `json:"skippedOverlap"`
	// MissedCatchupWindow counts the starts dropped because they were over 10 minutes late.
	MissedCatchupWindow int `json:"missedCatchupWindow"`
}

// scheduleRun is the latest sync that a schedule started.
type scheduleRun struct {
	WorkflowID string    `json:"workflowID"`
	RunID      string    `json:"runID"`
	Started    time.Time `json:"started"`
	// Result is running, succeeded, failed (the sync failed or a user failed to push),
	// refused (a removal guard stopped it), or the status of a run that ended otherwise,
	// such as terminated.
	Result string `json:"result"`
}

func newScheduleListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list [DIRECTORY...]",
		Short: "List the sync schedules with their next runs, state and last result",
		Long: "List every sync schedule of the namespace, or those of the given directories. " +
			"SKIPPED counts the starts dropped because a sync ran and another already waited " +
			"behind it; MISSED counts the starts dropped because they were more than 10 minutes " +
			"late. The list of all schedules comes from Temporal's visibility store, which may " +
			"take a moment to show a schedule just created; named directories are read directly.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			for _, name := range args {
				if err := domain.ValidateName("directory", name); err != nil {
					return err
				}
			}
			views, err := a.listSchedules(ctx, args)
			if err != nil {
				return err
			}
			if a.output != "json" && len(views) == 0 {
				fmt.Fprintln(a.out, "No sync schedule; create one with `ucmpush schedule create "+
					"DIRECTORY --every 1h`.")
				return nil
			}
			return a.render(views, []string{"SCHEDULE", "SPEC", "STATE", "NEXT RUN", "LAST RUN",
				"LAST RESULT", "SKIPPED", "MISSED", "NOTE"}, func() [][]string {
				return scheduleRows(views)
			})
		},
	}
}

// listSchedules describes the schedules of directories, or every sync schedule when
// directories is empty. A named directory without a schedule is an error; a schedule deleted
// while the list runs is left out.
func (a *app) listSchedules(ctx context.Context, directories []string) ([]scheduleView, error) {
	tc, err := a.temporalClient()
	if err != nil {
		return nil, err
	}
	ids, err := scheduleIDs(ctx, tc, directories)
	if err != nil {
		return nil, err
	}

	views := []scheduleView{}
	for _, id := range ids {
		desc, err := tc.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) && len(directories) == 0 {
			continue
		}
		if err != nil {
			return nil, scheduleError(id, err)
		}
		views = append(views, a.describeSchedule(ctx, tc, id, desc))
	}
	return views, nil
}

// scheduleIDs returns the schedule IDs of directories, or of every sync schedule, sorted.
func scheduleIDs(ctx context.Context, tc client.Client, directories []string) ([]string, error) {
	if len(directories) > 0 {
		ids := make([]string, len(directories))
		for i, name := range directories {
			ids[i] = scheduleID(name)
		}
		return ids, nil
	}

	iter, err := tc.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	var ids []string
	for iter.HasNext() {
		entry, err := iter.Next()
		if err != nil {
			return nil, fmt.Errorf("list schedules: %w", err)
		}
		if strings.HasPrefix(entry.ID, "sync/") {
			ids = append(ids, entry.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func (a *app) describeSchedule(ctx context.Context, tc client.Client, id string,
	desc *client.ScheduleDescription) scheduleView {
	info := desc.Info
	v := scheduleView{
		ID:                  id,
		Directory:           strings.TrimPrefix(id, "sync/"),
		Spec:                a.specText(desc),
		NextRuns:            []time.Time{},
		Running:             []string{},
		Actions:             info.NumActions,
		SkippedOverlap:      info.NumActionsSkippedOverlap,
		MissedCatchupWindow: info.NumActionsMissedCatchupWindow,
	}
	if state := desc.Schedule.State; state != nil {
		v.Paused, v.Note = state.Paused, state.Note
	}
	if !v.Paused {
		v.NextRuns = append(v.NextRuns, info.NextActionTimes...)
	}
	for _, run := range info.RunningWorkflows {
		v.Running = append(v.Running, run.WorkflowID)
	}
	if n := len(info.RecentActions); n > 0 && info.RecentActions[n-1].StartWorkflowResult != nil {
		last := info.RecentActions[n-1]
		started := last.StartWorkflowResult
		v.LastRun = &scheduleRun{WorkflowID: started.WorkflowID, RunID: started.FirstExecutionRunID,
			Started: last.ActualTime,
			Result:  runResult(ctx, tc, started.WorkflowID, started.FirstExecutionRunID)}
	}
	return v
}

// specText returns the --every or --cron text kept in the memo, or the interval of a schedule
// created by other means.
func (a *app) specText(desc *client.ScheduleDescription) string {
	// The memo is a payload, so it is encrypted like the workflows' and needs the same
	// converter.
	dc, _, err := a.temporalCfg.Converters()
	if payload := desc.Memo.GetFields()[scheduleSpecMemo]; payload != nil && err == nil {
		var text string
		if dc.FromPayload(payload, &text) == nil {
			return text
		}
	}
	if spec := desc.Schedule.Spec; spec != nil && len(spec.Intervals) > 0 {
		return "every " + spec.Intervals[0].Every.String()
	}
	return "calendar"
}

// runResult returns the outcome of a sync run as [scheduleRun.Result] describes it, or
// "unknown" when Temporal no longer has the run.
func runResult(ctx context.Context, tc client.Client, workflowID, runID string) string {
	desc, err := tc.DescribeWorkflowExecution(ctx, workflowID, runID)
	if err != nil {
		return "unknown"
	}
	info := desc.GetWorkflowExecutionInfo()
	var outcome string
	fields := info.GetSearchAttributes().GetIndexedFields()
	if payload := fields[workflows.OutcomeKey.GetName()]; payload != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(payload, &outcome)
	}

	switch status := info.GetStatus(); status {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return workflows.OutcomeRunning
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		if outcome == workflows.OutcomeSucceeded || outcome == workflows.OutcomeFailed {
			return outcome
		}
		return "completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		if outcome == workflows.OutcomeRefused {
			return outcome
		}
		return workflows.OutcomeFailed
	default:
		return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(status.String(),
			"WORKFLOW_EXECUTION_STATUS_"), "_", " "))
	}
}

func scheduleRows(views []scheduleView) [][]string {
	rows := make([][]string, 0, len(views))
	for _, v := range views {
		state, next, lastRun, lastResult := "active", "-", "-", "-"
		if v.Paused {
			state = "paused"
		}
		if len(v.NextRuns) > 0 {
			next = formatTime(v.NextRuns[0])
		}
		if v.LastRun != nil {
			lastRun, lastResult = formatTime(v.LastRun.Started), v.LastRun.Result
		}
		rows = append(rows, []string{v.ID, v.Spec, state, next, lastRun, lastResult,
			strconv.Itoa(v.SkippedOverlap), strconv.Itoa(v.MissedCatchupWindow), orDash(v.Note)})
	}
	return rows
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// newSchedulePauseCommand returns `schedule pause` when pause is set, else `schedule resume`.
func newSchedulePauseCommand(a *app, pause bool) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "pause DIRECTORY",
		Short: "Stop starting syncs of a directory until resumed; a running sync goes on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			handle, id, err := a.scheduleHandle(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if pause {
				err = handle.Pause(cmd.Context(), client.SchedulePauseOptions{
					Note: cmp.Or(note, "paused with ucmpush")})
			} else {
				err = handle.Unpause(cmd.Context(), client.ScheduleUnpauseOptions{
					Note: cmp.Or(note, "resumed with ucmpush")})
			}
			if err != nil {
				return scheduleError(id, err)
			}
			if pause {
				fmt.Fprintf(a.out, "Schedule %s paused; resume it with `ucmpush schedule resume %s`.\n",
					id, args[0])
			} else {
				fmt.Fprintf(a.out, "Schedule %s resumed.\n", id)
			}
			return nil
		},
	}
	noteHelp := "note shown with the paused schedule, such as why (default: paused with ucmpush)"
	if !pause {
		cmd.Use = "resume DIRECTORY"
		cmd.Short = "Start syncing a paused directory again at its next scheduled time"
		noteHelp = "note shown with the schedule (default: resumed with ucmpush)"
	}
	cmd.Flags().StringVar(&note, "note", "", noteHelp)
	return cmd
}

func newScheduleDeleteCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "delete DIRECTORY",
		Short: "Delete a directory's sync schedule; a sync it started goes on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			handle, id, err := a.scheduleHandle(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := handle.Delete(cmd.Context()); err != nil {
				return scheduleError(id, err)
			}
			fmt.Fprintf(a.out, "Schedule %s deleted.\n", id)
			return nil
		},
	}
}

func newScheduleTriggerCommand(a *app) *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use:   "trigger DIRECTORY",
		Short: "Start a scheduled sync of a directory now",
		Long: "Start a sync through the directory's schedule now, even while it is paused. The " +
			"schedule's overlap policy applies: while a scheduled sync runs, this one waits " +
			"behind it, and it is dropped when another already waits. It is rejected while a " +
			"sync started by `ucmpush sync` runs, since the schedule cannot wait for that one.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.triggerSchedule(cmd.Context(), args[0], wait)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false,
		"wait for the sync and its pushes, then print the counts per site")
	return cmd
}

// triggerSchedule triggers the schedule of a directory and prints the sync it started. It
// waits up to 30 s for the start unless a scheduled sync runs, in which case the start waits
// for that one and only wait follows it.
func (a *app) triggerSchedule(ctx context.Context, directory string, wait bool) error {
	handle, id, err := a.scheduleHandle(ctx, directory)
	if err != nil {
		return err
	}
	desc, err := handle.Describe(ctx)
	if err != nil {
		return scheduleError(id, err)
	}
	if err := a.rejectBesideCLISync(ctx, directory); err != nil {
		return err
	}

	known := map[string]bool{}
	for _, action := range desc.Info.RecentActions {
		if action.StartWorkflowResult != nil {
			known[action.StartWorkflowResult.FirstExecutionRunID] = true
		}
	}
	if err := handle.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		return scheduleError(id, err)
	}

	timeout := 30 * time.Second
	if running := desc.Info.RunningWorkflows; len(running) > 0 {
		fmt.Fprintf(a.out, "A scheduled sync runs (workflow %s): this one starts when it ends, "+
			"unless another already waits.\n", running[0].WorkflowID)
		if !wait {
			return nil
		}
		timeout = 0
	}
	started, err := waitForNewAction(ctx, handle, known, timeout)
	if err != nil {
		return fmt.Errorf("trigger schedule %s: %w", id, err)
	}
	return a.followSync(ctx, directory, started, wait)
}

// rejectBesideCLISync returns an error while the directory's `ucmpush sync` run runs.
func (a *app) rejectBesideCLISync(ctx context.Context, directory string) error {
	tc, err := a.temporalClient()
	if err != nil {
		return err
	}
	cliID := workflows.SyncWorkflowID(directory)
	desc, err := tc.DescribeWorkflowExecution(ctx, cliID, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check for a running sync %s: %w", cliID, err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return fmt.Errorf("a sync of directory %s started by `ucmpush sync` runs (workflow %s); "+
			"follow it with `ucmpush sync %s --wait`, then trigger again", directory, cliID, directory)
	}
	return nil
}

// waitForNewAction polls the schedule until it lists a start whose run is not in known, for
// up to timeout (0 means until ctx ends).
func waitForNewAction(ctx context.Context, handle client.ScheduleHandle, known map[string]bool,
	timeout time.Duration) (client.ScheduleWorkflowExecution, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()
	for {
		desc, err := handle.Describe(ctx)
		if err != nil && ctx.Err() == nil {
			return client.ScheduleWorkflowExecution{}, err
		}
		if desc != nil {
			for _, action := range desc.Info.RecentActions {
				if r := action.StartWorkflowResult; r != nil && !known[r.FirstExecutionRunID] {
					return *r, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return client.ScheduleWorkflowExecution{}, fmt.Errorf("no sync started within %s: "+
				"see the schedule's recent actions in `ucmpush schedule list`", timeout)
		case <-ticker.C:
		}
	}
}

// followSync prints the sync a schedule started and, with wait, waits for its result.
func (a *app) followSync(ctx context.Context, directory string,
	started client.ScheduleWorkflowExecution, wait bool) error {
	a.printStarted("Sync", started.WorkflowID, started.FirstExecutionRunID)
	if !wait {
		return nil
	}
	tc, err := a.temporalClient()
	if err != nil {
		return err
	}
	run := tc.GetWorkflow(ctx, started.WorkflowID, started.FirstExecutionRunID)
	var result workflows.LdapSyncThenPushResult
	if err := a.waitWithProgress(ctx, run, &result); err != nil {
		return fmt.Errorf("sync of directory %s failed: %s", directory, workflowErrorMessage(err))
	}
	return a.printSyncResult(result)
}

// scheduleHandle checks a directory name and returns the handle of its schedule. The handle
// is not checked: its calls return NotFound for a directory without a schedule.
func (a *app) scheduleHandle(ctx context.Context,
	directory string) (client.ScheduleHandle, string, error) {
	if err := domain.ValidateName("directory", directory); err != nil {
		return nil, "", err
	}
	tc, err := a.temporalClient()
	if err != nil {
		return nil, "", err
	}
	id := scheduleID(directory)
	return tc.ScheduleClient().GetHandle(ctx, id), id, nil
}

// scheduleError names a missing schedule and how to create it; other errors are wrapped.
func scheduleError(id string, err error) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		directory := strings.TrimPrefix(id, "sync/")
		return fmt.Errorf("schedule %s not found: create it with `ucmpush schedule create %s "+
			"--every 1h`, or list the schedules with `ucmpush schedule list`", id, directory)
	}
	return fmt.Errorf("schedule %s: %w", id, err)
}

// scheduleURL returns the Web UI page of a schedule, or "" when no UI URL is set.
func (a *app) scheduleURL(id string) string {
	if a.uiURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/namespaces/%s/schedules/%s", a.uiURL, a.temporalCfg.Namespace,
		urlPathEscape(id))
}
