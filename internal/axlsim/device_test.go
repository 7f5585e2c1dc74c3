package axlsim_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axl/axlschema"
	"github.com/ucmpush/ucmpush/internal/axlsim"
)

func boolPointer(b bool) *bool {
	return &b
}

// seedDevices adds items through the client. The users are zolsen and bmobile, enabled for
// mobility, and jdoe, who is not. The lines are 1001 and +442071234567 in PT. Line 1001 is on
// the phone SEP001122334455 (owned by zolsen), the device profile UDP_zolsen and the remote
// destination profile RDP_zolsen, whose remote destination is 0791234567.
func seedDevices(t *testing.T, client *axl.Client) {
	t.Helper()

	ctx := context.Background()
	line1001 := axl.PhoneLine{Index: 1, Dirn: axl.Extension{Pattern: "1001", RoutePartitionName: "PT"},
		AssociatedEndUsers: []string{"zolsen"}}

	steps := []struct {
		name string
		call func() error
	}{
		{"AddUser zolsen", func() error {
			user := axl.User{UserID: "zolsen", LastName: "Ølsen", EnableMobility: boolPointer(true)}
			_, err := client.AddUser(ctx, user)
			return err
		}},
		{"AddUser bmobile", func() error {
			_, err := client.AddUser(ctx, axl.User{UserID: "bmobile", LastName: "B", EnableMobility: boolPointer(true)})
			return err
		}},
		{"AddUser jdoe", func() error {
			_, err := client.AddUser(ctx, axl.User{UserID: "jdoe", LastName: "Doe"})
			return err
		}},
		{"AddLine 1001", func() error {
			_, err := client.AddLine(ctx, axl.Line{Pattern: "1001", RoutePartitionName: "PT"})
			return err
		}},
		{"AddLine +44", func() error {
			_, err := client.AddLine(ctx, axl.Line{Pattern: "+442071234567", RoutePartitionName: "PT"})
			return err
		}},
		{"AddPhone", func() error {
			_, err := client.AddPhone(ctx, axl.Phone{Name: "SEP001122334455", Product: "Cisco 8841",
				Protocol: axl.ProtocolSIP, DevicePoolName: "Default", OwnerUserName: "zolsen",
				Lines: []axl.PhoneLine{line1001}})
			return err
		}},
		{"AddDeviceProfile", func() error {
			_, err := client.AddDeviceProfile(ctx, axl.DeviceProfile{Name: "UDP_zolsen", Product: "Cisco 8841",
				Protocol: axl.ProtocolSIP, Lines: []axl.PhoneLine{line1001}})
			return err
		}},
		{"AddRemoteDestinationProfile", func() error {
			_, err := client.AddRemoteDestinationProfile(ctx, axl.RemoteDestinationProfile{Name: "RDP_zolsen",
				DevicePoolName: "Default", UserID: "zolsen", Lines: []axl.PhoneLine{line1001}})
			return err
		}},
		{"AddRemoteDestination", func() error {
			_, err := client.AddRemoteDestination(ctx, axl.RemoteDestination{Destination: "0791234567",
				OwnerUserID: "zolsen", RemoteDestinationProfileName: "RDP_zolsen", EnableMobileConnect: true,
				LineAssociations: []axl.Extension{line1001.Dirn}})
			return err
		}},
	}

	for _, step := range steps {
		if err := step.call(); err != nil {
			t.Fatalf("seed %s: %v", step.name, err)
		}
	}
}

func phoneBody(name, product, protocol, extra string) string {
	return `<ns:addPhone><phone><name>` + name + `</name><product>` + product + `</product>` +
		`<class>Phone</class><protocol>` + protocol + `</protocol><protocolSide>User</protocolSide>` +
		`<devicePoolName>Default</devicePoolName>` + extra + `</phone></ns:addPhone>`
}

func linesBody(pattern string, extra string) string {
	return `<lines><line><index>1</index><dirn><pattern>` + pattern + `</pattern>` +
		`<routePartitionName>PT</routePartitionName></dirn>` + extra + `</line></lines>`
}

const (
	ownerNobody = `<ownerUserName>nobody</ownerUserName>`
	dp8841      = `<ns:addDeviceProfile><deviceProfile><name>%s</name><product>%s</product>` +
		`<class>Device Profile</class><protocol>SIP</protocol><protocolSide>User</protocolSide>` +
		`</deviceProfile></ns:addDeviceProfile>`
)

func remoteDestinationBody(destination, owner, profile, extra string) string {
	return `<ns:addRemoteDestination><remoteDestination><destination>` + destination + `</destination>` +
		`<ownerUserId>` + owner + `</ownerUserId>` + profile + extra +
		`</remoteDestination></ns:addRemoteDestination>`
}

func TestServerDeviceRules(t *testing.T) {
	tests := []struct {
		name       string
		op         string
		body       string
		axlCode    int // 0 means a soapenv:Client fault without detail
		wantString string
	}{
		{name: "desk phone name too short", op: "addPhone", body: phoneBody("SEP0011", "Cisco 8841", "SIP", ""),
			axlCode: -746, wantString: "12 hexadecimal digits"},
		{name: "desk phone name not hex", op: "addPhone",
			body: phoneBody("SEP00112233445G", "Cisco 8841", "SIP", ""), axlCode: -746, wantString: "not valid"},
		{name: "Jabber name lower case", op: "addPhone",
			body:    phoneBody("CSFzolsen", axl.ProductJabberDesktop, "SIP", ""),
			axlCode: -746, wantString: "CSF followed by 1 to 12 upper-case"},
		{name: "Jabber name too long", op: "addPhone",
			body: phoneBody("CSFABCDEFGHIJKLM", axl.ProductJabberDesktop, "SIP", ""), axlCode: -746,
			wantString: "not valid"},
		{name: "desk name for Jabber", op: "addPhone",
			body: phoneBody("SEP001122334466", axl.ProductJabberDesktop, "SIP", ""), axlCode: -746,
			wantString: "not valid"},
		{name: "Android name for iPhone", op: "addPhone",
			body: phoneBody("BOTZOLSEN", axl.ProductJabberIPhone, "SIP", ""), axlCode: -746, wantString: "TCT"},
		{name: "unknown product", op: "addPhone", body: phoneBody("SEP001122334466", "Cisco 9999", "SIP", ""),
			wantString: "axlsim does not model the product"},
		{name: "protocol the product lacks", op: "addPhone",
			body: phoneBody("SEP001122334466", "Cisco 8841", "SCCP", ""), axlCode: -746, wantString: "not supported"},
		{name: "class not Phone", op: "addPhone",
			body:    strings.Replace(phoneBody("SEP001122334466", "Cisco 8841", "SIP", ""), ">Phone<", ">Gateway<", 1),
			axlCode: -746, wantString: "Class Gateway"},
		{name: "duplicate device name other case", op: "addPhone",
			body: phoneBody("sep001122334455", "Cisco 8841", "SIP", ""), axlCode: -239, wantString: "duplicate"},
		{name: "device profile named like a phone", op: "addDeviceProfile",
			body:    strings.Replace(strings.Replace(dp8841, "%s", "SEP001122334455", 1), "%s", "Cisco 8841", 1),
			axlCode: -239, wantString: "duplicate"},
		{name: "device profile for Jabber", op: "addDeviceProfile",
			body:    strings.Replace(strings.Replace(dp8841, "%s", "UDP_x", 1), "%s", axl.ProductJabberDesktop, 1),
			axlCode: -746, wantString: "extension mobility"},
		{name: "device profile name with slash", op: "addDeviceProfile",
			body:    strings.Replace(strings.Replace(dp8841, "%s", "UDP/x", 1), "%s", "Cisco 8841", 1),
			axlCode: -746, wantString: "Device Profile Name"},
		{name: "missing line on phone", op: "addPhone",
			body:    phoneBody("SEP001122334466", "Cisco 8841", "SIP", linesBody("2000", "")),
			axlCode: 5007, wantString: "Line 2000 in partition PT was not found"},
		{name: "missing owner", op: "addPhone",
			body:    phoneBody("SEP001122334466", "Cisco 8841", "SIP", ownerNobody),
			axlCode: 5007, wantString: "User nobody"},
		{name: "missing associated end user", op: "addPhone",
			body: phoneBody("SEP001122334466", "Cisco 8841", "SIP",
				linesBody("1001", `<associatedEndusers><enduser><userId>ghost</userId></enduser>`+
					`</associatedEndusers>`)),
			axlCode: 5007, wantString: "User ghost"},
		{name: "line index not a number", op: "addPhone",
			body: phoneBody("SEP001122334466", "Cisco 8841", "SIP",
				`<lines><line><index>one</index><dirn><pattern>1001</pattern></dirn></line></lines>`),
			wantString: "'one' is not a valid value"},
		{name: "line index 0", op: "addPhone",
			body: phoneBody("SEP001122334466", "Cisco 8841", "SIP",
				`<lines><line><index>0</index><dirn><pattern>1001</pattern></dirn></line></lines>`),
			axlCode: 5003, wantString: "buttons count from 1"},
		{name: "valid but not modelled", op: "addPhone",
			body: phoneBody("SEP001122334466", "Cisco 8841", "SIP",
				`<mediaResourceListName>MRL</mediaResourceListName>`),
			wantString: "simulator does not model it"},
		{name: "duplicate line", op: "addLine",
			body: `<ns:addLine><line><pattern>1001</pattern><usage>Device</usage>` +
				`<routePartitionName>PT</routePartitionName></line></ns:addLine>`,
			axlCode: -239, wantString: "duplicate"},
		{name: "line usage not Device", op: "addLine",
			body:       `<ns:addLine><line><pattern>5000</pattern><usage>Hunt Pilot</usage></line></ns:addLine>`,
			wantString: "usage Device only"},
		{name: "alerting name too long", op: "addLine",
			body: `<ns:addLine><line><pattern>5000</pattern><alertingName>` + strings.Repeat("é", 51) +
				`</alertingName></line></ns:addLine>`,
			wantString: "maxLength '50'"},
		{name: "ASCII alerting name not ASCII", op: "addLine",
			body: `<ns:addLine><line><pattern>5000</pattern><asciiAlertingName>Zoë</asciiAlertingName>` +
				`</line></ns:addLine>`,
			axlCode: 5003, wantString: "non-ASCII"},
		{name: "line by pattern and uuid", op: "getLine",
			body: `<ns:getLine><uuid>{00000000-0000-0000-0000-000000000000}</uuid>` +
				`<pattern>1001</pattern></ns:getLine>`,
			wantString: "Send either uuid or pattern"},
		{name: "primary extension not on a device", op: "updateUser",
			body: `<ns:updateUser><userid>zolsen</userid><associatedDevices><device>SEP001122334455</device>` +
				`</associatedDevices><primaryExtension><pattern>\+442071234567</pattern>` +
				`<routePartitionName>PT</routePartitionName></primaryExtension></ns:updateUser>`,
			axlCode: 5003, wantString: "not a line of a device associated with user zolsen"},
		{name: "primary extension without devices", op: "addUser",
			body: `<ns:addUser><user><lastName>N</lastName><userid>new</userid><primaryExtension>` +
				`<pattern>1001</pattern><routePartitionName>PT</routePartitionName></primaryExtension>` +
				`</user></ns:addUser>`,
			axlCode: 5003, wantString: "primary extension"},
		{name: "primary extension in another partition", op: "updateUser",
			body: `<ns:updateUser><userid>zolsen</userid><associatedDevices><device>SEP001122334455</device>` +
				`</associatedDevices><primaryExtension><pattern>1001</pattern></primaryExtension></ns:updateUser>`,
			axlCode: 5003, wantString: "null partition"},
		{name: "associated device missing", op: "updateUser",
			body: `<ns:updateUser><userid>zolsen</userid><associatedDevices><device>SEP999999999999</device>` +
				`</associatedDevices></ns:updateUser>`,
			axlCode: 5007, wantString: "Device SEP999999999999 was not found"},
		{name: "associated device is a profile", op: "addUser",
			body: `<ns:addUser><user><lastName>N</lastName><userid>new</userid><associatedDevices>` +
				`<device>UDP_zolsen</device></associatedDevices></user></ns:addUser>`,
			axlCode: 5007, wantString: "Device UDP_zolsen"},
		{name: "phone profile missing", op: "updateUser",
			body: `<ns:updateUser><userid>zolsen</userid><phoneProfiles><profileName>UDP_none</profileName>` +
				`</phoneProfiles></ns:updateUser>`,
			axlCode: 5007, wantString: "Device Profile UDP_none"},
		{name: "boolean not valid", op: "updateUser",
			body:       `<ns:updateUser><userid>zolsen</userid><enableMobility>yes</enableMobility></ns:updateUser>`,
			wantString: "'yes' of element 'enableMobility'"},
		{name: "lines with addLines", op: "updatePhone",
			body: `<ns:updatePhone><name>SEP001122334455</name><addLines/>` + linesBody("1001", "") +
				`</ns:updatePhone>`,
			wantString: "not both"},
		{name: "remove a line the phone lacks", op: "updatePhone",
			body: `<ns:updatePhone><name>SEP001122334455</name><removeLines><line><index>1</index><dirn>` +
				`<pattern>\+442071234567</pattern><routePartitionName>PT</routePartitionName></dirn></line>` +
				`</removeLines></ns:updatePhone>`,
			axlCode: 5007, wantString: "on the device"},
		{name: "remote destination profile owner without mobility", op: "addRemoteDestinationProfile",
			body: `<ns:addRemoteDestinationProfile><remoteDestinationProfile><name>RDP_jdoe</name>` +
				`<product>Remote Destination Profile</product><class>Remote Destination Profile</class>` +
				`<protocol>Remote Destination</protocol><protocolSide>User</protocolSide>` +
				`<devicePoolName>Default</devicePoolName><userId>jdoe</userId>` +
				`</remoteDestinationProfile></ns:addRemoteDestinationProfile>`,
			axlCode: 5003, wantString: "not enabled for mobility"},
		{name: "remote destination profile with a phone product", op: "addRemoteDestinationProfile",
			body: `<ns:addRemoteDestinationProfile><remoteDestinationProfile><name>RDP_x</name>` +
				`<product>Cisco 8841</product><class>Remote Destination Profile</class>` +
				`<protocol>Remote Destination</protocol><protocolSide>User</protocolSide>` +
				`<devicePoolName>Default</devicePoolName><userId>zolsen</userId>` +
				`</remoteDestinationProfile></ns:addRemoteDestinationProfile>`,
			axlCode: -746, wantString: "product Cisco 8841"},
		{name: "remote destination of another user's profile", op: "addRemoteDestination",
			body: remoteDestinationBody("0790000000", "bmobile",
				`<remoteDestinationProfileName>RDP_zolsen</remoteDestinationProfileName>`, ""),
			axlCode: 5003, wantString: "is not the user zolsen"},
		{name: "remote destination owner without mobility", op: "addRemoteDestination",
			body: remoteDestinationBody("0790000000", "jdoe",
				`<remoteDestinationProfileName>RDP_zolsen</remoteDestinationProfileName>`, ""),
			axlCode: 5003, wantString: "not enabled for mobility"},
		{name: "remote destination line not on the profile", op: "addRemoteDestination",
			body: remoteDestinationBody("0790000000", "zolsen",
				`<remoteDestinationProfileName>RDP_zolsen</remoteDestinationProfileName>`,
				`<lineAssociations><lineAssociation><pattern>\+442071234567</pattern>`+
					`<routePartitionName>PT</routePartitionName></lineAssociation></lineAssociations>`),
			axlCode: 5003, wantString: "is not a line of remote destination profile"},
		{name: "remote destination without a profile", op: "addRemoteDestination",
			body: remoteDestinationBody("0790000000", "zolsen", "", ""), wantString: "remote destination profile only"},
		{name: "remote destination on a dual-mode device", op: "addRemoteDestination",
			body: remoteDestinationBody("0790000000", "zolsen", "",
				`<dualModeDeviceName>BOTZOLSEN</dualModeDeviceName>`),
			wantString: "simulator does not model it"},
		{name: "duplicate remote destination", op: "addRemoteDestination",
			body: remoteDestinationBody("0791234567", "zolsen",
				`<remoteDestinationProfileName>RDP_zolsen</remoteDestinationProfileName>`, ""),
			axlCode: -239, wantString: "duplicate"},
		{name: "missing remote destination profile", op: "addRemoteDestination",
			body: remoteDestinationBody("0790000000", "zolsen",
				`<remoteDestinationProfileName>RDP_none</remoteDestinationProfileName>`, ""),
			axlCode: 5007, wantString: "Remote Destination Profile RDP_none"},
	}

	_, ts := newServer(t, axlsim.Options{})
	seedDevices(t, newClient(t, ts, "14.0"))

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			response, body := post(t, ts, soapAction("14.0", tt.op), envelope("14.0", tt.body))

			if response.StatusCode != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", response.StatusCode)
			}

			var fault faultEnvelope
			if err := xml.Unmarshal([]byte(body), &fault); err != nil {
				t.Fatalf("response is not a SOAP fault: %v\n%s", err, body)
			}

			wantFaultCode := "soapenv:Server"
			if tt.axlCode == 0 {
				wantFaultCode = "soapenv:Client"
			}

			if fault.Fault.Code != wantFaultCode {
				t.Errorf("faultcode = %q, want %q", fault.Fault.Code, wantFaultCode)
			}

			if !strings.Contains(fault.Fault.String, tt.wantString) {
				t.Errorf("faultstring = %q, want it to contain %q", fault.Fault.String, tt.wantString)
			}

			checkDetail(t, fault, tt.axlCode, tt.op)
		})
	}
}

func TestServerAcceptsEveryModelledProduct(t *testing.T) {
	_, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()

	phones := []axl.Phone{
		{Name: "SEP001122334455", Product: "Cisco 7841", Protocol: axl.ProtocolSIP},
		{Name: "SEP001122334456", Product: "Cisco 8841", Protocol: axl.ProtocolSIP},
		{Name: "SEP001122334457", Product: "Cisco 8845", Protocol: axl.ProtocolSIP},
		{Name: "SEP001122334458", Product: "Cisco 8851", Protocol: axl.ProtocolSIP},
		{Name: "sep00aabbccddee", Product: "Cisco 8865", Protocol: axl.ProtocolSIP},
		{Name: "SEP001122334459", Product: "Cisco 8945", Protocol: axl.ProtocolSCCP},
		{Name: "SEP00112233445A", Product: "Cisco 8945", Protocol: axl.ProtocolSIP},
		{Name: "CSFZOLSEN", Product: axl.ProductJabberDesktop, Protocol: axl.ProtocolSIP},
		{Name: "CSFABCDEFGHIJKL", Product: axl.ProductJabberDesktop, Protocol: axl.ProtocolSIP},
		{Name: "BOTZOLSEN", Product: axl.ProductJabberAndroid, Protocol: axl.ProtocolSIP},
		{Name: "TCTZOLSEN", Product: axl.ProductJabberIPhone, Protocol: axl.ProtocolSIP},
		{Name: "TABZOLSEN", Product: axl.ProductJabberTablet, Protocol: axl.ProtocolSIP},
	}

	for _, p := range phones {
		p.DevicePoolName = "Default"

		if _, err := client.AddPhone(ctx, p); err != nil {
			t.Errorf("AddPhone %s (%s, %s): %v", p.Name, p.Product, p.Protocol, err)
		}
	}
}

func TestServerRemoveLineCascades(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()
	seedDevices(t, client)

	extension := axl.Extension{Pattern: "1001", RoutePartitionName: "PT"}
	update := axl.UserUpdate{UserID: "zolsen", AssociatedDevices: []string{"SEP001122334455"},
		PrimaryExtension: &extension}

	if err := client.UpdateUser(ctx, update); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	if err := client.RemoveLine(ctx, extension); err != nil {
		t.Fatalf("RemoveLine: %v", err)
	}

	if phones := sim.Phones(); len(phones) != 1 || len(phones[0].Lines) != 0 {
		t.Errorf("phones = %+v, want SEP001122334455 without lines", phones)
	}

	if profiles := sim.DeviceProfiles(); len(profiles) != 1 || len(profiles[0].Lines) != 0 {
		t.Errorf("device profiles = %+v, want one without lines", profiles)
	}

	if rdps := sim.RemoteDestinationProfiles(); len(rdps) != 1 || len(rdps[0].Lines) != 0 {
		t.Errorf("remote destination profiles = %+v, want one without lines", rdps)
	}

	if destinations := sim.RemoteDestinations(); len(destinations) != 1 || len(destinations[0].LineAssociations) != 0 {
		t.Errorf("remote destinations = %+v, want one without line associations", destinations)
	}

	if u, _ := sim.User("zolsen"); u.PrimaryExtension != nil {
		t.Errorf("primary extension = %+v, want it cleared with the line", u.PrimaryExtension)
	}
}

func TestServerRemovePhoneDropsAssociation(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()
	seedDevices(t, client)

	update := axl.UserUpdate{UserID: "zolsen", AssociatedDevices: []string{"SEP001122334455"}}
	if err := client.UpdateUser(ctx, update); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	if err := client.RemovePhone(ctx, "SEP001122334455"); err != nil {
		t.Fatalf("RemovePhone: %v", err)
	}

	if u, _ := sim.User("zolsen"); len(u.AssociatedDevices) != 0 {
		t.Errorf("associated devices = %v, want none after the phone's removal", u.AssociatedDevices)
	}

	if lines := sim.Lines(); len(lines) != 2 {
		t.Errorf("lines = %+v, want both kept", lines)
	}
}

func TestServerRemoveUserWithRemoteDestinations(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()
	seedDevices(t, client)

	err := client.RemoveUser(ctx, "zolsen")

	var fault *axl.Fault
	if !errors.As(err, &fault) || fault.Code != -692 || !strings.Contains(fault.Message, "RDP_zolsen") {
		t.Fatalf("RemoveUser of an owner error = %v, want axlcode -692 naming RDP_zolsen", err)
	}

	if err := client.RemoveRemoteDestinationProfile(ctx, "RDP_zolsen"); err != nil {
		t.Fatalf("RemoveRemoteDestinationProfile: %v", err)
	}

	if destinations := sim.RemoteDestinations(); len(destinations) != 0 {
		t.Errorf("remote destinations = %+v, want them removed with their profile", destinations)
	}

	if err := client.RemoveUser(ctx, "zolsen"); err != nil {
		t.Fatalf("RemoveUser after the profile's removal: %v", err)
	}

	phones := sim.Phones()
	if len(phones) != 1 || phones[0].OwnerUserName != "" || len(phones[0].Lines[0].AssociatedEndUsers) != 0 {
		t.Errorf("phones = %+v, want no owner and no associated end user left", phones)
	}
}

func TestServerRenameUserFollowsReferences(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	seedDevices(t, client)

	renamed := "zoe.olsen"
	rename := axl.UserUpdate{UserID: "zolsen", NewUserID: &renamed}
	if err := client.UpdateUser(context.Background(), rename); err != nil {
		t.Fatalf("UpdateUser rename: %v", err)
	}

	phone := sim.Phones()[0]
	if phone.OwnerUserName != renamed || !reflect.DeepEqual(phone.Lines[0].AssociatedEndUsers, []string{renamed}) {
		t.Errorf("phone = %+v, want owner and end user %s", phone, renamed)
	}

	if rdp := sim.RemoteDestinationProfiles()[0]; rdp.UserID != renamed {
		t.Errorf("remote destination profile user = %q, want %s", rdp.UserID, renamed)
	}

	if d := sim.RemoteDestinations()[0]; d.OwnerUserID != renamed {
		t.Errorf("remote destination owner = %q, want %s", d.OwnerUserID, renamed)
	}
}

func TestServerFailedUpdateChangesNothing(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	seedDevices(t, client)

	before, _ := sim.User("zolsen")
	renamed := "zoe.olsen"
	update := axl.UserUpdate{UserID: "zolsen", NewUserID: &renamed, AssociatedDevices: []string{"SEP999999999999"}}

	if err := client.UpdateUser(context.Background(), update); !axl.IsNotFound(err) {
		t.Fatalf("UpdateUser with a missing device error = %v, want not found", err)
	}

	after, ok := sim.User("zolsen")
	if !ok || !reflect.DeepEqual(after, before) {
		t.Errorf("user after the failed update = %+v (found %v), want %+v", after, ok, before)
	}

	if _, ok := sim.User(renamed); ok {
		t.Errorf("the failed update renamed the user to %s", renamed)
	}
}

func TestServerSnapshotsAreCopies(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	seedDevices(t, newClient(t, ts, "14.0"))

	phones := sim.Phones()
	phones[0].Lines[0].AssociatedEndUsers[0] = "changed"
	phones[0].Lines[0].Dirn.Pattern = "changed"

	if again := sim.Phones(); again[0].Lines[0].AssociatedEndUsers[0] != "zolsen" ||
		again[0].Lines[0].Dirn.Pattern != "1001" {
		t.Errorf("changing a snapshot changed the simulator: %+v", again[0])
	}

	destinations := sim.RemoteDestinations()
	destinations[0].LineAssociations[0].Pattern = "changed"

	if again := sim.RemoteDestinations(); again[0].LineAssociations[0].Pattern != "1001" {
		t.Errorf("changing a snapshot changed the simulator: %+v", again[0])
	}

	sim.Reset()

	if n := len(sim.Lines()) + len(sim.Phones()) + len(sim.DeviceProfiles()) +
		len(sim.RemoteDestinationProfiles()) + len(sim.RemoteDestinations()); n != 0 {
		t.Errorf("Reset left %d items", n)
	}
}

func TestControlListsDevices(t *testing.T) {
	_, ts := newServer(t, axlsim.Options{})
	seedDevices(t, newClient(t, ts, "14.0"))

	tests := []struct {
		path string
		key  string
		want string
	}{
		{"lines", "pattern", "1001"},
		{"phones", "name", "SEP001122334455"},
		{"deviceProfiles", "name", "UDP_zolsen"},
		{"remoteDestinationProfiles", "name", "RDP_zolsen"},
		{"remoteDestinations", "destination", "0791234567"},
	}

	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			response := controlRequest(t, ts, http.MethodGet, tt.path, "")
			if response.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200", tt.path, response.StatusCode)
			}

			var items []map[string]any
			if err := json.NewDecoder(response.Body).Decode(&items); err != nil {
				t.Fatalf("decode %s: %v", tt.path, err)
			}

			if len(items) == 0 || items[0][tt.key] != tt.want {
				t.Errorf("%s = %v, want the first with %s %s", tt.path, items, tt.key, tt.want)
			}
		})
	}
}

// TestServerDeviceRecordingValidates records a Quick User provisioning and validates every
// body the client sent against the AXL schema.
func TestServerDeviceRecordingValidates(t *testing.T) {
	if err := axlschema.Available(); err != nil {
		t.Skipf("skipping schema validation: %v", err)
	}

	dir := t.TempDir()
	_, ts := newServer(t, axlsim.Options{RecordDir: dir})
	seedDevices(t, newClient(t, ts, "12.5"))

	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) != 9 {
		t.Fatalf("recorded %d files (%v), want 9", len(files), err)
	}

	if err := axlschema.ValidateEnvelopes(files); err != nil {
		t.Error(err)
	}
}

// TestServerDeviceResponsesValidate validates the simulator's get and list responses against
// the AXL schema, so that their element order is UCM's.
func TestServerDeviceResponsesValidate(t *testing.T) {
	if err := axlschema.Available(); err != nil {
		t.Skipf("skipping schema validation: %v", err)
	}

	_, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	seedDevices(t, client)

	profiles := axl.UserUpdate{UserID: "zolsen", PhoneProfiles: []string{"UDP_zolsen"},
		AssociatedDevices: []string{"SEP001122334455"}}
	if err := client.UpdateUser(context.Background(), profiles); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	requests := map[string]string{
		"getUser":  `<ns:getUser><userid>zolsen</userid></ns:getUser>`,
		"getLine":  `<ns:getLine><pattern>1001</pattern><routePartitionName>PT</routePartitionName></ns:getLine>`,
		"listLine": `<ns:listLine><searchCriteria><pattern>%</pattern></searchCriteria><returnedTags/></ns:listLine>`,
		"getPhone": `<ns:getPhone><name>SEP001122334455</name></ns:getPhone>`,
		"listPhone": `<ns:listPhone><searchCriteria><name>%</name></searchCriteria><returnedTags><name/>` +
			`<product/><ownerUserName/></returnedTags></ns:listPhone>`,
		"getDeviceProfile": `<ns:getDeviceProfile><name>UDP_zolsen</name></ns:getDeviceProfile>`,
		"getRemoteDestinationProfile": `<ns:getRemoteDestinationProfile><name>RDP_zolsen</name>` +
			`</ns:getRemoteDestinationProfile>`,
		"getRemoteDestination": `<ns:getRemoteDestination><destination>0791234567</destination>` +
			`</ns:getRemoteDestination>`,
	}

	dir := t.TempDir()
	var files []string

	for op, body := range requests {
		response, data := post(t, ts, soapAction("14.0", op), envelope("14.0", body))
		if response.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d:\n%s", op, response.StatusCode, data)
		}

		path := filepath.Join(dir, op+"Response.xml")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}

		files = append(files, path)
	}

	if err := axlschema.ValidateEnvelopes(files); err != nil {
		t.Error(err)
	}
}
