package axl_test

import (
	"testing"

	"github.com/ucmpush/ucmpush/internal/axl"
)

func TestPatternEscaping(t *testing.T) {
	tests := []struct {
		plain string
		wire  string
	}{
		{plain: "+442071234567", wire: `\+442071234567`},
		{plain: "1001", wire: "1001"},
		{plain: "", wire: ""},
		{plain: "+", wire: `\+`},
		{plain: "+44%", wire: `\+44%`},
		{plain: "00+44", wire: "00+44"},
	}

	for _, tt := range tests {
		if got := axl.EscapePattern(tt.plain); got != tt.wire {
			t.Errorf("EscapePattern(%q) = %q, want %q", tt.plain, got, tt.wire)
		}

		if got := axl.UnescapePattern(tt.wire); got != tt.plain {
			t.Errorf("UnescapePattern(%q) = %q, want %q", tt.wire, got, tt.plain)
		}
	}
}

func TestPatternEscapingIsIdempotent(t *testing.T) {
	wire := `\+442071234567`

	if got := axl.EscapePattern(wire); got != wire {
		t.Errorf("EscapePattern(%q) = %q, want it unchanged", wire, got)
	}

	if got := axl.UnescapePattern("+442071234567"); got != "+442071234567" {
		t.Errorf("UnescapePattern of a plain pattern = %q, want it unchanged", got)
	}
}
