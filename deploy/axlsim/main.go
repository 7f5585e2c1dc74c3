// Command axlsim runs the AXL simulator, an in-memory Cisco UCM, over HTTPS for the demo and
// for integration tests. It is a test tool: it listens on loopback addresses only, unless
// --allow-remote is given.
//
//	axlsim --username axl --password-file ./password --cert-out ./axlsim.pem
//
// The worker trusts the simulator through the certificate written to --cert-out. While it runs,
// /axlsim/ serves test controls (stats, users, fault injection, down mode, reset) as JSON; see
// package internal/axlsim. SIGINT or SIGTERM stops it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)

	err := newRootCommand(os.Stderr).ExecuteContext(ctx)

	stop()

	if err != nil {
		fmt.Fprintln(os.Stderr, "axlsim:", err)
		os.Exit(1)
	}
}
