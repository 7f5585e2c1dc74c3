package starter

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/workflows"
)

// printTriggerResult prints what a trigger changed and the push of each site, and returns an
// error when any user failed to push.
func (a *app) printTriggerResult(r workflows.TriggerResult) error {
	if r.DryRun {
		return a.printTriggerDryRun(r)
	}
	if a.output == "json" {
		if err := printJSON(a.out, r); err != nil {
			return err
		}
		return sitePushFailures(r.Sites)
	}

	fmt.Fprintf(a.out, "\nDone: %s.\n", r.Change)
	if r.Unserved > 0 {
		fmt.Fprintf(a.out, "%d users stay on a UCM cluster that no longer serves their site; "+
			"nothing was deleted there (`ucmpush users list` shows them as unserved).\n", r.Unserved)
	}
	if r.UsersWithoutSite > 0 {
		fmt.Fprintf(a.out, "%d users are at no site and were skipped; move them with "+
			"`ucmpush users move` or a move rule.\n", r.UsersWithoutSite)
	}
	a.printUnknownUsernames(r.UnknownUsernames)
	if len(r.Sites) == 0 {
		fmt.Fprintln(a.out, "No site was concerned, so nothing was pushed.")
		return nil
	}
	if r.Trigger == workflows.TriggerMoved && movedNobody(r.Sites) {
		fmt.Fprintln(a.out, "No user moved: none matched, or all were at the site already; "+
			"`ucmpush users list --userid USERID` shows where a user is.")
	}
	fmt.Fprintln(a.out)
	if err := a.printSiteTable(r.Sites); err != nil {
		return err
	}
	return sitePushFailures(r.Sites)
}

// printSiteTable prints one row per site result, then the failed users.
func (a *app) printSiteTable(sites []workflows.SiteResult) error {
	header := []string{"SITE", "AUTO PUSH", "CLUSTER", "ACTIVE", "MOVED", "PUSHED", "UNCHANGED",
		"FAILED", "SKIPPED", "NOTE"}
	var rows [][]string
	var failures []string
	for _, site := range sites {
		note := site.NotPushed
		if site.LeftOnOldCluster > 0 {
			note = joinNotes(note, fmt.Sprintf("%d moved users stay on their old cluster.",
				site.LeftOnOldCluster))
		}
		row := []string{site.Site, onOff(site.AutoPush), orDash(site.Cluster),
			strconv.Itoa(site.Users), strconv.Itoa(site.Moved), "-", "-", "-", "-", note}
		if p := site.Push; p != nil {
			row[5], row[6] = strconv.Itoa(p.Added+p.Updated), strconv.Itoa(p.Unchanged)
			row[7], row[8] = strconv.Itoa(p.Failed), strconv.Itoa(p.Skipped)
			if p.Error != "" {
				row[9] = p.Error
			}
			for _, f := range p.Failures {
				failures = append(failures, fmt.Sprintf("  %s %s: %s", site.Site, f.UserID, f.Reason))
			}
		}
		rows = append(rows, row)
	}
	if err := printTable(a.out, header, rows); err != nil {
		return err
	}
	if len(failures) > 0 {
		fmt.Fprintf(a.out, "\nFailed users (up to 20 per site):\n%s\n", strings.Join(failures, "\n"))
	}
	return nil
}

// sitePushFailures returns an error when a site's push failed or any user failed to push.
func sitePushFailures(sites []workflows.SiteResult) error {
	failed := 0
	for _, site := range sites {
		if site.PushWorkflowID != "" && site.Push == nil {
			return fmt.Errorf("push of site %s failed: %s", site.Site, site.NotPushed)
		}
		if site.Push != nil {
			failed += site.Push.Failed
		}
	}
	if failed > 0 {
		return fmt.Errorf("%s failed to push; `ucmpush users list` shows each reason",
			countOf(failed, "user", "users"))
	}
	return nil
}

// printTriggerDryRun prints what a trigger's dry run found: the change, then per site what its
// push would do, then per user the AXL action. It returns an error only when a site's UCM
// could not be read. Refused users are part of the plan, so they return no error.
func (a *app) printTriggerDryRun(r workflows.TriggerResult) error {
	if a.output == "json" {
		if err := printJSON(a.out, r); err != nil {
			return err
		}
		return dryRunFailures(r.Sites)
	}

	fmt.Fprintf(a.out, "\nDry run, nothing was written: %s.\n", r.Change)
	if r.Unserved > 0 {
		fmt.Fprintf(a.out, "%d users would stay on a UCM cluster that no longer serves their "+
			"site; nothing would be deleted there, and their push state there would become "+
			"unserved.\n", r.Unserved)
	}
	a.printUnknownUsernames(r.UnknownUsernames)
	if len(r.Sites) == 0 {
		fmt.Fprintln(a.out, "No site would be concerned, so nothing would be pushed.")
		return nil
	}
	if r.Trigger == workflows.TriggerMoved && movedNobody(r.Sites) {
		fmt.Fprintln(a.out, "No user would move: none matches, or all are at the site already; "+
			"`ucmpush users list --userid USERID` shows where a user is.")
	}

	fmt.Fprintln(a.out)
	if err := a.printDryRunTable(r.Sites); err != nil {
		return err
	}
	for _, site := range r.Sites {
		p := site.Push
		if p == nil || p.Planned == 0 {
			continue
		}
		fmt.Fprintf(a.out, "\nSite %s on UCM cluster %s: %s.\n", site.Site, p.Cluster,
			dryRunCounts(*p))
		a.printPreviews(p.Preview)
		if len(p.Preview) < p.Planned {
			fmt.Fprintf(a.out, "  ... and %d more planned users, counted above but not listed\n",
				p.Planned-len(p.Preview))
		}
	}
	return dryRunFailures(r.Sites)
}

// printDryRunTable prints one row per site of a dry run: what its push would do.
func (a *app) printDryRunTable(sites []workflows.SiteResult) error {
	header := []string{"SITE", "AUTO PUSH", "CLUSTER", "ACTIVE", "MOVED", "ADD", "UPDATE",
		"UNCHANGED", "REFUSE", "SKIPPED", "NOTE"}
	var rows [][]string
	for _, site := range sites {
		note := site.NotPushed
		if site.LeftOnOldCluster > 0 {
			note = joinNotes(note, fmt.Sprintf("%d moved users would stay on their old cluster.",
				site.LeftOnOldCluster))
		}
		row := []string{site.Site, onOff(site.AutoPush), orDash(site.Cluster),
			strconv.Itoa(site.Users), strconv.Itoa(site.Moved), "-", "-", "-", "-", "-", note}
		if p := site.Push; p != nil {
			row[5], row[6] = strconv.Itoa(p.Added), strconv.Itoa(p.Updated)
			row[7], row[8], row[9] = strconv.Itoa(p.Unchanged), strconv.Itoa(p.Failed),
				strconv.Itoa(p.Skipped)
			if p.Error != "" {
				row[10] = joinNotes(note, p.Error)
			}
		}
		rows = append(rows, row)
	}
	return printTable(a.out, header, rows)
}

// joinNotes joins the notes of a table row, each ending with a full stop, so that two
// sentences never run together.
func joinNotes(notes ...string) string {
	var parts []string
	for _, n := range notes {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !strings.HasSuffix(n, ".") {
			n += "."
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, " ")
}

// dryRunFailures returns an error when a dry run could not read a site's UCM cluster, so its
// plan is incomplete.
func dryRunFailures(sites []workflows.SiteResult) error {
	for _, site := range sites {
		if site.Push != nil && site.Push.Error != "" {
			return fmt.Errorf("dry run of site %s is incomplete: %s", site.Site, site.Push.Error)
		}
	}
	return nil
}

// startTrigger starts a trigger workflow under id, or its dry run under
// [workflows.DryRunWorkflowID], so that a dry run never attaches to a real run. It waits for
// the result and prints it when wait is set, and always for a dry run, whose result is all it
// produces.
func (a *app) startTrigger(ctx context.Context, id string, attrs []temporal.SearchAttributeUpdate,
	workflow, input any, dryRun, wait bool) error {
	if dryRun {
		id = workflows.DryRunWorkflowID(id)
		a.waiting = true
	}
	run, err := a.start(ctx, id, attrs, workflow, input)
	if err != nil || !(wait || dryRun) {
		return err
	}
	return a.waitTrigger(ctx, run)
}

// addDryRunTriggerFlag adds --dry-run to a command that starts a trigger workflow.
func addDryRunTriggerFlag(cmd *cobra.Command, dryRun *bool) {
	cmd.Flags().BoolVar(dryRun, "dry-run", false,
		"compute the change and the pushes it would start, read UCM and print, per site and "+
			"user, what would be added, updated, left unchanged or refused; write nothing "+
			"(implies --wait)")
}

// addWaitFlag adds --wait to a command that starts a workflow.
func addWaitFlag(cmd *cobra.Command, wait *bool) {
	cmd.Flags().BoolVar(wait, "wait", false,
		"wait for the workflow, showing the push progress, then print the result")
}

// printUnknownUsernames warns about the usernames of a move that the customer has no user
// for, which are most often typos.
func (a *app) printUnknownUsernames(names []string) {
	if len(names) == 0 {
		return
	}
	userids, them := "the userid "+names[0], "it"
	if len(names) > 1 {
		userids, them = "the userids "+strings.Join(names, ", "), "them"
	}
	fmt.Fprintf(a.out, "No user of the customer has %s. The move rule keeps %s, so a user "+
		"synced later with such a userid moves too; check the spelling with "+
		"`ucmpush users list --userid USERID`.\n", userids, them)
}

func movedNobody(sites []workflows.SiteResult) bool {
	for _, site := range sites {
		if site.Moved > 0 {
			return false
		}
	}
	return true
}
