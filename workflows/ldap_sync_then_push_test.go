package workflows

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/store"
)

// syncRunID is the run ID that the SDK's test environment gives every workflow.
const syncRunID = "default-test-run-id"

var syncRun = activities.BeginSyncResult{RunID: 5, DirectoryID: 3, CustomerID: 2, Customer: "acme"}

// acmeSites are a site that auto push serves, one with auto push off, and one without an NDL.
var acmeSites = []activities.SiteTarget{
	{SiteID: 11, Site: "acme/london", AutoPush: true, Cluster: "ucm-london", Users: 120},
	{SiteID: 12, Site: "acme/paris", AutoPush: false, Cluster: "ucm-paris", Users: 40},
	{SiteID: 13, Site: "acme/rome", AutoPush: true, Users: 9,
		NotServed: "site has no NDL; link one with `ucmpush site set acme/rome --ndl NAME`"},
}

// childPush is what the mocked PushSite child saw when it started.
type childPush struct {
	input      PushSiteInput
	workflowID string
	attributes map[string]string
}

// syncFixture mocks the activities of LdapSyncThenPush and its PushSite children.
type syncFixture struct {
	env   *testsuite.TestWorkflowEnvironment
	calls *callLog
	attrs *searchAttributeLog

	mu       sync.Mutex
	children []childPush
}

func newSyncFixture(t *testing.T) *syncFixture {
	f := &syncFixture{env: newTestEnv(t), calls: newCallLog()}
	f.attrs = recordSearchAttributes(f.env)
	f.env.RegisterWorkflow(PushSite)
	f.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: SyncWorkflowID("corp-ldap")})
	return f
}

// mockSteps mocks every step of the sync; stageErr and applyErr, when set, fail those steps.
func (f *syncFixture) mockSteps(stageErr, applyErr error) {
	f.env.OnActivity(storeActs.BeginSync, mock.Anything, mock.Anything).
		Run(f.calls.record("BeginSync")).Return(syncRun, nil)
	f.env.OnActivity(dirActs.StageDirectory, mock.Anything, mock.Anything).
		Run(f.calls.record("StageDirectory")).
		Return(activities.StageDirectoryResult{Entries: 170, Invalid: 1, Pages: 2}, stageErr)
	f.env.OnActivity(storeActs.ApplySync, mock.Anything, mock.Anything).
		Run(f.calls.record("ApplySync")).
		Return(store.SyncCounts{Found: 170, Added: 12, Updated: 3, Removed: 1}, applyErr)
	f.env.OnActivity(storeActs.ApplyMoveRules, mock.Anything, mock.Anything).
		Run(f.calls.record("ApplyMoveRules")).
		Return(activities.ApplyMoveRulesResult{Sites: []activities.SiteMoves{
			{SiteID: 11, Moved: 5}, {SiteID: 12, Moved: 2},
		}}, nil)
	f.env.OnActivity(storeActs.ListSites, mock.Anything, mock.Anything).
		Run(f.calls.record("ListSites")).
		Return(activities.ListSitesResult{Sites: acmeSites}, nil)
}

// mockChild makes every PushSite child record what it saw and return result, err.
func (f *syncFixture) mockChild(result PushSiteResult, err error) {
	f.env.OnWorkflow(PushSite, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in PushSiteInput) (PushSiteResult, error) {
			attrs := map[string]string{}
			typed := workflow.GetTypedSearchAttributes(ctx)
			for _, key := range []temporal.SearchAttributeKeyKeyword{
				CustomerKey, SiteKey, TriggerKey, OutcomeKey,
			} {
				if v, ok := typed.GetKeyword(key); ok {
					attrs[key.GetName()] = v
				}
			}

			f.mu.Lock()
			defer f.mu.Unlock()
			f.children = append(f.children, childPush{input: in,
				workflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, attributes: attrs})
			return result, err
		})
}

func (f *syncFixture) childPushes() []childPush {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.children)
}

func TestLdapSyncThenPushThreeSites(t *testing.T) {
	f := newSyncFixture(t)
	f.mockSteps(nil, nil)
	push := PushSiteResult{Site: "acme/london", Cluster: "ucm-london", Planned: 17, Added: 12,
		Updated: 5, Unchanged: 103}
	f.mockChild(push, nil)

	f.env.ExecuteWorkflow(LdapSyncThenPush, LdapSyncThenPushInput{Directory: "corp-ldap"})

	var result LdapSyncThenPushResult
	if err := f.env.GetWorkflowResult(&result); err != nil {
		t.Fatalf("LdapSyncThenPush error = %v, want nil", err)
	}

	wantBegin := []activities.BeginSyncInput{{Directory: "corp-ldap", RunKey: syncRunID}}
	if got := inputsOf[activities.BeginSyncInput](t, f.calls, "BeginSync"); !slices.Equal(got,
		wantBegin) {
		t.Errorf("BeginSync inputs = %+v, want %+v", got, wantBegin)
	}
	wantStage := []activities.StageDirectoryInput{{DirectoryID: 3, RunID: 5}}
	if got := inputsOf[activities.StageDirectoryInput](t, f.calls, "StageDirectory"); !slices.Equal(
		got, wantStage) {
		t.Errorf("StageDirectory inputs = %+v, want %+v", got, wantStage)
	}
	wantApply := []activities.ApplySyncInput{{RunID: 5}}
	if got := inputsOf[activities.ApplySyncInput](t, f.calls, "ApplySync"); !slices.Equal(got,
		wantApply) {
		t.Errorf("ApplySync inputs = %+v, want %+v", got, wantApply)
	}
	wantMoves := []activities.ApplyMoveRulesInput{{CustomerID: 2}}
	if got := inputsOf[activities.ApplyMoveRulesInput](t, f.calls, "ApplyMoveRules"); !slices.Equal(
		got, wantMoves) {
		t.Errorf("ApplyMoveRules inputs = %+v, want %+v", got, wantMoves)
	}

	children := f.childPushes()
	if len(children) != 1 {
		t.Fatalf("PushSite children = %d, want 1 for the one site auto push serves", len(children))
	}
	child := children[0]
	// The run ID without hyphens, cut to its last 12 characters.
	wantID := "push/acme/london/sync-ulttestrunid"
	if child.workflowID != wantID {
		t.Errorf("child workflow ID = %q, want %q", child.workflowID, wantID)
	}
	checkFields(t, "child input", []field{
		{"SiteID", child.input.SiteID, int64(11)},
		{"Site", child.input.Site, "acme/london"},
		{"Trigger", child.input.Trigger, TriggerSync},
		// An empty key makes the child plan under its own run, so a reset plans afresh.
		{"PlanKey", child.input.PlanKey, ""},
		{"All", child.input.All, false},
		{"Continued", child.input.Continued == nil, true},
	})
	wantAttrs := map[string]string{
		CustomerKey.GetName(): "acme",
		SiteKey.GetName():     "acme/london",
		TriggerKey.GetName():  TriggerSync,
		OutcomeKey.GetName():  OutcomeRunning,
	}
	for name, want := range wantAttrs {
		if got := child.attributes[name]; got != want {
			t.Errorf("child search attribute %s = %q, want %q", name, got, want)
		}
	}

	checkFields(t, "result", []field{
		{"Directory", result.Directory, "corp-ldap"},
		{"Customer", result.Customer, "acme"},
		{"Search.Entries", result.Search.Entries, 170},
		{"Search.Pages", result.Search.Pages, 2},
		{"Sync.Added", result.Sync.Added, 12},
		{"Sync.Removed", result.Sync.Removed, 1},
	})
	if len(result.Sites) != 3 {
		t.Fatalf("result sites = %d, want 3: %+v", len(result.Sites), result.Sites)
	}

	london, paris, rome := result.Sites[0], result.Sites[1], result.Sites[2]
	checkFields(t, "london result", []field{
		{"Site", london.Site, "acme/london"},
		{"AutoPush", london.AutoPush, true},
		{"Cluster", london.Cluster, "ucm-london"},
		{"Moved", london.Moved, 5},
		{"Users", london.Users, 120},
		{"PushWorkflowID", london.PushWorkflowID, wantID},
		{"NotPushed", london.NotPushed, ""},
	})
	if london.Push == nil || !reflect.DeepEqual(*london.Push, push) {
		t.Errorf("london push = %+v, want the child's result %+v", london.Push, push)
	}

	checkFields(t, "paris result", []field{
		{"Site", paris.Site, "acme/paris"},
		{"Moved", paris.Moved, 2},
		{"Users", paris.Users, 40},
		{"PushWorkflowID", paris.PushWorkflowID, ""},
		{"Push", paris.Push == nil, true},
	})
	if !strings.Contains(paris.NotPushed, "auto push is off") ||
		!strings.Contains(paris.NotPushed, "ucmpush push site acme/paris") {
		t.Errorf("paris not pushed = %q, want auto push off and the manual push command",
			paris.NotPushed)
	}

	checkFields(t, "rome result", []field{
		{"Site", rome.Site, "acme/rome"},
		{"Moved", rome.Moved, 0},
		{"PushWorkflowID", rome.PushWorkflowID, ""},
		{"Push", rome.Push == nil, true},
		{"NotPushed", rome.NotPushed, acmeSites[2].NotServed},
	})

	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeSucceeded}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeSucceeded)
	}
}

func TestLdapSyncThenPushConfirmRemovals(t *testing.T) {
	f := newSyncFixture(t)
	f.mockSteps(nil, nil)
	f.mockChild(PushSiteResult{}, nil)

	f.env.ExecuteWorkflow(LdapSyncThenPush,
		LdapSyncThenPushInput{Directory: "corp-ldap", ConfirmRemovals: true})

	if err := f.env.GetWorkflowError(); err != nil {
		t.Fatalf("LdapSyncThenPush error = %v, want nil", err)
	}
	want := []activities.ApplySyncInput{{RunID: 5, ConfirmRemovals: true}}
	if got := inputsOf[activities.ApplySyncInput](t, f.calls, "ApplySync"); !slices.Equal(got, want) {
		t.Errorf("ApplySync inputs = %+v, want %+v", got, want)
	}
}

func TestLdapSyncThenPushChildFails(t *testing.T) {
	f := newSyncFixture(t)
	f.mockSteps(nil, nil)
	f.mockChild(PushSiteResult{}, temporal.NewNonRetryableApplicationError(
		"store of acme/london is unavailable", activities.ErrStoreUnavailable, nil))

	f.env.ExecuteWorkflow(LdapSyncThenPush, LdapSyncThenPushInput{Directory: "corp-ldap"})

	var result LdapSyncThenPushResult
	if err := f.env.GetWorkflowResult(&result); err != nil {
		t.Fatalf("LdapSyncThenPush error = %v, want nil: a failed site push fails only its site",
			err)
	}
	if len(result.Sites) != 3 {
		t.Fatalf("result sites = %d, want 3", len(result.Sites))
	}
	london := result.Sites[0]
	if want := "push failed: store of acme/london is unavailable"; london.NotPushed != want {
		t.Errorf("london not pushed = %q, want %q", london.NotPushed, want)
	}
	if london.Push != nil {
		t.Errorf("london push = %+v, want nil", london.Push)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeFailed}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeFailed)
	}
}

func TestLdapSyncThenPushFailedUsers(t *testing.T) {
	f := newSyncFixture(t)
	f.mockSteps(nil, nil)
	f.mockChild(PushSiteResult{Planned: 17, Added: 15, Failed: 2}, nil)

	f.env.ExecuteWorkflow(LdapSyncThenPush, LdapSyncThenPushInput{Directory: "corp-ldap"})

	if err := f.env.GetWorkflowError(); err != nil {
		t.Fatalf("LdapSyncThenPush error = %v, want nil", err)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeFailed}) {
		t.Errorf("upserted %s = %q, want [%s] when a push failed users", OutcomeKey.GetName(),
			got, OutcomeFailed)
	}
}

func TestLdapSyncThenPushSyncRefused(t *testing.T) {
	const reason = "the sync would remove or disable 40 of 170 users, more than the removal " +
		"guard of 10%; nothing was changed: sync with --confirm-removals to apply it"
	f := newSyncFixture(t)
	f.mockSteps(nil, temporal.NewNonRetryableApplicationError(reason, activities.ErrSyncRefused, nil))
	f.mockChild(PushSiteResult{}, nil)

	f.env.ExecuteWorkflow(LdapSyncThenPush, LdapSyncThenPushInput{Directory: "corp-ldap"})

	err := f.env.GetWorkflowError()
	if err == nil {
		t.Fatal("LdapSyncThenPush error = nil, want the refusal")
	}
	refusal, ok := findApplicationError(err, activities.ErrSyncRefused)
	if !ok {
		t.Fatalf("LdapSyncThenPush error = %v, want a %s error in its chain", err,
			activities.ErrSyncRefused)
	}
	if refusal.Message() != reason {
		t.Errorf("refusal message = %q, want %q", refusal.Message(), reason)
	}
	if !strings.Contains(err.Error(), "apply sync of directory corp-ldap") {
		t.Errorf("LdapSyncThenPush error = %q, want it to name the directory", err)
	}
	if got := f.calls.count("ApplySync"); got != 1 {
		t.Errorf("ApplySync attempts = %d, want 1 for a non-retryable refusal", got)
	}
	for _, name := range []string{"ApplyMoveRules", "ListSites"} {
		if got := f.calls.count(name); got != 0 {
			t.Errorf("%s calls = %d, want 0 after a refused sync", name, got)
		}
	}
	if got := len(f.childPushes()); got != 0 {
		t.Errorf("PushSite children = %d, want 0 after a refused sync", got)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeRefused}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeRefused)
	}
}

func TestLdapSyncThenPushDirectoryAuthFails(t *testing.T) {
	const reason = "directory corp-ldap: LDAP Result Code 49 \"Invalid Credentials\""
	f := newSyncFixture(t)
	f.mockSteps(temporal.NewNonRetryableApplicationError(reason, activities.ErrDirectoryAuth,
		errors.New("invalid credentials")), nil)
	f.mockChild(PushSiteResult{}, nil)

	f.env.ExecuteWorkflow(LdapSyncThenPush, LdapSyncThenPushInput{Directory: "corp-ldap"})

	err := f.env.GetWorkflowError()
	if err == nil {
		t.Fatal("LdapSyncThenPush error = nil, want the directory error")
	}
	authErr, ok := findApplicationError(err, activities.ErrDirectoryAuth)
	if !ok {
		t.Fatalf("LdapSyncThenPush error = %v, want a %s error in its chain", err,
			activities.ErrDirectoryAuth)
	}
	if authErr.Message() != reason {
		t.Errorf("directory error message = %q, want %q", authErr.Message(), reason)
	}
	if !strings.Contains(err.Error(), "read directory corp-ldap") {
		t.Errorf("LdapSyncThenPush error = %q, want it to name the directory", err)
	}
	if got := f.calls.count("StageDirectory"); got != 1 {
		t.Errorf("StageDirectory attempts = %d, want 1 for rejected credentials", got)
	}
	for _, name := range []string{"ApplySync", "ApplyMoveRules", "ListSites"} {
		if got := f.calls.count(name); got != 0 {
			t.Errorf("%s calls = %d, want 0 after the directory search failed", name, got)
		}
	}
	if got := len(f.childPushes()); got != 0 {
		t.Errorf("PushSite children = %d, want 0", got)
	}
	if got := f.attrs.values(OutcomeKey); !slices.Equal(got, []string{OutcomeFailed}) {
		t.Errorf("upserted %s = %q, want [%s]", OutcomeKey.GetName(), got, OutcomeFailed)
	}
}
