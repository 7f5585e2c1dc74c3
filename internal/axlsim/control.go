package axlsim

import (
	"encoding/json"
	"fmt"
	"net/http"
)

const controlPrefix = "/axlsim/"

// serveControl serves the test controls, which need the same basic authentication as AXL:
//
//	GET    /axlsim/stats                     Stats as JSON
//	GET    /axlsim/users                     users as a JSON array, sorted by userid
//	GET    /axlsim/lines                     lines, sorted by pattern and partition
//	GET    /axlsim/phones                    phones, sorted by name
//	GET    /axlsim/deviceProfiles            device profiles, sorted by name
//	GET    /axlsim/remoteDestinationProfiles remote destination profiles, sorted by name
//	GET    /axlsim/remoteDestinations        remote destinations, sorted by destination
//	POST   /axlsim/faults?operation=addUser  inject the InjectedFault in the JSON body
//	DELETE /axlsim/faults                    clear injected faults
//	PUT    /axlsim/down                      body {"down": true} or {"down": false}
//	POST   /axlsim/reset                     Reset
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeUnauthorized(w)

		return
	}

	route := r.Method + " " + r.URL.Path[len(controlPrefix):]

	switch route {
	case "GET stats":
		writeJSON(w, s.Stats())
	case "GET users":
		writeJSON(w, s.Users())
	case "GET lines":
		writeJSON(w, s.Lines())
	case "GET phones":
		writeJSON(w, s.Phones())
	case "GET deviceProfiles":
		writeJSON(w, s.DeviceProfiles())
	case "GET remoteDestinationProfiles":
		writeJSON(w, s.RemoteDestinationProfiles())
	case "GET remoteDestinations":
		writeJSON(w, s.RemoteDestinations())
	case "POST faults":
		s.controlInjectFault(w, r)
	case "DELETE faults":
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case "PUT down":
		s.controlSetDown(w, r)
	case "POST reset":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, fmt.Sprintf("unknown control %q: see the axlsim package documentation", route),
			http.StatusNotFound)
	}
}

func (s *Server) controlInjectFault(w http.ResponseWriter, r *http.Request) {
	var fault InjectedFault

	decoder := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	decoder.DisallowUnknownFields()

	if err := decoder.Decode(&fault); err != nil {
		http.Error(w, "invalid fault JSON: "+err.Error(), http.StatusBadRequest)

		return
	}

	op := r.URL.Query().Get("operation")
	if op == "" {
		op = AllOperations
	}

	s.InjectFault(op, fault)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlSetDown(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Down *bool `json:"down"`
	}

	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body)
	if err != nil || body.Down == nil {
		http.Error(w, `invalid body: send {"down": true} or {"down": false}`, http.StatusBadRequest)

		return
	}

	s.SetDown(*body.Down)
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")

	if err := json.NewEncoder(w).Encode(value); err != nil {
		http.Error(w, "encode JSON: "+err.Error(), http.StatusInternalServerError)
	}
}
