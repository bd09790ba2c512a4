package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardauth/ward/bench/internal/failure"
)

// newTransport returns a transport sized for the run. The default transport
// keeps only 2 idle connections per host, so at concurrency 32 most requests
// would open a fresh TCP connection and the benchmark would measure connection
// setup instead of the server's handler.
func newTransport(concurrency int) *http.Transport {
	return &http.Transport{
		Proxy: nil, // loopback targets only; never route through a proxy
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		IdleConnTimeout:     90 * time.Second,
		// Measure the server's work, not gzip on both ends.
		DisableCompression: true,
		// Plain HTTP/1.1 with one connection per worker, like wrk.
		ForceAttemptHTTP2: false,
	}
}

// workerStats is what one worker records; merged after the run so workers
// never contend on a lock in the hot path.
type workerStats struct {
	latencies []time.Duration
	status    map[string]int // every response, by status code
	errors    map[string]int // error responses by code, transport errors by kind
	transport int            // attempts that got no response
}

// Run drives the load described by cfg until the duration or request count is
// reached or ctx is done, and returns the measurements.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	req, err := http.NewRequest(cfg.Method, cfg.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("building request for %s: %w", cfg.URL, err)
	}
	for k, v := range cfg.Header {
		req.Header[k] = v
	}
	if host := cfg.Header.Get("Host"); host != "" {
		req.Host = host
	}

	tr := newTransport(cfg.Concurrency)
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// A redirect is the server's answer; following it would measure
		// another endpoint.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	var (
		next     atomic.Int64 // index of the next request, for round-robin bodies
		deadline time.Time
		stats    = make([]workerStats, cfg.Concurrency)
		wg       sync.WaitGroup
	)
	start := time.Now()
	if cfg.Requests == 0 {
		deadline = start.Add(cfg.Duration)
	}
	for w := range cfg.Concurrency {
		st := &stats[w]
		st.status = map[string]int{}
		st.errors = map[string]int{}
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if cfg.Requests > 0 && i >= int64(cfg.Requests) {
					return
				}
				// Requests already in flight at the deadline finish and
				// count; none starts after it.
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				r := req.Clone(ctx)
				if n := len(cfg.Bodies); n > 0 {
					b := cfg.Bodies[i%int64(n)]
					r.Body = io.NopCloser(bytes.NewReader(b))
					r.ContentLength = int64(len(b))
					r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
				}
				t0 := time.Now()
				resp, err := client.Do(r)
				if err == nil {
					// Drain so the connection is reused, and so latency
					// covers the whole response.
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat := time.Since(t0)
				switch {
				case err != nil && ctx.Err() != nil:
					return // interrupted: not the server's error
				case err != nil:
					st.errors[failure.Kind(err)]++
					st.transport++
				default:
					code := strconv.Itoa(resp.StatusCode)
					st.status[code]++
					st.latencies = append(st.latencies, lat)
					if resp.StatusCode >= 400 {
						st.errors[code]++
					}
				}
			}
		})
	}
	wg.Wait()
	return summarize(cfg, time.Since(start), stats), nil
}
