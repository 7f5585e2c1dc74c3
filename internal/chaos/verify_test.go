package chaos

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// storedUser is a pushable user of the store with its push state on the test's cluster.
type storedUser struct {
	userID, firstName, lastName, mail, phone, department, title string
	status, uuid                                                string
	hashPushed                                                  bool
}

// expectConverged checks the end state of a test and returns the number of users. The
// simulator must hold every active, valid user of the store exactly once, with the store's
// attributes. The store must record each as pushed, with the UUID that UCM gave it and the
// attributes it has now. No write may have been sent twice, and the simulator may never have
// seen more requests at once than the cluster allows. No planned user may be left without an
// outcome, and no slot of the cluster may still be leased.
func (r *rig) expectConverged() int {
	t := r.t
	t.Helper()
	want := r.pushableUsers()
	if len(want) == 0 {
		t.Fatal("the store has no user to push")
	}

	simUsers := map[string]axl.User{}
	for _, u := range r.sim.Users() {
		key := strings.ToLower(u.UserID)
		if _, dup := simUsers[key]; dup {
			t.Errorf("the simulator holds userid %s twice", u.UserID)
		}
		simUsers[key] = u
	}
	if len(simUsers) != len(want) {
		t.Errorf("the simulator holds %d users, the store %d pushable users", len(simUsers), len(want))
	}

	mismatches := 0
	for _, u := range want {
		got, ok := simUsers[strings.ToLower(u.userID)]
		problem := ""
		switch {
		case !ok:
			problem = "missing from the simulator"
		case got.FirstName != u.firstName || got.LastName != u.lastName || got.MailID != u.mail ||
			got.TelephoneNumber != u.phone || got.Department != u.department || got.Title != u.title:
			problem = "has other attributes on the simulator than in the store"
		case u.status != "pushed":
			problem = "has push status " + u.status + " in the store, want pushed"
		case !u.hashPushed:
			problem = "is recorded as pushed with other attributes than the store holds"
		case u.uuid != got.UUID:
			problem = "has UUID " + u.uuid + " in the store, but " + got.UUID + " on the simulator"
		}
		if problem != "" {
			mismatches++
			if mismatches <= 10 {
				t.Errorf("user %s %s", u.userID, problem)
			}
		}
	}
	if mismatches > 10 {
		t.Errorf("... and %d more users that do not agree", mismatches-10)
	}

	stats := r.sim.Stats()
	if stats.Writes != len(want) {
		t.Errorf("the simulator executed %d writes for %d users: each user must be added exactly "+
			"once and never written again", stats.Writes, len(want))
	}
	if stats.MaxInFlight > r.maxInFlight {
		t.Errorf("the simulator saw %d requests at once, above the cluster's limit of %d",
			stats.MaxInFlight, r.maxInFlight)
	}
	r.expectNothingPending()
	return len(want)
}

// pushableUsers returns the store's active and valid directory users with their push state on
// the test's cluster.
func (r *rig) pushableUsers() []storedUser {
	t := r.t
	t.Helper()
	rows, err := r.db.Pool().Query(r.ctx, `SELECT u.userid, u.first_name, u.last_name, u.mail,
			u.telephone_number, u.department, u.title, coalesce(p.status, ''),
			coalesce(p.ucm_uuid, ''), coalesce(p.pushed_hash = u.attrs_hash, false)
		FROM users u
		JOIN customers c ON c.id = u.customer_id
		LEFT JOIN push_states p ON p.user_id = u.id AND p.cluster_id = $2
		WHERE c.name = $1 AND u.source = 'ldap' AND u.status = 'active' AND u.invalid_reason = ''
		ORDER BY u.userid`, r.customer, r.clusterID)
	if err != nil {
		t.Fatalf("read the store's users: %v", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storedUser, error) {
		var u storedUser
		err := row.Scan(&u.userID, &u.firstName, &u.lastName, &u.mail, &u.phone, &u.department,
			&u.title, &u.status, &u.uuid, &u.hashPushed)
		return u, err
	})
	if err != nil {
		t.Fatalf("read the store's users: %v", err)
	}
	return users
}

// expectNothingPending checks that every planned user of the test has an outcome and that no
// in-flight slot of the cluster is still leased.
func (r *rig) expectNothingPending() {
	t := r.t
	t.Helper()
	var unfinished, leased int
	err := r.db.Pool().QueryRow(r.ctx, `SELECT
			(SELECT count(*) FROM push_plan_items i JOIN push_plans p ON p.id = i.plan_id
				WHERE p.cluster_id = $1 AND i.outcome = ''),
			(SELECT count(*) FROM cluster_slots
				WHERE cluster_id = $1 AND holder IS NOT NULL AND expires_at > now())`,
		r.clusterID).Scan(&unfinished, &leased)
	if err != nil {
		t.Fatalf("read the push plans and slots: %v", err)
	}
	if unfinished != 0 {
		t.Errorf("%d planned users have no outcome", unfinished)
	}
	if leased != 0 {
		t.Errorf("%d in-flight slots of the cluster are still leased after the push", leased)
	}
}
