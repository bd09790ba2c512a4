package main

import (
	"bytes"
	"container/heap"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFirstPollSpreadsOneInterval(t *testing.T) {
	const n, interval = 10000, 5 * time.Second
	gap := interval / n // 500µs: 2,000 polls a second
	prev := firstPoll(t0, 0, n, interval)
	if !prev.Equal(t0) {
		t.Fatalf("code 0 first polls at %v, want the start", prev)
	}
	for i := 1; i < n; i++ {
		at := firstPoll(t0, i, n, interval)
		if d := at.Sub(prev); d != gap {
			t.Fatalf("codes %d and %d first poll %v apart, want %v", i-1, i, d, gap)
		}
		prev = at
	}
	if last := prev.Sub(t0); last >= interval {
		t.Errorf("last first poll %v after the start; all must fall within one interval", last)
	}
	// Uneven division still stays inside the interval, in order.
	if at := firstPoll(t0, 2, 3, interval); at.Sub(t0) != 3333333333 {
		t.Errorf("code 2 of 3 at %v", at.Sub(t0))
	}
}

func TestNextPollWaitsFromTheAnswer(t *testing.T) {
	const iv = 5 * time.Second
	answered := t0.Add(1234 * time.Microsecond)
	for _, c := range []struct {
		outcome string
		due     time.Duration // after answered; 0 with again false
		iv      time.Duration
		again   bool
	}{
		{"authorization_pending", iv, iv, true},
		{"transport", iv, iv, true},
		{"slow_down", iv + 5*time.Second, iv + 5*time.Second, true},
		{"ok", 0, iv, false},
		{"expired_token", 0, iv, false},
		{"access_denied", 0, iv, false},
	} {
		due, newIV, again := nextPoll(answered, iv, c.outcome)
		if again != c.again || newIV != c.iv || (again && due.Sub(answered) != c.due) {
			t.Errorf("%s: due +%v, interval %v, again %v; want +%v, %v, %v",
				c.outcome, due.Sub(answered), newIV, again, c.due, c.iv, c.again)
		}
	}
}

func TestPollQueueOrdersByDue(t *testing.T) {
	var q pollQueue
	for _, p := range []poll{{t0.Add(3 * time.Second), 3}, {t0.Add(time.Second), 1}, {t0.Add(2 * time.Second), 2}, {t0, 0}} {
		heap.Push(&q, p)
	}
	for want := range 4 {
		if got := heap.Pop(&q).(poll); got.dev != want {
			t.Fatalf("popped device %d, want %d", got.dev, want)
		}
	}
}

func TestPartitionGivesEachChainOneOwner(t *testing.T) {
	tokens := []string{"a", "b", "c", "d", "e"}
	sets, err := partition(tokens, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sets[0].tokens, ""); got != "ace" {
		t.Errorf("worker 0 owns %q, want ace", got)
	}
	if got := strings.Join(sets[1].tokens, ""); got != "bd" {
		t.Errorf("worker 1 owns %q, want bd", got)
	}
	if _, err := partition(tokens, 6); err == nil || !strings.Contains(err.Error(), "-n 6") {
		t.Errorf("5 tokens for 6 workers: %v; want an error naming -n 6", err)
	}
}

func TestChainSetRoundRobinSkipsDead(t *testing.T) {
	s := &chainSet{tokens: []string{"a", "b", "c"}, dead: make([]bool, 3)}
	var order []int
	for range 4 {
		i, _ := s.pick()
		order = append(order, i)
	}
	if want := []int{0, 1, 2, 0}; !slices.Equal(order, want) {
		t.Errorf("picked %v, want %v", order, want)
	}
	s.dead[2] = true
	order = order[:0]
	for range 3 {
		i, _ := s.pick()
		order = append(order, i)
	}
	if want := []int{1, 0, 1}; !slices.Equal(order, want) {
		t.Errorf("with chain 2 dead picked %v, want %v", order, want)
	}
	s.dead[0], s.dead[1] = true, true
	if _, ok := s.pick(); ok {
		t.Error("picked a chain with all dead")
	}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		name string
		a    answer
		err  error
		want step
		next string
	}{
		{"successor", answer{200, []byte(`{"access_token":"x","refresh_token":"wardr_next"}`)}, nil, advance, "wardr_next"},
		{"no successor", answer{200, []byte(`{"access_token":"x"}`)}, nil, kill, ""},
		{"not JSON", answer{200, []byte(`<html>`)}, nil, kill, ""},
		{"refused", answer{400, []byte(`{"error":"invalid_grant"}`)}, nil, kill, ""},
		{"server error", answer{500, []byte(`{"error":"server_error"}`)}, nil, retry, ""},
		{"lost answer", answer{}, errors.New("connection reset"), retry, ""},
	} {
		got, next := judge(c.a, c.err)
		if got != c.want || next != c.next {
			t.Errorf("%s: %v %q, want %v %q", c.name, got, next, c.want, c.next)
		}
	}
}

func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		a    answer
		want string
	}{
		{answer{200, nil}, "ok"},
		{answer{400, []byte(`{"error":"authorization_pending","error_description":"..."}`)}, "authorization_pending"},
		{answer{400, []byte(`{"error":"slow_down"}`)}, "slow_down"},
		{answer{502, []byte(`bad gateway`)}, "http 502"},
	} {
		if got := c.a.outcome(); got != c.want {
			t.Errorf("%d %s: outcome %q, want %q", c.a.status, c.a.body, got, c.want)
		}
	}
}

func TestReadRefreshTokens(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "tokens")
	os.WriteFile(good, []byte("at1 rt1\n\nat2 rt2\r\n"), 0o600)
	got, err := readRefreshTokens(good)
	if err != nil || strings.Join(got, ",") != "rt1,rt2" {
		t.Errorf("read %v, %v; want rt1,rt2", got, err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("at1 rt1\nonlyone\n"), 0o600)
	if _, err := readRefreshTokens(bad); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a one-field line: %v; want an error naming line 2", err)
	}
}

func TestTableRatioAgainstHydra(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	hydra := write("hydra.json", `{"requests_per_sec":1000,"latency_ms":{"p50":10,"p99":40},"server":{"cores":1.5,"peak_rss_bytes":67108864}}`)
	ward := write("ward.json", `{"requests_per_sec":5500,"latency_ms":{"p50":2,"p99":9},"errors":0,"server":{"cores":1.8,"peak_rss_bytes":33554432}}`)
	rot := write("rot.json", `{"requests_per_sec":3100,"latency_ms":{"p50":9,"p99":30},"errors":2}`)
	var out, errOut bytes.Buffer
	code := run([]string{"table", "-hydra", hydra, "sqlite/introspection=" + ward, "sqlite/refresh rotation=" + rot}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		"| sqlite | introspection | 5500 | 2.00 | 9.00 | 0 | 1.80 | 32 | 5.50x |",
		"| sqlite | refresh rotation | 3100 | 9.00 | 30.00 | 2 | n/a | n/a |  |",
		"| Hydra v2.3.0 (memory) | introspection | 1000 | 10.00 | 40.00 | 0 | 1.50 | 64 |  |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nonsense"},
		{"setup", "-n", "3"},
		{"rotate", "-issuer", "http://localhost:1"},
		{"devicepoll", "-issuer", "http://localhost:1", "-n", "0"},
		{"table"},
		{"table", "no-equals-sign"},
		{"rotate", "stray"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want usage exit 2 (stderr: %s)", args, code, errOut.String())
		}
	}
}

// The scheduler's dispatch hands polls out in due order and stops at the
// end time; both are checked without timing anything: every due time is
// already in the past, and the end is fixed relative to them.
func TestDispatchOrderAndEnd(t *testing.T) {
	s := newScheduler()
	past := time.Now().Add(-time.Hour)
	for i := range 5 {
		s.add(poll{due: past.Add(time.Duration(4-i) * time.Second), dev: 4 - i})
	}
	jobs := make(chan poll, 5)
	s.dispatch(t.Context(), past.Add(3*time.Second), jobs)
	var got []int
	for p := range jobs {
		got = append(got, p.dev)
	}
	if want := []int{0, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("dispatched %v, want %v (in due order, none due at or after the end)", got, want)
	}
}
