// Package axlschema validates AXL request bodies against Cisco's AXL 14.0 schema with xmllint,
// for tests. The schema is not part of this repository: [SchemaDir] finds it in a folder named
// shared/axl-schema/14.0 above the working directory, or in the folder that AXL_SCHEMA_DIR
// names. Cisco publishes the files in the AXL Toolkit (Cisco Unified CM Administration,
// Application, Plugins).
//
// Validation relaxes every minOccurs="1" of the schema to minOccurs="0", because UCM fills
// defaults for many elements the schema marks as required, and keeps the element order, which
// UCM enforces. The user, line and phone types are the same in AXL 12.5, 14.0 and 15.0, so
// [OperationDocument] rewrites the namespace of any version to 14.0 before validation.
package axlschema

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrUnavailable is wrapped by the errors of [SchemaDir] and [Validate] when the schema or
// xmllint is missing. Tests skip on it.
var ErrUnavailable = errors.New("axl schema validation is unavailable")

// SchemaDirEnv names the environment variable that overrides the schema folder.
const SchemaDirEnv = "AXL_SCHEMA_DIR"

// Namespace14 is the AXL namespace that the schema declares.
const Namespace14 = "http://www.cisco.com/AXL/API/14.0"

const (
	soapFile  = "AXLSoap.xsd"
	enumsFile = "AXLEnums.xsd"
	// batchSize keeps xmllint command lines far below the kernel's argument limit.
	batchSize = 500
)

// SchemaDir returns the folder that holds AXLSoap.xsd and AXLEnums.xsd: the value of
// AXL_SCHEMA_DIR when set, else the first shared/axl-schema/14.0 found in the working
// directory or one of its parents. The error wraps [ErrUnavailable] when neither exists.
func SchemaDir() (string, error) {
	if dir := os.Getenv(SchemaDirEnv); dir != "" {
		if !hasSchema(dir) {
			return "", fmt.Errorf("%w: %s=%s does not contain %s and %s",
				ErrUnavailable, SchemaDirEnv, dir, soapFile, enumsFile)
		}

		return dir, nil
	}

	start, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find axl schema: %w", err)
	}

	for dir := start; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "axl-schema", "14.0")
		if hasSchema(candidate) {
			return candidate, nil
		}

		if filepath.Dir(dir) == dir {
			break
		}
	}

	return "", fmt.Errorf("%w: no shared/axl-schema/14.0 with %s above %s: set %s to the folder "+
		"with Cisco's %s and %s (AXL Toolkit, version 14.0)",
		ErrUnavailable, soapFile, start, SchemaDirEnv, soapFile, enumsFile)
}

func hasSchema(dir string) bool {
	for _, name := range []string{soapFile, enumsFile} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !info.Mode().IsRegular() {
			return false
		}
	}

	return true
}

// Available returns nil when both xmllint and the schema are present, and otherwise an error
// that wraps [ErrUnavailable] and names what to install. Tests call it to decide whether to
// skip.
func Available() error {
	if _, err := exec.LookPath("xmllint"); err != nil {
		return errNoXmllint
	}

	_, err := SchemaDir()

	return err
}

var errNoXmllint = fmt.Errorf("%w: xmllint not found: install libxml2-utils (apt-get install libxml2-utils)",
	ErrUnavailable)

// Validate checks each file, a standalone XML document whose root is an AXL operation element
// such as addUser in the 14.0 namespace, against the relaxed schema. It runs xmllint once per
// 500 files, because loading the 3.7 MB schema dominates the run time. The error lists every
// xmllint message of the files that fail; it wraps [ErrUnavailable] when xmllint or the schema
// is missing. No files is no error.
func Validate(files []string) error {
	if len(files) == 0 {
		return nil
	}

	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return errNoXmllint
	}

	schema, cleanup, err := relaxedSchema()
	if err != nil {
		return err
	}
	defer cleanup()

	var failures []string

	for start := 0; start < len(files); start += batchSize {
		end := min(start+batchSize, len(files))

		messages, err := runXmllint(xmllint, schema, files[start:end])
		if err != nil {
			return err
		}

		failures = append(failures, messages...)
	}

	if len(failures) > 0 {
		return fmt.Errorf("axl request bodies do not validate against AXL schema 14.0:\n%s",
			strings.Join(failures, "\n"))
	}

	return nil
}

// runXmllint returns the messages of the files that fail validation.
func runXmllint(xmllint, schema string, files []string) ([]string, error) {
	args := append([]string{"--noout", "--schema", schema}, files...)
	output, err := exec.Command(xmllint, args...).CombinedOutput()

	var messages []string

	for _, line := range strings.Split(strings.TrimSpace(string(output)), "\n") {
		if line != "" && !strings.HasSuffix(line, " validates") {
			messages = append(messages, line)
		}
	}

	var exitError *exec.ExitError
	if err != nil && !errors.As(err, &exitError) {
		return nil, fmt.Errorf("run xmllint: %w", err)
	}

	if err != nil && len(messages) == 0 {
		return nil, fmt.Errorf("xmllint failed without messages: %w", err)
	}

	return messages, nil
}

// relaxedSchema writes the relaxed copy of the schema to a temporary folder and returns the
// path of its AXLSoap.xsd and a function that removes the folder.
func relaxedSchema() (string, func(), error) {
	dir, err := SchemaDir()
	if err != nil {
		return "", nil, err
	}

	soap, err := os.ReadFile(filepath.Join(dir, soapFile))
	if err != nil {
		return "", nil, fmt.Errorf("read axl schema: %w", err)
	}

	enums, err := os.ReadFile(filepath.Join(dir, enumsFile))
	if err != nil {
		return "", nil, fmt.Errorf("read axl schema: %w", err)
	}

	tmp, err := os.MkdirTemp("", "axlschema-")
	if err != nil {
		return "", nil, fmt.Errorf("create folder for relaxed axl schema: %w", err)
	}

	cleanup := func() { os.RemoveAll(tmp) }

	relaxed := bytes.ReplaceAll(soap, []byte(`minOccurs="1"`), []byte(`minOccurs="0"`))

	for name, data := range map[string][]byte{soapFile: relaxed, enumsFile: enums} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
			cleanup()

			return "", nil, fmt.Errorf("write relaxed axl schema: %w", err)
		}
	}

	return filepath.Join(tmp, soapFile), cleanup, nil
}

var axlNamespace = regexp.MustCompile(`http://www\.cisco\.com/AXL/API/[0-9]+\.[0-9]+`)

// OperationDocument extracts the operation element (the first child of the SOAP Body) of a
// SOAP envelope as a standalone XML document that [Validate] accepts. It declares the
// element's namespace prefix on the element, because envelopes usually declare it on
// Envelope, and rewrites AXL namespaces of any version to 14.0. It returns the operation's
// local name, such as "addUser".
func OperationDocument(envelope []byte) (string, []byte, error) {
	start, end, element, err := locateOperation(envelope)
	if err != nil {
		return "", nil, err
	}

	raw := envelope[start:end]

	nameEnd := bytes.IndexAny(raw, " \t\r\n/>")
	if nameEnd < 0 {
		return "", nil, errors.New("operation element has no end")
	}

	prefix := ""
	if colon := bytes.IndexByte(raw[:nameEnd], ':'); colon >= 0 {
		prefix = string(raw[1:colon])
	}

	var doc bytes.Buffer

	doc.WriteString(xml.Header)
	doc.Write(raw[:nameEnd])

	if !declaresPrefix(element, prefix) {
		attribute := "xmlns"
		if prefix != "" {
			attribute += ":" + prefix
		}

		fmt.Fprintf(&doc, ` %s="%s"`, attribute, element.Name.Space)
	}

	doc.Write(raw[nameEnd:])
	doc.WriteString("\n")

	rewritten := axlNamespace.ReplaceAll(doc.Bytes(), []byte(Namespace14))

	return element.Name.Local, rewritten, nil
}

// locateOperation returns the byte range of the first element inside the SOAP Body.
func locateOperation(envelope []byte) (int, int, xml.StartElement, error) {
	decoder := xml.NewDecoder(bytes.NewReader(envelope))
	var path []string

	for {
		offset := decoder.InputOffset()

		token, err := decoder.Token()
		if err == io.EOF {
			return 0, 0, xml.StartElement{}, errors.New("no operation element inside a SOAP Body")
		}

		if err != nil {
			return 0, 0, xml.StartElement{}, fmt.Errorf("parse SOAP envelope: %w", err)
		}

		switch t := token.(type) {
		case xml.StartElement:
			if len(path) == 2 && path[0] == "Envelope" && path[1] == "Body" {
				if err := decoder.Skip(); err != nil {
					return 0, 0, xml.StartElement{}, fmt.Errorf("parse SOAP envelope: %w", err)
				}

				return int(offset), int(decoder.InputOffset()), t, nil
			}

			path = append(path, t.Name.Local)
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

func declaresPrefix(element xml.StartElement, prefix string) bool {
	for _, attr := range element.Attr {
		if prefix == "" && attr.Name.Space == "" && attr.Name.Local == "xmlns" {
			return true
		}

		if prefix != "" && attr.Name.Space == "xmlns" && attr.Name.Local == prefix {
			return true
		}
	}

	return false
}

// ValidateEnvelopes extracts the operation element of each SOAP envelope file, such as the
// request bodies the AXL simulator records, and validates them all with [Validate]. The error
// names the envelope files whose operation fails.
func ValidateEnvelopes(files []string) error {
	if len(files) == 0 {
		return nil
	}

	tmp, err := os.MkdirTemp("", "axlschema-docs-")
	if err != nil {
		return fmt.Errorf("create folder for operation documents: %w", err)
	}
	defer os.RemoveAll(tmp)

	docs := make([]string, 0, len(files))
	sources := make(map[string]string, len(files))

	for i, file := range files {
		envelope, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("read axl envelope: %w", err)
		}

		_, doc, err := OperationDocument(envelope)
		if err != nil {
			return fmt.Errorf("axl envelope %s: %w", file, err)
		}

		path := filepath.Join(tmp, fmt.Sprintf("%06d.xml", i))
		if err := os.WriteFile(path, doc, 0o600); err != nil {
			return fmt.Errorf("write operation document: %w", err)
		}

		docs = append(docs, path)
		sources[path] = file
	}

	err = Validate(docs)
	if err == nil || errors.Is(err, ErrUnavailable) {
		return err
	}

	message := err.Error()
	for doc, source := range sources {
		message = strings.ReplaceAll(message, doc, source)
	}

	return errors.New(message)
}
