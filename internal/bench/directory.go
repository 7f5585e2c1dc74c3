package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/ldapdir"
)

// ldapsearchRuns is how often the ldapsearch reference runs; the median counts.
const ldapsearchRuns = 3

// peopleFilter selects the people of deploy/sampledir, as the bench's directories do.
const peopleFilter = "(objectClass=inetOrgPerson)"

// peopleAttributes are the attributes ucmpush requests with the OpenLDAP mapping; ldapsearch
// requests the same ones.
var peopleAttributes = []string{"entryUUID", "uid", "givenName", "sn", "mail", "telephoneNumber",
	"departmentNumber", "title", "employeeType"}

// measureDirectorySync syncs the directory into the store on a fresh worker, with no site to
// push to, and measures beside it ldapsearch paging the same entries to /dev/null and the
// worker's peak memory.
func measureDirectorySync(ctx context.Context, env *benchEnv, r *report, entries int) (*scenario, error) {
	if err := env.restartWorker(ctx); err != nil {
		return nil, err
	}
	sc, err := env.newScenario(ctx, fmt.Sprintf("dir%d", entries), nil, false)
	if err != nil {
		return nil, err
	}

	progress("syncing %d entries into the store", entries)
	result, elapsed, err := env.sync(ctx, sc)
	if errors.Is(err, errSyncTimedOut) {
		return nil, recordSyncTimeout(ctx, env, r, entries, err)
	}
	if err != nil {
		return nil, err
	}
	if result.Search.Entries < entries*99/100 {
		return nil, fmt.Errorf("the sync of %s read %d entries, want about %d: is slapd seeded?",
			sc.directory, result.Search.Entries, entries)
	}
	peak, err := env.worker.peakRSS()
	if err != nil {
		return nil, err
	}

	search, err := ldapsearchTime(ctx, env)
	if err != nil {
		return nil, err
	}
	read, err := readerTime(ctx, env)
	if err != nil {
		return nil, err
	}

	prefix := fmt.Sprintf("sync_%d", entries)
	r.add(prefix+"_entries", float64(result.Search.Entries), "entries")
	r.add(prefix+"_added", float64(result.Sync.Added), "users")
	r.add(prefix+"_product_time", seconds(elapsed), "s")
	r.addNote(prefix+"_ldapsearch_time", seconds(search), "s",
		fmt.Sprintf("median of %d runs", ldapsearchRuns))
	r.addNote(prefix+"_reader_time", seconds(read), "s",
		fmt.Sprintf("the worker's LDAP reader with nothing staged, median of %d runs", ldapsearchRuns))
	r.add(fmt.Sprintf("worker_peak_rss_sync_%d", entries), mib(peak), "MiB")
	if err := recordSyncSteps(ctx, env, r, prefix, sc, ""); err != nil {
		return nil, err
	}

	r.atMost(prefix+"_product_over_ldapsearch", seconds(elapsed), seconds(search), 2,
		"sync into PostgreSQL / ldapsearch -E pr=500 to /dev/null")
	r.info(prefix+"_reader_over_ldapsearch", seconds(read), seconds(search),
		"the search alone, with go-ldap decoding, / ldapsearch")
	r.check(fmt.Sprintf("worker_peak_rss_sync_%d_mib", entries), mib(peak), "< 256", mib(peak) < 256, "")
	if small, ok := r.values["worker_peak_rss_sync_10000"]; ok && entries > 10_000 {
		r.atMost(fmt.Sprintf("worker_peak_rss_sync_%d_over_10000", entries), mib(peak), small, 1.2,
			"not growing with the directory: within 20% of the 10,000-entry peak")
	}
	return sc, nil
}

// recordSyncTimeout records a sync that did not finish as a missed goal, with the sync timeout
// as a lower bound of its time, and returns cause.
func recordSyncTimeout(ctx context.Context, env *benchEnv, r *report, entries int, cause error) error {
	search, err := ldapsearchTime(ctx, env)
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("sync_%d", entries)
	r.addNote(prefix+"_product_time", seconds(env.syncTimeout), "s",
		"lower bound: the sync did not finish and was terminated")
	r.addNote(prefix+"_ldapsearch_time", seconds(search), "s",
		fmt.Sprintf("median of %d runs", ldapsearchRuns))
	r.atMost(prefix+"_product_over_ldapsearch", seconds(env.syncTimeout), seconds(search), 2,
		"lower bound: the sync did not finish")
	return cause
}

// ldapsearchTime returns the median time of ldapsearch paging the people, 500 a page, as the
// bind user ucmpush uses, with the output thrown away.
func ldapsearchTime(ctx context.Context, env *benchEnv) (time.Duration, error) {
	passwordFile := filepath.Join(env.workDir, "ldap-bind-password")
	if err := os.WriteFile(passwordFile, []byte(env.ldap.bindPassword), 0o600); err != nil {
		return 0, fmt.Errorf("write the bind password for ldapsearch: %w", err)
	}
	defer os.Remove(passwordFile)

	args := append([]string{"-x", "-LLL", "-H", env.ldap.url, "-D", env.ldap.bindDN, "-y", passwordFile,
		"-b", "ou=people," + env.ldap.baseDN, "-E", "pr=500/noprompt", peopleFilter}, peopleAttributes...)
	var times []time.Duration
	for range ldapsearchRuns {
		cmd := exec.CommandContext(ctx, "ldapsearch", args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		started := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("ldapsearch (install the Debian package ldap-utils): %w: %s", err,
				strings.TrimSpace(stderr.String()))
		}
		times = append(times, time.Since(started))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// readerTime returns the median time of the worker's LDAP reader ([ldapdir.Reader], the one
// StageDirectory uses) paging the people as the bench's directories do, with every page
// thrown away: the part of a sync that neither PostgreSQL nor Temporal takes.
func readerTime(ctx context.Context, env *benchEnv) (time.Duration, error) {
	reader, err := ldapdir.New(ldapdir.Config{URL: env.ldap.url, BindDN: env.ldap.bindDN,
		BindPassword: env.ldap.bindPassword, BaseDN: "ou=people," + env.ldap.baseDN,
		Filter: peopleFilter, PageSize: 500, Mapping: domain.DefaultOpenLDAPMapping()})
	if err != nil {
		return 0, fmt.Errorf("set up the LDAP reader: %w", err)
	}

	var times []time.Duration
	for range ldapsearchRuns {
		started := time.Now()
		if _, err := reader.Search(ctx, func([]domain.DirectoryEntry) error { return nil }); err != nil {
			return 0, fmt.Errorf("read the people with the LDAP reader: %w", err)
		}
		times = append(times, time.Since(started))
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// measureFullPush runs a first sync whose push sends every user to a simulator without latency.
func measureFullPush(ctx context.Context, env *benchEnv, r *report, entries int) (*scenario, error) {
	sim, err := env.startSimulator(fmt.Sprintf("full%d", entries), 0, 0)
	if err != nil {
		return nil, err
	}
	sc, err := env.newScenario(ctx, fmt.Sprintf("full%d", entries), sim, true)
	if err != nil {
		return nil, err
	}

	prefix := fmt.Sprintf("sync_push_%d", entries)
	progress("syncing and pushing %d entries", entries)
	result, elapsed, err := env.sync(ctx, sc)
	if errors.Is(err, errSyncTimedOut) {
		r.addNote(prefix+"_time", seconds(env.syncTimeout), "s",
			"lower bound: the sync did not finish and was terminated")
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	push, err := siteResult(sc, result)
	if err != nil {
		return nil, err
	}
	users, err := checkPushed(sim, push)
	if err != nil {
		return nil, err
	}

	r.add(prefix+"_users", float64(len(users)), "users")
	r.add(prefix+"_time", seconds(elapsed), "s")
	r.add(prefix+"_rate", float64(len(users))/elapsed.Seconds(), "users/s")
	if err := recordSyncSteps(ctx, env, r, prefix, sc, pushWorkflowID(sc, result)); err != nil {
		return nil, err
	}
	return sc, nil
}

// measureResync changes 1% of the entries in slapd, turns auto push on for the scenario's
// site, and re-syncs: the simulator must see one write per changed user.
func measureResync(ctx context.Context, env *benchEnv, r *report, sc *scenario, entries int) (*scenario, error) {
	if _, err := env.db.SetSiteAutoPush(ctx, sc.site, true); err != nil {
		return nil, fmt.Errorf("turn on auto push of %s: %w", sc.site, err)
	}
	changed, err := changeEntries(env, entries/100)
	if err != nil {
		return nil, err
	}

	prefix := fmt.Sprintf("resync_%d", entries)
	before := sc.sim.writes()
	progress("re-syncing after changing %d entries", changed)
	result, elapsed, err := env.sync(ctx, sc)
	if errors.Is(err, errSyncTimedOut) {
		r.addNote(prefix+"_time", seconds(env.syncTimeout), "s",
			"lower bound: the sync did not finish and was terminated")
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	writes := sc.sim.writes() - before
	push, err := siteResult(sc, result)
	if err != nil {
		return nil, err
	}

	r.add(prefix+"_changed", float64(changed), "users")
	r.add(prefix+"_updated", float64(result.Sync.Updated), "users")
	r.add(prefix+"_pushed", float64(push.Updated+push.Added), "users")
	r.add(prefix+"_axl_writes", float64(writes), "writes")
	r.add(prefix+"_time", seconds(elapsed), "s")
	if err := recordSyncSteps(ctx, env, r, prefix, sc, pushWorkflowID(sc, result)); err != nil {
		return nil, err
	}
	r.check(prefix+"_writes_equal_changed", float64(writes), fmt.Sprintf("= %d", changed),
		writes == changed && push.Failed == 0, "AXL writes of the re-sync")
	return sc, nil
}

// changeEntries gives n active people a new title, spread evenly over the directory, and
// returns how many it changed.
func changeEntries(env *benchEnv, n int) (int, error) {
	password, err := os.ReadFile(filepath.Join(env.stackDir, "slapd", "admin-password"))
	if err != nil {
		return 0, fmt.Errorf("read the slapd admin password: %w", err)
	}
	conn, err := ldap.DialURL(env.ldap.url)
	if err != nil {
		return 0, fmt.Errorf("dial slapd: %w", err)
	}
	defer conn.Close()
	if err := conn.Bind("cn=admin,"+env.ldap.baseDN, strings.TrimSpace(string(password))); err != nil {
		return 0, fmt.Errorf("bind to slapd as admin: %w", err)
	}

	// Disabled accounts are not pushed, and people without a surname are invalid, so a change
	// to either would send no write.
	filter := "(&" + peopleFilter + "(sn=*)(!(employeeType=disabled)))"
	req := ldap.NewSearchRequest("ou=people,"+env.ldap.baseDN, ldap.ScopeWholeSubtree,
		ldap.NeverDerefAliases, 0, 0, false, filter, []string{"1.1"}, nil)
	result, err := conn.SearchWithPaging(req, 1000)
	if err != nil {
		return 0, fmt.Errorf("list the people to change: %w", err)
	}
	if len(result.Entries) < n || n == 0 {
		return 0, fmt.Errorf("found %d people to change, want at least %d", len(result.Entries), n)
	}

	step := len(result.Entries) / n
	stamp := time.Now().Format("150405")
	for i := range n {
		dn := result.Entries[i*step].DN
		modify := ldap.NewModifyRequest(dn, nil)
		modify.Replace("title", []string{fmt.Sprintf("Bench title %s-%d", stamp, i)})
		if err := conn.Modify(modify); err != nil {
			return i, fmt.Errorf("change the title of %s: %w", dn, err)
		}
	}
	return n, nil
}

// recordSyncSteps adds the time of the last sync's directory read (StageDirectory) and of
// applying it to the store (ApplySync), with their attempts, and of its push when it has one.
func recordSyncSteps(ctx context.Context, env *benchEnv, r *report, prefix string, sc *scenario,
	pushWorkflowID string) error {
	steps, err := env.syncSteps(ctx, sc)
	if err != nil {
		return err
	}
	for _, step := range []struct{ activity, figure string }{
		{"StageDirectory", "stage"}, {"ApplySync", "apply"},
	} {
		s := steps[step.activity]
		note := ""
		if s.attempts > 1 {
			note = fmt.Sprintf("%d attempts: the earlier ones failed or timed out", s.attempts)
		}
		r.addNote(prefix+"_"+step.figure+"_time", seconds(s.elapsed), "s", note)
	}
	if pushWorkflowID == "" {
		return nil
	}
	push, err := env.pushTime(ctx, pushWorkflowID)
	if err != nil {
		return err
	}
	r.add(prefix+"_push_time", seconds(push), "s")
	return nil
}

// recordHistory adds the largest workflow history of the scenarios' runs.
func recordHistory(ctx context.Context, env *benchEnv, r *report, entries int, scenarios ...*scenario) error {
	var ids []string
	for _, sc := range scenarios {
		ids = append(ids, sc.workflowIDs...)
	}
	largest, id, err := env.maxHistory(ctx, ids)
	if err != nil {
		return err
	}
	kind, _, _ := strings.Cut(id, "/")
	r.addNote(fmt.Sprintf("history_max_%d", entries), float64(largest), "events",
		fmt.Sprintf("a %s workflow", kind))
	return nil
}
