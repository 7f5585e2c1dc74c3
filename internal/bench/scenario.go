package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axlsim"
	"github.com/ucmpush/ucmpush/workflows"
)

// clusterMaxInFlight is the cluster's in-flight limit in every push of the bench, the same as
// the simulator's limit in the push against the UCM limit.
const clusterMaxInFlight = 10

// simulator is an in-process AXL simulator on a loopback port, with its certificate in a file.
type simulator struct {
	*axlsim.Server
	caFile string
}

// startSimulator serves a simulator with the given latency per request and in-flight limit (0
// for none) on 127.0.0.1.
func (e *benchEnv) startSimulator(name string, latency time.Duration, maxInFlight int) (*simulator, error) {
	sim := axlsim.New(axlsim.Options{Username: axlUsername, Password: axlPassword,
		Latency: latency, MaxInFlight: maxInFlight})
	if _, err := sim.StartTLS("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start the AXL simulator %s: %w", name, err)
	}
	caFile := filepath.Join(e.workDir, name+"-ca.pem")
	if err := os.WriteFile(caFile, sim.CertificatePEM(), 0o600); err != nil {
		_ = sim.Close()
		return nil, fmt.Errorf("write the simulator certificate: %w", err)
	}
	return &simulator{Server: sim, caFile: caFile}, nil
}

// client returns an AXL client of the simulator, for the plain loops.
func (s *simulator) client() (*axl.Client, error) {
	return axl.New(axl.Config{URL: s.URL(), Version: "14.0", Username: axlUsername,
		Password: axlPassword, CAFile: s.caFile})
}

// writes counts the write requests the simulator received.
func (s *simulator) writes() int {
	st := s.Stats()
	return st.Requests["addUser"] + st.Requests["updateUser"] + st.Requests["removeUser"]
}

// scenario is one customer of the bench database with its directory (the stack's ou=people)
// and, when it pushes, one site that a rule gives every user, on a cluster that is a simulator.
type scenario struct {
	name      string
	customer  string
	directory string
	site      domain.SiteRef
	siteID    int64
	sim       *simulator
	// workflowIDs lists the workflows the scenario ran, for the history figure.
	workflowIDs []string
	// lastSync is the run ID of the scenario's last sync.
	lastSync string
}

// newScenario configures a customer and its directory. With sim set, it adds the cluster, an
// NDL, the site (auto push as given, no confirmation guard) and a move rule userid=*.
func (e *benchEnv) newScenario(ctx context.Context, base string, sim *simulator, autoPush bool) (*scenario, error) {
	sc := &scenario{name: base, customer: e.name(base), directory: e.name(base + "-ldap"), sim: sim}
	if _, err := e.db.CreateCustomer(ctx, sc.customer, ""); err != nil {
		return nil, fmt.Errorf("create customer %s: %w", sc.customer, err)
	}
	_, err := e.db.CreateDirectory(ctx, domain.Directory{
		Name: sc.directory, Customer: sc.customer, URL: e.ldap.url, BindDN: e.ldap.bindDN,
		BindPasswordRef: ldapPasswordRef, BaseDN: "ou=people," + e.ldap.baseDN,
		Filter: "(objectClass=inetOrgPerson)", PageSize: 500,
		Mapping: domain.DefaultOpenLDAPMapping(), RemovalGuardPercent: domain.DefaultRemovalGuardPercent,
	})
	if err != nil {
		return nil, fmt.Errorf("create directory %s: %w", sc.directory, err)
	}
	if sim == nil {
		return sc, nil
	}

	cluster := e.name(base + "-ucm")
	_, err = e.db.CreateCluster(ctx, domain.Cluster{Name: cluster, AXLURL: sim.URL(),
		AXLVersion: "14.0", Username: axlUsername, PasswordRef: axlPasswordRef, CAFile: sim.caFile,
		MaxInFlight: clusterMaxInFlight})
	if err != nil {
		return nil, fmt.Errorf("create cluster %s: %w", cluster, err)
	}
	ndl := e.name(base + "-ndl")
	if _, err := e.db.CreateNDL(ctx, ndl, cluster); err != nil {
		return nil, fmt.Errorf("create NDL %s: %w", ndl, err)
	}

	sc.site = domain.SiteRef{Customer: sc.customer, Site: "hq"}
	site, err := e.db.CreateSite(ctx, sc.site, ndl, autoPush)
	if err != nil {
		return nil, fmt.Errorf("create site %s: %w", sc.site, err)
	}
	sc.siteID = site.ID
	if _, err := e.db.SetSiteConfirmAbove(ctx, sc.site, 0); err != nil {
		return nil, fmt.Errorf("turn off the confirmation guard of site %s: %w", sc.site, err)
	}

	everyone, err := domain.ParseFilter("userid=*")
	if err != nil {
		return nil, err
	}
	rule := domain.MoveRule{Kind: domain.MoveByFilter, Filter: everyone, Priority: 100}
	if _, err := e.db.CreateMoveRule(ctx, sc.site, rule); err != nil {
		return nil, fmt.Errorf("create the move rule of site %s: %w", sc.site, err)
	}
	return sc, nil
}

// errSyncTimedOut is wrapped by the error of a sync that ran longer than the bench's
// -sync-timeout; the bench terminates its workflow.
var errSyncTimedOut = errors.New("the sync did not finish in time")

// sync runs LdapSyncThenPush for the scenario's directory and returns its result and its
// time from start to result. A sync that runs longer than the bench's sync timeout is
// terminated, and the error wraps [errSyncTimedOut].
func (e *benchEnv) sync(ctx context.Context, sc *scenario) (workflows.LdapSyncThenPushResult, time.Duration, error) {
	id := workflows.SyncWorkflowID(sc.directory)
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: e.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}

	var result workflows.LdapSyncThenPushResult
	started := time.Now()
	run, err := e.temporal.ExecuteWorkflow(ctx, opts, workflows.LdapSyncThenPush,
		workflows.LdapSyncThenPushInput{Directory: sc.directory})
	if err != nil {
		return result, 0, fmt.Errorf("start the sync of %s: %w", sc.directory, err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, e.syncTimeout)
	defer cancel()
	if err := run.Get(waitCtx, &result); err != nil {
		if waitCtx.Err() != nil && ctx.Err() == nil {
			reason := fmt.Sprintf("the bench stopped it after -sync-timeout %s", e.syncTimeout)
			if termErr := e.temporal.TerminateWorkflow(ctx, id, run.GetRunID(), reason); termErr != nil {
				progress("terminate workflow %s: %v", id, termErr)
			}
			return result, 0, fmt.Errorf("sync of %s (workflow %s): %w after %s", sc.directory, id,
				errSyncTimedOut, e.syncTimeout)
		}
		return result, 0, fmt.Errorf("sync of %s (workflow %s): %w", sc.directory, id, err)
	}
	elapsed := time.Since(started)

	sc.lastSync = run.GetRunID()
	sc.workflowIDs = append(sc.workflowIDs, id)
	for _, site := range result.Sites {
		if site.PushWorkflowID != "" {
			sc.workflowIDs = append(sc.workflowIDs, site.PushWorkflowID)
		}
	}
	return result, elapsed, nil
}

// push runs PushSite for the scenario's site directly, as `ucmpush push site` does, and
// returns its result and its time from start to result, continued runs included.
func (e *benchEnv) push(ctx context.Context, sc *scenario) (workflows.PushSiteResult, time.Duration, error) {
	id := workflows.SitePushWorkflowID(sc.site.String(), workflows.TriggerManual, e.suffix)
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: e.taskQueue}

	var result workflows.PushSiteResult
	started := time.Now()
	run, err := e.temporal.ExecuteWorkflow(ctx, opts, workflows.PushSite, workflows.PushSiteInput{
		SiteID: sc.siteID, Site: sc.site.String(), Trigger: workflows.TriggerManual, Confirmed: true,
	})
	if err != nil {
		return result, 0, fmt.Errorf("start the push of %s: %w", sc.site, err)
	}
	if err := run.Get(ctx, &result); err != nil {
		return result, 0, fmt.Errorf("push of %s (workflow %s): %w", sc.site, id, err)
	}
	sc.workflowIDs = append(sc.workflowIDs, id)
	return result, time.Since(started), nil
}

// siteResult returns the push result of the scenario's site in a sync result.
func siteResult(sc *scenario, r workflows.LdapSyncThenPushResult) (workflows.PushSiteResult, error) {
	for _, s := range r.Sites {
		if s.Site == sc.site.String() && s.Push != nil {
			return *s.Push, nil
		}
	}
	return workflows.PushSiteResult{}, fmt.Errorf("the sync of %s pushed nothing to site %s: %+v",
		sc.directory, sc.site, r.Sites)
}

// pushWorkflowID returns the ID of the PushSite workflow that a sync started for the
// scenario's site, or "".
func pushWorkflowID(sc *scenario, r workflows.LdapSyncThenPushResult) string {
	for _, s := range r.Sites {
		if s.Site == sc.site.String() {
			return s.PushWorkflowID
		}
	}
	return ""
}

// maxHistory returns the largest history, in events, of any run of the given workflow IDs,
// and the ID it belongs to. Continued runs of a PushSite count one by one.
func (e *benchEnv) maxHistory(ctx context.Context, ids []string) (int64, string, error) {
	var largest int64
	var largestID string
	for _, id := range ids {
		resp, err := e.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = '%s'", id),
		})
		if err != nil {
			return 0, "", fmt.Errorf("list the runs of workflow %s: %w", id, err)
		}
		for _, info := range resp.GetExecutions() {
			if info.GetHistoryLength() > largest {
				largest, largestID = info.GetHistoryLength(), id
			}
		}
		if len(resp.GetExecutions()) == 0 {
			// Visibility may lag behind a run that just closed; the latest run is always
			// described.
			d, err := e.temporal.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				return 0, "", fmt.Errorf("describe workflow %s: %w", id, err)
			}
			if n := d.GetWorkflowExecutionInfo().GetHistoryLength(); n > largest {
				largest, largestID = n, id
			}
		}
	}
	return largest, largestID, nil
}

// syncStep is the time one activity type of a sync took, retries included.
type syncStep struct {
	elapsed  time.Duration
	attempts int32
}

// syncSteps returns, per activity type of the scenario's last sync, the time from its first
// schedule to its completion and its highest attempt, read from the workflow history.
func (e *benchEnv) syncSteps(ctx context.Context, sc *scenario) (map[string]syncStep, error) {
	id := workflows.SyncWorkflowID(sc.directory)
	names := map[int64]string{}
	scheduled := map[int64]time.Time{}
	steps := map[string]syncStep{}

	iter := e.temporal.GetWorkflowHistory(ctx, id, sc.lastSync, false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return nil, fmt.Errorf("read the history of %s: %w", id, err)
		}
		at := event.GetEventTime().AsTime()
		if a := event.GetActivityTaskScheduledEventAttributes(); a != nil {
			names[event.GetEventId()] = a.GetActivityType().GetName()
			scheduled[event.GetEventId()] = at
		}
		if a := event.GetActivityTaskStartedEventAttributes(); a != nil {
			name := names[a.GetScheduledEventId()]
			step := steps[name]
			step.attempts = max(step.attempts, a.GetAttempt())
			steps[name] = step
		}
		if a := event.GetActivityTaskCompletedEventAttributes(); a != nil {
			name := names[a.GetScheduledEventId()]
			step := steps[name]
			step.elapsed += at.Sub(scheduled[a.GetScheduledEventId()])
			steps[name] = step
		}
	}
	return steps, nil
}

// pushTime returns the time from the start of a PushSite workflow to the close of its last
// run, continued runs included.
func (e *benchEnv) pushTime(ctx context.Context, id string) (time.Duration, error) {
	resp, err := e.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = '%s'", id),
	})
	if err != nil {
		return 0, fmt.Errorf("list the runs of workflow %s: %w", id, err)
	}
	var first, last time.Time
	for _, info := range resp.GetExecutions() {
		start, end := info.GetStartTime().AsTime(), info.GetCloseTime().AsTime()
		if first.IsZero() || start.Before(first) {
			first = start
		}
		if end.After(last) {
			last = end
		}
	}
	if first.IsZero() || last.Before(first) {
		return 0, fmt.Errorf("no closed run of workflow %s is listed yet", id)
	}
	return last.Sub(first), nil
}
