package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// maxKeyIDLength bounds a key ID, which travels in the metadata of every payload.
const maxKeyIDLength = 64

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// key is one named AES-256 key of a key file.
type key struct {
	id     string
	secret []byte
}

// Keyring holds the keys of one key file. The first key encrypts; every key decrypts. A
// Keyring is read only after [LoadKeys] or [ParseKeys] returns it, so it is safe for
// concurrent use.
type Keyring struct {
	source string
	keys   []key
	byID   map[string]key
}

// EncryptionKeyID returns the ID of the key that encrypts new payloads: the first key of the
// file.
func (k *Keyring) EncryptionKeyID() string {
	return k.keys[0].id
}

// KeyIDs returns the IDs of all keys in file order, the encryption key first.
func (k *Keyring) KeyIDs() []string {
	ids := make([]string, len(k.keys))
	for i, key := range k.keys {
		ids[i] = key.id
	}

	return ids
}

// String describes the keyring by its source and key IDs, never by key material.
func (k *Keyring) String() string {
	return fmt.Sprintf("codec.Keyring{source: %q, keyIDs: %v}", k.source, k.KeyIDs())
}

// GoString describes the keyring for %#v without key material.
func (k *Keyring) GoString() string {
	return k.String()
}

// LoadKeys reads the key file at path. The file holds one key per line as
// KEYID:BASE64, where BASE64 is the standard base64 encoding (padding optional) of 32 random
// bytes, such as a line from [GenerateKey]. A key ID is 1 to 64 letters, digits, '.', '_' or
// '-'. Blank lines and lines whose first non-blank character is '#' are ignored; a '#' after
// a key is not a comment.
//
// The first key encrypts and every key decrypts. To rotate, add a new key as the first line
// and keep the old ones until no workflow history that used them is still read.
//
// LoadKeys fails when the file is missing or unreadable, when others (not the owner or the
// group) have any permission on it (fix with chmod 600 or 640), when a line is malformed (the error names the line
// number, never the key), when a key is not 32 bytes, when two lines share an ID, and when
// the file holds no key.
func LoadKeys(path string) (*Keyring, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("codec key file %s does not exist: create it with "+
			"(umask 077 && ucmpush-codec-server --generate-key ID > %s), where ID names the key, "+
			"such as 2026-01", path, path)
	}

	if err != nil {
		return nil, fmt.Errorf("codec key file %s: %w", path, err)
	}

	if info.IsDir() {
		return nil, fmt.Errorf("codec key file %s is a directory: point to the key file", path)
	}

	// The group may read the file: a Kubernetes secret volume reaches a non-root container
	// only through its fsGroup, with mode 0440.
	if perm := info.Mode().Perm(); perm&0o007 != 0 {
		return nil, fmt.Errorf("codec key file %s has mode %04o, so any user may read it: "+
			"run chmod 600 %s", path, perm, path)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read codec key file: %w", err)
	}

	return ParseKeys(data, path)
}

// ParseKeys parses key file contents in the format of [LoadKeys], without the file checks.
// source names the keys in errors, such as the path or "UCMPUSH_CODEC_KEYS".
func ParseKeys(data []byte, source string) (*Keyring, error) {
	ring := &Keyring{source: source, byID: map[string]key{}}
	firstLine := map[string]int{}

	for i, raw := range bytes.Split(data, []byte("\n")) {
		lineNumber := i + 1
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}

		k, err := parseKeyLine(line)
		if err != nil {
			return nil, fmt.Errorf("codec key file %s line %d: %w", source, lineNumber, err)
		}

		if previous, ok := firstLine[k.id]; ok {
			return nil, fmt.Errorf("codec key file %s line %d: key ID %q is already used on line %d: "+
				"give each key its own ID", source, lineNumber, k.id, previous)
		}

		firstLine[k.id] = lineNumber
		ring.keys = append(ring.keys, k)
		ring.byID[k.id] = k
	}

	if len(ring.keys) == 0 {
		return nil, fmt.Errorf("codec key file %s holds no key: add the line that "+
			"ucmpush-codec-server --generate-key ID prints, where ID names the key, such as 2026-01",
			source)
	}

	return ring, nil
}

// parseKeyLine parses KEYID:BASE64. Its errors never contain the key material.
func parseKeyLine(line string) (key, error) {
	id, encoded, ok := strings.Cut(line, ":")
	if !ok {
		return key{}, errors.New("missing ':' between key ID and key: write KEYID:BASE64")
	}

	id = strings.TrimSpace(id)
	if err := checkKeyID(id); err != nil {
		return key{}, err
	}

	encoded = strings.TrimSpace(encoded)
	secret, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		secret, err = base64.RawStdEncoding.DecodeString(encoded)
	}

	if err != nil {
		return key{}, fmt.Errorf("key %q is not valid standard base64: write KEYID:BASE64 as "+
			"ucmpush-codec-server --generate-key ID prints it", id)
	}

	if len(secret) != KeySize {
		return key{}, fmt.Errorf("key %q is %d bytes, expected %d for AES-256: generate a new "+
			"one with ucmpush-codec-server --generate-key ID", id, len(secret), KeySize)
	}

	return key{id: id, secret: secret}, nil
}

func checkKeyID(id string) error {
	if id == "" {
		return errors.New("empty key ID: write KEYID:BASE64")
	}

	if len(id) > maxKeyIDLength {
		return fmt.Errorf("key ID of %d characters is longer than %d", len(id), maxKeyIDLength)
	}

	if !keyIDPattern.MatchString(id) {
		return fmt.Errorf("key ID %q is invalid: use letters, digits, '.', '_' and '-'", id)
	}

	return nil
}

// GenerateKey returns a key file line KEYID:BASE64 with 32 bytes from crypto/rand. It fails
// when id is not a valid key ID (see [LoadKeys]).
func GenerateKey(id string) (string, error) {
	if err := checkKeyID(id); err != nil {
		return "", err
	}

	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("generate codec key: %w", err)
	}

	return id + ":" + base64.StdEncoding.EncodeToString(secret), nil
}
