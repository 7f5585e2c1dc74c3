// Package worker runs the ucmpush Temporal worker: it applies the store's migrations,
// registers the search attributes, the workflows and the activities, serves metrics and
// health checks, and polls the task queue until its context ends, then drains.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/metrics"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/internal/temporalclient"
	"github.com/ucmpush/ucmpush/workflows"
)

// DefaultShutdownTimeout is how long a stopping worker waits for running activities when
// [Config.ShutdownTimeout] is zero.
const DefaultShutdownTimeout = 30 * time.Second

// DefaultMetricsListen is the address of /metrics, /healthz and /readyz in the worker
// command. It is loopback, so nothing is exposed by default; containers set 0.0.0.0:9464.
const DefaultMetricsListen = "127.0.0.1:9464"

// Config holds the worker's connections and settings. DatabaseURL and Temporal.Address are
// required; every other field has a default.
type Config struct {
	// Temporal is the connection to the Temporal namespace. Its Logger and MetricsHandler
	// are set by Run from Logger and Metrics.
	Temporal temporalclient.Config

	// DatabaseURL is the PostgreSQL URL of the ucmpush store.
	DatabaseURL string

	// TaskQueue defaults to [workflows.TaskQueue].
	TaskQueue string

	// Logger defaults to slog's default logger.
	Logger *slog.Logger

	// MetricsListen is the host:port that serves /metrics, /healthz and /readyz; empty turns
	// the endpoint off.
	MetricsListen string

	// MetricsListenOptional makes a MetricsListen address that cannot be bound (a port in
	// use, say) a warning instead of a start failure: the worker then runs without the
	// endpoint. The command sets it only when the address is its default, so that two local
	// workers can run side by side, while an address set on purpose still fails loudly.
	MetricsListenOptional bool

	// ShutdownTimeout is how long the worker waits for running activities after ctx ends
	// before the SDK cancels them (the SDK's WorkerStopTimeout). Zero means
	// [DefaultShutdownTimeout].
	ShutdownTimeout time.Duration

	// Metrics receives the SDK's and ucmpush's metrics; nil means [metrics.Default].
	Metrics *metrics.Metrics

	// Secrets resolves the password references of clusters and directories; the zero value
	// reads the process environment and files.
	Secrets secrets.Resolver
}

// Run starts the worker and blocks until ctx is canceled. It then stops polling, lets
// running activities finish for up to ShutdownTimeout (the SDK cancels those still running
// after it, and Temporal retries them on another worker), and returns nil. It returns an
// error when a connection, the migrations or the metrics listener fail at start, or when
// the SDK reports a fatal worker error, such as a namespace that does not exist.
func Run(ctx context.Context, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	log := cfg.Logger.With("taskQueue", cfg.TaskQueue, "namespace", cfg.Temporal.Namespace)
	log.Info("Worker starting", "temporalAddress", cfg.Temporal.Address,
		"temporalConnection", cfg.Temporal.Mode(), "payloads", cfg.Temporal.PayloadMode(),
		"metricsListen", cfg.MetricsListen, "shutdownTimeout", cfg.ShutdownTimeout.String())

	health := NewHealth(cfg.Metrics)
	if cfg.MetricsListen != "" {
		ops, err := startOps(cfg.MetricsListen, health, log)
		switch {
		case err != nil && cfg.MetricsListenOptional:
			log.Warn("Running without metrics and health checks", "error", err)
		case err != nil:
			return err
		default:
			defer ops.shutdown()
		}
	}

	db, tc, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	defer tc.Close()

	return poll(ctx, cfg, db, tc, health, log)
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TaskQueue == "" {
		cfg.TaskQueue = workflows.TaskQueue
	}
	if cfg.Temporal.Namespace == "" {
		cfg.Temporal.Namespace = temporalclient.DefaultNamespace
	}
	if cfg.ShutdownTimeout < 0 {
		return cfg, fmt.Errorf("invalid shutdown timeout %s: use a positive duration such as 30s",
			cfg.ShutdownTimeout)
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.Default()
	}
	if err := cfg.Temporal.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// connect opens and migrates the store, then dials Temporal and registers the search
// attributes.
func connect(ctx context.Context, cfg Config, log *slog.Logger) (*store.Store, client.Client, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}

	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrate database: %w", err)
	}
	log.Info("Database ready", "migrationsApplied", applied)
	warnInsecureTLS(ctx, db, log)

	tcfg := cfg.Temporal
	tcfg.Logger = cfg.Logger
	tcfg.MetricsHandler = cfg.Metrics.SDKHandler()
	tc, err := temporalclient.Dial(ctx, tcfg)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	log.Info("Connected to Temporal", "temporalAddress", tcfg.Address,
		"temporalConnection", tcfg.Mode())

	if err := EnsureSearchAttributes(ctx, tc, tcfg.Namespace); err != nil {
		log.Warn("Could not register search attributes; register them with `temporal "+
			"operator search-attribute create` (Temporal Cloud: `tcld namespace "+
			"search-attributes add`) or the UI filters will not work", "error", err)
	} else {
		log.Info("Search attributes ready", "searchAttributes", workflows.SearchAttributeNames)
	}
	return db, tc, nil
}

// poll runs the SDK worker until ctx ends or the SDK reports a fatal error, then drains it.
func poll(ctx context.Context, cfg Config, db *store.Store, tc client.Client, health *Health,
	log *slog.Logger) error {
	fatal := make(chan error, 1)
	w := sdkworker.New(tc, cfg.TaskQueue, sdkworker.Options{
		WorkerStopTimeout: cfg.ShutdownTimeout,
		OnFatalError: func(err error) {
			select {
			case fatal <- err:
			default:
			}
		},
	})
	RegisterWith(w, db, cfg.Secrets, cfg.Metrics)

	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker on task queue %s: %w", cfg.TaskQueue, err)
	}
	health.SetReady(
		Check{Name: "database", Run: func(ctx context.Context) error { return db.Pool().Ping(ctx) }},
		Check{Name: "temporal", Run: func(ctx context.Context) error {
			_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	)
	log.Info("Worker started")

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("Worker stopping: polling ends, running activities may finish",
			"shutdownTimeout", cfg.ShutdownTimeout.String())
	case runErr = <-fatal:
		log.Error("Worker failed; stopping", "error", runErr)
	}
	health.SetStopping()

	start := time.Now()
	w.Stop()
	elapsed := time.Since(start).Round(time.Millisecond)
	if elapsed >= cfg.ShutdownTimeout {
		log.Warn("Shutdown timeout reached: activities still running were canceled and "+
			"Temporal retries them", "elapsed", elapsed.String())
	}
	log.Info("Worker stopped", "elapsed", elapsed.String())
	if runErr != nil {
		return fmt.Errorf("worker on task queue %s: %w", cfg.TaskQueue, runErr)
	}
	return nil
}

// Register registers every workflow and activity of ucmpush on w, recording metrics into
// [metrics.Default].
func Register(w sdkworker.Registry, db *store.Store, resolver secrets.Resolver) {
	RegisterWith(w, db, resolver, metrics.Default())
}

// RegisterWith registers every workflow and activity of ucmpush on w, recording metrics into
// m; nil m records none.
func RegisterWith(w sdkworker.Registry, db *store.Store, resolver secrets.Resolver, m *metrics.Metrics) {
	w.RegisterWorkflow(workflows.LdapSyncThenPush)
	w.RegisterWorkflow(workflows.PushSite)
	w.RegisterWorkflow(workflows.UsersMoved)
	w.RegisterWorkflow(workflows.SiteNDLChanged)
	w.RegisterWorkflow(workflows.UserCreated)
	w.RegisterWorkflow(workflows.NodePush)
	w.RegisterWorkflow(workflows.UCMImport)
	w.RegisterWorkflow(workflows.ManualQuickUserPush)
	w.RegisterWorkflow(workflows.ReadUCMUser)

	w.RegisterActivity(&storeActivities{StoreActivities: &activities.StoreActivities{Store: db},
		metrics: m})
	w.RegisterActivity(&activities.DirectoryActivities{Store: db, Secrets: resolver, Metrics: m})
	w.RegisterActivity(&activities.UCMActivities{Store: db, Secrets: resolver, Metrics: m})
}

// Dial connects to a plain (non-TLS) Temporal frontend at address, in namespace ("default"
// when empty), with the SDK logging through log. It is [temporalclient.Dial] without TLS,
// API key or metrics, for tests and tools on the local stack.
func Dial(address, namespace string, log *slog.Logger) (client.Client, error) {
	if address == "" {
		return nil, errors.New("missing Temporal address: set TEMPORAL_ADDRESS or " +
			"--temporal-address, for example 127.0.0.1:7233")
	}
	return temporalclient.Dial(context.Background(), temporalclient.Config{Address: address,
		Namespace: namespace, Logger: log})
}

// EnsureSearchAttributes registers the search attributes of [workflows.SearchAttributeNames]
// that the namespace lacks, as Keyword attributes. It changes nothing when all exist.
//
// NOTE: Temporal's documentation says to manage the custom search attributes of Temporal
// Cloud with tcld or the Cloud UI, so this call may be rejected there. Run then only logs a
// warning, and the attributes must be created once with `tcld namespace search-attributes
// add` (see deploy/README.md).
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	if namespace == "" {
		namespace = "default"
	}
	existing, err := c.OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of namespace %s: %w", namespace, err)
	}

	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range workflows.SearchAttributeNames {
		if _, ok := existing.GetCustomAttributes()[name]; !ok {
			missing[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes to namespace %s: %w", namespace, err)
	}
	return nil
}

// warnInsecureTLS logs a warning, at every start, for each UCM cluster and directory whose
// certificate verification an operator turned off: anyone on the path could read the AXL or
// bind password.
func warnInsecureTLS(ctx context.Context, db *store.Store, log *slog.Logger) {
	clusters, err := db.Clusters(ctx)
	if err != nil {
		log.Warn("Could not list UCM clusters to check their TLS settings", "error", err)
	}
	for _, c := range clusters {
		if c.InsecureSkipVerify {
			log.Warn("TLS certificate verification is off for a UCM cluster; give it a CA with "+
				"`ucmpush cluster set --ca-file` and turn --insecure-skip-verify off",
				"cluster", c.Name, "axlURL", c.AXLURL)
		}
	}
	directories, err := db.Directories(ctx)
	if err != nil {
		log.Warn("Could not list directories to check their TLS settings", "error", err)
	}
	for _, d := range directories {
		if d.InsecureSkipVerify {
			log.Warn("TLS certificate verification is off for a directory; give it a CA with "+
				"`ucmpush directory set --ca-file` and turn --insecure-skip-verify off",
				"directory", d.Name, "url", d.URL)
		}
	}
}
