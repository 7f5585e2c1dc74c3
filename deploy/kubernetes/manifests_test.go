// Package kubernetes_test checks the deployment files of deploy/kubernetes and deploy/compose
// without a cluster or Docker: every YAML file parses, and the settings that must agree
// across files do (grace periods above the shutdown timeout, probe ports, secret names).
package kubernetes_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// yamlFiles returns every .yaml file under the given folders.
func yamlFiles(t *testing.T, roots ...string) []string {
	t.Helper()
	var files []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no YAML files under %v", roots)
	}
	return files
}

// documents decodes every YAML document of a file.
func documents(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s does not parse: %v", path, err)
		}
		docs = append(docs, doc)
	}
}

func TestEveryYAMLFileParses(t *testing.T) {
	for _, path := range yamlFiles(t, ".", filepath.Join("..", "compose")) {
		if docs := documents(t, path); len(docs) == 0 {
			t.Errorf("%s holds no YAML document", path)
		}
	}
}

// get walks a decoded document along keys and list indexes, returning nil when a step is
// missing.
func get(v any, path ...any) any {
	for _, step := range path {
		switch key := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		case int:
			list, ok := v.([]any)
			if !ok || key >= len(list) {
				return nil
			}
			v = list[key]
		}
	}
	return v
}

func findKind(t *testing.T, path, kind string) map[string]any {
	t.Helper()
	for _, doc := range documents(t, path) {
		if doc["kind"] == kind {
			return doc
		}
	}
	t.Fatalf("%s holds no %s", path, kind)
	return nil
}

func TestDeploymentOutlivesShutdownTimeout(t *testing.T) {
	config := findKind(t, filepath.Join("base", "configmap.yaml"), "ConfigMap")
	timeout, err := time.ParseDuration(get(config, "data", "UCMPUSH_SHUTDOWN_TIMEOUT").(string))
	if err != nil {
		t.Fatalf("UCMPUSH_SHUTDOWN_TIMEOUT: %v", err)
	}

	deployment := findKind(t, filepath.Join("base", "deployment.yaml"), "Deployment")
	grace, ok := get(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
	if !ok {
		t.Fatal("the Deployment sets no terminationGracePeriodSeconds")
	}
	if time.Duration(grace)*time.Second <= timeout+5*time.Second {
		t.Errorf("terminationGracePeriodSeconds %d leaves no margin over the shutdown timeout %s",
			grace, timeout)
	}
}

func TestProbesUseTheMetricsPort(t *testing.T) {
	config := findKind(t, filepath.Join("base", "configmap.yaml"), "ConfigMap")
	listen := get(config, "data", "UCMPUSH_METRICS_LISTEN").(string)
	if !strings.HasPrefix(listen, "0.0.0.0:") {
		t.Errorf("UCMPUSH_METRICS_LISTEN = %q: the kubelet cannot reach a loopback address", listen)
	}

	deployment := findKind(t, filepath.Join("base", "deployment.yaml"), "Deployment")
	container := get(deployment, "spec", "template", "spec", "containers", 0)
	port := get(container, "ports", 0)
	number, _ := get(port, "containerPort").(int)
	if get(port, "name") != "metrics" || "0.0.0.0:"+strconv.Itoa(number) != listen {
		t.Errorf("container port %v does not match UCMPUSH_METRICS_LISTEN %s", port, listen)
	}
	for probe, path := range map[string]string{"startupProbe": "/healthz", "livenessProbe": "/healthz",
		"readinessProbe": "/readyz"} {
		if got := get(container, probe, "httpGet", "path"); got != path {
			t.Errorf("%s path = %v, want %s", probe, got, path)
		}
		if got := get(container, probe, "httpGet", "port"); got != "metrics" {
			t.Errorf("%s port = %v, want metrics", probe, got)
		}
	}
}

func TestComposeServicesAgree(t *testing.T) {
	compose := documents(t, filepath.Join("..", "compose", "compose.yaml"))[0]
	services := get(compose, "services").(map[string]any)
	secrets := get(compose, "secrets").(map[string]any)

	for name, raw := range services {
		service := raw.(map[string]any)
		for _, s := range asList(service["secrets"]) {
			if _, ok := secrets[s.(string)]; !ok {
				t.Errorf("service %s uses the undefined secret %v", name, s)
			}
		}
		for dependency := range asMap(service["depends_on"]) {
			if _, ok := services[dependency]; !ok {
				t.Errorf("service %s depends on the undefined service %s", name, dependency)
			}
		}
		for _, p := range asList(service["ports"]) {
			if !strings.HasPrefix(p.(string), "127.0.0.1:") {
				t.Errorf("service %s publishes %v beyond loopback", name, p)
			}
		}
	}

	worker := services["worker"].(map[string]any)
	timeout, err := time.ParseDuration(get(worker, "environment", "UCMPUSH_SHUTDOWN_TIMEOUT").(string))
	if err != nil {
		t.Fatalf("worker UCMPUSH_SHUTDOWN_TIMEOUT: %v", err)
	}
	grace, err := time.ParseDuration(get(worker, "stop_grace_period").(string))
	if err != nil {
		t.Fatalf("worker stop_grace_period: %v", err)
	}
	if grace <= timeout {
		t.Errorf("stop_grace_period %s is not above the shutdown timeout %s", grace, timeout)
	}

	dockerfile := filepath.Join("..", "compose", get(worker, "build", "context").(string),
		get(worker, "build", "dockerfile").(string))
	if _, err := os.Stat(dockerfile); err != nil {
		t.Errorf("the worker's Dockerfile: %v", err)
	}
	for _, s := range asMap(secrets) {
		file := filepath.Join("..", "compose", get(s, "file").(string))
		if filepath.Dir(file) != filepath.Join("..", "compose", "secrets") {
			t.Errorf("secret file %s lies outside compose/secrets, which git ignores", file)
		}
	}
}

func asList(v any) []any {
	list, _ := v.([]any)
	return list
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
