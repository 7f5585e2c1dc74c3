// Package secrets reads the secrets that configuration refers to. The store, workflow inputs
// and histories carry only references such as env:AXL_PASSWORD or file:/run/secrets/axl; the
// worker resolves them when it dials a server, so a secret never leaves the worker's memory.
package secrets

import (
	"fmt"
	"os"
	"strings"

	"github.com/ucmpush/ucmpush/domain"
)

// Resolver reads secrets from the environment and from files. The zero value uses the
// process environment and the file system.
type Resolver struct {
	// LookupEnv replaces os.LookupEnv, for tests.
	LookupEnv func(string) (string, bool)
	// ReadFile replaces os.ReadFile, for tests.
	ReadFile func(string) ([]byte, error)
}

// Resolve returns the secret that ref points at. env:NAME returns the variable's value and
// fails when it is unset or empty; file:/path returns the file's contents with surrounding
// white space trimmed and fails when the file cannot be read or is empty. Errors name the
// reference, never the secret.
func (r Resolver) Resolve(ref string) (string, error) {
	if err := domain.ValidateSecretRef(ref); err != nil {
		return "", err
	}
	scheme, name, _ := strings.Cut(ref, ":")

	if scheme == "env" {
		lookup := r.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		value, ok := lookup(name)
		if !ok || value == "" {
			return "", fmt.Errorf("secret %s: environment variable %s is not set in the worker; "+
				"set it before starting the worker", ref, name)
		}
		return value, nil
	}

	read := r.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	body, err := read(name)
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", ref, err)
	}
	value := strings.TrimSpace(string(body))
	if value == "" {
		return "", fmt.Errorf("secret %s: the file is empty", ref)
	}
	return value, nil
}
