package chaos

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// These tests check the suite's own parsers and need no stack.

func TestReadMessageLengthForms(t *testing.T) {
	long := append([]byte{0x30, 0x82, 0x01, 0x00}, make([]byte, 256)...)
	tests := []struct {
		name string
		wire []byte
		want int
	}{
		{name: "short form", wire: []byte{0x30, 0x03, 0x02, 0x01, 0x07}, want: 5},
		{name: "long form", wire: long, want: 260},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A second message follows, so a reader that overreads fails.
			wire := append(append([]byte{}, tt.wire...), 0x30, 0x00)
			msg, err := readMessage(bufio.NewReader(bytes.NewReader(wire)))
			if err != nil {
				t.Fatalf("readMessage: %v", err)
			}
			if len(msg) != tt.want {
				t.Errorf("readMessage returned %d bytes, want %d", len(msg), tt.want)
			}
		})
	}
}

func TestProtocolOpOfSearchResults(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want byte
	}{
		// messageID 2, then SearchResultDone with resultCode success.
		{name: "search result done", want: searchResultDone,
			msg: []byte{0x30, 0x0c, 0x02, 0x01, 0x02, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00}},
		// messageID 300 takes two bytes; a SearchResultEntry follows.
		{name: "entry with a long message ID", want: 0x64,
			msg: []byte{0x30, 0x06, 0x02, 0x02, 0x01, 0x2c, 0x64, 0x00}},
		{name: "not a message ID", want: 0, msg: []byte{0x30, 0x02, 0x04, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := protocolOp(tt.msg); got != tt.want {
				t.Errorf("protocolOp = %#x, want %#x", got, tt.want)
			}
		})
	}
}

func TestReadEnvFileQuotedValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	body := "# comment\n\nDATABASE_URL=postgres://u:p@127.0.0.1:5/db\n" +
		"LDAP_BASE_DN='dc=example, dc=com'\nQUOTE='it'\\''s'\nexport DATABASE_URL LDAP_BASE_DN\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := readEnvFile(path)
	if err != nil {
		t.Fatalf("readEnvFile: %v", err)
	}
	want := map[string]string{
		"DATABASE_URL": "postgres://u:p@127.0.0.1:5/db",
		"LDAP_BASE_DN": "dc=example, dc=com",
		"QUOTE":        "it's",
	}
	if len(got) != len(want) {
		t.Errorf("readEnvFile returned %d settings %v, want %d", len(got), got, len(want))
	}
	for key, value := range want {
		if got[key] != value {
			t.Errorf("%s = %q, want %q", key, got[key], value)
		}
	}
}
