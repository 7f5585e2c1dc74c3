// Package codec encrypts Temporal payloads with AES-256-GCM, so workflow histories hold no
// personal data in clear text: the Temporal server, its database and anyone who reads a
// history without the key see only ciphertext. Keys come from a key file (see [LoadKeys]).
// The worker and the CLI use [DataConverter] and [FailureConverter]; the codec server
// (worker/cmd/ucmpush-codec-server) serves [NewCodec] to the Temporal Web UI.
//
// Search attributes are not payloads that a codec sees: the SDK writes them in clear text,
// so they must never carry personal data.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload.
const (
	// EncodingEncrypted is the value of the "encoding" metadata of an encrypted payload. Its
	// data is a 12-byte nonce followed by the AES-256-GCM sealed form of the original payload
	// in protobuf wire format, metadata included.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata entry that names the key a payload was encrypted with.
	MetadataKeyID = "encryption-key-id"
	// MetadataCipher is the metadata entry that names the cipher, [CipherAES256GCM].
	MetadataCipher = "encryption-cipher"
	// CipherAES256GCM is the only value of [MetadataCipher] that this codec writes and reads.
	CipherAES256GCM = "AES-256-GCM"
)

// additionalDataPrefix starts the additional authenticated data, which binds the ciphertext
// to its key ID, so a payload whose key ID metadata was changed fails to decrypt.
const additionalDataPrefix = "ucmpush/codec/v1 key "

// payloadCodec is an AES-256-GCM [converter.PayloadCodec] over a [Keyring]. It is safe for
// concurrent use.
type payloadCodec struct {
	keys  *Keyring
	aeads map[string]cipher.AEAD
}

// NewCodec returns a codec that encrypts with the keyring's first key and decrypts with any
// of its keys. A nil keyring gives a codec whose Encode and Decode always fail.
func NewCodec(keys *Keyring) converter.PayloadCodec {
	return newCodec(keys)
}

func newCodec(keys *Keyring) *payloadCodec {
	c := &payloadCodec{keys: keys, aeads: map[string]cipher.AEAD{}}
	if keys == nil {
		return c
	}

	for _, k := range keys.keys {
		block, err := aes.NewCipher(k.secret)
		if err != nil {
			// ParseKeys admits only 32-byte keys, which aes.NewCipher always accepts.
			panic(fmt.Sprintf("codec key %q: %v", k.id, err))
		}

		aead, err := cipher.NewGCM(block)
		if err != nil {
			panic(fmt.Sprintf("codec key %q: %v", k.id, err))
		}

		c.aeads[k.id] = aead
	}

	return c
}

var errNoKeys = errors.New("codec has no keys: create it with NewCodec(LoadKeys(path))")

// Encode encrypts every payload with the encryption key and a fresh random nonce. Nil
// payloads stay nil. Payloads that are already encrypted are encrypted again, because a
// codec cannot tell whether a caller meant that.
func (c *payloadCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.keys == nil {
		return nil, errNoKeys
	}

	keyID := c.keys.EncryptionKeyID()
	aead := c.aeads[keyID]
	result := make([]*commonpb.Payload, len(payloads))

	for i, p := range payloads {
		if p == nil {
			continue
		}

		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encode payload %d: marshal: %w", i, err)
		}

		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encode payload %d: nonce: %w", i, err)
		}

		result[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(keyID),
				MetadataCipher:             []byte(CipherAES256GCM),
			},
			Data: aead.Seal(nonce, nonce, plain, additionalData(keyID)),
		}
	}

	return result, nil
}

// Decode decrypts payloads whose encoding is [EncodingEncrypted] and returns every other
// payload unchanged, so histories written before encryption was turned on still read. It fails
// on an encrypted payload whose key ID the keyring lacks (the error names the key ID and
// the key file), whose cipher is not [CipherAES256GCM], or whose data or metadata was
// altered.
func (c *payloadCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.keys == nil {
		return nil, errNoKeys
	}

	result := make([]*commonpb.Payload, len(payloads))

	for i, p := range payloads {
		if p == nil || string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			result[i] = p
			continue
		}

		decoded, err := c.decrypt(p)
		if err != nil {
			return nil, fmt.Errorf("decode payload %d: %w", i, err)
		}

		result[i] = decoded
	}

	return result, nil
}

func (c *payloadCodec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	if cipherName := string(p.Metadata[MetadataCipher]); cipherName != CipherAES256GCM {
		return nil, fmt.Errorf("payload cipher %q is not supported: this codec reads %s only",
			cipherName, CipherAES256GCM)
	}

	keyID := string(p.Metadata[MetadataKeyID])
	if keyID == "" {
		return nil, fmt.Errorf("encrypted payload has no %s metadata: it was not written by "+
			"this codec", MetadataKeyID)
	}

	aead, ok := c.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("payload is encrypted with key ID %q, which key file %s lacks "+
			"(it holds %v): add the line for key %q back to the key file; keep old keys "+
			"until no history that uses them is read", keyID, c.keys.source, c.keys.KeyIDs(),
			keyID)
	}

	if len(p.Data) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("encrypted payload of %d bytes is shorter than a nonce and a tag: "+
			"it is truncated", len(p.Data))
	}

	nonce, sealed := p.Data[:aead.NonceSize()], p.Data[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, additionalData(keyID))
	if err != nil {
		return nil, fmt.Errorf("decrypt payload with key %q: authentication failed, so the "+
			"payload was altered or key %q in %s is not the key it was encrypted with",
			keyID, keyID, c.keys.source)
	}

	var decoded commonpb.Payload
	if err := proto.Unmarshal(plain, &decoded); err != nil {
		return nil, fmt.Errorf("decrypted payload with key %q is not a payload: %w", keyID, err)
	}

	return &decoded, nil
}

func additionalData(keyID string) []byte {
	return []byte(additionalDataPrefix + keyID)
}

// DataConverter returns the SDK's default data converter with every payload passed through
// [NewCodec]. Set it as client.Options.DataConverter in the worker and in every client that
// starts workflows or reads their results; a client without it cannot read encrypted results.
func DataConverter(keys *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(keys))
}

// FailureConverter returns the SDK's default failure converter with the message and stack
// trace of every failure moved into an encrypted payload (the failure's message then reads
// "Encoded failure"). Error messages name userids, so set it as client.Options.FailureConverter
// next to [DataConverter]. The Web UI shows the real message through the codec server.
func FailureConverter(keys *Keyring) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(keys),
		EncodeCommonAttributes: true,
	})
}
