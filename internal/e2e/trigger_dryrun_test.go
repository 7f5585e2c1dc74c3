package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/converter"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/workflows"
)

// storeDigest returns a digest of the rows of every table of the test's database but
// cluster_slots, whose in-flight leases every UCM read takes and releases, dry runs included.
func (s *stack) storeDigest() map[string]string {
	s.t.Helper()
	rows, _ := s.db.Pool().Query(s.ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'cluster_slots'`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		s.t.Fatalf("list tables: %v", err)
	}
	digests := map[string]string{}
	for _, table := range tables {
		var digest string
		err := s.db.Pool().QueryRow(s.ctx, fmt.Sprintf(`SELECT count(*) || ' rows, md5 ' ||
			coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t`,
			pgx.Identifier{table}.Sanitize())).Scan(&digest)
		if err != nil {
			s.t.Fatalf("digest table %s: %v", table, err)
		}
		digests[table] = digest
	}
	return digests
}

// checkStoreUnchanged fails the test for every table whose rows differ from before.
func (s *stack) checkStoreUnchanged(what string, before map[string]string) {
	s.t.Helper()
	after := s.storeDigest()
	for table, was := range before {
		if after[table] != was {
			s.t.Errorf("%s changed table %s: %s before, %s after", what, table, was, after[table])
		}
	}
}

// outcomeOf returns the UcmpushOutcome search attribute of the latest run of a workflow.
func (s *stack) outcomeOf(workflowID string) string {
	s.t.Helper()
	desc, err := s.temporal.DescribeWorkflowExecution(s.ctx, workflowID, "")
	if err != nil {
		s.t.Fatalf("describe workflow %s: %v", workflowID, err)
	}
	payload := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()[workflows.OutcomeKey.GetName()]
	var outcome string
	if payload == nil || converter.GetDefaultDataConverter().FromPayload(payload, &outcome) != nil {
		s.t.Fatalf("workflow %s has no readable %s", workflowID, workflows.OutcomeKey.GetName())
	}
	return outcome
}

// checkOutput fails the test for every wanted text that out lacks.
func checkOutput(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("%s output lacks %q:\n%s", what, want, out)
		}
	}
}

// addServedSite adds a site of the test's customer on the NDL of a cluster that addCluster
// made, with auto push on and no confirmation guard.
func (s *stack) addServedSite(name, cluster string) {
	s.t.Helper()
	ref := s.site(name)
	if _, err := s.db.CreateSite(s.ctx, ref, "ndl-"+cluster, true); err != nil {
		s.t.Fatalf("create site %s: %v", ref, err)
	}
	if _, err := s.db.SetSiteConfirmAbove(s.ctx, ref, 0); err != nil {
		s.t.Fatalf("turn off the confirmation guard of %s: %v", ref, err)
	}
}

func TestUsersMoveDryRunThenReal(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	// berlin is on a second cluster, which holds bob with another first name and taro as he
	// is in the store.
	other := "ucm2-" + s.suffix
	sim2 := s.addCluster(other)
	s.addServedSite("berlin", other)
	for _, u := range []axl.User{
		{UserID: "bob", FirstName: "Robert", LastName: "<O'Brien>", MailID: "bob@example.com",
			TelephoneNumber: "+442071000002", Department: "Sales"},
		{UserID: "taro", FirstName: "太郎", LastName: "田中", MailID: "taro@example.com",
			TelephoneNumber: "+442071000003", Department: "Sales"},
	} {
		if _, err := sim2.PutUser(u); err != nil {
			t.Fatalf("put %s on %s: %v", u.UserID, other, err)
		}
	}
	writesBefore := s.writes()
	before := s.storeDigest()
	berlin := s.site("berlin").String()

	out := s.mustCLI("users", "move", berlin, "--usernames", "alice,bob,taro", "--dry-run")

	dryID := workflows.DryRunWorkflowID(workflows.MovedWorkflowID(berlin, "|alice,bob,taro"))
	checkOutput(t, "users move --dry-run", out,
		"workflow "+dryID,
		"Dry run, nothing was written: move alice, bob, taro to "+berlin,
		"3 moved users would stay on their old cluster",
		"of 3 planned users, 1 would be added, 1 updated, 1 left unchanged, 0 refused",
		"  add alice\n",
		"  update bob: firstName=Bob\n",
		"  unchanged taro\n")
	if n := sim2.Stats().Writes; n != 0 {
		t.Errorf("cluster %s received %d writes from the dry run, want 0", other, n)
	}
	if n := s.writes(); n != writesBefore {
		t.Errorf("cluster %s received %d writes from the dry run, want 0", s.cluster, n-writesBefore)
	}
	s.checkStoreUnchanged("users move --dry-run", before)
	if got := s.outcomeOf(dryID); got != workflows.OutcomeDryRun {
		t.Errorf("dry run's outcome %q, want %q", got, workflows.OutcomeDryRun)
	}
	if u := s.userState("alice"); u.Site != "london" {
		t.Errorf("alice at %q after the dry run, want still at london", u.Site)
	}

	out = s.mustCLI("users", "move", berlin, "--usernames", "alice,bob,taro", "--wait")

	checkOutput(t, "users move", out, "Done: move alice, bob, taro to "+berlin,
		"3 moved users stay on their old cluster")
	stats := sim2.Stats()
	if stats.Requests["addUser"] != 1 || stats.Requests["updateUser"] != 1 || stats.Writes != 2 {
		t.Errorf("cluster %s got %d adds, %d updates, %d writes; want what the dry run said: "+
			"alice added, bob updated, taro left", other, stats.Requests["addUser"],
			stats.Requests["updateUser"], stats.Writes)
	}
	if u, ok := sim2.User("bob"); !ok || u.FirstName != "Bob" {
		t.Errorf("bob on %s: %+v, want first name Bob", other, u)
	}
	if u := s.userState("alice"); u.Site != "berlin" {
		t.Errorf("alice at %q after the real move, want berlin", u.Site)
	}
}

func TestNDLSetDryRunThenReal(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:off")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.moveByFilter("paris", "telephoneNumber=+331*")
	s.addPeople(londonAndParis()...)
	s.mustSync()

	other := "ucm2-" + s.suffix
	sim2 := s.addCluster(other)
	ndl := "ndl-" + s.suffix
	writesBefore := s.writes()
	before := s.storeDigest()

	out := s.mustCLI("ndl", "set", ndl, "--cluster", other, "--dry-run", "-o", "table")

	dryID := workflows.DryRunWorkflowID(workflows.NDLClusterChangedWorkflowID(ndl, other))
	checkOutput(t, "ndl set --dry-run", out,
		"workflow "+dryID,
		"Dry run, nothing was written: make NDL "+ndl+" name UCM cluster "+other,
		"3 users would stay on a UCM cluster that no longer serves their site",
		"of 3 planned users, 3 would be added, 0 updated, 0 left unchanged, 0 refused",
		"  add alice\n", "  add bob\n", "  add taro\n",
		"auto push is off")
	if strings.Contains(out, "add zoe") || strings.Contains(out, "add dmitri") {
		t.Errorf("ndl set --dry-run plans paris's users, whose auto push is off:\n%s", out)
	}
	if n := sim2.Stats().Writes; n != 0 {
		t.Errorf("cluster %s received %d writes from the dry run, want 0", other, n)
	}
	if n := s.writes(); n != writesBefore {
		t.Errorf("cluster %s received %d writes from the dry run, want 0", s.cluster, n-writesBefore)
	}
	s.checkStoreUnchanged("ndl set --dry-run", before)
	if n, err := s.db.NDL(s.ctx, ndl); err != nil || n.Cluster != s.cluster {
		t.Errorf("NDL %s names %q after the dry run (%v), want still %s", ndl, n.Cluster, err, s.cluster)
	}
	if got := s.outcomeOf(dryID); got != workflows.OutcomeDryRun {
		t.Errorf("dry run's outcome %q, want %q", got, workflows.OutcomeDryRun)
	}

	out = s.mustCLI("ndl", "set", ndl, "--cluster", other, "--wait")

	checkOutput(t, "ndl set", out, "Done: make NDL "+ndl+" name UCM cluster "+other,
		"3 users stay on a UCM cluster that no longer serves their site")
	if stats := sim2.Stats(); stats.Requests["addUser"] != 3 || stats.Writes != 3 {
		t.Errorf("cluster %s got %d adds and %d writes, want the dry run's 3 adds", other,
			stats.Requests["addUser"], stats.Writes)
	}
	for _, uid := range []string{"alice", "bob", "taro"} {
		if _, ok := sim2.User(uid); !ok {
			t.Errorf("cluster %s lacks %s after the real change", other, uid)
		}
	}
}

func TestTriggerDryRunRejectsBadInput(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	before := s.storeDigest()

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"users", "move", s.customer + "/nowhere", "--username", "alice", "--dry-run"}, "not found"},
		{[]string{"ndl", "set", "ndl-missing", "--cluster", s.cluster, "--dry-run"}, "not found"},
		{[]string{"users", "add", s.customer + "/london", "--userid", "a/b", "--last-name", "X",
			"--dry-run"}, "invalid --userid"},
		{[]string{"site", "set", s.customer + "/london", "--ndl", "ndl-" + s.suffix, "--auto-push=off",
			"--dry-run"}, "--ndl alone"},
	}
	for _, c := range cases {
		_, _, err := s.cli(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ucmpush %s: error %v, want one containing %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	s.checkStoreUnchanged("rejected dry runs", before)

	// A userid the customer has already is rejected by the dry run as by the real run.
	if _, err := s.db.CreateManualUser(s.ctx, s.site("london"), domain.Attributes{UserID: "dana",
		LastName: "Ek"}, "seed"); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.cli("users", "add", s.customer+"/london", "--userid", "DANA", "--last-name", "Ek",
		"--dry-run")
	if err == nil || !strings.Contains(err.Error(), "already has this userid") {
		t.Errorf("users add --dry-run of a taken userid: error %v, want it named as taken", err)
	}
}

func TestUsersAddDryRunThenReal(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	writesBefore := s.writes()
	before := s.storeDigest()
	london := s.site("london").String()
	args := []string{"users", "add", london, "--userid", "newbie", "--first-name", "Ünal",
		"--last-name", "O'Neil & Co"}

	out := s.mustCLI(append(args, "--dry-run")...)

	checkOutput(t, "users add --dry-run", out,
		"Dry run, nothing was written",
		"of 1 planned users, 1 would be added, 0 updated, 0 left unchanged, 0 refused",
		"  add newbie\n")
	if n := s.writes(); n != writesBefore {
		t.Errorf("cluster %s received %d writes from the dry run, want 0", s.cluster, n-writesBefore)
	}
	if _, ok := s.sim.User("newbie"); ok {
		t.Errorf("cluster %s holds newbie after the dry run", s.cluster)
	}
	s.checkStoreUnchanged("users add --dry-run", before)

	out = s.mustCLI(append(args, "--wait")...)

	checkOutput(t, "users add", out, "Done")
	if n := s.writes() - writesBefore; n != 1 {
		t.Errorf("cluster %s received %d writes from the real run, want the dry run's 1 add",
			s.cluster, n)
	}
	if u, ok := s.sim.User("newbie"); !ok || u.FirstName != "Ünal" || u.LastName != "O'Neil & Co" {
		t.Errorf("newbie on %s: %+v (found %v), want the names as given", s.cluster, u, ok)
	}
}

func TestSiteSetNDLDryRunThenReal(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	// The second cluster holds bob already, as the store has him.
	other := "ucm2-" + s.suffix
	sim2 := s.addCluster(other)
	if _, err := sim2.PutUser(axl.User{UserID: "bob", FirstName: "Bob", LastName: "<O'Brien>",
		MailID: "bob@example.com", TelephoneNumber: "+442071000002", Department: "Sales"}); err != nil {
		t.Fatalf("put bob on %s: %v", other, err)
	}
	writesBefore := sim2.Stats().Writes
	before := s.storeDigest()
	london := s.site("london").String()

	out := s.mustCLI("site", "set", london, "--ndl", "ndl-"+other, "--dry-run")

	checkOutput(t, "site set --ndl --dry-run", out,
		"Dry run, nothing was written: link site "+london+" to NDL ndl-"+other,
		"3 users would stay on a UCM cluster that no longer serves their site",
		"of 3 planned users, 2 would be added, 0 updated, 1 left unchanged, 0 refused",
		"  add alice\n", "  unchanged bob\n", "  add taro\n")
	if n := sim2.Stats().Writes - writesBefore; n != 0 {
		t.Errorf("cluster %s received %d writes from the dry run, want 0", other, n)
	}
	s.checkStoreUnchanged("site set --ndl --dry-run", before)
	site, err := s.db.Site(s.ctx, s.site("london"))
	if err != nil {
		t.Fatal(err)
	}
	if site.NDL != "ndl-"+s.suffix {
		t.Errorf("london on NDL %q after the dry run, want still ndl-%s", site.NDL, s.suffix)
	}

	out = s.mustCLI("site", "set", london, "--ndl", "ndl-"+other, "--wait")

	checkOutput(t, "site set --ndl", out, "Done")
	stats := sim2.Stats()
	if stats.Requests["addUser"] != 2 || stats.Writes-writesBefore != 2 {
		t.Errorf("cluster %s got %d adds and %d writes, want the dry run's 2 adds", other,
			stats.Requests["addUser"], stats.Writes-writesBefore)
	}
}
