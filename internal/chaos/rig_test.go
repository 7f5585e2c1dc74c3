package chaos

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

// Credentials of the test's simulator. The worker process resolves the references from its
// environment.
const (
	axlUsername     = "axladmin"
	axlPassword     = "chaos-axl-secret"
	axlPasswordRef  = "env:CHAOS_AXL_PASSWORD"
	ldapPasswordRef = "env:CHAOS_LDAP_PASSWORD"
)

// rig is one test's part of the suite's stack: a database, a task queue served by a worker
// process of its own, an in-process AXL simulator, and a customer whose one site gets every
// user of the directory.
type rig struct {
	t           *testing.T
	ctx         context.Context
	s           *chaosSuite
	suffix      string
	databaseURL string
	db          *store.Store
	temporal    client.Client
	taskQueue   string
	sim         *axlsim.Server
	simCAFile   string
	customer    string
	directory   string
	site        domain.SiteRef
	clusterID   int64
	maxInFlight int
	worker      *workerProcess
}

// rigOptions shape the test's UCM and directory.
type rigOptions struct {
	// Latency is the simulator's delay per AXL request.
	Latency time.Duration
	// MaxInFlight is the cluster's in-flight limit, and the simulator's: more get HTTP 503.
	MaxInFlight int
	// LDAPURL replaces the suite's slapd URL, for a proxy in between.
	LDAPURL string
	// BaseDN replaces ou=people of the suite's directory, to push a part of it.
	BaseDN string
	// PageSize is the directory's page size; 0 means 500.
	PageSize int
	// MaxRequestsPerSecond is the cluster's request rate; 0 means no limit.
	MaxRequestsPerSecond float64
	// ManualPush turns the site's auto push off, so a sync only fills the store.
	ManualPush bool
}

// newRig sets up the test's database, simulator, configuration and worker process. Everything
// stops when the test ends.
func newRig(t *testing.T, opts rigOptions) *rig {
	t.Helper()
	s := requireSuite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)

	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, ctx: ctx, s: s, suffix: hex.EncodeToString(suffix), maxInFlight: opts.MaxInFlight}
	r.taskQueue = "chaos-" + r.suffix
	r.openDatabase()
	r.dialTemporal()
	r.startSimulator(opts)
	r.configure(opts)
	r.worker = r.startWorker()
	return r
}

func (r *rig) openDatabase() {
	t := r.t
	admin, err := pgx.Connect(r.ctx, r.s.settings["DATABASE_URL"])
	if err != nil {
		t.Fatalf("connect to the suite's database: %v", err)
	}
	defer admin.Close(context.Background())

	name := "chaos_" + r.suffix
	if _, err := admin.Exec(r.ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	cfg := admin.Config()
	r.databaseURL = fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User,
		cfg.Password, cfg.Host, cfg.Port, name)
	r.db, err = store.Open(r.ctx, r.databaseURL)
	if err != nil {
		t.Fatalf("open the test database: %v", err)
	}
	t.Cleanup(r.db.Close)
	if _, err := r.db.Migrate(r.ctx); err != nil {
		t.Fatalf("migrate the test database: %v", err)
	}
}

func (r *rig) dialTemporal() {
	log := slog.New(slog.DiscardHandler)
	tc, err := worker.Dial(r.s.settings["TEMPORAL_ADDRESS"], r.s.settings["TEMPORAL_NAMESPACE"], log)
	if err != nil {
		r.t.Fatalf("dial Temporal: %v", err)
	}
	r.t.Cleanup(tc.Close)
	r.temporal = tc
}

func (r *rig) startSimulator(opts rigOptions) {
	t := r.t
	r.sim = axlsim.New(axlsim.Options{Username: axlUsername, Password: axlPassword,
		Latency: opts.Latency, MaxInFlight: opts.MaxInFlight})
	if _, err := r.sim.StartTLS("127.0.0.1:0"); err != nil {
		t.Fatalf("start the AXL simulator: %v", err)
	}
	t.Cleanup(func() { _ = r.sim.Close() })
	r.simCAFile = filepath.Join(t.TempDir(), "axlsim-ca.pem")
	if err := os.WriteFile(r.simCAFile, r.sim.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// configure creates the customer, the cluster (the simulator), an NDL, the site with auto push
// on (unless ManualPush) and no confirmation guard, a rule that moves every user there, and the directory.
func (r *rig) configure(opts rigOptions) {
	t, ctx := r.t, r.ctx
	r.customer = "chaos-" + r.suffix
	r.directory = "ldap-" + r.suffix
	r.site = domain.SiteRef{Customer: r.customer, Site: "hq"}
	cluster := "ucm-" + r.suffix
	ndl := "ndl-" + r.suffix

	if _, err := r.db.CreateCustomer(ctx, r.customer, ""); err != nil {
		t.Fatalf("create customer: %v", err)
	}
	c, err := r.db.CreateCluster(ctx, domain.Cluster{Name: cluster, AXLURL: r.sim.URL(),
		AXLVersion: "14.0", Username: axlUsername, PasswordRef: axlPasswordRef,
		CAFile: r.simCAFile, MaxInFlight: opts.MaxInFlight,
		MaxRequestsPerSecond: opts.MaxRequestsPerSecond})
	if err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	r.clusterID = c.ID
	if _, err := r.db.CreateNDL(ctx, ndl, cluster); err != nil {
		t.Fatalf("create NDL: %v", err)
	}
	if _, err := r.db.CreateSite(ctx, r.site, ndl, !opts.ManualPush); err != nil {
		t.Fatalf("create site: %v", err)
	}
	if _, err := r.db.SetSiteConfirmAbove(ctx, r.site, 0); err != nil {
		t.Fatalf("turn off the confirmation guard: %v", err)
	}
	everyone, err := domain.ParseFilter("userid=*")
	if err != nil {
		t.Fatal(err)
	}
	rule := domain.MoveRule{Kind: domain.MoveByFilter, Filter: everyone, Priority: 100}
	if _, err := r.db.CreateMoveRule(ctx, r.site, rule); err != nil {
		t.Fatalf("create move rule: %v", err)
	}

	url, baseDN, pageSize := opts.LDAPURL, opts.BaseDN, opts.PageSize
	if url == "" {
		url = r.s.settings["LDAP_URL"]
	}
	if baseDN == "" {
		baseDN = "ou=people," + r.s.settings["LDAP_BASE_DN"]
	}
	if pageSize == 0 {
		pageSize = 500
	}
	_, err = r.db.CreateDirectory(ctx, domain.Directory{Name: r.directory, Customer: r.customer,
		URL: url, BindDN: r.s.settings["LDAP_BIND_DN"], BindPasswordRef: ldapPasswordRef,
		BaseDN: baseDN, Filter: "(objectClass=inetOrgPerson)", PageSize: pageSize,
		Mapping: domain.DefaultOpenLDAPMapping(), RemovalGuardPercent: domain.DefaultRemovalGuardPercent})
	if err != nil {
		t.Fatalf("create directory: %v", err)
	}
}

// workerProcess is a ucmpush-worker process of the test.
type workerProcess struct {
	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{}
}

// startWorker runs the worker binary on the test's task queue and waits until it polls. The
// test's cleanup kills it, and prints its log when the test failed.
func (r *rig) startWorker() *workerProcess {
	t := r.t
	t.Helper()
	w := &workerProcess{log: &lockedBuffer{}, exited: make(chan struct{})}
	w.cmd = exec.Command(r.s.workerBin, "--log-level", "info")
	w.cmd.Env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+r.s.settings["TEMPORAL_ADDRESS"],
		"TEMPORAL_NAMESPACE=default",
		"DATABASE_URL="+r.databaseURL,
		"DATABASE_URL_FILE=",
		"UCMPUSH_TASK_QUEUE="+r.taskQueue,
		"UCMPUSH_METRICS_LISTEN=",
		// The test's client reads results with the default data converter.
		"UCMPUSH_CODEC_KEY_FILE=", "UCMPUSH_PLAIN_PAYLOADS=true",
		"CHAOS_AXL_PASSWORD="+axlPassword,
		"CHAOS_LDAP_PASSWORD="+r.s.settings["LDAP_BIND_PASSWORD"],
	)
	w.cmd.Stdout, w.cmd.Stderr = w.log, w.log
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	go func() {
		_ = w.cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		w.kill()
		if t.Failed() {
			t.Logf("log of worker %d:\n%s", w.cmd.Process.Pid, w.log.String())
		}
	})

	if !waitFor(time.Minute, func() bool { return strings.Contains(w.log.String(), "Worker started") }) {
		t.Fatalf("worker %d did not log \"Worker started\" within a minute:\n%s", w.cmd.Process.Pid,
			w.log.String())
	}
	return w
}

// kill sends SIGKILL, so the process gets no chance to finish its activities, and waits for it
// to exit. It does nothing to a process that exited already.
func (w *workerProcess) kill() {
	select {
	case <-w.exited:
		return
	default:
	}
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.exited
}

// lockedBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startSync starts LdapSyncThenPush for the test's directory.
func (r *rig) startSync() client.WorkflowRun {
	r.t.Helper()
	run, err := r.temporal.ExecuteWorkflow(r.ctx, client.StartWorkflowOptions{
		ID:                       workflows.SyncWorkflowID(r.directory),
		TaskQueue:                r.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionTimeout: 8 * time.Minute,
	}, workflows.LdapSyncThenPush, workflows.LdapSyncThenPushInput{Directory: r.directory})
	if err != nil {
		r.t.Fatalf("start the sync: %v", err)
	}
	return run
}

// waitSync waits for the sync's result and fails the test when the sync failed or pushed
// anything but every user.
func (r *rig) waitSync(run client.WorkflowRun) workflows.LdapSyncThenPushResult {
	t := r.t
	t.Helper()
	var result workflows.LdapSyncThenPushResult
	r.waitWorkflow(run, &result)

	for _, site := range result.Sites {
		if site.Site != r.site.String() {
			continue
		}
		if site.Push == nil {
			t.Fatalf("site %s was not pushed: %s", site.Site, site.NotPushed)
		}
		if site.Push.Failed != 0 || site.Push.Error != "" {
			t.Fatalf("push of %s: %d failed, error %q, failures %+v", site.Site, site.Push.Failed,
				site.Push.Error, site.Push.Failures)
		}
		return result
	}
	t.Fatalf("the sync has no result for site %s: %+v", r.site, result.Sites)
	return result
}

// waitWorkflow waits for a workflow's result, asking again while the Temporal frontend is
// unavailable, and fails the test when the workflow failed.
func (r *rig) waitWorkflow(run client.WorkflowRun, result any) {
	t := r.t
	t.Helper()
	for {
		err := r.temporal.GetWorkflow(r.ctx, run.GetID(), run.GetRunID()).Get(r.ctx, result)
		if err == nil {
			return
		}
		if !transient(err) || r.ctx.Err() != nil {
			t.Fatalf("workflow %s: %v", run.GetID(), err)
		}
		t.Logf("waiting for the result of %s again: %v", run.GetID(), err)
		time.Sleep(time.Second)
	}
}

// transient reports whether a client call failed because the Temporal frontend could not be
// reached, which passes once it runs again.
func transient(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.As(err, &unavailable) || errors.As(err, &deadline) ||
		errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection refused")
}

// waitWrites waits until the simulator has executed at least n writes, and fails the test when
// that takes longer than timeout.
func (r *rig) waitWrites(n int, timeout time.Duration) {
	r.t.Helper()
	if !waitFor(timeout, func() bool { return r.sim.Stats().Writes >= n }) {
		r.t.Fatalf("the simulator saw %d writes within %s, want %d: the push did not get going",
			r.sim.Stats().Writes, timeout, n)
	}
}

// waitFor polls cond every 50 ms until it holds or timeout passes, and reports whether it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}
