package e2e

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/codec"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/internal/temporalclient"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

// testResolver resolves the test's password references, as the worker of newStack does.
func testResolver() secrets.Resolver {
	return secrets.Resolver{LookupEnv: func(name string) (string, bool) {
		switch name {
		case "E2E_AXL_PASSWORD":
			return axlPassword, true
		case "E2E_LDAP_PASSWORD":
			return os.Getenv("LDAP_BIND_PASSWORD"), true
		}
		return "", false
	}}
}

// useCodecWorker starts a worker whose client encrypts payloads and failures with keys, on a
// task queue of its own, and makes the stack start its syncs through that client. It is for
// stacks that run with UCMPUSH_PLAIN_PAYLOADS=true, whose own worker does not encrypt.
func (s *stack) useCodecWorker(keys *codec.Keyring) {
	t := s.t
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))

	s.temporalCfg.DataConverter = codec.DataConverter(keys)
	s.temporalCfg.FailureConverter = codec.FailureConverter(keys)
	s.codecKeys = keys
	tc := s.dialTemporal(log)

	s.taskQueue += "-codec"
	w := sdkworker.New(tc, s.taskQueue, sdkworker.Options{})
	worker.Register(w, s.db, testResolver())
	if err := w.Start(); err != nil {
		t.Fatalf("start codec worker: %v", err)
	}
	t.Cleanup(w.Stop)

	s.temporal = tc
}

// plainClient dials Temporal as a client without the key file does (--plain-payloads), so it
// reads histories as the Temporal server stores them.
func (s *stack) plainClient() client.Client {
	t := s.t
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))

	tc, err := temporalclient.Dial(s.ctx, temporalclient.Config{Address: s.temporalCfg.Address,
		Namespace: s.temporalCfg.Namespace, PlainPayloads: true, Logger: log})
	if err != nil {
		t.Fatalf("dial Temporal without the codec: %v", err)
	}
	t.Cleanup(tc.Close)

	return tc
}

// requireCodec skips a test that needs the stack's payload encryption when the stack runs
// with plain payloads on purpose.
func (s *stack) requireCodec() {
	if s.codecKeys == nil {
		s.t.Skip("the stack runs with UCMPUSH_PLAIN_PAYLOADS=true; unset it to test the codec " +
			"of the harness, the CLI and the worker")
	}
}

func testCodecKeys(t *testing.T) *codec.Keyring {
	t.Helper()

	line, err := codec.GenerateKey("e2e")
	if err != nil {
		t.Fatal(err)
	}

	keys, err := codec.ParseKeys([]byte(line), "e2e test key")
	if err != nil {
		t.Fatal(err)
	}

	return keys
}

func TestCodecEncryptsSyncHistories(t *testing.T) {
	s := newStack(t)
	if s.codecKeys == nil {
		s.useCodecWorker(testCodecKeys(t))
	}
	s.configure("london:on")
	s.moveByFilter("london", "userid=*")
	s.addPeople(londonAndParis()...)

	s.sim.InjectFault("addUser", axlsim.InjectedFault{Code: 5003, Message: "The value is invalid"})
	firstRun := s.startSync()

	s.modifyPerson("alice", "mail", "alice.new@example.com")
	s.sim.InjectFault(axlsim.AllOperations, axlsim.InjectedFault{HTTPStatus: 401, Count: 50})
	secondRun := s.startSync()
	s.sim.ClearFaults()

	// What the server stores, read without the key.
	codecClient := s.temporal
	plain := s.plainClient()
	s.temporal = plain
	stored := &historyText{t: t, converter: converter.GetDefaultDataConverter()}
	for _, runID := range []string{firstRun, secondRun} {
		stored.collect(s, workflows.SyncWorkflowID(s.directory), runID)
	}

	// Every payload but search attributes is encrypted, so the plain reader cannot read them.
	if len(stored.unreadable) == 0 {
		t.Fatal("the stored history holds no encrypted payload")
	}

	for _, problem := range stored.unreadable {
		if problem != "payload with encoding "+codec.EncodingEncrypted {
			t.Errorf("stored history holds a %s", problem)
		}
	}

	storedText := strings.Join(stored.parts, "\n")

	// Failure messages name userids, so the failure converter encrypts them too.
	if strings.Contains(storedText, "HTTP 401") {
		t.Error("stored history contains the 401 failure message in clear text")
	}

	for _, personal := range []string{"alice", "alice@example.com", "Smith & Sons", "田中", "Lefèvre",
		"The value is invalid"} {
		if strings.Contains(storedText, personal) ||
			strings.Contains(storedText, base64.StdEncoding.EncodeToString([]byte(personal))) {
			t.Errorf("stored history contains %q in clear text", personal)
		}
	}

	// A client without the key cannot read the result, and its error names the setting.
	var result workflows.LdapSyncThenPushResult
	err := plain.GetWorkflow(s.ctx, workflows.SyncWorkflowID(s.directory), firstRun).Get(s.ctx, &result)
	if err == nil || !strings.Contains(err.Error(), temporalclient.EnvCodecKeyFile) ||
		!strings.Contains(err.Error(), s.codecKeys.EncryptionKeyID()) {
		t.Errorf("a plain client read the encrypted result: %v, want an error naming %s and key %q",
			err, temporalclient.EnvCodecKeyFile, s.codecKeys.EncryptionKeyID())
	}

	// With the key, the same runs read in full: the fault reason and the 401 are there.
	s.temporal = codecClient
	decoded := &historyText{t: t, converter: converter.GetDefaultDataConverter(),
		decodeWith: codec.NewCodec(s.codecKeys)}
	for _, runID := range []string{firstRun, secondRun} {
		decoded.collect(s, workflows.SyncWorkflowID(s.directory), runID)
	}

	decodedText := strings.Join(decoded.parts, "\n")
	for _, want := range []string{"The value is invalid", "HTTP 401", s.directory, "alice"} {
		if !strings.Contains(decodedText, want) {
			t.Errorf("history decoded with the key lacks %q", want)
		}
	}

	for _, problem := range decoded.unreadable {
		t.Errorf("history decoded with the key holds a %s", problem)
	}

	err = codecClient.GetWorkflow(s.ctx, workflows.SyncWorkflowID(s.directory), firstRun).Get(s.ctx, &result)
	if err != nil || result.Directory != s.directory {
		t.Errorf("the result read with the key = %+v, %v; want directory %s", result, err, s.directory)
	}
}

// TestCodecCLIMatchesWorker runs the in-process CLI against the stack's encrypting worker. It
// must reject a workflow start until payload encryption is chosen, and as a plain client it
// must name the missing setting when it meets the encrypted result.
func TestCodecCLIMatchesWorker(t *testing.T) {
	s := newStack(t)
	s.requireCodec()
	s.configure("london:on")
	s.moveByFilter("london", "userid=*")
	s.addPeople(londonAndParis()...)

	// With the stack's key file, as `. .devstack/env` sets it, the CLI reads the result.
	out := s.mustCLI("sync", s.directory, "--wait")
	if !strings.Contains(out, "5 entries read") {
		t.Errorf("sync output with the key lacks the search counts:\n%s", out)
	}

	t.Setenv(temporalclient.EnvCodecKeyFile, "")
	t.Setenv(temporalclient.EnvPlainPayloads, "")

	_, _, err := s.cli("sync", s.directory, "--wait")
	if err == nil {
		t.Fatal("the CLI started a sync without a codec key file or --plain-payloads")
	}
	for _, want := range []string{"on by default", temporalclient.EnvCodecKeyFile, "--plain-payloads"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	// Commands that only touch the store need no key.
	if _, _, err := s.cli("customer", "list"); err != nil {
		t.Errorf("customer list without a codec key file: %v", err)
	}

	// A plain CLI starts the sync (the worker reads plain input) but cannot read its result.
	_, _, err = s.cli("--plain-payloads", "sync", s.directory, "--wait")
	if err == nil {
		t.Fatal("a plain CLI read the result of an encrypting worker")
	}
	for _, want := range []string{s.codecKeys.EncryptionKeyID(), temporalclient.EnvCodecKeyFile,
		"--plain-payloads"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	description, err := s.temporal.DescribeWorkflowExecution(s.ctx, workflows.SyncWorkflowID(s.directory), "")
	if err != nil {
		t.Fatalf("describe the plain CLI's sync: %v", err)
	}
	if status := description.GetWorkflowExecutionInfo().GetStatus(); status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("the plain CLI's sync is %s, want completed: only reading its result fails", status)
	}
}

// TestCodecPlainWorkerFailsTaskNotWorkflow starts a sync with the encrypting client on the
// task queue of a worker without the key. The worker must fail the workflow task with an
// error naming the setting, and the workflow must wait for a worker with the key, which then
// finishes it.
func TestCodecPlainWorkerFailsTaskNotWorkflow(t *testing.T) {
	s := newStack(t)
	s.requireCodec()
	s.configure("london:on")
	s.addPeople(londonAndParis()...)

	queue := s.taskQueue + "-plain"
	plainWorker := sdkworker.New(s.plainClient(), queue, sdkworker.Options{})
	worker.Register(plainWorker, s.db, testResolver())
	if err := plainWorker.Start(); err != nil {
		t.Fatalf("start the plain worker: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			plainWorker.Stop()
		}
	})

	run, err := s.temporal.ExecuteWorkflow(s.ctx, client.StartWorkflowOptions{
		ID: workflows.SyncWorkflowID(s.directory), TaskQueue: queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionTimeout: 5 * time.Minute,
	}, workflows.LdapSyncThenPush, workflows.LdapSyncThenPushInput{Directory: s.directory})
	if err != nil {
		t.Fatalf("start sync: %v", err)
	}

	var message string
	if !waitFor(30*time.Second, func() bool {
		message = workflowTaskFailure(t, s, run)
		return message != ""
	}) {
		t.Fatal("the plain worker did not fail a workflow task within 30 s")
	}
	for _, want := range []string{s.codecKeys.EncryptionKeyID(), temporalclient.EnvCodecKeyFile} {
		if !strings.Contains(message, want) {
			t.Errorf("workflow task failure %q lacks %q", message, want)
		}
	}

	description, err := s.temporal.DescribeWorkflowExecution(s.ctx, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatalf("describe the sync: %v", err)
	}
	if status := description.GetWorkflowExecutionInfo().GetStatus(); status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the sync is %s after the plain worker's failure, want running", status)
	}

	plainWorker.Stop()
	stopped = true
	keyed := sdkworker.New(s.temporal, queue, sdkworker.Options{})
	worker.Register(keyed, s.db, testResolver())
	if err := keyed.Start(); err != nil {
		t.Fatalf("start the worker with the key: %v", err)
	}
	t.Cleanup(keyed.Stop)

	var result workflows.LdapSyncThenPushResult
	if err := run.Get(s.ctx, &result); err != nil {
		t.Fatalf("the sync failed on the worker with the key: %v", err)
	}
	if result.Search.Entries != 5 {
		t.Errorf("the sync read %d entries, want 5", result.Search.Entries)
	}
}

// workflowTaskFailure returns the message of the first WorkflowTaskFailed event of run, or ""
// when there is none yet.
func workflowTaskFailure(t *testing.T, s *stack, run client.WorkflowRun) string {
	t.Helper()
	events := s.temporal.GetWorkflowHistory(s.ctx, run.GetID(), run.GetRunID(), false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		event, err := events.Next()
		if err != nil {
			t.Fatalf("read the history of %s: %v", run.GetID(), err)
		}
		if attrs := event.GetWorkflowTaskFailedEventAttributes(); attrs != nil {
			return attrs.GetFailure().GetMessage()
		}
	}
	return ""
}

// TestCodecWorkerBinaryNeedsKeyOrPlain runs the ucmpush-worker binary without a codec key
// file, with an unsafe one, with --plain-payloads and with the stack's key file.
func TestCodecWorkerBinaryNeedsKeyOrPlain(t *testing.T) {
	s := newStack(t)
	bin := buildWorker(t)
	urlFile := filepath.Join(t.TempDir(), "database-url")
	writeFile(t, urlFile, []byte(s.databaseURL+"\n"))
	env := append(os.Environ(), "DATABASE_URL=", "DATABASE_URL_FILE="+urlFile,
		"UCMPUSH_TASK_QUEUE="+s.taskQueue+"-binary", "UCMPUSH_METRICS_LISTEN=",
		temporalclient.EnvCodecKeyFile+"=", temporalclient.EnvPlainPayloads+"=")

	readable := filepath.Join(t.TempDir(), "codec-keys")
	line, err := codec.GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, readable, []byte(line+"\n"))
	if err := os.Chmod(readable, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no key file", nil, []string{"--codec-key-file", temporalclient.EnvCodecKeyFile,
			temporalclient.EnvPlainPayloads + "=true"}},
		{"world-readable key file", []string{"--codec-key-file", readable},
			[]string{readable, "chmod 600", temporalclient.EnvCodecKeyFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = env
			out, err := cmd.CombinedOutput()

			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("ucmpush-worker %s: %v, want exit status 2\n%s", strings.Join(tc.args, " "),
					err, out)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(string(out), "Database ready") {
				t.Errorf("the worker went on to the database:\n%s", out)
			}
		})
	}

	t.Run("plain payloads", func(t *testing.T) {
		log := runWorkerUntilStarted(t, bin, env, "--plain-payloads")
		warning := findEntry(logEntries(t, log), "Payload encryption is off: Temporal stores "+
			"workflow inputs, results and failure messages, which carry userids, names and other "+
			"directory fields, in clear text; set --codec-key-file to encrypt them")
		if warning == nil || warning["level"] != "WARN" {
			t.Errorf("the log has no warning about plain payloads:\n%s", log)
		}
		if e := findEntry(logEntries(t, log), "Worker starting"); e == nil || e["payloads"] != "plain" {
			t.Errorf("Worker starting does not say payloads=plain: %v", e)
		}
	})

	t.Run("key file", func(t *testing.T) {
		if s.codecKeys == nil {
			t.Skip("the stack runs with plain payloads")
		}
		log := runWorkerUntilStarted(t, bin, env, "--codec-key-file", s.temporalCfg.CodecKeyFile)
		on := findEntry(logEntries(t, log), "Payload encryption on")
		if on == nil || on["encryptionKeyID"] != s.codecKeys.EncryptionKeyID() {
			t.Errorf("the log does not name encryption key %q: %v\n%s",
				s.codecKeys.EncryptionKeyID(), on, log)
		}
		if strings.Contains(log, "Payload encryption is off") {
			t.Errorf("the worker with a key file warns about plain payloads:\n%s", log)
		}
	})
}

// runWorkerUntilStarted runs the worker binary with a JSON log until it logs Worker started,
// stops it with SIGTERM, checks that it exits 0 and returns its log.
func runWorkerUntilStarted(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	var logs syncBuffer
	cmd := exec.Command(bin, append([]string{"--log-format", "json"}, args...)...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	started := waitFor(60*time.Second, func() bool {
		return strings.Contains(logs.String(), `"Worker started"`)
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the worker exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(45 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Errorf("the worker did not exit within 45 s of SIGTERM")
	}
	if !started {
		t.Fatalf("the worker did not start within 60 s:\n%s", logs.String())
	}

	return logs.String()
}

// decodePayloads returns a copy of m with every payload inside it decoded by c, so a history
// read with the key can be checked as text.
func decodePayloads(t *testing.T, m proto.Message, c converter.PayloadCodec) proto.Message {
	t.Helper()

	copied := proto.Clone(m)
	var failed error
	walkPayloads(copied.ProtoReflect(), func(p *commonpb.Payload) {
		out, err := c.Decode([]*commonpb.Payload{p})
		if err != nil {
			failed = err
			return
		}
		// A payload that is not encrypted comes back as the same pointer.
		if out[0] != p {
			proto.Reset(p)
			proto.Merge(p, out[0])
		}
	})

	if failed != nil {
		t.Fatalf("decode a payload of %T: %v", m, failed)
	}

	return copied
}
