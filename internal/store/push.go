package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// PushPlan is the frozen list of users that one push of a site handles, numbered 1..Total.
type PushPlan struct {
	ID        int64
	SiteID    int64
	ClusterID int64
	// Total counts the users to push: active, valid, not from UCM, and new or changed on the
	// cluster since their last successful push.
	Total int
	// Unchanged counts the site's users already on the cluster as they are in the store, and
	// so not planned; 0 for a plan of all users.
	Unchanged int
	// Skipped counts the site's active users that are never pushed: those imported from UCM
	// and those whose directory entry is invalid.
	Skipped int
}

// ErrSiteNotServed means the site has no NDL, or its NDL names no UCM cluster.
var ErrSiteNotServed = errors.New("site has no UCM cluster")

// PlanOptions narrow or widen the users of a push plan.
type PlanOptions struct {
	// All plans every active and valid user not from UCM, not only the new and changed ones,
	// so that a push by hand also repairs users changed on UCM behind ucmpush's back.
	All bool
	// ChangeKey, when set, plans only the users that the trigger with this key changed
	// (moved or created).
	ChangeKey string
	// OnlyFailed plans only the users whose last push to the site's cluster failed.
	OnlyFailed bool
	// UserID, when set, plans only the user with this userid (compared without regard to case).
	UserID string
}

// PlanSitePush freezes the users of the site that a push must handle, under planKey: the new
// and changed ones, narrowed or widened by opts. A second call with the same
// key returns the first plan unchanged, so a retried activity sees the same users. It fails
// with an error wrapping [ErrSiteNotServed] when the site has no UCM.
func (s *Store) PlanSitePush(ctx context.Context, planKey string, siteID int64, opts PlanOptions) (PushPlan, error) {
	all := opts.All
	plan, err := s.pushPlan(ctx, planKey)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return plan, err
	}

	site, err := s.SiteByID(ctx, siteID)
	if err != nil {
		return plan, err
	}
	if site.ClusterID == 0 {
		return plan, fmt.Errorf("%w: site %s (NDL %q); link an NDL that names a UCM cluster "+
			"with `ucmpush site set %s --ndl NAME`", ErrSiteNotServed, site.Ref(), site.NDL, site.Ref())
	}

	err = s.inTx(ctx, func(tx pgx.Tx) error {
		plan = PushPlan{SiteID: siteID, ClusterID: site.ClusterID}
		err := tx.QueryRow(ctx, `SELECT
				count(*) FILTER (WHERE u.source <> 'ucm' AND u.invalid_reason = ''
					AND p.status = 'pushed' AND p.pushed_hash = u.attrs_hash),
				count(*) FILTER (WHERE u.source = 'ucm' OR u.invalid_reason <> '')
			FROM users u
			LEFT JOIN push_states p ON p.user_id = u.id AND p.cluster_id = $2
			WHERE u.site_id = $1 AND u.status = 'active'`, siteID, site.ClusterID,
		).Scan(&plan.Unchanged, &plan.Skipped)
		if err != nil {
			return fmt.Errorf("count users of site %s: %w", site.Ref(), err)
		}

		err = tx.QueryRow(ctx, `INSERT INTO push_plans (plan_key, site_id, cluster_id, total,
			unchanged, skipped) VALUES ($1, $2, $3, 0, $4, $5) RETURNING id`,
			planKey, siteID, site.ClusterID, plan.Unchanged, plan.Skipped).Scan(&plan.ID)
		if err != nil {
			return fmt.Errorf("create push plan %s: %w", planKey, err)
		}

		if all {
			plan.Unchanged = 0
		}
		tag, err := tx.Exec(ctx, `INSERT INTO push_plan_items (plan_id, seq, user_id)
			SELECT $1, row_number() OVER (ORDER BY u.id), u.id
			FROM users u
			LEFT JOIN push_states p ON p.user_id = u.id AND p.cluster_id = $3
			WHERE u.site_id = $2 AND u.status = 'active' AND u.source <> 'ucm'
				AND u.invalid_reason = ''
				AND ($4 OR p.user_id IS NULL OR p.status <> 'pushed' OR p.pushed_hash <> u.attrs_hash)
				AND ($5 = '' OR u.change_key = $5)
				AND (NOT $6 OR p.status = 'failed')
				AND ($7 = '' OR lower(u.userid) = lower($7))`,
			plan.ID, siteID, site.ClusterID, all, opts.ChangeKey, opts.OnlyFailed, opts.UserID)
		if err != nil {
			return fmt.Errorf("plan users of site %s: %w", site.Ref(), err)
		}
		plan.Total = int(tag.RowsAffected())

		_, err = tx.Exec(ctx, "UPDATE push_plans SET total = $2 WHERE id = $1", plan.ID, plan.Total)
		return err
	})
	return plan, err
}

func (s *Store) pushPlan(ctx context.Context, planKey string) (PushPlan, error) {
	var p PushPlan
	err := s.pool.QueryRow(ctx, `SELECT id, site_id, cluster_id, total, unchanged, skipped
		FROM push_plans WHERE plan_key = $1`, planKey,
	).Scan(&p.ID, &p.SiteID, &p.ClusterID, &p.Total, &p.Unchanged, &p.Skipped)
	return p, err
}

// PlanItem is one user of a push plan with what the push needs of it.
type PlanItem struct {
	Seq        int
	UserID     int64
	Attributes domain.Attributes
	// Outcome is empty until the user's push has finished in this plan.
	Outcome string
	// PushedUserID is the userid last pushed for this user to the plan's cluster, empty if
	// none; it differs from Attributes.UserID after a rename.
	PushedUserID string
	// Owner is empty unless another user of the store (of any customer) is already on the
	// plan's cluster with the same userid, compared without regard to case; it then names
	// that user as customer/userid, and the push must not touch the UCM user.
	Owner string
}

// PlanItems returns the items of the plan with seq in [from, to], in seq order.
func (s *Store) PlanItems(ctx context.Context, planID int64, from, to int) ([]PlanItem, error) {
	rows, _ := s.pool.Query(ctx, `SELECT i.seq, u.id, i.outcome, u.userid, u.first_name,
			u.last_name, u.mail, u.telephone_number, u.department, u.title,
			coalesce(own.pushed_userid, ''),
			coalesce((SELECT c.name || '/' || o.userid FROM users o
				JOIN customers c ON c.id = o.customer_id
				LEFT JOIN push_states op ON op.user_id = o.id AND op.cluster_id = pl.cluster_id
				WHERE o.id <> u.id AND lower(o.userid) = lower(u.userid) AND o.status <> 'removed'
					AND (op.status = 'pushed' OR (o.source = 'ucm' AND o.ucm_cluster_id = pl.cluster_id))
				LIMIT 1), '')
		FROM push_plan_items i
		JOIN push_plans pl ON pl.id = i.plan_id
		JOIN users u ON u.id = i.user_id
		LEFT JOIN push_states own ON own.user_id = u.id AND own.cluster_id = pl.cluster_id
		WHERE i.plan_id = $1 AND i.seq BETWEEN $2 AND $3 ORDER BY i.seq`, planID, from, to)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (PlanItem, error) {
		var it PlanItem
		a := &it.Attributes
		err := row.Scan(&it.Seq, &it.UserID, &it.Outcome, &a.UserID, &a.FirstName, &a.LastName,
			&a.Mail, &a.TelephoneNumber, &a.Department, &a.Title, &it.PushedUserID, &it.Owner)
		return it, err
	})
}

// PushOutcome is the result of pushing one plan item.
type PushOutcome struct {
	Seq    int
	UserID int64
	// Action is added, updated, unchanged or failed.
	Action string
	// Reason explains a failure, or why an update wrote nothing.
	Reason string
	// Hash is the attribute hash that was pushed; empty for a failure.
	Hash string
	// UUID is the user's pkid on UCM, when known.
	UUID string
	// PushedUserID is the userid the user now has on UCM; empty for a failure.
	PushedUserID string
}

// RecordPushOutcomes stores the outcomes of plan items and the users' push state on the plan's
// cluster in one transaction. Recording the same outcome twice changes nothing.
func (s *Store) RecordPushOutcomes(ctx context.Context, planID int64, outcomes []PushOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	n := len(outcomes)
	seqs, users := make([]int32, n), make([]int64, n)
	actions, reasons, hashes, uuids, userids := make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	for i, o := range outcomes {
		seqs[i], users[i], actions[i], reasons[i], hashes[i], uuids[i], userids[i] =
			int32(o.Seq), o.UserID, o.Action, o.Reason, o.Hash, o.UUID, o.PushedUserID
	}

	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE push_plan_items i SET outcome = o.action, reason = o.reason
			FROM unnest($2::int[], $3::text[], $4::text[]) AS o(seq, action, reason)
			WHERE i.plan_id = $1 AND i.seq = o.seq`, planID, seqs, actions, reasons)
		if err != nil {
			return fmt.Errorf("record outcomes of push plan %d: %w", planID, err)
		}

		_, err = tx.Exec(ctx, `INSERT INTO push_states AS p (user_id, cluster_id, status, reason,
				pushed_hash, ucm_uuid, last_action, attempts, updated_at, pushed_at, pushed_userid)
			SELECT o.user_id, pl.cluster_id,
				CASE WHEN o.action = 'failed' THEN 'failed' ELSE 'pushed' END, o.reason, o.hash,
				o.uuid, o.action, 1, now(), CASE WHEN o.action = 'failed' THEN NULL ELSE now() END,
				o.userid
			FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
				AS o(user_id, action, reason, hash, uuid, userid)
			JOIN push_plans pl ON pl.id = $1
			ON CONFLICT (user_id, cluster_id) DO UPDATE SET status = EXCLUDED.status,
				reason = EXCLUDED.reason, last_action = EXCLUDED.last_action,
				pushed_hash = CASE WHEN EXCLUDED.status = 'failed' THEN p.pushed_hash
					ELSE EXCLUDED.pushed_hash END,
				pushed_userid = CASE WHEN EXCLUDED.status = 'failed' THEN p.pushed_userid
					ELSE EXCLUDED.pushed_userid END,
				ucm_uuid = CASE WHEN EXCLUDED.ucm_uuid = '' THEN p.ucm_uuid ELSE EXCLUDED.ucm_uuid END,
				attempts = p.attempts + 1, updated_at = now(),
				pushed_at = coalesce(EXCLUDED.pushed_at, p.pushed_at)`,
			planID, users, actions, reasons, hashes, uuids, userids)
		if err != nil {
			return fmt.Errorf("record push state of plan %d: %w", planID, err)
		}
		return nil
	})
}

// PlanProgress counts the outcomes of a push plan so far.
type PlanProgress struct {
	Total     int `json:"total"`
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	Remaining int `json:"remaining"`
}

// PlanProgress counts the outcomes recorded for the plan.
func (s *Store) PlanProgress(ctx context.Context, planID int64) (PlanProgress, error) {
	var p PlanProgress
	err := s.pool.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE outcome = 'added'),
			count(*) FILTER (WHERE outcome = 'updated'),
			count(*) FILTER (WHERE outcome = 'unchanged'),
			count(*) FILTER (WHERE outcome = 'failed'),
			count(*) FILTER (WHERE outcome = '')
		FROM push_plan_items WHERE plan_id = $1`, planID,
	).Scan(&p.Total, &p.Added, &p.Updated, &p.Unchanged, &p.Failed, &p.Remaining)
	return p, err
}

// FailPlanRange records every unfinished item of the plan with seq in [from, to] as failed
// with reason. The workflow calls it when a batch fails for good, so no user is left without
// an outcome.
func (s *Store) FailPlanRange(ctx context.Context, planID int64, from, to int, reason string) (int, error) {
	items, err := s.PlanItems(ctx, planID, from, to)
	if err != nil {
		return 0, err
	}
	var outcomes []PushOutcome
	for _, it := range items {
		if it.Outcome == "" {
			outcomes = append(outcomes, PushOutcome{Seq: it.Seq, UserID: it.UserID,
				Action: "failed", Reason: reason})
		}
	}
	return len(outcomes), s.RecordPushOutcomes(ctx, planID, outcomes)
}

// FailedItems returns the userids and reasons of the plan's failed items, at most limit.
func (s *Store) FailedItems(ctx context.Context, planID int64, limit int) ([]UserFailure, error) {
	rows, _ := s.pool.Query(ctx, `SELECT u.userid, i.reason FROM push_plan_items i
		JOIN users u ON u.id = i.user_id
		WHERE i.plan_id = $1 AND i.outcome = 'failed' ORDER BY i.seq LIMIT $2`, planID, limit)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[UserFailure])
}

// UserFailure is a user whose push failed, with the reason.
type UserFailure struct {
	UserID string `json:"userID"`
	Reason string `json:"reason"`
}

// DeletePlan removes a plan and its items; a dry run leaves nothing behind this way.
func (s *Store) DeletePlan(ctx context.Context, planID int64) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM push_plans WHERE id = $1", planID)
	return err
}
