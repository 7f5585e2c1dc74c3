package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
)

// dryRunFixture mocks the activities of a trigger's dry run, and mocks every activity that
// writes, recording calls, so a test can show that none ran.
type dryRunFixture struct {
	env   *testsuite.TestWorkflowEnvironment
	calls *callLog
	attrs *searchAttributeLog
}

func newDryRunFixture(t *testing.T) *dryRunFixture {
	f := &dryRunFixture{env: newTestEnv(t), calls: newCallLog()}
	f.attrs = recordSearchAttributes(f.env)
	written := errors.New("a dry run called an activity that writes")
	for name, act := range map[string]any{
		"MoveUsers": storeActs.MoveUsers, "ChangeNDL": storeActs.ChangeNDL,
		"CreateUser": storeActs.CreateUser, "ListSites": storeActs.ListSites,
		"PlanSitePush": storeActs.PlanSitePush, "FailPlanRange": storeActs.FailPlanRange,
		"PushUsers": ucmActs.PushUsers, "PreviewUsers": ucmActs.PreviewUsers,
	} {
		f.env.OnActivity(act, mock.Anything, mock.Anything).Run(f.calls.record(name)).
			Return(nil, temporal.NewNonRetryableApplicationError(written.Error(), "Test", written))
	}
	return f
}

// items returns planned users seq from..to, with userids user<seq>.
func items(from, to int) []store.PlanItem {
	var list []store.PlanItem
	for seq := from; seq <= to; seq++ {
		list = append(list, store.PlanItem{Seq: seq, UserID: int64(seq),
			Attributes: domain.Attributes{UserID: fmt.Sprintf("user%d", seq), LastName: "Test"}})
	}
	return list
}

// page returns the plan's items of the page, as the store step's PlanItems would.
func page(total int, p activities.PlanPage) []store.PlanItem {
	return items(p.From, min(p.To, total))
}

var (
	londonTarget = activities.SiteTarget{SiteID: 11, Site: "acme/london", AutoPush: true,
		Cluster: "ucm-lab", Users: 40}
	parisTarget = activities.SiteTarget{SiteID: 12, Site: "acme/paris", Cluster: "ucm-lab",
		Users: 9}
)

// mockPreviews returns the previews of PreviewPlanItems: user1 is added, every other user with an odd seq
// updated, with an even seq unchanged.
func (f *dryRunFixture) mockPreviews() {
	f.env.OnActivity(ucmActs.PreviewPlanItems, mock.Anything, mock.Anything).
		Run(f.calls.record("PreviewPlanItems")).
		Return(func(_ context.Context, in activities.PreviewPlanItemsInput) (activities.PreviewUsersResult, error) {
			var r activities.PreviewUsersResult
			for _, it := range in.Items {
				p := activities.UserPreview{UserID: it.Attributes.UserID, Action: "unchanged"}
				switch {
				case it.Seq == 1:
					p.Action = "add"
				case it.Seq%2 == 1:
					p.Action, p.Fields = "update", []string{"title=Dr"}
				}
				r.Users = append(r.Users, p)
			}
			return r, nil
		})
}

func (f *dryRunFixture) result(t *testing.T) TriggerResult {
	t.Helper()
	if !f.env.IsWorkflowCompleted() {
		t.Fatal("dry run did not complete")
	}
	var result TriggerResult
	if err := f.env.GetWorkflowResult(&result); err != nil {
		t.Fatalf("dry run error = %v, want nil", err)
	}
	return result
}

// checkNothingWritten fails the test for every activity of a real run that the dry run called.
func (f *dryRunFixture) checkNothingWritten(t *testing.T) {
	t.Helper()
	for _, name := range []string{"MoveUsers", "ChangeNDL", "CreateUser", "ListSites",
		"PlanSitePush", "FailPlanRange", "PushUsers", "PreviewUsers"} {
		if n := f.calls.count(name); n != 0 {
			t.Errorf("dry run called %s %d times, want never", name, n)
		}
	}
}

func TestUsersMovedDryRunPreviewsWithoutWriting(t *testing.T) {
	f := newDryRunFixture(t)
	f.mockPreviews()
	f.env.OnActivity(storeActs.DryRunMoveUsers, mock.Anything, mock.Anything).
		Run(f.calls.record("DryRunMoveUsers")).
		Return(func(_ context.Context, in activities.DryRunMoveUsersInput) (activities.TriggerPreview, error) {
			return activities.TriggerPreview{
				Sites: []activities.SiteTarget{londonTarget, parisTarget},
				Moves: activities.ApplyMoveRulesResult{Sites: []activities.SiteMoves{
					{SiteID: 11, Moved: 3, LeftOnOldCluster: 2}, {SiteID: 12, Moved: 1}}},
				Plans: []activities.SitePlanPreview{{SiteID: 11, ClusterID: 7, Cluster: "ucm-lab",
					Total: 3, Unchanged: 5, Skipped: 1, Items: page(3, in.Page)}},
			}, nil
		})

	f.env.ExecuteWorkflow(UsersMoved, UsersMovedInput{Site: "acme/london",
		Kind: domain.MoveByUsernames, Usernames: []string{"user1", "user2", "user3"}, DryRun: true})
	result := f.result(t)

	f.checkNothingWritten(t)
	in := inputsOf[activities.DryRunMoveUsersInput](t, f.calls, "DryRunMoveUsers")
	if len(in) != 1 {
		t.Fatalf("DryRunMoveUsers called %d times, want once: the plan fits one page", len(in))
	}
	checkFields(t, "store step input", []field{
		{"site", in[0].Move.Site, "acme/london"},
		{"usernames", strings.Join(in[0].Move.Usernames, ","), "user1,user2,user3"},
		{"page", in[0].Page, activities.PlanPage{From: 1, To: dryRunPageSize}},
		{"change key is the run key", in[0].Move.ChangeKey, in[0].RunKey},
	})
	if in[0].RunKey == "" {
		t.Error("store step has no run key, so its plans and change key are not the dry run's own")
	}

	checkFields(t, "result", []field{
		{"dry run", result.DryRun, true},
		{"sites", len(result.Sites), 2},
	})
	london, paris := result.Sites[0], result.Sites[1]
	if london.Push == nil {
		t.Fatalf("london has no preview: %+v", london)
	}
	checkFields(t, "london", []field{
		{"moved", london.Moved, 3},
		{"left on old cluster", london.LeftOnOldCluster, 2},
		{"push workflow", london.PushWorkflowID, ""},
		{"planned", london.Push.Planned, 3},
		{"added", london.Push.Added, 1},
		{"updated", london.Push.Updated, 1},
		{"unchanged", london.Push.Unchanged, 5 + 1},
		{"skipped", london.Push.Skipped, 1},
		{"listed", len(london.Push.Preview), 3},
		{"dry run", london.Push.DryRun, true},
	})
	if paris.Push != nil || !strings.Contains(paris.NotPushed, "auto push is off") || paris.Moved != 1 {
		t.Errorf("paris %+v, want 1 moved, no preview, and auto push off as the reason", paris)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeDryRun}) {
		t.Errorf("outcome search attribute %v, want only %s", got, OutcomeDryRun)
	}
}

func TestSiteNDLChangedDryRunPagesLargePlan(t *testing.T) {
	const total = 1201
	f := newDryRunFixture(t)
	f.mockPreviews()
	f.env.OnActivity(storeActs.DryRunChangeNDL, mock.Anything, mock.Anything).
		Run(f.calls.record("DryRunChangeNDL")).
		Return(func(_ context.Context, in activities.DryRunChangeNDLInput) (activities.TriggerPreview, error) {
			return activities.TriggerPreview{Sites: []activities.SiteTarget{londonTarget}, Unserved: 17,
				Plans: []activities.SitePlanPreview{{SiteID: 11, ClusterID: 7, Cluster: "ucm-lab",
					Total: total, Items: page(total, in.Page)}},
			}, nil
		})

	f.env.ExecuteWorkflow(SiteNDLChanged, SiteNDLChangedInput{NDL: "ndl-lab", Cluster: "ucm-new",
		DryRun: true})
	result := f.result(t)

	f.checkNothingWritten(t)
	var pages []activities.PlanPage
	for _, in := range inputsOf[activities.DryRunChangeNDLInput](t, f.calls, "DryRunChangeNDL") {
		pages = append(pages, in.Page)
		if in.Change.NDL != "ndl-lab" || in.Change.Cluster != "ucm-new" {
			t.Errorf("store step change %+v, want ndl-lab naming ucm-new", in.Change)
		}
	}
	wantPages := []activities.PlanPage{{From: 1, To: 500}, {From: 501, To: 1000}, {From: 1001, To: 1500}}
	if !slices.Equal(pages, wantPages) {
		t.Errorf("store step pages %v, want %v", pages, wantPages)
	}
	if n := f.calls.count("PreviewPlanItems"); n != 13 {
		t.Errorf("PreviewPlanItems called %d times, want 13 batches of at most %d users", n, DefaultBatchSize)
	}

	push := result.Sites[0].Push
	checkFields(t, "result", []field{
		{"unserved", result.Unserved, 17},
		{"planned", push.Planned, total},
		{"added", push.Added, 1},
		{"updated", push.Updated, 600},
		{"unchanged", push.Unchanged, 600},
		{"listed", len(push.Preview), maxListedPreviews},
	})
}

func TestUserCreatedDryRunRejectsTakenUserID(t *testing.T) {
	f := newDryRunFixture(t)
	f.mockPreviews()
	taken := errors.New(`user "alice": customer acme already has this userid; pick another`)
	f.env.OnActivity(storeActs.DryRunCreateUser, mock.Anything, mock.Anything).
		Run(f.calls.record("DryRunCreateUser")).
		Return(activities.TriggerPreview{},
			temporal.NewNonRetryableApplicationError(taken.Error(), activities.ErrInvalidConfig, taken))

	f.env.ExecuteWorkflow(UserCreated, UserCreatedInput{Site: "acme/london",
		Attributes: domain.Attributes{UserID: "alice", LastName: "Smith"}, DryRun: true})

	err := f.env.GetWorkflowError()
	if _, ok := findApplicationError(err, activities.ErrInvalidConfig); !ok {
		t.Fatalf("dry run error %v, want the store step's %s", err, activities.ErrInvalidConfig)
	}
	if !strings.Contains(ErrorMessage(err), "already has this userid") {
		t.Errorf("dry run error message %q, want the store step's reason", ErrorMessage(err))
	}
	f.checkNothingWritten(t)
	if n := f.calls.count("PreviewPlanItems"); n != 0 {
		t.Errorf("PreviewPlanItems called %d times, want none after the store step failed", n)
	}
}

func TestUserCreatedDryRunUnreadableCluster(t *testing.T) {
	f := newDryRunFixture(t)
	refused := errors.New("UCM cluster ucm-lab rejected the AXL credentials (HTTP 401)")
	f.env.OnActivity(ucmActs.PreviewPlanItems, mock.Anything, mock.Anything).
		Return(activities.PreviewUsersResult{},
			temporal.NewNonRetryableApplicationError(refused.Error(), activities.ErrAXLAuth, refused))
	f.env.OnActivity(storeActs.DryRunCreateUser, mock.Anything, mock.Anything).
		Return(activities.TriggerPreview{Sites: []activities.SiteTarget{londonTarget},
			Plans: []activities.SitePlanPreview{{SiteID: 11, ClusterID: 7, Cluster: "ucm-lab",
				Total: 1, Items: items(1, 1)}}}, nil)

	f.env.ExecuteWorkflow(UserCreated, UserCreatedInput{Site: "acme/london",
		Attributes: domain.Attributes{UserID: "dana", LastName: "Ek"}, DryRun: true})
	result := f.result(t)

	f.checkNothingWritten(t)
	push := result.Sites[0].Push
	if push == nil || !strings.Contains(push.Error, "rejected the AXL credentials") {
		t.Fatalf("london push %+v, want the AXL error", push)
	}
	if push.Added+push.Updated+push.Unchanged+push.Failed != 0 {
		t.Errorf("london push counted %+v, want nothing previewed", push)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeDryRun}) {
		t.Errorf("outcome search attribute %v, want only %s", got, OutcomeDryRun)
	}
}

func TestDryRunWorkflowIDNeverARealID(t *testing.T) {
	real := []string{
		MovedWorkflowID("acme/london", "|alice"),
		SiteNDLChangedWorkflowID("acme/london", "ndl-lab"),
		NDLClusterChangedWorkflowID("ndl-lab", "ucm-lab"),
		UserCreatedWorkflowID("acme/london", "dana.ek"),
	}
	for _, id := range real {
		dry := DryRunWorkflowID(id)
		if dry != "dry-run/"+id {
			t.Errorf("DryRunWorkflowID(%q) = %q, want dry-run/ and the real ID", id, dry)
		}
		if slices.Contains(real, dry) || strings.HasPrefix(id, "dry-run/") {
			t.Errorf("dry-run ID %q can equal a real trigger's ID", dry)
		}
	}
}

func TestTriggerDryRunSummaries(t *testing.T) {
	cases := []struct{ got, want string }{
		{UsersMovedInput{Site: "acme/london", Kind: domain.MoveByUsername, Usernames: []string{"alice"},
			DryRun: true}.Summary(), "Dry run, nothing written: move alice to acme/london"},
		{UsersMovedInput{Site: "acme/london", Kind: domain.MoveByUsername,
			Usernames: []string{"alice"}}.Summary(), "Move alice to acme/london"},
		{SiteNDLChangedInput{NDL: "ndl-lab", Cluster: "ucm-lab", DryRun: true}.Summary(),
			"Dry run, nothing written: make NDL ndl-lab name UCM cluster ucm-lab"},
		{UserCreatedInput{Site: "acme/london", Attributes: domain.Attributes{UserID: "dana"},
			DryRun: true}.Summary(), "Dry run, nothing written: create user dana at acme/london"},
		{UserCreatedInput{Site: "acme/london", Attributes: domain.Attributes{UserID: "dana"}}.Summary(),
			"Create user dana at acme/london"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("summary %q, want %q", c.got, c.want)
		}
	}
}

// A cluster that does not respond fails a dry run after a few quick attempts, because an
// operator waits for the result and a push's half hour of retries is far too long for that.
func TestDryRunGivesUpOnSilentCluster(t *testing.T) {
	f := newDryRunFixture(t)
	down := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	attempts := 0
	f.env.OnActivity(ucmActs.PreviewPlanItems, mock.Anything, mock.Anything).
		Return(func(context.Context, activities.PreviewPlanItemsInput) (activities.PreviewUsersResult, error) {
			attempts++
			return activities.PreviewUsersResult{},
				temporal.NewApplicationErrorWithCause(down.Error(), activities.ErrAXLUnavailable, down)
		})
	f.env.OnActivity(storeActs.DryRunCreateUser, mock.Anything, mock.Anything).
		Return(activities.TriggerPreview{Sites: []activities.SiteTarget{londonTarget},
			Plans: []activities.SitePlanPreview{{SiteID: 11, ClusterID: 7, Cluster: "ucm-lab",
				Total: 1, Items: items(1, 1)}}}, nil)

	f.env.ExecuteWorkflow(UserCreated, UserCreatedInput{Site: "acme/london",
		Attributes: domain.Attributes{UserID: "dana", LastName: "Ek"}, DryRun: true})
	result := f.result(t)

	if attempts != 3 {
		t.Errorf("PreviewPlanItems attempts = %d, want 3 before the dry run gives up", attempts)
	}
	push := result.Sites[0].Push
	if push == nil || !strings.Contains(push.Error, "connection refused") {
		t.Fatalf("london push %+v, want the connection error", push)
	}
	f.checkNothingWritten(t)
}
