package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// MoveResult says what one application of move rules did.
type MoveResult struct {
	// Moved counts the users each site received, by site ID.
	Moved map[int64]int
	// LeftOnOldCluster counts the moved users that stay on a UCM cluster that no longer
	// serves them, by the site ID they moved to. Nothing is deleted from that cluster; the
	// users' push state there becomes unserved, with the reason.
	LeftOnOldCluster map[int64]int
	// UnknownUsernames lists the usernames of a move by username that no user of the
	// customer has, compared without regard to case, in the order given.
	UnknownUsernames []string
}

// MoveUsers records an operator's move as a move rule ahead of every existing rule of the
// customer, then applies the customer's rules with changeKey stamped on the users that moved.
// Calling it again with the same changeKey reuses the rule it created, so a retry moves
// nobody twice.
func (s *Store) MoveUsers(ctx context.Context, site domain.SiteRef, rule domain.MoveRule, changeKey string) (MoveResult, error) {
	target, err := s.Site(ctx, site)
	if err != nil {
		return MoveResult{}, err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO move_rules (customer_id, site_id, priority, kind, filter,
			usernames, change_key)
		SELECT $1, $2, coalesce((SELECT min(priority) FROM move_rules WHERE customer_id = $1), 100) - 1,
			$3, $4, $5, $6
		ON CONFLICT (change_key) DO NOTHING`,
		target.CustomerID, target.ID, string(rule.Kind), rule.Filter.String(), nonNil(rule.Usernames),
		changeKey)
	if err != nil {
		return MoveResult{}, fmt.Errorf("record move to site %s: %w", site, err)
	}
	result, err := s.applyMoveRules(ctx, target.CustomerID, changeKey)
	if err != nil || rule.Kind == domain.MoveByFilter {
		return result, err
	}

	// The rule stays, so a user synced later still moves, but a typo should not pass unseen.
	rows, _ := s.pool.Query(ctx, `SELECT n FROM unnest($2::text[]) WITH ORDINALITY AS g(n, i)
		WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.customer_id = $1 AND lower(u.userid) = lower(n))
		ORDER BY i`, target.CustomerID, nonNil(rule.Usernames))
	result.UnknownUsernames, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return result, fmt.Errorf("look up the usernames moved to site %s: %w", site, err)
	}
	return result, nil
}

// markLeftOnOldCluster makes the push state of moved users unserved on every cluster other
// than the one of their new site, and returns how many users that concerned, by new site.
func markLeftOnOldCluster(ctx context.Context, s *Store, userIDs []int64) (map[int64]int, error) {
	rows, _ := s.pool.Query(ctx, `WITH moved AS (
			SELECT u.id, u.site_id, c.name || '/' || s.name AS site,
				coalesce(n.cluster_id, 0) AS cluster_id, coalesce(cl.name, '') AS cluster
			FROM users u
			JOIN sites s ON s.id = u.site_id
			JOIN customers c ON c.id = s.customer_id
			LEFT JOIN ndls n ON n.id = s.ndl_id
			LEFT JOIN clusters cl ON cl.id = n.cluster_id
			WHERE u.id = ANY($1))
		UPDATE push_states p SET status = 'unserved', updated_at = now(),
			reason = 'moved to site ' || m.site || CASE WHEN m.cluster = '' THEN ', which has no UCM'
				ELSE ' on UCM cluster ' || m.cluster END ||
				'; the user is still on this cluster: remove it there by hand if it should go'
		FROM moved m
		WHERE p.user_id = m.id AND p.cluster_id <> m.cluster_id AND p.status <> 'unserved'
		RETURNING m.site_id`, userIDs)
	sites, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("mark users left on their old cluster: %w", err)
	}
	left := map[int64]int{}
	for _, site := range sites {
		left[site]++
	}
	return left, nil
}

// markUnservedAtSites makes the push state of the sites' users unserved on every cluster
// other than their site's cluster now, after an NDL or cluster change. It returns how many
// users that concerned.
func (s *Store) markUnservedAtSites(ctx context.Context, siteIDs []int64) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE push_states p SET status = 'unserved', updated_at = now(),
			reason = 'site ' || c.name || '/' || s.name || CASE WHEN cl.name IS NULL
				THEN ' has no UCM cluster any more' ELSE ' is now served by UCM cluster ' || cl.name END ||
				'; nothing was deleted from this cluster'
		FROM users u
		JOIN sites s ON s.id = u.site_id
		JOIN customers c ON c.id = s.customer_id
		LEFT JOIN ndls n ON n.id = s.ndl_id
		LEFT JOIN clusters cl ON cl.id = n.cluster_id
		WHERE p.user_id = u.id AND u.site_id = ANY($1) AND p.cluster_id IS DISTINCT FROM cl.id
			AND p.status <> 'unserved'`, siteIDs)
	if err != nil {
		return 0, fmt.Errorf("mark users of changed sites unserved: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// NDLChange is the outcome of linking a site to an NDL or naming a cluster in an NDL.
type NDLChange struct {
	// Sites are the sites whose UCM cluster may have changed.
	Sites []domain.Site
	// Unserved counts push states marked unserved on a cluster that no longer serves them.
	Unserved int
}

// ChangeSiteNDL links the site to the NDL called ndl (none when empty) and marks the users'
// push state on a cluster that no longer serves the site as unserved. Linking the NDL the
// site already has changes nothing, so a retry is harmless.
func (s *Store) ChangeSiteNDL(ctx context.Context, ref domain.SiteRef, ndl string) (NDLChange, error) {
	site, err := s.SetSiteNDL(ctx, ref, ndl)
	if err != nil {
		return NDLChange{}, err
	}
	unserved, err := s.markUnservedAtSites(ctx, []int64{site.ID})
	return NDLChange{Sites: []domain.Site{site}, Unserved: unserved}, err
}

// ChangeNDLCluster makes the NDL name the cluster called cluster (none when empty) and marks
// push states on the old cluster unserved for the users of every site on the NDL.
func (s *Store) ChangeNDLCluster(ctx context.Context, ndl, cluster string) (NDLChange, error) {
	if _, err := s.SetNDLCluster(ctx, ndl, cluster); err != nil {
		return NDLChange{}, err
	}
	rows, _ := s.pool.Query(ctx, siteQuery+" WHERE n.name = $1 ORDER BY c.name, s.name", ndl)
	sites, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Site, error) {
		return scanSite(row)
	})
	if err != nil {
		return NDLChange{}, fmt.Errorf("list sites of NDL %s: %w", ndl, err)
	}
	ids := make([]int64, len(sites))
	for i, site := range sites {
		ids[i] = site.ID
	}
	unserved, err := s.markUnservedAtSites(ctx, ids)
	return NDLChange{Sites: sites, Unserved: unserved}, err
}

// CreateManualUser adds a user created by an operator at the site, stamped with changeKey.
// It fails with a [ConflictError] when the customer already has a user with that userid
// (compared without regard to case), unless that user is the one an earlier call with the
// same changeKey created, which it returns again.
func (s *Store) CreateManualUser(ctx context.Context, ref domain.SiteRef, a domain.Attributes, changeKey string) (int64, error) {
	site, err := s.Site(ctx, ref)
	if err != nil {
		return 0, err
	}

	var id int64
	var key string
	err = s.pool.QueryRow(ctx, `SELECT id, change_key FROM users
		WHERE customer_id = $1 AND lower(userid) = lower($2) AND status <> 'removed'`,
		site.CustomerID, a.UserID).Scan(&id, &key)
	switch {
	case err == nil && key == changeKey:
		return id, nil
	case err == nil:
		return 0, &ConflictError{Kind: "user", Name: a.UserID,
			Message: fmt.Sprintf("customer %s already has this userid; pick another", ref.Customer)}
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("look up user %s: %w", a.UserID, err)
	}

	err = s.pool.QueryRow(ctx, `INSERT INTO users (customer_id, site_id, source, userid, first_name,
			last_name, mail, telephone_number, department, title, attrs_hash, change_key)
		VALUES ($1, $2, 'manual', $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		site.CustomerID, site.ID, a.UserID, a.FirstName, a.LastName, a.Mail, a.TelephoneNumber,
		a.Department, a.Title, a.Hash(), changeKey).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create user %s at site %s: %w", a.UserID, ref, err)
	}
	return id, nil
}

// SitesUnder returns the sites under a hierarchy node: every site of the customer, the one
// site when site is not empty, or every site of every customer when both are empty.
func (s *Store) SitesUnder(ctx context.Context, customer, site string) ([]domain.Site, error) {
	if customer == "" {
		return s.Sites(ctx, "")
	}
	if site != "" {
		one, err := s.Site(ctx, domain.SiteRef{Customer: customer, Site: site})
		return []domain.Site{one}, err
	}
	if _, err := s.Customer(ctx, customer); err != nil {
		return nil, err
	}
	return s.Sites(ctx, customer)
}

// CountUsersWithoutSite counts the customer's active users that no site holds yet.
func (s *Store) CountUsersWithoutSite(ctx context.Context, customer string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users u JOIN customers c ON c.id = u.customer_id
		WHERE c.name = $1 AND u.site_id IS NULL AND u.status = 'active'`, customer).Scan(&n)
	return n, err
}

// CountFailedUsers counts the site's active users whose last push to the site's cluster failed.
func (s *Store) CountFailedUsers(ctx context.Context, siteID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users u
		JOIN sites s ON s.id = u.site_id JOIN ndls n ON n.id = s.ndl_id
		JOIN push_states p ON p.user_id = u.id AND p.cluster_id = n.cluster_id
		WHERE u.site_id = $1 AND u.status = 'active' AND p.status = 'failed'`, siteID).Scan(&n)
	return n, err
}

// DryRun runs fn with a Store whose every query runs in one transaction, then rolls that
// transaction back, whatever fn returns. fn reads its own writes, and no other session ever
// does. It never commits; transactions that fn's store calls begin become savepoints of this
// one. Sequences that fn draws IDs from stay advanced, as PostgreSQL never rolls them back.
// The Store given to fn must not be kept, used from several goroutines, closed or migrated,
// and its Pool returns nil. fn's error is returned as it is, so errors classified inside fn
// keep their type; a failure to begin or roll back is wrapped.
func (s *Store) DryRun(ctx context.Context, fn func(tx *Store) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin dry-run transaction: %w", err)
	}
	// A rollback after a failed statement or a cancelled context still ends the transaction,
	// and so does the connection's end if the process dies before it.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()

	if err := fn(&Store{pool: tx}); err != nil {
		return err
	}
	if err := tx.Rollback(ctx); err != nil {
		return fmt.Errorf("roll back dry-run transaction: %w", err)
	}
	return nil
}
