// Command bench measures ucmpush on the local stack and prints one line per figure, then the
// ratios against the goals. deploy/bench.sh (`make bench`) starts a stack of its own, builds the
// worker and the sample directories, and runs it:
//
//	go run ./internal/bench -worker-bin .tools/ucmpush-worker \
//	    -ldif-small people-10000.ldif -ldif-large people-100000.ldif
//
// It reads the stack's settings from the environment that STACK_DIR/env sets (DATABASE_URL,
// TEMPORAL_ADDRESS, LDAP_URL, LDAP_BASE_DN, LDAP_BIND_DN, LDAP_BIND_PASSWORD) and STACK_DIR
// itself, for the slapd admin password and deploy/stack/slapd.sh seed. It drops and creates
// the database "bench" next to the stack's, runs the worker binary as a process of its own (so
// its peak memory can be read from /proc), and serves UCM with in-process AXL simulators.
//
// Figures go to standard output as "name value unit", progress to standard error. The exit
// status is 1 when a measurement could not be taken, and 0 otherwise, also when a goal is
// missed: the ratios mark it MISSED.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// options are the command's flags.
type options struct {
	workerBin   string
	ldifSmall   string
	ldifLarge   string
	scriptUsers int
	noopCount   int
	skipLarge   bool
	syncTimeout time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.workerBin, "worker-bin", "", "path of a built ucmpush-worker binary (required)")
	flag.StringVar(&o.ldifSmall, "ldif-small", "",
		"LDIF of the 10,000-person directory, from go run ./deploy/sampledir -count 10000 (required)")
	flag.StringVar(&o.ldifLarge, "ldif-large", "",
		"LDIF of the 100,000-person directory, from go run ./deploy/sampledir -count 100000")
	flag.IntVar(&o.scriptUsers, "script-users", 1000,
		"users the one-at-a-time script loop pushes; its rate is scaled to the whole push")
	flag.IntVar(&o.noopCount, "noop-activities", 1000,
		"no-op activities per run of the engine's own rate")
	flag.DurationVar(&o.syncTimeout, "sync-timeout", 10*time.Minute,
		"longest wait for one sync workflow; a slower sync is terminated and reported as missed")
	flag.BoolVar(&o.skipLarge, "skip-large", false,
		"skip the 100,000-entry phase (directory sync, push, re-sync and history at 100,000)")
	flag.Parse()

	if err := o.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func (o options) validate() error {
	if o.workerBin == "" {
		return errors.New("missing -worker-bin: build one with go build -o DIR ./worker/cmd/ucmpush-worker")
	}
	if o.ldifSmall == "" {
		return errors.New("missing -ldif-small: write one with go run ./deploy/sampledir -count 10000")
	}
	if o.ldifLarge == "" && !o.skipLarge {
		return errors.New("missing -ldif-large: write one with go run ./deploy/sampledir " +
			"-count 100000, or pass -skip-large")
	}
	if o.syncTimeout <= 0 {
		return errors.New("invalid -sync-timeout: use a positive duration such as 10m")
	}
	if o.scriptUsers < 1 || o.noopCount < 1 {
		return errors.New("invalid -script-users or -noop-activities: use 1 or more")
	}
	return nil
}

// run takes every measurement in order, then prints the figures and the ratios. The figures
// taken before an error are printed too.
func run(ctx context.Context, o options) (err error) {
	started := time.Now()
	env, err := openEnv(ctx, o.workerBin, o.syncTimeout)
	if err != nil {
		return err
	}
	defer func() { env.close(err != nil) }()

	r := newReport(os.Stdout)
	defer r.print()
	if err := runSmall(ctx, env, r, o); err != nil {
		return err
	}
	if !o.skipLarge {
		if err := runLarge(ctx, env, r, o); err != nil {
			return err
		}
	}
	progress("all measurements taken in %s", time.Since(started).Round(time.Second))
	return nil
}

// runSmall measures everything on the 10,000-person directory: the directory sync, the push
// against the UCM limit and against a script, the engine overhead and a re-sync.
func runSmall(ctx context.Context, env *benchEnv, r *report, o options) error {
	const entries = 10_000
	if err := env.seed(ctx, o.ldifSmall); err != nil {
		return err
	}

	dir, err := measureDirectorySync(ctx, env, r, entries)
	if err != nil {
		return err
	}
	limit, err := measurePushAtLimit(ctx, env, r, o.scriptUsers)
	if err != nil {
		return err
	}
	engine, err := measureEngine(ctx, env, r, o.noopCount)
	if err != nil {
		return err
	}
	resync, err := measureResync(ctx, env, r, engine, entries)
	if err != nil {
		return err
	}
	return recordHistory(ctx, env, r, entries, dir, limit, engine, resync)
}

// runLarge measures the 100,000-person directory: the directory sync and the worker's memory,
// then a first sync that pushes everyone, a re-sync and the largest history.
func runLarge(ctx context.Context, env *benchEnv, r *report, o options) error {
	const entries = 100_000
	if err := env.seed(ctx, o.ldifLarge); err != nil {
		return err
	}

	dir, err := measureDirectorySync(ctx, env, r, entries)
	if err != nil {
		return stopPhase(entries, err)
	}
	full, err := measureFullPush(ctx, env, r, entries)
	if err != nil {
		return stopPhase(entries, err)
	}
	resync, err := measureResync(ctx, env, r, full, entries)
	if err != nil {
		return stopPhase(entries, err)
	}
	if err := recordHistory(ctx, env, r, entries, dir, full, resync); err != nil {
		return err
	}

	peak, err := env.worker.peakRSS()
	if err != nil {
		return err
	}
	r.add(fmt.Sprintf("worker_peak_rss_after_push_%d", entries), mib(peak), "MiB")
	return nil
}

// stopPhase ends a phase whose sync was terminated after the sync timeout, which the figures
// record as missed, and passes any other error on.
func stopPhase(entries int, err error) error {
	if errors.Is(err, errSyncTimedOut) {
		progress("the %d-entry phase stops here: %v", entries, err)
		return nil
	}
	return err
}

// progress prints one line on standard error, stamped with the time of day.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
