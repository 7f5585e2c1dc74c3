// Package store keeps ucmpush's state in PostgreSQL: the hierarchy, UCM clusters, NDLs,
// directories, move rules, users, directory sync runs and push state. Every query takes its
// values as parameters; none is built from user data.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a pool of connections to the ucmpush database. It is safe for concurrent use,
// except for the Store that [Store.DryRun] hands to its function.
type Store struct {
	// pool runs every query: the connection pool, or the transaction of [Store.DryRun].
	pool querier
	// root is the connection pool itself; nil in the Store of [Store.DryRun], so nothing run
	// there can reach the database outside its transaction.
	root *pgxpool.Pool
}

// querier is the part of a connection pool that the store's queries use, which a transaction
// offers too.
type querier interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Open connects to the database at url (a postgres:// URL or a key=value DSN) and checks the
// connection. It does not apply migrations: call [Store.Migrate] for that.
func Open(ctx context.Context, url string) (*Store, error) {
	if url == "" {
		return nil, errors.New("missing database URL: set DATABASE_URL or --database-url, " +
			"for example postgres://ucmpush:secret@127.0.0.1:5432/ucmpush")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL with its password, so it is not wrapped.
		return nil, errors.New("invalid database URL: expected postgres://user:password@host:port/database")
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s:%d/%s: %w",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{pool: pool, root: pool}, nil
}

// Close closes every connection of the pool. Calls after Close fail.
func (s *Store) Close() { s.root.Close() }

// Pool returns the underlying pool, for tests that inspect tables directly.
func (s *Store) Pool() *pgxpool.Pool { return s.root }

// NotFoundError reports a named object that does not exist.
type NotFoundError struct {
	Kind string
	Name string
	Hint string
}

// Error returns a message naming the object and how to find or create one.
func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("%s %q not found", e.Kind, e.Name)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// ConflictError reports an object that already exists, or a change that another object's
// reference forbids.
type ConflictError struct {
	Kind    string
	Name    string
	Message string
}

// Error returns the message.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Kind, e.Name, e.Message)
}

// IsNotFound reports whether err is or wraps a [NotFoundError].
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// IsConflict reports whether err is or wraps a [ConflictError].
func IsConflict(err error) bool {
	var c *ConflictError
	return errors.As(err, &c)
}

func notFound(kind, name, hint string) error {
	return &NotFoundError{Kind: kind, Name: name, Hint: hint}
}

// uniqueViolation turns PostgreSQL's unique_violation into a ConflictError and returns any
// other error unchanged.
func uniqueViolation(err error, kind, name string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return &ConflictError{Kind: kind, Name: name, Message: "already exists"}
	}
	return err
}

// inTx runs fn in a transaction that commits when fn returns nil and rolls back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
