package activities

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.temporal.io/sdk/activity"
	"golang.org/x/time/rate"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/store"
)

// slotTTL is how long a lease on a cluster slot lasts without renewal: a worker killed while
// it holds one frees it after this long. The holder renews it every slotTTL/3.
const slotTTL = 30 * time.Second

// clusterLane is one of a cluster's in-flight slots, leased in the store by one PushUsers
// activity, which sends its requests through it one at a time. Leases are shared by every
// worker, so the cluster never has more than MaxInFlight requests from ucmpush at once, and
// each lane paces itself to its share of MaxRequestsPerSecond.
//
// NOTE: a lane is held per activity attempt only in spirit: the holder key is the activity,
// so an attempt that Temporal gave up on (a heartbeat timeout) but that still runs shares its
// slot with the retry until it notices its context ended.
type clusterLane struct {
	store   *store.Store
	cluster domain.Cluster
	slot    int
	holder  string
	limiter *rate.Limiter
	// heartbeat records a heartbeat of the activity that holds the lane, at most every
	// heartbeatEvery while pace waits.
	heartbeat      func()
	heartbeatEvery time.Duration
	// ctx ends when the lease is lost, so no request goes out without one.
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// errLeaseLost ends a lane whose lease another holder took after it expired.
var errLeaseLost = errors.New("lost the lease on the cluster's in-flight slot")

// acquireLane waits, heartbeating, until one of the cluster's slots is free and leases it.
func (a *UCMActivities) acquireLane(ctx context.Context, cluster domain.Cluster) (*clusterLane, error) {
	info := activity.GetInfo(ctx)
	holder := fmt.Sprintf("%s/%s/%s", info.WorkflowExecution.ID, info.WorkflowExecution.RunID, info.ActivityID)

	var slot int
	for waited := time.Duration(0); ; {
		var err error
		slot, err = a.Store.AcquireSlot(ctx, cluster.ID, holder, slotTTL)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrNoSlot) {
			return nil, storeError(err)
		}
		if waited == 0 {
			activity.GetLogger(ctx).Debug("Waiting for an in-flight slot", "cluster", cluster.Name,
				"maxInFlight", cluster.MaxInFlight)
		}
		activity.RecordHeartbeat(ctx, "waiting for a slot")
		pause := 200*time.Millisecond + rand.N(300*time.Millisecond)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		waited += pause
	}

	lane := &clusterLane{store: a.Store, cluster: cluster, slot: slot, holder: holder,
		heartbeatEvery: paceHeartbeatInterval, done: make(chan struct{})}
	lane.ctx, lane.cancel = context.WithCancelCause(ctx)
	lane.heartbeat = func() { activity.RecordHeartbeat(lane.ctx) }
	if cluster.MaxRequestsPerSecond > 0 {
		perLane := cluster.MaxRequestsPerSecond / float64(max(1, cluster.MaxInFlight))
		lane.limiter = rate.NewLimiter(rate.Limit(perLane), 1)
	}
	go lane.renew()
	return lane, nil
}

// renew extends the lease until the lane is released, and ends the lane when it is lost.
func (l *clusterLane) renew() {
	defer close(l.done)
	ticker := time.NewTicker(slotTTL / 3)
	defer ticker.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-ticker.C:
		}
		err := l.store.RenewSlot(l.ctx, l.cluster.ID, l.slot, l.holder, slotTTL)
		if errors.Is(err, store.ErrNoSlot) {
			l.cancel(errLeaseLost)
			return
		}
	}
}

// release ends the lease. It runs with a context of its own, so a canceled activity still
// frees its slot.
func (l *clusterLane) release() {
	l.cancel(nil)
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.store.ReleaseSlot(ctx, l.cluster.ID, l.slot, l.holder)
}

// paceHeartbeatInterval is the longest wait for the request rate between two heartbeats of
// a lane.
const paceHeartbeatInterval = 10 * time.Second

// pace waits for the lane's share of the cluster's request rate. It heartbeats before each
// request and every heartbeatEvery while it waits. The time between two heartbeats of a push
// is then at most one AXL request ([axl.DefaultTimeout], 30 s) or one backoff pause (30 s at
// most), well inside the push's heartbeat timeout.
func (l *clusterLane) pace() error {
	if err := context.Cause(l.ctx); err != nil {
		return err
	}
	l.heartbeat()
	if l.limiter == nil {
		return nil
	}

	reservation := l.limiter.Reserve()
	for wait := reservation.Delay(); wait > 0; wait = reservation.Delay() {
		timer := time.NewTimer(min(wait, l.heartbeatEvery))
		select {
		case <-l.ctx.Done():
			timer.Stop()
			reservation.Cancel()
			return fmt.Errorf("wait for the request rate of cluster %s: %w", l.cluster.Name,
				context.Cause(l.ctx))
		case <-timer.C:
		}
		l.heartbeat()
	}
	return nil
}

// userClient is the part of the AXL client a push uses.
type userClient interface {
	GetUser(ctx context.Context, userid string) (axl.User, error)
	AddUser(ctx context.Context, u axl.User) (string, error)
	UpdateUser(ctx context.Context, u axl.UserUpdate) error
}

// pacedClient sends every call through a lane.
type pacedClient struct {
	client *axl.Client
	lane   *clusterLane
}

func (p pacedClient) GetUser(ctx context.Context, userid string) (axl.User, error) {
	if err := p.lane.pace(); err != nil {
		return axl.User{}, err
	}
	return p.client.GetUser(p.lane.ctx, userid)
}

func (p pacedClient) AddUser(ctx context.Context, u axl.User) (string, error) {
	if err := p.lane.pace(); err != nil {
		return "", err
	}
	return p.client.AddUser(p.lane.ctx, u)
}

func (p pacedClient) UpdateUser(ctx context.Context, u axl.UserUpdate) error {
	if err := p.lane.pace(); err != nil {
		return err
	}
	return p.client.UpdateUser(p.lane.ctx, u)
}
