package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/codec"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/internal/temporalclient"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

// Secrets that the test worker resolves; the store holds only these references.
const (
	axlPasswordRef  = "env:E2E_AXL_PASSWORD"
	ldapPasswordRef = "env:E2E_LDAP_PASSWORD"
	axlUsername     = "axladmin"
	axlPassword     = "e2e-axl-secret"
)

// stack is one test's slice of the local stack: a database of its own, an LDAP subtree of its
// own, a task queue of its own with an in-process worker, and an in-process AXL simulator.
// Names that reach workflow IDs (customer, directory) carry a random suffix, because every
// test shares one Temporal namespace.
type stack struct {
	t           *testing.T
	ctx         context.Context
	suffix      string
	db          *store.Store
	databaseURL string
	temporal    client.Client
	taskQueue   string
	sim         *axlsim.Server
	simCAFile   string
	simRecord   string
	ldap        *ldap.Conn
	peopleDN    string
	customer    string
	directory   string
	cluster     string

	// temporalCfg holds the Temporal settings that the test's worker and clients share with
	// the in-process CLI, its codec included (see useStackCodec).
	temporalCfg temporalclient.Config
	// codecKeys holds the keys that payloads are encrypted with; nil when the stack runs with
	// UCMPUSH_PLAIN_PAYLOADS=true and no key file.
	codecKeys *codec.Keyring
}

// newStack sets up a stack for one test and registers its cleanup. It skips the test when
// UCMPUSH_E2E is unset, and fails it when UCMPUSH_E2E=required and a service is missing.
func newStack(t *testing.T) *stack {
	t.Helper()
	mode := os.Getenv("UCMPUSH_E2E")
	if mode == "" {
		t.Skip("integration test: run `make test`, which starts the local stack and sets UCMPUSH_E2E")
	}
	for _, name := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "LDAP_URL", "LDAP_BASE_DN",
		"LDAP_BIND_DN", "LDAP_BIND_PASSWORD", "UCMPUSH_STACK_DIR"} {
		if os.Getenv(name) == "" {
			t.Fatalf("%s is not set: run the integration tests with `make test`", name)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	s := &stack{t: t, ctx: ctx, suffix: randomSuffix(t)}
	s.customer = "acme-" + s.suffix
	s.directory = "ldap-" + s.suffix
	s.cluster = "ucm-" + s.suffix

	s.openDatabase()
	s.startSimulator()
	s.openDirectory()
	s.startWorker()
	return s
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random suffix: %v", err)
	}
	return hex.EncodeToString(b)
}

// openDatabase creates a database for the test next to the stack's and migrates it.
func (s *stack) openDatabase() {
	t := s.t
	admin, err := pgx.Connect(s.ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatalf("connect to the stack's database: %v", err)
	}
	name := "e2e_" + s.suffix
	if _, err := admin.Exec(s.ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close(context.Background())
	})

	cfg, err := pgx.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	s.databaseURL = fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User,
		cfg.Password, cfg.Host, cfg.Port, name)
	s.db, err = store.Open(s.ctx, s.databaseURL)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(s.db.Close)
	if _, err := s.db.Migrate(s.ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
}

func (s *stack) startSimulator() {
	t := s.t
	s.simRecord = filepath.Join(t.TempDir(), "axl-requests")
	s.sim = axlsim.New(axlsim.Options{Username: axlUsername, Password: axlPassword,
		RecordDir: s.simRecord})
	if _, err := s.sim.StartTLS("127.0.0.1:0"); err != nil {
		t.Fatalf("start AXL simulator: %v", err)
	}
	t.Cleanup(func() { _ = s.sim.Close() })
	s.simCAFile = filepath.Join(t.TempDir(), "axlsim-ca.pem")
	if err := os.WriteFile(s.simCAFile, s.sim.CertificatePEM(), 0o600); err != nil {
		t.Fatalf("write simulator certificate: %v", err)
	}
}

// openDirectory binds to slapd as its admin and creates the test's people subtree.
func (s *stack) openDirectory() {
	t := s.t
	password, err := os.ReadFile(filepath.Join(os.Getenv("UCMPUSH_STACK_DIR"), "slapd", "admin-password"))
	if err != nil {
		t.Fatalf("read the slapd admin password: %v", err)
	}
	s.ldap, err = ldap.DialURL(os.Getenv("LDAP_URL"))
	if err != nil {
		t.Fatalf("dial slapd: %v", err)
	}
	if err := s.ldap.Bind("cn=admin,"+os.Getenv("LDAP_BASE_DN"), strings.TrimSpace(string(password))); err != nil {
		t.Fatalf("bind to slapd as admin: %v", err)
	}

	s.peopleDN = fmt.Sprintf("ou=e2e-%s,%s", s.suffix, os.Getenv("LDAP_BASE_DN"))
	add := ldap.NewAddRequest(s.peopleDN, nil)
	add.Attribute("objectClass", []string{"organizationalUnit"})
	add.Attribute("ou", []string{"e2e-" + s.suffix})
	if err := s.ldap.Add(add); err != nil {
		t.Fatalf("create %s: %v", s.peopleDN, err)
	}
	t.Cleanup(func() {
		defer s.ldap.Close()
		if err := deleteSubtree(s.ldap, s.peopleDN); err != nil {
			t.Errorf("remove the test's LDAP subtree %s: %v", s.peopleDN, err)
		}
	})
}

// startWorker runs a worker on the test's own task queue, with the test's secrets. Its client
// encodes payloads as the in-process CLI does (see useStackCodec).
func (s *stack) startWorker() {
	t := s.t
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s.useStackCodec()
	tc := s.dialTemporal(log)
	if err := worker.EnsureSearchAttributes(s.ctx, tc, os.Getenv("TEMPORAL_NAMESPACE")); err != nil {
		t.Fatalf("register search attributes: %v", err)
	}
	s.temporal = tc
	s.taskQueue = "e2e-" + s.suffix

	resolver := secrets.Resolver{LookupEnv: func(name string) (string, bool) {
		switch name {
		case "E2E_AXL_PASSWORD":
			return axlPassword, true
		case "E2E_LDAP_PASSWORD":
			return os.Getenv("LDAP_BIND_PASSWORD"), true
		}
		return "", false
	}}
	w := sdkworker.New(tc, s.taskQueue, sdkworker.Options{})
	worker.Register(w, s.db, resolver)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(w.Stop)
}

// useStackCodec sets s.temporalCfg from the environment, as the CLI reads it, so the test's
// clients encrypt with the stack's key file (UCMPUSH_CODEC_KEY_FILE, which codec.sh writes).
// Without one, and without UCMPUSH_PLAIN_PAYLOADS=true, it generates a key for the test and
// sets UCMPUSH_CODEC_KEY_FILE for the test's duration, so that the in-process CLI and the
// worker binaries that the test starts encrypt with the same key.
func (s *stack) useStackCodec() {
	t := s.t
	cfg, err := temporalclient.FromEnv(nil)
	if err != nil {
		t.Fatalf("read the Temporal settings: %v", err)
	}

	if cfg.CodecKeyFile == "" && !cfg.PlainPayloads {
		line, err := codec.GenerateKey("e2e-" + s.suffix)
		if err != nil {
			t.Fatalf("generate a codec key: %v", err)
		}
		cfg.CodecKeyFile = filepath.Join(t.TempDir(), "codec-keys")
		writeFile(t, cfg.CodecKeyFile, []byte(line+"\n"))
		t.Setenv(temporalclient.EnvCodecKeyFile, cfg.CodecKeyFile)
	}

	s.temporalCfg, s.codecKeys, err = cfg.LoadCodec()
	if err != nil {
		t.Fatalf("load the stack's codec keys: %v", err)
	}
}

// dialTemporal connects to Temporal with s.temporalCfg, logging through log, and closes the
// client when the test ends.
func (s *stack) dialTemporal(log *slog.Logger) client.Client {
	s.t.Helper()
	cfg := s.temporalCfg
	cfg.Logger = log
	tc, err := temporalclient.Dial(s.ctx, cfg)
	if err != nil {
		s.t.Fatalf("dial Temporal: %v", err)
	}
	s.t.Cleanup(tc.Close)
	return tc
}

// testWriter sends log lines to the test log, so they show only for failed tests.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// configure creates the customer, the UCM cluster (the simulator), an NDL naming it, the
// directory (the test's subtree) and the given sites, each "name:on" or "name:off".
func (s *stack) configure(sites ...string) {
	t := s.t
	if _, err := s.db.CreateCustomer(s.ctx, s.customer, ""); err != nil {
		t.Fatalf("create customer: %v", err)
	}
	_, err := s.db.CreateCluster(s.ctx, domain.Cluster{Name: s.cluster, AXLURL: s.sim.URL(),
		AXLVersion: "14.0", Username: axlUsername, PasswordRef: axlPasswordRef, CAFile: s.simCAFile,
		MaxInFlight: 4})
	if err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	if _, err := s.db.CreateNDL(s.ctx, "ndl-"+s.suffix, s.cluster); err != nil {
		t.Fatalf("create NDL: %v", err)
	}
	for _, spec := range sites {
		name, mode, _ := strings.Cut(spec, ":")
		ref := domain.SiteRef{Customer: s.customer, Site: name}
		if _, err := s.db.CreateSite(s.ctx, ref, "ndl-"+s.suffix, mode == "on"); err != nil {
			t.Fatalf("create site %s: %v", ref, err)
		}
		// Tests push thousands of users; the confirmation guard has tests of its own.
		if _, err := s.db.SetSiteConfirmAbove(s.ctx, ref, 0); err != nil {
			t.Fatalf("turn off the confirmation guard of %s: %v", ref, err)
		}
	}
	_, err = s.db.CreateDirectory(s.ctx, domain.Directory{
		Name: s.directory, Customer: s.customer, URL: os.Getenv("LDAP_URL"),
		BindDN: os.Getenv("LDAP_BIND_DN"), BindPasswordRef: ldapPasswordRef, BaseDN: s.peopleDN,
		Filter: "(uid=*)", PageSize: 50, Mapping: domain.DefaultOpenLDAPMapping(),
		RemovalGuardPercent: domain.DefaultRemovalGuardPercent,
	})
	if err != nil {
		t.Fatalf("create directory: %v", err)
	}
}

// site returns the reference of one of the test's sites.
func (s *stack) site(name string) domain.SiteRef {
	return domain.SiteRef{Customer: s.customer, Site: name}
}

// moveByFilter adds a move rule sending users that match filter to the site.
func (s *stack) moveByFilter(site, filter string) {
	s.t.Helper()
	f, err := domain.ParseFilter(filter)
	if err != nil {
		s.t.Fatalf("parse filter %q: %v", filter, err)
	}
	rule := domain.MoveRule{Kind: domain.MoveByFilter, Filter: f, Priority: 100}
	if _, err := s.db.CreateMoveRule(s.ctx, s.site(site), rule); err != nil {
		s.t.Fatalf("create move rule: %v", err)
	}
}

// person is one inetOrgPerson of the test directory.
type person struct {
	uid, given, sn, mail, phone, department string
	disabled                                bool
}

func (s *stack) dn(uid string) string { return fmt.Sprintf("uid=%s,%s", uid, s.peopleDN) }

func (s *stack) addPeople(people ...person) {
	s.t.Helper()
	for _, p := range people {
		add := ldap.NewAddRequest(s.dn(p.uid), nil)
		add.Attribute("objectClass", []string{"inetOrgPerson"})
		add.Attribute("uid", []string{p.uid})
		add.Attribute("cn", []string{strings.TrimSpace(p.given + " " + p.sn)})
		add.Attribute("sn", []string{p.sn})
		for attr, value := range map[string]string{"givenName": p.given, "mail": p.mail,
			"telephoneNumber": p.phone, "departmentNumber": p.department} {
			if value != "" {
				add.Attribute(attr, []string{value})
			}
		}
		if p.disabled {
			add.Attribute("employeeType", []string{"disabled"})
		}
		if err := s.ldap.Add(add); err != nil {
			s.t.Fatalf("add %s: %v", p.uid, err)
		}
	}
}

func (s *stack) modifyPerson(uid, attribute, value string) {
	s.t.Helper()
	modify := ldap.NewModifyRequest(s.dn(uid), nil)
	modify.Replace(attribute, []string{value})
	if err := s.ldap.Modify(modify); err != nil {
		s.t.Fatalf("modify %s of %s: %v", attribute, uid, err)
	}
}

func (s *stack) deletePerson(uid string) {
	s.t.Helper()
	if err := s.ldap.Del(ldap.NewDelRequest(s.dn(uid), nil)); err != nil {
		s.t.Fatalf("delete %s: %v", uid, err)
	}
}

// sync runs LdapSyncThenPush for the test's directory and waits for its result.
func (s *stack) sync(confirmRemovals bool) (workflows.LdapSyncThenPushResult, error) {
	s.t.Helper()
	opts := client.StartWorkflowOptions{
		ID:                       workflows.SyncWorkflowID(s.directory),
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionTimeout: 5 * time.Minute,
	}
	run, err := s.temporal.ExecuteWorkflow(s.ctx, opts, workflows.LdapSyncThenPush,
		workflows.LdapSyncThenPushInput{Directory: s.directory, ConfirmRemovals: confirmRemovals})
	if err != nil {
		s.t.Fatalf("start sync: %v", err)
	}
	var result workflows.LdapSyncThenPushResult
	err = run.Get(s.ctx, &result)
	return result, err
}

// mustSync runs a sync that must succeed.
func (s *stack) mustSync() workflows.LdapSyncThenPushResult {
	s.t.Helper()
	result, err := s.sync(false)
	if err != nil {
		s.t.Fatalf("sync failed: %v", err)
	}
	return result
}

// siteResult returns the result of one site, failing the test when it is absent.
func siteResult[R workflows.LdapSyncThenPushResult | workflows.TriggerResult](t *testing.T, r R, site string) workflows.SiteResult {
	t.Helper()
	var sites []workflows.SiteResult
	switch r := any(r).(type) {
	case workflows.LdapSyncThenPushResult:
		sites = r.Sites
	case workflows.TriggerResult:
		sites = r.Sites
	}
	for _, s := range sites {
		if strings.HasSuffix(s.Site, "/"+site) {
			return s
		}
	}
	t.Fatalf("no result for site %s in %+v", site, sites)
	return workflows.SiteResult{}
}

// writes counts the simulator's write requests (addUser and updateUser) so far.
func (s *stack) writes() int {
	st := s.sim.Stats()
	return st.Requests["addUser"] + st.Requests["updateUser"] + st.Requests["removeUser"]
}

// recordDir is the folder where the simulator records every request body it receives.
func (s *stack) recordDir() string { return s.simRecord }

func writeFile(t *testing.T, path string, body []byte) {
	t.Helper()
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// deleteSubtree deletes dn and every entry below it, deepest first. slapd's mdb backend does
// not implement the subtree delete control.
func deleteSubtree(conn *ldap.Conn, dn string) error {
	result, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
	if err != nil {
		return err
	}
	entries := result.Entries
	sort.Slice(entries, func(i, j int) bool { return len(entries[i].DN) > len(entries[j].DN) })
	for _, e := range entries {
		if err := conn.Del(ldap.NewDelRequest(e.DN, nil)); err != nil {
			return fmt.Errorf("delete %s: %w", e.DN, err)
		}
	}
	return nil
}
