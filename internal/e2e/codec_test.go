package e2e

import (
	"encoding/base64"
	"log/slog"
	"os"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/internal/codec"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

// useCodecWorker starts a worker whose client encrypts payloads and failures with keys, on a
// task queue of its own, and makes the stack start its syncs through that client. It returns
// the stack's plain client, which sees histories as the Temporal server stores them.
func (s *stack) useCodecWorker(keys *codec.Keyring) client.Client {
	t := s.t
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))

	tc, err := client.Dial(client.Options{
		HostPort:         os.Getenv("TEMPORAL_ADDRESS"),
		Namespace:        os.Getenv("TEMPORAL_NAMESPACE"),
		Logger:           tlog.NewStructuredLogger(log),
		DataConverter:    codec.DataConverter(keys),
		FailureConverter: codec.FailureConverter(keys),
	})
	if err != nil {
		t.Fatalf("dial Temporal with the codec: %v", err)
	}
	t.Cleanup(tc.Close)

	resolver := secrets.Resolver{LookupEnv: func(name string) (string, bool) {
		switch name {
		case "E2E_AXL_PASSWORD":
			return axlPassword, true
		case "E2E_LDAP_PASSWORD":
			return os.Getenv("LDAP_BIND_PASSWORD"), true
		}
		return "", false
	}}

	s.taskQueue += "-codec"
	w := sdkworker.New(tc, s.taskQueue, sdkworker.Options{})
	worker.Register(w, s.db, resolver)
	if err := w.Start(); err != nil {
		t.Fatalf("start codec worker: %v", err)
	}
	t.Cleanup(w.Stop)

	plain := s.temporal
	s.temporal = tc

	return plain
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
	keys := testCodecKeys(t)
	plain := s.useCodecWorker(keys)
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

	// With the key, the same runs read in full: the fault reason and the 401 are there.
	s.temporal = codecClient
	decoded := &historyText{t: t, converter: converter.GetDefaultDataConverter(),
		decodeWith: codec.NewCodec(keys)}
	for _, runID := range []string{firstRun, secondRun} {
		decoded.collect(s, workflows.SyncWorkflowID(s.directory), runID)
	}

	decodedText := strings.Join(decoded.parts, "\n")
	for _, want := range []string{"The value is invalid", "HTTP 401", s.directory} {
		if !strings.Contains(decodedText, want) {
			t.Errorf("history decoded with the key lacks %q", want)
		}
	}

	for _, problem := range decoded.unreadable {
		t.Errorf("history decoded with the key holds a %s", problem)
	}
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
