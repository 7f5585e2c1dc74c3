package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// measureEngine pushes the 10,000 users to a simulator without latency or limit, so that the
// engine and the store set the pace, and measures beside it the dev server's rate of no-op
// activities and a plain loop's rate on the same simulator. The scenario stays configured
// for the re-sync that follows.
func measureEngine(ctx context.Context, env *benchEnv, r *report, noopCount int) (*scenario, error) {
	sim, err := env.startSimulator("engine", 0, 0)
	if err != nil {
		return nil, err
	}
	sc, err := env.newScenario(ctx, "engine", sim, false)
	if err != nil {
		return nil, err
	}
	if _, _, err := env.sync(ctx, sc); err != nil {
		return nil, err
	}

	progress("pushing to a simulator without latency")
	result, elapsed, err := env.push(ctx, sc)
	if err != nil {
		return nil, err
	}
	users, err := checkPushed(sim, result)
	if err != nil {
		return nil, err
	}
	pushRate := float64(len(users)) / elapsed.Seconds()
	r.add("engine_push_users", float64(len(users)), "users")
	r.add("engine_push_time", seconds(elapsed), "s")
	r.add("engine_push_rate", pushRate, "users/s")

	// The plain loop runs on a second simulator, so the scenario's keeps its users.
	bare, err := env.startSimulator("engine-loop", 0, 0)
	if err != nil {
		return nil, err
	}
	loop, err := pushLoop(ctx, bare, users, clusterMaxInFlight)
	_ = bare.Close()
	if err != nil {
		return nil, err
	}
	r.add("engine_loop_rate", float64(len(users))/loop.Seconds(), "users/s")

	wide, err := noopRate(ctx, env, noopCount, clusterMaxInFlight)
	if err != nil {
		return nil, err
	}
	r.add("engine_noop_rate_10_in_flight", wide, "activities/s")
	narrow, err := noopRate(ctx, env, max(1, noopCount/4), 1)
	if err != nil {
		return nil, err
	}
	r.add("engine_noop_rate_1_in_flight", narrow, "activities/s")

	r.info("engine_push_rate_over_noop_rate", pushRate, wide,
		"users per second / no-op activities per second, both 10 in flight")
	r.info("engine_push_rate_over_loop_rate", pushRate, float64(len(users))/loop.Seconds(),
		"product / plain Go loop, no simulated latency")
	return sc, nil
}

// noopWorkflowName and noopActivityName register the no-op fan-out under names that cannot
// clash with the product's.
const (
	noopWorkflowName = "BenchNoopFanout"
	noopActivityName = "BenchNoop"
)

// noopRate runs a workflow of count no-op activities, at most width at once, on a worker in
// this process, and returns the activities completed per second from start to result.
func noopRate(ctx context.Context, env *benchEnv, count, width int) (float64, error) {
	queue := fmt.Sprintf("%s-noop-%d", env.taskQueue, width)
	w := sdkworker.New(env.temporal, queue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(noopFanout, workflow.RegisterOptions{Name: noopWorkflowName})
	w.RegisterActivityWithOptions(noop, activity.RegisterOptions{Name: noopActivityName})
	if err := w.Start(); err != nil {
		return 0, fmt.Errorf("start the no-op worker: %w", err)
	}
	defer w.Stop()

	progress("running %d no-op activities, %d at once", count, width)
	opts := client.StartWorkflowOptions{ID: fmt.Sprintf("bench-noop/%s/%d", env.suffix, width),
		TaskQueue: queue}
	started := time.Now()
	run, err := env.temporal.ExecuteWorkflow(ctx, opts, noopWorkflowName, count, width)
	if err != nil {
		return 0, fmt.Errorf("start the no-op workflow: %w", err)
	}
	if err := run.Get(ctx, nil); err != nil {
		return 0, fmt.Errorf("no-op workflow: %w", err)
	}
	return float64(count) / time.Since(started).Seconds(), nil
}

// noopFanout runs count no-op activities, keeping at most width running.
func noopFanout(ctx workflow.Context, count, width int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	selector := workflow.NewSelector(ctx)
	var firstErr error
	started, running := 0, 0
	for started < count || running > 0 {
		if started < count && running < width {
			started++
			running++
			selector.AddFuture(workflow.ExecuteActivity(ctx, noopActivityName), func(f workflow.Future) {
				running--
				if err := f.Get(ctx, nil); err != nil && firstErr == nil {
					firstErr = err
				}
			})
			continue
		}
		selector.Select(ctx)
	}
	return firstErr
}

// noop is the activity whose rate is the engine's own.
func noop(context.Context) error { return nil }
