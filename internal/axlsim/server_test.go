package axlsim_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axl/axlschema"
	"github.com/ucmpush/ucmpush/internal/axlsim"
)

const (
	username = "axladmin"
	password = "s3cret"
)

func newServer(t *testing.T, opts axlsim.Options) (*axlsim.Server, *httptest.Server) {
	t.Helper()

	opts.Username = username
	opts.Password = password
	sim := axlsim.New(opts)

	ts := httptest.NewTLSServer(sim)
	t.Cleanup(ts.Close)

	return sim, ts
}

func newClient(t *testing.T, ts *httptest.Server, version string) *axl.Client {
	t.Helper()

	client, err := axl.New(axl.Config{
		URL: ts.URL + "/axl/", Version: version, Username: username, Password: password,
		Timeout: 5 * time.Second, HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	return client
}

func envelope(version, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ` +
		`xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:ns="http://www.cisco.com/AXL/API/` + version + `"><soapenv:Header/><soapenv:Body>` +
		body + `</soapenv:Body></soapenv:Envelope>`
}

func soapAction(version, op string) string {
	return `"CUCM:DB ver=` + version + " " + op + `"`
}

// post sends body with the given SOAPAction and credentials and returns the response.
func post(t *testing.T, ts *httptest.Server, action, body string) (*http.Response, string) {
	t.Helper()

	request, err := http.NewRequest(http.MethodPost, ts.URL+"/axl/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}

	request.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if action != "" {
		request.Header.Set("SOAPAction", action)
	}

	request.SetBasicAuth(username, password)

	response, err := ts.Client().Do(request)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer response.Body.Close()

	data, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}

	return response, string(data)
}

// faultEnvelope reads a SOAP fault as UCM sends it.
type faultEnvelope struct {
	Fault struct {
		Code   string `xml:"faultcode"`
		String string `xml:"faultstring"`
		Detail *struct {
			AXLError struct {
				Code    int    `xml:"axlcode"`
				Message string `xml:"axlmessage"`
				Request string `xml:"request"`
			} `xml:"axlError"`
		} `xml:"detail"`
	} `xml:"Body>Fault"`
}

const addUserBody = `<ns:addUser><user><lastName>Doe</lastName><userid>jdoe</userid></user></ns:addUser>`

func TestServerFaultShapes(t *testing.T) {
	tests := []struct {
		name       string
		action     string // empty means the matching SOAPAction
		version    string
		op         string
		body       string
		faultCode  string
		axlCode    int // 0 means no detail
		wantString string
	}{
		{name: "missing lastName", op: "addUser",
			body:      `<ns:addUser><user><userid>jdoe</userid></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "lastName"},
		{name: "missing userid", op: "addUser",
			body:      `<ns:addUser><user><lastName>Doe</lastName></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "userid"},
		{name: "missing user", op: "addUser", body: `<ns:addUser/>`,
			faultCode: "soapenv:Client", wantString: "user"},
		{name: "unknown element", op: "addUser",
			body:      `<ns:addUser><user><lastName>D</lastName><userid>j</userid><nickname>x</nickname></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "nickname"},
		{name: "valid but not modelled", op: "addUser",
			body:      `<ns:addUser><user><lastName>D</lastName><userid>j</userid><manager>m</manager></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "simulator does not model it"},
		{name: "out of order", op: "addUser",
			body:      `<ns:addUser><user><userid>j</userid><lastName>D</lastName></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "out of order"},
		{name: "qualified child", op: "addUser",
			body:      `<ns:addUser><ns:user><lastName>D</lastName><userid>j</userid></ns:user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "unqualified"},
		{name: "text in complex element", op: "addUser",
			body:      `<ns:addUser><user>oops<lastName>D</lastName><userid>j</userid></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "element-only"},
		{name: "child in text element", op: "getUser",
			body:      `<ns:getUser><userid><b>j</b></userid></ns:getUser>`,
			faultCode: "soapenv:Client", wantString: "simple type"},
		{name: "unknown attribute", op: "getUser", body: `<ns:getUser color="red"><userid>j</userid></ns:getUser>`,
			faultCode: "soapenv:Client", wantString: "color"},
		{name: "SOAPAction other version", action: soapAction("12.5", "addUser"), op: "addUser",
			body: addUserBody, faultCode: "soapenv:Client", wantString: "does not match"},
		{name: "SOAPAction other operation", action: soapAction("14.0", "getUser"), op: "addUser",
			body: addUserBody, faultCode: "soapenv:Client", wantString: "does not match"},
		{name: "SOAPAction without quotes", action: "CUCM:DB ver=14.0 addUser", op: "addUser",
			body: addUserBody, faultCode: "soapenv:Client", wantString: "malformed"},
		{name: "namespace of unsupported version", version: "11.5", action: soapAction("11.5", "addUser"),
			op: "addUser", body: addUserBody, faultCode: "soapenv:Client", wantString: "namespace"},
		{name: "unknown operation", op: "addHuntPilot", body: `<ns:addHuntPilot><huntPilot/></ns:addHuntPilot>`,
			faultCode: "soapenv:Client", wantString: "does not implement the operation addHuntPilot"},
		{name: "two operations", op: "getUser",
			body:      `<ns:getUser><userid>a</userid></ns:getUser><ns:getUser><userid>b</userid></ns:getUser>`,
			faultCode: "soapenv:Client", wantString: "exactly one operation"},
		{name: "malformed XML", op: "getUser", body: `<ns:getUser><userid>a</ns:getUser>`,
			faultCode: "soapenv:Client", wantString: "Unmarshalling Error"},
		{name: "getUser not found", op: "getUser", body: `<ns:getUser><userid>ghost</userid></ns:getUser>`,
			faultCode: "soapenv:Server", axlCode: 5007,
			wantString: "Item not valid: The specified User was not found"},
		{name: "removeUser not found by uuid", op: "removeUser",
			body:      `<ns:removeUser><uuid>{00000000-0000-0000-0000-000000000000}</uuid></ns:removeUser>`,
			faultCode: "soapenv:Server", axlCode: 5007, wantString: "was not found"},
		{name: "duplicate userid other case", op: "addUser",
			body:      `<ns:addUser><user><lastName>D</lastName><userid>SEEDED</userid></user></ns:addUser>`,
			faultCode: "soapenv:Server", axlCode: -239, wantString: "duplicate value"},
		{name: "userid and uuid", op: "getUser",
			body:      `<ns:getUser><userid>a</userid><uuid>{00000000-0000-0000-0000-000000000000}</uuid></ns:getUser>`,
			faultCode: "soapenv:Client", wantString: "either userid or uuid"},
		{name: "neither userid nor uuid", op: "removeUser", body: `<ns:removeUser/>`,
			faultCode: "soapenv:Client", wantString: "userid"},
		{name: "empty search criteria", op: "listUser",
			body:      `<ns:listUser><searchCriteria/><returnedTags/></ns:listUser>`,
			faultCode: "soapenv:Client", wantString: "searchCriteria is empty"},
		{name: "listUser without returnedTags", op: "listUser",
			body:      `<ns:listUser><searchCriteria><userid>%</userid></searchCriteria></ns:listUser>`,
			faultCode: "soapenv:Client", wantString: "returnedTags"},
		{name: "list tag that LUser lacks", op: "listUser",
			body: `<ns:listUser><searchCriteria><userid>%</userid></searchCriteria>` +
				`<returnedTags><associatedDevices/></returnedTags></ns:listUser>`,
			faultCode: "soapenv:Client", wantString: "associatedDevices"},
		{name: "first not a number", op: "listUser",
			body: `<ns:listUser><searchCriteria><userid>%</userid></searchCriteria><returnedTags/>` +
				`<first>ten</first></ns:listUser>`,
			faultCode: "soapenv:Client", wantString: "'ten' is not a valid value"},
		{name: "empty userid value", op: "addUser",
			body:      `<ns:addUser><user><lastName>D</lastName><userid></userid></user></ns:addUser>`,
			faultCode: "soapenv:Client", wantString: "must not be empty"},
	}

	sim, ts := newServer(t, axlsim.Options{})
	if _, err := sim.PutUser(axl.User{UserID: "seeded", LastName: "S"}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := tt.version
			if version == "" {
				version = "14.0"
			}

			action := tt.action
			if action == "" {
				action = soapAction(version, tt.op)
			}

			response, body := post(t, ts, action, envelope(version, tt.body))

			if response.StatusCode != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", response.StatusCode)
			}

			if got := response.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/xml") {
				t.Errorf("Content-Type = %q, want text/xml", got)
			}

			var fault faultEnvelope
			if err := xml.Unmarshal([]byte(body), &fault); err != nil {
				t.Fatalf("response is not a SOAP fault: %v\n%s", err, body)
			}

			if fault.Fault.Code != tt.faultCode {
				t.Errorf("faultcode = %q, want %q", fault.Fault.Code, tt.faultCode)
			}

			if !strings.Contains(fault.Fault.String, tt.wantString) {
				t.Errorf("faultstring = %q, want it to contain %q", fault.Fault.String, tt.wantString)
			}

			checkDetail(t, fault, tt.axlCode, tt.op)
		})
	}
}

func checkDetail(t *testing.T, fault faultEnvelope, axlCode int, op string) {
	t.Helper()

	if axlCode == 0 {
		if fault.Fault.Detail != nil {
			t.Errorf("fault has a detail %+v, want none", fault.Fault.Detail)
		}

		return
	}

	if fault.Fault.Detail == nil {
		t.Fatal("fault has no detail, want an axlError")
	}

	detail := fault.Fault.Detail.AXLError
	if detail.Code != axlCode || detail.Request != op || detail.Message != fault.Fault.String {
		t.Errorf("axlError = %+v, want axlcode %d, request %s and the faultstring", detail, axlCode, op)
	}
}

func TestServerUnauthorized(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})

	for _, credentials := range [][2]string{{"", ""}, {username, "wrong"}, {"other", password}} {
		request, _ := http.NewRequest(http.MethodPost, ts.URL+"/axl/",
			strings.NewReader(envelope("14.0", addUserBody)))
		request.Header.Set("Content-Type", "text/xml")
		request.Header.Set("SOAPAction", soapAction("14.0", "addUser"))

		if credentials[0] != "" {
			request.SetBasicAuth(credentials[0], credentials[1])
		}

		response, err := ts.Client().Do(request)
		if err != nil {
			t.Fatal(err)
		}

		body, _ := io.ReadAll(response.Body)
		response.Body.Close()

		if response.StatusCode != http.StatusUnauthorized {
			t.Errorf("credentials %q: status = %d, want 401", credentials[0], response.StatusCode)
		}

		if !strings.HasPrefix(response.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<html") {
			t.Errorf("credentials %q: 401 body is not HTML: %s", credentials[0], body)
		}

		if !strings.HasPrefix(response.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("credentials %q: WWW-Authenticate = %q", credentials[0], response.Header.Get("WWW-Authenticate"))
		}
	}

	stats := sim.Stats()
	if stats.Unauthorized != 3 || len(sim.Users()) != 0 || stats.Requests["addUser"] != 0 {
		t.Errorf("stats = %+v and %d users, want 3 unauthorized and nothing executed", stats, len(sim.Users()))
	}
}

func TestServerRejectsSOAP12ContentType(t *testing.T) {
	_, ts := newServer(t, axlsim.Options{})

	request, _ := http.NewRequest(http.MethodPost, ts.URL+"/axl/", strings.NewReader(envelope("14.0", addUserBody)))
	request.Header.Set("Content-Type", "application/soap+xml")
	request.SetBasicAuth(username, password)

	response, err := ts.Client().Do(request)
	if err != nil {
		t.Fatal(err)
	}
	response.Body.Close()

	if response.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("status = %d, want 415", response.StatusCode)
	}
}

func TestServerEchoesSequence(t *testing.T) {
	_, ts := newServer(t, axlsim.Options{})

	response, body := post(t, ts, soapAction("15.0", "addUser"), envelope("15.0",
		`<ns:addUser sequence="42"><user><lastName>D</lastName><userid>j</userid></user></ns:addUser>`))

	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d: %s", response.StatusCode, body)
	}

	want := `<ns:addUserResponse xmlns:ns="http://www.cisco.com/AXL/API/15.0" sequence="42"><return>{`
	if !strings.Contains(body, want) {
		t.Errorf("response lacks %s:\n%s", want, body)
	}
}

func TestServerLooksUpByUUID(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})

	stored, err := sim.PutUser(axl.User{UserID: "jdoe", LastName: "Doe"})
	if err != nil {
		t.Fatal(err)
	}

	lower := strings.ToLower(stored.UUID)
	response, body := post(t, ts, soapAction("14.0", "getUser"), envelope("14.0",
		`<ns:getUser><uuid>`+lower+`</uuid><returnedTags><lastName/></returnedTags></ns:getUser>`))

	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d: %s", response.StatusCode, body)
	}

	want := `<return><user uuid="` + stored.UUID + `"><lastName>Doe</lastName></user></return>`
	if !strings.Contains(body, want) {
		t.Errorf("response lacks %s:\n%s", want, body)
	}
}

func TestServerConcurrentClients(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")

	const workers, perWorker = 8, 20

	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)

	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				userid := fmt.Sprintf("w%d-u%02d", w, i)
				if err := addGetUpdate(client, userid); err != nil {
					errs <- fmt.Errorf("%s: %w", userid, err)
				}
			}
		})
	}

	wg.Wait()
	close(errs)

	for err := range errs {
		t.Error(err)
	}

	users := sim.Users()
	if len(users) != workers*perWorker {
		t.Fatalf("simulator holds %d users, want %d", len(users), workers*perWorker)
	}

	if !slices.IsSortedFunc(users, func(a, b axl.User) int { return strings.Compare(a.UserID, b.UserID) }) {
		t.Error("Users is not sorted by userid")
	}

	stats := sim.Stats()
	if stats.Writes != 2*workers*perWorker || stats.Requests["getUser"] != workers*perWorker {
		t.Errorf("stats = %+v, want %d writes and %d getUser", stats, 2*workers*perWorker, workers*perWorker)
	}

	if stats.MaxInFlight < 1 || stats.MaxInFlight > workers {
		t.Errorf("MaxInFlight = %d, want between 1 and %d", stats.MaxInFlight, workers)
	}
}

func addGetUpdate(client *axl.Client, userid string) error {
	ctx := context.Background()

	if _, err := client.AddUser(ctx, axl.User{UserID: userid, LastName: "L"}); err != nil {
		return err
	}

	if _, err := client.GetUser(ctx, userid); err != nil {
		return err
	}

	title := "T-" + userid

	return client.UpdateUser(ctx, axl.UserUpdate{UserID: userid, Title: &title})
}

func TestServerMaxInFlight(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{MaxInFlight: 2, Latency: 300 * time.Millisecond})
	client := newClient(t, ts, "14.0")

	const calls = 6

	var wg sync.WaitGroup
	results := make(chan error, calls)

	for range calls {
		wg.Go(func() {
			_, err := client.GetUser(context.Background(), "nobody")
			results <- err
		})
	}

	wg.Wait()
	close(results)

	throttled, notFound := 0, 0

	for err := range results {
		switch {
		case axl.IsThrottled(err):
			throttled++
		case axl.IsNotFound(err):
			notFound++
		default:
			t.Errorf("unexpected result %v", err)
		}
	}

	if throttled != calls-2 || notFound != 2 {
		t.Errorf("throttled %d and executed %d, want %d and 2", throttled, notFound, calls-2)
	}

	stats := sim.Stats()
	if stats.MaxInFlight != 2 || stats.Throttled != calls-2 {
		t.Errorf("stats = %+v, want MaxInFlight 2 and Throttled %d", stats, calls-2)
	}
}

func TestServerWriteRate(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{MaxWritesPerSecond: 5})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()

	added, throttled := 0, 0

	for i := range 10 {
		_, err := client.AddUser(ctx, axl.User{UserID: fmt.Sprintf("u%d", i), LastName: "L"})

		switch {
		case err == nil:
			added++
		case axl.IsThrottled(err):
			throttled++
		default:
			t.Fatalf("AddUser %d: %v", i, err)
		}
	}

	if added != 5 || throttled != 5 {
		t.Errorf("added %d and throttled %d, want 5 and 5 (a burst of one second)", added, throttled)
	}

	if _, err := client.GetUser(ctx, "u0"); err != nil {
		t.Errorf("GetUser during write throttling: %v, want reads to pass", err)
	}

	time.Sleep(250 * time.Millisecond)

	if _, err := client.AddUser(ctx, axl.User{UserID: "later", LastName: "L"}); err != nil {
		t.Errorf("AddUser after the bucket refilled: %v", err)
	}

	if stats := sim.Stats(); stats.Throttled != 5 || stats.Writes != 6 {
		t.Errorf("stats = %+v, want Throttled 5 and Writes 6", stats)
	}
}

func TestServerListUserPagingAndWildcards(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "12.5")
	ctx := context.Background()

	for _, u := range []axl.User{
		{UserID: "Bob", FirstName: "Bob", LastName: "Baker"},
		{UserID: "alice", FirstName: "Alice", LastName: "Adams"},
		{UserID: "carol", FirstName: "carol", LastName: "Clark"},
		{UserID: "dave", FirstName: "Dave", LastName: "Adamson"},
	} {
		if _, err := sim.PutUser(u); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		request axl.ListUsersRequest
		want    []string
	}{
		{"sorted regardless of case", axl.ListUsersRequest{UserID: "%"}, []string{"alice", "Bob", "carol", "dave"}},
		{"userid ignores case", axl.ListUsersRequest{UserID: "b%"}, []string{"Bob"}},
		{"infix wildcard", axl.ListUsersRequest{LastName: "%dam%"}, []string{"alice", "dave"}},
		{"suffix wildcard", axl.ListUsersRequest{LastName: "%son"}, []string{"dave"}},
		{"names match case", axl.ListUsersRequest{FirstName: "C%"}, []string{}},
		{"several wildcards", axl.ListUsersRequest{UserID: "%a%e%"}, []string{"alice", "dave"}},
		{"first page", axl.ListUsersRequest{First: 2}, []string{"alice", "Bob"}},
		{"second page", axl.ListUsersRequest{Skip: 2, First: 2}, []string{"carol", "dave"}},
		{"past the end", axl.ListUsersRequest{Skip: 4, First: 2}, []string{}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users, err := client.ListUsers(ctx, tt.request)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}

			got := make([]string, len(users))
			for i, u := range users {
				got[i] = u.UserID
			}

			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("userids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestServerListUserIgnoresSkipWithoutFirst(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})

	for _, id := range []string{"a", "b", "c"} {
		if _, err := sim.PutUser(axl.User{UserID: id, LastName: "L"}); err != nil {
			t.Fatal(err)
		}
	}

	response, body := post(t, ts, soapAction("14.0", "listUser"), envelope("14.0",
		`<ns:listUser><searchCriteria><userid>%</userid></searchCriteria><returnedTags><userid/>`+
			`</returnedTags><skip>2</skip></ns:listUser>`))

	if response.StatusCode != http.StatusOK {
		t.Fatalf("status = %d: %s", response.StatusCode, body)
	}

	if n := strings.Count(body, "<user "); n != 3 {
		t.Errorf("response has %d users, want all 3 because skip needs first:\n%s", n, body)
	}
}

func TestServerRecordsRequests(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "requests")
	_, ts := newServer(t, axlsim.Options{RecordDir: dir})

	bodies := []struct {
		action string
		body   string
		file   string
	}{
		{soapAction("14.0", "addUser"), envelope("14.0", addUserBody), "000001-addUser.xml"},
		{soapAction("14.0", "getUser"), envelope("14.0", `<ns:getUser><userid>jdoe</userid></ns:getUser>`),
			"000002-getUser.xml"},
		{soapAction("14.0", "getUser"), "<not xml", "000003-invalid.xml"},
	}

	for _, b := range bodies {
		post(t, ts, b.action, b.body)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}

	var names []string
	for _, entry := range entries {
		names = append(names, entry.Name())
	}

	var want []string
	for _, b := range bodies {
		want = append(want, b.file)
	}

	if !reflect.DeepEqual(names, want) {
		t.Fatalf("recorded files = %v, want %v (and no temporary files)", names, want)
	}

	for _, b := range bodies {
		data, err := os.ReadFile(filepath.Join(dir, b.file))
		if err != nil {
			t.Fatal(err)
		}

		if string(data) != b.body {
			t.Errorf("%s = %q, want the request body %q", b.file, data, b.body)
		}
	}
}

// TestServerRecordingValidates checks what integration tests do with a recording: every
// body the client sent validates against the AXL schema.
func TestServerRecordingValidates(t *testing.T) {
	if err := axlschema.Available(); err != nil {
		t.Skipf("skipping schema validation: %v", err)
	}

	dir := t.TempDir()
	_, ts := newServer(t, axlsim.Options{RecordDir: dir})
	client := newClient(t, ts, "15.0")

	if err := addGetUpdate(client, "recorded"); err != nil {
		t.Fatal(err)
	}

	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("recorded %v (%v), want 3 files", files, err)
	}

	if err := axlschema.ValidateEnvelopes(files); err != nil {
		t.Error(err)
	}
}

func TestServerInjectFault(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()

	sim.InjectFault("addUser", axlsim.InjectedFault{Code: -1, Message: "database busy", Count: 2})

	for i := range 2 {
		_, err := client.AddUser(ctx, axl.User{UserID: "u", LastName: "L"})

		var fault *axl.Fault
		if !errors.As(err, &fault) || fault.Code != -1 || fault.Message != "database busy" || fault.HTTPStatus != 500 {
			t.Fatalf("AddUser %d error = %v, want the injected axlcode -1 fault", i, err)
		}
	}

	if _, err := client.AddUser(ctx, axl.User{UserID: "u", LastName: "L"}); err != nil {
		t.Fatalf("AddUser after the injected faults: %v", err)
	}

	sim.InjectFault(axlsim.AllOperations, axlsim.InjectedFault{HTTPStatus: http.StatusBadGateway, Probability: 1})

	for range 3 {
		_, err := client.GetUser(ctx, "u")

		var fault *axl.Fault
		if !errors.As(err, &fault) || fault.HTTPStatus != http.StatusBadGateway || !axl.IsRetryable(err) {
			t.Fatalf("GetUser error = %v, want a retryable 502", err)
		}
	}

	sim.ClearFaults()

	if _, err := client.GetUser(ctx, "u"); err != nil {
		t.Errorf("GetUser after ClearFaults: %v", err)
	}

	if stats := sim.Stats(); stats.Faults != 5 || stats.Writes != 1 {
		t.Errorf("stats = %+v, want 5 faults and 1 write", stats)
	}
}

func TestServerSetDown(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")

	sim.SetDown(true)

	_, err := client.GetUser(context.Background(), "jdoe")
	if err == nil || !axl.IsRetryable(err) {
		t.Fatalf("GetUser while down = %v, want a retryable transport error", err)
	}

	var fault *axl.Fault
	if errors.As(err, &fault) {
		t.Errorf("GetUser while down returned the fault %+v, want a closed connection", fault)
	}

	stats := controlRequest(t, ts, http.MethodGet, "stats", "")
	if stats.StatusCode != http.StatusOK {
		t.Errorf("GET /axlsim/stats while down = %d, want 200", stats.StatusCode)
	}

	sim.SetDown(false)

	if _, err := client.GetUser(context.Background(), "jdoe"); !axl.IsNotFound(err) {
		t.Errorf("GetUser after SetDown(false) = %v, want not found", err)
	}
}

func TestServerReset(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")

	if _, err := client.AddUser(context.Background(), axl.User{UserID: "u", LastName: "L"}); err != nil {
		t.Fatal(err)
	}

	sim.InjectFault("getUser", axlsim.InjectedFault{})
	sim.SetDown(true)
	sim.Reset()

	if users := sim.Users(); len(users) != 0 {
		t.Errorf("Users after Reset = %v, want none", users)
	}

	if stats := sim.Stats(); stats.Writes != 0 || len(stats.Requests) != 0 {
		t.Errorf("Stats after Reset = %+v, want zero", stats)
	}

	if _, err := client.GetUser(context.Background(), "u"); !axl.IsNotFound(err) {
		t.Errorf("GetUser after Reset = %v, want not found (up, no injected fault)", err)
	}
}

func TestServerBannerAndPaths(t *testing.T) {
	_, ts := newServer(t, axlsim.Options{})

	for path, want := range map[string]int{"/axl/": 200, "/axl": 404, "/": 404, "/axlsim/nothing": 401} {
		response, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		response.Body.Close()

		if response.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, response.StatusCode, want)
		}
	}
}
