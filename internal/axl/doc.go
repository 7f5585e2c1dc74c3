// Package axl is a client for Cisco Unified Communications Manager's Administrative XML API
// (AXL): SOAP 1.1 over HTTPS with basic authentication, one endpoint per cluster, such as
// https://ucm.example.com:8443/axl/.
//
// The client covers the operations that ucmpush needs: get, add, update, remove and list of
// end users, lines and phones, and add, get and remove of extension mobility device profiles,
// remote destination profiles and remote destinations (single number reach). Its typed
// requests follow the sequences of Cisco's AXL schema, because UCM rejects elements out of
// schema order. Directory numbers are plain in the client's types (+4420...) and escaped on
// the wire as UCM stores them (\+4420...). The AXL version (12.5, 14.0 or 15.0) is set per
// cluster and selects both the SOAPAction header and the body namespace.
//
// Every failure that UCM reports comes back as a [*Fault]. The predicates [IsNotFound],
// [IsDuplicate], [IsThrottled], [IsRetryable] and [IsResponseTooLarge] classify errors,
// wrapped or not, so callers can decide whether to retry without parsing messages.
package axl
