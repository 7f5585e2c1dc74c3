package workflows

import "testing"

func TestSyncWorkflowIDForm(t *testing.T) {
	tests := []struct {
		directory string
		want      string
	}{
		{directory: "corp-ldap", want: "sync/corp-ldap"},
		{directory: "acme.ad_2", want: "sync/acme.ad_2"},
	}
	for _, tt := range tests {
		if got := SyncWorkflowID(tt.directory); got != tt.want {
			t.Errorf("SyncWorkflowID(%q) = %q, want %q", tt.directory, got, tt.want)
		}
	}
}

func TestSitePushWorkflowIDForm(t *testing.T) {
	tests := []struct {
		name    string
		site    string
		trigger string
		key     string
		want    string
	}{
		{name: "run ID is cut to 8 characters without hyphens", site: "acme/london",
			trigger: TriggerSync, key: "3f2a-9c1e-7b4d-4c55-9a1b-0c2d3e4f5a6b",
			want: "push/acme/london/sync-3f2a9c1e"},
		{name: "UUID run ID", site: "acme/london", trigger: TriggerSync,
			key: "3f2a9c1e-7b4d-4c55-9a1b-0c2d3e4f5a6b", want: "push/acme/london/sync-3f2a9c1e"},
		{name: "short key kept whole", site: "acme/paris", trigger: TriggerSync, key: "a1-b2",
			want: "push/acme/paris/sync-a1b2"},
		{name: "key of exactly 8 characters", site: "acme/paris", trigger: TriggerSync,
			key: "12345678", want: "push/acme/paris/sync-12345678"},
		{name: "empty key", site: "acme/london", trigger: TriggerManual, key: "",
			want: "push/acme/london/manual"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SitePushWorkflowID(tt.site, tt.trigger, tt.key)
			if got != tt.want {
				t.Errorf("SitePushWorkflowID(%q, %q, %q) = %q, want %q",
					tt.site, tt.trigger, tt.key, got, tt.want)
			}
		})
	}
}
