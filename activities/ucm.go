package activities

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/metrics"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/internal/store"
)

// UCMActivities call the AXL API of UCM clusters.
type UCMActivities struct {
	Store   *store.Store
	Secrets secrets.Resolver
	// ThrottleBackoff is the first wait after UCM throttles a call (HTTP 503 or axlcode -1);
	// each further wait doubles, up to 30 s. Zero means 1 s.
	ThrottleBackoff time.Duration
	// ThrottleRetries is how often one user's call is retried inside the activity before the
	// activity fails and leaves the rest to Temporal's retry policy. Zero means 5.
	ThrottleRetries int
	// Metrics counts push outcomes and AXL calls per cluster; nil records nothing.
	Metrics *metrics.Metrics

	mu      sync.Mutex
	clients map[string]*axl.Client
}

// CheckClusterInput selects a UCM cluster.
type CheckClusterInput struct {
	ClusterID int64
}

// CheckCluster makes one small AXL read (listUser, first 1) to prove that the cluster is
// reachable and accepts the credentials before a push fans out over it.
func (a *UCMActivities) CheckCluster(ctx context.Context, in CheckClusterInput) error {
	client, cluster, err := a.client(ctx, in.ClusterID)
	if err != nil {
		return err
	}
	_, err = client.ListUsers(ctx, axl.ListUsersRequest{
		ReturnedTags: []axl.Tag{axl.TagUserID},
		First:        1,
	})
	if err != nil {
		return clusterError(cluster, err)
	}
	return nil
}

// PushUsersInput selects a range of a push plan.
type PushUsersInput struct {
	PlanID    int64
	ClusterID int64
	// From and To are the first and last seq of the range, inclusive.
	From, To int
}

// PushUsersResult counts the outcomes of a range, including users finished by an earlier
// attempt of the same activity.
type PushUsersResult struct {
	Added     int
	Updated   int
	Unchanged int
	Failed    int
}

// outcomeFlushSize is how many outcomes are recorded in one store transaction.
const outcomeFlushSize = 25

// PushUsers pushes each user of the plan range to the cluster, one at a time: it reads the
// user from UCM, adds it when missing, and otherwise updates only the fields that differ.
// Outcomes are recorded in the store as it goes, so a retried attempt skips the users an
// earlier attempt finished.
//
// A fault that concerns one user (a validation fault, say) fails that user with the fault as
// reason and the push goes on. Throttling and network errors are retried in place with
// backoff; when they persist the activity fails with the retryable type [ErrAXLUnavailable].
// Rejected credentials fail it with the non-retryable [ErrAXLAuth].
func (a *UCMActivities) PushUsers(ctx context.Context, in PushUsersInput) (PushUsersResult, error) {
	var result PushUsersResult
	items, err := a.Store.PlanItems(ctx, in.PlanID, in.From, in.To)
	if err != nil {
		return result, storeError(err)
	}
	if remaining(items) == 0 {
		return countAll(items), nil
	}
	axlClient, cluster, err := a.client(ctx, in.ClusterID)
	if err != nil {
		return result, err
	}
	lane, err := a.acquireLane(ctx, cluster)
	if err != nil {
		return result, err
	}
	defer lane.release()
	client := pacedClient{client: axlClient, lane: lane}

	var pending []store.PushOutcome
	flush := func() error {
		err := a.Store.RecordPushOutcomes(ctx, in.PlanID, pending)
		pending = pending[:0]
		return storeError(err)
	}

	for _, it := range items {
		if it.Outcome != "" {
			result.count(it.Outcome)
			continue
		}

		outcome, err := a.pushWithBackoff(lane.ctx, client, it)
		if err != nil {
			if flushErr := flush(); flushErr != nil {
				return result, flushErr
			}
			if cause := context.Cause(lane.ctx); cause != nil {
				return result, retryable(ErrAXLUnavailable, fmt.Errorf("push to UCM cluster %s "+
					"stopped after user %d: %w", cluster.Name, it.Seq, cause))
			}
			return result, clusterError(cluster, err)
		}
		pending = append(pending, outcome)
		result.count(outcome.Action)
		a.Metrics.RecordPush(cluster.Name, outcome.Action)
		// A heartbeat per user, not per flush: on a cluster paced to a few requests a second,
		// outcomeFlushSize users can take longer than the heartbeat timeout, and Temporal would
		// then start a second attempt beside this one. The Go SDK sends one heartbeat per 80%
		// of the timeout (60 s at most) and keeps only the latest details, so the calls are cheap.
		activity.RecordHeartbeat(ctx, it.Seq)

		if len(pending) >= outcomeFlushSize {
			if err := flush(); err != nil {
				return result, err
			}
		}
	}
	return result, flush()
}

// remaining counts the items without an outcome.
func remaining(items []store.PlanItem) int {
	n := 0
	for _, it := range items {
		if it.Outcome == "" {
			n++
		}
	}
	return n
}

// countAll counts the recorded outcomes of items that an earlier attempt finished.
func countAll(items []store.PlanItem) PushUsersResult {
	var r PushUsersResult
	for _, it := range items {
		r.count(it.Outcome)
	}
	return r
}

func (r *PushUsersResult) count(action string) {
	switch action {
	case "added":
		r.Added++
	case "updated":
		r.Updated++
	case "unchanged":
		r.Unchanged++
	case "failed":
		r.Failed++
	}
}

// pushWithBackoff pushes one user, retrying throttled and transient failures. It returns an
// error only for failures that concern the whole cluster; a fault about this user becomes a
// failed outcome.
func (a *UCMActivities) pushWithBackoff(ctx context.Context, client userClient, it store.PlanItem) (store.PushOutcome, error) {
	delay := a.ThrottleBackoff
	if delay == 0 {
		delay = time.Second
	}
	retries := a.ThrottleRetries
	if retries == 0 {
		retries = 5
	}

	for attempt := 0; ; attempt++ {
		outcome, err := pushUser(ctx, client, it)
		if err == nil {
			return outcome, nil
		}
		if isClusterWide(err) || ctx.Err() != nil {
			return outcome, err
		}
		if !axl.IsRetryable(err) {
			outcome.Action, outcome.Reason = "failed", err.Error()
			activity.GetLogger(ctx).Debug("User push failed", "userID", it.Attributes.UserID,
				"error", err)
			return outcome, nil
		}
		if attempt >= retries {
			return outcome, err
		}

		activity.RecordHeartbeat(ctx, it.Seq)
		select {
		case <-ctx.Done():
			return outcome, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// pushUser reads the user from UCM and writes only what differs from the store. A user the
// store knows under another userid on this cluster (renamed in the directory) is renamed on
// UCM rather than added again. A user whose userid another user of the store already holds on
// this cluster fails without a call to UCM: two customers on one cluster must not overwrite
// each other's users.
func pushUser(ctx context.Context, client userClient, it store.PlanItem) (store.PushOutcome, error) {
	wanted := it.Attributes
	outcome := store.PushOutcome{Seq: it.Seq, UserID: it.UserID, Hash: wanted.Hash(),
		PushedUserID: wanted.UserID}
	if it.Owner != "" {
		return outcome, fmt.Errorf("userid %s is already on this UCM cluster for %s; two users "+
			"cannot share a UCM userid, so rename one of them in its directory", wanted.UserID, it.Owner)
	}

	actual, err := client.GetUser(ctx, wanted.UserID)
	if axl.IsNotFound(err) && it.PushedUserID != "" && !strings.EqualFold(it.PushedUserID, wanted.UserID) {
		// Renamed since the last push: find the user under its old userid.
		actual, err = client.GetUser(ctx, it.PushedUserID)
		if err == nil {
			outcome.Reason = fmt.Sprintf("renamed from %s", actual.UserID)
		}
	}
	if axl.IsNotFound(err) {
		outcome.UUID, err = client.AddUser(ctx, axl.User{
			UserID:          wanted.UserID,
			FirstName:       wanted.FirstName,
			LastName:        wanted.LastName,
			MailID:          wanted.Mail,
			TelephoneNumber: wanted.TelephoneNumber,
			Department:      wanted.Department,
			Title:           wanted.Title,
		})
		if !axl.IsDuplicate(err) {
			outcome.Action = "added"
			return outcome, err
		}
		// Another writer added the user between the read and the add: read it again and
		// update what differs, so the push still converges.
		actual, err = client.GetUser(ctx, wanted.UserID)
	}
	if err != nil {
		return outcome, err
	}

	outcome.UUID = actual.UUID
	changes := domain.DiffUCMUser(wanted, domain.UCMUser{
		UserID:            actual.UserID,
		FirstName:         actual.FirstName,
		LastName:          actual.LastName,
		Mail:              actual.MailID,
		TelephoneNumber:   actual.TelephoneNumber,
		Department:        actual.Department,
		Title:             actual.Title,
		LDAPDirectoryName: actual.LDAPDirectoryName,
	})
	update := userUpdate(actual.UserID, changes)
	if actual.UserID != wanted.UserID && actual.LDAPDirectoryName == "" {
		update.NewUserID = &wanted.UserID
	}
	if update.IsEmpty() {
		outcome.Action = "unchanged"
		outcome.PushedUserID = actual.UserID
		if actual.LDAPDirectoryName != "" {
			outcome.Reason = fmt.Sprintf("UCM syncs this user from its own LDAP directory %q, "+
				"so its directory fields were left to UCM", actual.LDAPDirectoryName)
		}
		return outcome, nil
	}

	outcome.Action = "updated"
	return outcome, client.UpdateUser(ctx, update)
}

func userUpdate(userid string, changes []domain.FieldChange) axl.UserUpdate {
	update := axl.UserUpdate{UserID: userid}
	for _, c := range changes {
		value := c.To
		switch c.Field {
		case domain.FieldFirstName:
			update.FirstName = &value
		case domain.FieldLastName:
			update.LastName = &value
		case domain.FieldMail:
			update.MailID = &value
		case domain.FieldTelephoneNumber:
			update.TelephoneNumber = &value
		case domain.FieldDepartment:
			update.Department = &value
		case domain.FieldTitle:
			update.Title = &value
		}
	}
	return update
}

// isClusterWide reports whether err would fail every user of the cluster alike: UCM rejected
// the credentials. Other errors that cannot pass by waiting, such as a TLS certificate that
// does not verify, are caught by CheckCluster before a push starts.
func isClusterWide(err error) bool {
	var fault *axl.Fault
	return errors.As(err, &fault) &&
		(fault.HTTPStatus == http.StatusUnauthorized || fault.HTTPStatus == http.StatusForbidden)
}

// clusterError classifies an error that concerns the whole cluster.
func clusterError(c domain.Cluster, err error) error {
	var fault *axl.Fault
	switch {
	case errors.As(err, &fault) && (fault.HTTPStatus == http.StatusUnauthorized ||
		fault.HTTPStatus == http.StatusForbidden):
		return nonRetryable(ErrAXLAuth, fmt.Errorf("UCM cluster %s rejected AXL user %q: check the "+
			"username and the password behind %s, and that the user has the AXL API access role: %w",
			c.Name, c.Username, c.PasswordRef, err))
	case axl.IsRetryable(err):
		return retryable(ErrAXLUnavailable, fmt.Errorf("UCM cluster %s at %s is unreachable or "+
			"busy: %w; check the AXL URL and that the AXL service runs", c.Name, c.AXLURL, err))
	}
	return nonRetryable(ErrInvalidConfig, fmt.Errorf("UCM cluster %s at %s: %w", c.Name, c.AXLURL, err))
}

// client returns a cached AXL client for the cluster. The cache key covers every setting and
// a digest of the password, so a changed setting or a rotated password builds a new client.
func (a *UCMActivities) client(ctx context.Context, clusterID int64) (*axl.Client, domain.Cluster, error) {
	cluster, err := a.Store.ClusterByID(ctx, clusterID)
	if err != nil {
		return nil, cluster, storeError(err)
	}
	password, err := a.Secrets.Resolve(cluster.PasswordRef)
	if err != nil {
		return nil, cluster, nonRetryable(ErrInvalidConfig, fmt.Errorf("UCM cluster %s: %w", cluster.Name, err))
	}

	key := fmt.Sprintf("%d|%s|%s|%s|%s|%t|%x", cluster.ID, cluster.AXLURL, cluster.AXLVersion,
		cluster.Username, cluster.CAFile, cluster.InsecureSkipVerify, sha256.Sum256([]byte(password)))
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.clients[key]; ok {
		return c, cluster, nil
	}

	c, err := axl.New(axl.Config{
		URL:                cluster.AXLURL,
		Version:            cluster.AXLVersion,
		Username:           cluster.Username,
		Password:           password,
		CAFile:             cluster.CAFile,
		InsecureSkipVerify: cluster.InsecureSkipVerify,
		Observer:           a.Metrics.AXLObserver(cluster.Name),
	})
	if err != nil {
		return nil, cluster, nonRetryable(ErrInvalidConfig, fmt.Errorf("UCM cluster %s: %w", cluster.Name, err))
	}
	if a.clients == nil {
		a.clients = map[string]*axl.Client{}
	}
	a.clients[key] = c
	return c, cluster, nil
}
