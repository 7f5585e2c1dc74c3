// Package axlsim is an in-memory Cisco UCM for tests and demos. It serves the AXL user
// operations (getUser, addUser, updateUser, removeUser, listUser) in the wire format of UCM
// 12.5, 14.0 and 15.0. It replaces UCM and nothing else.
//
// It is strict where UCM is strict, so that client bugs show: the SOAPAction header must match
// the body's operation and namespace version, elements must follow the order of the AXL
// schema, and unknown elements are rejected, like missing required ones (userid and lastName
// on addUser), with HTTP 500 and a soapenv:Client fault. It answers as UCM does in the cases
// that ucmpush handles:
//
//   - addUser of an existing userid, compared regardless of case: axlcode -239.
//   - get, update or remove of a missing user: axlcode 5007, "Item not valid: The specified
//     User was not found".
//   - wrong basic authentication: HTTP 401 with an HTML page.
//   - more than [Options.MaxInFlight] requests at once, or writes above
//     [Options.MaxWritesPerSecond]: HTTP 503 with an HTML page.
//
// Tests add failures with [Server.InjectFault] and [Server.SetDown], and inspect the state
// with [Server.Users], [Server.User] and [Server.Stats]. The same controls are served as JSON
// under /axlsim/ for a simulator that runs as a separate process (see deploy/axlsim).
//
// The simulator models users only. It does not check that associated devices exist or that
// the primary extension is a line of one of them, as UCM does.
package axlsim
