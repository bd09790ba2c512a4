package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wardauth/ward/bench/internal/failure"
	"github.com/wardauth/ward/bench/internal/latency"
)

func runRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rotate", flag.ContinueOnError)
	issuer := fs.String("issuer", "", "Ward's issuer URL (required)")
	file := fs.String("tokens", "", "token file written by setup (required)")
	c := fs.Int("c", 32, "workers, each rotating its own chains with one request in flight")
	d := fs.Duration("d", 15*time.Second, "how long to rotate")
	pid := fs.Int("pid", 0, "sample this process's CPU time and RSS (the server's) during the run")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *issuer == "" || *file == "":
		return usagef("-issuer and -tokens are required")
	case *c < 1 || *d <= 0:
		return usagef("-c must be at least 1 and -d positive")
	}
	refresh, err := readRefreshTokens(*file)
	if err != nil {
		return err
	}
	sets, err := partition(refresh, *c)
	if err != nil {
		return err
	}
	hc := newHTTPClient(*c)
	ep, err := discover(ctx, hc, *issuer)
	if err != nil {
		return err
	}
	stop, err := samplers(*pid)
	if err != nil {
		return err
	}
	r := rotateLoop(ctx, hc, ep.Token, sets, *d)
	stop(r)
	r.Issuer = *issuer
	if err := r.write(stdout, *asJSON); err != nil {
		return err
	}
	if r.Requests == 0 {
		return fmt.Errorf("no rotation completed")
	}
	return nil
}

// readRefreshTokens reads the second field of each line of a setup file.
func readRefreshTokens(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading tokens: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		switch len(fields) {
		case 0:
			continue
		case 2:
			out = append(out, fields[1])
		default:
			return nil, fmt.Errorf("%s line %d: want 'access_token refresh_token'", path, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

// chainSet is one worker's refresh-token chains. Each chain is a login's
// current refresh token; rotating it replaces the token with its successor,
// so no two workers may ever hold the same chain: presenting a spent token
// outside the grace window burns the whole family, by design.
type chainSet struct {
	tokens []string
	dead   []bool
	next   int
}

// partition deals tokens to c workers, worker w getting tokens w, w+c, ...,
// so every chain has exactly one owner.
func partition(tokens []string, c int) ([]*chainSet, error) {
	if len(tokens) < c {
		return nil, fmt.Errorf("%d refresh tokens for %d workers: each worker needs a chain of its own; run setup with -n %d or more", len(tokens), c, c)
	}
	sets := make([]*chainSet, c)
	for w := range sets {
		sets[w] = &chainSet{}
	}
	for i, t := range tokens {
		s := sets[i%c]
		s.tokens = append(s.tokens, t)
		s.dead = append(s.dead, false)
	}
	return sets, nil
}

// pick returns the next live chain in turn, so a worker with several
// chains spreads its rotations over all of them.
func (s *chainSet) pick() (int, bool) {
	for range len(s.tokens) {
		i := s.next
		s.next = (s.next + 1) % len(s.tokens)
		if !s.dead[i] {
			return i, true
		}
	}
	return 0, false
}

// step is what a worker does with a chain after an answer.
type step int

const (
	advance step = iota // the answer carried the successor: use it next
	retry               // no verdict (lost answer, 5xx): the same token again
	kill                // refused: the chain is dead
)

// judge decides a chain's next step from the answer to a rotation, and
// returns the successor token for advance. A transport failure or a 5xx
// leaves the chain on the same token: if the server did rotate, its grace
// window accepts the retry. A 4xx refusal (invalid_grant) means the family
// is gone, and an answer without a successor cannot continue the chain.
func judge(a answer, transportErr error) (step, string) {
	switch {
	case transportErr != nil || a.status >= 500:
		return retry, ""
	case a.status != http.StatusOK:
		return kill, ""
	}
	var t struct {
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(a.body, &t) != nil || t.RefreshToken == "" {
		return kill, ""
	}
	return advance, t.RefreshToken
}

// rotateStats is one worker's record, merged after the run so workers never
// share a lock in the hot path.
type rotateStats struct {
	latencies []time.Duration
	answers   map[string]int
	transport map[string]int
	lost      int
}

func rotateLoop(ctx context.Context, hc *http.Client, tokenURL string, sets []*chainSet, d time.Duration) *Report {
	stats := make([]rotateStats, len(sets))
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w, set := range sets {
		st := &stats[w]
		st.answers, st.transport = map[string]int{}, map[string]int{}
		wg.Go(func() {
			// Requests in flight at the deadline finish and count; none
			// starts after it.
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i, ok := set.pick()
				if !ok {
					return // every chain of this worker is dead
				}
				form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {set.tokens[i]}, "client_id": {"ward-cli"}}
				t0 := time.Now()
				a, err := postForm(ctx, hc, tokenURL, form)
				lat := time.Since(t0)
				if err != nil && ctx.Err() != nil {
					return // interrupted: not the server's error
				}
				if err != nil {
					st.transport[failure.Kind(err)]++
				} else {
					st.answers[a.outcome()]++
					st.latencies = append(st.latencies, lat)
				}
				switch next, tok := judge(a, err); next {
				case advance:
					set.tokens[i] = tok
				case kill:
					set.dead[i] = true
					st.lost++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	r := &Report{Workload: "refresh rotation", Concurrency: len(sets), Seconds: elapsed.Seconds(),
		Answers: map[string]int{}, Transport: map[string]int{}}
	var all []time.Duration
	for w, st := range stats {
		r.Chains += len(sets[w].tokens)
		r.ChainsLost += st.lost
		all = append(all, st.latencies...)
		r.tally(st.answers, st.transport, "ok")
	}
	// Rotations per second count successes only: a refusal is cheap and
	// would flatter the figure.
	r.RequestsPerSec = float64(r.Answers["ok"]) / elapsed.Seconds()
	r.Latency = latency.Of(all)
	return r
}
