package axlsim

import "testing"

func TestLike(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"%", "", true},
		{"%", "anything", true},
		{"ab%", "abc", true},
		{"ab%", "xabc", false},
		{"%bc", "abc", true},
		{"%bc", "abcd", false},
		{"%b%", "abc", true},
		{"a%c", "abbbc", true},
		{"a%c", "ac", true},
		{"a%b%c", "aXbYc", true},
		{"a%b%c", "aXcYb", false},
		{"a%a", "a", false},
		{"%%", "x", true},
		{"_", "x", false},
	}

	for _, tt := range tests {
		if got := like(tt.pattern, tt.value); got != tt.want {
			t.Errorf("like(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}
