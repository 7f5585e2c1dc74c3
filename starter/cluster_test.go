package starter

import (
	"math"
	"strings"
	"testing"

	"github.com/ucmpush/ucmpush/domain"
)

func TestValidateClusterRejectsBadSettings(t *testing.T) {
	valid := domain.Cluster{Name: "ucm-lab", AXLURL: "https://ucm.example.com:8443/axl/",
		AXLVersion: "14.0", Username: "axladmin", PasswordRef: "env:AXL_PASSWORD", MaxInFlight: 4}

	tests := []struct {
		name   string
		change func(*domain.Cluster)
		want   []string // nil means valid
	}{
		{"valid", func(*domain.Cluster) {}, nil},
		{"rate limit", func(c *domain.Cluster) { c.MaxRequestsPerSecond = 12.5 }, nil},
		{"port 1", func(c *domain.Cluster) { c.AXLURL = "https://ucm:1/axl/" }, nil},
		{"port 65535", func(c *domain.Cluster) { c.AXLURL = "https://ucm:65535/axl/" }, nil},
		{"no port", func(c *domain.Cluster) { c.AXLURL = "https://ucm.example.com/axl/" }, nil},
		{"rate NaN", func(c *domain.Cluster) { c.MaxRequestsPerSecond = math.NaN() },
			[]string{"--max-requests-per-second", "NaN", "use 0 (no limit) or a positive"}},
		{"rate +Inf", func(c *domain.Cluster) { c.MaxRequestsPerSecond = math.Inf(1) },
			[]string{"--max-requests-per-second", "+Inf"}},
		{"rate -Inf", func(c *domain.Cluster) { c.MaxRequestsPerSecond = math.Inf(-1) },
			[]string{"--max-requests-per-second", "-Inf"}},
		{"rate negative", func(c *domain.Cluster) { c.MaxRequestsPerSecond = -1 },
			[]string{"--max-requests-per-second", "-1"}},
		{"port 99999", func(c *domain.Cluster) { c.AXLURL = "https://h:99999/axl/" },
			[]string{"--axl-url", "port 99999 is outside 1 to 65535", "8443"}},
		{"port 0", func(c *domain.Cluster) { c.AXLURL = "https://h:0/axl/" },
			[]string{"--axl-url", "port 0 is outside"}},
		{"port 65536", func(c *domain.Cluster) { c.AXLURL = "https://h:65536/axl/" },
			[]string{"port 65536"}},
		{"bad port with credentials", func(c *domain.Cluster) { c.AXLURL = "https://u:s3cret@h:0/axl/" },
			[]string{"port 0"}},
		{"no username", func(c *domain.Cluster) { c.Username = "" },
			[]string{"missing --username", "--password-ref"}},
		{"credentials in URL", func(c *domain.Cluster) { c.AXLURL = "https://u:s3cret@h:8443/axl/" },
			[]string{"--axl-url", "--username", "--password-ref"}},
		{"in flight 0", func(c *domain.Cluster) { c.MaxInFlight = 0 }, []string{"--max-in-flight"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)

			err := validateCluster(c)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("validateCluster = %v, want nil", err)
				}
				return
			}

			if err == nil {
				t.Fatalf("validateCluster accepted %+v, want an error", c)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "Config.") {
				t.Errorf("error %q names a Go field of axl.Config", err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password of the URL", err)
			}
		})
	}
}
