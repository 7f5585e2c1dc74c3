package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// workerProcess is one ucmpush-worker binary that a test runs.
type workerProcess struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	exited chan error
}

// identityPrefix starts the Temporal identity of the process: the SDK's default identity is
// pid@host@.
func (w *workerProcess) identityPrefix() string { return fmt.Sprintf("%d@", w.cmd.Process.Pid) }

// startWorkerProcess runs bin on queue against the test's database, with the test's secrets in
// its environment and metrics off, and stops it when the test ends. It inherits the codec key
// file of UCMPUSH_CODEC_KEY_FILE, which the harness's clients encrypt with.
func (s *stack) startWorkerProcess(bin, queue string) *workerProcess {
	t := s.t
	t.Helper()
	urlFile := filepath.Join(t.TempDir(), "database-url")
	writeFile(t, urlFile, []byte(s.databaseURL+"\n"))

	w := &workerProcess{logs: &syncBuffer{}, exited: make(chan error, 1)}
	w.cmd = exec.Command(bin, "--log-format", "json")
	w.cmd.Env = append(os.Environ(),
		"DATABASE_URL=", "DATABASE_URL_FILE="+urlFile,
		"UCMPUSH_TASK_QUEUE="+queue,
		"UCMPUSH_METRICS_LISTEN=",
		"E2E_AXL_PASSWORD="+axlPassword,
		"E2E_LDAP_PASSWORD="+os.Getenv("LDAP_BIND_PASSWORD"))
	w.cmd.Stdout, w.cmd.Stderr = w.logs, w.logs
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("start the worker binary: %v", err)
	}
	go func() { w.exited <- w.cmd.Wait() }()
	t.Cleanup(func() {
		if w.cmd.ProcessState == nil {
			_ = w.cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("log of worker %d:\n%s", w.cmd.Process.Pid, w.logs.String())
		}
	})
	return w
}

// kill sends SIGKILL, so the process gets no chance to finish or hand back its activities,
// and waits for it to exit.
func (w *workerProcess) kill(t *testing.T) {
	t.Helper()
	if err := w.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill worker %d: %v", w.cmd.Process.Pid, err)
	}
	<-w.exited
}

// TestScaleOutSurvivesKilledWorker runs one push of 2,000 users on three worker processes and
// kills one with SIGKILL while it pushes a batch. The push must finish with every user written
// to the simulator exactly once and recorded as pushed, and only the three processes, never
// the harness's in-process worker, may run its tasks: they poll a task queue of their own.
func TestScaleOutSurvivesKilledWorker(t *testing.T) {
	const users = 2000
	s := newStack(t)
	s.useSlowSimulator(3 * time.Millisecond)
	s.configure("london:on")
	s.bulkUsers("london", users)
	bin := buildWorker(t)
	queue := "e2e-scale-" + s.suffix

	workers := make([]*workerProcess, 3)
	for i := range workers {
		workers[i] = s.startWorkerProcess(bin, queue)
	}
	for _, w := range workers {
		started := func() bool { return strings.Contains(w.logs.String(), `"Worker started"`) }
		if !waitFor(60*time.Second, started) {
			t.Fatalf("worker %d did not start within 60 s", w.cmd.Process.Pid)
		}
	}

	run := s.startSitePush(queue, "london")
	victim := s.busyWorker(run, workers, users)
	writesAtKill := s.sim.Stats().Writes
	victim.kill(t)
	killed := time.Now()
	lost := s.failLostAttempts(run, victim)
	t.Logf("killed worker %d while it ran %d PushUsers attempts, after %d of %d writes",
		victim.cmd.Process.Pid, lost, writesAtKill, users)
	if lost == 0 {
		t.Fatalf("the killed worker ran no attempt, so the kill tested nothing")
	}

	var result workflows.PushSiteResult
	if err := run.Get(s.ctx, &result); err != nil {
		t.Fatalf("push after the kill: %v", err)
	}
	t.Logf("push finished %s after the kill", time.Since(killed).Round(time.Millisecond))
	if result.Added+result.Unchanged != users || result.Failed != 0 {
		t.Errorf("push result %+v, want %d added or unchanged and none failed", result, users)
	}
	stats := s.sim.Stats()
	if stats.Writes != users || len(s.sim.Users()) != users {
		t.Errorf("simulator: %d writes, %d users; want %d and %d, each user once", stats.Writes,
			len(s.sim.Users()), users, users)
	}
	if stats.Writes <= writesAtKill {
		t.Errorf("no write after the kill (%d at the kill): the kill was not mid-push", writesAtKill)
	}
	s.expectAllPushed(users)
	s.expectOnlyProcessesRan(run, workers)
}

// startSitePush starts a PushSite of every user of the site on queue, as `ucmpush push site`
// does on the worker's queue.
func (s *stack) startSitePush(queue, siteName string) client.WorkflowRun {
	s.t.Helper()
	ref := s.site(siteName)
	site, err := s.db.Site(s.ctx, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	run, err := s.temporal.ExecuteWorkflow(s.ctx, client.StartWorkflowOptions{
		ID:                       workflows.SitePushWorkflowID(ref.String(), workflows.TriggerManual, ""),
		TaskQueue:                queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionTimeout: 5 * time.Minute,
	}, workflows.PushSite, workflows.PushSiteInput{SiteID: site.ID, Site: ref.String(),
		Trigger: workflows.TriggerManual, All: true})
	if err != nil {
		s.t.Fatalf("start push of %s: %v", ref, err)
	}
	return run
}

// busyWorker waits until the push has written a tenth of its users and one of workers runs a
// PushUsers attempt, and returns that worker.
func (s *stack) busyWorker(run client.WorkflowRun, workers []*workerProcess, users int) *workerProcess {
	s.t.Helper()
	var victim *workerProcess
	found := waitFor(60*time.Second, func() bool {
		if s.sim.Stats().Writes < users/10 {
			return false
		}
		desc, err := s.temporal.DescribeWorkflowExecution(s.ctx, run.GetID(), run.GetRunID())
		if err != nil {
			return false
		}
		for _, a := range desc.GetPendingActivities() {
			if a.GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED {
				continue
			}
			for _, w := range workers {
				if strings.HasPrefix(a.GetLastWorkerIdentity(), w.identityPrefix()) {
					victim = w
					return true
				}
			}
		}
		return false
	})
	if !found {
		s.t.Fatalf("no worker process ran a PushUsers batch after %d writes within 60 s",
			s.sim.Stats().Writes)
	}
	return victim
}

// failLostAttempts fails every attempt that the killed worker was running, as
// `temporal activity fail` does, so Temporal retries those batches on the other workers at
// once, and returns how many it failed. Without it Temporal notices the dead worker only when
// the heartbeat timeout of 2 minutes (pushOptions in workflows/options.go) passes, so this test
// would take minutes. The retry that follows is the same either way.
func (s *stack) failLostAttempts(run client.WorkflowRun, victim *workerProcess) int {
	s.t.Helper()
	desc, err := s.temporal.DescribeWorkflowExecution(s.ctx, run.GetID(), run.GetRunID())
	if err != nil {
		s.t.Fatalf("describe the push: %v", err)
	}

	lost := temporal.NewApplicationError("the worker running this attempt was killed", "WorkerLost")
	failed := 0
	for _, a := range desc.GetPendingActivities() {
		if a.GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED ||
			!strings.HasPrefix(a.GetLastWorkerIdentity(), victim.identityPrefix()) {
			continue
		}
		err := s.temporal.CompleteActivityByID(s.ctx, envOr("TEMPORAL_NAMESPACE", "default"),
			run.GetID(), run.GetRunID(), a.GetActivityId(), nil, lost)
		if err != nil {
			s.t.Fatalf("fail the lost attempt of activity %s: %v", a.GetActivityId(), err)
		}
		failed++
	}
	return failed
}

// expectAllPushed checks that the store records every user of the customer as pushed.
func (s *stack) expectAllPushed(users int) {
	s.t.Helper()
	stored, err := s.db.Users(s.ctx, store.UserFilter{Customer: s.customer, Limit: users + 1})
	if err != nil {
		s.t.Fatalf("list users: %v", err)
	}
	pushed := 0
	var others []string
	for _, u := range stored {
		if u.PushStatus == "pushed" {
			pushed++
		} else if len(others) < 5 {
			others = append(others, fmt.Sprintf("%s is %q (%s)", u.UserID, u.PushStatus, u.PushReason))
		}
	}
	if len(stored) != users || pushed != users {
		s.t.Errorf("store: %d users, %d pushed; want %d and %d; for example %s", len(stored),
			pushed, users, users, strings.Join(others, ", "))
	}
}

// expectOnlyProcessesRan checks in the push's history that every workflow and activity task
// ran on one of the worker processes, and that more than one of them shared the activities.
func (s *stack) expectOnlyProcessesRan(run client.WorkflowRun, workers []*workerProcess) {
	s.t.Helper()
	ran := map[*workerProcess]int{}
	iter := s.temporal.GetWorkflowHistory(s.ctx, run.GetID(), run.GetRunID(), false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			s.t.Fatalf("read the push's history: %v", err)
		}
		identity := ""
		switch {
		case event.GetActivityTaskStartedEventAttributes() != nil:
			identity = event.GetActivityTaskStartedEventAttributes().GetIdentity()
		case event.GetWorkflowTaskStartedEventAttributes() != nil:
			identity = event.GetWorkflowTaskStartedEventAttributes().GetIdentity()
		default:
			continue
		}
		w := workerOf(identity, workers)
		if w == nil {
			s.t.Errorf("event %d ran on %q, not on one of the worker processes", event.GetEventId(), identity)
			continue
		}
		if event.GetActivityTaskStartedEventAttributes() != nil {
			ran[w]++
		}
	}
	if len(ran) < 2 {
		s.t.Errorf("activities ran on %d worker processes, want the work shared by at least 2", len(ran))
	}
	for w, n := range ran {
		s.t.Logf("worker %d ran %d activities", w.cmd.Process.Pid, n)
	}
}

func workerOf(identity string, workers []*workerProcess) *workerProcess {
	for _, w := range workers {
		if strings.HasPrefix(identity, w.identityPrefix()) {
			return w
		}
	}
	return nil
}
