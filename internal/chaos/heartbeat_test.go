package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/ucmpush/ucmpush/workflows"
)

// TestRateLimitedBatchKeepsHeartbeating pushes one batch to a cluster whose request rate,
// shared by its 10 in-flight slots, gives each batch 0.35 requests a second: 25 users then
// take about 140 seconds, longer than the 1-minute heartbeat timeout of PushUsers. The batch
// must keep its one attempt alive: a heartbeat timeout would start a second attempt beside the
// first, on the same slot, and read users twice.
func TestRateLimitedBatchKeepsHeartbeating(t *testing.T) {
	t.Parallel()
	const users = 26
	s := requireSuite(t)
	base := addPeople(t, s, users)
	r := newRig(t, rigOptions{MaxInFlight: 10, MaxRequestsPerSecond: 3.5, BaseDN: base,
		ManualPush: true})

	var synced workflows.LdapSyncThenPushResult
	r.waitWorkflow(r.startSync(), &synced)
	if synced.Sync.Added != users {
		t.Fatalf("the sync added %d users, want %d", synced.Sync.Added, users)
	}

	site, err := r.db.Site(r.ctx, r.site)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	run, err := r.temporal.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{
		ID:        workflows.SitePushWorkflowID(r.site.String(), workflows.TriggerManual, ""),
		TaskQueue: r.taskQueue,
	}, workflows.PushSite, workflows.PushSiteInput{SiteID: site.ID, Site: r.site.String(),
		Trigger: workflows.TriggerManual, BatchSize: users, Confirmed: true})
	if err != nil {
		t.Fatalf("start the push: %v", err)
	}
	var result workflows.PushSiteResult
	r.waitWorkflow(run, &result)
	t.Logf("pushed %d users in one batch in %s", result.Added, time.Since(started).Round(time.Second))

	if attempts := r.pushAttempts(run); attempts != 1 {
		t.Errorf("the batch ran %d attempts, want 1: it missed its heartbeat timeout", attempts)
	}
	if reads := r.sim.Stats().Requests["getUser"]; reads != users {
		t.Errorf("the simulator got %d getUser requests for %d users, want one each", reads, users)
	}
	r.expectConverged()
}

// pushAttempts returns the highest attempt of any PushUsers activity in the run's history.
func (r *rig) pushAttempts(run client.WorkflowRun) int32 {
	var attempts int32
	iter := r.temporal.GetWorkflowHistory(r.ctx, run.GetID(), run.GetRunID(), false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			r.t.Fatalf("read the history of %s: %v", run.GetID(), err)
		}
		if started := event.GetActivityTaskStartedEventAttributes(); started != nil {
			attempts = max(attempts, started.GetAttempt())
		}
	}
	return attempts
}

// addPeople creates an organizational unit of its own below the suite's base DN with n
// people, returns its DN, and removes it when the test ends.
func addPeople(t *testing.T, s *chaosSuite, n int) string {
	t.Helper()
	password, err := os.ReadFile(filepath.Join(s.stackDir, "slapd", "admin-password"))
	if err != nil {
		t.Fatalf("read the slapd admin password: %v", err)
	}
	conn, err := ldap.DialURL(s.settings["LDAP_URL"])
	if err != nil {
		t.Fatalf("dial slapd: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Bind("cn=admin,"+s.settings["LDAP_BASE_DN"], strings.TrimSpace(string(password))); err != nil {
		t.Fatalf("bind to slapd as admin: %v", err)
	}

	ou := fmt.Sprintf("chaos-%d", time.Now().UnixNano())
	base := "ou=" + ou + "," + s.settings["LDAP_BASE_DN"]
	add := ldap.NewAddRequest(base, nil)
	add.Attribute("objectClass", []string{"organizationalUnit"})
	add.Attribute("ou", []string{ou})
	if err := conn.Add(add); err != nil {
		t.Fatalf("create %s: %v", base, err)
	}

	var dns []string
	for i := range n {
		uid := fmt.Sprintf("paced.%s.%02d", ou, i)
		dn := "uid=" + uid + "," + base
		add := ldap.NewAddRequest(dn, nil)
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("uid", []string{uid})
		add.Attribute("cn", []string{fmt.Sprintf("Paced Person %02d", i)})
		add.Attribute("sn", []string{fmt.Sprintf("Person%02d", i)})
		add.Attribute("givenName", []string{"Paced"})
		if err := conn.Add(add); err != nil {
			t.Fatalf("add %s: %v", dn, err)
		}
		dns = append(dns, dn)
	}
	t.Cleanup(func() {
		for _, dn := range append(dns, base) {
			if err := conn.Del(ldap.NewDelRequest(dn, nil)); err != nil {
				t.Errorf("remove %s: %v", dn, err)
			}
		}
	})
	return base
}
