package temporalclient

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/ucmpush/ucmpush/internal/codec"
)

// Payload modes reported by [Config.PayloadMode].
const (
	// PayloadsEncrypted means the payloads are encrypted with the keys of Config.CodecKeyFile.
	PayloadsEncrypted = "encrypted"
	// PayloadsCustom means the caller set Config.DataConverter, without a key file.
	PayloadsCustom = "custom"
	// PayloadsPlain means the SDK's default converter: payloads in clear text.
	PayloadsPlain = "plain"
)

// PayloadMode names how payloads travel, for logs: [PayloadsEncrypted], [PayloadsCustom] or
// [PayloadsPlain]. A plain Config is plain whether or not PlainPayloads is set; see
// [Config.CheckPayloadEncryption] for the setting that makes that choice explicit.
func (c Config) PayloadMode() string {
	switch {
	case c.CodecKeyFile != "":
		return PayloadsEncrypted
	case c.DataConverter != nil:
		return PayloadsCustom
	}
	return PayloadsPlain
}

// CheckPayloadEncryption returns an error unless the payloads are encrypted (CodecKeyFile or a
// DataConverter is set) or the operator chose clear text with PlainPayloads. The worker
// command and the CLI call it, so encryption is on unless turned off explicitly. Library
// callers such as tests and tools, which set their own converter, need not call it.
func (c Config) CheckPayloadEncryption() error {
	if c.CodecKeyFile != "" && c.PlainPayloads {
		return errPlainAndKeyFile
	}
	if c.PayloadMode() != PayloadsPlain || c.PlainPayloads {
		return nil
	}
	return fmt.Errorf("payload encryption is on by default, but no codec key file is set: set "+
		"%s or --codec-key-file to the key file the worker uses (create one with "+
		"`ucmpush-codec-server --generate-key ID`), or set %s=true or --plain-payloads to keep "+
		"workflow inputs and results, which hold personal data, in clear text in Temporal",
		EnvCodecKeyFile, EnvPlainPayloads)
}

var errPlainAndKeyFile = fmt.Errorf("both a codec key file (%s or --codec-key-file) and "+
	"plain payloads (%s or --plain-payloads) are set: unset one of them", EnvCodecKeyFile,
	EnvPlainPayloads)

// LoadCodec reads CodecKeyFile with [codec.LoadKeys] and returns a copy of c whose
// DataConverter and FailureConverter encrypt with those keys, and the keys. Without a key
// file it returns c unchanged and a nil keyring. Its errors name the file and the setting:
// a missing or unreadable file, a file that group or others may read, a malformed line.
func (c Config) LoadCodec() (Config, *codec.Keyring, error) {
	if c.CodecKeyFile == "" {
		return c, nil, nil
	}

	keys, err := codec.LoadKeys(c.CodecKeyFile)
	if err != nil {
		return c, nil, fmt.Errorf("load the payload codec keys (%s or --codec-key-file): %w",
			EnvCodecKeyFile, err)
	}

	c.DataConverter = codec.DataConverter(keys)
	c.FailureConverter = codec.FailureConverter(keys)
	return c, keys, nil
}

// Converters returns the data and failure converters that [Config.Options] sets, for code
// that decodes payloads outside the client, such as a schedule's memo. They are DataConverter
// and FailureConverter when set, else those of CodecKeyFile, whose file it then reads. A plain
// Config gets the SDK's defaults wrapped by [plainPayloadCodec] and [plainFailureConverter],
// so that a client or worker without the key that meets an encrypted payload returns an error
// naming the missing setting instead of "payload encoding is not supported".
func (c Config) Converters() (converter.DataConverter, converter.FailureConverter, error) {
	if c.CodecKeyFile != "" && c.DataConverter == nil {
		loaded, _, err := c.LoadCodec()
		if err != nil {
			return nil, nil, err
		}
		c = loaded
	}

	dc, fc := c.DataConverter, c.FailureConverter
	if dc == nil {
		dc = converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), plainPayloadCodec{})
	}
	if fc == nil && c.DataConverter == nil {
		fc = plainFailureConverter{parent: temporal.NewDefaultFailureConverter(
			temporal.DefaultFailureConverterOptions{DataConverter: dc})}
	}
	return dc, fc, nil
}

// plainPayloadCodec passes payloads through unchanged, except that Decode rejects a payload
// that the ucmpush codec encrypted, with an error that names the key ID and the setting. The
// error is a [converter.WorkflowTaskFailureError], so a worker without the key fails the
// workflow task, which Temporal retries, rather than the workflow: a worker started with the
// key file then carries on.
type plainPayloadCodec struct{}

func (plainPayloadCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return payloads, nil
}

func (plainPayloadCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	for _, p := range payloads {
		if isEncrypted(p) {
			return nil, converter.NewWorkflowTaskFailureError(encryptedPayloadError(p))
		}
	}
	return payloads, nil
}

func isEncrypted(p *commonpb.Payload) bool {
	return string(p.GetMetadata()[converter.MetadataEncoding]) == codec.EncodingEncrypted
}

func encryptedPayloadError(p *commonpb.Payload) error {
	return fmt.Errorf("payload is encrypted with codec key %q, but this client has no codec "+
		"key file (it runs with plain payloads): set %s or --codec-key-file to the key file of "+
		"the worker that wrote it, and unset %s and --plain-payloads",
		p.GetMetadata()[codec.MetadataKeyID], EnvCodecKeyFile, EnvPlainPayloads)
}

// plainFailureConverter is a failure converter without the key. It reports a failure whose
// message and stack trace were encrypted (the SDK otherwise shows "Encoded failure") with a
// message that names the key ID and the setting, keeping the failure's type and causes.
type plainFailureConverter struct {
	parent converter.FailureConverter
}

func (f plainFailureConverter) ErrorToFailure(err error) *failurepb.Failure {
	return f.parent.ErrorToFailure(err)
}

func (f plainFailureConverter) FailureToError(failure *failurepb.Failure) error {
	if failure == nil {
		return nil
	}

	marked := proto.Clone(failure).(*failurepb.Failure)
	for cause := marked; cause != nil; cause = cause.GetCause() {
		if attrs := cause.GetEncodedAttributes(); attrs != nil && isEncrypted(attrs) {
			cause.Message = "encrypted failure message: " + encryptedPayloadError(attrs).Error()
			cause.EncodedAttributes = nil
		}
	}
	return f.parent.FailureToError(marked)
}
