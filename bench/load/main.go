// Command load is a small closed-loop HTTP load generator for Ward's
// benchmarks.
//
// Closed loop means each of -c workers sends one request, waits for the whole
// response, and only then sends the next. The offered load therefore adapts to
// the server, and requests/s is the server's sustainable throughput at that
// concurrency rather than a queue that grows without bound (as an open-loop
// generator would build when the server falls behind).
//
// It exists, instead of wrk or hey, because token endpoints need a different
// body per request (-body-file: one body a line, used round-robin, so each
// introspection carries a different token) and because a side-by-side figure
// needs the server's CPU and memory over the same window (-pid).
//
// Examples:
//
//	go run ./bench/load -url http://127.0.0.1:8080/healthz -d 5s
//	go run ./bench/load -url http://127.0.0.1:4445/admin/oauth2/introspect \
//	    -body 'token=...' -c 32 -d 15s -pid 1234 -json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wardauth/ward/bench/internal/procstat"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, drives the load and writes the report; it returns the
// process exit code (0 ok, 1 error, 2 usage) so tests can call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, asJSON, pid, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 2
	}

	// Ctrl-C ends the run early but still prints what was measured.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var server, client *procstat.Sampler
	if pid > 0 {
		if server, err = procstat.Start(pid, 100*time.Millisecond); err != nil {
			fmt.Fprintf(stderr, "load: -pid %d: %v\n", pid, err)
			return 1
		}
	}
	// The generator shares the machine with the server; its own CPU use shows
	// whether it, not the server, was the bottleneck.
	client, _ = procstat.Start(os.Getpid(), 100*time.Millisecond)

	res, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 1
	}
	if server != nil {
		u := server.Stop()
		res.Server = &u
	}
	if client != nil {
		u := client.Stop()
		res.Client = &u
	}

	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "load: writing JSON: %v\n", err)
			return 1
		}
	} else {
		res.WriteText(stdout)
	}
	if res.Requests == 0 {
		fmt.Fprintln(stderr, "load: no request completed")
		return 1
	}
	return 0
}

// headerFlags collects repeatable -H "Name: value" flags.
type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }

func (h *headerFlags) Set(v string) error {
	name, _, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("header %q is not of the form 'Name: value'", v)
	}
	*h = append(*h, v)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (cfg Config, asJSON bool, pid int, err error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var headers headerFlags
	var body, bodyFile string
	fs.StringVar(&cfg.URL, "url", "", "target URL (required)")
	fs.StringVar(&cfg.Method, "X", "", "HTTP method (default GET, or POST when a body is given)")
	fs.StringVar(&body, "body", "", "request body sent with every request, e.g. a form 'token=abc'")
	fs.StringVar(&bodyFile, "body-file", "", "file of request bodies, one a line, used round-robin")
	fs.Var(&headers, "H", "request header 'Name: value' (repeatable)")
	fs.IntVar(&cfg.Concurrency, "c", 32, "concurrent workers, each with one request in flight")
	fs.DurationVar(&cfg.Duration, "d", 10*time.Second, "how long to send requests (ignored when -n is set)")
	fs.IntVar(&cfg.Requests, "n", 0, "total requests to send instead of a duration")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.IntVar(&pid, "pid", 0, "sample this process's CPU time and RSS from /proc during the run")
	if err = fs.Parse(args); err != nil {
		return cfg, false, 0, err
	}
	if fs.NArg() > 0 {
		return cfg, false, 0, fmt.Errorf("unexpected arguments %q; every option is a flag", fs.Args())
	}
	if cfg.URL == "" {
		return cfg, false, 0, errors.New("-url is required")
	}
	if body != "" && bodyFile != "" {
		return cfg, false, 0, errors.New("use -body or -body-file, not both")
	}
	switch {
	case body != "":
		cfg.Bodies = [][]byte{[]byte(body)}
	case bodyFile != "":
		if cfg.Bodies, err = ReadBodies(bodyFile); err != nil {
			return cfg, false, 0, err
		}
	}
	if cfg.Header, err = ParseHeaders(headers); err != nil {
		return cfg, false, 0, err
	}
	return cfg, asJSON, pid, cfg.Validate()
}
