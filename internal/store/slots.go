package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoSlot means every in-flight slot of the cluster is leased.
var ErrNoSlot = errors.New("every in-flight slot of the cluster is taken")

// AcquireSlot leases one of the cluster's max_in_flight slots to holder for ttl and returns
// its number. A holder that already leases a slot of the cluster gets the same one again, so
// a retried activity does not take a second. It returns [ErrNoSlot] when all are leased.
func (s *Store) AcquireSlot(ctx context.Context, clusterID int64, holder string, ttl time.Duration) (int, error) {
	var slot int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var max int
		err := tx.QueryRow(ctx, "SELECT max_in_flight FROM clusters WHERE id = $1", clusterID).Scan(&max)
		if err != nil {
			return fmt.Errorf("read in-flight limit of cluster %d: %w", clusterID, err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO cluster_slots (cluster_id, slot)
			SELECT $1, n FROM generate_series(0, $2 - 1) AS n ON CONFLICT DO NOTHING`, clusterID, max)
		if err != nil {
			return fmt.Errorf("create slots of cluster %d: %w", clusterID, err)
		}

		err = tx.QueryRow(ctx, `UPDATE cluster_slots SET holder = $3, expires_at = now() + $4::interval
			WHERE (cluster_id, slot) = (
				SELECT cluster_id, slot FROM cluster_slots
				WHERE cluster_id = $1 AND slot < $2
					AND (holder IS NULL OR holder = $3 OR expires_at < now())
				ORDER BY holder = $3 DESC, slot
				LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING slot`, clusterID, max, holder, ttl.String()).Scan(&slot)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoSlot
		}
		return err
	})
	return slot, err
}

// RenewSlot extends holder's lease by ttl. It returns [ErrNoSlot] when the lease was lost:
// it expired and another holder took the slot.
func (s *Store) RenewSlot(ctx context.Context, clusterID int64, slot int, holder string, ttl time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE cluster_slots SET expires_at = now() + $4::interval
		WHERE cluster_id = $1 AND slot = $2 AND holder = $3`, clusterID, slot, holder, ttl.String())
	if err != nil {
		return fmt.Errorf("renew slot %d of cluster %d: %w", slot, clusterID, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNoSlot
	}
	return nil
}

// ReleaseSlot ends holder's lease, if it still holds it.
func (s *Store) ReleaseSlot(ctx context.Context, clusterID int64, slot int, holder string) error {
	_, err := s.pool.Exec(ctx, `UPDATE cluster_slots SET holder = NULL, expires_at = NULL
		WHERE cluster_id = $1 AND slot = $2 AND holder = $3`, clusterID, slot, holder)
	return err
}
