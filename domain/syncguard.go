package domain

import "fmt"

// DefaultRemovalGuardPercent is the share of a directory's users that one sync may remove or
// disable before it stops and asks for confirmation.
const DefaultRemovalGuardPercent = 10

// SyncRefusal explains why a sync changed nothing. Every field is for the operator's message.
type SyncRefusal struct {
	Reason string
}

// Error returns the reason.
func (r *SyncRefusal) Error() string { return r.Reason }

// CheckSearchSize refuses a directory search whose result cannot be trusted to remove users:
// an empty result, or one far smaller than the last good run. found counts the entries of
// this search, lastGood those of the last applied sync (0 for a first sync), and guardPercent
// is the directory's removal guard. A search is far smaller when it lost more than
// guardPercent of lastGood, the same share that [CheckRemovals] allows.
func CheckSearchSize(found, lastGood, guardPercent int) *SyncRefusal {
	if found == 0 {
		return &SyncRefusal{Reason: fmt.Sprintf(
			"the directory search returned no users (the last good sync had %d); nobody was "+
				"marked removed: check the base DN and filter, then sync again", lastGood)}
	}
	if lastGood == 0 {
		return nil
	}
	lost := lastGood - found
	if lost*100 > lastGood*guardPercent {
		return &SyncRefusal{Reason: fmt.Sprintf(
			"the directory search returned %d users, %d fewer than the last good sync (%d), more "+
				"than the removal guard of %d%%; nobody was marked removed: check the directory, "+
				"or sync with --confirm-removals if the users really left", found, lost, lastGood,
			guardPercent)}
	}
	return nil
}

// CheckRemovals refuses a sync that would remove or disable more than guardPercent of the
// directory's current users. current counts the users the directory had before this sync
// (removed ones excluded); leaving counts those this sync would remove or newly disable.
func CheckRemovals(leaving, current, guardPercent int) *SyncRefusal {
	if current == 0 || leaving*100 <= current*guardPercent {
		return nil
	}
	return &SyncRefusal{Reason: fmt.Sprintf(
		"the sync would remove or disable %d of %d users, more than the removal guard of %d%%; "+
			"nothing was changed: sync with --confirm-removals to apply it", leaving, current,
		guardPercent)}
}
