// Package worker runs the ucmpush Temporal worker: it applies the store's migrations,
// registers the search attributes, the workflows and the activities, and polls the task queue
// until its context ends.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/ucmpush/ucmpush/activities"
	"github.com/ucmpush/ucmpush/internal/secrets"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/workflows"
)

// Config holds the worker's connections. TaskQueue defaults to [workflows.TaskQueue] and
// Logger to slog's default; the others are required.
type Config struct {
	TemporalAddress string
	Namespace       string
	DatabaseURL     string
	TaskQueue       string
	Logger          *slog.Logger
}

// Run starts the worker and blocks until ctx is canceled, then stops polling, lets running
// activities finish for up to the SDK's stop timeout, and returns nil. It returns an error
// when a connection or the migrations fail at start.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TaskQueue == "" {
		cfg.TaskQueue = workflows.TaskQueue
	}
	log := cfg.Logger

	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	log.Info("Database ready", "migrationsApplied", applied)

	tc, err := Dial(cfg.TemporalAddress, cfg.Namespace, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := EnsureSearchAttributes(ctx, tc, cfg.Namespace); err != nil {
		log.Warn("Could not register search attributes; register them with "+
			"`temporal operator search-attribute create` or the UI filters will not work",
			"error", err)
	}

	w := sdkworker.New(tc, cfg.TaskQueue, sdkworker.Options{})
	Register(w, db, secrets.Resolver{})
	log.Info("Worker started", "temporalAddress", cfg.TemporalAddress,
		"namespace", cfg.Namespace, "taskQueue", cfg.TaskQueue)

	err = w.Run(interruptOn(ctx))
	log.Info("Worker stopped", "taskQueue", cfg.TaskQueue)
	return err
}

// interruptOn turns a context into the channel that [sdkworker.Worker.Run] stops on.
func interruptOn(ctx context.Context) <-chan interface{} {
	ch := make(chan interface{})
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch
}

// Register registers every workflow and activity of ucmpush on w.
func Register(w sdkworker.Registry, db *store.Store, resolver secrets.Resolver) {
	w.RegisterWorkflow(workflows.LdapSyncThenPush)
	w.RegisterWorkflow(workflows.PushSite)
	w.RegisterWorkflow(workflows.UsersMoved)
	w.RegisterWorkflow(workflows.SiteNDLChanged)
	w.RegisterWorkflow(workflows.UserCreated)
	w.RegisterWorkflow(workflows.NodePush)
	w.RegisterWorkflow(workflows.UCMImport)

	w.RegisterActivity(&activities.StoreActivities{Store: db})
	w.RegisterActivity(&activities.DirectoryActivities{Store: db, Secrets: resolver})
	w.RegisterActivity(&activities.UCMActivities{Store: db, Secrets: resolver})
}

// Dial connects to the Temporal frontend at address, in namespace, with the SDK logging
// through log.
func Dial(address, namespace string, log *slog.Logger) (client.Client, error) {
	if address == "" {
		return nil, errors.New("missing Temporal address: set TEMPORAL_ADDRESS or " +
			"--temporal-address, for example 127.0.0.1:7233")
	}
	if namespace == "" {
		namespace = "default"
	}
	c, err := client.Dial(client.Options{
		HostPort:  address,
		Namespace: namespace,
		Logger:    tlog.NewStructuredLogger(log),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w; check that the "+
			"server runs and TEMPORAL_ADDRESS is right", address, namespace, err)
	}
	return c, nil
}

// EnsureSearchAttributes registers the search attributes of [workflows.SearchAttributeNames]
// that the namespace lacks, as Keyword attributes. It changes nothing when all exist.
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
