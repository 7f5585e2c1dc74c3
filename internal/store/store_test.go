package store

import (
	"context"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/testdb"
)

// openTestStore opens and migrates a database of the test's own (see [testdb.URL]).
func openTestStore(t *testing.T) (*Store, context.Context) {
	t.Helper()
	url := testdb.URL(t, "store")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)

	s, err := Open(ctx, url)
	if err != nil {
		t.Fatalf("open the test database: %v", err)
	}
	t.Cleanup(s.Close)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate the test database: %v", err)
	}
	return s, ctx
}
