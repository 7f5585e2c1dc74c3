// Package axl is a client for Cisco Unified Communications Manager's Administrative XML API
// (AXL): SOAP 1.1 over HTTPS with basic authentication, one endpoint per cluster, such as
// https://ucm.example.com:8443/axl/.
//
// The client covers the end-user operations that ucmpush needs (getUser, addUser, updateUser,
// removeUser and listUser) with typed requests whose elements follow the sequences of Cisco's
// AXL schema, because UCM rejects elements out of schema order. The AXL version (12.5, 14.0 or
// 15.0) is set per cluster and selects both the SOAPAction header and the body namespace.
//
// Every failure that UCM reports comes back as a [*Fault]. The predicates [IsNotFound],
// [IsDuplicate], [IsThrottled], [IsRetryable] and [IsResponseTooLarge] classify errors,
// wrapped or not, so callers can decide whether to retry without parsing messages.
package axl
