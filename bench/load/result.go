package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/wardauth/ward/bench/internal/latency"
	"github.com/wardauth/ward/bench/internal/procstat"
)

// Result is the report of one run. Latencies cover responses only: a request
// that failed in transport has no meaningful latency.
type Result struct {
	URL         string  `json:"url"`
	Method      string  `json:"method"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	// Requests counts every completed attempt: responses plus transport errors.
	Requests       int             `json:"requests"`
	Errors         int             `json:"errors"`
	RequestsPerSec float64         `json:"requests_per_sec"`
	Latency        latency.Summary `json:"latency_ms"`
	Status         map[string]int  `json:"status"`
	// ErrorsByStatus keys are HTTP status codes (4xx, 5xx) or a transport
	// error kind such as "timeout".
	ErrorsByStatus map[string]int  `json:"errors_by_status"`
	Server         *procstat.Usage `json:"server,omitempty"`
	Client         *procstat.Usage `json:"client,omitempty"`
}

func summarize(cfg Config, elapsed time.Duration, stats []workerStats) *Result {
	r := &Result{
		URL:            cfg.URL,
		Method:         cfg.Method,
		Concurrency:    cfg.Concurrency,
		Seconds:        elapsed.Seconds(),
		Status:         map[string]int{},
		ErrorsByStatus: map[string]int{},
	}
	var all []time.Duration
	for _, s := range stats {
		all = append(all, s.latencies...)
		for k, v := range s.status {
			r.Status[k] += v
			r.Requests += v
		}
		for k, v := range s.errors {
			r.ErrorsByStatus[k] += v
			r.Errors += v
		}
		r.Requests += s.transport // attempts without a response count too
	}
	if elapsed > 0 {
		r.RequestsPerSec = float64(r.Requests) / elapsed.Seconds()
	}
	r.Latency = latency.Of(all)
	return r
}

// WriteText prints the report for a person.
func (r *Result) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s %s  concurrency %d  %.1fs\n", r.Method, r.URL, r.Concurrency, r.Seconds)
	fmt.Fprintf(w, "requests    %d (%.0f/s), errors %d\n", r.Requests, r.RequestsPerSec, r.Errors)
	l := r.Latency
	fmt.Fprintf(w, "latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f\n", l.P50, l.P90, l.P99, l.Max, l.Mean)
	for _, k := range slices.Sorted(maps.Keys(r.Status)) {
		fmt.Fprintf(w, "status %s  %d\n", k, r.Status[k])
	}
	for _, k := range slices.Sorted(maps.Keys(r.ErrorsByStatus)) {
		fmt.Fprintf(w, "error  %s  %d\n", k, r.ErrorsByStatus[k])
	}
	if r.Server != nil {
		fmt.Fprintf(w, "server pid %d  cpu %.2f cores (%.1fs cpu)  peak rss %.1f MiB\n",
			r.Server.PID, r.Server.Cores, r.Server.CPUSeconds, mib(r.Server.PeakRSSBytes))
	}
	if r.Client != nil {
		fmt.Fprintf(w, "client      cpu %.2f cores  peak rss %.1f MiB\n", r.Client.Cores, mib(r.Client.PeakRSSBytes))
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
