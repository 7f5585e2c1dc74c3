package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// run starts a workflow on the test's task queue under id, with the conflict policy the CLI
// uses, and waits for its result.
func (s *stack) run(id string, workflow, input, result any) error {
	s.t.Helper()
	wr, err := s.start(id, workflow, input)
	if err != nil {
		return err
	}
	return wr.Get(s.ctx, result)
}

func (s *stack) start(id string, workflow, input any) (client.WorkflowRun, error) {
	opts := client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowExecutionTimeout: 5 * time.Minute,
	}
	return s.temporal.ExecuteWorkflow(s.ctx, opts, workflow, input)
}

// mustTrigger runs a trigger workflow that must succeed.
func (s *stack) mustTrigger(id string, workflow, input any) workflows.TriggerResult {
	s.t.Helper()
	var result workflows.TriggerResult
	if err := s.run(id, workflow, input, &result); err != nil {
		s.t.Fatalf("workflow %s: %v", id, err)
	}
	return result
}

func (s *stack) userState(uid string) store.UserView {
	s.t.Helper()
	users, err := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, UserID: uid})
	if err != nil || len(users) != 1 {
		s.t.Fatalf("look up user %s: %v, %d users", uid, err, len(users))
	}
	return users[0]
}

// addCluster adds a second UCM cluster on a simulator of its own, with an NDL naming it.
func (s *stack) addCluster(name string) *axlsim.Server {
	s.t.Helper()
	sim := axlsim.New(axlsim.Options{Username: axlUsername, Password: axlPassword})
	if _, err := sim.StartTLS("127.0.0.1:0"); err != nil {
		s.t.Fatalf("start simulator %s: %v", name, err)
	}
	s.t.Cleanup(func() { _ = sim.Close() })
	caFile := filepath.Join(s.t.TempDir(), name+".pem")
	writeFile(s.t, caFile, sim.CertificatePEM())
	_, err := s.db.CreateCluster(s.ctx, domain.Cluster{Name: name, AXLURL: sim.URL(),
		AXLVersion: "15.0", Username: axlUsername, PasswordRef: axlPasswordRef, CAFile: caFile,
		MaxInFlight: 4})
	if err != nil {
		s.t.Fatalf("create cluster %s: %v", name, err)
	}
	if _, err := s.db.CreateNDL(s.ctx, "ndl-"+name, name); err != nil {
		s.t.Fatalf("create NDL of %s: %v", name, err)
	}
	return sim
}

func TestMoveTriggerPushesOnlyMovedUsers(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:off")
	s.addPeople(londonAndParis()...)
	first := s.mustSync()
	if p := siteResult(t, first, "london").Push; p == nil || p.Planned != 0 {
		t.Fatalf("sync without rules pushed %+v, want nothing: users are at no site yet", p)
	}

	london := s.site("london").String()
	result := s.mustTrigger(workflows.MovedWorkflowID(london, "alice,bob"), workflows.UsersMoved,
		workflows.UsersMovedInput{Site: london, Kind: domain.MoveByUsernames, Usernames: []string{"alice", "BOB"}})

	got := siteResult(t, result, "london")
	if got.Moved != 2 || got.Push == nil || got.Push.Added != 2 {
		t.Fatalf("move to london: %+v push %+v, want 2 moved and 2 added", got, got.Push)
	}
	if n := len(s.sim.Users()); n != 2 {
		t.Errorf("simulator holds %d users, want the 2 moved", n)
	}

	paris := s.site("paris").String()
	result = s.mustTrigger(workflows.MovedWorkflowID(paris, "zoe"), workflows.UsersMoved,
		workflows.UsersMovedInput{Site: paris, Kind: domain.MoveByUsername, Usernames: []string{"zoe"}})
	got = siteResult(t, result, "paris")
	if got.Moved != 1 || got.Push != nil || !strings.Contains(got.NotPushed, "push by hand") {
		t.Errorf("move to paris with auto push off: %+v, want 1 moved, no push and how to push by hand", got)
	}
	if _, ok := s.sim.User("zoe"); ok {
		t.Error("simulator holds zoe, moved to a site whose auto push is off")
	}

	again := s.mustSync()
	if s.userState("zoe").Site != "paris" || siteResult(t, again, "london").Moved != 0 {
		t.Errorf("the next sync changed the operator's moves: zoe at %q", s.userState("zoe").Site)
	}
}

func TestSiteNDLChangedPushesEveryUser(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	if _, err := s.db.CreateNDL(s.ctx, "ndl-empty-"+s.suffix, ""); err != nil {
		t.Fatal(err)
	}
	london := s.site("london")
	if _, err := s.db.SetSiteNDL(s.ctx, london, "ndl-empty-"+s.suffix); err != nil {
		t.Fatal(err)
	}
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	sync := s.mustSync()
	if note := siteResult(t, sync, "london").NotPushed; !strings.Contains(note, "names no UCM") {
		t.Fatalf("site on an NDL without UCM: note %q, want it to say the NDL names no UCM", note)
	}

	ndl := "ndl-" + s.suffix
	result := s.mustTrigger(workflows.SiteNDLChangedWorkflowID(london.String(), ndl),
		workflows.SiteNDLChanged, workflows.SiteNDLChangedInput{Site: london.String(), NDL: ndl})

	if p := siteResult(t, result, "london").Push; p == nil || p.Added != 3 {
		t.Fatalf("NDL linked: push %+v, want 3 added", p)
	}
	again := s.mustTrigger(workflows.SiteNDLChangedWorkflowID(london.String(), ndl),
		workflows.SiteNDLChanged, workflows.SiteNDLChangedInput{Site: london.String(), NDL: ndl})
	if p := siteResult(t, again, "london").Push; p == nil || p.Planned != 0 {
		t.Errorf("same NDL linked again: push %+v, want nothing planned", p)
	}
}

func TestNDLGainingUCMPushesItsSites(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:off")
	empty := "ndl-empty-" + s.suffix
	if _, err := s.db.CreateNDL(s.ctx, empty, ""); err != nil {
		t.Fatal(err)
	}
	for _, site := range []string{"london", "paris"} {
		if _, err := s.db.SetSiteNDL(s.ctx, s.site(site), empty); err != nil {
			t.Fatal(err)
		}
	}
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.moveByFilter("paris", "telephoneNumber=+331*")
	s.addPeople(londonAndParis()...)
	s.mustSync()

	result := s.mustTrigger(workflows.NDLClusterChangedWorkflowID(empty, s.cluster),
		workflows.SiteNDLChanged, workflows.SiteNDLChangedInput{NDL: empty, Cluster: s.cluster})

	if p := siteResult(t, result, "london").Push; p == nil || p.Added != 3 {
		t.Errorf("london after its NDL gained a UCM: push %+v, want 3 added", p)
	}
	if paris := siteResult(t, result, "paris"); paris.Push != nil || !strings.Contains(paris.NotPushed, "auto push is off") {
		t.Errorf("paris with auto push off: %+v, want no push", paris)
	}
	if n := len(s.sim.Users()); n != 3 {
		t.Errorf("simulator holds %d users, want london's 3", n)
	}
}

func TestRemovedNDLDeletesNothing(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	london := s.site("london").String()
	result := s.mustTrigger(workflows.SiteNDLChangedWorkflowID(london, ""), workflows.SiteNDLChanged,
		workflows.SiteNDLChangedInput{Site: london, NDL: ""})

	if result.Unserved != 3 {
		t.Errorf("unlinking the NDL marked %d push states unserved, want 3", result.Unserved)
	}
	if u := s.userState("alice"); u.Site != "london" {
		t.Errorf("alice moved to %q, want still at london", u.Site)
	}
	var status, reason string
	err := s.db.Pool().QueryRow(s.ctx, `SELECT p.status, p.reason FROM push_states p
		JOIN users u ON u.id = p.user_id WHERE u.userid = 'alice'`).Scan(&status, &reason)
	if err != nil || status != "unserved" || !strings.Contains(reason, "nothing was deleted") {
		t.Errorf("alice's push state %q %q (%v), want unserved saying nothing was deleted", status, reason, err)
	}
	if n := s.sim.Stats().Requests["removeUser"]; n != 0 || len(s.sim.Users()) != 3 {
		t.Errorf("simulator: %d removeUser, %d users; want 0 and all 3 kept", n, len(s.sim.Users()))
	}
}

func TestMoveBetweenClustersSaysWhatIsLeft(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	other := s.addCluster("other-" + s.suffix)
	berlin := domain.SiteRef{Customer: s.customer, Site: "berlin"}
	if _, err := s.db.CreateSite(s.ctx, berlin, "ndl-other-"+s.suffix, true); err != nil {
		t.Fatal(err)
	}
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	result := s.mustTrigger(workflows.MovedWorkflowID(berlin.String(), "alice"), workflows.UsersMoved,
		workflows.UsersMovedInput{Site: berlin.String(), Kind: domain.MoveByUsername, Usernames: []string{"alice"}})

	got := siteResult(t, result, "berlin")
	if got.Push == nil || got.Push.Added != 1 || got.LeftOnOldCluster != 1 {
		t.Fatalf("alice moved to berlin: %+v push %+v, want 1 added on the new cluster and 1 left on the old", got, got.Push)
	}
	if _, ok := other.User("alice"); !ok {
		t.Error("berlin's cluster lacks alice")
	}
	if _, ok := s.sim.User("alice"); !ok {
		t.Error("london's cluster lost alice; moves never delete")
	}
	var reason string
	err := s.db.Pool().QueryRow(s.ctx, `SELECT p.reason FROM push_states p JOIN users u ON u.id = p.user_id
		JOIN clusters c ON c.id = p.cluster_id WHERE u.userid = 'alice' AND c.name = $1 AND p.status = 'unserved'`,
		s.cluster).Scan(&reason)
	if err != nil || !strings.Contains(reason, "still on this cluster") {
		t.Errorf("alice's state on the old cluster: %q (%v), want unserved saying she is still there", reason, err)
	}
}

func TestUserCreatedTrigger(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:off")
	london, paris := s.site("london").String(), s.site("paris").String()
	carol := domain.Attributes{UserID: "carol", FirstName: "Carol", LastName: "Ng", Mail: "carol@example.com"}

	result := s.mustTrigger(workflows.UserCreatedWorkflowID(london, "carol"), workflows.UserCreated,
		workflows.UserCreatedInput{Site: london, Attributes: carol})
	if p := siteResult(t, result, "london").Push; p == nil || p.Added != 1 {
		t.Fatalf("created at london: push %+v, want 1 added", p)
	}
	if u, ok := s.sim.User("carol"); !ok || u.MailID != carol.Mail {
		t.Errorf("simulator user carol = %+v, %v; want her with her mail", u, ok)
	}

	dave := domain.Attributes{UserID: "dave", LastName: "Ode"}
	result = s.mustTrigger(workflows.UserCreatedWorkflowID(paris, "dave"), workflows.UserCreated,
		workflows.UserCreatedInput{Site: paris, Attributes: dave})
	if got := siteResult(t, result, "paris"); got.Push != nil || !strings.Contains(got.NotPushed, "auto push is off") {
		t.Errorf("created at paris with auto push off: %+v, want no push", got)
	}

	var out workflows.TriggerResult
	err := s.run(workflows.UserCreatedWorkflowID(paris, "CAROL"), workflows.UserCreated,
		workflows.UserCreatedInput{Site: paris, Attributes: domain.Attributes{UserID: "CAROL", LastName: "X"}}, &out)
	if err == nil || !strings.Contains(err.Error(), "already has this userid") {
		t.Errorf("creating CAROL again: %v, want a conflict with carol", err)
	}
}

// A user added by hand meets the rules a directory user meets, and a userid outside ASCII
// works as a directory's does.
func TestUserCreatedChecksValuesAsSyncDoes(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	london := s.site("london").String()

	for _, bad := range []domain.Attributes{
		{UserID: "a b", LastName: "Space"},
		{UserID: "long", LastName: strings.Repeat("x", 500)},
		{UserID: "tab", LastName: "Tab", Title: "a\tb"},
	} {
		var out workflows.TriggerResult
		err := s.run(workflows.UserCreatedWorkflowID(london, bad.UserID), workflows.UserCreated,
			workflows.UserCreatedInput{Site: london, Attributes: bad}, &out)
		if err == nil || !strings.Contains(err.Error(), "invalid user") {
			t.Errorf("creating %+v: %v, want it rejected as an invalid user", bad, err)
		}
	}
	if users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer}); len(users) != 0 {
		t.Errorf("rejected users left %d users in the store, want none", len(users))
	}
	if n := s.writes(); n != 0 {
		t.Errorf("rejected users sent %d AXL writes, want none", n)
	}

	out := s.mustCLI("users", "add", london, "--userid", "nakamura.中村", "--first-name", "愛",
		"--last-name", "中村", "--wait")
	checkOutput(t, "users add nakamura.中村", out,
		"workflow "+workflows.UserCreatedWorkflowID(london, "nakamura.中村"))
	if u, ok := s.sim.User("nakamura.中村"); !ok || u.LastName != "中村" {
		t.Errorf("simulator user nakamura.中村 = %+v (found %v), want the last name 中村", u, ok)
	}
}

func TestMoveNamesUnknownUsernames(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()
	paris := s.site("paris").String()
	want := "No user of the customer has the userids nobody.here, ghost."

	out := s.mustCLI("users", "move", paris, "--usernames", "alice,nobody.here,ghost", "--dry-run")
	checkOutput(t, "users move --dry-run", out, want)

	out = s.mustCLI("users", "move", paris, "--usernames", "alice,nobody.here,ghost", "--wait")
	checkOutput(t, "users move", out, want)
	if u := s.userState("alice"); u.Site != "paris" {
		t.Errorf("alice at %q, want paris: the known username must still move", u.Site)
	}

	out = s.mustCLI("users", "move", paris, "--username", "BOB", "--wait")
	if strings.Contains(out, "No user of the customer has the userid") {
		t.Errorf("users move of BOB (bob in another case) warns of an unknown userid:\n%s", out)
	}
}

func TestUCMSourceIsNeverPushedAndLinks(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	for _, u := range []axl.User{
		{UserID: "onlyonucm", FirstName: "Only", LastName: "Ucm"},
		{UserID: "Alice", FirstName: "Alice", LastName: "Smith & Sons", MailID: "old@example.com",
			TelephoneNumber: "+442071000001", Department: "R&D"},
	} {
		if _, err := s.sim.PutUser(u); err != nil {
			t.Fatal(err)
		}
	}
	london := s.site("london").String()

	var imported struct{ Read, Imported, Linked int }
	err := s.run(workflows.UCMImportWorkflowID(s.cluster, s.customer), workflows.UCMImport,
		workflows.UCMImportInput{Cluster: s.cluster, Customer: s.customer, Site: london}, &imported)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if imported.Read != 2 || imported.Imported != 2 {
		t.Errorf("import read %d and imported %d, want 2 and 2", imported.Read, imported.Imported)
	}

	s.addPeople(londonAndParis()[:3]...)
	before := s.sim.Stats().Requests
	result := s.mustSync()

	after := s.sim.Stats().Requests
	if got := after["addUser"] - before["addUser"]; got != 2 {
		t.Errorf("sync sent %d addUser, want 2 (bob and taro; alice is linked)", got)
	}
	if got := after["updateUser"] - before["updateUser"]; got != 1 {
		t.Errorf("sync sent %d updateUser, want 1 for alice's new mail", got)
	}
	if u, _ := s.sim.User("alice"); u.MailID != "alice@example.com" {
		t.Errorf("alice's mail on UCM = %q, want the directory's", u.MailID)
	}
	if u := s.userState("alice"); u.Source != "ldap" {
		t.Errorf("alice's source = %s, want ldap: the directory user took over the imported one", u.Source)
	}
	if u := s.userState("onlyonucm"); u.Source != "ucm" || u.PushStatus != "" {
		t.Errorf("onlyonucm: source %s push %q, want source ucm and never pushed", u.Source, u.PushStatus)
	}
	if p := siteResult(t, result, "london").Push; p == nil || p.Skipped != 1 {
		t.Errorf("london push %+v, want the ucm user skipped", p)
	}
	users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, UserID: "alice"})
	if len(users) != 1 {
		t.Errorf("store has %d users called alice, want 1", len(users))
	}
}

func TestNodePushListsUsersWithoutSite(t *testing.T) {
	s := newStack(t)
	s.configure("london:off", "paris:off")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()...)
	s.mustSync()

	result := s.mustTrigger(workflows.NodePushWorkflowID(s.customer), workflows.NodePush,
		workflows.NodePushInput{Customer: s.customer})

	if p := siteResult(t, result, "london").Push; p == nil || p.Added != 3 {
		t.Errorf("node push of london with auto push off: %+v, want 3 added", p)
	}
	if result.UsersWithoutSite != 2 {
		t.Errorf("node push counted %d users without a site, want 2 (zoe and dmitri)", result.UsersWithoutSite)
	}
}

func TestTriggerFiredTwiceAtOncePushesOnce(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	empty := "ndl-empty-" + s.suffix
	if _, err := s.db.CreateNDL(s.ctx, empty, ""); err != nil {
		t.Fatal(err)
	}
	london := s.site("london")
	if _, err := s.db.SetSiteNDL(s.ctx, london, empty); err != nil {
		t.Fatal(err)
	}
	s.bulkUsers("london", 300)

	id := workflows.NDLClusterChangedWorkflowID(empty, s.cluster)
	input := workflows.SiteNDLChangedInput{NDL: empty, Cluster: s.cluster}
	var wg sync.WaitGroup
	runIDs := make([]string, 2)
	for i := range runIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := s.start(id, workflows.SiteNDLChanged, input)
			if err != nil {
				t.Errorf("start %d: %v", i, err)
				return
			}
			runIDs[i] = run.GetRunID()
			var result workflows.TriggerResult
			if err := run.Get(s.ctx, &result); err != nil {
				t.Errorf("trigger %d: %v", i, err)
			}
		}()
	}
	wg.Wait()

	if runIDs[0] != runIDs[1] {
		t.Errorf("the same trigger fired twice ran twice: runs %s and %s", runIDs[0], runIDs[1])
	}
	if got := s.sim.Stats().Requests["addUser"]; got != 300 {
		t.Errorf("simulator received %d addUser, want 300, one per user", got)
	}
}

func TestSiteNDLChangedPushes5000ThrottledUsersOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000-user push: skipped with -short")
	}
	s := newStack(t)
	s.sim.Close()
	// Four lanes against a simulator that takes two requests of 1 ms at once: UCM's throttle
	// answers 503 however fast or slow the machine runs the test.
	s.sim = axlsim.New(axlsim.Options{Username: axlUsername, Password: axlPassword, MaxInFlight: 2,
		Latency: time.Millisecond})
	if _, err := s.sim.StartTLS("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.sim.Close() })
	writeFile(t, s.simCAFile, s.sim.CertificatePEM())
	s.configure("london:on")
	empty := "ndl-empty-" + s.suffix
	if _, err := s.db.CreateNDL(s.ctx, empty, ""); err != nil {
		t.Fatal(err)
	}
	london := s.site("london")
	if _, err := s.db.SetSiteNDL(s.ctx, london, empty); err != nil {
		t.Fatal(err)
	}
	s.bulkUsers("london", 5000)

	result := s.mustTrigger(workflows.NDLClusterChangedWorkflowID(empty, s.cluster),
		workflows.SiteNDLChanged, workflows.SiteNDLChangedInput{NDL: empty, Cluster: s.cluster})

	p := siteResult(t, result, "london").Push
	if p == nil || p.Added != 5000 || p.Failed != 0 {
		t.Fatalf("push of 5,000 users: %+v, want 5000 added and none failed", p)
	}
	stats := s.sim.Stats()
	if stats.Writes != 5000 || len(s.sim.Users()) != 5000 {
		t.Errorf("simulator: %d writes, %d users; want 5000 and 5000, each user once", stats.Writes, len(s.sim.Users()))
	}
	if stats.Throttled == 0 {
		t.Errorf("simulator throttled no write; the test must exercise the throttle")
	}
	t.Logf("5,000 users pushed with %d throttled writes retried", stats.Throttled)
}

// bulkUsers inserts n manual users at the site in one statement.
func (s *stack) bulkUsers(site string, n int) {
	s.t.Helper()
	ref, err := s.db.Site(s.ctx, s.site(site))
	if err != nil {
		s.t.Fatal(err)
	}
	userids, hashes := make([]string, n), make([]string, n)
	for i := range n {
		userids[i] = fmt.Sprintf("bulk%05d", i)
		hashes[i] = domain.Attributes{UserID: userids[i], LastName: "Bulk"}.Hash()
	}
	_, err = s.db.Pool().Exec(s.ctx, `INSERT INTO users (customer_id, site_id, source, userid, last_name, attrs_hash)
		SELECT $1, $2, 'manual', u, 'Bulk', h FROM unnest($3::text[], $4::text[]) AS x(u, h)`,
		ref.CustomerID, ref.ID, userids, hashes)
	if err != nil {
		s.t.Fatalf("insert %d users: %v", n, err)
	}
}
