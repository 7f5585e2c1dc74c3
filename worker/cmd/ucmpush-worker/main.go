// Command ucmpush-worker runs the ucmpush Temporal worker. Settings come from flags, or from
// the environment variables named in each flag's help.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/ucmpush/ucmpush/worker"
	"github.com/ucmpush/ucmpush/workflows"
)

func main() {
	cfg := worker.Config{}
	flags := flag.NewFlagSet("ucmpush-worker", flag.ExitOnError)
	flags.StringVar(&cfg.TemporalAddress, "temporal-address", envOr("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		"Temporal frontend host:port (env TEMPORAL_ADDRESS)")
	flags.StringVar(&cfg.Namespace, "namespace", envOr("TEMPORAL_NAMESPACE", "default"),
		"Temporal namespace (env TEMPORAL_NAMESPACE)")
	flags.StringVar(&cfg.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"),
		"PostgreSQL URL of the ucmpush store (env DATABASE_URL)")
	flags.StringVar(&cfg.TaskQueue, "task-queue", envOr("UCMPUSH_TASK_QUEUE", workflows.TaskQueue),
		"Temporal task queue to poll (env UCMPUSH_TASK_QUEUE)")
	level := flags.String("log-level", envOr("UCMPUSH_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (env UCMPUSH_LOG_LEVEL)")
	_ = flags.Parse(os.Args[1:])

	var logLevel slog.Level
	if err := logLevel.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "ucmpush-worker: invalid --log-level %q: use debug, info, warn or error\n", *level)
		os.Exit(2)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := worker.Run(ctx, cfg); err != nil {
		cfg.Logger.Error("Worker failed", "error", err)
		os.Exit(1)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
