package temporalclient

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/ucmpush/ucmpush/internal/codec"
)

// personalData is a userid that must never leave an encrypting client in clear text.
const personalData = "jdoe.payload-4711"

// writeKeyFile writes a key file with one generated key of ID id, in mode 0600.
func writeKeyFile(t *testing.T, id string) string {
	t.Helper()

	line, err := codec.GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "codec-keys")
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	return path
}

func TestFromEnvRejectsInvalidPlainPayloads(t *testing.T) {
	_, err := FromEnv(lookupFrom(map[string]string{EnvPlainPayloads: "yes please"}))
	if err == nil || !strings.Contains(err.Error(), EnvPlainPayloads) {
		t.Fatalf("FromEnv(%s=yes please) = %v, want an error naming it", EnvPlainPayloads, err)
	}
}

func TestBindFlagsOverrideCodecEnvironment(t *testing.T) {
	cfg, err := FromEnv(lookupFrom(map[string]string{EnvCodecKeyFile: "/env-keys"}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}

	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.BindFlags(fs)
	if err := fs.Parse([]string{"--codec-key-file", "/flag-keys"}); err != nil {
		t.Fatalf("parse flags: %v", err)
	}
	if cfg.CodecKeyFile != "/flag-keys" {
		t.Errorf("CodecKeyFile = %q, want the flag's value", cfg.CodecKeyFile)
	}

	cfg, _ = FromEnv(lookupFrom(map[string]string{EnvPlainPayloads: "true"}))
	fs = flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.BindFlags(fs)
	if err := fs.Parse([]string{"--plain-payloads=false"}); err != nil {
		t.Fatalf("parse flags: %v", err)
	}
	if cfg.PlainPayloads {
		t.Errorf("PlainPayloads = true after --plain-payloads=false")
	}
}

func TestCheckPayloadEncryption(t *testing.T) {
	custom := converter.GetDefaultDataConverter()
	tests := []struct {
		name string
		cfg  Config
		want []string // parts of the error; none means no error
	}{
		{"nothing chosen", Config{Address: "a:1"},
			[]string{"on by default", EnvCodecKeyFile, "--codec-key-file", EnvPlainPayloads,
				"--plain-payloads", "personal data"}},
		{"key file", Config{Address: "a:1", CodecKeyFile: "/keys"}, nil},
		{"plain on purpose", Config{Address: "a:1", PlainPayloads: true}, nil},
		{"own converter", Config{Address: "a:1", DataConverter: custom}, nil},
		{"key file and plain", Config{Address: "a:1", CodecKeyFile: "/keys", PlainPayloads: true},
			[]string{EnvCodecKeyFile, EnvPlainPayloads, "unset one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.CheckPayloadEncryption()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("CheckPayloadEncryption() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPayloadEncryption() = nil, want an error")
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestValidateRejectsKeyFileWithPlainPayloads(t *testing.T) {
	err := Config{Address: "a:1", CodecKeyFile: "/keys", PlainPayloads: true}.Validate()
	if err == nil || !strings.Contains(err.Error(), EnvPlainPayloads) {
		t.Fatalf("Validate() = %v, want an error naming %s", err, EnvPlainPayloads)
	}
}

func TestLoadCodecErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	readable := filepath.Join(dir, "readable")
	malformed := filepath.Join(dir, "malformed")
	short := filepath.Join(dir, "short")
	for path, body := range map[string]string{
		readable:  "k1:" + strings.Repeat("A", 43) + "=\n",
		malformed: "no colon on this line\n",
		short:     "k1:c2hvcnQ=\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(readable, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "missing"), "does not exist"},
		{"folder", dir, "is a directory"},
		{"world-readable", readable, "chmod 600"},
		{"malformed line", malformed, "line 1"},
		{"short key", short, "expected 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, keys, err := Config{Address: "a:1", CodecKeyFile: tt.path}.LoadCodec()
			if err == nil {
				t.Fatalf("LoadCodec() = %v, nil error", keys)
			}
			for _, part := range []string{EnvCodecKeyFile, "--codec-key-file", tt.path, tt.want} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}

			if _, err := (Config{Address: "a:1", CodecKeyFile: tt.path}).Options(); err == nil {
				t.Errorf("Options() accepted the key file that LoadCodec rejects")
			}
		})
	}
}

func TestOptionsWithKeyFileEncrypt(t *testing.T) {
	path := writeKeyFile(t, "2026-01")
	opts, err := Config{Address: "a:1", CodecKeyFile: path}.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}

	payload, err := opts.DataConverter.ToPayload(personalData)
	if err != nil {
		t.Fatalf("ToPayload: %v", err)
	}
	if got := string(payload.GetMetadata()[converter.MetadataEncoding]); got != codec.EncodingEncrypted {
		t.Errorf("payload encoding = %q, want %q", got, codec.EncodingEncrypted)
	}
	if got := string(payload.GetMetadata()[codec.MetadataKeyID]); got != "2026-01" {
		t.Errorf("payload key ID = %q, want 2026-01", got)
	}
	if strings.Contains(string(payload.GetData()), personalData) {
		t.Errorf("the encrypted payload contains the userid in clear text")
	}

	var back string
	if err := opts.DataConverter.FromPayload(payload, &back); err != nil || back != personalData {
		t.Errorf("FromPayload = %q, %v; want %q", back, err, personalData)
	}

	failure := opts.FailureConverter.ErrorToFailure(errors.New("push of " + personalData + " failed"))
	if strings.Contains(failure.GetMessage(), personalData) || failure.GetEncodedAttributes() == nil {
		t.Errorf("failure message %q is not encoded", failure.GetMessage())
	}
}

func TestOptionsReuseLoadedCodec(t *testing.T) {
	path := writeKeyFile(t, "k1")
	cfg, keys, err := Config{Address: "a:1", CodecKeyFile: path}.LoadCodec()
	if err != nil {
		t.Fatalf("LoadCodec: %v", err)
	}
	if got := keys.EncryptionKeyID(); got != "k1" {
		t.Errorf("encryption key ID = %q, want k1", got)
	}
	if cfg.PayloadMode() != PayloadsEncrypted {
		t.Errorf("PayloadMode() = %q, want %q", cfg.PayloadMode(), PayloadsEncrypted)
	}

	// The loaded converters are used as they are: the file is not read again.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.Options()
	if err != nil {
		t.Fatalf("Options after LoadCodec, with the key file gone: %v", err)
	}
	if opts.DataConverter != cfg.DataConverter || opts.FailureConverter != cfg.FailureConverter {
		t.Errorf("Options replaced the converters that LoadCodec set")
	}
}

func TestLoadCodecWithoutKeyFileChangesNothing(t *testing.T) {
	cfg, keys, err := Config{Address: "a:1", PlainPayloads: true}.LoadCodec()
	if err != nil || keys != nil || cfg.DataConverter != nil {
		t.Errorf("LoadCodec() without a key file = %v, %v, %v; want no converter, no keys",
			cfg.DataConverter, keys, err)
	}
	if cfg.PayloadMode() != PayloadsPlain {
		t.Errorf("PayloadMode() = %q, want %q", cfg.PayloadMode(), PayloadsPlain)
	}
}

// encryptingOptions returns the converters of a client with a generated key file.
func encryptingOptions(t *testing.T) (converter.DataConverter, converter.FailureConverter) {
	t.Helper()

	opts, err := Config{Address: "a:1", CodecKeyFile: writeKeyFile(t, "prod-7")}.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}

	return opts.DataConverter, opts.FailureConverter
}

func TestPlainClientNamesSettingForEncryptedPayload(t *testing.T) {
	encrypting, _ := encryptingOptions(t)
	plain, err := Config{Address: "a:1", PlainPayloads: true}.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}

	plainPayload, err := plain.DataConverter.ToPayload(personalData)
	if err != nil {
		t.Fatalf("ToPayload: %v", err)
	}
	if got := string(plainPayload.GetMetadata()[converter.MetadataEncoding]); got != converter.MetadataEncodingJSON {
		t.Errorf("plain payload encoding = %q, want %q", got, converter.MetadataEncodingJSON)
	}

	encrypted, err := encrypting.ToPayload(personalData)
	if err != nil {
		t.Fatalf("ToPayload: %v", err)
	}

	var got string
	err = plain.DataConverter.FromPayload(encrypted, &got)
	if err == nil {
		t.Fatalf("a plain client read an encrypted payload as %q", got)
	}
	for _, part := range []string{`"prod-7"`, EnvCodecKeyFile, "--codec-key-file", EnvPlainPayloads} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}

	var taskFailure *converter.WorkflowTaskFailureError
	if !errors.As(err, &taskFailure) {
		t.Errorf("error %q does not ask to fail the workflow task, so a plain worker would fail "+
			"the workflow for good", err)
	}

	// A payload in clear text, as an encrypting client also reads, still decodes.
	if err := plain.DataConverter.FromPayload(plainPayload, &got); err != nil || got != personalData {
		t.Errorf("FromPayload of a plain payload = %q, %v", got, err)
	}
}

func TestPlainClientNamesSettingForEncryptedFailure(t *testing.T) {
	_, encrypting := encryptingOptions(t)
	plain, err := Config{Address: "a:1"}.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}

	cause := temporal.NewNonRetryableApplicationError("AXL 401 for "+personalData, "AXLAuthFailed", nil)
	failure := encrypting.ErrorToFailure(temporal.NewApplicationErrorWithCause("push failed",
		"PushFailed", cause))
	if failure.GetCause() == nil || failure.GetCause().GetEncodedAttributes() == nil {
		t.Fatalf("the encrypting converter did not encode the cause: %v", failure)
	}

	err = plain.FailureConverter.FailureToError(failure)
	text := err.Error()
	for _, part := range []string{"encrypted failure message", `"prod-7"`, EnvCodecKeyFile} {
		if !strings.Contains(text, part) {
			t.Errorf("error %q does not contain %q", text, part)
		}
	}
	if strings.Contains(text, personalData) {
		t.Errorf("a plain client decrypted the failure: %q", text)
	}

	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "PushFailed" {
		t.Errorf("error %v lost its application error type", err)
	}
	if !errors.As(errors.Unwrap(appErr), &appErr) || appErr.Type() != "AXLAuthFailed" {
		t.Errorf("error %v lost the type of its cause", err)
	}

	if failure.GetCause().GetEncodedAttributes() == nil {
		t.Errorf("FailureToError changed the failure it was given")
	}

	clearFailure := plain.FailureConverter.ErrorToFailure(errors.New("plain message"))
	if got := plain.FailureConverter.FailureToError(clearFailure).Error(); got != "plain message" {
		t.Errorf("a plain failure reads %q, want %q", got, "plain message")
	}
}

func TestConfigPrintsPayloadMode(t *testing.T) {
	text := Config{Address: "a:1", CodecKeyFile: "/etc/ucmpush/codec-keys"}.String()
	for _, part := range []string{`Payloads: "encrypted"`, "/etc/ucmpush/codec-keys"} {
		if !strings.Contains(text, part) {
			t.Errorf("String() = %q lacks %q", text, part)
		}
	}
}

func TestConvertersDecodeWhatOptionsEncode(t *testing.T) {
	cfg := Config{Address: "a:1", CodecKeyFile: writeKeyFile(t, "memo-1")}
	opts, err := cfg.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}
	memo, err := opts.DataConverter.ToPayload("every 1h")
	if err != nil {
		t.Fatalf("ToPayload: %v", err)
	}

	dc, fc, err := cfg.Converters()
	if err != nil {
		t.Fatalf("Converters: %v", err)
	}
	if fc == nil {
		t.Errorf("Converters returned no failure converter")
	}
	var text string
	if err := dc.FromPayload(memo, &text); err != nil || text != "every 1h" {
		t.Errorf("FromPayload of an encrypted memo = %q, %v; want every 1h", text, err)
	}

	if _, _, err := (Config{Address: "a:1", CodecKeyFile: "/missing/codec-keys"}).Converters(); err == nil ||
		!strings.Contains(err.Error(), EnvCodecKeyFile) {
		t.Errorf("Converters with a missing key file = %v, want an error naming %s", err, EnvCodecKeyFile)
	}
}
