package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/starter"
)

// cli runs the ucmpush command tree in-process against the test's stack and returns its
// standard output, standard error and error.
func (s *stack) cli(args ...string) (string, string, error) {
	s.t.Helper()
	root := starter.NewRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"--database-url", s.databaseURL, "--task-queue", s.taskQueue,
		"--temporal-address", os.Getenv("TEMPORAL_ADDRESS")}, args...))
	err := root.ExecuteContext(s.ctx)
	return out.String(), errOut.String(), err
}

// mustCLI runs a command that must succeed and returns its output.
func (s *stack) mustCLI(args ...string) string {
	s.t.Helper()
	out, errOut, err := s.cli(args...)
	if err != nil {
		s.t.Fatalf("ucmpush %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func TestCLIConfiguresAndSyncs(t *testing.T) {
	s := newStack(t)
	s.addPeople(londonAndParis()...)
	london, paris := s.customer+"/london", s.customer+"/paris"

	s.mustCLI("customer", "add", s.customer)
	s.mustCLI("cluster", "add", s.cluster, "--axl-url", s.sim.URL(), "--axl-version", "14.0",
		"--username", axlUsername, "--password-ref", axlPasswordRef, "--ca-file", s.simCAFile)
	s.mustCLI("ndl", "add", "ndl-"+s.suffix, "--cluster", s.cluster)
	s.mustCLI("site", "add", london, "--ndl", "ndl-"+s.suffix, "--auto-push")
	s.mustCLI("site", "add", paris, "--ndl", "ndl-"+s.suffix)
	s.mustCLI("directory", "add", s.directory, "--customer", s.customer, "--url", os.Getenv("LDAP_URL"),
		"--base-dn", s.peopleDN, "--filter", "(uid=*)", "--bind-dn", os.Getenv("LDAP_BIND_DN"),
		"--bind-password-ref", ldapPasswordRef)
	s.mustCLI("rule", "add", london, "--filter", "telephoneNumber=+4420*")
	s.mustCLI("rule", "add", paris, "--usernames", "zoe,dmitri")

	out := s.mustCLI("sync", s.directory, "--wait")
	for _, want := range []string{"5 entries read", "5 added", london, "auto push is off"} {
		if !strings.Contains(out, want) {
			t.Errorf("sync output lacks %q:\n%s", want, out)
		}
	}

	out = s.mustCLI("users", "list", "--site", london, "-o", "json")
	var users []store.UserView
	if err := json.Unmarshal([]byte(out), &users); err != nil {
		t.Fatalf("users list -o json: %v\n%s", err, out)
	}
	if len(users) != 3 {
		t.Fatalf("users list --site %s returned %d users, want 3", london, len(users))
	}
	for _, u := range users {
		if u.PushStatus != "pushed" || u.PushAction != "added" || u.Cluster != s.cluster {
			t.Errorf("user %s: push %s (%s) on %q, want pushed (added) on %s", u.UserID, u.PushStatus,
				u.PushAction, u.Cluster, s.cluster)
		}
	}

	out = s.mustCLI("users", "list", "--site", paris)
	if !strings.Contains(out, "zoe") || strings.Contains(out, "pushed") {
		t.Errorf("users list of paris should show zoe unpushed:\n%s", out)
	}

	out = s.mustCLI("push", "site", paris, "--wait")
	if !strings.Contains(out, "2 added") {
		t.Errorf("manual push of paris output lacks \"2 added\":\n%s", out)
	}
	if _, ok := s.sim.User("zoe"); !ok {
		t.Error("simulator lacks zoe after the manual push of paris")
	}
}

func TestCLIRejectsBadInput(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown customer", []string{"site", "add", "nobody/london"}, `customer "nobody" not found`},
		{"site without customer", []string{"site", "add", "london"}, "write it as customer/site"},
		{"unknown NDL", []string{"site", "add", s.customer + "/paris", "--ndl", "missing"}, `NDL "missing" not found`},
		{"duplicate site", []string{"site", "add", s.customer + "/london"}, "already exists"},
		{"malformed LDAP URL", []string{"directory", "add", "d2", "--customer", s.customer,
			"--url", "ldap//host", "--base-dn", "dc=example,dc=com", "--bind-dn", "cn=x",
			"--bind-password-ref", "env:X"}, "ldap://"},
		{"secret in a reference", []string{"directory", "add", "d3", "--customer", s.customer,
			"--url", "ldap://127.0.0.1", "--base-dn", "dc=example,dc=com", "--bind-dn", "cn=x",
			"--bind-password-ref", "hunter2"}, "env:VARIABLE or file:/path"},
		{"bad AXL version", []string{"cluster", "add", "c2", "--axl-url", "https://ucm.example:8443/axl/",
			"--axl-version", "11.5", "--username", "u", "--password-ref", "env:P"}, "12.5, 14.0, 15.0"},
		{"plain http to a remote UCM", []string{"cluster", "add", "c3", "--axl-url", "http://ucm.example/axl/",
			"--username", "u", "--password-ref", "env:P"}, "https"},
		{"bad filter", []string{"rule", "add", s.customer + "/london", "--filter", "color=blue"}, "unknown attribute"},
		{"doubled equals in a filter", []string{"rule", "add", s.customer + "/london", "--filter", "ou==London"}, "starts with '='"},
		{"space in a username", []string{"rule", "add", s.customer + "/london", "--usernames", "a,b c"}, "contains a space"},
		{"empty username", []string{"rule", "add", s.customer + "/london", "--username", ""}, "missing userids"},
		{"filter as a username", []string{"rule", "add", s.customer + "/london", "--username", "*)(uid=*"}, "use --filter"},
		{"unknown customer in users list", []string{"users", "list", "--customer", "nobody"}, `customer "nobody" not found`},
		{"negative limit", []string{"users", "list", "--limit", "-1"}, "invalid --limit"},
		{"unknown directory", []string{"sync", "missing-dir"}, `directory "missing-dir" not found`},
		{"site without UCM", []string{"push", "site", s.customer + "/nowhere"}, "not found"},
		{"bad auto push value", []string{"site", "set", s.customer + "/london", "--auto-push=maybe"}, "use on or off"},
		{"bad output", []string{"users", "list", "-o", "yaml"}, "use table or json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.cli(tc.args...)
			if err == nil {
				t.Fatalf("ucmpush %s succeeded, want an error containing %q", strings.Join(tc.args, " "), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}

	sites, err := s.db.Sites(s.ctx, s.customer)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 1 {
		t.Errorf("customer has %d sites after rejected commands, want only london", len(sites))
	}
	dirs, _ := s.db.Directories(s.ctx)
	if len(dirs) != 1 {
		t.Errorf("store has %d directories after rejected commands, want 1", len(dirs))
	}
}

func TestCLIExitsNonZeroWithMessage(t *testing.T) {
	s := newStack(t)
	binary := filepath.Join(t.TempDir(), "ucmpush")
	build := exec.Command("go", "build", "-o", binary, "github.com/ucmpush/ucmpush/starter/cmd/ucmpush")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build ucmpush: %v\n%s", err, out)
	}

	cmd := exec.Command(binary, "--database-url", s.databaseURL, "site", "add", "nobody/london")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("ucmpush site add nobody/london: %v, want exit status 1", err)
	}
	if want := `ucmpush: customer "nobody" not found`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

func TestCLITriggersSayWhatTheyPushed(t *testing.T) {
	s := newStack(t)
	s.configure("london:on", "paris:off")
	s.addPeople(londonAndParis()...)
	s.mustSync()
	london, paris := s.customer+"/london", s.customer+"/paris"

	out := s.mustCLI("users", "move", london, "--usernames", "alice,bob", "--wait")
	if !strings.Contains(out, "move alice, bob to "+london) || !strings.Contains(out, london) {
		t.Errorf("users move output lacks the change and the site:\n%s", out)
	}
	if n := len(s.sim.Users()); n != 2 {
		t.Errorf("simulator holds %d users after the move, want 2", n)
	}

	out = s.mustCLI("users", "move", paris, "--username", "zoe", "--wait")
	if !strings.Contains(out, "auto push is off; push by hand with `ucmpush push site "+paris+"`") {
		t.Errorf("move to a site with auto push off does not say how to push by hand:\n%s", out)
	}

	out = s.mustCLI("site", "set", paris, "--auto-push=on")
	if !strings.Contains(out, "Nothing was pushed yet") {
		t.Errorf("turning auto push on does not point to the manual push:\n%s", out)
	}
	if _, ok := s.sim.User("zoe"); ok {
		t.Error("turning auto push on pushed zoe by itself")
	}

	out = s.mustCLI("users", "add", paris, "--userid", "erin", "--last-name", "Ek", "--wait")
	if !strings.Contains(out, "create user erin") {
		t.Errorf("users add output lacks the change:\n%s", out)
	}
	if _, ok := s.sim.User("erin"); !ok {
		t.Error("simulator lacks erin, created at a site whose auto push is now on")
	}

	_, _, err := s.cli("users", "add", paris, "--userid", "bad/name", "--last-name", "X")
	if err == nil || !strings.Contains(err.Error(), "invalid --userid") {
		t.Errorf("users add with a slash in the userid: %v, want invalid --userid", err)
	}
}

func TestCLICorrectsConfiguration(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	s.addPeople(londonAndParis()[:1]...)

	s.mustCLI("directory", "set", s.directory, "--bind-password-ref", "env:WRONG_VARIABLE")
	if _, err := s.sync(false); err == nil || !strings.Contains(err.Error(), "WRONG_VARIABLE") {
		t.Fatalf("sync with a reference to an unset variable: %v, want an error naming it", err)
	}
	s.mustCLI("directory", "set", s.directory, "--bind-password-ref", ldapPasswordRef)
	if _, err := s.sync(false); err != nil {
		t.Fatalf("sync after correcting the reference: %v", err)
	}

	s.mustCLI("cluster", "set", s.cluster, "--max-in-flight", "2", "--max-requests-per-second", "50")
	c, err := s.db.Cluster(s.ctx, s.cluster)
	if err != nil || c.MaxInFlight != 2 || c.MaxRequestsPerSecond != 50 || c.AXLURL != s.sim.URL() {
		t.Errorf("cluster after set: %+v (%v), want in flight 2, 50 requests/s and the URL kept", c, err)
	}
	if _, _, err := s.cli("cluster", "set", s.cluster); err == nil || !strings.Contains(err.Error(), "nothing to change") {
		t.Errorf("cluster set without flags: %v, want nothing to change", err)
	}
	if _, _, err := s.cli("cluster", "set", s.cluster, "--axl-version", "9"); err == nil {
		t.Error("cluster set --axl-version 9 succeeded")
	}

	rules, _ := s.db.MoveRules(s.ctx, mustCustomerID(t, s))
	out := s.mustCLI("rule", "remove", s.customer, fmt.Sprint(rules[0].ID))
	if !strings.Contains(out, "Removed move rule") {
		t.Errorf("rule remove output: %s", out)
	}
	if _, _, err := s.cli("rule", "remove", s.customer, fmt.Sprint(rules[0].ID)); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("removing the rule twice: %v, want not found", err)
	}
}

func mustCustomerID(t *testing.T, s *stack) int64 {
	t.Helper()
	c, err := s.db.Customer(s.ctx, s.customer)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
