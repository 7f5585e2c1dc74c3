package axlschema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOperationDocument(t *testing.T) {
	tests := []struct {
		name     string
		envelope string
		wantOp   string
		wantDoc  string
	}{
		{
			name: "prefix declared on envelope",
			envelope: `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
				`xmlns:ns="http://www.cisco.com/AXL/API/15.0"><soapenv:Header/><soapenv:Body>` +
				`<ns:getUser><userid>a&amp;b</userid></ns:getUser></soapenv:Body></soapenv:Envelope>`,
			wantOp:  "getUser",
			wantDoc: `<ns:getUser xmlns:ns="` + Namespace14 + `"><userid>a&amp;b</userid></ns:getUser>`,
		},
		{
			name: "prefix declared on element",
			envelope: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
				`<axl:removeUser xmlns:axl="http://www.cisco.com/AXL/API/12.5"><userid>x</userid>` +
				`</axl:removeUser></s:Body></s:Envelope>`,
			wantOp:  "removeUser",
			wantDoc: `<axl:removeUser xmlns:axl="` + Namespace14 + `"><userid>x</userid></axl:removeUser>`,
		},
		{
			name: "default namespace",
			envelope: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
				`<listUser xmlns="http://www.cisco.com/AXL/API/14.0"/></s:Body></s:Envelope>`,
			wantOp:  "listUser",
			wantDoc: `<listUser xmlns="` + Namespace14 + `"/>`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, doc, err := OperationDocument([]byte(tt.envelope))
			if err != nil {
				t.Fatalf("OperationDocument: %v", err)
			}

			if op != tt.wantOp {
				t.Errorf("operation = %q, want %q", op, tt.wantOp)
			}

			got := strings.TrimPrefix(string(doc), `<?xml version="1.0" encoding="UTF-8"?>`)
			if got = strings.TrimSpace(got); got != tt.wantDoc {
				t.Errorf("document = %s\nwant %s", got, tt.wantDoc)
			}
		})
	}
}

func TestOperationDocumentRejectsEmptyBody(t *testing.T) {
	envelope := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`

	if _, _, err := OperationDocument([]byte(envelope)); err == nil {
		t.Error("OperationDocument accepted an envelope without an operation")
	}
}

func TestSchemaDirFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(SchemaDirEnv, dir)

	_, err := SchemaDir()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("SchemaDir with an empty folder = %v, want ErrUnavailable", err)
	}

	for _, name := range []string{soapFile, enumsFile} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("<x/>"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	got, err := SchemaDir()
	if err != nil || got != dir {
		t.Errorf("SchemaDir = %q, %v, want %q", got, err, dir)
	}
}

func TestValidateEnvelopesNamesFailingFile(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("skipping schema validation: %v", err)
	}

	dir := t.TempDir()
	envelopes := map[string]string{
		"000001-addUser.xml": `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" ` +
			`xmlns:ns="http://www.cisco.com/AXL/API/15.0"><e:Body><ns:addUser><user><lastName>L</lastName>` +
			`<userid>u</userid></user></ns:addUser></e:Body></e:Envelope>`,
		"000002-addUser.xml": `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" ` +
			`xmlns:ns="http://www.cisco.com/AXL/API/15.0"><e:Body><ns:addUser><user><userid>u</userid>` +
			`<nickname>n</nickname></user></ns:addUser></e:Body></e:Envelope>`,
	}

	var files []string

	for name, body := range envelopes {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}

		files = append(files, path)
	}

	err := ValidateEnvelopes(files)
	if err == nil {
		t.Fatal("ValidateEnvelopes accepted an unknown element")
	}

	message := err.Error()
	if !strings.Contains(message, "000002-addUser.xml") || !strings.Contains(message, "nickname") {
		t.Errorf("error %q does not name the failing envelope and element", message)
	}

	if strings.Contains(message, "000001-addUser.xml") {
		t.Errorf("error %q names the valid envelope", message)
	}
}
