package store

// This file holds what Quick User keeps in the store: the Quick User settings of each site,
// the directory numbers it hands out, the last run's result per user and the voicemail flag.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ucmpush/ucmpush/domain"
)

// SiteDefaults are the Quick User settings of a site: what a run uses when its request
// leaves a value out. Empty strings are settings that are not set.
type SiteDefaults struct {
	SiteID int64  `json:"-"`
	Site   string `json:"site"`
	// DevicePool is the device pool of new phones and remote destination profiles. UCM
	// requires one, so a run without it fails its checks.
	DevicePool string `json:"devicePool,omitempty"`
	// RoutePartition is the partition of new lines; empty is the null partition.
	RoutePartition string `json:"routePartition,omitempty"`
	// CallingSearchSpace is the calling search space of new phones and remote destination
	// profiles; empty leaves them without one.
	CallingSearchSpace string `json:"callingSearchSpace,omitempty"`
	// PhoneTemplate is the phone button template of new desk phones and device profiles,
	// such as "Standard 8841 SIP"; empty leaves UCM's default for the model.
	PhoneTemplate string `json:"phoneTemplate,omitempty"`
	// JabberTemplate is the phone button template of new Jabber devices; empty leaves UCM's
	// default for the product.
	JabberTemplate string `json:"jabberTemplate,omitempty"`
	// NumberMask builds a user's number from their telephone number (see
	// [ApplyNumberMask]), such as +44207100XXXX. At most one of NumberMask and NumberRange
	// is set.
	NumberMask string `json:"numberMask,omitempty"`
	// NumberRange is the range of numbers the site owns, such as 4000-4999 (see
	// [ParseNumberRange]); a run takes the first free one.
	NumberRange string `json:"numberRange,omitempty"`
	// The features a run turns on when its request leaves them out.
	Jabber            bool `json:"jabber"`
	ExtensionMobility bool `json:"extensionMobility"`
	SingleNumberReach bool `json:"singleNumberReach"`
	Voicemail         bool `json:"voicemail"`
	// UpdatedAt is nil while the site has no defaults.
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// Validate checks the numbering settings: a valid mask or range, and not both.
func (d SiteDefaults) Validate() error {
	if d.NumberMask != "" && d.NumberRange != "" {
		return errors.New("a site numbers its lines by a mask or by a range, not both: " +
			"clear one with --number-mask '' or --number-range ''")
	}
	if d.NumberMask != "" {
		if err := ValidateNumberMask(d.NumberMask); err != nil {
			return err
		}
	}
	if d.NumberRange != "" {
		if _, err := ParseNumberRange(d.NumberRange); err != nil {
			return err
		}
	}
	return nil
}

// SiteDefaults returns the Quick User settings of the site at ref; a site without any has
// empty settings and a nil UpdatedAt. A missing site is a [NotFoundError].
func (s *Store) SiteDefaults(ctx context.Context, ref domain.SiteRef) (SiteDefaults, error) {
	site, err := s.Site(ctx, ref)
	if err != nil {
		return SiteDefaults{}, err
	}
	return s.SiteDefaultsByID(ctx, site.ID)
}

// SiteDefaultsByID returns the Quick User settings of the site with the given ID, empty for
// a site without any.
func (s *Store) SiteDefaultsByID(ctx context.Context, siteID int64) (SiteDefaults, error) {
	site, err := s.SiteByID(ctx, siteID)
	if err != nil {
		return SiteDefaults{}, err
	}
	d := SiteDefaults{SiteID: site.ID, Site: site.Ref().String()}

	var first, last string
	var updated time.Time
	err = s.pool.QueryRow(ctx, `SELECT device_pool, route_partition, calling_search_space,
			phone_template, jabber_template, number_mask, number_first, number_last, jabber,
			extension_mobility, single_number_reach, voicemail, updated_at
		FROM site_defaults WHERE site_id = $1`, siteID,
	).Scan(&d.DevicePool, &d.RoutePartition, &d.CallingSearchSpace, &d.PhoneTemplate,
		&d.JabberTemplate, &d.NumberMask, &first, &last, &d.Jabber, &d.ExtensionMobility,
		&d.SingleNumberReach, &d.Voicemail, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("read Quick User defaults of site %s: %w", d.Site, err)
	}
	if first != "" {
		d.NumberRange = first + "-" + last
	}
	d.UpdatedAt = &updated
	return d, nil
}

// SetSiteDefaults stores every setting of d as the Quick User settings of the site at ref,
// replacing the ones it had, and returns them as stored. It fails before writing when
// [SiteDefaults.Validate] does.
func (s *Store) SetSiteDefaults(ctx context.Context, ref domain.SiteRef, d SiteDefaults) (SiteDefaults, error) {
	if err := d.Validate(); err != nil {
		return d, err
	}
	site, err := s.Site(ctx, ref)
	if err != nil {
		return d, err
	}
	var first, last string
	if d.NumberRange != "" {
		r, _ := ParseNumberRange(d.NumberRange)
		first, last = r.First, r.Last
	}

	_, err = s.pool.Exec(ctx, `INSERT INTO site_defaults (site_id, device_pool, route_partition,
			calling_search_space, phone_template, jabber_template, number_mask, number_first,
			number_last, jabber, extension_mobility, single_number_reach, voicemail, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
		ON CONFLICT (site_id) DO UPDATE SET device_pool = EXCLUDED.device_pool,
			route_partition = EXCLUDED.route_partition,
			calling_search_space = EXCLUDED.calling_search_space,
			phone_template = EXCLUDED.phone_template, jabber_template = EXCLUDED.jabber_template,
			number_mask = EXCLUDED.number_mask, number_first = EXCLUDED.number_first,
			number_last = EXCLUDED.number_last, jabber = EXCLUDED.jabber,
			extension_mobility = EXCLUDED.extension_mobility,
			single_number_reach = EXCLUDED.single_number_reach, voicemail = EXCLUDED.voicemail,
			updated_at = now()`,
		site.ID, d.DevicePool, d.RoutePartition, d.CallingSearchSpace, d.PhoneTemplate,
		d.JabberTemplate, d.NumberMask, first, last, d.Jabber, d.ExtensionMobility,
		d.SingleNumberReach, d.Voicemail)
	if err != nil {
		return d, fmt.Errorf("store Quick User defaults of site %s: %w", ref, err)
	}
	return s.SiteDefaultsByID(ctx, site.ID)
}

// maxNumberDigits bounds a directory number: E.164 numbers have at most 15 digits, and UCM
// directory numbers of 24 characters leave room for private plans, so 18 is generous while
// it still fits a uint64.
const maxNumberDigits = 18

var (
	numberPattern = regexp.MustCompile(`^\+?[0-9]{1,18}$`)
	maskPattern   = regexp.MustCompile(`^\+?[0-9X]{1,18}$`)
)

// ValidateNumber checks a directory number as Quick User gives it to a user: 1 to 18 digits,
// optionally after a leading +. Patterns with wildcards are not user lines.
func ValidateNumber(number string) error {
	if !numberPattern.MatchString(number) {
		return fmt.Errorf("invalid directory number %q: use 1 to %d digits, optionally after a "+
			"leading +, such as 4001 or +442071004001", number, maxNumberDigits)
	}
	return nil
}

// ValidateNumberMask checks a number mask: digits and at least one X, optionally after a
// leading +, 18 characters at most.
func ValidateNumberMask(mask string) error {
	if !maskPattern.MatchString(mask) || !strings.Contains(mask, "X") {
		return fmt.Errorf("invalid number mask %q: use digits and X, such as +44207100XXXX, "+
			"where each X takes a digit of the user's telephone number", mask)
	}
	return nil
}

// ApplyNumberMask builds a directory number from a mask and a telephone number: the mask's
// n X characters take, in order, the last n digits of the telephone number, whose other
// characters (spaces, dashes, a leading +) are ignored. Mask +44207100XXXX and telephone
// number +44 20 7946 0123 give +442071000123. It fails when the telephone number has fewer
// than n digits.
func ApplyNumberMask(mask, telephone string) (string, error) {
	if err := ValidateNumberMask(mask); err != nil {
		return "", err
	}
	var digits []byte
	for i := 0; i < len(telephone); i++ {
		if c := telephone[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	n := strings.Count(mask, "X")
	if len(digits) < n {
		return "", fmt.Errorf("telephone number %q has %d digits, fewer than the %d that mask %s "+
			"takes: fix the user's telephone number or give the number explicitly",
			telephone, len(digits), n, mask)
	}

	fill := digits[len(digits)-n:]
	var b strings.Builder
	for i := 0; i < len(mask); i++ {
		if mask[i] == 'X' {
			b.WriteByte(fill[0])
			fill = fill[1:]
			continue
		}
		b.WriteByte(mask[i])
	}
	return b.String(), nil
}

// maxRangeSize bounds a number range, so that finding the next free number reads a bounded
// number of lines from UCM.
const maxRangeSize = 100_000

// NumberRange is a range of directory numbers of the same length, First to Last inclusive,
// such as 4000-4999 or +442071004000-+442071004999.
type NumberRange struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

// ParseNumberRange parses FIRST-LAST. Both ends must be valid numbers (see [ValidateNumber])
// of the same length, both with or both without a leading +, with FIRST not above LAST and
// at most 100,000 numbers in between.
func ParseNumberRange(s string) (NumberRange, error) {
	first, last, ok := strings.Cut(s, "-")
	r := NumberRange{First: first, Last: last}
	if !ok || ValidateNumber(first) != nil || ValidateNumber(last) != nil {
		return r, fmt.Errorf("invalid number range %q: write FIRST-LAST, such as 4000-4999", s)
	}
	if len(first) != len(last) || strings.HasPrefix(first, "+") != strings.HasPrefix(last, "+") {
		return r, fmt.Errorf("invalid number range %q: both ends need the same number of digits "+
			"and the same leading + or none", s)
	}
	lo, hi := r.bounds()
	if lo > hi {
		return r, fmt.Errorf("invalid number range %q: %s is above %s", s, first, last)
	}
	if hi-lo+1 > maxRangeSize {
		return r, fmt.Errorf("invalid number range %q: %d numbers, more than the %d a range may "+
			"hold; split it or use a mask", s, hi-lo+1, maxRangeSize)
	}
	return r, nil
}

// String returns FIRST-LAST.
func (r NumberRange) String() string { return r.First + "-" + r.Last }

func (r NumberRange) bounds() (uint64, uint64) {
	lo, _ := strconv.ParseUint(strings.TrimPrefix(r.First, "+"), 10, 64)
	hi, _ := strconv.ParseUint(strings.TrimPrefix(r.Last, "+"), 10, 64)
	return lo, hi
}

// Contains reports whether number is in the range; numbers of another length never are.
func (r NumberRange) Contains(number string) bool {
	if len(number) != len(r.First) || ValidateNumber(number) != nil ||
		strings.HasPrefix(number, "+") != strings.HasPrefix(r.First, "+") {
		return false
	}
	return number >= r.First && number <= r.Last
}

// Prefix returns the leading characters that every number of the range shares, which a
// listLine search pattern can use: "4" for 4000-4999, "" for 1000-9999.
func (r NumberRange) Prefix() string {
	i := 0
	for i < len(r.First) && r.First[i] == r.Last[i] {
		i++
	}
	return r.First[:i]
}

// All yields the numbers of the range in ascending order, with the leading zeros and + of
// its ends.
func (r NumberRange) All() iter.Seq[string] {
	return func(yield func(string) bool) {
		lo, hi := r.bounds()
		plus := ""
		width := len(r.First)
		if strings.HasPrefix(r.First, "+") {
			plus, width = "+", width-1
		}
		for n := lo; n <= hi; n++ {
			if !yield(fmt.Sprintf("%s%0*d", plus, width, n)) {
				return
			}
		}
	}
}

// QuickUserSubject is a user of the store that a Quick User run provisions.
type QuickUserSubject struct {
	ID         int64
	Source     domain.Source
	Status     domain.UserStatus
	Invalid    string
	Attributes domain.Attributes
	// Owner names, as customer/userid, another user of the store (of any customer) who is
	// already on the cluster with the same userid, compared without regard to case. It is
	// empty when there is none.
	Owner string
}

// QuickUserSubject returns the user with userid (compared without regard to case) at the
// site, and whether another user of the store holds the same userid on the cluster. A user
// who is not at the site is a [NotFoundError].
func (s *Store) QuickUserSubject(ctx context.Context, siteID, clusterID int64, userid string) (QuickUserSubject, error) {
	var u QuickUserSubject
	a := &u.Attributes
	err := s.pool.QueryRow(ctx, `SELECT u.id, u.source, u.status, u.invalid_reason, u.userid,
			u.first_name, u.last_name, u.mail, u.telephone_number, u.department, u.title,
			coalesce((SELECT c.name || '/' || o.userid FROM users o
				JOIN customers c ON c.id = o.customer_id
				LEFT JOIN push_states op ON op.user_id = o.id AND op.cluster_id = $2
				WHERE o.id <> u.id AND lower(o.userid) = lower(u.userid) AND o.status <> 'removed'
					AND (op.status = 'pushed' OR (o.source = 'ucm' AND o.ucm_cluster_id = $2))
				LIMIT 1), '')
		FROM users u WHERE u.site_id = $1 AND lower(u.userid) = lower($3)
		ORDER BY u.status = 'active' DESC, u.id LIMIT 1`, siteID, clusterID, userid,
	).Scan(&u.ID, &u.Source, &u.Status, &u.Invalid, &a.UserID, &a.FirstName, &a.LastName,
		&a.Mail, &a.TelephoneNumber, &a.Department, &a.Title, &u.Owner)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, notFound("user", userid, "the user is not at this site: list the site's users "+
			"with `ucmpush users list --site CUSTOMER/SITE`, move one there with `ucmpush users "+
			"move`, or create one with `ucmpush users add`")
	}
	return u, err
}

// Number is a directory number in its route partition; an empty partition is the null one.
type Number struct {
	Pattern   string `json:"pattern"`
	Partition string `json:"partition,omitempty"`
}

// String returns the pattern and, when set, its partition, as "4001 in Internal_PT".
func (n Number) String() string {
	if n.Partition == "" {
		return n.Pattern + " (null partition)"
	}
	return n.Pattern + " in " + n.Partition
}

// NumberHolder is the user to whom Quick User gave a number.
type NumberHolder struct {
	UserID int64
	// Holder is customer/userid.
	Holder string
	// RunKey names the run that reserved the number.
	RunKey string
}

// NumberHolder returns the holder of the number on the cluster, and false when Quick User
// did not give it to any user.
func (s *Store) NumberHolder(ctx context.Context, clusterID int64, n Number) (NumberHolder, bool, error) {
	var h NumberHolder
	err := s.pool.QueryRow(ctx, `SELECT q.user_id, c.name || '/' || u.userid, q.run_key
		FROM quick_user_numbers q JOIN users u ON u.id = q.user_id
		JOIN customers c ON c.id = u.customer_id
		WHERE q.cluster_id = $1 AND q.pattern = $2 AND q.route_partition = $3`,
		clusterID, n.Pattern, n.Partition).Scan(&h.UserID, &h.Holder, &h.RunKey)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("read the holder of number %s: %w", n, err)
	}
	return h, true, nil
}

// ReservedNumbers returns the holders of the numbers of r in the partition on the cluster,
// by pattern.
func (s *Store) ReservedNumbers(ctx context.Context, clusterID int64, partition string, r NumberRange) (map[string]NumberHolder, error) {
	rows, _ := s.pool.Query(ctx, `SELECT q.pattern, q.user_id, c.name || '/' || u.userid, q.run_key
		FROM quick_user_numbers q JOIN users u ON u.id = q.user_id
		JOIN customers c ON c.id = u.customer_id
		WHERE q.cluster_id = $1 AND q.route_partition = $2 AND length(q.pattern) = length($3)
			AND q.pattern BETWEEN $3 AND $4`, clusterID, partition, r.First, r.Last)
	held := map[string]NumberHolder{}
	var pattern string
	var h NumberHolder
	_, err := pgx.ForEachRow(rows, []any{&pattern, &h.UserID, &h.Holder, &h.RunKey}, func() error {
		held[pattern] = h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read reserved numbers %s: %w", r, err)
	}
	return held, nil
}

// UserNumbers returns the numbers Quick User gave to the user on the cluster, oldest first.
func (s *Store) UserNumbers(ctx context.Context, clusterID, userID int64) ([]Number, error) {
	rows, _ := s.pool.Query(ctx, `SELECT pattern, route_partition FROM quick_user_numbers
		WHERE cluster_id = $1 AND user_id = $2 ORDER BY reserved_at, pattern`, clusterID, userID)
	numbers, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Number])
	if err != nil {
		return nil, fmt.Errorf("read the numbers of user %d: %w", userID, err)
	}
	return numbers, nil
}

// ReserveNumber gives the number on the cluster to the user, under runKey, unless someone
// holds it already. It returns the holder after the call: the user on success, or the other
// holder, which the caller must not override. Reserving a number the user holds keeps its
// first run key.
func (s *Store) ReserveNumber(ctx context.Context, clusterID int64, n Number, userID int64, runKey string) (NumberHolder, error) {
	_, err := s.pool.Exec(ctx, `INSERT INTO quick_user_numbers (cluster_id, pattern,
			route_partition, user_id, run_key) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (cluster_id, pattern, route_partition) DO NOTHING`,
		clusterID, n.Pattern, n.Partition, userID, runKey)
	if err != nil {
		return NumberHolder{}, fmt.Errorf("reserve number %s: %w", n, err)
	}
	h, _, err := s.NumberHolder(ctx, clusterID, n)
	return h, err
}

// QuickUserStep is the result of one step of a Quick User run.
type QuickUserStep struct {
	// Name is check, user, line, phone, jabber, profile, remote-destination, associate or
	// voicemail.
	Name string `json:"name"`
	// Status is passed or failed for the check; added, updated, unchanged, failed, skipped
	// or undone for a step; recorded for voicemail.
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// QuickUserResult is the last Quick User run of a user on a cluster.
type QuickUserResult struct {
	WorkflowID string `json:"workflowID"`
	RunID      string `json:"runID"`
	// Outcome is succeeded, failed (a step failed; what the run created was removed again)
	// or refused (a check failed; nothing was written).
	Outcome    string          `json:"outcome"`
	Reason     string          `json:"reason,omitempty"`
	Steps      []QuickUserStep `json:"steps"`
	Line       Number          `json:"line"`
	Mobile     string          `json:"mobileNumber,omitempty"`
	FinishedAt time.Time       `json:"finishedAt"`
}

// QuickUserRecord is the record of a finished Quick User run.
type QuickUserRecord struct {
	UserID    int64
	ClusterID int64
	Result    QuickUserResult
	// Voicemail, when not nil, sets the user's voicemail flag with the line as mailbox.
	Voicemail *bool
	// ReleaseRunKey, when set, frees the numbers that the run with this key reserved for the
	// user, as a run that failed and removed what it created does.
	ReleaseRunKey string
	// Pushed, when not nil, records the user's push state on the cluster as pushed, with
	// these values, as a successful run that wrote the user's fields does.
	Pushed *PushOutcome
}

// RecordQuickUserResult stores the run's result as the user's last on the cluster, and the
// voicemail flag, released numbers and push state that r sets, in one transaction.
// Recording the same run twice changes nothing but the times.
func (s *Store) RecordQuickUserResult(ctx context.Context, r QuickUserRecord) error {
	steps, err := json.Marshal(r.Result.Steps)
	if err != nil {
		return fmt.Errorf("encode Quick User steps: %w", err)
	}
	res := r.Result

	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO quick_user_results (user_id, cluster_id, workflow_id,
				run_id, outcome, reason, steps, line_pattern, line_partition, mobile_number,
				finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
			ON CONFLICT (user_id, cluster_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id,
				run_id = EXCLUDED.run_id, outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
				steps = EXCLUDED.steps, line_pattern = EXCLUDED.line_pattern,
				line_partition = EXCLUDED.line_partition,
				mobile_number = EXCLUDED.mobile_number, finished_at = now()`,
			r.UserID, r.ClusterID, res.WorkflowID, res.RunID, res.Outcome, res.Reason, steps,
			res.Line.Pattern, res.Line.Partition, res.Mobile)
		if err != nil {
			return fmt.Errorf("record Quick User result of user %d: %w", r.UserID, err)
		}

		if r.Voicemail != nil {
			_, err = tx.Exec(ctx, `INSERT INTO user_voicemail (user_id, enabled, mailbox,
					route_partition, updated_at) VALUES ($1, $2, $3, $4, now())
				ON CONFLICT (user_id) DO UPDATE SET enabled = EXCLUDED.enabled,
					mailbox = EXCLUDED.mailbox, route_partition = EXCLUDED.route_partition,
					updated_at = now()`,
				r.UserID, *r.Voicemail, res.Line.Pattern, res.Line.Partition)
			if err != nil {
				return fmt.Errorf("record voicemail flag of user %d: %w", r.UserID, err)
			}
		}

		if r.ReleaseRunKey != "" {
			_, err = tx.Exec(ctx, `DELETE FROM quick_user_numbers
				WHERE cluster_id = $1 AND user_id = $2 AND run_key = $3`,
				r.ClusterID, r.UserID, r.ReleaseRunKey)
			if err != nil {
				return fmt.Errorf("release the numbers of run %s: %w", r.ReleaseRunKey, err)
			}
		}

		if p := r.Pushed; p != nil {
			_, err = tx.Exec(ctx, `INSERT INTO push_states AS p (user_id, cluster_id, status,
					reason, pushed_hash, ucm_uuid, last_action, attempts, updated_at, pushed_at,
					pushed_userid)
				VALUES ($1, $2, 'pushed', $3, $4, $5, $6, 1, now(), now(), $7)
				ON CONFLICT (user_id, cluster_id) DO UPDATE SET status = 'pushed',
					reason = EXCLUDED.reason, pushed_hash = EXCLUDED.pushed_hash,
					ucm_uuid = CASE WHEN EXCLUDED.ucm_uuid = '' THEN p.ucm_uuid
						ELSE EXCLUDED.ucm_uuid END,
					last_action = EXCLUDED.last_action, attempts = p.attempts + 1,
					updated_at = now(), pushed_at = now(), pushed_userid = EXCLUDED.pushed_userid`,
				r.UserID, r.ClusterID, p.Reason, p.Hash, p.UUID, p.Action, p.PushedUserID)
			if err != nil {
				return fmt.Errorf("record push state of user %d: %w", r.UserID, err)
			}
		}
		return nil
	})
}

// QuickUserState is the stored Quick User provisioning of a user on a cluster.
type QuickUserState struct {
	// Last is nil when no Quick User run finished for the user on the cluster.
	Last *QuickUserResult `json:"lastQuickUser,omitempty"`
	// Voicemail is nil when no run set the flag.
	Voicemail *bool `json:"voicemail,omitempty"`
}

// QuickUserStates returns the Quick User state on the cluster of each of the users, by user
// ID; users without any are left out.
func (s *Store) QuickUserStates(ctx context.Context, clusterID int64, userIDs []int64) (map[int64]QuickUserState, error) {
	states := map[int64]QuickUserState{}
	rows, _ := s.pool.Query(ctx, `SELECT u.id, r.workflow_id, r.run_id, r.outcome, r.reason,
			r.steps, r.line_pattern, r.line_partition, r.mobile_number, r.finished_at, v.enabled
		FROM unnest($2::bigint[]) AS u(id)
		LEFT JOIN quick_user_results r ON r.user_id = u.id AND r.cluster_id = $1
		LEFT JOIN user_voicemail v ON v.user_id = u.id
		WHERE r.user_id IS NOT NULL OR v.user_id IS NOT NULL`, clusterID, userIDs)

	var id int64
	var workflowID, runID, outcome, reason, pattern, partition, mobile *string
	var steps []byte
	var finished *time.Time
	var voicemail *bool
	scans := []any{&id, &workflowID, &runID, &outcome, &reason, &steps, &pattern, &partition,
		&mobile, &finished, &voicemail}
	_, err := pgx.ForEachRow(rows, scans, func() error {
		var st QuickUserState
		if voicemail != nil {
			v := *voicemail
			st.Voicemail = &v
		}
		if workflowID != nil {
			last := &QuickUserResult{WorkflowID: *workflowID, RunID: *runID, Outcome: *outcome,
				Reason: *reason, Line: Number{Pattern: *pattern, Partition: *partition},
				Mobile: *mobile, FinishedAt: *finished}
			if err := json.Unmarshal(steps, &last.Steps); err != nil {
				return fmt.Errorf("decode Quick User steps of user %d: %w", id, err)
			}
			st.Last = last
		}
		states[id] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read Quick User states: %w", err)
	}
	return states, nil
}
