package activities

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/ucmpush/ucmpush/domain"
)

// testLane returns a lane with no store, paced to one request per interval, that counts its
// heartbeats.
func testLane(interval, heartbeatEvery time.Duration) (*clusterLane, *atomic.Int32) {
	var beats atomic.Int32
	lane := &clusterLane{cluster: domain.Cluster{Name: "ucm-test"},
		limiter:        rate.NewLimiter(rate.Every(interval), 1),
		heartbeat:      func() { beats.Add(1) },
		heartbeatEvery: heartbeatEvery, done: make(chan struct{})}
	lane.ctx, lane.cancel = context.WithCancelCause(context.Background())
	return lane, &beats
}

func TestPaceHeartbeatsWhileWaiting(t *testing.T) {
	lane, beats := testLane(300*time.Millisecond, 20*time.Millisecond)
	defer lane.cancel(nil)

	// The first request goes at once, with one heartbeat before it.
	if err := lane.pace(); err != nil {
		t.Fatalf("first pace: %v", err)
	}
	if got := beats.Load(); got != 1 {
		t.Errorf("heartbeats before the first request = %d, want 1", got)
	}

	// The second waits about 300 ms for the rate, heartbeating every 20 ms of it.
	if err := lane.pace(); err != nil {
		t.Fatalf("second pace: %v", err)
	}
	if got := beats.Load() - 1; got < 5 {
		t.Errorf("heartbeats during a 300 ms wait = %d, want one per 20 ms of it (at least 5)", got)
	}
}

func TestPaceWithoutRateHeartbeatsOnce(t *testing.T) {
	lane, beats := testLane(time.Second, time.Millisecond)
	lane.limiter = nil
	defer lane.cancel(nil)

	for range 3 {
		if err := lane.pace(); err != nil {
			t.Fatalf("pace: %v", err)
		}
	}
	if got := beats.Load(); got != 3 {
		t.Errorf("heartbeats for 3 requests = %d, want 3", got)
	}
}

func TestPaceStopsWhenLaneEnds(t *testing.T) {
	lane, _ := testLane(time.Hour, 10*time.Millisecond)
	if err := lane.pace(); err != nil {
		t.Fatalf("first pace: %v", err)
	}

	time.AfterFunc(50*time.Millisecond, func() { lane.cancel(errLeaseLost) })
	err := lane.pace()
	if !errors.Is(err, errLeaseLost) {
		t.Errorf("pace after the lease was lost = %v, want it to wrap %v", err, errLeaseLost)
	}
	if err := lane.pace(); !errors.Is(err, errLeaseLost) {
		t.Errorf("pace on an ended lane = %v, want %v", err, errLeaseLost)
	}
}
