package activities

import (
	"slices"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
	"github.com/ucmpush/ucmpush/internal/axl"
)

func TestDeskPhoneNameForms(t *testing.T) {
	cases := []struct {
		mac, want string
		ok        bool
	}{
		{"00:11:22:33:44:55", "SEP001122334455", true},
		{"00-11-22-33-44-aa", "SEP0011223344AA", true},
		{"0011.2233.44Ab", "SEP0011223344AB", true},
		{"001122334455", "SEP001122334455", true},
		{"00:11:22:33:44", "", false},
		{"00:11:22:33:44:5G", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, err := DeskPhoneName(c.mac)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("DeskPhoneName(%q) = %q, %v; want %q, ok %v", c.mac, got, err, c.want, c.ok)
		}
	}
}

func TestJabberDeviceNameLimits(t *testing.T) {
	cases := []struct {
		userid, want string
		ok           bool
	}{
		{"alice", "CSFALICE", true},
		{"alice.smith-2", "CSFALICESMITH2", true},
		{"christopher.columbus", "CSFCHRISTOPHERC", true},
		{"zoë", "CSFZO", true},
		{"...", "", false},
	}
	for _, c := range cases {
		got, err := JabberDeviceName(c.userid)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("JabberDeviceName(%q) = %q, %v; want %q, ok %v", c.userid, got, err, c.want, c.ok)
		}
		if len(got) > maxJabberNameLength {
			t.Errorf("JabberDeviceName(%q) has %d characters, more than UCM's %d", c.userid, len(got),
				maxJabberNameLength)
		}
	}
}

func TestDeskProductNames(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"8841", "Cisco 8841", true},
		{"cisco 8845", "Cisco 8845", true},
		{" Cisco 7841 ", "Cisco 7841", true},
		{"", "", false},
		{"Cisco ", "", false},
	}
	for _, c := range cases {
		got, err := DeskProduct(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("DeskProduct(%q) = %q, %v; want %q, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestProfileNamesKeepUCMCharacters(t *testing.T) {
	if got := DeviceProfileName("jean-luc.o'neil"); got != "UDP_jean-luc.oneil" {
		t.Errorf("DeviceProfileName = %q, want UDP_jean-luc.oneil", got)
	}
	long := RemoteDestinationProfileName("a123456789b123456789c123456789d123456789e123456789")
	if len(long) != maxProfileNameLength {
		t.Errorf("RemoteDestinationProfileName of a long userid has %d characters, want %d",
			len(long), maxProfileNameLength)
	}
}

func TestValidateMobileNumber(t *testing.T) {
	for number, ok := range map[string]bool{"+447700900123": true, "07700900123": true,
		"+44 7700": false, "12": false, "+": false} {
		if err := ValidateMobileNumber(number); (err == nil) != ok {
			t.Errorf("ValidateMobileNumber(%q) = %v, want ok %v", number, err, ok)
		}
	}
}

func boolPtr(b bool) *bool { return &b }

func TestUserChangeKeepsDirectoryFieldsOfLDAPUser(t *testing.T) {
	spec := QuickUserSpec{KeepDirectoryFields: true, MayAdd: true, HomeCluster: boolPtr(true),
		IMAndPresenceEnable: boolPtr(true),
		Attributes:          domain.Attributes{UserID: "dana", FirstName: "Dana", LastName: "Store"}}
	actual := &axl.User{UserID: "dana", FirstName: "Dana", LastName: "Directory",
		LDAPDirectoryName: "corp-ad", HomeCluster: boolPtr(true), IMAndPresenceEnable: boolPtr(false)}

	add, update, err := userChange(spec, actual)

	if err != nil || add != nil || update == nil {
		t.Fatalf("userChange = %v, %v, %v; want an update", add, update, err)
	}
	if update.LastName != nil || update.FirstName != nil {
		t.Errorf("update writes directory fields %+v, want none", update)
	}
	if update.HomeCluster != nil {
		t.Error("update sets homeCluster, which is already true")
	}
	if update.IMAndPresenceEnable == nil || !*update.IMAndPresenceEnable {
		t.Error("update leaves imAndPresenceEnable off, want it on for Jabber")
	}
}

func TestUserChangeAddsMissingUser(t *testing.T) {
	spec := QuickUserSpec{MayAdd: true, EnableMobility: boolPtr(true),
		Attributes: domain.Attributes{UserID: "erin", LastName: "Jones", Mail: "erin@example.com"}}
	add, _, err := userChange(spec, nil)
	if err != nil || add == nil || add.MailID != "erin@example.com" || !*add.EnableMobility {
		t.Errorf("userChange of a missing user = %+v, %v; want an add with mail and mobility", add, err)
	}

	spec.MayAdd = false
	if _, _, err := userChange(spec, nil); err == nil {
		t.Error("userChange adds a user who came from UCM, want an error")
	}
}

func TestAssociateChangeKeepsHandAddedDevices(t *testing.T) {
	plan := QuickUserPlan{
		Line:      axl.Line{Pattern: "4001", RoutePartitionName: "Internal_PT"},
		DeskPhone: &axl.Phone{Name: "SEP001122334455"},
		Jabber:    &axl.Phone{Name: "CSFALICE"},
		Profile:   &axl.DeviceProfile{Name: "UDP_alice"},
	}
	actual := axl.User{UserID: "alice", AssociatedDevices: []string{"SEPAAAABBBBCCCC", "csfalice"},
		PhoneProfiles: []string{"UDP_other"}}

	u := associateChange(plan, actual)

	if want := []string{"SEPAAAABBBBCCCC", "csfalice", "SEP001122334455"}; !slices.Equal(u.AssociatedDevices, want) {
		t.Errorf("associated devices %v, want %v", u.AssociatedDevices, want)
	}
	if want := []string{"UDP_other", "UDP_alice"}; !slices.Equal(u.PhoneProfiles, want) {
		t.Errorf("phone profiles %v, want %v", u.PhoneProfiles, want)
	}
	if u.PrimaryExtension == nil || u.PrimaryExtension.Pattern != "4001" {
		t.Errorf("primary extension %v, want 4001", u.PrimaryExtension)
	}
	if u.DefaultProfile == nil || *u.DefaultProfile != "UDP_alice" {
		t.Errorf("default profile %v, want UDP_alice", u.DefaultProfile)
	}
}

func TestAssociateChangeIsEmptyWhenRight(t *testing.T) {
	plan := QuickUserPlan{Line: axl.Line{Pattern: "+442071004001"}, Jabber: &axl.Phone{Name: "CSFALICE"}}
	actual := axl.User{UserID: "alice", AssociatedDevices: []string{"CSFALICE"},
		PrimaryExtension: &axl.Extension{Pattern: "+442071004001"}}
	if u := associateChange(plan, actual); !u.IsEmpty() {
		t.Errorf("associateChange of a user already right = %+v, want nothing", u)
	}
}

func TestPhoneChangeAddsLineOnNextButton(t *testing.T) {
	ext := axl.Extension{Pattern: "4001", RoutePartitionName: "PT"}
	want := axl.Phone{Name: "SEP001122334455", OwnerUserName: "alice",
		Lines: []axl.PhoneLine{{Index: 1, Dirn: ext}}}
	actual := &axl.Phone{Name: "SEP001122334455",
		Lines: []axl.PhoneLine{{Index: 1, Dirn: axl.Extension{Pattern: "4999", RoutePartitionName: "PT"}}}}

	add, update := phoneChange(want, actual)

	if add != nil || update == nil || len(update.AddLines) != 1 || update.AddLines[0].Index != 2 {
		t.Fatalf("phoneChange = %+v, %+v; want the line added on button 2", add, update)
	}
	if update.OwnerUserName == nil || *update.OwnerUserName != "alice" {
		t.Errorf("owner %v, want alice for a phone without owner", update.OwnerUserName)
	}

	actual.Lines = append(actual.Lines, axl.PhoneLine{Index: 2, Dirn: ext})
	actual.OwnerUserName = "alice"
	if _, update := phoneChange(want, actual); !update.IsEmpty() {
		t.Errorf("phoneChange of a phone already right = %+v, want nothing", update)
	}
}
