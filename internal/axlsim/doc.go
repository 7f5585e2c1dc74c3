// Package axlsim is an in-memory Cisco UCM for tests and demos. It serves the AXL operations
// that ucmpush uses, in the wire format of UCM 12.5, 14.0 and 15.0. These are getUser,
// addUser, updateUser, removeUser and listUser, the same five for lines (addLine and so on)
// and phones (addPhone and so on), and add, get and remove of device profiles, remote
// destination profiles and remote destinations. It replaces UCM and nothing else.
//
// It is strict where UCM is strict, so that client bugs show: the SOAPAction header must match
// the body's operation and namespace version, elements must follow the order of the AXL
// schema, and unknown elements are rejected, like missing required ones (userid and lastName
// on addUser), with HTTP 500 and a soapenv:Client fault. It answers as UCM does in the cases
// that ucmpush handles:
//
//   - an add of an existing key (userid regardless of case, device name regardless of case,
//     pattern and partition, destination): axlcode -239.
//   - get, update or remove of a missing item, and a request that names a missing line, user,
//     device or profile: axlcode 5007, "Item not valid: The specified User was not found".
//   - a primary extension that is not a line of one of the user's associated devices:
//     axlcode 5003.
//   - a device name that does not fit its product (SEP and 12 hexadecimal digits for desk
//     phones; CSF, BOT, TCT or TAB and up to 12 upper-case letters or digits for Jabber), or a
//     protocol the product lacks: axlcode -746. Products outside a short table of desk phones
//     and Jabber clients get a soapenv:Client fault that names the table.
//   - a remote destination profile or remote destination whose owner lacks enableMobility:
//     axlcode 5003.
//   - wrong basic authentication: HTTP 401 with an HTML page.
//   - more than [Options.MaxInFlight] requests at once, or writes above
//     [Options.MaxWritesPerSecond]: HTTP 503 with an HTML page.
//
// Route partitions, calling search spaces, device pools, locations and templates are not
// modelled: any name is accepted. Patterns are stored as UCM stores them, with \+ for a
// leading +.
//
// Tests add failures with [Server.InjectFault] and [Server.SetDown], and inspect the state
// with [Server.Users], [Server.User], [Server.Lines], [Server.Phones],
// [Server.DeviceProfiles], [Server.RemoteDestinationProfiles], [Server.RemoteDestinations]
// and [Server.Stats]. The same controls are served as JSON under /axlsim/ for a simulator that
// runs as a separate process (see deploy/axlsim).
package axlsim
