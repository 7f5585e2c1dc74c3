package chaos

import (
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/axlsim"
)

// The tests that restart a shared service (Temporal, PostgreSQL) run one after the other. The
// tests that break only their own worker, simulator or proxy call t.Parallel, so Go runs them
// together once the others are done.

// slowUCM is a UCM at which a push of peopleCount users lasts about 15 seconds: 10 ms per AXL
// request, 4 requests at once.
var slowUCM = rigOptions{Latency: 10 * time.Millisecond, MaxInFlight: 4}

func TestTemporalRestartedMidSync(t *testing.T) {
	r := newRig(t, slowUCM)
	run := r.startSync()
	r.waitWrites(peopleCount/5, 2*time.Minute)

	writes := r.sim.Stats().Writes
	r.s.service(t, "temporal", "stop")
	time.Sleep(3 * time.Second)
	r.s.service(t, "temporal", "start")
	t.Logf("restarted Temporal after %d writes", writes)

	r.waitSync(run)
	if got := r.sim.Stats().Writes; got <= writes {
		t.Errorf("no write after the restart (%d before it): the restart was not mid-push", writes)
	}
	t.Logf("pushed %d users", r.expectConverged())
}

func TestPostgresRestartedMidSync(t *testing.T) {
	r := newRig(t, slowUCM)
	run := r.startSync()
	r.waitWrites(peopleCount/5, 2*time.Minute)

	writes := r.sim.Stats().Writes
	r.s.service(t, "postgres", "stop")
	time.Sleep(2 * time.Second)
	r.s.service(t, "postgres", "start")
	t.Logf("restarted PostgreSQL after %d writes", writes)

	r.waitSync(run)
	if got := r.sim.Stats().Writes; got <= writes {
		t.Errorf("no write after the restart (%d before it): the restart was not mid-push", writes)
	}
	t.Logf("pushed %d users", r.expectConverged())
}

func TestWorkerKilledMidPush(t *testing.T) {
	t.Parallel()
	r := newRig(t, slowUCM)
	run := r.startSync()
	r.waitWrites(peopleCount/4, 2*time.Minute)

	writes := r.sim.Stats().Writes
	r.worker.kill()
	killed := time.Now()
	t.Logf("killed worker %d with SIGKILL after %d writes", r.worker.cmd.Process.Pid, writes)
	r.worker = r.startWorker()

	r.waitSync(run)
	t.Logf("the push finished %s after the kill", time.Since(killed).Round(time.Second))
	if got := r.sim.Stats().Writes; got <= writes {
		t.Errorf("no write after the kill (%d before it): the kill was not mid-push", writes)
	}
	t.Logf("pushed %d users", r.expectConverged())
}

func TestWritesThrottledThirtyPercent(t *testing.T) {
	t.Parallel()
	// One city of the directory (about 400 people) keeps the test short, because every 503
	// costs its batch a backoff of at least a second.
	r := newRig(t, rigOptions{Latency: 2 * time.Millisecond, MaxInFlight: 10,
		BaseDN: "ou=London,ou=people," + requireSuite(t).settings["LDAP_BASE_DN"]})
	for _, op := range []string{"addUser", "updateUser"} {
		r.sim.InjectFault(op, axlsim.InjectedFault{HTTPStatus: 503, Probability: 0.3})
	}

	r.waitSync(r.startSync())
	users := r.expectConverged()
	// Stats.Faults counts the "not found" faults of getUser too, so the 503s are the write
	// requests that wrote nothing.
	stats := r.sim.Stats()
	attempts := stats.Requests["addUser"] + stats.Requests["updateUser"]
	throttled := attempts - stats.Writes
	t.Logf("pushed %d users; %d of %d write requests were answered 503", users, throttled, attempts)
	if throttled < attempts/5 || throttled > attempts*2/5 {
		t.Errorf("%d of %d write requests were answered 503, want about 30%%", throttled, attempts)
	}
}

func TestSimulatorDownMidPush(t *testing.T) {
	t.Parallel()
	r := newRig(t, slowUCM)
	run := r.startSync()
	r.waitWrites(peopleCount/5, 2*time.Minute)

	r.sim.SetDown(true)
	downAt := r.sim.Stats().Writes
	time.Sleep(60 * time.Second)
	duringDown := r.sim.Stats().Writes - downAt
	r.sim.SetDown(false)
	t.Logf("the simulator was down for 60 s after %d writes", downAt)

	// Requests admitted just before SetDown may still finish, but nothing else may get through.
	if duringDown > r.maxInFlight {
		t.Errorf("%d writes went through while the simulator was down", duringDown)
	}
	r.waitSync(run)
	if got := r.sim.Stats().Writes; got <= downAt+duringDown {
		t.Errorf("no write after the simulator came back: the outage was not mid-push")
	}
	t.Logf("pushed %d users", r.expectConverged())
}

func TestLDAPConnectionDroppedBetweenPages(t *testing.T) {
	t.Parallel()
	const cutAfterPages = 5
	s := requireSuite(t)
	proxy := startLDAPProxy(t, s.settings["LDAP_URL"], cutAfterPages)
	r := newRig(t, rigOptions{MaxInFlight: 10, LDAPURL: proxy.url(), PageSize: 50})

	result := r.waitSync(r.startSync())
	if !proxy.didCut() {
		t.Fatalf("the proxy never cut the connection: the search had fewer than %d pages", cutAfterPages)
	}
	if result.Search.Reconnects < 1 {
		t.Errorf("the search reports %d reconnects after the cut, want at least 1", result.Search.Reconnects)
	}
	if want := countPeople(t, s); result.Search.Entries != want {
		t.Errorf("the search read %d entries, want all %d", result.Search.Entries, want)
	}
	t.Logf("read %d entries in %d pages over %d connections", result.Search.Entries,
		result.Search.Pages, proxy.connections())
	t.Logf("pushed %d users", r.expectConverged())
}
