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
		{name: "run ID keeps its last 12 digits without hyphens", site: "acme/london",
			trigger: TriggerSync, key: "3f2a-9c1e-7b4d-4c55-9a1b-0c2d3e4f5a6b",
			want: "push/acme/london/sync-0c2d3e4f5a6b"},
		{name: "UUIDv7 run IDs of the same minute differ", site: "acme/london", trigger: TriggerSync,
			key: "01a23ffa-1a0b-7a10-93ac-68f19d8bf406", want: "push/acme/london/sync-68f19d8bf406"},
		{name: "short key kept whole", site: "acme/paris", trigger: TriggerSync, key: "a1-b2",
			want: "push/acme/paris/sync-a1b2"},
		{name: "key of exactly 12 characters", site: "acme/paris", trigger: TriggerSync,
			key: "123456789abc", want: "push/acme/paris/sync-123456789abc"},
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

func TestEscapeUserIDKeepsIDsPrintableASCII(t *testing.T) {
	tests := []struct {
		userid string
		want   string
	}{
		{userid: "alice", want: "alice"},
		{userid: "Ai.Nakamura", want: "ai.nakamura"},
		{userid: "o'brien@example.com", want: "o'brien@example.com"},
		{userid: "nakamura.中村", want: "nakamura.%e4%b8%ad%e6%9d%91"},
		{userid: "a b", want: "a%20b"},
		{userid: "100%", want: "100%25"},
		{userid: "tab\there", want: "tab%09here"},
	}
	for _, tt := range tests {
		if got := EscapeUserID(tt.userid); got != tt.want {
			t.Errorf("EscapeUserID(%q) = %q, want %q", tt.userid, got, tt.want)
		}
	}
}

func TestUserWorkflowIDsArePrintableASCII(t *testing.T) {
	userid := "Nakamura.中村"
	for _, id := range []string{
		QuickUserWorkflowID("acme/london", userid),
		QuickUserDryRunWorkflowID("acme/london", userid),
		ReadUCMUserWorkflowID("acme/london", userid),
		UserCreatedWorkflowID("acme/london", userid),
		DryRunWorkflowID(UserCreatedWorkflowID("acme/london", userid)),
	} {
		for i := 0; i < len(id); i++ {
			if id[i] <= ' ' || id[i] >= 0x7f {
				t.Errorf("workflow ID %q has byte %#x at %d, outside printable ASCII", id, id[i], i)
				break
			}
		}
	}
	if got, want := UserCreatedWorkflowID("acme/london", userid),
		"created/acme/london/nakamura.%e4%b8%ad%e6%9d%91"; got != want {
		t.Errorf("UserCreatedWorkflowID = %q, want %q", got, want)
	}
}
