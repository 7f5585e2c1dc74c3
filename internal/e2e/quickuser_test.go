package e2e

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axl/axlschema"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// quickStack returns a stack with site london (auto push off, so only Quick User writes to
// UCM), its Quick User defaults, and store users alice, bob and carol at the site.
func quickStack(t *testing.T) *stack {
	s := newStack(t)
	s.configure("london:off")
	s.mustCLI("site", "defaults", "set", s.site("london").String(), "--device-pool", "DP_London",
		"--partition", "Internal_PT", "--css", "CSS_London", "--phone-template", "Standard 8841 SIP",
		"--number-range", "4000-4999")
	for _, a := range []domain.Attributes{
		{UserID: "alice", FirstName: "Alice", LastName: "Smith", Mail: "alice@example.com",
			TelephoneNumber: "+442071000001"},
		{UserID: "bob", FirstName: "Bob", LastName: "Jones", TelephoneNumber: "+442071000002"},
		{UserID: "carol", FirstName: "Carol", LastName: "Store", TelephoneNumber: "+442071000003"},
	} {
		if _, err := s.db.CreateManualUser(s.ctx, s.site("london"), a, ""); err != nil {
			t.Fatalf("create user %s: %v", a.UserID, err)
		}
	}
	return s
}

// quickUser runs `ucmpush quick-user` on london with args and returns its output and error.
func (s *stack) quickUser(userid string, args ...string) (string, error) {
	s.t.Helper()
	out, errOut, err := s.cli(append([]string{"quick-user", s.site("london").String(), userid}, args...)...)
	return out + errOut, err
}

// quickUserJSON runs a Quick User with -o json and --wait, and returns its result.
func (s *stack) quickUserJSON(userid string, args ...string) (workflows.ManualQuickUserPushResult, error) {
	s.t.Helper()
	out, errOut, err := s.cli(append([]string{"-o", "json", "quick-user", s.site("london").String(),
		userid, "--wait"}, args...)...)
	var result workflows.ManualQuickUserPushResult
	if jsonErr := json.Unmarshal([]byte(out), &result); jsonErr != nil {
		s.t.Fatalf("quick-user output is not a JSON result: %v\n%s%s", jsonErr, out, errOut)
	}
	return result, err
}

// axlClient returns a client of the test's simulator, for changes made "by hand" on UCM.
func (s *stack) axlClient() *axl.Client {
	s.t.Helper()
	c, err := axl.New(axl.Config{URL: s.sim.URL(), Version: "14.0", Username: axlUsername,
		Password: axlPassword, CAFile: s.simCAFile})
	if err != nil {
		s.t.Fatalf("AXL client of the simulator: %v", err)
	}
	return c
}

// checkRecordedRequests validates every request the simulator recorded against Cisco's
// schema, skipping when the schema or xmllint is missing.
func checkRecordedRequests(t *testing.T, s *stack) {
	t.Helper()
	if err := axlschema.Available(); err != nil {
		t.Logf("AXL schema validation skipped: %v", err)
		return
	}
	files, err := filepath.Glob(filepath.Join(s.recordDir(), "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("recorded requests: %v, %d files", err, len(files))
	}
	if err := axlschema.ValidateEnvelopes(files); err != nil && !errors.Is(err, axlschema.ErrUnavailable) {
		t.Errorf("recorded requests do not match the AXL schema: %v", err)
	}
}

func stepStatus(r workflows.ManualQuickUserPushResult) map[string]string {
	status := map[string]string{}
	for _, step := range r.Steps {
		status[step.Name] = step.Status
	}
	return status
}

func TestQuickUserProvisionsDeskPhoneAndJabber(t *testing.T) {
	s := quickStack(t)

	out, err := s.quickUser("alice", "--phone-type", "8841", "--mac", "00:11:22:33:44:55", "--jabber",
		"--extension-mobility", "--single-number-reach", "+447700900123", "--voicemail", "--wait")
	if err != nil {
		t.Fatalf("quick-user alice: %v\n%s", err, out)
	}

	for _, want := range []string{"succeeded", "SEP001122334455", "CSFALICE", "4000 in Internal_PT"} {
		if !strings.Contains(out, want) {
			t.Errorf("quick-user output lacks %q:\n%s", want, out)
		}
	}
	u, ok := s.sim.User("alice")
	if !ok {
		t.Fatal("simulator lacks alice")
	}
	if want := []string{"SEP001122334455", "CSFALICE"}; !slices.Equal(u.AssociatedDevices, want) {
		t.Errorf("associated devices %v, want %v", u.AssociatedDevices, want)
	}
	if u.PrimaryExtension == nil || u.PrimaryExtension.Pattern != "4000" ||
		u.PrimaryExtension.RoutePartitionName != "Internal_PT" {
		t.Errorf("primary extension %+v, want 4000 in Internal_PT", u.PrimaryExtension)
	}
	if !slices.Equal(u.PhoneProfiles, []string{"UDP_alice"}) || u.DefaultProfile != "UDP_alice" {
		t.Errorf("profiles %v, default %q; want UDP_alice for both", u.PhoneProfiles, u.DefaultProfile)
	}
	for name, flag := range map[string]*bool{"homeCluster": u.HomeCluster,
		"imAndPresenceEnable": u.IMAndPresenceEnable, "enableMobility": u.EnableMobility} {
		if flag == nil || !*flag {
			t.Errorf("alice's %s is off, want on", name)
		}
	}
	checkQuickUserDevices(t, s)
	checkQuickUserStore(t, s)
	checkRecordedRequests(t, s)
}

// checkQuickUserDevices checks alice's phones, profile and single number reach on UCM.
func checkQuickUserDevices(t *testing.T, s *stack) {
	t.Helper()
	phones := map[string]axl.Phone{}
	for _, p := range s.sim.Phones() {
		phones[p.Name] = p
	}
	desk, jabber := phones["SEP001122334455"], phones["CSFALICE"]
	if desk.Product != "Cisco 8841" || desk.OwnerUserName != "alice" || desk.DevicePoolName != "DP_London" ||
		desk.PhoneTemplateName != "Standard 8841 SIP" || desk.CallingSearchSpaceName != "CSS_London" {
		t.Errorf("desk phone %+v, want a Cisco 8841 of alice with the site's pool, template and CSS", desk)
	}
	if jabber.Product != axl.ProductJabberDesktop || jabber.OwnerUserName != "alice" {
		t.Errorf("Jabber device %+v, want a CSF device of alice", jabber)
	}
	for _, p := range []axl.Phone{desk, jabber} {
		if len(p.Lines) != 1 || p.Lines[0].Dirn.Pattern != "4000" {
			t.Errorf("device %s lines %+v, want 4000 only", p.Name, p.Lines)
		}
	}
	if rdps := s.sim.RemoteDestinationProfiles(); len(rdps) != 1 || rdps[0].UserID != "alice" {
		t.Errorf("remote destination profiles %+v, want RDP_alice", rdps)
	}
	if rds := s.sim.RemoteDestinations(); len(rds) != 1 || rds[0].Destination != "+447700900123" {
		t.Errorf("remote destinations %+v, want +447700900123", rds)
	}
}

// checkQuickUserStore checks what the store recorded of alice's run.
func checkQuickUserStore(t *testing.T, s *stack) {
	t.Helper()
	users, err := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, UserID: "alice"})
	if err != nil || len(users) != 1 {
		t.Fatalf("store users alice: %v, %d", err, len(users))
	}
	if users[0].PushStatus != "pushed" || users[0].PushAction != "added" {
		t.Errorf("alice's push state %s (%s), want pushed (added)", users[0].PushStatus, users[0].PushAction)
	}
	site, _ := s.db.Site(s.ctx, s.site("london"))
	states, err := s.db.QuickUserStates(s.ctx, site.ClusterID, []int64{users[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	st := states[users[0].ID]
	if st.Last == nil || st.Last.Outcome != "succeeded" || len(st.Last.Steps) < 8 {
		t.Errorf("last Quick User %+v, want succeeded with every step", st.Last)
	}
	if st.Voicemail == nil || !*st.Voicemail {
		t.Errorf("voicemail flag %v, want on", st.Voicemail)
	}
}

func TestQuickUserRerunChangesNothing(t *testing.T) {
	s := quickStack(t)
	args := []string{"--phone-type", "8841", "--mac", "00:11:22:33:44:55", "--jabber"}
	if _, err := s.quickUserJSON("alice", args...); err != nil {
		t.Fatalf("first run: %v", err)
	}
	writes := s.sim.Stats().Writes

	result, err := s.quickUserJSON("alice", args...)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}

	if got := s.sim.Stats().Writes; got != writes {
		t.Errorf("second run made %d AXL writes, want 0", got-writes)
	}
	for name, status := range stepStatus(result) {
		if status != "unchanged" && name != "check" && name != "voicemail" {
			t.Errorf("second run step %s %s, want unchanged", name, status)
		}
	}
	if result.Line != "4000 in Internal_PT" {
		t.Errorf("second run line %q, want alice's own 4000 again", result.Line)
	}
}

func TestQuickUserUsersShow(t *testing.T) {
	s := quickStack(t)
	if _, err := s.quickUserJSON("alice", "--phone-type", "8841", "--mac", "00:11:22:33:44:55",
		"--jabber", "--voicemail"); err != nil {
		t.Fatalf("quick user alice: %v", err)
	}

	out := s.mustCLI("users", "show", s.site("london").String(), "alice")
	for _, want := range []string{"SEP001122334455 (Cisco 8841, SIP) on 4000/Internal_PT", "CSFALICE",
		"jabber", "voicemail", "pushed (added)", "succeeded at", "4000/Internal_PT",
		s.site("london").String()} {
		if !strings.Contains(out, want) {
			t.Errorf("users show alice lacks %q:\n%s", want, out)
		}
	}

	var listed []struct {
		UserID string `json:"userID"`
		Source string `json:"source"`
		UCM    struct {
			OnUCM  bool `json:"onUCM"`
			Phones []struct {
				Name string `json:"name"`
			} `json:"phones"`
			Lines []string `json:"lines"`
		} `json:"ucm"`
	}
	jsonOut := s.mustCLI("-o", "json", "users", "show", s.site("london").String())
	if err := json.Unmarshal([]byte(jsonOut), &listed); err != nil {
		t.Fatalf("users show -o json: %v\n%s", err, jsonOut)
	}
	if len(listed) != 3 {
		t.Fatalf("users show lists %d users, want alice, bob and carol", len(listed))
	}
	for _, u := range listed {
		switch u.UserID {
		case "alice":
			if !u.UCM.OnUCM || len(u.UCM.Phones) != 2 || !slices.Equal(u.UCM.Lines, []string{"4000/Internal_PT"}) {
				t.Errorf("alice in the list %+v, want on UCM with 2 phones on 4000", u)
			}
		default:
			if u.UCM.OnUCM || u.Source != "manual" {
				t.Errorf("%s in the list %+v, want a manual user not on UCM", u.UserID, u)
			}
		}
	}
}

func TestQuickUserRefusesNumberOfAnotherUser(t *testing.T) {
	s := quickStack(t)
	if _, err := s.quickUserJSON("bob", "--jabber", "--number", "4100"); err != nil {
		t.Fatalf("quick user bob: %v", err)
	}
	writes := s.sim.Stats().Writes

	result, err := s.quickUserJSON("alice", "--jabber", "--number", "4100")

	if err == nil || result.Outcome != workflows.OutcomeRefused {
		t.Fatalf("alice on bob's number: outcome %s, error %v; want refused", result.Outcome, err)
	}
	if want := "held by " + s.customer + "/bob"; !strings.Contains(result.Reason, want) ||
		!strings.Contains(result.Reason, "check number failed") {
		t.Errorf("reason %q, want the number check naming %s", result.Reason, want)
	}
	if got := s.sim.Stats().Writes; got != writes {
		t.Errorf("refused run made %d AXL writes, want 0", got-writes)
	}
	if _, ok := s.sim.User("alice"); ok {
		t.Error("simulator holds alice after a refused run")
	}

	hand := s.axlClient()
	if _, err := hand.AddLine(s.ctx, axl.Line{Pattern: "4200", RoutePartitionName: "Internal_PT",
		AlertingName: "Reception"}); err != nil {
		t.Fatalf("add line 4200 by hand: %v", err)
	}
	result, _ = s.quickUserJSON("alice", "--jabber", "--number", "4200")
	if result.Outcome != workflows.OutcomeRefused || !strings.Contains(result.Reason, `"Reception"`) {
		t.Errorf("alice on a line made by hand: %s %q, want refused naming its alerting name",
			result.Outcome, result.Reason)
	}
}

func TestQuickUserKeepsHandAddedDevice(t *testing.T) {
	s := quickStack(t)
	if _, err := s.quickUserJSON("alice", "--jabber"); err != nil {
		t.Fatalf("quick user alice: %v", err)
	}
	hand := s.axlClient()
	_, err := hand.AddPhone(s.ctx, axl.Phone{Name: "SEPAAAABBBBCCCC", Product: "Cisco 7841",
		Protocol: axl.ProtocolSIP, DevicePoolName: "DP_Lobby"})
	if err != nil {
		t.Fatalf("add a phone by hand: %v", err)
	}
	err = hand.UpdateUser(s.ctx, axl.UserUpdate{UserID: "alice",
		AssociatedDevices: []string{"CSFALICE", "SEPAAAABBBBCCCC"}})
	if err != nil {
		t.Fatalf("associate the phone by hand: %v", err)
	}

	if _, err := s.quickUserJSON("alice", "--phone-type", "8841", "--mac", "00:11:22:33:44:55"); err != nil {
		t.Fatalf("quick user alice with a desk phone: %v", err)
	}

	u, _ := s.sim.User("alice")
	if want := []string{"CSFALICE", "SEPAAAABBBBCCCC", "SEP001122334455"}; !slices.Equal(u.AssociatedDevices, want) {
		t.Errorf("associated devices %v, want %v", u.AssociatedDevices, want)
	}
	checkRecordedRequests(t, s)
}

func TestQuickUserKeepsDirectoryFieldsOfSyncedUser(t *testing.T) {
	s := quickStack(t)
	_, err := s.sim.PutUser(axl.User{UserID: "carol", FirstName: "Caroline", LastName: "Directory",
		MailID: "caroline@corp.example", LDAPDirectoryName: "corp-ad"})
	if err != nil {
		t.Fatal(err)
	}

	result, err := s.quickUserJSON("carol", "--jabber")
	if err != nil {
		t.Fatalf("quick user carol: %v", err)
	}

	u, _ := s.sim.User("carol")
	if u.FirstName != "Caroline" || u.LastName != "Directory" || u.MailID != "caroline@corp.example" {
		t.Errorf("carol on UCM %+v, want her directory fields kept", u)
	}
	if !slices.Equal(u.AssociatedDevices, []string{"CSFCAROL"}) || u.PrimaryExtension == nil {
		t.Errorf("carol's devices %v, primary extension %v; want CSFCAROL and her line",
			u.AssociatedDevices, u.PrimaryExtension)
	}
	for _, call := range result.Calls {
		for _, f := range call.Fields {
			if strings.HasPrefix(f, "firstName=") || strings.HasPrefix(f, "lastName=") {
				t.Errorf("run sent %s %s with %s, want no directory field", call.Operation, call.Name, f)
			}
		}
	}
	checkRecordedRequests(t, s)
}

func TestQuickUserUndoesRejectedStep(t *testing.T) {
	s := quickStack(t)

	result, err := s.quickUserJSON("alice", "--phone-type", "9999", "--mac", "00:11:22:33:44:55")

	if err == nil || result.Outcome != workflows.OutcomeFailed {
		t.Fatalf("unknown phone model: outcome %s, error %v; want failed", result.Outcome, err)
	}
	status := stepStatus(result)
	if status["phone"] != "failed" || status["line"] != "undone" || status["user"] != "undone" {
		t.Errorf("steps %v, want phone failed, line and user undone", status)
	}
	for _, want := range []string{"removed line 4000 in Internal_PT", "removed user alice"} {
		if !slices.Contains(result.Undone, want) {
			t.Errorf("undone %v lacks %q", result.Undone, want)
		}
	}
	if _, ok := s.sim.User("alice"); ok || len(s.sim.Lines()) != 0 {
		t.Errorf("after the undo the simulator holds alice %v and %d lines, want neither", ok, len(s.sim.Lines()))
	}

	result, err = s.quickUserJSON("alice", "--phone-type", "8841", "--mac", "00:11:22:33:44:55")
	if err != nil || result.Outcome != workflows.OutcomeSucceeded || result.Line != "4000 in Internal_PT" {
		t.Errorf("re-run: %s on %s, error %v; want success on the freed 4000", result.Outcome, result.Line, err)
	}
	checkRecordedRequests(t, s)
}

func TestQuickUserDryRunWritesNothing(t *testing.T) {
	s := quickStack(t)

	out, err := s.quickUser("alice", "--phone-type", "8841", "--mac", "00:11:22:33:44:55", "--jabber",
		"--dry-run")

	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, want := range []string{"nothing was changed", "addUser alice", "addLine 4000",
		"addPhone SEP001122334455", "addPhone CSFALICE", "updateUser alice",
		"associatedDevices=SEP001122334455,CSFALICE", "primaryExtension=4000/Internal_PT"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if w := s.sim.Stats().Writes; w != 0 {
		t.Errorf("dry run made %d AXL writes, want 0", w)
	}
	site, _ := s.db.Site(s.ctx, s.site("london"))
	if _, held, _ := s.db.NumberHolder(s.ctx, site.ClusterID, store.Number{Pattern: "4000",
		Partition: "Internal_PT"}); held {
		t.Error("dry run reserved number 4000 in the store")
	}
}
