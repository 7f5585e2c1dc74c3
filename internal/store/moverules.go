package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// MoveRuleRecord is a move rule as stored, with the names an operator reads.
type MoveRuleRecord struct {
	Rule     domain.MoveRule `json:"-"`
	ID       int64           `json:"id"`
	Customer string          `json:"customer"`
	Site     string          `json:"site"`
	Priority int             `json:"priority"`
	Kind     string          `json:"kind"`
	// Match is the filter, or the usernames separated by commas.
	Match string `json:"match"`
}

// CreateMoveRule adds a rule that moves users of the site's customer to the site. The rule's
// SiteID is ignored; site names the target.
func (s *Store) CreateMoveRule(ctx context.Context, site domain.SiteRef, rule domain.MoveRule) (int64, error) {
	target, err := s.Site(ctx, site)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO move_rules (customer_id, site_id, priority, kind, filter, usernames)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		target.CustomerID, target.ID, rule.Priority, string(rule.Kind), rule.Filter.String(),
		nonNil(rule.Usernames),
	).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create move rule for site %s: %w", site, err)
	}
	return id, nil
}

// MoveRules returns the rules of the customer with the given ID, sorted as
// [domain.SortMoveRules] sorts them, with their filters parsed.
func (s *Store) MoveRules(ctx context.Context, customerID int64) ([]MoveRuleRecord, error) {
	rows, _ := s.pool.Query(ctx, `SELECT r.id, c.name, s.name, r.site_id, r.priority, r.kind,
		r.filter, r.usernames
		FROM move_rules r JOIN sites s ON s.id = r.site_id JOIN customers c ON c.id = r.customer_id
		WHERE r.customer_id = $1 ORDER BY r.priority, r.id`, customerID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (MoveRuleRecord, error) {
		var rec MoveRuleRecord
		var filter string
		err := row.Scan(&rec.ID, &rec.Customer, &rec.Site, &rec.Rule.SiteID, &rec.Priority,
			&rec.Kind, &filter, &rec.Rule.Usernames)
		if err != nil {
			return rec, err
		}

		rec.Rule.ID, rec.Rule.Priority, rec.Rule.Kind = rec.ID, rec.Priority, domain.MoveRuleKind(rec.Kind)
		rec.Match = filter
		if rec.Rule.Kind == domain.MoveByFilter {
			rec.Rule.Filter, err = domain.ParseFilter(filter)
			if err != nil {
				return rec, fmt.Errorf("move rule %d: %w", rec.ID, err)
			}
		} else {
			rec.Match = strings.Join(rec.Rule.Usernames, ",")
		}
		return rec, nil
	})
}

// ApplyMoveRules moves the customer's directory users to the site of the first rule that
// matches them; see [Store.MoveUsers] for what it returns. Users that no rule matches, and
// users already at their rule's site, are left alone. The users are read as a stream, so
// memory grows with the number of moves, not with the number of users.
func (s *Store) ApplyMoveRules(ctx context.Context, customerID int64) (MoveResult, error) {
	return s.applyMoveRules(ctx, customerID, "")
}

// applyMoveRules does the work of ApplyMoveRules and stamps changeKey, when not empty, on the
// users it moves.
func (s *Store) applyMoveRules(ctx context.Context, customerID int64, changeKey string) (MoveResult, error) {
	result := MoveResult{Moved: map[int64]int{}, LeftOnOldCluster: map[int64]int{}}
	records, err := s.MoveRules(ctx, customerID)
	if err != nil || len(records) == 0 {
		return result, err
	}
	rules := make([]domain.MoveRule, len(records))
	for i, rec := range records {
		rules[i] = rec.Rule
	}
	domain.SortMoveRules(rules)

	var userIDs, siteIDs []int64
	rows, _ := s.pool.Query(ctx, `SELECT id, coalesce(site_id, 0), dn, userid, first_name,
		last_name, mail, telephone_number, department, title
		FROM users WHERE customer_id = $1 AND source <> 'ucm' AND status <> 'removed'`, customerID)
	var id, current int64
	var c domain.Candidate
	a := &c.Attributes
	_, err = pgx.ForEachRow(rows, []any{&id, &current, &c.DN, &a.UserID, &a.FirstName,
		&a.LastName, &a.Mail, &a.TelephoneNumber, &a.Department, &a.Title}, func() error {
		if target, ok := domain.PickSite(rules, c); ok && target != current {
			userIDs = append(userIDs, id)
			siteIDs = append(siteIDs, target)
		}
		return nil
	})
	if err != nil {
		return result, fmt.Errorf("read users of customer %d for move rules: %w", customerID, err)
	}
	if len(userIDs) == 0 {
		return result, nil
	}

	_, err = s.pool.Exec(ctx, `UPDATE users u SET site_id = m.site_id, updated_at = now(),
			change_key = CASE WHEN $3 = '' THEN u.change_key ELSE $3 END
		FROM unnest($1::bigint[], $2::bigint[]) AS m(user_id, site_id)
		WHERE u.id = m.user_id`, userIDs, siteIDs, changeKey)
	if err != nil {
		return result, fmt.Errorf("move %d users: %w", len(userIDs), err)
	}
	for _, site := range siteIDs {
		result.Moved[site]++
	}
	result.LeftOnOldCluster, err = markLeftOnOldCluster(ctx, s, userIDs)
	return result, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DeleteMoveRule removes the customer's move rule with the given ID. Users it moved stay where
// they are. It returns a [NotFoundError] when the customer has no such rule.
func (s *Store) DeleteMoveRule(ctx context.Context, customer string, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM move_rules r USING customers c
		WHERE r.id = $2 AND r.customer_id = c.id AND c.name = $1`, customer, id)
	if err != nil {
		return fmt.Errorf("delete move rule %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("move rule", fmt.Sprint(id),
			fmt.Sprintf("list the rules with `ucmpush rule list %s`", customer))
	}
	return nil
}
