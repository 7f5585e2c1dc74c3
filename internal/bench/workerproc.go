package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// workerStartTimeout bounds the wait for a new worker's "Worker started" log line: it
// migrates the database and registers search attributes first.
const workerStartTimeout = time.Minute

// workerProcess is a ucmpush-worker started by the bench, with its log in a file.
type workerProcess struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	err     error
}

// startWorker runs bin with env, its output appended to logPath, and waits until it logs that
// it polls its task queue.
func startWorker(ctx context.Context, bin string, env []string, logPath string) (*workerProcess, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the worker log: %w", err)
	}
	defer log.Close()

	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the worker %s: %w", bin, err)
	}

	w := &workerProcess{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		close(w.exited)
	}()

	deadline := time.After(workerStartTimeout)
	for {
		body, _ := os.ReadFile(logPath)
		if bytes.Contains(body, []byte("Worker started")) {
			progress("worker started (pid %d), log %s", cmd.Process.Pid, logPath)
			return w, nil
		}
		select {
		case <-w.exited:
			return nil, fmt.Errorf("%w during start (%v); read %s", errWorkerExited, w.err, logPath)
		case <-deadline:
			_ = w.stop()
			return nil, fmt.Errorf("the worker did not log \"Worker started\" within %s; read %s",
				workerStartTimeout, logPath)
		case <-ctx.Done():
			_ = w.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM, which lets running activities finish, and SIGKILL after 40 s.
func (w *workerProcess) stop() error {
	select {
	case <-w.exited:
		return nil
	default:
	}
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop the worker (pid %d): %w", w.cmd.Process.Pid, err)
	}
	select {
	case <-w.exited:
		return nil
	case <-time.After(40 * time.Second):
	}
	_ = w.cmd.Process.Kill()
	<-w.exited
	return fmt.Errorf("the worker (pid %d) ignored SIGTERM for 40 s and was killed; read %s",
		w.cmd.Process.Pid, w.logPath)
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM in /proc/PID/status).
func (w *workerProcess) peakRSS() (int64, error) {
	path := fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid)
	body, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read the worker's peak memory: %w", err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		value, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse VmHWM %q in %s: %w", value, path, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no VmHWM line in %s", path)
}
