package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
)

// seedSite creates customer acme, cluster ucm-a, NDL ndl-a naming it, site acme/london on it
// and user alice at london.
func seedSite(t *testing.T, ctx context.Context, s *Store) domain.Site {
	t.Helper()
	if _, err := s.CreateCustomer(ctx, "acme", ""); err != nil {
		t.Fatalf("create customer: %v", err)
	}
	_, err := s.CreateCluster(ctx, domain.Cluster{Name: "ucm-a", AXLURL: "https://127.0.0.1:9/axl/",
		AXLVersion: "14.0", Username: "axladmin", PasswordRef: "env:NONE", MaxInFlight: 2})
	if err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	if _, err := s.CreateNDL(ctx, "ndl-a", "ucm-a"); err != nil {
		t.Fatalf("create NDL: %v", err)
	}
	site, err := s.CreateSite(ctx, domain.SiteRef{Customer: "acme", Site: "london"}, "ndl-a", true)
	if err != nil {
		t.Fatalf("create site: %v", err)
	}
	if _, err := s.CreateManualUser(ctx, site.Ref(), domain.Attributes{UserID: "alice",
		LastName: "Smith"}, "seed"); err != nil {
		t.Fatalf("create alice: %v", err)
	}
	return site
}

// counts returns the rows of the tables a trigger writes, as one comparable string.
func counts(t *testing.T, ctx context.Context, s *Store) string {
	t.Helper()
	var users, rules, plans, items, states int
	var ndl int64
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM move_rules),
		(SELECT count(*) FROM push_plans), (SELECT count(*) FROM push_plan_items),
		(SELECT count(*) FROM push_states), (SELECT coalesce(sum(ndl_id), 0) FROM sites)`,
	).Scan(&users, &rules, &plans, &items, &states, &ndl)
	if err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return fmt.Sprintf("users %d, move rules %d, plans %d, plan items %d, push states %d, "+
		"NDL IDs of sites %d", users, rules, plans, items, states, ndl)
}

func TestDryRunSeesOwnWritesThenRollsBack(t *testing.T) {
	s, ctx := openTestStore(t)
	site := seedSite(t, ctx, s)
	before := counts(t, ctx, s)

	err := s.DryRun(ctx, func(tx *Store) error {
		if tx.Pool() != nil {
			t.Error("the dry run's Store returns a pool, through which a query could escape it")
		}
		if _, err := tx.CreateManualUser(ctx, site.Ref(), domain.Attributes{UserID: "dana",
			LastName: "Ek"}, "dry"); err != nil {
			return err
		}
		// PlanSitePush runs a transaction of its own, which must become a savepoint.
		plan, err := tx.PlanSitePush(ctx, "dry-plan", site.ID, PlanOptions{ChangeKey: "dry"})
		if err != nil {
			return err
		}
		if plan.Total != 1 {
			t.Errorf("plan inside the dry run holds %d users, want dana", plan.Total)
		}
		if _, err := tx.SetSiteNDL(ctx, site.Ref(), ""); err != nil {
			return err
		}
		if inside := counts(t, ctx, tx); inside == before {
			t.Errorf("the dry run does not see its own writes: %s", inside)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}

	if after := counts(t, ctx, s); after != before {
		t.Errorf("after the dry run: %s; want as before: %s", after, before)
	}
	users, err := s.Users(ctx, UserFilter{Customer: "acme", UserID: "dana"})
	if err != nil || len(users) != 0 {
		t.Errorf("dana after the dry run: %d users, error %v; want none", len(users), err)
	}
}

func TestDryRunErrorRollsBack(t *testing.T) {
	s, ctx := openTestStore(t)
	site := seedSite(t, ctx, s)
	before := counts(t, ctx, s)
	sentinel := &ConflictError{Kind: "user", Name: "alice", Message: "already exists"}

	err := s.DryRun(ctx, func(tx *Store) error {
		if _, err := tx.CreateManualUser(ctx, site.Ref(), domain.Attributes{UserID: "erin",
			LastName: "Ek"}, "dry"); err != nil {
			return err
		}
		return sentinel
	})
	var conflict *ConflictError
	if !errors.As(err, &conflict) || conflict != sentinel || err != error(sentinel) {
		t.Errorf("dry run error %v (%T), want fn's error itself", err, err)
	}
	if after := counts(t, ctx, s); after != before {
		t.Errorf("after the failed dry run: %s; want as before: %s", after, before)
	}
}

func TestDryRunFailedStatementRollsBack(t *testing.T) {
	s, ctx := openTestStore(t)
	seedSite(t, ctx, s)
	before := counts(t, ctx, s)

	err := s.DryRun(ctx, func(tx *Store) error {
		if _, err := tx.pool.Exec(ctx, "UPDATE users SET last_name = 'Changed'"); err != nil {
			return err
		}
		_, err := tx.pool.Exec(ctx, "SELECT 1/0")
		return err
	})
	if err == nil {
		t.Fatal("dry run with a failed statement returned nil")
	}

	var changed int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM users WHERE last_name = 'Changed'").Scan(&changed); err != nil {
		t.Fatalf("count changed users: %v", err)
	}
	if changed != 0 || counts(t, ctx, s) != before {
		t.Errorf("%d users changed after the dry run, want none", changed)
	}
}
