package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath is where Debian's chromium package installs its launcher.
const chromiumPath = "/usr/bin/chromium"

// findChromium returns Debian's chromium. It skips the test when chromium is missing, or
// fails it when UCMPUSH_E2E=required, because deploy/stack/install-deps.sh installs it.
func findChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		path, err = exec.LookPath(chromiumPath)
	}
	if err == nil {
		return path
	}
	msg := "browser test: chromium not found; install Debian's chromium with `apt-get install chromium`"
	if os.Getenv("UCMPUSH_E2E") == "required" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifactsDir returns $UCMPUSH_ARTIFACTS_DIR, or artifacts/ at the repository root (which
// git ignores), and creates it.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("UCMPUSH_ARTIFACTS_DIR")
	if dir == "" {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatalf("find the repository root: %v", err)
		}
		dir = filepath.Join(root, "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create the artifacts folder %s: %v", dir, err)
	}
	return dir
}

// headlessChromium runs Debian's chromium headless on pageURL with a fresh profile and the
// given extra flags, and returns its standard output. The virtual time budget lets the Web UI's
// scripts fetch and render the list before chromium dumps or shoots the page.
func headlessChromium(t *testing.T, chromium, pageURL string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--user-data-dir=" + t.TempDir(), "--virtual-time-budget=15000"},
		extra...)
	cmd := exec.CommandContext(ctx, chromium, append(args, pageURL)...)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(extra, " "), err, stderr.String())
	}
	return stdout.String()
}

// TestBrowserShowsFailedPushes opens the Web UI's workflow list filtered to a site's failed
// pushes, as an operator would, after a push in which one user failed. The page must list that
// push and not the sync that started it, and a screenshot of it goes to the artifacts folder.
func TestBrowserShowsFailedPushes(t *testing.T) {
	chromium := findChromium(t)
	s := newStack(t)
	uiURL := os.Getenv("TEMPORAL_UI_URL")
	if uiURL == "" {
		t.Fatal("TEMPORAL_UI_URL is not set: run the integration tests with `make test`")
	}
	london := failOneUser(t, s)

	query := fmt.Sprintf(`UcmpushSite = "%s/london" AND UcmpushOutcome = "failed"`, s.customer)
	visible := waitFor(10*time.Second, func() bool {
		resp, err := s.temporal.ListWorkflow(s.ctx, listRequest(query))
		return err == nil && len(resp.GetExecutions()) == 1 &&
			resp.GetExecutions()[0].GetExecution().GetWorkflowId() == london.PushWorkflowID
	})
	if !visible {
		t.Fatalf("visibility lists no %s for %s within 10 s", london.PushWorkflowID, query)
	}

	page := fmt.Sprintf("%s/namespaces/%s/workflows?query=%s", strings.TrimRight(uiURL, "/"),
		envOr("TEMPORAL_NAMESPACE", "default"), url.QueryEscape(query))
	dom := headlessChromium(t, chromium, page, "--dump-dom")
	if !strings.Contains(dom, london.PushWorkflowID) {
		t.Errorf("the Web UI page %s does not show the failed push %s (%d bytes of DOM)", page,
			london.PushWorkflowID, len(dom))
	}
	if sync := "sync/" + s.directory; strings.Contains(dom, sync) {
		t.Errorf("the Web UI page %s shows %s, which the query excludes", page, sync)
	}

	shot := filepath.Join(artifactsDir(t), "webui-failed-pushes.png")
	_ = os.Remove(shot)
	headlessChromium(t, chromium, page, "--window-size=1400,900", "--screenshot="+shot)
	info, err := os.Stat(shot)
	if err != nil || info.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v, %d bytes; want a PNG of the page", shot, err, sizeOf(info))
	}
	t.Logf("screenshot of %s saved to %s", page, shot)
}

func sizeOf(info os.FileInfo) int64 {
	if info == nil {
		return 0
	}
	return info.Size()
}
