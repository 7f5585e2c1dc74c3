package main

import (
	"strings"
	"testing"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		value float64
		want  string
	}{
		{value: 9907, want: "9907"},
		{value: 0, want: "0"},
		{value: 110.74, want: "110.7"},
		{value: 1.0712, want: "1.07"},
		{value: 0.21594, want: "0.2159"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.value); got != tt.want {
			t.Errorf("formatValue(%v) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestReportVerdicts(t *testing.T) {
	var out strings.Builder
	r := newReport(&out)
	r.add("push_limit_product_time", 110.7, "s")
	r.atMost("within_limit", 110, 100, 1.15, "")
	r.atMost("over_limit", 120, 100, 1.15, "")
	r.atLeast("fast_enough", 900, 100, 8, "")
	r.atLeast("too_slow", 700, 100, 8, "")
	r.check("writes_equal", 99, "= 100", false, "note")
	r.info("plain_ratio", 1, 4, "")
	r.print()

	for _, want := range []string{
		"push_limit_product_time 110.7 s\n",
		"within_limit 1.10 <=1.15 met\n",
		"over_limit 1.20 <=1.15 MISSED\n",
		"fast_enough 9 >=8 met\n",
		"too_slow 7 >=8 MISSED\n",
		"writes_equal 99 =100 MISSED  # note\n",
		"plain_ratio 0.2500 - info\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
