package chaos

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// peopleCount is the size of the directory that TestMain seeds: large enough that a push with
// 10 ms per AXL request and 4 in flight lasts about 15 seconds.
const peopleCount = 2000

// suite is the stack that TestMain started, or nil when the chaos tests do not run, and
// skipReason then contains the reason.
var (
	suite      *chaosSuite
	skipReason = "chaos tests: run `make chaos`, which sets UCMPUSH_CHAOS=required and starts " +
		"a stack of their own"
)

// chaosSuite is the suite's own stack: PostgreSQL, the Temporal dev server with a file
// database and slapd under a temporary STACK_DIR on free ports, and a built worker binary.
type chaosSuite struct {
	repoDir   string
	stackDir  string
	scriptEnv []string
	settings  map[string]string
	workerBin string
}

func TestMain(m *testing.M) {
	mode := os.Getenv("UCMPUSH_CHAOS")
	if mode == "" {
		os.Exit(m.Run())
	}

	started := time.Now()
	s, err := startSuite()
	if err != nil {
		fmt.Fprintf(os.Stderr, "chaos: %v\n", err)
		if s != nil {
			s.stop()
		}
		if mode == "required" {
			os.Exit(1)
		}
		skipReason = "chaos tests: the stack did not start: " + err.Error()
		os.Exit(m.Run())
	}
	fmt.Fprintf(os.Stderr, "chaos: stack ready in %s (STACK_DIR %s)\n",
		time.Since(started).Round(time.Second), s.stackDir)

	suite = s
	code := m.Run()
	s.stop()
	os.Exit(code)
}

// requireSuite returns the suite's stack, or skips the test when it does not run.
func requireSuite(t *testing.T) *chaosSuite {
	t.Helper()
	if suite == nil {
		t.Skip(skipReason)
	}
	return suite
}

// startSuite starts the services, builds the worker and seeds the directory. On error the
// returned suite, when not nil, has services to stop.
func startSuite() (*chaosSuite, error) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ucmpush-chaos-")
	if err != nil {
		return nil, fmt.Errorf("create STACK_DIR: %w", err)
	}
	// The postgres OS user must be able to enter it to keep the cluster there.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}

	ports, err := freePorts(6)
	if err != nil {
		return nil, err
	}
	s := &chaosSuite{repoDir: repo, stackDir: dir}
	s.scriptEnv = append(os.Environ(),
		"STACK_DIR="+dir,
		"PG_PORT="+ports[0],
		"TEMPORAL_PORT="+ports[1],
		"TEMPORAL_UI_PORT="+ports[2],
		"TEMPORAL_DB_FILE="+filepath.Join(dir, "temporal", "chaos.db"),
		"LDAP_PORT="+ports[3],
		"LDAPS_PORT="+ports[4],
		"AXL_PORT="+ports[5],
	)

	if err := s.script(5*time.Minute, "up.sh", "postgres", "temporal", "slapd"); err != nil {
		return s, err
	}
	if s.settings, err = readEnvFile(filepath.Join(dir, "env")); err != nil {
		return s, err
	}
	for _, key := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "LDAP_URL", "LDAP_BASE_DN",
		"LDAP_BIND_DN", "LDAP_BIND_PASSWORD"} {
		if s.settings[key] == "" {
			return s, fmt.Errorf("%s is missing from %s/env after up.sh", key, dir)
		}
	}

	s.workerBin = filepath.Join(dir, "bin", "ucmpush-worker")
	if err := s.goCommand("build", "-o", s.workerBin, "./worker/cmd/ucmpush-worker"); err != nil {
		return s, err
	}
	return s, s.seedPeople()
}

// seedPeople replaces ou=people with peopleCount people of deploy/sampledir.
func (s *chaosSuite) seedPeople() error {
	ldif := filepath.Join(s.stackDir, "people.ldif")
	cmd := exec.Command("go", "run", "./deploy/sampledir", "-count", strconv.Itoa(peopleCount))
	cmd.Dir = s.repoDir
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go run ./deploy/sampledir: %w: %s", err, stderr.String())
	}
	if err := os.WriteFile(ldif, out.Bytes(), 0o600); err != nil {
		return err
	}
	return s.script(2*time.Minute, "slapd.sh", "seed", ldif)
}

// stop stops the services by their pidfiles and removes STACK_DIR, and the PostgreSQL cluster
// when postgres.sh had to keep it outside.
func (s *chaosSuite) stop() {
	if err := s.script(2*time.Minute, "down.sh"); err != nil {
		fmt.Fprintf(os.Stderr, "chaos: stop the stack in %s: %v\n", s.stackDir, err)
		return
	}
	record, err := os.ReadFile(filepath.Join(s.stackDir, "postgres", "cluster-dir"))
	if err == nil {
		cluster := filepath.Dir(strings.TrimSpace(string(record)))
		if strings.HasPrefix(cluster, "/var/tmp/ucmpush-") {
			_ = os.RemoveAll(cluster)
		}
	}
	_ = os.RemoveAll(s.stackDir)
}

// script runs deploy/stack/NAME with the suite's environment and returns an error with its
// output when it fails or runs longer than timeout.
func (s *chaosSuite) script(timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	path := filepath.Join(s.repoDir, "deploy", "stack", name)
	cmd := exec.CommandContext(ctx, "bash", append([]string{path}, args...)...)
	cmd.Env = s.scriptEnv
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("deploy/stack/%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// service runs deploy/stack/SVC.sh ACTION, failing the test when it fails.
func (s *chaosSuite) service(t *testing.T, svc, action string) {
	t.Helper()
	started := time.Now()
	if err := s.script(2*time.Minute, svc+".sh", action); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s took %s", svc, action, time.Since(started).Round(time.Millisecond))
}

// goCommand runs the go tool in the repository.
func (s *chaosSuite) goCommand(args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = s.repoDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// freePorts returns n TCP ports on 127.0.0.1 that were free a moment ago.
func freePorts(n int) ([]string, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()

	ports := make([]string, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return ports, nil
}

// readEnvFile parses the KEY=value lines of a STACK_DIR/env file, with values in single quotes
// where the shell needs them, as deploy/stack/lib.sh writes them.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the stack's settings: %w", err)
	}
	defer f.Close()

	settings := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "export ") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if len(value) >= 2 && strings.HasPrefix(value, "'") && strings.HasSuffix(value, "'") {
			value = strings.ReplaceAll(value[1:len(value)-1], `'\''`, `'`)
		}
		settings[key] = value
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if len(settings) == 0 {
		return nil, errors.New("no settings in " + path)
	}
	return settings, nil
}
