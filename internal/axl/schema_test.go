package axl_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/internal/axl"
	"github.com/ucmpush/ucmpush/internal/axl/axlschema"
)

// skipWithoutSchema skips the test when the AXL schema or xmllint is missing.
func skipWithoutSchema(t *testing.T) {
	t.Helper()

	if err := axlschema.Available(); err != nil {
		t.Skipf("skipping schema validation: %v", err)
	}
}

// TestRequestBodiesValidateAgainstSchema validates every body the client emits, for each
// operation with minimal and full fields and for each version, against AXL 14.0.
func TestRequestBodiesValidateAgainstSchema(t *testing.T) {
	skipWithoutSchema(t)

	dir := t.TempDir()
	var files []string

	for _, version := range axl.SupportedVersions() {
		for _, full := range []bool{false, true} {
			client, recorder := newRecordingClient(t, version)
			callEveryOperation(t, client, full)

			for i, request := range recorder.take() {
				op, doc, err := axlschema.OperationDocument(request.body)
				if err != nil {
					t.Fatalf("OperationDocument: %v", err)
				}

				name := fmt.Sprintf("%s-full%v-%02d-%s.xml", version, full, i, op)
				path := filepath.Join(dir, name)

				if err := os.WriteFile(path, doc, 0o600); err != nil {
					t.Fatal(err)
				}

				files = append(files, path)
			}
		}
	}

	// Three versions, minimal (5 calls) and full (7 calls).
	if want := 3 * (5 + 7); len(files) != want {
		t.Fatalf("collected %d bodies, want %d", len(files), want)
	}

	err := axlschema.Validate(files)
	if errors.Is(err, axlschema.ErrUnavailable) {
		t.Skipf("skipping schema validation: %v", err)
	}

	if err != nil {
		t.Fatal(err)
	}
}

// TestSchemaValidationCatchesWrongOrder shows that the validation above can fail: lastName
// after userid breaks XUser's sequence.
func TestSchemaValidationCatchesWrongOrder(t *testing.T) {
	skipWithoutSchema(t)

	path := filepath.Join(t.TempDir(), "misordered.xml")
	doc := `<ns:addUser xmlns:ns="http://www.cisco.com/AXL/API/14.0"><user><userid>u</userid>` +
		`<lastName>L</lastName></user></ns:addUser>`

	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}

	err := axlschema.Validate([]string{path})
	if err == nil {
		t.Fatal("Validate accepted lastName after userid")
	}

	if !strings.Contains(err.Error(), "misordered.xml") || !strings.Contains(err.Error(), "lastName") {
		t.Errorf("error %q does not name the file and the element", err)
	}
}
