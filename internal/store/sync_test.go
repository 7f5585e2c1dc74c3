package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
)

// seedDirectory creates customer acme and its directory corp, with no site.
func seedDirectory(t *testing.T, ctx context.Context, s *Store) domain.Directory {
	t.Helper()
	if _, err := s.CreateCustomer(ctx, "acme", ""); err != nil {
		t.Fatalf("create customer: %v", err)
	}
	dir, err := s.CreateDirectory(ctx, domain.Directory{Name: "corp", Customer: "acme",
		URL: "ldap://127.0.0.1:9", BindPasswordRef: "env:NONE", BaseDN: "dc=example,dc=com",
		Filter: "(objectClass=inetOrgPerson)", Mapping: domain.DefaultOpenLDAPMapping(),
		PageSize: 500, RemovalGuardPercent: 100})
	if err != nil {
		t.Fatalf("create directory: %v", err)
	}
	return dir
}

// person returns the directory entry with key k, userid uid and last name last.
func person(k, uid, last string) domain.DirectoryEntry {
	return domain.DirectoryEntry{Key: k, DN: "uid=" + uid + ",dc=example,dc=com",
		Attributes: domain.Attributes{UserID: uid, FirstName: "Test", LastName: last}}
}

// syncEntries stages entries under a new sync run, in pages of pageSize, and applies it.
func syncEntries(t *testing.T, ctx context.Context, s *Store, dir domain.Directory, runKey string,
	pageSize int, entries []domain.DirectoryEntry) SyncCounts {
	t.Helper()
	run, err := s.BeginSync(ctx, dir.ID, runKey)
	if err != nil {
		t.Fatalf("begin sync %s: %v", runKey, err)
	}
	for from := 0; from < len(entries); from += pageSize {
		to := min(from+pageSize, len(entries))
		if err := s.StageEntries(ctx, run.ID, entries[from:to]); err != nil {
			t.Fatalf("stage entries %d to %d of %s: %v", from, to, runKey, err)
		}
	}
	counts, err := s.ApplySync(ctx, run.ID, false, false)
	if err != nil {
		t.Fatalf("apply sync %s: %v", runKey, err)
	}
	return counts
}

// storedUser is the part of a users row that a sync writes.
type storedUser struct {
	userID, lastName, status, invalid string
}

func storedUsers(t *testing.T, ctx context.Context, s *Store, dirID int64) map[string]storedUser {
	t.Helper()
	rows, err := s.pool.Query(ctx, `SELECT directory_key, userid, last_name, status, invalid_reason
		FROM users WHERE directory_id = $1`, dirID)
	if err != nil {
		t.Fatalf("read users: %v", err)
	}
	defer rows.Close()
	users := map[string]storedUser{}
	for rows.Next() {
		var key string
		var u storedUser
		if err := rows.Scan(&key, &u.userID, &u.lastName, &u.status, &u.invalid); err != nil {
			t.Fatalf("scan user: %v", err)
		}
		users[key] = u
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read users: %v", err)
	}
	return users
}

func TestApplySyncAddsUpdatesAndRemoves(t *testing.T) {
	s, ctx := openTestStore(t)
	dir := seedDirectory(t, ctx, s)

	first := syncEntries(t, ctx, s, dir, "run-1", 2, []domain.DirectoryEntry{
		person("k1", "alice", "Smith"), person("k2", "bob", "Jones"), person("k3", "carol", "King")})
	if want := (SyncCounts{Found: 3, Added: 3}); first != want {
		t.Errorf("first sync counts = %+v, want %+v", first, want)
	}

	// bob changes his name, carol leaves, dave arrives, alice stays as she was.
	second := syncEntries(t, ctx, s, dir, "run-2", 2, []domain.DirectoryEntry{
		person("k1", "alice", "Smith"), person("k2", "bob", "Brown"), person("k4", "dave", "Lee")})
	want := SyncCounts{Found: 3, Added: 1, Updated: 1, Unchanged: 1, Removed: 1}
	if second != want {
		t.Errorf("second sync counts = %+v, want %+v", second, want)
	}

	got := storedUsers(t, ctx, s, dir.ID)
	wantUsers := map[string]storedUser{
		"k1": {"alice", "Smith", "active", ""},
		"k2": {"bob", "Brown", "active", ""},
		"k3": {"carol", "King", "removed", ""},
		"k4": {"dave", "Lee", "active", ""},
	}
	for key, w := range wantUsers {
		if got[key] != w {
			t.Errorf("user %s = %+v, want %+v", key, got[key], w)
		}
	}
	if len(got) != len(wantUsers) {
		t.Errorf("users = %d, want %d: %+v", len(got), len(wantUsers), got)
	}

	// A sync that changes nothing writes nothing: updated_at stays.
	var before, after string
	readStamps := func(dst *string) {
		err := s.pool.QueryRow(ctx, `SELECT string_agg(updated_at::text, ',' ORDER BY id) FROM users
			WHERE directory_id = $1`, dir.ID).Scan(dst)
		if err != nil {
			t.Fatalf("read update times: %v", err)
		}
	}
	readStamps(&before)
	third := syncEntries(t, ctx, s, dir, "run-3", 2, []domain.DirectoryEntry{
		person("k1", "alice", "Smith"), person("k2", "bob", "Brown"), person("k4", "dave", "Lee")})
	if want := (SyncCounts{Found: 3, Unchanged: 3}); third != want {
		t.Errorf("third sync counts = %+v, want %+v", third, want)
	}
	readStamps(&after)
	if before != after {
		t.Errorf("an unchanged sync rewrote users: update times %s, then %s", before, after)
	}
}

func TestApplySyncMarksCaseDuplicates(t *testing.T) {
	s, ctx := openTestStore(t)
	dir := seedDirectory(t, ctx, s)

	counts := syncEntries(t, ctx, s, dir, "run-1", 10, []domain.DirectoryEntry{
		person("k1", "Alice", "Smith"), person("k2", "alice", "Jones"), person("k3", "bob", "King")})
	if counts.Invalid != 2 {
		t.Errorf("invalid = %d, want 2 (Alice and alice)", counts.Invalid)
	}
	users := storedUsers(t, ctx, s, dir.ID)
	for _, key := range []string{"k1", "k2"} {
		if users[key].invalid == "" {
			t.Errorf("user %s (%s) is valid, want invalid for the case duplicate", key, users[key].userID)
		}
	}
	if users["k3"].invalid != "" {
		t.Errorf("bob is invalid (%q), want valid", users["k3"].invalid)
	}

	listed, err := s.Users(ctx, UserFilter{Customer: "acme", Invalid: true})
	if err != nil {
		t.Fatalf("list invalid users: %v", err)
	}
	var ids []string
	for _, u := range listed {
		ids = append(ids, u.UserID)
	}
	if len(ids) != 2 || !strings.EqualFold(ids[0], "alice") || !strings.EqualFold(ids[1], "alice") {
		t.Errorf("invalid users listed = %v, want Alice and alice only", ids)
	}
}

// Each sync stages under a run ID that the statistics of staged_entries cannot know. ApplySync
// therefore analyzes the table first, or the planner would take a large run for one row.
func TestApplySyncAnalyzesStagedRun(t *testing.T) {
	s, ctx := openTestStore(t)
	dir := seedDirectory(t, ctx, s)

	const n = 3000
	entries := make([]domain.DirectoryEntry, n)
	for i := range entries {
		entries[i] = person(fmt.Sprintf("k%d", i), fmt.Sprintf("user%d", i), "Test")
	}
	run, err := s.BeginSync(ctx, dir.ID, "run-1")
	if err != nil {
		t.Fatalf("begin sync: %v", err)
	}
	for from := 0; from < n; from += 500 {
		if err := s.StageEntries(ctx, run.ID, entries[from:from+500]); err != nil {
			t.Fatalf("stage entries: %v", err)
		}
	}

	// The plan ApplySync's statements get is what counts; the estimate of the staged run's
	// rows is what the planner has to go on.
	estimate := func() float64 {
		var plan []map[string]any
		err := s.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) SELECT 1 FROM staged_entries WHERE run_id = $1",
			run.ID).Scan(&plan)
		if err != nil {
			t.Fatalf("explain a read of the staged run: %v", err)
		}
		rows, _ := plan[0]["Plan"].(map[string]any)["Plan Rows"].(float64)
		return rows
	}
	if err := analyzeStaged(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got := estimate(); got < n/2 {
		t.Fatalf("estimate after ANALYZE = %v rows, want about %d: the check cannot tell", got, n)
	}

	// A second run of the same size, unknown to the statistics taken above.
	next, err := s.BeginSync(ctx, dir.ID, "run-2")
	if err != nil {
		t.Fatalf("begin sync: %v", err)
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM staged_entries WHERE run_id = $1", run.ID); err != nil {
		t.Fatalf("drop the first run: %v", err)
	}
	if err := analyzeStaged(ctx, s); err != nil {
		t.Fatal(err)
	}
	run = next
	for from := 0; from < n; from += 500 {
		if err := s.StageEntries(ctx, run.ID, entries[from:from+500]); err != nil {
			t.Fatalf("stage entries: %v", err)
		}
	}
	if got := estimate(); got > n/10 {
		t.Fatalf("estimate before ApplySync = %v rows, want far below %d: the check cannot tell",
			got, n)
	}

	// ApplySync removes the run's rows when it is done, so its ANALYZE is seen in pg_class.
	if _, err := s.ApplySync(ctx, run.ID, false, false); err != nil {
		t.Fatalf("apply sync: %v", err)
	}
	var tuples float64
	err = s.pool.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE relname = 'staged_entries'").
		Scan(&tuples)
	if err != nil {
		t.Fatalf("read the statistics of staged_entries: %v", err)
	}
	if tuples < n/2 {
		t.Errorf("staged_entries statistics count %v rows after ApplySync, want about %d: "+
			"ApplySync must analyze the staged run before it plans", tuples, n)
	}
}

func analyzeStaged(ctx context.Context, s *Store) error {
	if _, err := s.pool.Exec(ctx, "ANALYZE staged_entries"); err != nil {
		return fmt.Errorf("analyze staged_entries: %w", err)
	}
	return nil
}

func TestApplySyncMarksUseridsOfOtherDirectories(t *testing.T) {
	s, ctx := openTestStore(t)
	corp := seedDirectory(t, ctx, s)
	london, err := s.CreateDirectory(ctx, domain.Directory{Name: "london-ad", Customer: "acme",
		URL: "ldap://127.0.0.1:9", BindPasswordRef: "env:NONE", BaseDN: "ou=London,dc=example,dc=com",
		Filter: "(objectClass=inetOrgPerson)", Mapping: domain.DefaultOpenLDAPMapping(),
		PageSize: 500, RemovalGuardPercent: 100})
	if err != nil {
		t.Fatalf("create directory london-ad: %v", err)
	}
	syncEntries(t, ctx, s, corp, "corp-1", 10, []domain.DirectoryEntry{person("k1", "alice", "Smith")})

	// The second directory holds alice too, under another key and in another case.
	counts := syncEntries(t, ctx, s, london, "london-1", 10, []domain.DirectoryEntry{
		person("L1", "Alice", "Smith"), person("L2", "bob", "Jones")})
	if counts.Invalid != 1 {
		t.Errorf("invalid = %d, want 1 (Alice, whom corp holds)", counts.Invalid)
	}
	users := storedUsers(t, ctx, s, london.ID)
	if want := "is held by a user of directory corp"; !strings.Contains(users["L1"].invalid, want) {
		t.Errorf("Alice of london-ad invalid = %q, want it to contain %q", users["L1"].invalid, want)
	}
	if users["L2"].invalid != "" {
		t.Errorf("bob of london-ad invalid = %q, want valid", users["L2"].invalid)
	}
	if got := storedUsers(t, ctx, s, corp.ID)["k1"]; got.invalid != "" {
		t.Errorf("alice of corp invalid = %q after london-ad's sync, want valid", got.invalid)
	}

	// Once corp no longer has her, the next sync of london-ad takes her.
	syncEntries(t, ctx, s, corp, "corp-2", 10, []domain.DirectoryEntry{person("k9", "zoe", "Ek")})
	syncEntries(t, ctx, s, london, "london-2", 10, []domain.DirectoryEntry{
		person("L1", "Alice", "Smith"), person("L2", "bob", "Jones")})
	if got := storedUsers(t, ctx, s, london.ID)["L1"]; got.invalid != "" {
		t.Errorf("Alice of london-ad invalid = %q after corp removed alice, want valid", got.invalid)
	}
}

func TestSyncDropsStagedEntriesNoApplyReads(t *testing.T) {
	s, ctx := openTestStore(t)
	dir := seedDirectory(t, ctx, s)
	if _, err := s.pool.Exec(ctx, "UPDATE directories SET removal_guard_percent = 10 WHERE id = $1",
		dir.ID); err != nil {
		t.Fatal(err)
	}
	entries := make([]domain.DirectoryEntry, 20)
	for i := range entries {
		entries[i] = person(fmt.Sprintf("k%d", i), fmt.Sprintf("user%d", i), "Test")
	}
	syncEntries(t, ctx, s, dir, "run-1", 10, entries)

	// A sync that would remove half the users is refused, and its staged entries go.
	run, err := s.BeginSync(ctx, dir.ID, "run-2")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StageEntries(ctx, run.ID, entries[:10]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplySync(ctx, run.ID, false, false); !errors.Is(err, ErrSyncRefused) {
		t.Fatalf("apply of a sync removing half the users = %v, want %v", err, ErrSyncRefused)
	}
	staged := func() int {
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM staged_entries").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := staged(); n != 0 {
		t.Errorf("staged entries after a refused sync = %d, want 0", n)
	}

	// A run whose workflow died while staging leaves rows that the directory's next sync drops
	// once the run is a day old.
	dead, err := s.BeginSync(ctx, dir.ID, "run-3")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StageEntries(ctx, dead.ID, entries[:5]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginSync(ctx, dir.ID, "run-4"); err != nil {
		t.Fatal(err)
	}
	if n := staged(); n != 5 {
		t.Errorf("staged entries of a run staging since now = %d, want 5 kept", n)
	}
	if _, err := s.pool.Exec(ctx, "UPDATE sync_runs SET started_at = now() - interval '25 hours' "+
		"WHERE id = $1", dead.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginSync(ctx, dir.ID, "run-5"); err != nil {
		t.Fatal(err)
	}
	if n := staged(); n != 0 {
		t.Errorf("staged entries of a run staging for 25 hours = %d, want 0", n)
	}
}
