package main

import (
	"os"
	"strings"
	"testing"
)

// TestMain clears the simulator's environment variables, which `. .devstack/env` exports
// while the local stack runs, so every test sees only the flags it passes.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AXL_") || strings.HasPrefix(name, "AXLSIM_") {
			os.Unsetenv(name)
		}
	}
	os.Exit(m.Run())
}
