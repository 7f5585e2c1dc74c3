package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// SyncRun is one sync of a directory.
type SyncRun struct {
	ID          int64
	DirectoryID int64
	CustomerID  int64
	Status      string
}

// BeginSync returns the sync run for runKey, creating it for the directory on first call. The
// key is the workflow run that owns the sync, so a retried activity finds the same run.
func (s *Store) BeginSync(ctx context.Context, directoryID int64, runKey string) (SyncRun, error) {
	run := SyncRun{DirectoryID: directoryID}
	err := s.pool.QueryRow(ctx, `WITH created AS (
			INSERT INTO sync_runs (directory_id, run_key) VALUES ($1, $2)
			ON CONFLICT (run_key) DO NOTHING RETURNING id, status)
		SELECT id, status FROM created
		UNION ALL SELECT id, status FROM sync_runs WHERE run_key = $2`,
		directoryID, runKey).Scan(&run.ID, &run.Status)
	if err != nil {
		return run, fmt.Errorf("begin sync run %s: %w", runKey, err)
	}

	// Staged entries that no apply will read are dropped: those of finished runs, and those
	// of a run still staging after a day, whose workflow is gone (StageDirectory gives up
	// after at most 6 attempts of 2 hours).
	_, err = s.pool.Exec(ctx, `DELETE FROM staged_entries e USING sync_runs r
		WHERE e.run_id = r.id AND r.directory_id = $1 AND r.id <> $2
			AND (r.status <> 'staging' OR r.started_at < now() - interval '1 day')`,
		directoryID, run.ID)
	if err != nil {
		return run, fmt.Errorf("drop the staged entries of earlier syncs of directory %d: %w",
			directoryID, err)
	}
	err = s.pool.QueryRow(ctx, "SELECT customer_id FROM directories WHERE id = $1",
		directoryID).Scan(&run.CustomerID)
	return run, err
}

// StageEntries stores one page of a directory search for the run in a single statement.
// Staging the same entry twice keeps the later copy, so a search restarted after a dropped
// connection or a worker crash may hand the same pages again.
func (s *Store) StageEntries(ctx context.Context, runID int64, entries []domain.DirectoryEntry) error {
	if len(entries) == 0 {
		return nil
	}
	cols := make([][]string, 11)
	disabled := make([]bool, len(entries))
	for i, e := range entries {
		a := e.Attributes
		values := []string{e.Key, e.DN, a.UserID, a.FirstName, a.LastName, a.Mail,
			a.TelephoneNumber, a.Department, a.Title, e.Invalid, a.Hash()}
		for c, v := range values {
			cols[c] = append(cols[c], v)
		}
		disabled[i] = e.Disabled
	}

	// DISTINCT ON keeps one row per key when a page repeats an entry; ON CONFLICT rejects
	// a statement that touches the same row twice.
	_, err := s.pool.Exec(ctx, `INSERT INTO staged_entries (run_id, directory_key, dn, userid,
			first_name, last_name, mail, telephone_number, department, title, invalid_reason,
			attrs_hash, disabled)
		SELECT DISTINCT ON (k) $1, k, dn, uid, fn, ln, mail, tel, dept, title, inv, hash, dis
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bool[])
			AS e(k, dn, uid, fn, ln, mail, tel, dept, title, inv, hash, dis)
		ON CONFLICT (run_id, directory_key) DO UPDATE SET dn = EXCLUDED.dn,
			userid = EXCLUDED.userid, first_name = EXCLUDED.first_name,
			last_name = EXCLUDED.last_name, mail = EXCLUDED.mail,
			telephone_number = EXCLUDED.telephone_number, department = EXCLUDED.department,
			title = EXCLUDED.title, invalid_reason = EXCLUDED.invalid_reason,
			attrs_hash = EXCLUDED.attrs_hash, disabled = EXCLUDED.disabled`,
		runID, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8],
		cols[9], cols[10], disabled)
	if err != nil {
		return fmt.Errorf("stage %d directory entries for sync run %d: %w", len(entries), runID, err)
	}
	return nil
}

// SyncCounts counts the changes a sync made to the store.
type SyncCounts struct {
	Found     int `json:"found"`
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Removed   int `json:"removed"`
	// Disabled counts active users whose accounts this sync found disabled.
	Disabled int `json:"disabled"`
	// Restored counts removed users that the directory returned again.
	Restored int `json:"restored"`
	// Refused is set by a dry run that the removal guards would stop, with their reason.
	Refused string `json:"refused,omitempty"`
	Invalid int    `json:"invalid"`
}

// ErrSyncRefused wraps a [domain.SyncRefusal]: the sync changed nothing.
var ErrSyncRefused = errors.New("sync refused")

// ApplySync applies a staged run to the users of its directory in one transaction: entries
// new to the store are added, changed ones updated, users the search no longer returned are
// marked removed and disabled accounts marked disabled. Nothing is deleted.
//
// Before it writes, the search size and the share of users leaving are checked against the
// directory's removal guard ([domain.CheckSearchSize], [domain.CheckRemovals]); a failed
// check marks the run refused and returns an error wrapping [ErrSyncRefused] and the
// refusal, and leaves every user as it was. confirmRemovals skips both checks except the one
// for an empty search, which is never applied. Applying a run twice returns the first counts.
//
// With dryRun set, it counts and checks the same way, then writes nothing to the users: the
// run is marked dry-run and its staged entries are dropped.
func (s *Store) ApplySync(ctx context.Context, runID int64, confirmRemovals, dryRun bool) (SyncCounts, error) {
	var counts SyncCounts
	var refusal *domain.SyncRefusal

	// Every sync stages under a new run ID, which the table's statistics cannot know: without
	// a fresh count the planner takes the run for one row and joins it by nested loops, which
	// took minutes at 100,000 entries. ANALYZE runs outside the transaction so that its lock
	// is held for the sampling only, not while another directory's sync applies.
	if _, err := s.pool.Exec(ctx, "ANALYZE staged_entries"); err != nil {
		return counts, fmt.Errorf("analyze the staged entries of sync run %d: %w", runID, err)
	}

	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var dir domain.Directory
		var status string
		var stored []byte
		// Locking the directory too makes two syncs of one directory apply one after the
		// other, so the second compares against what the first wrote.
		err := tx.QueryRow(ctx, `SELECT r.status, r.counts, d.id, d.customer_id, d.last_good_count,
				d.removal_guard_percent
			FROM sync_runs r JOIN directories d ON d.id = r.directory_id
			WHERE r.id = $1 FOR UPDATE OF r, d`, runID,
		).Scan(&status, &stored, &dir.ID, &dir.CustomerID, &dir.LastGoodCount, &dir.RemovalGuardPercent)
		if err != nil {
			return fmt.Errorf("load sync run %d: %w", runID, err)
		}
		if status == "applied" || status == "dry-run" {
			return json.Unmarshal(stored, &counts)
		}

		if err := markDuplicateUserIDs(ctx, tx, runID); err != nil {
			return err
		}
		if err := markUserIDsOfOtherSources(ctx, tx, runID, dir); err != nil {
			return err
		}
		if counts, err = countSyncChanges(ctx, tx, runID, dir.ID); err != nil {
			return err
		}

		refusal = checkSyncGuards(counts, dir, confirmRemovals)
		if dryRun {
			if refusal != nil {
				counts.Refused = refusal.Reason
				refusal = nil
			}
			encoded, _ := json.Marshal(counts)
			_, err := tx.Exec(ctx, `UPDATE sync_runs SET status = 'dry-run', reason = $2, counts = $3,
				finished_at = now() WHERE id = $1`, runID, counts.Refused, encoded)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "DELETE FROM staged_entries WHERE run_id = $1", runID)
			return err
		}
		if refusal != nil {
			_, err := tx.Exec(ctx, `UPDATE sync_runs SET status = 'refused', reason = $2,
				finished_at = now() WHERE id = $1`, runID, refusal.Reason)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "DELETE FROM staged_entries WHERE run_id = $1", runID)
			return err
		}
		return writeSync(ctx, tx, runID, dir, counts)
	})
	if err != nil {
		return counts, err
	}
	if refusal != nil {
		return counts, fmt.Errorf("%w: %w", ErrSyncRefused, refusal)
	}
	return counts, nil
}

func checkSyncGuards(c SyncCounts, dir domain.Directory, confirm bool) *domain.SyncRefusal {
	if c.Found == 0 {
		return domain.CheckSearchSize(0, dir.LastGoodCount, dir.RemovalGuardPercent)
	}
	if confirm {
		return nil
	}
	if r := domain.CheckSearchSize(c.Found, dir.LastGoodCount, dir.RemovalGuardPercent); r != nil {
		return r
	}
	current := c.Updated + c.Unchanged + c.Removed - c.Restored
	return domain.CheckRemovals(c.Removed+c.Disabled, current, dir.RemovalGuardPercent)
}

// markDuplicateUserIDs makes invalid every staged entry whose userid another entry of the run
// shares without regard to case: UCM compares userids that way, so neither can be pushed
// until the directory is fixed.
func markDuplicateUserIDs(ctx context.Context, tx pgx.Tx, runID int64) error {
	// The duplicates are grouped once, in linear time, and MATERIALIZED keeps them a table
	// of their own: otherwise the planner may put the grouping on the inner side of a nested
	// loop and repeat it for every staged entry.
	_, err := tx.Exec(ctx, `WITH d AS MATERIALIZED (
			SELECT lower(userid) AS userid FROM staged_entries WHERE run_id = $1
			GROUP BY lower(userid) HAVING count(*) > 1)
		UPDATE staged_entries e
		SET invalid_reason = 'userid ' || e.userid || ' is used by another directory entry that ' ||
			'differs only in case; UCM treats them as one user, so fix one of them in the directory'
		FROM d
		WHERE e.run_id = $1 AND e.invalid_reason = '' AND lower(e.userid) = d.userid`, runID)
	if err != nil {
		return fmt.Errorf("check duplicate userids of sync run %d: %w", runID, err)
	}
	return nil
}

// markUserIDsOfOtherSources makes invalid every staged entry whose userid, without regard to
// case, belongs to a user of the customer from another directory or added by hand: UCM would
// take the two for one user. Users imported from UCM are not counted, because the sync links
// them to their directory entry (see adoptUCMUsers), nor are removed users.
func markUserIDsOfOtherSources(ctx context.Context, tx pgx.Tx, runID int64, dir domain.Directory) error {
	_, err := tx.Exec(ctx, `UPDATE staged_entries e
		SET invalid_reason = 'userid ' || e.userid || ' is held by ' ||
			CASE WHEN o.directory = '' THEN 'a user added by hand'
				ELSE 'a user of directory ' || o.directory END ||
			' of the same customer; UCM treats them as one user, so remove one of the two'
		FROM (SELECT lower(u.userid) AS userid, min(coalesce(d.name, '')) AS directory
			FROM users u LEFT JOIN directories d ON d.id = u.directory_id
			WHERE u.customer_id = $2 AND u.source <> 'ucm' AND u.status <> 'removed'
				AND u.directory_id IS DISTINCT FROM $3
			GROUP BY 1) o
		WHERE e.run_id = $1 AND e.invalid_reason = '' AND lower(e.userid) = o.userid`,
		runID, dir.CustomerID, dir.ID)
	if err != nil {
		return fmt.Errorf("check the userids of sync run %d against the customer's other users: %w",
			runID, err)
	}
	return nil
}

func countSyncChanges(ctx context.Context, tx pgx.Tx, runID, directoryID int64) (SyncCounts, error) {
	var c SyncCounts
	err := tx.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE u.id IS NULL),
			count(*) FILTER (WHERE u.id IS NOT NULL AND `+userChanged+`),
			count(*) FILTER (WHERE u.id IS NOT NULL AND NOT `+userChanged+`),
			count(*) FILTER (WHERE e.disabled AND u.status = 'active'),
			count(*) FILTER (WHERE u.status = 'removed'),
			count(*) FILTER (WHERE e.invalid_reason <> '')
		FROM staged_entries e
		LEFT JOIN users u ON u.directory_id = $2 AND u.directory_key = e.directory_key
		WHERE e.run_id = $1`, runID, directoryID,
	).Scan(&c.Found, &c.Added, &c.Updated, &c.Unchanged, &c.Disabled, &c.Restored, &c.Invalid)
	if err != nil {
		return c, fmt.Errorf("count changes of sync run %d: %w", runID, err)
	}

	err = tx.QueryRow(ctx, `SELECT count(*) FROM users u
		WHERE u.directory_id = $2 AND u.status <> 'removed' AND NOT EXISTS (
			SELECT 1 FROM staged_entries e WHERE e.run_id = $1 AND e.directory_key = u.directory_key)`,
		runID, directoryID).Scan(&c.Removed)
	if err != nil {
		return c, fmt.Errorf("count removals of sync run %d: %w", runID, err)
	}
	return c, nil
}

// userChanged is true when the staged entry e differs from the stored user u.
const userChanged = `(u.attrs_hash <> e.attrs_hash OR u.dn <> e.dn
	OR u.invalid_reason <> e.invalid_reason
	OR u.status <> CASE WHEN e.disabled THEN 'disabled' ELSE 'active' END)`

func writeSync(ctx context.Context, tx pgx.Tx, runID int64, dir domain.Directory, c SyncCounts) error {
	if err := adoptUCMUsers(ctx, tx, runID, dir); err != nil {
		return err
	}
	// Changed users are updated and new ones inserted by two statements rather than one
	// INSERT ... ON CONFLICT, which probes the key index and locks the row of every staged
	// entry, also of the users that did not change. The directory lock taken by ApplySync
	// keeps another sync of the directory from inserting the same keys in between.
	_, err := tx.Exec(ctx, `UPDATE users u SET dn = e.dn, userid = e.userid,
			first_name = e.first_name, last_name = e.last_name, mail = e.mail,
			telephone_number = e.telephone_number, department = e.department, title = e.title,
			status = CASE WHEN e.disabled THEN 'disabled' ELSE 'active' END,
			invalid_reason = e.invalid_reason, attrs_hash = e.attrs_hash, last_sync_run = $1,
			updated_at = now()
		FROM staged_entries e
		WHERE e.run_id = $1 AND u.directory_id = $2 AND u.directory_key = e.directory_key
			AND `+userChanged, runID, dir.ID)
	if err != nil {
		return fmt.Errorf("update users of sync run %d: %w", runID, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO users (customer_id, source, directory_id, directory_key,
			dn, userid, first_name, last_name, mail, telephone_number, department, title, status,
			invalid_reason, attrs_hash, last_sync_run)
		SELECT $3, 'ldap', $2, e.directory_key, e.dn, e.userid, e.first_name, e.last_name, e.mail,
			e.telephone_number, e.department, e.title,
			CASE WHEN e.disabled THEN 'disabled' ELSE 'active' END, e.invalid_reason,
			e.attrs_hash, $1
		FROM staged_entries e
		WHERE e.run_id = $1 AND NOT EXISTS (SELECT 1 FROM users u
			WHERE u.directory_id = $2 AND u.directory_key = e.directory_key)`,
		runID, dir.ID, dir.CustomerID)
	if err != nil {
		return fmt.Errorf("add users of sync run %d: %w", runID, err)
	}

	_, err = tx.Exec(ctx, `UPDATE users u SET status = 'removed', updated_at = now()
		WHERE u.directory_id = $2 AND u.status <> 'removed' AND NOT EXISTS (
			SELECT 1 FROM staged_entries e WHERE e.run_id = $1 AND e.directory_key = u.directory_key)`,
		runID, dir.ID)
	if err != nil {
		return fmt.Errorf("mark removed users of sync run %d: %w", runID, err)
	}

	encoded, _ := json.Marshal(c)
	_, err = tx.Exec(ctx, `UPDATE sync_runs SET status = 'applied', counts = $2, finished_at = now()
		WHERE id = $1`, runID, encoded)
	if err != nil {
		return fmt.Errorf("finish sync run %d: %w", runID, err)
	}
	_, err = tx.Exec(ctx, `UPDATE directories SET last_good_count = $2, last_good_at = now()
		WHERE id = $1`, dir.ID, c.Found)
	if err != nil {
		return fmt.Errorf("record last good sync of directory %d: %w", dir.ID, err)
	}
	_, err = tx.Exec(ctx, "DELETE FROM staged_entries WHERE run_id = $1", runID)
	return err
}
