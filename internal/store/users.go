package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// UserView is one user as the users list shows it: where the user is, and the push state on
// the UCM cluster of the user's site.
type UserView struct {
	ID              int64      `json:"-"`
	UserID          string     `json:"userID"`
	Customer        string     `json:"customer"`
	Site            string     `json:"site,omitempty"`
	Source          string     `json:"source"`
	Status          string     `json:"status"`
	Invalid         string     `json:"invalid,omitempty"`
	FirstName       string     `json:"firstName,omitempty"`
	LastName        string     `json:"lastName,omitempty"`
	Mail            string     `json:"mail,omitempty"`
	TelephoneNumber string     `json:"telephoneNumber,omitempty"`
	Cluster         string     `json:"cluster,omitempty"`
	PushStatus      string     `json:"pushStatus,omitempty"`
	PushAction      string     `json:"pushAction,omitempty"`
	PushReason      string     `json:"pushReason,omitempty"`
	PushedAt        *time.Time `json:"pushedAt,omitempty"`
}

// UserFilter selects users for [Store.Users]. Empty fields select everything.
type UserFilter struct {
	Customer string
	// Site is a site name of Customer.
	Site   string
	UserID string
	// Invalid keeps only the users whose directory entry or values UCM cannot take.
	Invalid bool
	// Limit bounds the number of users returned; 0 means 1,000.
	Limit int
}

// Users returns the users that match the filter, ordered by customer, site and userid.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]UserView, error) {
	if f.Limit == 0 {
		f.Limit = 1000
	}
	rows, _ := s.pool.Query(ctx, `SELECT u.id, u.userid, c.name, coalesce(s.name, ''), u.source,
			u.status, u.invalid_reason, u.first_name, u.last_name, u.mail, u.telephone_number,
			coalesce(cl.name, ''), coalesce(p.status, ''), coalesce(p.last_action, ''),
			coalesce(p.reason, ''), p.pushed_at
		FROM users u
		JOIN customers c ON c.id = u.customer_id
		LEFT JOIN sites s ON s.id = u.site_id
		LEFT JOIN ndls n ON n.id = s.ndl_id
		LEFT JOIN clusters cl ON cl.id = n.cluster_id
		LEFT JOIN push_states p ON p.user_id = u.id AND p.cluster_id = cl.id
		WHERE ($1 = '' OR c.name = $1) AND ($2 = '' OR s.name = $2)
			AND ($3 = '' OR lower(u.userid) = lower($3))
			AND (NOT $5 OR (u.invalid_reason <> '' AND u.status <> 'removed'))
		ORDER BY c.name, s.name NULLS FIRST, lower(u.userid), u.id
		LIMIT $4`, f.Customer, f.Site, f.UserID, f.Limit, f.Invalid)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (UserView, error) {
		var v UserView
		err := row.Scan(&v.ID, &v.UserID, &v.Customer, &v.Site, &v.Source, &v.Status, &v.Invalid,
			&v.FirstName, &v.LastName, &v.Mail, &v.TelephoneNumber, &v.Cluster, &v.PushStatus,
			&v.PushAction, &v.PushReason, &v.PushedAt)
		return v, err
	})
}
