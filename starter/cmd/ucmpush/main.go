// Command ucmpush is the operator's command line for ucmpush; see package starter.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ucmpush/ucmpush/starter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := starter.Execute(ctx)
	stop()
	os.Exit(code)
}
