package starter

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ucmpush/ucmpush/workflows"
)

// printTriggerResult prints what a trigger changed and the push of each site, and returns an
// error when any user failed to push.
func (a *app) printTriggerResult(r workflows.TriggerResult) error {
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
			note = strings.TrimSpace(note + fmt.Sprintf(" %d moved users stay on their old cluster.",
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
		return fmt.Errorf("%d users failed to push; `ucmpush users list` shows each reason", failed)
	}
	return nil
}

// addWaitFlag adds --wait to a command that starts a workflow.
func addWaitFlag(cmd *cobra.Command, wait *bool) {
	cmd.Flags().BoolVar(wait, "wait", false,
		"wait for the workflow, showing the push progress, then print the result")
}

func movedNobody(sites []workflows.SiteResult) bool {
	for _, site := range sites {
		if site.Moved > 0 {
			return false
		}
	}
	return true
}
