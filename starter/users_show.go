package starter

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// shownUser is one user of `ucmpush users show`: the store's view, what UCM holds and the
// last pushes.
type shownUser struct {
	UserID  string `json:"userID"`
	Site    string `json:"site"`
	Source  string `json:"source"`
	Status  string `json:"status"`
	Name    string `json:"name,omitempty"`
	Cluster string `json:"cluster"`
	// UCM is the user as the cluster has them, read through the ReadUCMUser workflow.
	UCM activities.UCMUserView `json:"ucm"`
	// LastPush is the user's push state on the cluster; nil when never pushed.
	LastPush *shownPush `json:"lastPush,omitempty"`
	store.QuickUserState
}

// shownPush is a user's push state on the cluster of their site.
type shownPush struct {
	Status   string     `json:"status"`
	Action   string     `json:"action,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	PushedAt *time.Time `json:"pushedAt,omitempty"`
}

func newUsersShowCommand(a *app) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "show CUSTOMER/SITE [USERID]",
		Short: "Show users as the site's UCM holds them: phones, lines, features and last push",
		Long: "Show a user's site, source, the phones, lines and features they have on the site's " +
			"UCM cluster, and the result of their last push and last Quick User run. Without " +
			"USERID, list the site's users with the same columns.\n\n" +
			"What UCM holds is read live through a ReadUCMUser workflow, so the worker, which " +
			"holds the AXL password, does the reading. Each user takes a getUser and one read per " +
			"device, so a list reads at most --limit users (200 at most) and says when the site " +
			"has more.",
		Example: "  ucmpush users show acme/london alice\n  ucmpush users show acme/london -o json",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 || limit > activities.MaxReadUCMUsers {
				return fmt.Errorf("invalid --limit %d: use 1 to %d", limit, activities.MaxReadUCMUsers)
			}
			ref, err := domain.ParseSiteRef(args[0])
			if err != nil {
				return err
			}
			userid := ""
			if len(args) == 2 {
				userid = args[1]
			}
			shown, err := a.showUsers(cmd, ref, userid, limit)
			if err != nil {
				return err
			}
			if userid != "" {
				return a.printShownUser(shown[0])
			}
			return a.printShownUsers(shown)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", activities.MaxReadUCMUsers,
		fmt.Sprintf("read at most this many users from UCM, 1 to %d", activities.MaxReadUCMUsers))
	return cmd
}

// showUsers reads the users from the store, then from UCM through ReadUCMUser.
func (a *app) showUsers(cmd *cobra.Command, ref domain.SiteRef, userid string, limit int) ([]shownUser, error) {
	ctx := cmd.Context()
	db, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	site, err := db.Site(ctx, ref)
	if err != nil {
		return nil, err
	}
	if site.ClusterID == 0 {
		return nil, fmt.Errorf("site %s has no UCM cluster to read (NDL %s): link an NDL that "+
			"names one with `ucmpush site set %s --ndl NAME`", ref, orDash(site.NDL), ref)
	}

	users, err := db.Users(ctx, store.UserFilter{Customer: ref.Customer, Site: ref.Site,
		UserID: userid, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	if userid != "" && len(users) == 0 {
		return nil, fmt.Errorf("user %s is not at site %s: list the site's users with "+
			"`ucmpush users show %s`", userid, ref, ref)
	}
	if len(users) > limit {
		users = users[:limit]
		fmt.Fprintf(a.errOut, "Showing the first %d users of site %s; each is read from UCM, so "+
			"name one USERID to see any other.\n", limit, ref)
	}

	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	states, err := db.QuickUserStates(ctx, site.ClusterID, ids)
	if err != nil {
		return nil, err
	}
	read, err := a.readUCMUsers(cmd, ref, userid, users, states)
	if err != nil {
		return nil, err
	}
	return mergeShown(site, users, states, read), nil
}

// readUCMUsers runs ReadUCMUser for the users and waits for it. A second show of the same
// users while one runs attaches to it.
func (a *app) readUCMUsers(cmd *cobra.Command, ref domain.SiteRef, userid string, users []store.UserView,
	states map[int64]store.QuickUserState) (activities.ReadUCMUsersResult, error) {
	var result activities.ReadUCMUsersResult
	tc, err := a.temporalClient()
	if err != nil {
		return result, err
	}

	input := workflows.ReadUCMUserInput{Site: ref.String()}
	for _, u := range users {
		read := activities.ReadUCMUser{UserID: u.UserID}
		if st := states[u.ID]; st.Last != nil {
			read.MobileNumber = st.Last.Mobile
		}
		input.Users = append(input.Users, read)
	}
	attrs := append(siteAttributes(ref, workflows.TriggerUsersShow),
		workflows.OutcomeKey.ValueSet(workflows.OutcomeRunning))
	if userid != "" {
		attrs = append(attrs, workflows.UserIDKey.ValueSet(userid))
	}
	opts := client.StartWorkflowOptions{
		ID:                       workflows.ReadUCMUserWorkflowID(ref.String(), userid),
		TaskQueue:                a.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(attrs...),
		WorkflowExecutionTimeout: 10 * time.Minute,
	}
	run, err := tc.ExecuteWorkflow(cmd.Context(), opts, workflows.ReadUCMUser, input)
	if err != nil {
		return result, fmt.Errorf("start reading the users of site %s from UCM: %w", ref, err)
	}
	if err := run.Get(cmd.Context(), &result); err != nil {
		return result, fmt.Errorf("read the users of site %s from UCM: %s", ref, workflowErrorMessage(err))
	}
	return result, nil
}

func mergeShown(site domain.Site, users []store.UserView, states map[int64]store.QuickUserState,
	read activities.ReadUCMUsersResult) []shownUser {
	views := map[string]activities.UCMUserView{}
	for _, v := range read.Users {
		views[strings.ToLower(v.UserID)] = v
	}

	shown := make([]shownUser, 0, len(users))
	for _, u := range users {
		s := shownUser{UserID: u.UserID, Site: site.Ref().String(), Source: u.Source, Status: u.Status,
			Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Cluster: site.Cluster,
			UCM: views[strings.ToLower(u.UserID)], QuickUserState: states[u.ID]}
		if u.PushStatus != "" {
			s.LastPush = &shownPush{Status: u.PushStatus, Action: u.PushAction, Reason: u.PushReason,
				PushedAt: u.PushedAt}
		}
		shown = append(shown, s)
	}
	return shown
}

func (a *app) printShownUsers(users []shownUser) error {
	header := []string{"USERID", "SOURCE", "ON UCM", "PHONES", "LINES", "FEATURES", "LAST PUSH"}
	return a.render(users, header, func() [][]string {
		var rows [][]string
		for _, u := range users {
			rows = append(rows, []string{u.UserID, u.Source, onUCMText(u.UCM), orDash(phoneNames(u.UCM)),
				orDash(strings.Join(u.UCM.Lines, ", ")), orDash(strings.Join(u.features(), ", ")),
				lastPushText(u)})
		}
		return rows
	})
}

func (a *app) printShownUser(u shownUser) error {
	if a.output == "json" {
		return printJSON(a.out, u)
	}
	rows := [][]string{
		{"site", u.Site + " (UCM cluster " + u.Cluster + ")"},
		{"source", u.Source + ", " + u.Status},
		{"name", orDash(u.Name)},
		{"on UCM", onUCMText(u.UCM)},
		{"primary extension", orDash(u.UCM.PrimaryExtension)},
		{"lines", orDash(strings.Join(u.UCM.Lines, ", "))},
	}
	for _, p := range u.UCM.Phones {
		rows = append(rows, []string{"phone", deviceText(p)})
	}
	for _, p := range u.UCM.Profiles {
		rows = append(rows, []string{"device profile", deviceText(p)})
	}
	if rdp := u.UCM.RemoteDestinationProfile; rdp != nil {
		rows = append(rows, []string{"single number reach", deviceText(*rdp) + " ringing " +
			orDash(strings.Join(u.UCM.RemoteDestinations, ", "))})
	}
	rows = append(rows, []string{"features", orDash(strings.Join(u.features(), ", "))},
		[]string{"last push", pushText(u.LastPush)})
	if last := u.Last; last != nil {
		rows = append(rows, []string{"last Quick User", fmt.Sprintf("%s at %s (workflow %s)",
			last.Outcome, last.FinishedAt.Format(time.RFC3339), last.WorkflowID)})
		for _, step := range last.Steps {
			rows = append(rows, []string{"  " + step.Name, strings.TrimSpace(step.Status + " " + step.Detail)})
		}
	}
	return printTable(a.out, []string{"FIELD", "VALUE"}, rows)
}

// features adds the voicemail flag of the store to what UCM holds.
func (u shownUser) features() []string {
	features := u.UCM.Features
	if u.Voicemail != nil && *u.Voicemail {
		features = append(features[:len(features):len(features)], "voicemail")
	}
	return features
}

func onUCMText(v activities.UCMUserView) string {
	switch {
	case v.Error != "":
		return "unreadable: " + v.Error
	case !v.OnUCM:
		return "no"
	case v.LDAPDirectoryName != "":
		return "yes, synced by UCM from LDAP directory " + v.LDAPDirectoryName
	}
	return "yes"
}

func phoneNames(v activities.UCMUserView) string {
	names := make([]string, 0, len(v.Phones))
	for _, p := range v.Phones {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func deviceText(d activities.UCMDevice) string {
	if d.Missing {
		return d.Name + " (associated, but not on UCM)"
	}
	text := fmt.Sprintf("%s (%s", d.Name, d.Product)
	if d.Protocol != "" {
		text += ", " + d.Protocol
	}
	text += ")"
	if len(d.Lines) > 0 {
		text += " on " + strings.Join(d.Lines, ", ")
	}
	if d.Owner != "" {
		text += ", owner " + d.Owner
	}
	return text
}

// pushText describes a push state, "-" for none.
func pushText(p *shownPush) string {
	if p == nil {
		return "-"
	}
	text := p.Status
	if p.Action != "" {
		text += " (" + p.Action + ")"
	}
	if p.Reason != "" {
		text += ": " + p.Reason
	}
	return text
}

// lastPushText returns the newer of the user's push state and last Quick User run.
func lastPushText(u shownUser) string {
	push := pushText(u.LastPush)
	last := u.Last
	if last == nil || (u.LastPush != nil && u.LastPush.PushedAt != nil && u.LastPush.PushedAt.After(last.FinishedAt)) {
		return push
	}
	text := "quick user " + last.Outcome
	if last.Reason != "" {
		text += ": " + last.Reason
	}
	return text
}
