package starter

import (
	"testing"

	"github.com/ucmpush/ucmpush/workflows"
)

func TestDryRunCountsSeparateUsersNotPlanned(t *testing.T) {
	tests := []struct {
		name   string
		result workflows.PushSiteResult
		want   string
	}{
		{name: "every user planned",
			result: workflows.PushSiteResult{Planned: 3, Added: 1, Updated: 1, Unchanged: 1},
			want:   "of 3 planned users, 1 would be added, 1 updated, 1 left unchanged, 0 refused"},
		{name: "users already pushed are not planned",
			result: workflows.PushSiteResult{Planned: 2, Added: 2, Unchanged: 589},
			want: "of 2 planned users, 2 would be added, 0 updated, 0 left unchanged, 0 refused; " +
				"589 more users were not planned, as their last push is what the store holds"},
		{name: "refused and unchanged among the planned",
			result: workflows.PushSiteResult{Planned: 4, Added: 1, Failed: 1, Unchanged: 5},
			want: "of 4 planned users, 1 would be added, 0 updated, 2 left unchanged, 1 refused; " +
				"3 more users were not planned, as their last push is what the store holds"},
		{name: "nothing planned", result: workflows.PushSiteResult{},
			want: "of 0 planned users, 0 would be added, 0 updated, 0 left unchanged, 0 refused"},
	}
	for _, tt := range tests {
		if got := dryRunCounts(tt.result); got != tt.want {
			t.Errorf("%s: dryRunCounts = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestJoinNotesEndsEachSentence(t *testing.T) {
	got := joinNotes("auto push is off; push by hand with `ucmpush push site acme/paris`", "",
		"571 moved users would stay on their old cluster.")
	want := "auto push is off; push by hand with `ucmpush push site acme/paris`. " +
		"571 moved users would stay on their old cluster."
	if got != want {
		t.Errorf("joinNotes = %q, want %q", got, want)
	}
}
