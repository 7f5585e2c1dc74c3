package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/codec"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

// logBuffer collects log lines from the worker's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.String()
}

// useLoggedWorker starts a second worker, logging at debug level into logs, on a task queue
// of its own, and points the stack's syncs at it. The worker of newStack logs at warn only.
// It encodes payloads as the stack's client does.
func (s *stack) useLoggedWorker(logs *logBuffer) {
	t := s.t
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tc := s.dialTemporal(log)

	resolver := secrets.Resolver{LookupEnv: func(name string) (string, bool) {
		switch name {
		case "E2E_AXL_PASSWORD":
			return axlPassword, true
		case "E2E_LDAP_PASSWORD":
			return os.Getenv("LDAP_BIND_PASSWORD"), true
		}
		return "", false
	}}

	s.taskQueue += "-logged"
	w := sdkworker.New(tc, s.taskQueue, sdkworker.Options{})
	worker.Register(w, s.db, resolver)
	if err := w.Start(); err != nil {
		t.Fatalf("start logged worker: %v", err)
	}
	t.Cleanup(w.Stop)
}

// secretForms returns the ways a secret could show in text: as is, URL-escaped, and in
// base64 at any byte alignment (payload data and HTTP basic authentication use base64).
func secretForms(secret string) []string {
	forms := []string{secret, url.QueryEscape(secret)}

	for shift := range 3 {
		padded := strings.Repeat("\x00", shift) + secret
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := strings.TrimRight(enc.EncodeToString([]byte(padded)), "=")
			start, end := (shift*4+2)/3, len(s)-2
			if end > start {
				forms = append(forms, s[start:end])
			}
		}
	}

	return forms
}

// historyText is everything that Temporal stores about the test's workflows, as text.
type historyText struct {
	t          *testing.T
	parts      []string
	workflows  []string
	payloads   int
	converter  converter.DataConverter
	unreadable []string
	// decodeWith, when set, decodes every payload before it is read, as a reader with the
	// key of an encrypting codec does.
	decodeWith converter.PayloadCodec
}

// addMessage adds m as protobuf JSON and every payload inside it decoded to its JSON text.
func (h *historyText) addMessage(m proto.Message) {
	if h.decodeWith != nil {
		m = decodePayloads(h.t, m, h.decodeWith)
	}

	text, err := protojson.Marshal(m)
	if err != nil {
		h.t.Fatalf("marshal %T: %v", m, err)
	}
	h.parts = append(h.parts, string(text))

	walkPayloads(m.ProtoReflect(), func(p *commonpb.Payload) {
		h.payloads++
		encoding := string(p.GetMetadata()[converter.MetadataEncoding])

		switch encoding {
		case converter.MetadataEncodingJSON, converter.MetadataEncodingProtoJSON:
			if !json.Valid(p.GetData()) {
				h.unreadable = append(h.unreadable, encoding+" payload that is not JSON")
			}
			h.parts = append(h.parts, h.converter.ToString(p))
		case converter.MetadataEncodingNil:
		case converter.MetadataEncodingBinary:
			h.parts = append(h.parts, string(p.GetData()))
		default:
			h.unreadable = append(h.unreadable, "payload with encoding "+encoding)
		}
	})
}

// walkPayloads calls visit for every Payload in m and in the messages, lists and maps it holds.
func walkPayloads(m protoreflect.Message, visit func(*commonpb.Payload)) {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		visit(p)
		return
	}

	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(_ protoreflect.MapKey, value protoreflect.Value) bool {
					walkPayloads(value.Message(), visit)
					return true
				})
			}
		case fd.IsList():
			if fd.Message() != nil {
				list := v.List()
				for i := range list.Len() {
					walkPayloads(list.Get(i).Message(), visit)
				}
			}
		case fd.Message() != nil:
			walkPayloads(v.Message(), visit)
		}
		return true
	})
}

// collect reads the history and the description (search attributes, memo) of one run and,
// through the child workflows its history started, of every descendant run.
func (h *historyText) collect(s *stack, workflowID, runID string) {
	h.workflows = append(h.workflows, workflowID+" "+runID)

	description, err := s.temporal.DescribeWorkflowExecution(s.ctx, workflowID, runID)
	if err != nil {
		h.t.Fatalf("describe %s run %s: %v", workflowID, runID, err)
	}
	h.addMessage(description)

	var children []*commonpb.WorkflowExecution
	events := s.temporal.GetWorkflowHistory(s.ctx, workflowID, runID, false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for events.HasNext() {
		event, err := events.Next()
		if err != nil {
			h.t.Fatalf("read history of %s run %s: %v", workflowID, runID, err)
		}
		h.addMessage(event)

		if attrs := event.GetChildWorkflowExecutionStartedEventAttributes(); attrs != nil {
			children = append(children, attrs.GetWorkflowExecution())
		}
	}

	for _, child := range children {
		h.collect(s, child.GetWorkflowId(), child.GetRunId())
	}
}

// startSync starts LdapSyncThenPush as [stack.sync] does, waits for it and returns its run ID,
// so the history of each run can be read later. The sync's own error is ignored: failed runs
// have histories too.
func (s *stack) startSync() string {
	s.t.Helper()

	opts := client.StartWorkflowOptions{
		ID:                       workflows.SyncWorkflowID(s.directory),
		TaskQueue:                s.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionTimeout: 5 * time.Minute,
	}
	run, err := s.temporal.ExecuteWorkflow(s.ctx, opts, workflows.LdapSyncThenPush,
		workflows.LdapSyncThenPushInput{Directory: s.directory})
	if err != nil {
		s.t.Fatalf("start sync: %v", err)
	}

	_ = run.Get(s.ctx, nil)

	return run.GetRunID()
}

func TestHostileSecretsStayOutOfHistories(t *testing.T) {
	s := newStack(t)
	logs := &logBuffer{}
	s.useLoggedWorker(logs)
	s.configure("london:on")
	s.moveByFilter("london", "userid=*")
	s.addPeople(londonAndParis()...)

	// One user fails with a validation fault, so its reason travels through the history.
	s.sim.InjectFault("addUser", axlsim.InjectedFault{Code: 5003, Message: "The value is invalid"})
	firstRun := s.startSync()

	// A changed user meets an AXL 401, so activity failures are in the history too.
	s.modifyPerson("alice", "mail", "alice.new@example.com")
	s.sim.InjectFault(axlsim.AllOperations, axlsim.InjectedFault{HTTPStatus: 401, Count: 50})
	secondRun := s.startSync()
	s.sim.ClearFaults()

	// Read with the key, as the Web UI does through the codec server, so that a secret inside
	// an encrypted payload is found too.
	history := &historyText{t: t, converter: converter.GetDefaultDataConverter()}
	if s.codecKeys != nil {
		history.decodeWith = codec.NewCodec(s.codecKeys)
	}
	for _, runID := range []string{firstRun, secondRun} {
		history.collect(s, workflows.SyncWorkflowID(s.directory), runID)
	}
	text := strings.Join(history.parts, "\n")

	if len(history.workflows) != 4 {
		t.Errorf("read %d workflow runs (%v), want 2 syncs with a PushSite child each",
			len(history.workflows), history.workflows)
	}

	// Both the fault of the first run and the 401 of the second must be in the text read, or
	// the check below would miss the places where secrets could hide.
	for _, want := range []string{s.directory, "The value is invalid", "HTTP 401"} {
		if !strings.Contains(text, want) {
			t.Fatalf("history text (%d payloads) lacks %q: the check would prove nothing",
				history.payloads, want)
		}
	}

	for _, problem := range history.unreadable {
		t.Errorf("history holds a %s, which this test cannot read", problem)
	}

	logText := logs.String()
	if !strings.Contains(logText, "level=INFO") {
		t.Fatalf("captured worker log has no info lines: the check would prove nothing:\n%.2000s", logText)
	}

	for name, secret := range testSecrets(t) {
		if form, ok := findForm(text, secret); ok {
			t.Errorf("a workflow history or search attribute contains the %s (as %q)", name, form)
		}
		if form, ok := findForm(logText, secret); ok {
			t.Errorf("the worker log contains the %s (as %q)", name, form)
		}
	}
}

// findForm returns the first form of secret that text contains.
func findForm(text, secret string) (string, bool) {
	for _, form := range secretForms(secret) {
		if strings.Contains(text, form) {
			return form, true
		}
	}

	return "", false
}

// testSecrets returns the secrets the worker holds: the AXL password (alone and as HTTP basic
// credentials), the LDAP bind password and the PostgreSQL password.
func testSecrets(t *testing.T) map[string]string {
	found := map[string]string{
		"AXL password":          axlPassword,
		"AXL basic credentials": axlUsername + ":" + axlPassword,
		"LDAP bind password":    os.Getenv("LDAP_BIND_PASSWORD"),
	}

	if u, err := url.Parse(os.Getenv("DATABASE_URL")); err == nil {
		if password, ok := u.User.Password(); ok && password != "" {
			found["PostgreSQL password"] = password
		}
	}

	for name, secret := range found {
		if len(secret) < 6 {
			t.Fatalf("the %s is %d characters, too short to search for without false alarms",
				name, len(secret))
		}
	}

	return found
}
