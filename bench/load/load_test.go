package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardauth/ward/bench/internal/latency"
	"github.com/wardauth/ward/bench/internal/procstat"
)

func TestRunCountsEveryRequest(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Config{URL: srv.URL, Concurrency: 8, Requests: 500})
	if err != nil {
		t.Fatal(err)
	}
	if got := hits.Load(); got != 500 {
		t.Errorf("server saw %d requests, want 500", got)
	}
	if res.Requests != 500 || res.Status["200"] != 500 || res.Errors != 0 {
		t.Errorf("result: requests %d, 200s %d, errors %d; want 500, 500, 0", res.Requests, res.Status["200"], res.Errors)
	}
	if res.Method != http.MethodGet {
		t.Errorf("method %q, want GET without a body", res.Method)
	}
}

func TestRunSpreadsBodiesRoundRobin(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method %s, want POST when bodies are given", r.Method)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q, want the form default", ct)
		}
		if got := r.Header.Get("X-Bench"); got != "yes" {
			t.Errorf("X-Bench header %q, want yes", got)
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		mu.Lock()
		seen[r.PostForm.Get("token")]++
		mu.Unlock()
	}))
	defer srv.Close()

	file := filepath.Join(t.TempDir(), "bodies")
	if err := os.WriteFile(file, []byte("token=a\r\ntoken=b\n\ntoken=c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bodies, err := ReadBodies(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 3 {
		t.Fatalf("read %d bodies, want 3 (blank line skipped, CR dropped)", len(bodies))
	}
	hdr, err := ParseHeaders([]string{"x-bench: yes"})
	if err != nil {
		t.Fatal(err)
	}

	// Several workers share one counter, so the spread is exact, not just
	// per worker.
	_, err = Run(context.Background(), Config{URL: srv.URL, Bodies: bodies, Header: hdr, Concurrency: 4, Requests: 300})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"a": 100, "b": 100, "c": 100}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("token %q sent %d times, want %d (all: %v)", k, seen[k], v, seen)
		}
	}
}

func TestRunMeasuresLatency(t *testing.T) {
	const delay = 20 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Config{URL: srv.URL, Concurrency: 4, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 {
		t.Fatal("no request completed")
	}
	// The handler's sleep is a floor on every latency. The upper bound is
	// deliberately loose: a loaded CI machine may be slow, never faster.
	l := res.Latency
	if l.P50 < latency.MS(delay) || l.P90 < l.P50 || l.P99 < l.P90 || l.Max < l.P99 {
		t.Errorf("latencies not ordered or below the %v floor: %+v", delay, l)
	}
	if l.P50 > 5000 {
		t.Errorf("p50 %.1f ms for a %v handler", l.P50, delay)
	}
	// A closed loop of 4 workers cannot exceed 4 requests per delay.
	if maxRate := 4 / delay.Seconds(); res.RequestsPerSec > maxRate*1.01 {
		t.Errorf("%.0f req/s exceeds the closed-loop ceiling %.0f", res.RequestsPerSec, maxRate)
	}
	if res.Seconds < 0.3 {
		t.Errorf("run lasted %.3fs, want at least the 0.3s duration", res.Seconds)
	}
}

func TestRunCountsErrorsByStatusAndTransport(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Config{URL: srv.URL, Concurrency: 2, Requests: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.ErrorsByStatus["503"] != 25 || res.Errors != 25 || res.Status["200"] != 75 {
		t.Errorf("errors %v (total %d), status %v; want 25 x 503 and 75 x 200", res.ErrorsByStatus, res.Errors, res.Status)
	}

	// Nothing listens on a closed server's port: every attempt is a
	// transport error, counted, with no latency.
	srv.Close()
	res, err = Run(context.Background(), Config{URL: srv.URL, Concurrency: 2, Requests: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 10 || res.Errors != 10 || len(res.Status) != 0 {
		t.Errorf("against a closed port: requests %d, errors %d %v, status %v", res.Requests, res.Errors, res.ErrorsByStatus, res.Status)
	}
}

func TestMainJSONWithPID(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()

	var out, errOut bytes.Buffer
	code := run([]string{"-url", srv.URL, "-n", "50", "-c", "2", "-json", "-pid", strconv.Itoa(os.Getpid()),
		"-H", "Authorization: Bearer x"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if res.Requests != 50 || res.Server == nil || res.Server.PeakRSSBytes <= 0 || res.Server.CPUSeconds < 0 {
		t.Errorf("unexpected report: %s", out.String())
	}
}

func TestMainUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},                                    // no -url
		{"-url", "http://x", "-c", "0"},       // no workers
		{"-url", "http://x", "-H", "nocolon"}, // bad header
		{"-url", "http://x", "-body", "a", "-body-file", "f"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want usage exit 2 (stderr: %s)", args, code, errOut.String())
		}
	}
}

func TestWriteText(t *testing.T) {
	r := &Result{Method: "POST", URL: "http://x", Concurrency: 2, Requests: 3,
		Status: map[string]int{"200": 2, "500": 1}, ErrorsByStatus: map[string]int{"500": 1}, Errors: 1,
		Server: &procstat.Usage{PID: 1, Cores: 1.5, PeakRSSBytes: 1 << 20}}
	var b bytes.Buffer
	r.WriteText(&b)
	for _, want := range []string{"requests    3", "status 500  1", "error  500  1", "cpu 1.50 cores", "peak rss 1.0 MiB"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}
