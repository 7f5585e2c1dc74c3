package axl_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axlsim"
)

// seedOwner adds the user zolsen, enabled for mobility, whom the full devices name.
func seedOwner(t *testing.T, client *axl.Client) {
	t.Helper()

	user := axl.User{UserID: "zolsen", FirstName: "Zoë", LastName: "Ølsen", EnableMobility: boolPointer(true)}
	if _, err := client.AddUser(context.Background(), user); err != nil {
		t.Fatalf("AddUser: %v", err)
	}
}

func addLines(t *testing.T, client *axl.Client, lines ...axl.Line) {
	t.Helper()

	for _, l := range lines {
		if _, err := client.AddLine(context.Background(), l); err != nil {
			t.Fatalf("AddLine %s: %v", l.Pattern, err)
		}
	}
}

func TestClientLineRoundTrip(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	want := fullLine()

	uuid, err := client.AddLine(ctx, want)
	if err != nil {
		t.Fatalf("AddLine: %v", err)
	}

	if !uuidPattern.MatchString(uuid) {
		t.Errorf("AddLine uuid = %q, want braces and upper-case hex", uuid)
	}

	got, err := client.GetLine(ctx, want.Extension())
	if err != nil {
		t.Fatalf("GetLine: %v", err)
	}

	want.UUID = uuid
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetLine = %+v\nwant %+v", got, want)
	}

	stored := sim.Lines()
	if len(stored) != 1 || stored[0].Pattern != `\+442071234567` {
		t.Errorf("simulator holds %+v, want one line with pattern \\+442071234567", stored)
	}

	if len(stored) == 1 && stored[0].AlertingName != want.AlertingName {
		t.Errorf("simulator alerting name = %q, want %q", stored[0].AlertingName, want.AlertingName)
	}
}

func TestClientUpdateLineSetsAndClears(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})
	addLines(t, client, fullLine())

	update := axl.LineUpdate{
		Line:                       fullLine().Extension(),
		AlertingName:               stringPointer("Заїда Ольсен"),
		ShareLineAppearanceCSSName: stringPointer(""),
	}
	if err := client.UpdateLine(ctx, update); err != nil {
		t.Fatalf("UpdateLine: %v", err)
	}

	got, err := client.GetLine(ctx, fullLine().Extension())
	if err != nil {
		t.Fatalf("GetLine: %v", err)
	}

	if got.AlertingName != "Заїда Ольсен" {
		t.Errorf("AlertingName = %q, want the new name", got.AlertingName)
	}

	if got.ShareLineAppearanceCSSName != "" {
		t.Errorf("ShareLineAppearanceCSSName = %q, want it cleared", got.ShareLineAppearanceCSSName)
	}

	if got.Description != fullLine().Description {
		t.Errorf("Description = %q, want %q kept", got.Description, fullLine().Description)
	}
}

func TestClientLineDuplicateAndNotFound(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})
	addLines(t, client, axl.Line{Pattern: "1001", RoutePartitionName: "PT_A"})

	_, err := client.AddLine(ctx, axl.Line{Pattern: "1001", RoutePartitionName: "PT_A"})
	if !axl.IsDuplicate(err) {
		t.Errorf("second AddLine error = %v, want a duplicate fault", err)
	}

	if _, err := client.AddLine(ctx, axl.Line{Pattern: "1001", RoutePartitionName: "PT_B"}); err != nil {
		t.Errorf("AddLine in another partition: %v, want success", err)
	}

	if _, err := client.GetLine(ctx, axl.Extension{Pattern: "1001"}); !axl.IsNotFound(err) {
		t.Errorf("GetLine in the null partition error = %v, want not found", err)
	}

	if err := client.RemoveLine(ctx, axl.Extension{Pattern: "1001", RoutePartitionName: "PT_A"}); err != nil {
		t.Fatalf("RemoveLine: %v", err)
	}

	_, err = client.GetLine(ctx, axl.Extension{Pattern: "1001", RoutePartitionName: "PT_A"})
	if !axl.IsNotFound(err) || axl.IsRetryable(err) {
		t.Errorf("GetLine after RemoveLine error = %v, want not found and not retryable", err)
	}
}

func TestClientListLines(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})
	addLines(t, client,
		axl.Line{Pattern: "+442071234567", RoutePartitionName: "PT"},
		axl.Line{Pattern: "+442071234568", RoutePartitionName: "PT", Description: "Reception"},
		axl.Line{Pattern: "1001", RoutePartitionName: "PT"},
	)

	tests := []struct {
		name    string
		request axl.ListLinesRequest
		want    []string
	}{
		// The simulator sorts by stored pattern, and \+ sorts after digits.
		{"all", axl.ListLinesRequest{}, []string{"1001", "+442071234567", "+442071234568"}},
		{"E.164 prefix", axl.ListLinesRequest{Pattern: "+44%"}, []string{"+442071234567", "+442071234568"}},
		{"description", axl.ListLinesRequest{Description: "Rec%"}, []string{"+442071234568"}},
		{"page", axl.ListLinesRequest{Skip: 2, First: 1}, []string{"+442071234568"}},
		{"no match", axl.ListLinesRequest{Pattern: "2%"}, []string{}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := client.ListLines(ctx, tt.request)
			if err != nil {
				t.Fatalf("ListLines: %v", err)
			}

			got := make([]string, 0, len(lines))
			for _, l := range lines {
				got = append(got, l.Pattern)
			}

			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("patterns = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClientRejectsBadLines(t *testing.T) {
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	ctx := context.Background()

	tests := []struct {
		name string
		call func() error
	}{
		{"add without pattern", func() error { _, err := client.AddLine(ctx, axl.Line{}); return err }},
		{"alerting name too long", func() error {
			_, err := client.AddLine(ctx, axl.Line{Pattern: "1", AlertingName: strings.Repeat("é", 51)})
			return err
		}},
		{"ASCII alerting name not ASCII", func() error {
			_, err := client.AddLine(ctx, axl.Line{Pattern: "1", ASCIIAlertingName: "Zoë"})
			return err
		}},
		{"update without pattern", func() error { return client.UpdateLine(ctx, axl.LineUpdate{}) }},
		{"list with skip only", func() error {
			_, err := client.ListLines(ctx, axl.ListLinesRequest{Skip: 2})
			return err
		}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil {
				t.Fatal("call succeeded, want an error")
			}
		})
	}

	if n := sim.Stats().Requests[axl.OpAddLine]; n != 0 {
		t.Errorf("simulator saw %d addLine requests, want 0", n)
	}
}

// TestClientE164PatternOnTheWire checks both directions: the request carries \+ for +, and a
// response's \+ comes back as +.
func TestClientE164PatternOnTheWire(t *testing.T) {
	client, recorder := newRecordingClient(t, "14.0")

	if _, err := client.AddLine(context.Background(), axl.Line{Pattern: "+442071234567"}); err != nil {
		t.Fatalf("AddLine: %v", err)
	}

	body := string(recorder.take()[0].body)
	if !strings.Contains(body, `<pattern>\+442071234567</pattern>`) {
		t.Errorf("addLine body lacks the escaped pattern:\n%s", body)
	}

	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		_, _ = io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">`+
			`<soapenv:Body><ns:getLineResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return>`+
			`<line uuid="`+cannedUUID+`"><pattern>\+442071234567</pattern><routePartitionName>PT`+
			`</routePartitionName></line></return></ns:getLineResponse></soapenv:Body></soapenv:Envelope>`)
	}))
	t.Cleanup(ts.Close)

	reader, err := axl.New(axl.Config{
		URL: ts.URL + "/axl/", Version: "14.0", Username: "axl", Password: "pw", HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	got, err := reader.GetLine(context.Background(), axl.Extension{Pattern: "+442071234567", RoutePartitionName: "PT"})
	if err != nil {
		t.Fatalf("GetLine: %v", err)
	}

	if got.Pattern != "+442071234567" {
		t.Errorf("GetLine pattern = %q, want +442071234567", got.Pattern)
	}
}

func TestClientPhoneRoundTrip(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedOwner(t, client)
	addLines(t, client, fullLine())

	want := fullPhone()

	uuid, err := client.AddPhone(ctx, want)
	if err != nil {
		t.Fatalf("AddPhone: %v", err)
	}

	got, err := client.GetPhone(ctx, "sep00aabbccddee")
	if err != nil {
		t.Fatalf("GetPhone: %v", err)
	}

	want.UUID = uuid
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetPhone = %+v\nwant %+v", got, want)
	}

	phones := sim.Phones()
	if len(phones) != 1 || phones[0].Lines[0].Dirn.Pattern != `\+442071234567` {
		t.Errorf("simulator holds %+v, want one phone whose line is \\+442071234567", phones)
	}

	listed, err := client.ListPhones(ctx, axl.ListPhonesRequest{Name: "SEP00AA%"})
	if err != nil {
		t.Fatalf("ListPhones: %v", err)
	}

	wantListed := want
	wantListed.Lines = nil

	if len(listed) != 1 || !reflect.DeepEqual(listed[0], wantListed) {
		t.Errorf("ListPhones = %+v\nwant [%+v]", listed, wantListed)
	}
}

func TestClientAddPhoneFillsDefaults(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	phone := axl.Phone{Name: "CSFZOLSEN", Product: axl.ProductJabberDesktop, Protocol: axl.ProtocolSIP,
		DevicePoolName: "Default"}
	if _, err := client.AddPhone(ctx, phone); err != nil {
		t.Fatalf("AddPhone: %v", err)
	}

	got, err := client.GetPhone(ctx, phone.Name)
	if err != nil {
		t.Fatalf("GetPhone: %v", err)
	}

	if got.Class != axl.ClassPhone || got.ProtocolSide != axl.ProtocolSideUser {
		t.Errorf("class %q, protocol side %q, want Phone and User", got.Class, got.ProtocolSide)
	}

	if got.CommonPhoneConfigName != "Standard Common Phone Profile" || got.LocationName != "Hub_None" {
		t.Errorf("common phone config %q, location %q, want UCM's defaults",
			got.CommonPhoneConfigName, got.LocationName)
	}

	if got.Lines != nil {
		t.Errorf("Lines = %+v, want none", got.Lines)
	}
}

func TestClientUpdatePhoneLines(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})
	seedOwner(t, client)
	addLines(t, client, fullLine(), axl.Line{Pattern: "1002", RoutePartitionName: "Internal_PT"},
		axl.Line{Pattern: "1003", RoutePartitionName: "Internal_PT"})

	if _, err := client.AddPhone(ctx, fullPhone()); err != nil {
		t.Fatalf("AddPhone: %v", err)
	}

	name := fullPhone().Name
	patterns := func() []string {
		t.Helper()

		p, err := client.GetPhone(ctx, name)
		if err != nil {
			t.Fatalf("GetPhone: %v", err)
		}

		got := []string{}
		for _, l := range p.Lines {
			got = append(got, l.Dirn.Pattern)
		}

		return got
	}

	steps := []struct {
		name   string
		update axl.PhoneUpdate
		want   []string
	}{
		{"add a line", axl.PhoneUpdate{Name: name, AddLines: []axl.PhoneLine{fullPhoneLine(2, "1002")}},
			[]string{"+442071234567", "1002"}},
		{"remove and add", axl.PhoneUpdate{
			Name:        name,
			RemoveLines: []axl.PhoneLine{{Index: 1, Dirn: fullLine().Extension()}},
			AddLines:    []axl.PhoneLine{fullPhoneLine(1, "1003")},
		}, []string{"1003", "1002"}},
		{"replace all", axl.PhoneUpdate{Name: name, Lines: []axl.PhoneLine{fullPhoneLine(1, "+442071234567")}},
			[]string{"+442071234567"}},
		{"clear", axl.PhoneUpdate{Name: name, Lines: []axl.PhoneLine{}}, []string{}},
	}

	for _, step := range steps {
		if err := client.UpdatePhone(ctx, step.update); err != nil {
			t.Fatalf("%s: UpdatePhone: %v", step.name, err)
		}

		if got := patterns(); !reflect.DeepEqual(got, step.want) {
			t.Errorf("%s: lines = %v, want %v", step.name, got, step.want)
		}
	}

	description := "Zoë – 東京"
	if err := client.UpdatePhone(ctx, axl.PhoneUpdate{Name: name, Description: &description}); err != nil {
		t.Fatalf("UpdatePhone description: %v", err)
	}

	got, err := client.GetPhone(ctx, name)
	if err != nil {
		t.Fatalf("GetPhone: %v", err)
	}

	if got.Description != description || got.DevicePoolName != fullPhone().DevicePoolName {
		t.Errorf("description %q, device pool %q, want the new description and the pool kept",
			got.Description, got.DevicePoolName)
	}
}

func TestClientRejectsBadPhones(t *testing.T) {
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	ctx := context.Background()
	valid := axl.Phone{Name: "SEP001122334455", Product: "Cisco 8841", Protocol: axl.ProtocolSIP,
		DevicePoolName: "Default"}
	line := axl.PhoneLine{Index: 1, Dirn: axl.Extension{Pattern: "1001"}}

	tests := []struct {
		name  string
		phone func(p *axl.Phone)
	}{
		{"no name", func(p *axl.Phone) { p.Name = "" }},
		{"no product", func(p *axl.Phone) { p.Product = "" }},
		{"no protocol", func(p *axl.Phone) { p.Protocol = "" }},
		{"no device pool", func(p *axl.Phone) { p.DevicePoolName = "" }},
		{"line index 0", func(p *axl.Phone) { p.Lines = []axl.PhoneLine{{Dirn: line.Dirn}} }},
		{"line without pattern", func(p *axl.Phone) { p.Lines = []axl.PhoneLine{{Index: 1}} }},
		{"two lines on one button", func(p *axl.Phone) { p.Lines = []axl.PhoneLine{line, line} }},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phone := valid
			tt.phone(&phone)

			if _, err := client.AddPhone(ctx, phone); err == nil {
				t.Fatal("AddPhone succeeded, want an error")
			}
		})
	}

	mixed := axl.PhoneUpdate{Name: valid.Name, Lines: []axl.PhoneLine{}, AddLines: []axl.PhoneLine{line}}
	if err := client.UpdatePhone(ctx, mixed); err == nil {
		t.Error("UpdatePhone with Lines and AddLines succeeded, want an error")
	}

	if err := client.UpdatePhone(ctx, axl.PhoneUpdate{Name: valid.Name}); err != nil {
		t.Errorf("empty UpdatePhone = %v, want nil without a call", err)
	}

	stats := sim.Stats()
	if n := stats.Requests[axl.OpAddPhone] + stats.Requests[axl.OpUpdatePhone]; n != 0 {
		t.Errorf("simulator saw %d phone requests, want 0", n)
	}
}

func TestClientDeviceProfileAndUserProfiles(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedOwner(t, client)
	addLines(t, client, fullLine())

	want := fullDeviceProfile()

	uuid, err := client.AddDeviceProfile(ctx, want)
	if err != nil {
		t.Fatalf("AddDeviceProfile: %v", err)
	}

	got, err := client.GetDeviceProfile(ctx, want.Name)
	if err != nil {
		t.Fatalf("GetDeviceProfile: %v", err)
	}

	want.UUID = uuid
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetDeviceProfile = %+v\nwant %+v", got, want)
	}

	update := axl.UserUpdate{UserID: "zolsen", PhoneProfiles: []string{want.Name}, DefaultProfile: &want.Name}
	if err := client.UpdateUser(ctx, update); err != nil {
		t.Fatalf("UpdateUser with profiles: %v", err)
	}

	user, err := client.GetUser(ctx, "zolsen")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	if !reflect.DeepEqual(user.PhoneProfiles, []string{want.Name}) || user.DefaultProfile != want.Name {
		t.Errorf("profiles %v, default %q, want [%s] and %s", user.PhoneProfiles, user.DefaultProfile,
			want.Name, want.Name)
	}

	if err := client.RemoveDeviceProfile(ctx, want.Name); err != nil {
		t.Fatalf("RemoveDeviceProfile: %v", err)
	}

	if profiles := sim.DeviceProfiles(); len(profiles) != 0 {
		t.Errorf("simulator still holds %+v", profiles)
	}

	stored, _ := sim.User("zolsen")
	if len(stored.PhoneProfiles) != 0 || stored.DefaultProfile != "" {
		t.Errorf("user keeps profiles %v and default %q after the removal", stored.PhoneProfiles,
			stored.DefaultProfile)
	}

	if _, err := client.GetDeviceProfile(ctx, want.Name); !axl.IsNotFound(err) {
		t.Errorf("GetDeviceProfile after removal error = %v, want not found", err)
	}
}

func TestClientRemoteDestinationRoundTrip(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedOwner(t, client)
	addLines(t, client, fullLine())

	wantProfile := fullRemoteDestinationProfile()

	profileUUID, err := client.AddRemoteDestinationProfile(ctx, wantProfile)
	if err != nil {
		t.Fatalf("AddRemoteDestinationProfile: %v", err)
	}

	gotProfile, err := client.GetRemoteDestinationProfile(ctx, wantProfile.Name)
	if err != nil {
		t.Fatalf("GetRemoteDestinationProfile: %v", err)
	}

	wantProfile.UUID = profileUUID
	if !reflect.DeepEqual(gotProfile, wantProfile) {
		t.Errorf("GetRemoteDestinationProfile = %+v\nwant %+v", gotProfile, wantProfile)
	}

	want := fullRemoteDestination()

	uuid, err := client.AddRemoteDestination(ctx, want)
	if err != nil {
		t.Fatalf("AddRemoteDestination: %v", err)
	}

	got, err := client.GetRemoteDestination(ctx, want.Destination)
	if err != nil {
		t.Fatalf("GetRemoteDestination: %v", err)
	}

	want.UUID = uuid
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetRemoteDestination = %+v\nwant %+v", got, want)
	}

	if stored := sim.RemoteDestinations(); len(stored) != 1 || stored[0].Destination != want.Destination {
		t.Errorf("simulator holds %+v, want the one destination", stored)
	}

	if err := client.RemoveRemoteDestination(ctx, want.Destination); err != nil {
		t.Fatalf("RemoveRemoteDestination: %v", err)
	}

	if _, err := client.GetRemoteDestination(ctx, want.Destination); !axl.IsNotFound(err) {
		t.Errorf("GetRemoteDestination after removal error = %v, want not found", err)
	}
}

func TestClientRemoteDestinationDefaults(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})
	seedOwner(t, client)

	profile := axl.RemoteDestinationProfile{Name: "RDP_zolsen", DevicePoolName: "Default", UserID: "zolsen"}
	if _, err := client.AddRemoteDestinationProfile(ctx, profile); err != nil {
		t.Fatalf("AddRemoteDestinationProfile: %v", err)
	}

	destination := axl.RemoteDestination{Destination: "0791234567", OwnerUserID: "zolsen",
		RemoteDestinationProfileName: profile.Name, EnableMobileConnect: true}
	if _, err := client.AddRemoteDestination(ctx, destination); err != nil {
		t.Fatalf("AddRemoteDestination: %v", err)
	}

	got, err := client.GetRemoteDestination(ctx, destination.Destination)
	if err != nil {
		t.Fatalf("GetRemoteDestination: %v", err)
	}

	timers := []time.Duration{got.AnswerTooSoonTimer, got.AnswerTooLateTimer, got.DelayBeforeRingingCell}
	want := []time.Duration{axl.DefaultAnswerTooSoonTimer, axl.DefaultAnswerTooLateTimer,
		axl.DefaultDelayBeforeRingingCell}

	if !reflect.DeepEqual(timers, want) {
		t.Errorf("timers = %v, want the defaults %v", timers, want)
	}

	if !got.EnableMobileConnect || got.IsMobilePhone {
		t.Errorf("enableMobileConnect %v, isMobilePhone %v, want true and false",
			got.EnableMobileConnect, got.IsMobilePhone)
	}
}

// TestClientQuickUserProvisioning walks the order in which UCM accepts a new user with a desk
// phone, Jabber, extension mobility and single number reach, and reads the result back.
func TestClientQuickUserProvisioning(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	extension := axl.Extension{Pattern: "+442071234567", RoutePartitionName: "Internal_PT"}

	steps := []struct {
		name string
		call func() error
	}{
		{"add user", func() error {
			_, err := client.AddUser(ctx, axl.User{UserID: "zolsen", FirstName: "Zoë", LastName: "Ølsen"})
			return err
		}},
		{"add line", func() error { _, err := client.AddLine(ctx, fullLine()); return err }},
		{"add desk phone", func() error { _, err := client.AddPhone(ctx, fullPhone()); return err }},
		{"add Jabber", func() error {
			jabber := axl.Phone{Name: "CSFZOLSEN", Product: axl.ProductJabberDesktop, Protocol: axl.ProtocolSIP,
				DevicePoolName: "DP_London", OwnerUserName: "zolsen",
				Lines: []axl.PhoneLine{fullPhoneLine(1, "+442071234567")}}
			_, err := client.AddPhone(ctx, jabber)
			return err
		}},
		{"add device profile", func() error {
			_, err := client.AddDeviceProfile(ctx, fullDeviceProfile())
			return err
		}},
		{"update user", func() error {
			return client.UpdateUser(ctx, axl.UserUpdate{
				UserID:              "zolsen",
				AssociatedDevices:   []string{"SEP00AABBCCDDEE", "CSFZOLSEN"},
				PrimaryExtension:    &extension,
				EnableCTI:           boolPointer(true),
				EnableMobility:      boolPointer(true),
				HomeCluster:         boolPointer(true),
				IMAndPresenceEnable: boolPointer(true),
				PhoneProfiles:       []string{"UDP_zolsen"},
				DefaultProfile:      stringPointer("UDP_zolsen"),
			})
		}},
		{"add remote destination profile", func() error {
			_, err := client.AddRemoteDestinationProfile(ctx, fullRemoteDestinationProfile())
			return err
		}},
		{"add remote destination", func() error {
			_, err := client.AddRemoteDestination(ctx, fullRemoteDestination())
			return err
		}},
	}

	for _, step := range steps {
		if err := step.call(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}

	user, err := client.GetUser(ctx, "zolsen")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	if !reflect.DeepEqual(user.PrimaryExtension, &extension) {
		t.Errorf("PrimaryExtension = %+v, want %+v", user.PrimaryExtension, extension)
	}

	if !reflect.DeepEqual(user.AssociatedDevices, []string{"SEP00AABBCCDDEE", "CSFZOLSEN"}) {
		t.Errorf("AssociatedDevices = %v", user.AssociatedDevices)
	}

	for name, flag := range map[string]*bool{"enableCti": user.EnableCTI, "enableMobility": user.EnableMobility,
		"homeCluster": user.HomeCluster, "imAndPresenceEnable": user.IMAndPresenceEnable} {
		if flag == nil || !*flag {
			t.Errorf("%s = %v, want true", name, flag)
		}
	}

	stats := sim.Stats()
	if stats.Writes != len(steps) {
		t.Errorf("simulator counted %d writes, want %d", stats.Writes, len(steps))
	}

	if n := stats.Requests[axl.OpAddPhone]; n != 2 {
		t.Errorf("simulator counted %d addPhone requests, want 2", n)
	}
}

func TestClientNotFoundForEveryItem(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})
	missing := axl.Extension{Pattern: "9999"}

	calls := map[string]func() error{
		axl.OpGetLine: func() error { _, err := client.GetLine(ctx, missing); return err },
		axl.OpUpdateLine: func() error {
			return client.UpdateLine(ctx, axl.LineUpdate{Line: missing, Description: stringPointer("x")})
		},
		axl.OpRemoveLine: func() error { return client.RemoveLine(ctx, missing) },
		axl.OpGetPhone:   func() error { _, err := client.GetPhone(ctx, "SEP999999999999"); return err },
		axl.OpUpdatePhone: func() error {
			return client.UpdatePhone(ctx, axl.PhoneUpdate{Name: "SEP999999999999", Description: stringPointer("x")})
		},
		axl.OpRemovePhone:         func() error { return client.RemovePhone(ctx, "SEP999999999999") },
		axl.OpGetDeviceProfile:    func() error { _, err := client.GetDeviceProfile(ctx, "UDP_none"); return err },
		axl.OpRemoveDeviceProfile: func() error { return client.RemoveDeviceProfile(ctx, "UDP_none") },
		axl.OpGetRemoteDestinationProfile: func() error {
			_, err := client.GetRemoteDestinationProfile(ctx, "RDP_none")
			return err
		},
		axl.OpRemoveRemoteDestinationProfile: func() error {
			return client.RemoveRemoteDestinationProfile(ctx, "RDP_none")
		},
		axl.OpGetRemoteDestination: func() error {
			_, err := client.GetRemoteDestination(ctx, "0000")
			return err
		},
		axl.OpRemoveRemoteDestination: func() error { return client.RemoveRemoteDestination(ctx, "0000") },
	}

	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			err := call()
			if !axl.IsNotFound(err) {
				t.Fatalf("error = %v, want not found", err)
			}

			if axl.IsRetryable(err) || axl.IsDuplicate(err) {
				t.Errorf("not-found fault %v is retryable or a duplicate, want neither", err)
			}
		})
	}
}
