package axl_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ucmpush/ucmpush/internal/axl"
)

// capturedRequest is one request that the recording server received.
type capturedRequest struct {
	header http.Header
	body   []byte
}

// recordingServer returns a canned success for every AXL operation and keeps the requests.
type recordingServer struct {
	mu       sync.Mutex
	requests []capturedRequest
}

const cannedUUID = "{11111111-2222-3333-4444-555555555555}"

func (s *recordingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)

	s.mu.Lock()
	s.requests = append(s.requests, capturedRequest{header: r.Header.Clone(), body: body})
	s.mu.Unlock()

	action := strings.Trim(r.Header.Get("SOAPAction"), `"`)
	fields := strings.Fields(action)
	op := fields[len(fields)-1]
	version := strings.TrimPrefix(fields[1], "ver=")

	inner := "<return>" + cannedUUID + "</return>"
	switch op {
	case axl.OpGetUser:
		inner = `<return><user uuid="` + cannedUUID + `"><lastName>L</lastName><userid>u</userid></user></return>`
	case axl.OpListUser:
		inner = "<return/>"
	}

	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	_, _ = io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">`+
		`<soapenv:Body><ns:`+op+`Response xmlns:ns="http://www.cisco.com/AXL/API/`+version+`">`+inner+
		`</ns:`+op+`Response></soapenv:Body></soapenv:Envelope>`)
}

func (s *recordingServer) take() []capturedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()

	requests := s.requests
	s.requests = nil

	return requests
}

func newRecordingClient(t *testing.T, version string) (*axl.Client, *recordingServer) {
	t.Helper()

	recorder := &recordingServer{}
	ts := httptest.NewTLSServer(recorder)
	t.Cleanup(ts.Close)

	client, err := axl.New(axl.Config{
		URL: ts.URL + "/axl/", Version: version, Username: "axl", Password: "pw", HTTPClient: ts.Client(),
	})
	if err != nil {
		t.Fatalf("axl.New: %v", err)
	}

	return client, recorder
}

// callEveryOperation makes each operation once, with minimal or with all fields.
func callEveryOperation(t *testing.T, client *axl.Client, full bool) {
	t.Helper()

	ctx := context.Background()
	user := axl.User{UserID: "jdoe", LastName: "Doe"}
	update := axl.UserUpdate{UserID: "jdoe", Title: stringPointer("Controller")}
	list := axl.ListUsersRequest{}

	if full {
		user = fullUser()
		update = axl.UserUpdate{
			UserID:            "jdoe",
			NewUserID:         stringPointer("jane.doe"),
			FirstName:         stringPointer("Jane"),
			LastName:          stringPointer("Doe"),
			MailID:            stringPointer("jane@example.com"),
			TelephoneNumber:   stringPointer("+41 44 555 01 23"),
			Department:        stringPointer(""),
			Title:             stringPointer("CFO"),
			AssociatedDevices: []string{"SEP001122334455", "CSFJDOE"},
			PrimaryExtension:  &axl.Extension{Pattern: "1001", RoutePartitionName: "Internal_PT"},
		}
		list = axl.ListUsersRequest{UserID: "j%", FirstName: "J%", LastName: "D%", Skip: 10, First: 5}
	}

	if _, err := client.AddUser(ctx, user); err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	if err := client.UpdateUser(ctx, update); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	if full {
		clear := axl.UserUpdate{UserID: "jdoe", AssociatedDevices: []string{}, PrimaryExtension: &axl.Extension{}}
		if err := client.UpdateUser(ctx, clear); err != nil {
			t.Fatalf("UpdateUser clearing: %v", err)
		}

		tagged := axl.ListUsersRequest{UserID: "%", ReturnedTags: []axl.Tag{axl.TagTitle, axl.TagUserID}}
		if _, err := client.ListUsers(ctx, tagged); err != nil {
			t.Fatalf("ListUsers with tags: %v", err)
		}
	}

	if _, err := client.GetUser(ctx, "jdoe"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}

	if _, err := client.ListUsers(ctx, list); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}

	if err := client.RemoveUser(ctx, "jdoe"); err != nil {
		t.Fatalf("RemoveUser: %v", err)
	}
}

func TestClientHeadersAndNamespacePerVersion(t *testing.T) {
	for _, version := range []string{"12.5", "14.0", "15.0"} {
		t.Run(version, func(t *testing.T) {
			client, recorder := newRecordingClient(t, version)
			callEveryOperation(t, client, false)

			wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("axl:pw"))
			wantOps := []string{"addUser", "updateUser", "getUser", "listUser", "removeUser"}
			requests := recorder.take()

			if len(requests) != len(wantOps) {
				t.Fatalf("server received %d requests, want %d", len(requests), len(wantOps))
			}

			for i, op := range wantOps {
				header, body := requests[i].header, string(requests[i].body)

				if got := header.Get("Content-Type"); got != "text/xml; charset=utf-8" {
					t.Errorf("%s Content-Type = %q", op, got)
				}

				if got, want := header.Get("SOAPAction"), `"CUCM:DB ver=`+version+" "+op+`"`; got != want {
					t.Errorf("%s SOAPAction = %q, want %q", op, got, want)
				}

				if got := header.Get("Authorization"); got != wantAuth {
					t.Errorf("%s Authorization = %q, want %q", op, got, wantAuth)
				}

				if want := `xmlns:ns="http://www.cisco.com/AXL/API/` + version + `"`; !strings.Contains(body, want) {
					t.Errorf("%s body lacks %s:\n%s", op, want, body)
				}

				if want := "<soapenv:Body><ns:" + op + ">"; !strings.Contains(body, want) {
					t.Errorf("%s body lacks %s:\n%s", op, want, body)
				}
			}
		})
	}
}

func TestClientEscapesRequestBody(t *testing.T) {
	client, recorder := newRecordingClient(t, "14.0")

	_, err := client.AddUser(context.Background(), axl.User{
		UserID:    "x",
		FirstName: `<b>"Tom" & 'Jerry'</b>`,
		LastName:  "山田",
	})
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}

	body := string(recorder.take()[0].body)

	if strings.Contains(body, "<b>") || strings.Contains(body, `"Tom" & `) {
		t.Errorf("body carries the first name unescaped:\n%s", body)
	}

	want := "<firstName>&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;</firstName>"
	if !strings.Contains(body, want) {
		t.Errorf("body lacks %s:\n%s", want, body)
	}

	if !strings.Contains(body, "<lastName>山田</lastName>") {
		t.Errorf("body does not carry the last name in UTF-8:\n%s", body)
	}
}

func TestClientSendsOnlySetUpdateFields(t *testing.T) {
	client, recorder := newRecordingClient(t, "14.0")

	err := client.UpdateUser(context.Background(), axl.UserUpdate{UserID: "jdoe", Department: stringPointer("")})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}

	body := string(recorder.take()[0].body)
	want := "<ns:updateUser><userid>jdoe</userid><department></department></ns:updateUser>"

	if !strings.Contains(body, want) {
		t.Errorf("body lacks %s:\n%s", want, body)
	}
}
