package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl/axlschema"
	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// londonAndParis returns people of two sites told apart by their telephone prefix, with
// names that need XML escaping and non-Latin scripts.
func londonAndParis() []person {
	return []person{
		{uid: "alice", given: "Alice", sn: "Smith & Sons", mail: "alice@example.com", phone: "+442071000001", department: "R&D"},
		{uid: "bob", given: "Bob", sn: "<O'Brien>", mail: "bob@example.com", phone: "+442071000002", department: "Sales"},
		{uid: "taro", given: "太郎", sn: "田中", mail: "taro@example.com", phone: "+442071000003", department: "Sales"},
		{uid: "zoe", given: "Zoë", sn: "Lefèvre", mail: "zoe@example.com", phone: "+33140000001", department: "Sales"},
		{uid: "dmitri", given: "Дмитрий", sn: "Иванов", mail: "dmitri@example.com", phone: "+33140000002", department: "R&D"},
	}
}

func TestSyncPushesOnlyAutoPushSite(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:off")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.moveByFilter("paris", "telephoneNumber=+331*")
	people := londonAndParis()
	s.addPeople(people...)

	result := s.mustSync()

	if result.Sync.Added != len(people) {
		t.Errorf("sync added %d users, want %d", result.Sync.Added, len(people))
	}
	london := siteResult(t, result, "london")
	if london.Moved != 3 || london.Push == nil || london.Push.Added != 3 {
		t.Errorf("london: moved %d, push %+v; want 3 moved and 3 added", london.Moved, london.Push)
	}
	paris := siteResult(t, result, "paris")
	if paris.Push != nil || !strings.Contains(paris.NotPushed, "auto push is off") {
		t.Errorf("paris: push %+v, note %q; want no push because auto push is off", paris.Push, paris.NotPushed)
	}

	simUsers := s.sim.Users()
	if len(simUsers) != 3 {
		t.Fatalf("simulator holds %d users, want the 3 of london: %+v", len(simUsers), simUsers)
	}
	for _, p := range people[:3] {
		u, ok := s.sim.User(p.uid)
		if !ok {
			t.Errorf("simulator lacks %s", p.uid)
			continue
		}
		if u.FirstName != p.given || u.LastName != p.sn || u.MailID != p.mail ||
			u.TelephoneNumber != p.phone || u.Department != p.department {
			t.Errorf("simulator user %s = %+v, want the LDAP entry %+v", p.uid, u, p)
		}
	}
	for _, p := range people[3:] {
		if _, ok := s.sim.User(p.uid); ok {
			t.Errorf("simulator holds %s of paris, whose auto push is off", p.uid)
		}
	}
}

func TestSyncRerunWritesNothing(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()
	writes := s.writes()

	result := s.mustSync()

	if got := s.writes(); got != writes {
		t.Errorf("second sync sent %d AXL writes, want 0", got-writes)
	}
	if result.Sync.Unchanged != 3 || result.Sync.Added != 0 || result.Sync.Updated != 0 {
		t.Errorf("second sync counts %+v, want 3 unchanged and nothing else", result.Sync)
	}
	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Planned != 0 || london.Push.Unchanged != 3 {
		t.Errorf("second push %+v, want nothing planned and 3 unchanged", london.Push)
	}
}

func TestSyncChangedEntryArrivesAsUpdate(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()
	before := s.sim.Stats().Requests

	s.modifyPerson("alice", "mail", "alice.smith@example.com")
	result := s.mustSync()

	if result.Sync.Updated != 1 {
		t.Errorf("sync updated %d users, want 1", result.Sync.Updated)
	}
	after := s.sim.Stats().Requests
	if got := after["updateUser"] - before["updateUser"]; got != 1 {
		t.Errorf("sync sent %d updateUser, want 1", got)
	}
	if got := after["addUser"] - before["addUser"]; got != 0 {
		t.Errorf("sync sent %d addUser for a changed user, want 0", got)
	}
	if u, _ := s.sim.User("alice"); u.MailID != "alice.smith@example.com" {
		t.Errorf("simulator mail of alice = %q, want the new address", u.MailID)
	}
}

func TestSyncMarksRemovedAndDisabledWithoutDeleting(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	var people []person
	for i := range 20 {
		people = append(people, person{uid: fmt.Sprintf("user%02d", i), given: "User", sn: fmt.Sprint(i),
			phone: fmt.Sprintf("+4420710000%02d", i)})
	}
	s.addPeople(people...)
	s.mustSync()

	s.deletePerson("user00")
	s.modifyPerson("user01", "employeeType", "disabled")
	result := s.mustSync()

	if result.Sync.Removed != 1 || result.Sync.Disabled != 1 {
		t.Errorf("sync counts %+v, want 1 removed and 1 disabled", result.Sync)
	}
	for uid, want := range map[string]string{"user00": "removed", "user01": "disabled", "user02": "active"} {
		users, err := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, UserID: uid})
		if err != nil || len(users) != 1 {
			t.Fatalf("look up %s: %v, %d users", uid, err, len(users))
		}
		if users[0].Status != want {
			t.Errorf("status of %s = %s, want %s", uid, users[0].Status, want)
		}
	}
	if n := s.sim.Stats().Requests["removeUser"]; n != 0 {
		t.Errorf("simulator received %d removeUser, want 0: ucmpush never deletes from UCM", n)
	}
	if len(s.sim.Users()) != 20 {
		t.Errorf("simulator holds %d users, want all 20", len(s.sim.Users()))
	}
}

func TestSyncEmptySearchRemovesNobody(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	for _, uid := range []string{"alice", "bob", "taro"} {
		s.deletePerson(uid)
	}
	_, err := s.sync(true)

	if err == nil || !strings.Contains(err.Error(), "nobody was marked removed") {
		t.Fatalf("sync of an empty directory: error %v, want a refusal saying nobody was marked removed", err)
	}
	users, err := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Status != "active" {
			t.Errorf("user %s is %s after a refused sync, want active", u.UserID, u.Status)
		}
	}
}

func TestSyncFarSmallerSearchNeedsConfirmation(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	people := londonAndParis()
	s.addPeople(people...)
	s.mustSync()

	s.deletePerson("alice")
	s.deletePerson("bob")
	_, err := s.sync(false)
	if err == nil || !strings.Contains(err.Error(), "--confirm-removals") {
		t.Fatalf("sync losing 40%% of users: error %v, want a refusal naming --confirm-removals", err)
	}
	if users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, UserID: "alice"}); len(users) != 1 || users[0].Status != "active" {
		t.Errorf("alice after a refused sync: %+v, want active", users)
	}

	result, err := s.sync(true)
	if err != nil {
		t.Fatalf("confirmed sync: %v", err)
	}
	if result.Sync.Removed != 2 {
		t.Errorf("confirmed sync removed %d users, want 2", result.Sync.Removed)
	}
}

func TestSyncFailedSearchChangesNothing(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	_, err := s.db.Pool().Exec(s.ctx, "UPDATE directories SET base_dn = 'ou=missing,' || base_dn")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.sync(true)

	if err == nil || !strings.Contains(err.Error(), "ou=missing") {
		t.Fatalf("sync of a missing base DN: error %v, want one naming the base DN", err)
	}
	users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer})
	for _, u := range users {
		if u.Status != "active" {
			t.Errorf("user %s is %s after a failed search, want active", u.UserID, u.Status)
		}
	}
}

func TestSyncFaultFailsOneUserOnly(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.sim.InjectFault("addUser", axlsim.InjectedFault{Code: 5000, Message: "Invalid value for lastName", Count: 1})

	result := s.mustSync()

	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Failed != 1 || london.Push.Added != 2 {
		t.Fatalf("push with one faulted addUser: %+v, want 1 failed and 2 added", london.Push)
	}
	if len(london.Push.Failures) != 1 || !strings.Contains(london.Push.Failures[0].Reason, "5000") {
		t.Errorf("failures %+v, want one naming axlcode 5000", london.Push.Failures)
	}

	retry := s.mustSync()
	if p := siteResult(t, retry, "london").Push; p == nil || p.Added != 1 || p.Failed != 0 {
		t.Errorf("next sync push %+v, want the failed user added", p)
	}
	if n := len(s.sim.Users()); n != 3 {
		t.Errorf("simulator holds %d users, want 3", n)
	}
}

func TestSyncWrongBindPasswordFails(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.addPeople(londonAndParis()[:1]...)
	_, err := s.db.Pool().Exec(s.ctx, "UPDATE directories SET bind_dn = 'cn=nobody,' || $1", os.Getenv("LDAP_BASE_DN"))
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.sync(false)

	if err == nil || !strings.Contains(err.Error(), "DirectoryAuthFailed") {
		t.Fatalf("sync with a wrong bind: error %v, want DirectoryAuthFailed", err)
	}
	if users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer}); len(users) != 0 {
		t.Errorf("failed sync stored %d users, want none", len(users))
	}
}

func TestSyncUnreachableUCMFailsItsUsers(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:2]...)
	_, err := s.db.Pool().Exec(s.ctx, "UPDATE clusters SET axl_url = 'https://127.0.0.1:1/axl/'")
	if err != nil {
		t.Fatal(err)
	}

	result := s.mustSync()

	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Failed != 2 || !strings.Contains(london.Push.Error, "unreachable") {
		t.Fatalf("push to a closed port: %+v, want 2 failed with an unreachable error", london.Push)
	}
	users, _ := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, Site: "london"})
	for _, u := range users {
		if u.PushStatus != "failed" || !strings.Contains(u.PushReason, "127.0.0.1:1") {
			t.Errorf("user %s push %s %q, want failed naming the AXL URL", u.UserID, u.PushStatus, u.PushReason)
		}
	}
}

func TestSyncSiteWithoutNDLIsReported(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	if _, err := s.db.SetSiteNDL(s.ctx, s.site("london"), ""); err != nil {
		t.Fatal(err)
	}
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:1]...)

	result := s.mustSync()

	london := siteResult(t, result, "london")
	if london.Push != nil || !strings.Contains(london.NotPushed, "no NDL") {
		t.Errorf("site without NDL: push %+v, note %q; want no push and a note about the NDL", london.Push, london.NotPushed)
	}
}

func TestSyncRequestsMatchCiscoSchema(t *testing.T) {
	if err := axlschema.Available(); err != nil {
		t.Skipf("AXL schema validation unavailable: %v", err)
	}
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()...)
	s.mustSync()
	s.modifyPerson("bob", "title", "Head of <Sales> & \"Support\"")
	s.mustSync()

	files, err := filepath.Glob(filepath.Join(s.recordDir(), "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("recorded requests: %v, %d files", err, len(files))
	}
	if err := axlschema.ValidateEnvelopes(files); err != nil {
		if errors.Is(err, axlschema.ErrUnavailable) {
			t.Skip(err)
		}
		t.Fatalf("recorded requests do not match the AXL schema: %v", err)
	}
}

func TestSyncRenameRenamesOnUCM(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:3]...)
	s.mustSync()

	rename := ldap.NewModifyDNRequest(s.dn("alice"), "uid=alice.smith", true, "")
	if err := s.ldap.ModifyDN(rename); err != nil {
		t.Fatalf("rename alice: %v", err)
	}
	before := s.sim.Stats().Requests
	result := s.mustSync()

	if result.Sync.Updated != 1 || result.Sync.Added != 0 {
		t.Errorf("sync after a rename: %+v, want 1 updated and none added", result.Sync)
	}
	after := s.sim.Stats().Requests
	if got := after["addUser"] - before["addUser"]; got != 0 {
		t.Errorf("rename sent %d addUser, want 0", got)
	}
	if _, ok := s.sim.User("alice"); ok {
		t.Error("simulator still holds alice under her old userid")
	}
	if u, ok := s.sim.User("alice.smith"); !ok || u.MailID != "alice@example.com" {
		t.Errorf("simulator user alice.smith = %+v, %v; want alice renamed", u, ok)
	}
	if n := len(s.sim.Users()); n != 3 {
		t.Errorf("simulator holds %d users, want 3", n)
	}
}

func TestPushRefusesAnotherCustomersUserid(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:1]...)
	s.mustSync()

	other := "other-" + s.suffix
	if _, err := s.db.CreateCustomer(s.ctx, other, ""); err != nil {
		t.Fatal(err)
	}
	hq := domain.SiteRef{Customer: other, Site: "hq"}
	if _, err := s.db.CreateSite(s.ctx, hq, "ndl-"+s.suffix, true); err != nil {
		t.Fatal(err)
	}
	mallory := domain.Attributes{UserID: "ALICE", FirstName: "Mallory", LastName: "Intruder"}
	var result workflows.TriggerResult
	err := s.run(workflows.UserCreatedWorkflowID(hq.String(), "ALICE"), workflows.UserCreated,
		workflows.UserCreatedInput{Site: hq.String(), Attributes: mallory}, &result)
	if err != nil {
		t.Fatalf("create ALICE for %s: %v", other, err)
	}

	push := siteResult(t, result, "hq").Push
	if push == nil || push.Failed != 1 || len(push.Failures) != 1 {
		t.Fatalf("push of another customer's userid: %+v, want 1 failed", push)
	}
	if want := "already on this UCM cluster for " + s.customer + "/alice"; !strings.Contains(push.Failures[0].Reason, want) {
		t.Errorf("reason %q lacks %q", push.Failures[0].Reason, want)
	}
	if u, _ := s.sim.User("alice"); u.FirstName != "Alice" {
		t.Errorf("simulator's alice has first name %q, want Alice untouched", u.FirstName)
	}
}
