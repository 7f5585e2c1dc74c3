package axl_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axlsim"
)

const (
	testUsername = "axladmin"
	testPassword = "s3cret-Pa55"
)

var uuidPattern = regexp.MustCompile(`^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$`)

// newSimClient starts a simulator on an httptest TLS server and returns a client for it.
func newSimClient(t *testing.T, version string, opts axlsim.Options) (*axl.Client, *axlsim.Server) {
	t.Helper()

	opts.Username = testUsername
	opts.Password = testPassword
	sim := axlsim.New(opts)

	ts := httptest.NewTLSServer(sim)
	t.Cleanup(ts.Close)

	client, err := axl.New(axl.Config{
		URL:        ts.URL + "/axl/",
		Version:    version,
		Username:   testUsername,
		Password:   testPassword,
		Timeout:    5 * time.Second,
		HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	return client, sim
}

func stringPointer(s string) *string {
	return &s
}

func fullUser() axl.User {
	return axl.User{
		UserID:            "jdoe",
		FirstName:         "Jane",
		LastName:          "Doe",
		MailID:            "jane.doe@example.com",
		TelephoneNumber:   "+41 44 555 01 23",
		Department:        "Finance",
		Title:             "Controller",
		AssociatedDevices: []string{"SEP001122334455", "CSFJDOE"},
		PrimaryExtension:  &axl.Extension{Pattern: "1001", RoutePartitionName: "Internal_PT"},
		PresenceGroupName: "Finance Presence",
	}
}

// seedUserDevices adds the line and the phones that fullUser and the update tests name, so
// that the simulator accepts them as associated devices and primary extension.
func seedUserDevices(t *testing.T, client *axl.Client) {
	t.Helper()

	ctx := context.Background()
	line := axl.Line{Pattern: "1001", RoutePartitionName: "Internal_PT"}

	if _, err := client.AddLine(ctx, line); err != nil {
		t.Fatalf("AddLine: %v", err)
	}

	phones := []axl.Phone{
		{Name: "SEP001122334455", Product: "Cisco 8841"},
		{Name: "SEP665544332211", Product: "Cisco 8865"},
		{Name: "CSFJDOE", Product: axl.ProductJabberDesktop},
	}

	for _, p := range phones {
		p.Protocol = axl.ProtocolSIP
		p.DevicePoolName = "Default"
		p.Lines = []axl.PhoneLine{{Index: 1, Dirn: line.Extension()}}

		if _, err := client.AddPhone(ctx, p); err != nil {
			t.Fatalf("AddPhone %s: %v", p.Name, err)
		}
	}
}

// withDefaultFlags returns u with the flags that UCM fills in on addUser when they are unset.
func withDefaultFlags(u axl.User) axl.User {
	if u.EnableCTI == nil {
		u.EnableCTI = boolPointer(true)
	}

	if u.EnableMobility == nil {
		u.EnableMobility = boolPointer(false)
	}

	if u.HomeCluster == nil {
		u.HomeCluster = boolPointer(true)
	}

	if u.IMAndPresenceEnable == nil {
		u.IMAndPresenceEnable = boolPointer(false)
	}

	return u
}

func TestClientAddGetUserRoundTrip(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedUserDevices(t, client)

	want := fullUser()

	uuid, err := client.AddUser(ctx, want)
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	if !uuidPattern.MatchString(uuid) {
		t.Errorf("AddUser uuid = %q, want braces and upper-case hex", uuid)
	}

	got, err := client.GetUser(ctx, "JDOE")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	want.UUID = uuid
	want = withDefaultFlags(want)

	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetUser = %+v\nwant %+v", got, want)
	}

	stored, ok := sim.User("jdoe")
	if !ok || !reflect.DeepEqual(stored, want) {
		t.Errorf("simulator holds %+v (found %v), want %+v", stored, ok, want)
	}
}

func TestClientAddUserMinimalGetsDefaults(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	if _, err := client.AddUser(ctx, axl.User{UserID: "min", LastName: "Minimal"}); err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	got, err := client.GetUser(ctx, "min")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	if got.PresenceGroupName != axl.DefaultPresenceGroup {
		t.Errorf("PresenceGroupName = %q, want %q", got.PresenceGroupName, axl.DefaultPresenceGroup)
	}

	if got.PrimaryExtension != nil {
		t.Errorf("PrimaryExtension = %+v, want nil", got.PrimaryExtension)
	}

	if len(got.AssociatedDevices) != 0 {
		t.Errorf("AssociatedDevices = %v, want none", got.AssociatedDevices)
	}
}

func TestClientAddUserRejectsMissingFields(t *testing.T) {
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	tests := []struct {
		name string
		user axl.User
	}{
		{"no userid", axl.User{LastName: "Doe"}},
		{"no last name", axl.User{UserID: "jdoe"}},
		{"partition without pattern", axl.User{
			UserID: "jdoe", LastName: "Doe",
			PrimaryExtension: &axl.Extension{RoutePartitionName: "PT"},
		}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.AddUser(context.Background(), tt.user)
			if err == nil {
				t.Fatal("AddUser succeeded, want an error")
			}

			if axl.IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = true, want false", err)
			}
		})
	}

	if n := sim.Stats().Requests[axl.OpAddUser]; n != 0 {
		t.Errorf("simulator saw %d addUser requests, want 0", n)
	}
}

func TestClientAddUserDuplicate(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	if _, err := client.AddUser(ctx, axl.User{UserID: "Alice", LastName: "A"}); err != nil {
		t.Fatalf("first AddUser: %v", err)
	}

	_, err := client.AddUser(ctx, axl.User{UserID: "alice", LastName: "B"})
	if !axl.IsDuplicate(err) {
		t.Fatalf("second AddUser error = %v, want a duplicate fault", err)
	}

	if axl.IsRetryable(err) {
		t.Error("duplicate fault is retryable, want not")
	}

	var fault *axl.Fault
	if !errors.As(err, &fault) || fault.Operation != axl.OpAddUser || fault.HTTPStatus != 500 {
		t.Errorf("fault = %#v, want operation addUser and HTTP 500", fault)
	}
}

func TestClientGetUserNotFound(t *testing.T) {
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	_, err := client.GetUser(context.Background(), "nobody")
	if !axl.IsNotFound(err) {
		t.Fatalf("GetUser error = %v, want not found", err)
	}

	if axl.IsRetryable(err) {
		t.Error("not-found fault is retryable, want not")
	}
}

func TestClientUpdateUserSendsOnlySetFields(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedUserDevices(t, client)

	if _, err := client.AddUser(ctx, fullUser()); err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	err := client.UpdateUser(ctx, axl.UserUpdate{
		UserID:            "jdoe",
		Title:             stringPointer("CFO"),
		Department:        stringPointer(""),
		AssociatedDevices: []string{"SEP665544332211"},
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	got, _ := sim.User("jdoe")
	want := withDefaultFlags(fullUser())
	want.UUID = got.UUID
	want.Title = "CFO"
	want.Department = ""
	want.AssociatedDevices = []string{"SEP665544332211"}

	if !reflect.DeepEqual(got, want) {
		t.Errorf("after update = %+v\nwant %+v", got, want)
	}
}

func TestClientUpdateUserClearsListAndExtension(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedUserDevices(t, client)

	if _, err := client.AddUser(ctx, fullUser()); err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	err := client.UpdateUser(ctx, axl.UserUpdate{
		UserID:            "jdoe",
		AssociatedDevices: []string{},
		PrimaryExtension:  &axl.Extension{},
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	got, _ := sim.User("jdoe")
	if len(got.AssociatedDevices) != 0 {
		t.Errorf("AssociatedDevices = %v, want none", got.AssociatedDevices)
	}

	if got.PrimaryExtension != nil {
		t.Errorf("PrimaryExtension = %+v, want nil", got.PrimaryExtension)
	}

	if got.FirstName != "Jane" {
		t.Errorf("FirstName = %q, want Jane kept", got.FirstName)
	}
}

func TestClientUpdateUserRename(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	uuid, err := client.AddUser(ctx, axl.User{UserID: "jdoe", LastName: "Doe"})
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	rename := axl.UserUpdate{UserID: "jdoe", NewUserID: stringPointer("jane.doe")}
	if err := client.UpdateUser(ctx, rename); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	if _, ok := sim.User("jdoe"); ok {
		t.Error("old userid still exists")
	}

	got, ok := sim.User("jane.doe")
	if !ok || got.UUID != uuid {
		t.Errorf("renamed user = %+v (found %v), want UUID %s", got, ok, uuid)
	}
}

func TestClientUpdateUserEmptyMakesNoCall(t *testing.T) {
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	if err := client.UpdateUser(context.Background(), axl.UserUpdate{UserID: "jdoe"}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	if n := sim.Stats().Requests[axl.OpUpdateUser]; n != 0 {
		t.Errorf("simulator saw %d updateUser requests, want 0", n)
	}
}

func TestClientUpdateUserNotFound(t *testing.T) {
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	err := client.UpdateUser(context.Background(), axl.UserUpdate{UserID: "ghost", Title: stringPointer("x")})
	if !axl.IsNotFound(err) {
		t.Fatalf("UpdateUser error = %v, want not found", err)
	}
}

func TestClientRemoveUser(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	if _, err := client.AddUser(ctx, axl.User{UserID: "jdoe", LastName: "Doe"}); err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	if err := client.RemoveUser(ctx, "jdoe"); err != nil {
		t.Fatalf("RemoveUser: %v", err)
	}

	if _, ok := sim.User("jdoe"); ok {
		t.Error("user still exists after RemoveUser")
	}

	if err := client.RemoveUser(ctx, "jdoe"); !axl.IsNotFound(err) {
		t.Errorf("second RemoveUser error = %v, want not found", err)
	}
}

func seedUsers(t *testing.T, sim *axlsim.Server, n int) {
	t.Helper()

	for i := range n {
		u := axl.User{
			UserID:    "user" + string(rune('a'+i)),
			FirstName: "First" + string(rune('A'+i)),
			LastName:  "Smith",
			MailID:    "mail" + string(rune('a'+i)) + "@example.com",
		}
		if i%2 == 1 {
			u.LastName = "Jones"
		}

		if _, err := sim.PutUser(u); err != nil {
			t.Fatalf("PutUser: %v", err)
		}
	}
}

func userIDs(users []axl.User) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.UserID
	}

	return ids
}

func TestClientListUsersPaging(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedUsers(t, sim, 7)

	var pages [][]string
	for skip := 0; ; skip += 3 {
		users, err := client.ListUsers(ctx, axl.ListUsersRequest{UserID: "user%", Skip: skip, First: 3})
		if err != nil {
			t.Fatalf("ListUsers skip %d: %v", skip, err)
		}

		if len(users) == 0 {
			break
		}

		pages = append(pages, userIDs(users))
	}

	want := [][]string{
		{"usera", "userb", "userc"},
		{"userd", "usere", "userf"},
		{"userg"},
	}
	if !reflect.DeepEqual(pages, want) {
		t.Errorf("pages = %v, want %v", pages, want)
	}
}

func TestClientListUsersWildcardAndCriteria(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	seedUsers(t, sim, 5)

	tests := []struct {
		name    string
		request axl.ListUsersRequest
		want    []string
	}{
		{"all by default", axl.ListUsersRequest{}, []string{"usera", "userb", "userc", "userd", "usere"}},
		{"userid case-insensitive", axl.ListUsersRequest{UserID: "USER%"}, []string{
			"usera", "userb", "userc", "userd", "usere",
		}},
		{"exact userid", axl.ListUsersRequest{UserID: "userc"}, []string{"userc"}},
		{"last name", axl.ListUsersRequest{LastName: "Jones"}, []string{"userb", "userd"}},
		{"two criteria", axl.ListUsersRequest{LastName: "Smith", FirstName: "%C"}, []string{"userc"}},
		{"no match", axl.ListUsersRequest{UserID: "nobody%"}, []string{}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users, err := client.ListUsers(ctx, tt.request)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}

			if got := userIDs(users); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("userids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClientListUsersReturnedTags(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	stored, err := sim.PutUser(fullUser())
	if err != nil {
		t.Fatalf("PutUser: %v", err)
	}

	users, err := client.ListUsers(ctx, axl.ListUsersRequest{
		UserID:       "jdoe",
		ReturnedTags: []axl.Tag{axl.TagMailID, axl.TagUserID},
	})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}

	want := []axl.User{{UUID: stored.UUID, UserID: "jdoe", MailID: "jane.doe@example.com"}}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("ListUsers = %+v, want %+v", users, want)
	}

	all, err := client.ListUsers(ctx, axl.ListUsersRequest{UserID: "jdoe"})
	if err != nil {
		t.Fatalf("ListUsers all tags: %v", err)
	}

	wantAll := fullUser()
	wantAll.UUID = stored.UUID
	wantAll.AssociatedDevices = nil
	wantAll.PresenceGroupName = ""

	if len(all) != 1 || !reflect.DeepEqual(all[0], wantAll) {
		t.Errorf("ListUsers all tags = %+v, want %+v", all, wantAll)
	}
}

func TestClientListUsersRejectsBadRequests(t *testing.T) {
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	tests := []struct {
		name    string
		request axl.ListUsersRequest
		want    string
	}{
		{"tag not in listUser", axl.ListUsersRequest{ReturnedTags: []axl.Tag{"associatedDevices"}}, "GetUser"},
		{"negative first", axl.ListUsersRequest{First: -1}, "negative"},
		{"skip without first", axl.ListUsersRequest{Skip: 10}, "needs first"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ListUsers(context.Background(), tt.request)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ListUsers error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestClientEscapesValues(t *testing.T) {
	ctx := context.Background()
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	want := axl.User{
		UserID:            `o'brien&co`,
		FirstName:         `<script>alert("x")</script>`,
		LastName:          `Ünal & "Söhne" 'Ltd' ]]> 山田 Иванов مريم`,
		Department:        "R&D <east>",
		Title:             "a\tb",
		PresenceGroupName: `"quoted" & <angled>`,
	}

	uuid, err := client.AddUser(ctx, want)
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	got, err := client.GetUser(ctx, want.UserID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	want.UUID = uuid
	want = withDefaultFlags(want)

	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetUser = %+v\nwant %+v", got, want)
	}
}

func TestClientSpeaksEveryVersion(t *testing.T) {
	for _, version := range axl.SupportedVersions() {
		t.Run(version, func(t *testing.T) {
			ctx := context.Background()
			client, sim := newSimClient(t, version, axlsim.Options{})

			if _, err := client.AddUser(ctx, axl.User{UserID: "v", LastName: "Version"}); err != nil {
				t.Fatalf("AddUser: %v", err)
			}

			if _, err := client.GetUser(ctx, "v"); err != nil {
				t.Fatalf("GetUser: %v", err)
			}

			if _, err := client.ListUsers(ctx, axl.ListUsersRequest{}); err != nil {
				t.Fatalf("ListUsers: %v", err)
			}

			if err := client.UpdateUser(ctx, axl.UserUpdate{UserID: "v", Title: stringPointer("t")}); err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}

			if err := client.RemoveUser(ctx, "v"); err != nil {
				t.Fatalf("RemoveUser: %v", err)
			}

			if faults := sim.Stats().Faults; faults != 0 {
				t.Errorf("simulator sent %d faults, want 0", faults)
			}
		})
	}
}

func TestClientWrongPassword(t *testing.T) {
	sim := axlsim.New(axlsim.Options{Username: testUsername, Password: testPassword})
	ts := httptest.NewTLSServer(sim)
	t.Cleanup(ts.Close)

	wrong := "not-the-password"

	client, err := axl.New(axl.Config{
		URL: ts.URL + "/axl/", Version: "14.0", Username: testUsername, Password: wrong,
		HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	_, err = client.GetUser(context.Background(), "jdoe")

	var fault *axl.Fault
	if !errors.As(err, &fault) || fault.HTTPStatus != http.StatusUnauthorized {
		t.Fatalf("GetUser error = %v, want a 401 fault", err)
	}

	if !strings.Contains(err.Error(), "username and password") {
		t.Errorf("error %q does not tell to check the username and password", err)
	}

	if strings.Contains(err.Error(), wrong) || strings.Contains(client.String(), wrong) {
		t.Error("the password appears in the error or String")
	}

	if axl.IsRetryable(err) {
		t.Error("401 is retryable, want not")
	}
}

func TestClientThrottledByInjectedFault(t *testing.T) {
	ctx := context.Background()
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	sim.InjectFault(axl.OpAddUser, axlsim.InjectedFault{HTTPStatus: http.StatusServiceUnavailable, Count: 2})

	for i := range 2 {
		_, err := client.AddUser(ctx, axl.User{UserID: "t", LastName: "T"})
		if !axl.IsThrottled(err) || !axl.IsRetryable(err) {
			t.Fatalf("AddUser %d error = %v, want throttled and retryable", i, err)
		}
	}

	if _, err := client.AddUser(ctx, axl.User{UserID: "t", LastName: "T"}); err != nil {
		t.Fatalf("AddUser after the faults: %v", err)
	}
}

func TestClientMemoryThrottleFault(t *testing.T) {
	client, sim := newSimClient(t, "14.0", axlsim.Options{})

	sim.InjectFault(axl.OpListUser, axlsim.InjectedFault{
		Code:    -1,
		Message: "Maximum AXL Memory Allocation Consumed. Please retry once requests in progress have completed",
	})

	_, err := client.ListUsers(context.Background(), axl.ListUsersRequest{})
	if !axl.IsThrottled(err) || !axl.IsRetryable(err) {
		t.Fatalf("ListUsers error = %v, want throttled and retryable", err)
	}
}

func TestClientSimulatorDownIsRetryable(t *testing.T) {
	client, sim := newSimClient(t, "14.0", axlsim.Options{})
	sim.SetDown(true)

	_, err := client.GetUser(context.Background(), "jdoe")
	if err == nil {
		t.Fatal("GetUser succeeded against a down simulator")
	}

	if !axl.IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}

	sim.SetDown(false)

	if _, err := client.GetUser(context.Background(), "jdoe"); !axl.IsNotFound(err) {
		t.Errorf("GetUser after SetDown(false) error = %v, want not found", err)
	}
}

func TestClientConnectionRefusedIsRetryable(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}

	addr := listener.Addr().String()
	listener.Close()

	client, err := axl.New(axl.Config{
		URL: "https://" + addr + "/axl/", Version: "14.0", Username: "u", Password: "p",
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	_, err = client.GetUser(context.Background(), "jdoe")
	if !axl.IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestClientTimeoutIsRetryable(t *testing.T) {
	sim := axlsim.New(axlsim.Options{Latency: 2 * time.Second})
	ts := httptest.NewTLSServer(sim)
	t.Cleanup(ts.Close)

	client, err := axl.New(axl.Config{
		URL: ts.URL + "/axl/", Version: "14.0", Username: "u", Password: "p",
		Timeout: 100 * time.Millisecond, HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	started := time.Now()
	_, err = client.GetUser(context.Background(), "jdoe")

	if elapsed := time.Since(started); elapsed > time.Second {
		t.Errorf("GetUser took %s, want the 100ms timeout", elapsed)
	}

	if !axl.IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestClientCanceledContextIsNotRetryable(t *testing.T) {
	client, _ := newSimClient(t, "14.0", axlsim.Options{})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := client.GetUser(ctx, "jdoe")
	if !errors.Is(err, context.Canceled) || axl.IsRetryable(err) {
		t.Errorf("GetUser error = %v, want context.Canceled and not retryable", err)
	}
}

func TestClientTrustsCAFile(t *testing.T) {
	sim := axlsim.New(axlsim.Options{Username: testUsername, Password: testPassword})

	url, err := sim.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	t.Cleanup(func() { sim.Close() })

	caFile := filepath.Join(t.TempDir(), "axlsim.pem")
	if err := os.WriteFile(caFile, sim.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}

	trusted, err := axl.New(axl.Config{
		URL: url, Version: "15.0", Username: testUsername, Password: testPassword, CAFile: caFile,
	})
	if err != nil {
		t.Fatalf("axl.New with CAFile: %v", err)
	}

	if _, err := trusted.AddUser(context.Background(), axl.User{UserID: "tls", LastName: "T"}); err != nil {
		t.Errorf("AddUser with CAFile: %v", err)
	}

	untrusted, err := axl.New(axl.Config{
		URL: url, Version: "15.0", Username: testUsername, Password: testPassword,
	})
	if err != nil {
		t.Fatalf("axl.New without CAFile: %v", err)
	}

	_, err = untrusted.GetUser(context.Background(), "tls")
	if err == nil {
		t.Fatal("GetUser trusted the self-signed certificate without CAFile")
	}

	if axl.IsRetryable(err) {
		t.Errorf("certificate error %v is retryable, want not", err)
	}
}

func TestClientRejectsLargeResponse(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		chunk := []byte(strings.Repeat("<user><userid>x</userid></user>", 1024))

		for written := 0; written <= axl.MaxResponseBytes; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(ts.Close)

	client, err := axl.New(axl.Config{
		URL: ts.URL + "/axl/", Version: "14.0", Username: "u", Password: "p", HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	_, err = client.ListUsers(context.Background(), axl.ListUsersRequest{})
	if !errors.Is(err, axl.ErrResponseTooLarge) || !axl.IsResponseTooLarge(err) {
		t.Fatalf("ListUsers error = %v, want ErrResponseTooLarge", err)
	}

	if !strings.Contains(err.Error(), "First") {
		t.Errorf("error %q does not tell to page with a smaller First", err)
	}

	if axl.IsRetryable(err) {
		t.Error("a response too large is retryable, want not")
	}
}
