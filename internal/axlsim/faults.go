package axlsim

import (
	"maps"
	"math/rand/v2"
	"net/http"
	"time"
)

// AllOperations, as the op of [Server.InjectFault], applies the fault to every operation.
const AllOperations = "*"

// InjectedFault is a failure that [Server.InjectFault] makes the simulator return in place of
// executing a request.
//
// With Code or Message set, the simulator sends a SOAP fault with faultcode soapenv:Server and
// an axlError detail holding Code, Message and the operation, under HTTPStatus (500 when zero).
// Otherwise it sends an HTML error page with HTTPStatus (503 when zero), as UCM's web server
// does for throttling (503), proxies (502, 504) and other failures outside SOAP.
type InjectedFault struct {
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Code       int    `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	// Count is the number of calls that fail; with Probability set, the number of failures.
	// 0 means one call, or no limit when Probability is set.
	Count int `json:"count,omitempty"`
	// Probability, between 0 and 1, makes each call fail with that chance. Values above 1 are
	// treated as 1. 0 means every call until Count is reached.
	Probability float64 `json:"probability,omitempty"`
}

type injection struct {
	fault     InjectedFault
	remaining int // failures left; -1 is unlimited
}

// InjectFault makes the next calls of op fail with f, after authentication, the SOAPAction
// check and throttling, and before the operation runs. op is an operation name such as
// "addUser", or [AllOperations]. Several faults for one op apply in the order they were
// injected; op-specific faults go before those for all operations. A status outside 100-599
// becomes 500.
func (s *Server) InjectFault(op string, f InjectedFault) {
	if op == "" {
		op = AllOperations
	}

	f = normalizeFault(f)

	remaining := f.Count
	switch {
	case remaining <= 0 && f.Probability > 0:
		remaining = -1
	case remaining <= 0:
		remaining = 1
	}

	s.mu.Lock()
	s.faults[op] = append(s.faults[op], &injection{fault: f, remaining: remaining})
	s.mu.Unlock()

	s.logger.Info("axlsim fault injected", "operation", op, "httpStatus", f.HTTPStatus,
		"axlcode", f.Code, "message", f.Message, "count", remaining, "probability", f.Probability)
}

func normalizeFault(f InjectedFault) InjectedFault {
	soap := f.Code != 0 || f.Message != ""

	switch {
	case f.HTTPStatus == 0 && soap:
		f.HTTPStatus = http.StatusInternalServerError
	case f.HTTPStatus == 0:
		f.HTTPStatus = http.StatusServiceUnavailable
	case f.HTTPStatus < 100 || f.HTTPStatus > 599:
		f.HTTPStatus = http.StatusInternalServerError
	}

	f.Probability = min(max(f.Probability, 0), 1)

	return f
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.faults = make(map[string][]*injection)
}

// nextInjectedFault consumes and returns the fault that applies to the next call of op.
func (s *Server) nextInjectedFault(op string) (InjectedFault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, key := range []string{op, AllOperations} {
		for i, inj := range s.faults[key] {
			if inj.fault.Probability > 0 && rand.Float64() >= inj.fault.Probability {
				continue
			}

			if inj.remaining > 0 {
				inj.remaining--
			}

			if inj.remaining == 0 {
				s.faults[key] = append(s.faults[key][:i:i], s.faults[key][i+1:]...)
			}

			return inj.fault, true
		}
	}

	return InjectedFault{}, false
}

func (s *Server) writeInjected(w http.ResponseWriter, req request, f InjectedFault) int {
	s.count(func(st *Stats) { st.Faults++ })
	s.logger.Debug("axlsim sent an injected fault", "operation", req.op, "httpStatus", f.HTTPStatus,
		"axlcode", f.Code)

	if f.Code != 0 || f.Message != "" {
		return writeFault(w, req.op, &soapFault{
			status:    f.HTTPStatus,
			faultCode: "soapenv:Server",
			message:   f.Message,
			code:      f.Code,
			detail:    true,
		})
	}

	return writeHTML(w, f.HTTPStatus, "Injected failure of the AXL simulator.")
}

// SetDown makes the simulator close the connection of every AXL request without a response
// while down is true, as a stopped UCM node does. Clients see a transport error such as EOF.
// The test controls at /axlsim/ keep working.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()

	s.logger.Info("axlsim availability changed", "down", down)
}

func (s *Server) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.down
}

// Stats are counters of the simulator since it started or was last reset.
type Stats struct {
	// Requests counts authenticated AXL requests by operation, whatever their outcome;
	// requests without a readable operation count as "invalid".
	Requests map[string]int `json:"requests"`
	// Writes counts add, update and remove calls that changed the store.
	Writes int `json:"writes"`
	// Throttled counts HTTP 503 responses from MaxInFlight and MaxWritesPerSecond.
	Throttled int `json:"throttled"`
	// Faults counts SOAP faults and injected failures sent.
	Faults int `json:"faults"`
	// Unauthorized counts requests rejected with HTTP 401.
	Unauthorized int `json:"unauthorized"`
	// MaxInFlight is the largest number of requests processed at once.
	MaxInFlight int `json:"maxInFlight"`
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()

	stats := s.stats
	stats.Requests = maps.Clone(s.stats.Requests)

	return stats
}

// tokenBucket limits writes to rate per second with a burst of one second's worth, at least
// one. A zero rate admits everything.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64, now time.Time) tokenBucket {
	burst := max(rate, 1)

	return tokenBucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *tokenBucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}

	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now

	if b.tokens < 1 {
		return false
	}

	b.tokens--

	return true
}
