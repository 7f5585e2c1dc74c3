package axlsim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axlsim"
)

func controlRequest(t *testing.T, ts *httptest.Server, method, path, body string) *http.Response {
	t.Helper()

	request, err := http.NewRequest(method, ts.URL+"/axlsim/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}

	request.SetBasicAuth(username, password)

	response, err := ts.Client().Do(request)
	if err != nil {
		t.Fatalf("%s /axlsim/%s: %v", method, path, err)
	}

	t.Cleanup(func() { response.Body.Close() })

	return response
}

func TestControlInjectsFaultsAndReports(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})
	client := newClient(t, ts, "14.0")
	ctx := context.Background()

	if _, err := sim.PutUser(axl.User{UserID: "jdoe", LastName: "Doe"}); err != nil {
		t.Fatal(err)
	}

	response := controlRequest(t, ts, http.MethodPost, "faults?operation=getUser", `{"httpStatus": 503, "count": 1}`)
	if response.StatusCode != http.StatusNoContent {
		t.Fatalf("POST faults = %d, want 204", response.StatusCode)
	}

	if _, err := client.GetUser(ctx, "jdoe"); !axl.IsThrottled(err) {
		t.Errorf("GetUser after injecting 503 = %v, want throttled", err)
	}

	response = controlRequest(t, ts, http.MethodGet, "stats", "")

	var stats axlsim.Stats
	if err := json.NewDecoder(response.Body).Decode(&stats); err != nil {
		t.Fatalf("decode stats: %v", err)
	}

	if stats.Requests["getUser"] != 1 || stats.Faults != 1 {
		t.Errorf("stats = %+v, want one getUser and one fault", stats)
	}

	response = controlRequest(t, ts, http.MethodGet, "users", "")

	var users []axl.User
	if err := json.NewDecoder(response.Body).Decode(&users); err != nil {
		t.Fatalf("decode users: %v", err)
	}

	if len(users) != 1 || users[0].UserID != "jdoe" || users[0].UUID == "" {
		t.Errorf("users = %+v, want jdoe with a UUID", users)
	}
}

func TestControlDownAndReset(t *testing.T) {
	sim, ts := newServer(t, axlsim.Options{})

	if _, err := sim.PutUser(axl.User{UserID: "jdoe", LastName: "Doe"}); err != nil {
		t.Fatal(err)
	}

	if response := controlRequest(t, ts, http.MethodPut, "down", `{"down": true}`); response.StatusCode != 204 {
		t.Fatalf("PUT down = %d, want 204", response.StatusCode)
	}

	if _, err := newClient(t, ts, "14.0").GetUser(context.Background(), "jdoe"); err == nil {
		t.Error("GetUser succeeded while down")
	}

	if response := controlRequest(t, ts, http.MethodPost, "reset", ""); response.StatusCode != 204 {
		t.Fatalf("POST reset = %d, want 204", response.StatusCode)
	}

	if len(sim.Users()) != 0 {
		t.Error("users remain after reset")
	}

	if _, err := newClient(t, ts, "14.0").GetUser(context.Background(), "jdoe"); !axl.IsNotFound(err) {
		t.Errorf("GetUser after reset = %v, want not found", err)
	}
}

func TestControlRejectsBadInput(t *testing.T) {
	_, ts := newServer(t, axlsim.Options{})

	tests := []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "faults", `{"status": 503}`, http.StatusBadRequest},
		{http.MethodPut, "down", `{}`, http.StatusBadRequest},
		{http.MethodGet, "faults", "", http.StatusNotFound},
	}

	for _, tt := range tests {
		response := controlRequest(t, ts, tt.method, tt.path, tt.body)
		body, _ := io.ReadAll(response.Body)

		if response.StatusCode != tt.want {
			t.Errorf("%s %s = %d (%s), want %d", tt.method, tt.path, response.StatusCode, body, tt.want)
		}
	}
}
