package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// UCMUser is one user read from a UCM cluster for import.
type UCMUser struct {
	// UUID is the user's pkid on the cluster, its identity there.
	UUID       string
	Attributes domain.Attributes
}

// ImportCounts says what one page of a UCM import did.
type ImportCounts struct {
	// Imported counts users new to the store, kept with source ucm.
	Imported int `json:"imported"`
	// Updated counts source ucm users whose attributes changed on UCM.
	Updated int `json:"updated"`
	// Linked counts users the store already had from a directory or an operator, with the
	// same userid (compared without regard to case): they are not duplicated, and their push
	// state on the cluster records the UCM user, so their first push updates it.
	Linked int `json:"linked"`
}

// ImportUCMUsers stores one page of users read from the cluster for the customer, at the
// site when siteID is not 0. Importing the same page twice changes nothing. Users with
// source ucm are never pushed back to UCM.
func (s *Store) ImportUCMUsers(ctx context.Context, customerID, clusterID, siteID int64, users []UCMUser) (ImportCounts, error) {
	var counts ImportCounts
	if len(users) == 0 {
		return counts, nil
	}
	cols := make([][]string, 8)
	for _, u := range users {
		a := u.Attributes
		for i, v := range []string{u.UUID, a.UserID, a.FirstName, a.LastName, a.Mail,
			a.TelephoneNumber, a.Department, a.Title} {
			cols[i] = append(cols[i], v)
		}
	}
	var site *int64
	if siteID != 0 {
		site = &siteID
	}

	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO push_states AS p (user_id, cluster_id, status, reason, ucm_uuid)
			SELECT u.id, $2, 'pending', 'found on UCM by an import; the first push updates it', i.uuid
			FROM unnest($3::text[], $4::text[]) AS i(uuid, userid)
			JOIN users u ON u.customer_id = $1 AND lower(u.userid) = lower(i.userid)
				AND u.source <> 'ucm' AND u.status <> 'removed'
			ON CONFLICT (user_id, cluster_id) DO UPDATE SET ucm_uuid = EXCLUDED.ucm_uuid
			WHERE p.ucm_uuid IS DISTINCT FROM EXCLUDED.ucm_uuid`,
			customerID, clusterID, cols[0], cols[1])
		if err != nil {
			return fmt.Errorf("link imported users to existing ones: %w", err)
		}
		counts.Linked = int(tag.RowsAffected())

		rows, _ := tx.Query(ctx, `INSERT INTO users AS u (customer_id, site_id, source, ucm_cluster_id,
				directory_key, userid, first_name, last_name, mail, telephone_number, department,
				title, attrs_hash)
			SELECT $1, $3, 'ucm', $2, i.uuid, i.userid, i.fn, i.ln, i.mail, i.tel, i.dept, i.title, i.hash
			FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
				$10::text[], $11::text[], $12::text[]) AS i(uuid, userid, fn, ln, mail, tel, dept, title, hash)
			WHERE NOT EXISTS (SELECT 1 FROM users o WHERE o.customer_id = $1
				AND lower(o.userid) = lower(i.userid) AND o.source <> 'ucm' AND o.status <> 'removed')
			ON CONFLICT (ucm_cluster_id, directory_key) WHERE source = 'ucm' DO UPDATE SET
				userid = EXCLUDED.userid, first_name = EXCLUDED.first_name,
				last_name = EXCLUDED.last_name, mail = EXCLUDED.mail,
				telephone_number = EXCLUDED.telephone_number, department = EXCLUDED.department,
				title = EXCLUDED.title, attrs_hash = EXCLUDED.attrs_hash, updated_at = now()
			WHERE u.attrs_hash <> EXCLUDED.attrs_hash
			RETURNING xmax = 0`,
			customerID, clusterID, site, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5],
			cols[6], cols[7], hashes(users))
		inserted, err := pgx.CollectRows(rows, pgx.RowTo[bool])
		if err != nil {
			return fmt.Errorf("store imported users: %w", err)
		}
		for _, isNew := range inserted {
			if isNew {
				counts.Imported++
			} else {
				counts.Updated++
			}
		}
		return nil
	})
	return counts, err
}

func hashes(users []UCMUser) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Attributes.Hash()
	}
	return out
}

// adoptUCMUsers turns source ucm users of the directory's customer into directory users when
// a staged entry has the same userid (compared without regard to case), so the directory
// user links to the UCM record instead of duplicating it. Their push state on the cluster
// they came from becomes pending, so the next push updates the user rather than adding it.
func adoptUCMUsers(ctx context.Context, tx pgx.Tx, runID int64, dir domain.Directory) error {
	_, err := tx.Exec(ctx, `WITH adopted AS (
			UPDATE users u SET source = 'ldap', directory_id = $2, directory_key = e.directory_key,
				updated_at = now()
			FROM staged_entries e
			WHERE e.run_id = $1 AND u.customer_id = $3 AND u.source = 'ucm'
				AND lower(u.userid) = lower(e.userid) AND e.invalid_reason = ''
				AND NOT EXISTS (SELECT 1 FROM users d WHERE d.directory_id = $2
					AND d.directory_key = e.directory_key)
			RETURNING u.id, u.ucm_cluster_id, u.attrs_hash)
		INSERT INTO push_states (user_id, cluster_id, status, reason, ucm_uuid)
		SELECT a.id, a.ucm_cluster_id, 'pending',
			'imported from UCM, now synced from the directory; the next push updates it', ''
		FROM adopted a WHERE a.ucm_cluster_id IS NOT NULL
		ON CONFLICT (user_id, cluster_id) DO NOTHING`, runID, dir.ID, dir.CustomerID)
	if err != nil {
		return fmt.Errorf("link directory entries to users imported from UCM: %w", err)
	}
	return nil
}
