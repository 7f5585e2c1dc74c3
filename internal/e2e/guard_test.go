package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

func TestPushWaitsForConfirmation(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	if _, err := s.db.SetSiteConfirmAbove(s.ctx, s.site("london"), 2); err != nil {
		t.Fatal(err)
	}
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)

	done := make(chan workflows.LdapSyncThenPushResult, 1)
	go func() {
		result, err := s.sync(false)
		if err != nil {
			t.Errorf("sync: %v", err)
		}
		done <- result
	}()

	child := s.awaitConfirmationRequest()
	if n := s.sim.Stats().Writes; n != 0 {
		t.Fatalf("simulator received %d writes before the confirmation, want 0", n)
	}
	out := s.mustCLI("push", "confirm", child)
	if !strings.Contains(out, "Confirmed push") {
		t.Errorf("push confirm output: %s", out)
	}

	result := <-done
	if p := siteResult(t, result, "london").Push; p == nil || p.Added != 3 {
		t.Errorf("confirmed push %+v, want 3 added", p)
	}
	if _, _, err := s.cli("push", "confirm", child); err == nil {
		t.Error("confirming a finished push succeeded")
	}
}

// awaitConfirmationRequest waits until the test's london push asks for confirmation and
// returns its workflow ID.
func (s *stack) awaitConfirmationRequest() string {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var children []string
		if value, err := s.temporal.QueryWorkflow(s.ctx, workflows.SyncWorkflowID(s.directory), "",
			workflows.QueryPushes); err == nil && value.Get(&children) == nil {
			for _, child := range children {
				var p workflows.Progress
				value, err := s.temporal.QueryWorkflow(s.ctx, child, "", workflows.QueryProgress)
				if err == nil && value.Get(&p) == nil && p.AwaitingConfirmation {
					return child
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.t.Fatal("no push asked for confirmation within a minute")
	return ""
}

func TestUnconfirmedPushWritesNothing(t *testing.T) {
	s := newStack(t)
	s.configure("london:off")
	london, err := s.db.SetSiteConfirmAbove(s.ctx, s.site("london"), 1)
	if err != nil {
		t.Fatal(err)
	}
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	var result workflows.PushSiteResult
	err = s.run(workflows.SitePushWorkflowID(london.Ref().String(), workflows.TriggerManual, ""),
		workflows.PushSite, workflows.PushSiteInput{SiteID: london.ID, Site: london.Ref().String(),
			Trigger: workflows.TriggerManual, All: true, ConfirmTimeout: time.Second}, &result)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(result.Error, "nothing was written") || result.Added != 0 {
		t.Errorf("unconfirmed push %+v, want an error saying nothing was written", result)
	}
	if n := s.sim.Stats().Writes; n != 0 {
		t.Errorf("simulator received %d writes from an unconfirmed push, want 0", n)
	}
}

func TestDryRunsWriteNothing(t *testing.T) {
	s := newStack(t)
	s.configure("london:off")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)

	out := s.mustCLI("sync", s.directory, "--dry-run")
	if !strings.Contains(out, "Dry run, no user changed: the sync would add 3") {
		t.Errorf("sync --dry-run output:\n%s", out)
	}
	if users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer}); len(users) != 0 {
		t.Fatalf("a dry-run sync stored %d users, want none", len(users))
	}

	s.mustSync()
	// A dry run waits for its result without --wait, under an ID of its own.
	out = s.mustCLI("push", "site", s.customer+"/london", "--dry-run")
	checkOutput(t, "push site --dry-run", out, "workflow dry-run/", "nothing written",
		"3 would be added", "add alice")
	out = s.mustCLI("push", "customer", s.customer, "--dry-run")
	checkOutput(t, "push customer --dry-run", out, "workflow dry-run/",
		"Dry run, nothing was written: push every user of "+s.customer,
		"of 3 planned users, 3 would be added", "  add alice\n")
	out = s.mustCLI("push", "retry", "--customer", s.customer, "--userid", "alice", "--dry-run")
	checkOutput(t, "push retry --dry-run", out, "workflow dry-run/", "nothing written",
		"1 would be added", "add alice")
	if n := s.sim.Stats().Writes; n != 0 {
		t.Errorf("simulator received %d writes from dry runs, want 0", n)
	}
	var plans int
	err := s.db.Pool().QueryRow(s.ctx, "SELECT count(*) FROM push_plans").Scan(&plans)
	if err != nil || plans != 0 {
		t.Errorf("the dry run left %d push plans (%v), want none", plans, err)
	}
	if u := s.userState("alice"); u.PushStatus != "" {
		t.Errorf("alice's push state after dry runs = %q, want none", u.PushStatus)
	}
}
