// Package e2e holds the integration tests of ucmpush. They run the real workflows on a real
// Temporal dev server, with a real PostgreSQL and slapd, against the in-process AXL simulator;
// `make test` starts those services and sets UCMPUSH_E2E=required. Without UCMPUSH_E2E the
// tests skip, so `go test ./...` alone still runs the unit tests.
package e2e
