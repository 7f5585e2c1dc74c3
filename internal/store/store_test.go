package store

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

// openTestStore creates and migrates a database of its own next to the one DATABASE_URL
// names, and drops it when the test ends. Without DATABASE_URL the test skips, unless
// UCMPUSH_E2E=required, as `make test` sets it.
func openTestStore(t *testing.T) (*Store, context.Context) {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("UCMPUSH_E2E") == "required" {
			t.Fatal("DATABASE_URL is not set: run the tests with `make test`")
		}
		t.Skip("needs PostgreSQL: run `make test`, or set DATABASE_URL to a database of the local stack")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to DATABASE_URL: %v", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "store_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close(context.Background())
	})

	cfg := admin.Config()
	s, err := Open(ctx, fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User,
		cfg.Password, cfg.Host, cfg.Port, name))
	if err != nil {
		t.Fatalf("open database %s: %v", name, err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate database %s: %v", name, err)
	}
	return s, ctx
}
