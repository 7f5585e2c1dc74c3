package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/store"
	"github.com/ucmpush/ucmpush/internal/testdb"
)

// openTestStore opens and migrates a database of the test's own (see [testdb.URL]).
func openTestStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	url := testdb.URL(t, "activities")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)

	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open the test database: %v", err)
	}
	t.Cleanup(db.Close)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate the test database: %v", err)
	}
	return db, ctx
}

// snapshot returns, per table of the schema, its row count and a digest of its rows, so two
// snapshots differ when any row of any table was added, removed or changed.
func snapshot(t *testing.T, ctx context.Context, db *store.Store) map[string]string {
	t.Helper()
	rows, _ := db.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	digests := map[string]string{}
	for _, table := range tables {
		var n int
		var digest string
		err := db.Pool().QueryRow(ctx, fmt.Sprintf(`SELECT count(*),
			coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t`,
			pgx.Identifier{table}.Sanitize())).Scan(&n, &digest)
		if err != nil {
			t.Fatalf("digest table %s: %v", table, err)
		}
		digests[table] = fmt.Sprintf("%d rows, md5 %s", n, digest)
	}
	return digests
}

// checkSnapshot fails the test for every table whose rows differ from before.
func checkSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	if len(before) < 10 {
		t.Fatalf("snapshot holds %d tables, want the whole schema", len(before))
	}
	for table, was := range before {
		if now := after[table]; now != was {
			t.Errorf("%s changed table %s: %s before, %s after", what, table, was, now)
		}
	}
}

// triggerFixture is customer acme with sites london (NDL ndl-a, cluster ucm-a, auto push on),
// paris (ndl-b, ucm-b, on) and rome (ndl-a, off). alice and bob are at london; alice is
// pushed to ucm-a as she is, bob was never pushed.
type triggerFixture struct {
	db   *store.Store
	ctx  context.Context
	env  *testsuite.TestActivityEnvironment
	acts *StoreActivities
}

func newTriggerFixture(t *testing.T) *triggerFixture {
	db, ctx := openTestStore(t)
	var suite testsuite.WorkflowTestSuite
	f := &triggerFixture{db: db, ctx: ctx, env: suite.NewTestActivityEnvironment(),
		acts: &StoreActivities{Store: db}}
	f.env.RegisterActivity(f.acts)

	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := db.CreateCustomer(ctx, "acme", "")
	must("create customer", err)
	for _, c := range []string{"ucm-a", "ucm-b"} {
		_, err := db.CreateCluster(ctx, domain.Cluster{Name: c, AXLURL: "https://127.0.0.1:9/axl/",
			AXLVersion: "14.0", Username: "axladmin", PasswordRef: "env:NONE", MaxInFlight: 2})
		must("create cluster "+c, err)
	}
	for ndl, cluster := range map[string]string{"ndl-a": "ucm-a", "ndl-b": "ucm-b"} {
		_, err := db.CreateNDL(ctx, ndl, cluster)
		must("create NDL "+ndl, err)
	}
	for _, s := range []struct {
		name, ndl string
		on        bool
	}{{"london", "ndl-a", true}, {"paris", "ndl-b", true}, {"rome", "ndl-a", false}} {
		_, err := db.CreateSite(ctx, domain.SiteRef{Customer: "acme", Site: s.name}, s.ndl, s.on)
		must("create site "+s.name, err)
	}

	london := domain.SiteRef{Customer: "acme", Site: "london"}
	alice := domain.Attributes{UserID: "alice", FirstName: "Alice", LastName: "Smith"}
	aliceID, err := db.CreateManualUser(ctx, london, alice, "seed")
	must("create alice", err)
	_, err = db.CreateManualUser(ctx, london, domain.Attributes{UserID: "bob", LastName: "Jones"}, "seed")
	must("create bob", err)
	_, err = db.Pool().Exec(ctx, `INSERT INTO push_states (user_id, cluster_id, status, pushed_hash,
			last_action, pushed_userid)
		SELECT u.id, c.id, 'pushed', u.attrs_hash, 'added', u.userid FROM users u, clusters c
		WHERE u.id = $1 AND c.name = 'ucm-a'`, aliceID)
	must("record alice as pushed to ucm-a", err)
	return f
}

// run executes a StoreActivities method in the activity test environment.
func run[R any](t *testing.T, f *triggerFixture, activity any, input any) (R, error) {
	t.Helper()
	var result R
	value, err := f.env.ExecuteActivity(activity, input)
	if err != nil {
		return result, err
	}
	if err := value.Get(&result); err != nil {
		t.Fatalf("decode result: %v", err)
	}
	return result, nil
}

// planUserIDs returns the userids of a plan's items, in seq order.
func planUserIDs(plan SitePlanPreview) string {
	var ids []string
	for _, it := range plan.Items {
		ids = append(ids, it.Attributes.UserID)
	}
	return strings.Join(ids, ",")
}

func TestDryRunMoveUsersWritesNothing(t *testing.T) {
	f := newTriggerFixture(t)
	move := MoveUsersInput{Site: "acme/paris", Kind: domain.MoveByUsernames,
		Usernames: []string{"alice", "BOB"}, ChangeKey: "moved/acme/paris/1/run-1"}
	before := snapshot(t, f.ctx, f.db)

	preview, err := run[TriggerPreview](t, f, f.acts.DryRunMoveUsers, DryRunMoveUsersInput{
		Move: move, RunKey: move.ChangeKey, Page: PlanPage{From: 1, To: 500}})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	checkSnapshot(t, "dry run of a move", before, snapshot(t, f.ctx, f.db))

	if len(preview.Sites) != 1 || preview.Sites[0].Site != "acme/paris" {
		t.Fatalf("sites %+v, want paris alone: only paris receives users", preview.Sites)
	}
	if len(preview.Moves.Sites) != 1 {
		t.Fatalf("moves %+v, want one site", preview.Moves.Sites)
	}
	if len(preview.Plans) != 1 {
		t.Fatalf("plans %+v, want paris's", preview.Plans)
	}
	moves, plan := preview.Moves.Sites[0], preview.Plans[0]
	checkFields(t, "dry run", []field{
		{"moved", moves.Moved, 2},
		{"left on old cluster", moves.LeftOnOldCluster, 1},
		{"users at paris", preview.Sites[0].Users, 2},
		{"plan cluster", plan.Cluster, "ucm-b"},
		{"planned", plan.Total, 2},
		{"planned users", planUserIDs(plan), "alice,bob"},
	})

	// The real step, with the same change key, must do what the dry run listed.
	moved, err := run[MoveUsersResult](t, f, f.acts.MoveUsers, move)
	if err != nil {
		t.Fatalf("real move: %v", err)
	}
	realPlan, err := run[PlanSitePushResult](t, f, f.acts.PlanSitePush, PlanSitePushInput{
		SiteID: plan.SiteID, PlanKey: "real", ChangeKey: move.ChangeKey})
	if err != nil {
		t.Fatalf("real plan: %v", err)
	}
	checkFields(t, "real run", []field{
		{"moved", moved.Moves.Sites[0].Moved, moves.Moved},
		{"left on old cluster", moved.Moves.Sites[0].LeftOnOldCluster, moves.LeftOnOldCluster},
		{"planned", realPlan.Total, plan.Total},
	})
	if after := snapshot(t, f.ctx, f.db); after["users"] == before["users"] {
		t.Error("the real move left table users as it was, so the snapshot cannot see a change")
	}
}

func TestDryRunChangeNDLWritesNothing(t *testing.T) {
	f := newTriggerFixture(t)
	change := ChangeNDLInput{NDL: "ndl-a", Cluster: "ucm-b"}
	before := snapshot(t, f.ctx, f.db)

	preview, err := run[TriggerPreview](t, f, f.acts.DryRunChangeNDL, DryRunChangeNDLInput{
		Change: change, RunKey: "dry-run/ndl-changed/ndl-a/cluster-ucm-b/run-1",
		Page: PlanPage{From: 1, To: 1}})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	checkSnapshot(t, "dry run of an NDL change", before, snapshot(t, f.ctx, f.db))

	var sites []string
	for _, s := range preview.Sites {
		sites = append(sites, s.Site+"@"+s.Cluster)
	}
	if got := strings.Join(sites, " "); got != "acme/london@ucm-b acme/rome@ucm-b" {
		t.Errorf("sites %s, want london and rome on ucm-b", got)
	}
	if len(preview.Plans) != 1 {
		t.Fatalf("plans %+v, want london's alone: rome's auto push is off", preview.Plans)
	}
	checkFields(t, "dry run", []field{
		{"unserved", preview.Unserved, 1},
		{"planned", preview.Plans[0].Total, 2},
		{"page of one", planUserIDs(preview.Plans[0]), "alice"},
	})

	page2, err := run[TriggerPreview](t, f, f.acts.DryRunChangeNDL, DryRunChangeNDLInput{
		Change: change, RunKey: "dry-run/ndl-changed/ndl-a/cluster-ucm-b/run-1",
		Page: PlanPage{From: 2, To: 2}})
	if err != nil {
		t.Fatalf("dry run, second page: %v", err)
	}
	if got := planUserIDs(page2.Plans[0]); got != "bob" {
		t.Errorf("second page %s, want bob", got)
	}
	checkSnapshot(t, "second page of the dry run", before, snapshot(t, f.ctx, f.db))

	realChange, err := run[ChangeNDLResult](t, f, f.acts.ChangeNDL, change)
	if err != nil {
		t.Fatalf("real change: %v", err)
	}
	if realChange.Unserved != preview.Unserved {
		t.Errorf("real change made %d push states unserved, the dry run said %d", realChange.Unserved,
			preview.Unserved)
	}
}

func TestDryRunCreateUserWritesNothing(t *testing.T) {
	f := newTriggerFixture(t)
	create := CreateUserInput{Site: "acme/london", ChangeKey: "created/acme/london/dana/run-1",
		Attributes: domain.Attributes{UserID: "dana", LastName: "Ek"}}
	before := snapshot(t, f.ctx, f.db)

	preview, err := run[TriggerPreview](t, f, f.acts.DryRunCreateUser, DryRunCreateUserInput{
		Create: create, RunKey: create.ChangeKey, Page: PlanPage{From: 1, To: 500}})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	checkSnapshot(t, "dry run of a user creation", before, snapshot(t, f.ctx, f.db))
	if len(preview.Plans) != 1 || planUserIDs(preview.Plans[0]) != "dana" {
		t.Fatalf("plans %+v, want london's with dana alone", preview.Plans)
	}

	taken := create
	taken.Attributes.UserID = "ALICE"
	_, err = run[TriggerPreview](t, f, f.acts.DryRunCreateUser, DryRunCreateUserInput{
		Create: taken, RunKey: "run-2", Page: PlanPage{From: 1, To: 500}})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != ErrInvalidConfig {
		t.Errorf("dry run of a taken userid: error %v, want %s as the real step gives", err, ErrInvalidConfig)
	}
	checkSnapshot(t, "refused dry run", before, snapshot(t, f.ctx, f.db))
}

// field is one value of a result and the value a test expects of it.
type field struct {
	name      string
	got, want any
}

func checkFields(t *testing.T, what string, fields []field) {
	t.Helper()
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s %s = %v, want %v", what, f.name, f.got, f.want)
		}
	}
}
