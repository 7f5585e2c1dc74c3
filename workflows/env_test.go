package workflows

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/ucmpush/ucmpush/activities"
)

// Activity method values, so mocks name the activities the workflows call.
var (
	storeActs *activities.StoreActivities
	ucmActs   *activities.UCMActivities
	dirActs   *activities.DirectoryActivities
)

// newTestEnv returns a test environment with every activity struct registered, so mocks
// resolve the method names. Workflow logs are dropped unless the test runs with -v.
func newTestEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	if !testing.Verbose() {
		suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	}

	env := suite.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.StoreActivities{})
	env.RegisterActivity(&activities.UCMActivities{})
	env.RegisterActivity(&activities.DirectoryActivities{})
	return env
}

// callLog records the inputs that mocked activities receive. Activities run on their own
// goroutines in the test environment, so every access takes the lock.
type callLog struct {
	mu     sync.Mutex
	inputs map[string][]any
}

func newCallLog() *callLog { return &callLog{inputs: map[string][]any{}} }

// record returns a mock Run hook that appends the activity's input (its second argument,
// after the context) under name.
func (l *callLog) record(name string) func(mock.Arguments) {
	return func(args mock.Arguments) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.inputs[name] = append(l.inputs[name], args.Get(1))
	}
}

func (l *callLog) count(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.inputs[name])
}

// inputsOf returns the inputs recorded under name, in call order.
func inputsOf[T any](t *testing.T, l *callLog, name string) []T {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()

	var typed []T
	for _, in := range l.inputs[name] {
		v, ok := in.(T)
		if !ok {
			t.Fatalf("%s input is %T, want %T", name, in, v)
		}
		typed = append(typed, v)
	}
	return typed
}

// searchAttributeLog records the keyword search attributes that a workflow upserts. Once it
// is installed, the environment passes every upsert through it.
type searchAttributeLog struct {
	mu       sync.Mutex
	keywords map[string][]string
}

func recordSearchAttributes(env *testsuite.TestWorkflowEnvironment) *searchAttributeLog {
	l := &searchAttributeLog{keywords: map[string][]string{}}
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		attrs := args.Get(0).(temporal.SearchAttributes)
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, key := range []temporal.SearchAttributeKeyKeyword{
			CustomerKey, SiteKey, ClusterKey, DirectoryKey, TriggerKey, OutcomeKey,
		} {
			if v, ok := attrs.GetKeyword(key); ok {
				l.keywords[key.GetName()] = append(l.keywords[key.GetName()], v)
			}
		}
	}).Return()
	return l
}

// values returns every value upserted for key, in order.
func (l *searchAttributeLog) values(key temporal.SearchAttributeKeyKeyword) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.keywords[key.GetName()]...)
}

// findApplicationError returns the first application error of the type in err's chain. A
// workflow that returns a wrapped activity error fails with an application error of type
// wrapError whose cause chain contains the activity's, so the first one found by errors.As
// is not the one that names the failure.
func findApplicationError(err error, errType string) (*temporal.ApplicationError, bool) {
	var appErr *temporal.ApplicationError
	for e := err; errors.As(e, &appErr); e = appErr.Unwrap() {
		if appErr.Type() == errType {
			return appErr, true
		}
	}
	return nil, false
}

// field is one value of a result and the value a test expects of it.
type field struct {
	name      string
	got, want any
}

// checkFields reports every field of what whose value differs from the expected one.
func checkFields(t *testing.T, what string, fields []field) {
	t.Helper()
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s %s = %v, want %v", what, f.name, f.got, f.want)
		}
	}
}
