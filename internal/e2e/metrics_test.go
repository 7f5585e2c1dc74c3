package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/metrics"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

// londonPeople returns n people whose telephone numbers move them to london.
func londonPeople(n int) []person {
	people := make([]person, n)
	for i := range people {
		people[i] = person{uid: fmt.Sprintf("metrics%02d", i), given: "Test", sn: fmt.Sprintf("User %d", i),
			mail: fmt.Sprintf("metrics%02d@example.com", i), phone: fmt.Sprintf("+4420710%05d", i)}
	}
	return people
}

// metricValue returns the value of the series name whose labels include labels (the sample
// count for a histogram), and whether there is one.
func metricValue(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatalf("gather metrics: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, series := range f.GetMetric() {
			if !hasLabels(series.GetLabel(), labels) {
				continue
			}
			switch {
			case series.Counter != nil:
				return series.GetCounter().GetValue(), true
			case series.Gauge != nil:
				return series.GetGauge().GetValue(), true
			case series.Histogram != nil:
				return float64(series.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func hasLabels(pairs []*dto.LabelPair, want map[string]string) bool {
	found := 0
	for _, p := range pairs {
		if v, ok := want[p.GetName()]; ok && v == p.GetValue() {
			found++
		}
	}
	return found == len(want)
}

// TestSyncMovesWorkerCounters runs a sync on the harness's worker, which registers its
// activities with metrics.Default, and checks every ucmpush metric against the sync's result
// and the simulator's request counts.
func TestSyncMovesWorkerCounters(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	people := londonPeople(4)
	s.addPeople(people...)

	result := s.mustSync()
	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Added != len(people) {
		t.Fatalf("london push = %+v, want %d added", london.Push, len(people))
	}

	m := metrics.Default()
	cluster := map[string]string{"cluster": s.cluster}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"ucmpush_pushes_total", map[string]string{"cluster": s.cluster, "outcome": "added"}, float64(len(people))},
		{"ucmpush_directory_entries_total", map[string]string{"directory": s.directory},
			float64(result.Search.Entries)},
		{"ucmpush_sync_users", map[string]string{"directory": s.directory, "kind": "found"},
			float64(result.Sync.Found)},
		{"ucmpush_sync_users", map[string]string{"directory": s.directory, "kind": "added"},
			float64(result.Sync.Added)},
		{"ucmpush_axl_requests_total", map[string]string{"cluster": s.cluster, "operation": "addUser",
			"result": "ok"}, float64(len(people))},
		{"ucmpush_axl_requests_total", map[string]string{"cluster": s.cluster, "operation": "getUser",
			"result": "fault"}, float64(len(people))},
		{"ucmpush_axl_request_seconds", map[string]string{"cluster": s.cluster, "operation": "addUser"},
			float64(len(people))},
	}
	for _, c := range checks {
		got, ok := metricValue(t, m, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %t), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if got, ok := metricValue(t, m, "ucmpush_axl_throttled_total", cluster); ok && got != 0 {
		t.Errorf("ucmpush_axl_throttled_total = %v, want 0", got)
	}

	// Every AXL request the simulator received is counted once, whatever its result.
	for op, n := range s.sim.Stats().Requests {
		var total float64
		for _, result := range []string{"ok", "fault", "throttled", "error"} {
			v, _ := metricValue(t, m, "ucmpush_axl_requests_total", map[string]string{
				"cluster": s.cluster, "operation": op, "result": result})
			total += v
		}
		if total != float64(n) {
			t.Errorf("%s: counted %v AXL requests, the simulator received %d", op, total, n)
		}
	}

	var text bytes.Buffer
	families, _ := m.Gatherer().Gather()
	for _, f := range families {
		text.WriteString(f.String())
	}
	for _, p := range people {
		if strings.Contains(text.String(), p.uid) || strings.Contains(text.String(), p.mail) {
			t.Errorf("the metrics contain the personal data of %s", p.uid)
		}
	}
}

// useSlowSimulator replaces the stack's simulator, before configure, with one that delays
// every request, so an activity is still running when the test stops the worker.
func (s *stack) useSlowSimulator(latency time.Duration) {
	t := s.t
	sim := axlsim.New(axlsim.Options{Username: axlUsername, Password: axlPassword, Latency: latency})
	if _, err := sim.StartTLS("127.0.0.1:0"); err != nil {
		t.Fatalf("start the slow AXL simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	if err := os.WriteFile(s.simCAFile, sim.CertificatePEM(), 0o600); err != nil {
		t.Fatalf("write the slow simulator's certificate: %v", err)
	}
	s.sim = sim
}

// syncBuffer is a bytes.Buffer safe for the writes of a process and the reads of a test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logEntries parses the worker's JSON log, one object a line.
func logEntries(t *testing.T, log string) []map[string]any {
	t.Helper()
	var entries []map[string]any
	scanner := bufio.NewScanner(strings.NewReader(log))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var entry map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &entry); err != nil {
			t.Errorf("log line is not JSON: %q", scanner.Text())
			continue
		}
		entries = append(entries, entry)
	}
	return entries
}

func findEntry(entries []map[string]any, msg string) map[string]any {
	for _, e := range entries {
		if e["msg"] == msg {
			return e
		}
	}
	return nil
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
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

func buildWorker(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: install Go 1.26 to build the worker binary")
	}
	bin := filepath.Join(t.TempDir(), "ucmpush-worker")
	build := exec.Command(goTool, "build", "-o", bin, "./worker/cmd/ucmpush-worker")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the worker: %v\n%s", err, out)
	}
	return bin
}

func httpGet(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// TestWorkerBinaryDrainsOnSIGTERM runs the ucmpush-worker binary on a task queue of its own
// and sends SIGTERM while a PushUsers activity runs against a slow simulator. The activity
// must finish before the process exits 0, /readyz must turn 503 while it drains, and the
// JSON log must carry the workflow IDs and none of the secrets.
func TestWorkerBinaryDrainsOnSIGTERM(t *testing.T) {
	s := newStack(t)
	s.useSlowSimulator(100 * time.Millisecond)
	s.configure("london:on")
	s.moveByFilter("london", "telephoneNumber=+4420*")
	people := londonPeople(12)
	s.addPeople(people...)
	bin := buildWorker(t)

	urlFile := filepath.Join(t.TempDir(), "database-url")
	if err := os.WriteFile(urlFile, []byte(s.databaseURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	queue := "e2e-binary-" + s.suffix
	var logs syncBuffer
	cmd := exec.Command(bin, "--log-format", "json", "--shutdown-timeout", "30s")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL=", "DATABASE_URL_FILE="+urlFile,
		"UCMPUSH_TASK_QUEUE="+queue,
		"UCMPUSH_METRICS_LISTEN=127.0.0.1:0",
		"E2E_AXL_PASSWORD="+axlPassword,
		"E2E_LDAP_PASSWORD="+os.Getenv("LDAP_BIND_PASSWORD"))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("worker log:\n%s", logs.String())
		}
	})

	if !waitFor(60*time.Second, func() bool { return strings.Contains(logs.String(), `"Worker started"`) }) {
		t.Fatalf("the worker did not start within 60 s")
	}
	serving := findEntry(logEntries(t, logs.String()), "Serving metrics and health checks")
	if serving == nil {
		t.Fatalf("the log has no metrics address")
	}
	base := fmt.Sprintf("http://%s", serving["address"])
	if code, body, err := httpGet(base + "/readyz"); err != nil || code != http.StatusOK {
		t.Fatalf("/readyz = %d %q %v, want 200", code, body, err)
	}

	run, err := s.temporal.ExecuteWorkflow(s.ctx, client.StartWorkflowOptions{
		ID: workflows.SyncWorkflowID(s.directory), TaskQueue: queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionTimeout: 5 * time.Minute,
	}, workflows.LdapSyncThenPush, workflows.LdapSyncThenPushInput{Directory: s.directory})
	if err != nil {
		t.Fatalf("start sync: %v", err)
	}
	if !waitFor(60*time.Second, func() bool { return s.sim.Stats().Requests["addUser"] >= 2 }) {
		t.Fatalf("the push did not start within 60 s")
	}

	code, scraped, err := httpGet(base + "/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("/metrics = %d %v", code, err)
	}
	for _, want := range []string{"temporal_request_total{", "temporal_activity_execution_latency_seconds_bucket{",
		fmt.Sprintf(`ucmpush_axl_requests_total{cluster=%q,operation="addUser",result="ok"}`, s.cluster),
		fmt.Sprintf(`ucmpush_directory_entries_total{directory=%q} %d`, s.directory, len(people))} {
		if !strings.Contains(scraped, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	signaled := time.Now()
	if !waitFor(5*time.Second, func() bool {
		code, body, err := httpGet(base + "/readyz")
		return err == nil && code == http.StatusServiceUnavailable && strings.TrimSpace(body) == "stopping"
	}) {
		t.Errorf("/readyz did not turn 503 stopping after SIGTERM")
	}

	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the worker exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatalf("the worker did not exit within 45 s of SIGTERM")
	}
	drained := time.Since(signaled)
	if got := s.sim.Stats().Requests["addUser"]; got != len(people) {
		t.Errorf("the simulator received %d addUser before the worker exited, want all %d: the "+
			"running activity did not finish", got, len(people))
	}
	if drained >= 30*time.Second {
		t.Errorf("draining took %s, the whole shutdown timeout", drained)
	}

	checkWorkerLog(t, s, logs.String())
	finishOnInProcessWorker(t, s, queue, run, len(people))
}

// checkWorkerLog checks the steps of the binary's log, the IDs an operator searches by, and
// that no secret appears.
func checkWorkerLog(t *testing.T, s *stack, log string) {
	t.Helper()
	entries := logEntries(t, log)
	for _, msg := range []string{"Worker starting", "Database ready", "Connected to Temporal",
		"Search attributes ready", "Worker started", "Shutdown requested",
		"Worker stopping: polling ends, running activities may finish", "Worker stopped"} {
		if findEntry(entries, msg) == nil {
			t.Errorf("the log lacks %q", msg)
		}
	}
	if e := findEntry(entries, "Shutdown requested"); e != nil && e["signal"] != "terminated" {
		t.Errorf("Shutdown requested names signal %v, want terminated", e["signal"])
	}
	if findEntry(entries, "Shutdown timeout reached: activities still running were canceled and "+
		"Temporal retries them") != nil {
		t.Errorf("the worker ran into its shutdown timeout")
	}

	syncID := workflows.SyncWorkflowID(s.directory)
	var syncLines, pushLines int
	for _, e := range entries {
		id, _ := e["WorkflowID"].(string)
		switch {
		case id == syncID:
			syncLines++
		case strings.HasPrefix(id, "push/"+s.customer+"/london/"):
			pushLines++
		}
	}
	if syncLines == 0 || pushLines == 0 {
		t.Errorf("log lines with WorkflowID %s: %d, with a push workflow of london: %d; want both",
			syncID, syncLines, pushLines)
	}

	dbConfig, err := pgx.ParseConfig(s.databaseURL)
	if err != nil {
		t.Fatalf("parse the database URL: %v", err)
	}
	for name, secret := range map[string]string{"AXL password": axlPassword,
		"LDAP password": os.Getenv("LDAP_BIND_PASSWORD"), "database password": dbConfig.Password} {
		if secret != "" && strings.Contains(log, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
}

// finishOnInProcessWorker lets a worker in the test finish the sync that the stopped binary
// left, and checks that no user was pushed twice.
func finishOnInProcessWorker(t *testing.T, s *stack, queue string, run client.WorkflowRun, pushed int) {
	t.Helper()
	resolver := secrets.Resolver{LookupEnv: func(name string) (string, bool) {
		switch name {
		case "E2E_AXL_PASSWORD":
			return axlPassword, true
		case "E2E_LDAP_PASSWORD":
			return os.Getenv("LDAP_BIND_PASSWORD"), true
		}
		return "", false
	}}
	w := sdkworker.New(s.temporal, queue, sdkworker.Options{})
	worker.RegisterWith(w, s.db, resolver, nil)
	if err := w.Start(); err != nil {
		t.Fatalf("start the in-process worker: %v", err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Minute)
	defer cancel()
	var result workflows.LdapSyncThenPushResult
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("the sync failed after the worker restart: %v", err)
	}
	london := siteResult(t, result, "london")
	if london.Push == nil || london.Push.Added != pushed {
		t.Errorf("london push = %+v, want %d added", london.Push, pushed)
	}
	if got := s.sim.Stats().Requests["addUser"]; got != pushed {
		t.Errorf("the simulator received %d addUser in all, want %d: a user was pushed twice", got, pushed)
	}
}
