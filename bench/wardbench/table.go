package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// figures are the fields every report carries, bench/load's and
// wardbench's alike.
type figures struct {
	RequestsPerSec float64 `json:"requests_per_sec"`
	Latency        struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
	} `json:"latency_ms"`
	Errors int `json:"errors"`
	Server *struct {
		Cores        float64 `json:"cores"`
		PeakRSSBytes int64   `json:"peak_rss_bytes"`
	} `json:"server"`
}

// row is one line of the table: which engine, which workload, what it did.
type row struct {
	engine, workload string
	f                figures
	peer             bool // the peer's own row, which has no ratio
}

func runTable(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wardbench table [-hydra REPORT] ENGINE/WORKLOAD=REPORT...")
		fs.PrintDefaults()
	}
	hydra := fs.String("hydra", "", "Hydra's introspection report from bench/hydra.sh, the peer each introspection row is divided by")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() == 0 {
		return usagef("name at least one report as ENGINE/WORKLOAD=FILE")
	}
	var rows []row
	for _, arg := range fs.Args() {
		label, file, ok := strings.Cut(arg, "=")
		engine, workload, ok2 := strings.Cut(label, "/")
		if !ok || !ok2 {
			return usagef("%q is not ENGINE/WORKLOAD=FILE", arg)
		}
		f, err := readFigures(file)
		if err != nil {
			return err
		}
		rows = append(rows, row{engine: engine, workload: workload, f: f})
	}
	var peer *figures
	if *hydra != "" {
		f, err := readFigures(*hydra)
		if err != nil {
			return err
		}
		peer = &f
		rows = append(rows, row{engine: "Hydra v2.3.0 (memory)", workload: "introspection", f: f, peer: true})
	}
	writeTable(stdout, rows, peer)
	return nil
}

func readFigures(path string) (figures, error) {
	var f figures
	b, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("reading a report: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s is not a benchmark report: %w", path, err)
	}
	return f, nil
}

// writeTable prints rows as Markdown. Each introspection row other than
// the peer's own gets its ratio to the peer, the figure the targets set.
func writeTable(w io.Writer, rows []row, peer *figures) {
	fmt.Fprintln(w, "| engine | workload | req/s | p50 ms | p99 ms | errors | server CPU cores | peak RSS MiB | vs Hydra |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		cores, rss := "n/a", "n/a"
		if s := r.f.Server; s != nil {
			cores = fmt.Sprintf("%.2f", s.Cores)
			rss = fmt.Sprintf("%.0f", float64(s.PeakRSSBytes)/(1<<20))
		}
		ratio := ""
		if peer != nil && !r.peer && r.workload == "introspection" && peer.RequestsPerSec > 0 {
			ratio = fmt.Sprintf("%.2fx", r.f.RequestsPerSec/peer.RequestsPerSec)
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %.2f | %.2f | %d | %s | %s | %s |\n",
			r.engine, r.workload, r.f.RequestsPerSec, r.f.Latency.P50, r.f.Latency.P99, r.f.Errors, cores, rss, ratio)
	}
}
