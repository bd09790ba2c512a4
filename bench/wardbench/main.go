// Command wardbench drives the Ward workloads that a plain HTTP load
// generator cannot: ones whose next request depends on the last answer, or
// whose pacing is set by the protocol rather than by the server's speed.
//
//	setup       sign up one account with a software passkey and run N
//	            authorization-code logins (PKCE), writing one
//	            "access_token refresh_token" line per login
//	rotate      each worker owns refresh-token chains and rotates them as
//	            fast as the server answers (closed loop)
//	devicepoll  create N pending device authorizations and poll each one at
//	            its interval, the load 10,000 waiting CLIs put on a server
//	table       print a Markdown table from the JSON reports of a run
//
// Introspection needs none of this and is measured with bench/load. Every
// request goes to 127.0.0.1, whatever host the issuer URL names.
//
// Examples:
//
//	go run ./bench/wardbench setup -issuer http://localhost:8080 -n 256 -out tokens.txt
//	go run ./bench/wardbench rotate -issuer http://localhost:8080 -tokens tokens.txt -c 32 -d 15s -pid 1234 -json
//	go run ./bench/wardbench devicepoll -issuer http://localhost:8080 -n 10000 -d 30s -pid 1234 -json
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
	"syscall"
	"time"

	"github.com/wardauth/ward/bench/internal/latency"
	"github.com/wardauth/ward/bench/internal/procstat"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: wardbench setup|rotate|devicepoll|table [flags]
Run "wardbench COMMAND -h" for a command's flags.`

// run dispatches to a subcommand and returns the exit code (0 ok, 1 error,
// 2 usage) so tests can call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	// Ctrl-C ends a measurement early but still reports what was measured.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "setup":
		err = runSetup(ctx, rest, stderr)
	case "rotate":
		err = runRotate(ctx, rest, stdout, stderr)
	case "devicepoll":
		err = runDevicePoll(ctx, rest, stdout, stderr)
	case "table":
		err = runTable(rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "wardbench: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "wardbench %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "wardbench %s: %v\n", args[0], err)
		return 1
	}
}

// usageError marks a mistake in the command line, which exits 2.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// parse parses fs and refuses stray arguments, so a misspelt flag value
// is not silently ignored.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q; every option is a flag", fs.Args())
	}
	return nil
}

// Report is one measurement. Its field names match bench/load's report
// (requests_per_sec, latency_ms, server) so one table reads both.
type Report struct {
	Workload    string  `json:"workload"`
	Issuer      string  `json:"issuer"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	// Requests counts every attempt, answered or not.
	Requests       int             `json:"requests"`
	RequestsPerSec float64         `json:"requests_per_sec"`
	Latency        latency.Summary `json:"latency_ms"`
	// Answers counts responses by outcome: "ok" for a success, otherwise
	// the RFC 6749 error code, or "http NNN" when the body named none.
	Answers map[string]int `json:"answers"`
	// Errors counts every attempt that did not get the answer the workload
	// expects, transport failures included.
	Errors    int            `json:"errors"`
	Transport map[string]int `json:"transport_errors,omitempty"`

	// Chains is how many refresh-token chains rotate started with, and
	// ChainsLost how many ended in a refusal (a refused chain is dead).
	Chains     int `json:"chains,omitempty"`
	ChainsLost int `json:"chains_lost,omitempty"`

	// Pending is how many device authorizations devicepoll kept waiting,
	// and Lateness how long after its due time each poll was sent: a large
	// lateness means the generator, not the server, set the pace.
	Pending  int              `json:"pending,omitempty"`
	Lateness *latency.Summary `json:"schedule_lateness_ms,omitempty"`

	Server *procstat.Usage `json:"server,omitempty"`
	Client *procstat.Usage `json:"client,omitempty"`
}

// tally adds one worker's counts: answers by outcome, where expected is the
// answer the workload wants, and transport failures by kind.
func (r *Report) tally(answers, transport map[string]int, expected string) {
	for k, v := range answers {
		r.Answers[k] += v
		r.Requests += v
		if k != expected {
			r.Errors += v
		}
	}
	for k, v := range transport {
		r.Transport[k] += v
		r.Requests += v
		r.Errors += v
	}
}

// samplers starts sampling the server (when pid is set) and this process
// over the measured window; stop fills the report.
func samplers(pid int) (stop func(*Report), err error) {
	var server *procstat.Sampler
	if pid > 0 {
		if server, err = procstat.Start(pid, 100*time.Millisecond); err != nil {
			return nil, fmt.Errorf("-pid %d: %w", pid, err)
		}
	}
	// The generator shares the machine with the server; its own CPU use
	// shows whether it, not the server, was the bottleneck.
	client, _ := procstat.Start(os.Getpid(), 100*time.Millisecond)
	return func(r *Report) {
		if server != nil {
			u := server.Stop()
			r.Server = &u
		}
		if client != nil {
			u := client.Stop()
			r.Client = &u
		}
	}, nil
}

// write prints r as indented JSON or as text for a person.
func (r *Report) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(w, "%s  %s  concurrency %d  %.1fs\n", r.Workload, r.Issuer, r.Concurrency, r.Seconds)
	fmt.Fprintf(w, "requests    %d (%.0f/s), errors %d\n", r.Requests, r.RequestsPerSec, r.Errors)
	l := r.Latency
	fmt.Fprintf(w, "latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", l.P50, l.P90, l.P99, l.Max)
	for _, k := range sortedKeys(r.Answers) {
		fmt.Fprintf(w, "answer %-24s %d\n", k, r.Answers[k])
	}
	for _, k := range sortedKeys(r.Transport) {
		fmt.Fprintf(w, "transport %-21s %d\n", k, r.Transport[k])
	}
	if r.Lateness != nil {
		fmt.Fprintf(w, "lateness ms p50 %.2f  p99 %.2f  max %.2f\n", r.Lateness.P50, r.Lateness.P99, r.Lateness.Max)
	}
	if s := r.Server; s != nil {
		fmt.Fprintf(w, "server pid %d  cpu %.2f cores  peak rss %.1f MiB\n", s.PID, s.Cores, float64(s.PeakRSSBytes)/(1<<20))
	}
	if c := r.Client; c != nil {
		fmt.Fprintf(w, "client      cpu %.2f cores\n", c.Cores)
	}
	return nil
}
