package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// testUserID is personal data that must not survive encryption in any form.
const testUserID = "jdoe.secret-4711"

// testKey returns a key file line with a fixed key built from fill, so tests can tell keys
// apart without randomness.
func testKey(id string, fill byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{fill}, KeySize))
}

func mustParse(t *testing.T, lines ...string) *Keyring {
	t.Helper()

	ring, err := ParseKeys([]byte(strings.Join(lines, "\n")), "test-keys")
	if err != nil {
		t.Fatalf("parse keys: %v", err)
	}

	return ring
}

type pushInput struct {
	UserID   string `json:"userID"`
	LastName string `json:"lastName"`
}

func TestCodecRoundTrip(t *testing.T) {
	dc := DataConverter(mustParse(t, testKey("k1", 1)))
	in := pushInput{UserID: testUserID, LastName: "Doe <&> \"Ünïcødé\" 田中 🙂"}

	payload, err := dc.ToPayload(in)
	if err != nil {
		t.Fatalf("to payload: %v", err)
	}

	if got := string(payload.Metadata[converter.MetadataEncoding]); got != EncodingEncrypted {
		t.Errorf("encoding = %q, want %q", got, EncodingEncrypted)
	}

	if got := string(payload.Metadata[MetadataKeyID]); got != "k1" {
		t.Errorf("key ID metadata = %q, want k1", got)
	}

	var out pushInput
	if err := dc.FromPayload(payload, &out); err != nil {
		t.Fatalf("from payload: %v", err)
	}

	if out != in {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}
}

func TestCodecRoundTripKeepsPayloadsAndNils(t *testing.T) {
	c := NewCodec(mustParse(t, testKey("k1", 1)))
	in := []*commonpb.Payload{
		{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"a"`)},
		nil,
		{Metadata: map[string][]byte{"encoding": []byte("binary/null")}},
		{Metadata: map[string][]byte{"encoding": []byte("binary/plain")}, Data: []byte{0, 1, 2}},
	}

	encoded, err := c.Encode(in)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}

	if encoded[1] != nil {
		t.Errorf("encode turned a nil payload into %v", encoded[1])
	}

	decoded, err := c.Decode(encoded)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}

	if len(decoded) != len(in) {
		t.Fatalf("decode returned %d payloads, want %d", len(decoded), len(in))
	}

	for i := range in {
		if !proto.Equal(decoded[i], in[i]) {
			t.Errorf("payload %d = %v, want %v", i, decoded[i], in[i])
		}
	}
}

func TestCodecFreshNonce(t *testing.T) {
	c := NewCodec(mustParse(t, testKey("k1", 1)))
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")},
		Data: []byte(`"` + testUserID + `"`)}

	first, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("encode: %v", err)
	}

	second, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("encode: %v", err)
	}

	if bytes.Equal(first[0].Data[:12], second[0].Data[:12]) {
		t.Errorf("two encodings share the nonce %x", first[0].Data[:12])
	}

	if bytes.Equal(first[0].Data, second[0].Data) {
		t.Error("two encodings of one payload are identical")
	}
}

func TestCodecTamperDetected(t *testing.T) {
	ring := mustParse(t, testKey("k1", 1), testKey("k2", 2))
	c := NewCodec(ring)
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")},
		Data: []byte(`{"userID":"` + testUserID + `"}`)}

	encoded, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("encode: %v", err)
	}

	// Every byte matters: the nonce, the ciphertext and the tag.
	for i := range encoded[0].Data {
		altered := proto.Clone(encoded[0]).(*commonpb.Payload)
		altered.Data[i] ^= 0x01

		if _, err := c.Decode([]*commonpb.Payload{altered}); err == nil {
			t.Errorf("decode accepted a payload with byte %d of %d flipped", i, len(altered.Data))
		}
	}

	truncated := proto.Clone(encoded[0]).(*commonpb.Payload)
	truncated.Data = truncated.Data[:10]
	if _, err := c.Decode([]*commonpb.Payload{truncated}); err == nil ||
		!strings.Contains(err.Error(), "truncated") {
		t.Errorf("decode of a truncated payload: error %v, want one saying it is truncated", err)
	}

	// The key ID is authenticated, so pointing a payload at another known key fails too.
	swapped := proto.Clone(encoded[0]).(*commonpb.Payload)
	swapped.Metadata[MetadataKeyID] = []byte("k2")
	if _, err := c.Decode([]*commonpb.Payload{swapped}); err == nil {
		t.Error("decode accepted a payload whose key ID was changed to another key")
	}

	otherCipher := proto.Clone(encoded[0]).(*commonpb.Payload)
	otherCipher.Metadata[MetadataCipher] = []byte("AES-128-CBC")
	if _, err := c.Decode([]*commonpb.Payload{otherCipher}); err == nil ||
		!strings.Contains(err.Error(), "AES-128-CBC") {
		t.Errorf("decode of an unknown cipher: error %v, want one naming the cipher", err)
	}
}

func TestCodecRotation(t *testing.T) {
	before := NewCodec(mustParse(t, testKey("2025-01", 1)))
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")},
		Data: []byte(`"old history"`)}

	old, err := before.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("encode with the old key: %v", err)
	}

	rotated := mustParse(t, "# new key first, old key kept", testKey("2026-01", 2), testKey("2025-01", 1))
	after := NewCodec(rotated)

	decoded, err := after.Decode(old)
	if err != nil {
		t.Fatalf("rotated keyring cannot decode a payload of the old key: %v", err)
	}

	if !proto.Equal(decoded[0], p) {
		t.Errorf("old payload decoded to %v, want %v", decoded[0], p)
	}

	fresh, err := after.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("encode with the rotated keyring: %v", err)
	}

	if got := string(fresh[0].Metadata[MetadataKeyID]); got != "2026-01" {
		t.Errorf("rotated keyring encrypts with %q, want the new first key 2026-01", got)
	}

	if got := rotated.EncryptionKeyID(); got != "2026-01" {
		t.Errorf("EncryptionKeyID = %q, want 2026-01", got)
	}

	if _, err := before.Decode(fresh); err == nil {
		t.Error("the old keyring decoded a payload of the new key it does not hold")
	}
}

func TestCodecUnknownKeyID(t *testing.T) {
	old := NewCodec(mustParse(t, testKey("retired", 1)))
	current := NewCodec(mustParse(t, testKey("current", 2)))
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`1`)}

	encoded, err := old.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("encode: %v", err)
	}

	_, err = current.Decode(encoded)
	if err == nil {
		t.Fatal("decode with a keyring that lacks the key succeeded")
	}

	for _, want := range []string{`"retired"`, "test-keys", "add the line"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestCodecPassesPlainPayloadsThrough(t *testing.T) {
	c := NewCodec(mustParse(t, testKey("k1", 1)))
	plain, err := converter.GetDefaultDataConverter().ToPayload(pushInput{UserID: testUserID})
	if err != nil {
		t.Fatalf("to payload: %v", err)
	}

	noMetadata := &commonpb.Payload{Data: []byte("raw")}
	zlib := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("binary/zlib")},
		Data: []byte{1, 2, 3}}
	in := []*commonpb.Payload{plain, noMetadata, zlib, nil}

	decoded, err := c.Decode(in)
	if err != nil {
		t.Fatalf("decode of plain payloads: %v", err)
	}

	for i := range in {
		if decoded[i] != in[i] {
			t.Errorf("payload %d was changed on decode: %v, want %v unchanged", i, decoded[i], in[i])
		}
	}

	var out pushInput
	if err := DataConverter(mustParse(t, testKey("k1", 1))).FromPayload(plain, &out); err != nil {
		t.Fatalf("data converter cannot read a plain payload: %v", err)
	}

	if out.UserID != testUserID {
		t.Errorf("plain payload read as %+v, want userID %s", out, testUserID)
	}
}

// forms lists the ways a value could leak into stored bytes: raw, in either case, as base64
// (standard, unpadded and URL) of any alignment, and as hex.
func forms(value string) []string {
	out := []string{value, strings.ToUpper(value), strings.ToLower(value), hex.EncodeToString([]byte(value))}

	// A value inside base64 shows as one of three encodings, one per alignment. Drop the
	// characters that depend on neighbouring bytes.
	for shift := range 3 {
		padded := strings.Repeat("\x00", shift) + value
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := enc.EncodeToString([]byte(padded))
			s = strings.TrimRight(s, "=")
			start := (shift*4 + 2) / 3
			end := len(s) - 2
			if end > start {
				out = append(out, s[start:end])
			}
		}
	}

	return out
}

func TestCodecCiphertextHidesPlaintext(t *testing.T) {
	dc := DataConverter(mustParse(t, testKey("k1", 1)))

	payload, err := dc.ToPayload(pushInput{UserID: testUserID, LastName: "Doe"})
	if err != nil {
		t.Fatalf("to payload: %v", err)
	}

	wire, err := proto.Marshal(payload)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}

	// The Web UI and the CLI see a history as protobuf JSON, with data in base64.
	asJSON, err := protojson.Marshal(payload)
	if err != nil {
		t.Fatalf("protojson: %v", err)
	}

	for _, stored := range []string{string(payload.Data), string(wire), string(asJSON)} {
		for _, form := range forms(testUserID) {
			if strings.Contains(stored, form) {
				t.Errorf("stored payload contains %q, a form of the userid", form)
			}
		}

		if strings.Contains(stored, "json/plain") {
			t.Error("stored payload reveals the inner encoding json/plain")
		}
	}

	// The check itself must catch a plain payload, or it proves nothing.
	plain, _ := converter.GetDefaultDataConverter().ToPayload(pushInput{UserID: testUserID})
	plainJSON, _ := protojson.Marshal(plain)
	if !containsAny(string(plainJSON), forms(testUserID)) {
		t.Fatalf("the leak check misses the userid in a plain payload: %s", plainJSON)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}

	return false
}

func TestFailureConverterEncryptsMessage(t *testing.T) {
	ring := mustParse(t, testKey("k1", 1))
	fc := FailureConverter(ring)
	err := temporal.NewApplicationError("axl addUser "+testUserID+" failed", "AXLValidation")

	failure := fc.ErrorToFailure(err)

	asJSON, marshalErr := protojson.Marshal(failure)
	if marshalErr != nil {
		t.Fatalf("protojson: %v", marshalErr)
	}

	if containsAny(string(asJSON), forms(testUserID)) {
		t.Errorf("failure carries the userid in clear text: %s", asJSON)
	}

	back := fc.FailureToError(failure)

	var appErr *temporal.ApplicationError
	if !errors.As(back, &appErr) {
		t.Fatalf("failure decoded to %T %v, want an application error", back, back)
	}

	if !strings.Contains(appErr.Error(), testUserID) {
		t.Errorf("decoded failure %q lost the message", appErr.Error())
	}
}

func TestNilKeyringFails(t *testing.T) {
	c := NewCodec(nil)
	p := []*commonpb.Payload{{Data: []byte("x")}}

	if _, err := c.Encode(p); err == nil {
		t.Error("encode with a nil keyring succeeded")
	}

	if _, err := c.Decode(p); err == nil {
		t.Error("decode with a nil keyring succeeded")
	}
}

func TestParseKeysErrors(t *testing.T) {
	good := testKey("k1", 1)
	short := "short:" + base64.StdEncoding.EncodeToString(make([]byte, 16))
	long := "long:" + base64.StdEncoding.EncodeToString(make([]byte, 33))

	tests := []struct {
		name string
		file string
		want []string
	}{
		{name: "empty file", file: "", want: []string{"holds no key", "ucmpush-codec-server --generate-key"}},
		{name: "comments only", file: "# a\n\n   # b\n", want: []string{"holds no key"}},
		{name: "missing colon", file: good + "\n\nnocolonhere", want: []string{"line 3", "missing ':'"}},
		{name: "empty ID", file: ":" + strings.SplitN(good, ":", 2)[1], want: []string{"line 1", "empty key ID"}},
		{name: "bad ID", file: "k 1/x:" + strings.SplitN(good, ":", 2)[1], want: []string{"line 1", "invalid"}},
		{name: "long ID", file: strings.Repeat("a", 65) + ":" + strings.SplitN(good, ":", 2)[1],
			want: []string{"longer than 64"}},
		{name: "bad base64", file: "k1:not*base64!", want: []string{"line 1", "not valid standard base64"}},
		{name: "key of 16 bytes", file: "# c\n" + short, want: []string{"line 2", "16 bytes", "expected 32"}},
		{name: "key of 33 bytes", file: long,
			want: []string{"line 1", "33 bytes", "ucmpush-codec-server --generate-key"}},
		{name: "duplicate ID", file: good + "\n" + testKey("k2", 2) + "\n" + testKey("k1", 3),
			want: []string{"line 3", `"k1"`, "line 1"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeys([]byte(tt.file), "keys.txt")
			if err == nil {
				t.Fatal("ParseKeys succeeded")
			}

			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}

			// Operators read these errors: they name the command, not the Go function.
			if strings.Contains(err.Error(), "GenerateKey") {
				t.Errorf("error %q names the Go function GenerateKey", err)
			}

			// Errors name lines and IDs, never key material.
			for _, line := range strings.Split(tt.file, "\n") {
				_, secret, _ := strings.Cut(line, ":")
				if len(secret) > 8 && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains key material %q", err, secret)
				}
			}
		})
	}
}

func TestParseKeysFormats(t *testing.T) {
	unpadded := "raw:" + base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{7}, KeySize))
	file := "# ucmpush codec keys\r\n  " + testKey("new", 1) + "  \r\n\r\n" + unpadded + "\n# end"

	ring, err := ParseKeys([]byte(file), "keys.txt")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	if got := fmt.Sprint(ring.KeyIDs()); got != "[new raw]" {
		t.Errorf("key IDs = %s, want [new raw]", got)
	}

	if got := ring.EncryptionKeyID(); got != "new" {
		t.Errorf("encryption key = %q, want new", got)
	}

	secret := strings.SplitN(testKey("new", 1), ":", 2)[1]
	for _, s := range []string{ring.String(), fmt.Sprintf("%#v", ring), fmt.Sprintf("%v", ring)} {
		if strings.Contains(s, secret) {
			t.Errorf("keyring description %q contains key material", s)
		}
	}
}

func writeKeyFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "codec-keys")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}

	// WriteFile applies the umask; set the mode the test asks for.
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}

	return path
}

func TestLoadKeys(t *testing.T) {
	path := writeKeyFile(t, testKey("k1", 1)+"\n", 0o600)

	ring, err := LoadKeys(path)
	if err != nil {
		t.Fatalf("load a 0600 key file: %v", err)
	}

	if got := ring.EncryptionKeyID(); got != "k1" {
		t.Errorf("encryption key = %q, want k1", got)
	}

	if !strings.Contains(ring.String(), path) {
		t.Errorf("keyring %s does not name its file", ring)
	}
}

func TestLoadKeysErrors(t *testing.T) {
	dir := t.TempDir()

	tests := []struct {
		name string
		path string
		want []string
	}{
		{name: "missing file", path: filepath.Join(dir, "absent"),
			want: []string{"does not exist", "ucmpush-codec-server --generate-key ID > " + dir}},
		{name: "directory", path: dir, want: []string{"is a directory"}},
		{name: "readable by others", path: writeKeyFile(t, testKey("k1", 1), 0o604),
			want: []string{"0604", "chmod 600"}},
		{name: "bad line", path: writeKeyFile(t, "# keys\n"+testKey("k1", 1)+"\nbroken\n", 0o600),
			want: []string{"line 3"}},
		{name: "empty file", path: writeKeyFile(t, "", 0o400),
			want: []string{"holds no key", "ucmpush-codec-server --generate-key ID"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadKeys(tt.path)
			if err == nil {
				t.Fatal("LoadKeys succeeded")
			}

			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}

			// Operators read these errors: they name the command, not the Go function.
			if strings.Contains(err.Error(), "GenerateKey") {
				t.Errorf("error %q names the Go function GenerateKey", err)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	first, err := GenerateKey("2026-05")
	if err != nil {
		t.Fatalf("generate: %v", err)
	}

	second, err := GenerateKey("2026-06")
	if err != nil {
		t.Fatalf("generate: %v", err)
	}

	ring := mustParse(t, first, second)
	if got := fmt.Sprint(ring.KeyIDs()); got != "[2026-05 2026-06]" {
		t.Errorf("generated keys parse to IDs %s", got)
	}

	if strings.SplitN(first, ":", 2)[1] == strings.SplitN(second, ":", 2)[1] {
		t.Error("two generated keys are equal")
	}

	for _, id := range []string{"", "a:b", "with space", strings.Repeat("x", 65)} {
		if _, err := GenerateKey(id); err == nil {
			t.Errorf("GenerateKey(%q) succeeded, want an invalid key ID error", id)
		}
	}
}

func TestLoadKeysAcceptsGroupReadableFile(t *testing.T) {
	// A Kubernetes secret volume reaches a non-root container through its fsGroup, mode 0440.
	path := writeKeyFile(t, testKey("k1", 1), 0o440)
	keys, err := LoadKeys(path)
	if err != nil {
		t.Fatalf("LoadKeys of a 0440 file: %v", err)
	}
	if keys.EncryptionKeyID() != "k1" {
		t.Errorf("encryption key ID = %q, want k1", keys.EncryptionKeyID())
	}
}
