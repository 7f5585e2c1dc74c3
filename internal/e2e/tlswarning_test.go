package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWorkerWarnsAboutUnverifiedTLS(t *testing.T) {
	s := newStack(t)
	s.configure("london:on")
	if _, err := s.db.Pool().Exec(s.ctx, "UPDATE clusters SET insecure_skip_verify = true"); err != nil {
		t.Fatal(err)
	}
	bin := buildWorker(t)
	urlFile := filepath.Join(t.TempDir(), "database-url")
	writeFile(t, urlFile, []byte(s.databaseURL))

	var logs syncBuffer
	cmd := exec.Command(bin, "--log-format", "json")
	cmd.Env = append(os.Environ(), "DATABASE_URL=", "DATABASE_URL_FILE="+urlFile,
		"UCMPUSH_TASK_QUEUE=e2e-tls-"+s.suffix, "UCMPUSH_METRICS_LISTEN=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	started := waitFor(60*time.Second, func() bool { return strings.Contains(logs.String(), `"Worker started"`) })
	if !started {
		t.Fatalf("the worker did not start within 60 s:\n%s", logs.String())
	}
	warning := findEntry(logEntries(t, logs.String()),
		"TLS certificate verification is off for a UCM cluster; give it a CA with "+
			"`ucmpush cluster set --ca-file` and turn --insecure-skip-verify off")
	if warning == nil || warning["cluster"] != s.cluster || warning["level"] != "WARN" {
		t.Errorf("worker log lacks a warning naming cluster %s: %v", s.cluster, warning)
	}
}
