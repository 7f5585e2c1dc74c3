package axl_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axl/axlschema"
)

func boolPointer(b bool) *bool {
	return &b
}

// fullLine, fullPhone and the others set every field the client sends, with non-Latin text and
// an E.164 pattern where the field allows them.
func fullLine() axl.Line {
	return axl.Line{
		Pattern:                    "+442071234567",
		RoutePartitionName:         "Internal_PT",
		Description:                "Zoë Ølsen – 東京オフィス",
		AlertingName:               "Zoë Ølsen 山田",
		ASCIIAlertingName:          "Zoe Olsen",
		ShareLineAppearanceCSSName: "Internal_CSS",
	}
}

func fullPhoneLine(index int, pattern string) axl.PhoneLine {
	return axl.PhoneLine{
		Index:              index,
		Label:              "Zoë " + pattern,
		Display:            "Zoë Ølsen",
		Dirn:               axl.Extension{Pattern: pattern, RoutePartitionName: "Internal_PT"},
		E164Mask:           "+44207123XXXX",
		AssociatedEndUsers: []string{"zolsen"},
	}
}

func fullPhone() axl.Phone {
	return axl.Phone{
		Name:                   "SEP00AABBCCDDEE",
		Description:            "Zoë Ølsen – 8841",
		Product:                "Cisco 8841",
		Class:                  axl.ClassPhone,
		Protocol:               axl.ProtocolSIP,
		ProtocolSide:           axl.ProtocolSideUser,
		CallingSearchSpaceName: "Device_CSS",
		DevicePoolName:         "DP_London",
		CommonPhoneConfigName:  "Standard Common Phone Profile",
		LocationName:           "Hub_None",
		PhoneTemplateName:      "Standard 8841 SIP",
		OwnerUserName:          "zolsen",
		Lines:                  []axl.PhoneLine{fullPhoneLine(1, "+442071234567")},
	}
}

func fullDeviceProfile() axl.DeviceProfile {
	return axl.DeviceProfile{
		Name:              "UDP_zolsen",
		Description:       "Zoë Ølsen extension mobility",
		Product:           "Cisco 8841",
		Class:             axl.ClassDeviceProfile,
		Protocol:          axl.ProtocolSIP,
		ProtocolSide:      axl.ProtocolSideUser,
		PhoneTemplateName: "Standard 8841 SIP",
		Lines:             []axl.PhoneLine{fullPhoneLine(1, "+442071234567")},
	}
}

func fullRemoteDestinationProfile() axl.RemoteDestinationProfile {
	return axl.RemoteDestinationProfile{
		Name:                   "RDP_zolsen",
		Description:            "Zoë Ølsen single number reach",
		CallingSearchSpaceName: "Device_CSS",
		DevicePoolName:         "DP_London",
		Lines:                  []axl.PhoneLine{fullPhoneLine(1, "+442071234567")},
		UserID:                 "zolsen",
	}
}

func fullRemoteDestination() axl.RemoteDestination {
	return axl.RemoteDestination{
		Name:                         "Zoë mobile",
		Destination:                  "+447700900123",
		OwnerUserID:                  "zolsen",
		RemoteDestinationProfileName: "RDP_zolsen",
		IsMobilePhone:                true,
		EnableMobileConnect:          true,
		AnswerTooSoonTimer:           2 * time.Second,
		AnswerTooLateTimer:           20 * time.Second,
		DelayBeforeRingingCell:       time.Second,
		LineAssociations:             []axl.Extension{{Pattern: "+442071234567", RoutePartitionName: "Internal_PT"}},
	}
}

// callEveryDeviceOperation makes each line, phone, profile and remote destination operation,
// and the user updates Quick User sends, with minimal or with all fields. It returns the
// number of calls.
func callEveryDeviceOperation(t *testing.T, client *axl.Client, full bool) int {
	t.Helper()

	ctx := context.Background()
	calls := 0
	check := func(what string, err error) {
		t.Helper()

		calls++
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	line := axl.Line{Pattern: "1001"}
	phone := axl.Phone{Name: "CSFZOLSEN", Product: axl.ProductJabberDesktop, Protocol: axl.ProtocolSIP,
		DevicePoolName: "Default"}
	profile := axl.DeviceProfile{Name: "UDP_zolsen", Product: "Cisco 8841", Protocol: axl.ProtocolSIP}
	rdp := axl.RemoteDestinationProfile{Name: "RDP_zolsen", DevicePoolName: "Default", UserID: "zolsen"}
	destination := axl.RemoteDestination{Destination: "+447700900123", OwnerUserID: "zolsen",
		RemoteDestinationProfileName: "RDP_zolsen"}
	lineUpdate := axl.LineUpdate{Line: line.Extension(), Description: stringPointer("Reception")}
	phoneUpdate := axl.PhoneUpdate{Name: phone.Name, Description: stringPointer("Jabber")}
	userUpdate := axl.UserUpdate{UserID: "zolsen", EnableMobility: boolPointer(true)}

	if full {
		line, phone, profile = fullLine(), fullPhone(), fullDeviceProfile()
		rdp, destination = fullRemoteDestinationProfile(), fullRemoteDestination()
		lineUpdate = axl.LineUpdate{
			Line:                       line.Extension(),
			Description:                stringPointer("Réception"),
			AlertingName:               stringPointer("受付"),
			ASCIIAlertingName:          stringPointer(""),
			ShareLineAppearanceCSSName: stringPointer(""),
		}
		phoneUpdate = axl.PhoneUpdate{
			Name:                   phone.Name,
			Description:            stringPointer("Zoë"),
			CallingSearchSpaceName: stringPointer(""),
			DevicePoolName:         stringPointer("DP_Paris"),
			CommonPhoneConfigName:  stringPointer("Standard Common Phone Profile"),
			LocationName:           stringPointer("Hub_None"),
			RemoveLines:            []axl.PhoneLine{{Index: 1, Dirn: line.Extension()}},
			AddLines:               []axl.PhoneLine{fullPhoneLine(2, "1002")},
			PhoneTemplateName:      stringPointer("Standard 8841 SIP"),
			OwnerUserName:          stringPointer("zolsen"),
		}
		userUpdate = axl.UserUpdate{
			UserID:              "zolsen",
			AssociatedDevices:   []string{phone.Name},
			PrimaryExtension:    &axl.Extension{Pattern: "+442071234567", RoutePartitionName: "Internal_PT"},
			EnableCTI:           boolPointer(true),
			EnableMobility:      boolPointer(true),
			HomeCluster:         boolPointer(true),
			IMAndPresenceEnable: boolPointer(true),
			PhoneProfiles:       []string{profile.Name},
			DefaultProfile:      stringPointer(profile.Name),
		}
	}

	_, err := client.AddLine(ctx, line)
	check("AddLine", err)

	_, err = client.GetLine(ctx, line.Extension())
	check("GetLine", err)

	check("UpdateLine", client.UpdateLine(ctx, lineUpdate))

	_, err = client.ListLines(ctx, axl.ListLinesRequest{})
	check("ListLines", err)

	_, err = client.AddPhone(ctx, phone)
	check("AddPhone", err)

	_, err = client.GetPhone(ctx, phone.Name)
	check("GetPhone", err)

	check("UpdatePhone", client.UpdatePhone(ctx, phoneUpdate))

	_, err = client.ListPhones(ctx, axl.ListPhonesRequest{})
	check("ListPhones", err)

	_, err = client.AddDeviceProfile(ctx, profile)
	check("AddDeviceProfile", err)

	_, err = client.GetDeviceProfile(ctx, profile.Name)
	check("GetDeviceProfile", err)

	check("UpdateUser", client.UpdateUser(ctx, userUpdate))

	_, err = client.AddRemoteDestinationProfile(ctx, rdp)
	check("AddRemoteDestinationProfile", err)

	_, err = client.GetRemoteDestinationProfile(ctx, rdp.Name)
	check("GetRemoteDestinationProfile", err)

	_, err = client.AddRemoteDestination(ctx, destination)
	check("AddRemoteDestination", err)

	_, err = client.GetRemoteDestination(ctx, destination.Destination)
	check("GetRemoteDestination", err)

	check("RemoveRemoteDestination", client.RemoveRemoteDestination(ctx, destination.Destination))
	check("RemoveRemoteDestinationProfile", client.RemoveRemoteDestinationProfile(ctx, rdp.Name))
	check("RemoveDeviceProfile", client.RemoveDeviceProfile(ctx, profile.Name))
	check("RemovePhone", client.RemovePhone(ctx, phone.Name))
	check("RemoveLine", client.RemoveLine(ctx, line.Extension()))

	if full {
		replace := axl.PhoneUpdate{Name: phone.Name, Lines: []axl.PhoneLine{fullPhoneLine(1, "1003")}}
		check("UpdatePhone replacing lines", client.UpdatePhone(ctx, replace))

		clear := axl.PhoneUpdate{Name: phone.Name, Lines: []axl.PhoneLine{}}
		check("UpdatePhone clearing lines", client.UpdatePhone(ctx, clear))

		lists := axl.ListLinesRequest{Pattern: "+4420%", Description: "Zoë%", RoutePartitionName: "Internal_PT",
			Skip: 5, First: 10}
		_, err = client.ListLines(ctx, lists)
		check("ListLines with criteria", err)

		phones := axl.ListPhonesRequest{Name: "SEP%", Description: "%8841", DevicePoolName: "DP_%", Skip: 1, First: 2}
		_, err = client.ListPhones(ctx, phones)
		check("ListPhones with criteria", err)

		newUser := fullUser()
		newUser.EnableCTI, newUser.EnableMobility = boolPointer(false), boolPointer(true)
		newUser.HomeCluster, newUser.IMAndPresenceEnable = boolPointer(true), boolPointer(true)
		newUser.PhoneProfiles, newUser.DefaultProfile = []string{"UDP_jdoe"}, "UDP_jdoe"
		_, err = client.AddUser(ctx, newUser)
		check("AddUser with features", err)
	}

	return calls
}

// TestDeviceRequestBodiesValidateAgainstSchema validates every body of the line, phone,
// profile and remote destination operations, minimal and full, in each version.
func TestDeviceRequestBodiesValidateAgainstSchema(t *testing.T) {
	skipWithoutSchema(t)

	dir := t.TempDir()
	var files []string

	for _, version := range axl.SupportedVersions() {
		for _, full := range []bool{false, true} {
			client, recorder := newRecordingClient(t, version)
			calls := callEveryDeviceOperation(t, client, full)

			requests := recorder.take()
			if len(requests) != calls {
				t.Fatalf("%s full=%v: recorded %d bodies for %d calls", version, full, len(requests), calls)
			}

			for i, request := range requests {
				op, doc, err := axlschema.OperationDocument(request.body)
				if err != nil {
					t.Fatalf("OperationDocument: %v", err)
				}

				path := filepath.Join(dir, fmt.Sprintf("%s-full%v-%02d-%s.xml", version, full, i, op))
				if err := os.WriteFile(path, doc, 0o600); err != nil {
					t.Fatal(err)
				}

				files = append(files, path)
			}
		}
	}

	err := axlschema.Validate(files)
	if errors.Is(err, axlschema.ErrUnavailable) {
		t.Skipf("skipping schema validation: %v", err)
	}

	if err != nil {
		t.Fatal(err)
	}
}
