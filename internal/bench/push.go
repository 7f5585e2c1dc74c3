package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/workflows"
)

// UCM as the push against the limit sees it: every AXL request takes simLatency, and more than
// simMaxInFlight at once get HTTP 503.
const (
	simLatency     = 50 * time.Millisecond
	simMaxInFlight = 10
)

// loopThrottleBackoff is the wait of the plain loops after an HTTP 503, the same first wait as
// the product's (activities.UCMActivities.ThrottleBackoff).
const loopThrottleBackoff = time.Second

// measurePushAtLimit pushes the 10,000 users with the product, then makes the same AXL calls
// with a plain Go loop at the same concurrency and with a one-at-a-time script loop over a
// sample, each against a fresh simulator state with the same limits.
func measurePushAtLimit(ctx context.Context, env *benchEnv, r *report, scriptUsers int) (*scenario, error) {
	sim, err := env.startSimulator("limit", simLatency, simMaxInFlight)
	if err != nil {
		return nil, err
	}
	defer sim.Close()

	sc, err := env.newScenario(ctx, "limit", sim, false)
	if err != nil {
		return nil, err
	}
	if _, _, err := env.sync(ctx, sc); err != nil {
		return nil, err
	}

	progress("pushing to a simulator with %s per request and at most %d in flight", simLatency,
		simMaxInFlight)
	result, elapsed, err := env.push(ctx, sc)
	if err != nil {
		return nil, err
	}
	users, err := checkPushed(sim, result)
	if err != nil {
		return nil, err
	}
	n := len(users)
	r.add("push_limit_users", float64(n), "users")
	r.add("push_limit_product_time", seconds(elapsed), "s")
	r.add("push_limit_product_throttled", float64(sim.Stats().Throttled), "responses")

	sim.Reset()
	loop, err := pushLoop(ctx, sim, users, simMaxInFlight)
	if err != nil {
		return nil, err
	}
	r.add("push_limit_loop_time", seconds(loop), "s")
	r.add("push_limit_loop_throttled", float64(sim.Stats().Throttled), "responses")

	sample := users[:min(scriptUsers, n)]
	sim.Reset()
	script, err := pushLoop(ctx, sim, sample, 1)
	if err != nil {
		return nil, err
	}
	scaled := script.Seconds() / float64(len(sample)) * float64(n)
	r.add("push_script_sample_users", float64(len(sample)), "users")
	r.add("push_script_sample_time", seconds(script), "s")
	r.addNote("push_script_scaled_time", scaled, "s",
		fmt.Sprintf("the sample's rate per user times %d users, not a full run", n))

	r.atMost("push_limit_product_over_loop", seconds(elapsed), seconds(loop), 1.15,
		"product time / plain Go loop at 10 in flight")
	r.atLeast("push_script_over_product", scaled, seconds(elapsed), 8,
		fmt.Sprintf("one-at-a-time script, scaled from %d users / product", len(sample)))
	return sc, nil
}

// checkPushed checks that the push added every planned user and nothing failed, and returns
// the users as the simulator holds them, in userid order.
func checkPushed(sim *simulator, result workflows.PushSiteResult) ([]axl.User, error) {
	users := sim.Users()
	if result.Failed > 0 || result.Added != result.Planned || len(users) != result.Added {
		return nil, fmt.Errorf("push of %s: planned %d, added %d, failed %d (%+v); the "+
			"simulator holds %d users", result.Site, result.Planned, result.Added, result.Failed,
			result.Failures, len(users))
	}
	return users, nil
}

// pushLoop makes the calls of a push without Temporal: for each user getUser, then addUser,
// from concurrency goroutines. A throttled call (HTTP 503) is retried after
// loopThrottleBackoff, as the product does; any other error stops the loop.
func pushLoop(ctx context.Context, sim *simulator, users []axl.User, concurrency int) (time.Duration, error) {
	client, err := sim.client()
	if err != nil {
		return 0, err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan axl.User)
	var wg sync.WaitGroup
	started := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				if err := pushOne(ctx, client, u); err != nil {
					cancel(fmt.Errorf("push %s: %w", u.UserID, err))
					return
				}
			}
		}()
	}

feed:
	for _, u := range users {
		select {
		case work <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(started)

	if err := context.Cause(ctx); err != nil {
		return 0, fmt.Errorf("plain push loop: %w", err)
	}
	if got := len(sim.Users()); got != len(users) {
		return 0, fmt.Errorf("plain push loop: the simulator holds %d users, want %d", got, len(users))
	}
	return elapsed, nil
}

// pushOne reads the user and adds it when missing, as the product does for a new user.
func pushOne(ctx context.Context, client *axl.Client, u axl.User) error {
	_, err := retryThrottled(ctx, func() (string, error) {
		_, err := client.GetUser(ctx, u.UserID)
		return "", err
	})
	if !axl.IsNotFound(err) {
		return err
	}
	_, err = retryThrottled(ctx, func() (string, error) {
		return client.AddUser(ctx, axl.User{UserID: u.UserID, FirstName: u.FirstName,
			LastName: u.LastName, MailID: u.MailID, TelephoneNumber: u.TelephoneNumber,
			Department: u.Department, Title: u.Title})
	})
	return err
}

// retryThrottled calls fn until it returns anything but a retryable AXL error, waiting
// loopThrottleBackoff between calls.
func retryThrottled(ctx context.Context, fn func() (string, error)) (string, error) {
	for {
		v, err := fn()
		if err == nil || !axl.IsRetryable(err) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(loopThrottleBackoff):
		}
	}
}
