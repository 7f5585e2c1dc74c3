package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// figure is one measured value.
type figure struct {
	name  string
	value float64
	unit  string
	note  string
}

// ratio compares two figures with a goal. An empty goal makes it informational.
type ratio struct {
	name  string
	value float64
	goal  string
	met   bool
	note  string
}

// report collects figures and ratios and prints them at the end, so they stay together
// whatever the progress lines in between.
type report struct {
	w           io.Writer
	loadAtStart string
	figures     []figure
	ratios      []ratio
	values      map[string]float64
}

func newReport(w io.Writer) *report {
	return &report{w: w, values: map[string]float64{}, loadAtStart: loadAverage()}
}

// add records a figure and prints it as progress.
func (r *report) add(name string, value float64, unit string) {
	r.addNote(name, value, unit, "")
}

// addNote records a figure with a note printed after it as a comment.
func (r *report) addNote(name string, value float64, unit, note string) {
	r.figures = append(r.figures, figure{name: name, value: value, unit: unit, note: note})
	r.values[name] = value
	progress("%s %s %s", name, formatValue(value), unit)
}

// atMost records the ratio a/b with the goal that it is at most limit.
func (r *report) atMost(name string, a, b, limit float64, note string) {
	v := a / b
	r.ratios = append(r.ratios, ratio{name: name, value: v, note: note,
		goal: "<= " + formatValue(limit), met: v <= limit})
}

// atLeast records the ratio a/b with the goal that it is at least limit.
func (r *report) atLeast(name string, a, b, limit float64, note string) {
	v := a / b
	r.ratios = append(r.ratios, ratio{name: name, value: v, note: note,
		goal: ">= " + formatValue(limit), met: v >= limit})
}

// info records the ratio a/b without a goal.
func (r *report) info(name string, a, b float64, note string) {
	r.ratios = append(r.ratios, ratio{name: name, value: a / b, note: note})
}

// check records a goal that is not a ratio, such as "writes equal the changed users".
func (r *report) check(name string, value float64, goal string, met bool, note string) {
	r.ratios = append(r.ratios, ratio{name: name, value: value, goal: goal, met: met, note: note})
}

// print writes the machine, the figures and the ratios to the report's writer.
func (r *report) print() {
	fmt.Fprintf(r.w, "# ucmpush bench %s\n", time.Now().Format(time.RFC3339))
	fmt.Fprintf(r.w, "# machine: %s\n", machine())
	// Other processes on the machine slow every figure; the load average shows how busy it was.
	fmt.Fprintf(r.w, "# load average at start: %s; at end: %s\n", r.loadAtStart, loadAverage())
	for _, f := range r.figures {
		line := fmt.Sprintf("%s %s %s", f.name, formatValue(f.value), f.unit)
		if f.note != "" {
			line += "  # " + f.note
		}
		fmt.Fprintln(r.w, line)
	}

	fmt.Fprintln(r.w, "# ratios: name value goal verdict")
	for _, x := range r.ratios {
		verdict := "info"
		goal := "-"
		if x.goal != "" {
			goal = x.goal
			verdict = "met"
			if !x.met {
				verdict = "MISSED"
			}
		}
		line := fmt.Sprintf("%s %s %s %s", x.name, formatValue(x.value), strings.ReplaceAll(goal, " ", ""), verdict)
		if x.note != "" {
			line += "  # " + x.note
		}
		fmt.Fprintln(r.w, line)
	}
}

// formatValue prints integers without decimals, other values from 100 up with one decimal,
// from 1 up with two and smaller ones with four.
func formatValue(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// machine describes the CPUs, the memory and the Go version the figures were taken on.
func machine() string {
	model := firstField("/proc/cpuinfo", "model name")
	if model == "" {
		model = "unknown CPU"
	}
	memory := "unknown memory"
	if kb := firstField("/proc/meminfo", "MemTotal"); kb != "" {
		if n, err := strconv.ParseFloat(strings.TrimSuffix(kb, " kB"), 64); err == nil {
			memory = fmt.Sprintf("%.1f GiB", n/(1<<20))
		}
	}
	return fmt.Sprintf("nproc %d, memory %s, CPU %s, %s %s/%s", runtime.NumCPU(), memory, model,
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// loadAverage returns the 1, 5 and 15 minute load averages of /proc/loadavg.
func loadAverage() string {
	body, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(body))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

// firstField returns the value of the first "key: value" line of a /proc file, or "".
func firstField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()

	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		name, value, ok := strings.Cut(scanner.Text(), ":")
		if ok && strings.TrimSpace(name) == key {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// seconds converts a duration to seconds for a figure.
func seconds(d time.Duration) float64 { return d.Seconds() }

// mib converts bytes to MiB for a figure.
func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }
