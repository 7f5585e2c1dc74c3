// Package testdb gives a test a PostgreSQL database of its own, next to the one that
// DATABASE_URL names, so tests never share rows and never touch the demo's data.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URL creates an empty database named prefix_ and 8 random hex digits on the server of
// DATABASE_URL, with the same user, drops it when the test ends, and returns its URL.
//
// Without DATABASE_URL the test is skipped, or fails when UCMPUSH_E2E=required, as `make
// test` sets it, so an integration test never passes by not running.
func URL(t testing.TB, prefix string) string {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("UCMPUSH_E2E") == "required" {
			t.Fatal("DATABASE_URL is not set: run the tests with `make test`")
		}
		t.Skip("needs PostgreSQL: run `make test`, or set DATABASE_URL to a database of the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to DATABASE_URL: %v", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := prefix + "_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		_ = admin.Close(ctx)
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(),
			"DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		_ = admin.Close(context.Background())
	})

	cfg := admin.Config()
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Password,
		cfg.Host, cfg.Port, name)
}
