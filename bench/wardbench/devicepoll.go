package main

import (
	"container/heap"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/wardauth/ward/bench/internal/failure"
	"github.com/wardauth/ward/bench/internal/latency"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

func runDevicePoll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devicepoll", flag.ContinueOnError)
	issuer := fs.String("issuer", "", "Ward's issuer URL (required)")
	n := fs.Int("n", 10000, "pending device authorizations to create and poll")
	d := fs.Duration("d", 30*time.Second, "how long to poll")
	c := fs.Int("c", 64, "connections (and workers) for sending polls; enough that a slow answer delays no other poll")
	pid := fs.Int("pid", 0, "sample this process's CPU time and RSS (the server's) while polling")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *issuer == "":
		return usagef("-issuer is required")
	case *n < 1 || *c < 1 || *d <= 0:
		return usagef("-n and -c must be at least 1 and -d positive")
	}
	hc := newHTTPClient(*c)
	ep, err := discover(ctx, hc, *issuer)
	if err != nil {
		return err
	}
	if ep.Device == "" {
		return fmt.Errorf("discovery at %s names no device_authorization_endpoint", *issuer)
	}
	t0 := time.Now()
	devs, err := createDevices(ctx, hc, ep.Device, *n, *c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wardbench devicepoll: %d pending device codes created in %.1fs; polling for %s\n",
		len(devs), time.Since(t0).Seconds(), *d)

	stop, err := samplers(*pid)
	if err != nil {
		return err
	}
	r := pollLoop(ctx, hc, ep.Token, devs, *c, *d)
	stop(r)
	r.Issuer = *issuer
	if err := r.write(stdout, *asJSON); err != nil {
		return err
	}
	if n := r.Answers["slow_down"]; n > 0 {
		fmt.Fprintf(stderr, "wardbench devicepoll: %d slow_down answers, yet every poll waited a full interval after the previous answer: a server (or scheduler) bug\n", n)
	}
	if r.Requests == 0 {
		return fmt.Errorf("no poll completed")
	}
	return nil
}

// device is one pending authorization as its CLI knows it.
type device struct {
	code     string
	interval time.Duration
}

// createDevices starts n device authorizations for ward-cli, c at a time.
func createDevices(ctx context.Context, hc *http.Client, endpoint string, n, c int) ([]device, error) {
	devs := make([]device, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	form := url.Values{"client_id": {"ward-cli"}, "scope": {"openid offline_access"}}
	for range c {
		wg.Go(func() {
			for i := range next {
				dev, err := createDevice(ctx, hc, endpoint, form)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("device authorization %d: %w", i+1, err)
					}
					mu.Unlock()
					continue
				}
				devs[i] = dev
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return devs, firstErr
}

func createDevice(ctx context.Context, hc *http.Client, endpoint string, form url.Values) (device, error) {
	a, err := postForm(ctx, hc, endpoint, form)
	if err != nil {
		return device{}, err
	}
	if a.status != http.StatusOK {
		return device{}, fmt.Errorf("answered %d %s", a.status, a.outcome())
	}
	var r struct {
		DeviceCode string `json:"device_code"`
		Interval   int    `json:"interval"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil || r.DeviceCode == "" {
		return device{}, fmt.Errorf("no device_code in the answer: %s", a.body)
	}
	// RFC 8628 §3.2: absent an interval the client waits 5 seconds.
	iv := 5 * time.Second
	if r.Interval > 0 {
		iv = time.Duration(r.Interval) * time.Second
	}
	return device{code: r.DeviceCode, interval: iv}, nil
}

// firstPoll spreads n codes' first polls evenly over one interval from
// start, code i at start + i*interval/n, so the server sees a steady
// n/interval polls per second from the outset instead of n at once.
func firstPoll(start time.Time, i, n int, interval time.Duration) time.Time {
	return start.Add(time.Duration(int64(interval) * int64(i) / int64(n)))
}

// nextPoll decides, from the answer to a poll received at answered, when
// the code is polled next and at what interval, or that polling it ends.
// The next poll is due a full interval after the answer, not after the
// request: the server stamps a poll somewhere between the two, so timing
// from the request could land a hair early and rightly earn slow_down.
// slow_down adds 5 seconds to the interval for good (RFC 8628 §3.5).
func nextPoll(answered time.Time, interval time.Duration, outcome string) (due time.Time, newInterval time.Duration, again bool) {
	switch outcome {
	case "authorization_pending", "transport":
		return answered.Add(interval), interval, true
	case "slow_down":
		interval += 5 * time.Second
		return answered.Add(interval), interval, true
	}
	return time.Time{}, interval, false
}

// poll is one scheduled request.
type poll struct {
	due time.Time
	dev int
}

// pollQueue is a min-heap of polls by due time.
type pollQueue []poll

func (q pollQueue) Len() int           { return len(q) }
func (q pollQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q pollQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *pollQueue) Push(x any)        { *q = append(*q, x.(poll)) }
func (q *pollQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	*q = old[:len(old)-1]
	return p
}

// scheduler hands out polls at their due times. Workers put each code back
// after its answer; one dispatcher sleeps until the earliest is due.
type scheduler struct {
	mu   sync.Mutex
	q    pollQueue
	wake chan struct{} // a poll was added; the dispatcher re-reads the head
}

func newScheduler() *scheduler { return &scheduler{wake: make(chan struct{}, 1)} }

func (s *scheduler) add(p poll) {
	s.mu.Lock()
	heap.Push(&s.q, p)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// dispatch sends every poll due before end to jobs at its due time, then
// closes jobs.
func (s *scheduler) dispatch(ctx context.Context, end time.Time, jobs chan<- poll) {
	defer close(jobs)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var head poll
		have := len(s.q) > 0
		if have {
			head = s.q[0]
		}
		s.mu.Unlock()
		wait := time.Hour // nothing queued: every code is in flight
		if have {
			if !head.due.Before(end) {
				return
			}
			wait = time.Until(head.due)
			if wait <= 0 {
				s.mu.Lock()
				heap.Pop(&s.q)
				s.mu.Unlock()
				select {
				case jobs <- head:
				case <-ctx.Done():
					return
				}
				continue
			}
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.wake:
		case <-ctx.Done():
			return
		}
	}
}

type pollStats struct {
	latencies []time.Duration
	lateness  []time.Duration
	answers   map[string]int
	transport map[string]int
}

func pollLoop(ctx context.Context, hc *http.Client, tokenURL string, devs []device, c int, d time.Duration) *Report {
	s := newScheduler()
	start := time.Now()
	end := start.Add(d)
	for i, dev := range devs {
		s.add(poll{due: firstPoll(start, i, len(devs), dev.interval), dev: i})
	}
	jobs := make(chan poll, c)
	go s.dispatch(ctx, end, jobs)

	stats := make([]pollStats, c)
	var wg sync.WaitGroup
	for w := range c {
		st := &stats[w]
		st.answers, st.transport = map[string]int{}, map[string]int{}
		wg.Go(func() {
			for p := range jobs {
				dev := &devs[p.dev] // only the worker holding its poll touches a device
				form := url.Values{"grant_type": {deviceGrant}, "device_code": {dev.code}, "client_id": {"ward-cli"}}
				t0 := time.Now()
				st.lateness = append(st.lateness, t0.Sub(p.due))
				a, err := postForm(ctx, hc, tokenURL, form)
				answered := time.Now()
				if err != nil && ctx.Err() != nil {
					return
				}
				outcome := "transport"
				if err != nil {
					st.transport[failure.Kind(err)]++
				} else {
					outcome = a.outcome()
					st.answers[outcome]++
					st.latencies = append(st.latencies, answered.Sub(t0))
				}
				due, iv, again := nextPoll(answered, dev.interval, outcome)
				dev.interval = iv
				if again {
					s.add(poll{due: due, dev: p.dev})
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	r := &Report{Workload: "device polling", Concurrency: c, Seconds: elapsed.Seconds(), Pending: len(devs),
		Answers: map[string]int{}, Transport: map[string]int{}}
	var lat, late []time.Duration
	for _, st := range stats {
		lat = append(lat, st.latencies...)
		late = append(late, st.lateness...)
		r.tally(st.answers, st.transport, "authorization_pending")
	}
	r.RequestsPerSec = float64(r.Requests) / elapsed.Seconds()
	r.Latency = latency.Of(lat)
	l := latency.Of(late)
	r.Lateness = &l
	return r
}
