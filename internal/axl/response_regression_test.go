package axl

import (
	"net/http"
	"testing"
)

// TestDecodeResponseErrorTextStorable covers bodies that FuzzDecodeResponse found: a non-SOAP
// error page is copied into Fault.Message as it came, so a proxy's Latin-1 page or a binary
// body gives an error text with invalid UTF-8 or NUL bytes. That text becomes a Temporal
// failure message, which proto.Marshal rejects ("string field contains invalid UTF-8"), and a
// user's push reason in PostgreSQL, which rejects both.
func TestDecodeResponseErrorTextStorable(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{name: "latin-1 proxy page", status: http.StatusBadGateway,
			body: "Bad gateway: caf\xe9 ferm\xe9"},
		{name: "latin-1 html title", status: http.StatusInternalServerError,
			body: "<html><title>Erreur \xe9</title></html>"},
		{name: "binary body", status: http.StatusInternalServerError, body: "\x00\x01 binary"},
		{name: "nul in title", status: 599, body: "<html><title>a\x00b</title></html>"},
		{name: "truncated multibyte rune", status: http.StatusNotFound, body: "caf\xc3"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeResponse(OpAddUser, tt.status, []byte(tt.body), &standardResponse{})
			if err == nil {
				t.Fatalf("status %d: no error", tt.status)
			}

			checkStorableText(t, err.Error())
		})
	}
}
