package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/worker"
)

// benchDatabase is the database the bench drops and creates next to the stack's.
const benchDatabase = "bench"

// Credentials of the in-process simulators. The worker resolves the references from its
// environment.
const (
	axlUsername     = "axladmin"
	axlPassword     = "bench-axl-secret"
	axlPasswordRef  = "env:BENCH_AXL_PASSWORD"
	ldapPasswordRef = "env:LDAP_BIND_PASSWORD"
)

// benchEnv is the bench's part of the stack: its own database, the Temporal dev server, the
// stack's slapd, one worker process on a task queue of its own, and a folder for files.
type benchEnv struct {
	stackDir    string
	workDir     string
	databaseURL string
	db          *store.Store
	temporal    client.Client
	taskQueue   string
	workerBin   string
	worker      *workerProcess
	// syncTimeout bounds the wait for one sync workflow.
	syncTimeout time.Duration
	// suffix keeps names that reach workflow IDs apart from an earlier run on the same server.
	suffix string
	ldap   ldapSettings
}

// ldapSettings are the stack's slapd settings, from its env file.
type ldapSettings struct {
	url, baseDN, bindDN, bindPassword string
}

// openEnv checks the stack's settings, makes the bench database, dials Temporal and starts the
// worker process.
func openEnv(ctx context.Context, workerBin string, syncTimeout time.Duration) (*benchEnv, error) {
	e := &benchEnv{workerBin: workerBin, stackDir: os.Getenv("STACK_DIR"), syncTimeout: syncTimeout}
	for _, name := range []string{"STACK_DIR", "DATABASE_URL", "TEMPORAL_ADDRESS", "LDAP_URL",
		"LDAPS_URL", "LDAP_BASE_DN", "LDAP_BIND_DN", "LDAP_BIND_PASSWORD"} {
		if os.Getenv(name) == "" {
			return nil, fmt.Errorf("%s is not set: run the bench with `make bench`, or load a "+
				"stack's settings with `. STACK_DIR/env` and export STACK_DIR", name)
		}
	}
	e.ldap = ldapSettings{url: os.Getenv("LDAP_URL"), baseDN: os.Getenv("LDAP_BASE_DN"),
		bindDN: os.Getenv("LDAP_BIND_DN"), bindPassword: os.Getenv("LDAP_BIND_PASSWORD")}

	suffix := make([]byte, 3)
	if _, err := rand.Read(suffix); err != nil {
		return nil, fmt.Errorf("random suffix: %w", err)
	}
	e.suffix = hex.EncodeToString(suffix)
	e.taskQueue = "bench-" + e.suffix

	var err error
	e.workDir, err = os.MkdirTemp("", "ucmpush-bench-")
	if err != nil {
		return nil, fmt.Errorf("create a work folder: %w", err)
	}
	if err := e.openDatabase(ctx); err != nil {
		e.close(true)
		return nil, err
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	e.temporal, err = worker.Dial(os.Getenv("TEMPORAL_ADDRESS"), os.Getenv("TEMPORAL_NAMESPACE"), log)
	if err != nil {
		e.close(true)
		return nil, fmt.Errorf("dial Temporal at %s: %w", os.Getenv("TEMPORAL_ADDRESS"), err)
	}
	if err := e.restartWorker(ctx); err != nil {
		e.close(true)
		return nil, err
	}
	return e, nil
}

// openDatabase drops and creates the bench database and migrates it.
func (e *benchEnv) openDatabase(ctx context.Context) error {
	admin, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return fmt.Errorf("connect to the stack's database: %w", err)
	}
	defer admin.Close(context.Background())

	for _, sql := range []string{"DROP DATABASE IF EXISTS " + benchDatabase + " WITH (FORCE)",
		"CREATE DATABASE " + benchDatabase} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}

	cfg := admin.Config()
	e.databaseURL = fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User,
		cfg.Password, cfg.Host, cfg.Port, benchDatabase)
	e.db, err = store.Open(ctx, e.databaseURL)
	if err != nil {
		return err
	}
	if _, err := e.db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate the bench database: %w", err)
	}
	return nil
}

// close stops the worker and closes the connections. It removes the work folder unless keep is
// set, so that the worker logs of a failed run stay to be read.
func (e *benchEnv) close(keep bool) {
	if e.worker != nil {
		if err := e.worker.stop(); err != nil {
			progress("stop the worker: %v", err)
		}
	}
	if e.temporal != nil {
		e.temporal.Close()
	}
	if e.db != nil {
		e.db.Close()
	}
	if keep {
		progress("the worker logs are in %s", e.workDir)
		return
	}
	if err := os.RemoveAll(e.workDir); err != nil {
		progress("remove the work folder: %v", err)
	}
}

// restartWorker stops the running worker process, if any, and starts a fresh one, whose peak
// memory then counts only what it does from now on.
func (e *benchEnv) restartWorker(ctx context.Context) error {
	if e.worker != nil {
		if err := e.worker.stop(); err != nil {
			return err
		}
		e.worker = nil
	}

	env := append(os.Environ(),
		"DATABASE_URL="+e.databaseURL,
		"UCMPUSH_TASK_QUEUE="+e.taskQueue,
		"UCMPUSH_METRICS_LISTEN=",
		"UCMPUSH_LOG_LEVEL=info",
		// The bench client reads results with the default data converter.
		"UCMPUSH_PLAIN_PAYLOADS=true",
		"BENCH_AXL_PASSWORD="+axlPassword,
	)
	logPath := filepath.Join(e.workDir, fmt.Sprintf("worker-%d.log", time.Now().UnixNano()))
	w, err := startWorker(ctx, e.workerBin, env, logPath)
	if err != nil {
		return err
	}
	e.worker = w
	return nil
}

// seed replaces ou=people of the stack's slapd with the LDIF, through deploy/stack/slapd.sh.
func (e *benchEnv) seed(ctx context.Context, ldif string) error {
	script, err := repoFile("deploy/stack/slapd.sh")
	if err != nil {
		return err
	}

	started := time.Now()
	progress("seeding slapd with %s", ldif)
	// slapd.sh takes its ports from LDAP_PORT and LDAPS_PORT, which default to the default
	// stack's: set them from the URLs of the stack under test, so the seed never reaches another.
	ldapPort, err := urlPort(os.Getenv("LDAP_URL"))
	if err != nil {
		return err
	}
	ldapsPort, err := urlPort(os.Getenv("LDAPS_URL"))
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "bash", script, "seed", ldif)
	cmd.Env = append(os.Environ(), "STACK_DIR="+e.stackDir, "LDAP_PORT="+ldapPort,
		"LDAPS_PORT="+ldapsPort)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("seed slapd with %s: %w: %s", ldif, err, strings.TrimSpace(string(out)))
	}
	progress("%s in %s", strings.TrimSpace(string(out)), time.Since(started).Round(time.Second))
	return nil
}

// urlPort returns the port of an ldap:// or ldaps:// URL that names one.
func urlPort(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" {
		return "", fmt.Errorf("invalid LDAP URL %q in the stack's settings: want ldap://host:port", raw)
	}
	return u.Port(), nil
}

// repoFile finds a file of the repository from the working folder or one of its parents, so
// the bench runs from the repository root or from internal/bench.
func repoFile(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		path := filepath.Join(dir, rel)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not found above the working folder: run the bench from "+
				"the repository", rel)
		}
		dir = parent
	}
}

// name returns a configuration name unique to this bench run.
func (e *benchEnv) name(base string) string { return base + "-" + e.suffix }

// errWorkerExited is wrapped by the error of a wait that the worker process ended.
var errWorkerExited = errors.New("the worker process exited")
