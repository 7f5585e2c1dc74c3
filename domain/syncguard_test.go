package domain

import (
	"strings"
	"testing"
)

func TestCheckSearchSizeGuardBoundary(t *testing.T) {
	tests := []struct {
		name         string
		found        int
		lastGood     int
		guardPercent int
		wantRefused  bool
		// wantReason is a part of the refusal's reason; empty when the search is accepted.
		wantReason string
	}{
		{name: "first sync", found: 5, lastGood: 0, guardPercent: 10},
		{name: "first sync of one user", found: 1, lastGood: 0, guardPercent: 0},
		{name: "empty first sync", found: 0, lastGood: 0, guardPercent: 10, wantRefused: true,
			wantReason: "returned no users (the last good sync had 0)"},
		{name: "empty search", found: 0, lastGood: 100, guardPercent: 10, wantRefused: true,
			wantReason: "returned no users (the last good sync had 100)"},
		{name: "empty search with a guard of 100%", found: 0, lastGood: 100, guardPercent: 100,
			wantRefused: true, wantReason: "returned no users"},
		{name: "same size", found: 100, lastGood: 100, guardPercent: 10},
		{name: "grew", found: 150, lastGood: 100, guardPercent: 10},
		{name: "lost just under the guard", found: 91, lastGood: 100, guardPercent: 10},
		{name: "lost exactly the guard", found: 90, lastGood: 100, guardPercent: 10},
		{name: "lost just over the guard", found: 89, lastGood: 100, guardPercent: 10,
			wantRefused: true,
			wantReason: "returned 89 users, 11 fewer than the last good sync (100), more than " +
				"the removal guard of 10%"},
		{name: "lost exactly the guard of a small directory", found: 9, lastGood: 10,
			guardPercent: 10},
		{name: "lost over the guard of a small directory", found: 8, lastGood: 10, guardPercent: 10,
			wantRefused: true, wantReason: "2 fewer"},
		{name: "share below one user", found: 7, lastGood: 8, guardPercent: 10, wantRefused: true,
			wantReason: "1 fewer"},
		{name: "guard of 0% refuses any loss", found: 99, lastGood: 100, guardPercent: 0,
			wantRefused: true, wantReason: "removal guard of 0%"},
		{name: "guard of 0% accepts no loss", found: 100, lastGood: 100, guardPercent: 0},
		{name: "guard of 100% accepts any non-empty search", found: 1, lastGood: 100,
			guardPercent: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSearchSize(tt.found, tt.lastGood, tt.guardPercent)
			if (got != nil) != tt.wantRefused {
				t.Fatalf("CheckSearchSize(%d, %d, %d) = %v, want refused %t",
					tt.found, tt.lastGood, tt.guardPercent, got, tt.wantRefused)
			}
			if got == nil {
				return
			}

			if !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("CheckSearchSize(%d, %d, %d) reason = %q, want it to contain %q",
					tt.found, tt.lastGood, tt.guardPercent, got.Reason, tt.wantReason)
			}
			if !strings.Contains(got.Reason, "nobody was marked removed") {
				t.Errorf("CheckSearchSize reason = %q, want it to say nobody was marked removed",
					got.Reason)
			}
			if got.Error() != got.Reason {
				t.Errorf("SyncRefusal.Error() = %q, want the reason %q", got.Error(), got.Reason)
			}
		})
	}
}

func TestCheckSearchSizeSuggestsConfirm(t *testing.T) {
	got := CheckSearchSize(50, 100, 10)
	if got == nil {
		t.Fatal("CheckSearchSize(50, 100, 10) = nil, want a refusal")
	}
	if !strings.Contains(got.Reason, "--confirm-removals") {
		t.Errorf("reason = %q, want it to name --confirm-removals", got.Reason)
	}

	// An empty search is never applied, so its refusal must not offer the flag.
	empty := CheckSearchSize(0, 100, 10)
	if empty == nil {
		t.Fatal("CheckSearchSize(0, 100, 10) = nil, want a refusal")
	}
	if strings.Contains(empty.Reason, "--confirm-removals") {
		t.Errorf("reason for an empty search = %q, want no --confirm-removals", empty.Reason)
	}
}

func TestCheckRemovalsGuardBoundary(t *testing.T) {
	tests := []struct {
		name         string
		leaving      int
		current      int
		guardPercent int
		wantRefused  bool
	}{
		{name: "first sync", leaving: 0, current: 0, guardPercent: 10},
		{name: "no current users, something leaving", leaving: 3, current: 0, guardPercent: 10},
		{name: "nobody leaving", leaving: 0, current: 100, guardPercent: 10},
		{name: "just under the guard", leaving: 9, current: 100, guardPercent: 10},
		{name: "exactly the guard", leaving: 10, current: 100, guardPercent: 10},
		{name: "just over the guard", leaving: 11, current: 100, guardPercent: 10, wantRefused: true},
		{name: "exactly the guard of a small directory", leaving: 1, current: 10, guardPercent: 10},
		{name: "share below one user", leaving: 1, current: 9, guardPercent: 10, wantRefused: true},
		{name: "everyone leaving", leaving: 100, current: 100, guardPercent: 10, wantRefused: true},
		{name: "guard of 0%, one leaving", leaving: 1, current: 100, guardPercent: 0,
			wantRefused: true},
		{name: "guard of 100%, everyone leaving", leaving: 100, current: 100, guardPercent: 100},
		{name: "default guard, exactly", leaving: 10, current: 100,
			guardPercent: DefaultRemovalGuardPercent},
		{name: "default guard, just over", leaving: 101, current: 1000,
			guardPercent: DefaultRemovalGuardPercent, wantRefused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckRemovals(tt.leaving, tt.current, tt.guardPercent)
			if (got != nil) != tt.wantRefused {
				t.Fatalf("CheckRemovals(%d, %d, %d) = %v, want refused %t",
					tt.leaving, tt.current, tt.guardPercent, got, tt.wantRefused)
			}
		})
	}
}

func TestCheckRemovalsReason(t *testing.T) {
	got := CheckRemovals(11, 100, 10)
	if got == nil {
		t.Fatal("CheckRemovals(11, 100, 10) = nil, want a refusal")
	}

	want := "the sync would remove or disable 11 of 100 users, more than the removal guard of 10%"
	if !strings.Contains(got.Reason, want) {
		t.Errorf("reason = %q, want it to contain %q", got.Reason, want)
	}
	if !strings.Contains(got.Reason, "--confirm-removals") {
		t.Errorf("reason = %q, want it to name --confirm-removals", got.Reason)
	}
}
