// Package procstat samples a process's CPU time and resident memory from
// /proc, so a benchmark can report what the server under load used over
// exactly the measured window. Both bench/load and bench/wardbench use it.
package procstat

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat. The kernel fixes it
// at 100 for user space on every architecture Ward runs on, whatever the
// kernel's internal tick rate, and reading sysconf(_SC_CLK_TCK) would need cgo.
const userHZ = 100

// Usage is what a process used during a run.
type Usage struct {
	PID        int     `json:"pid"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	// Cores is CPU seconds per wall second: 1.5 means one and a half cores
	// busy on average.
	Cores float64 `json:"cores"`
	// PeakRSSBytes is the largest resident set seen while sampling.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
}

// Sampler samples one process's CPU time and resident memory from /proc.
// CPU time is a cumulative counter, so the start and end readings suffice;
// RSS goes up and down, so it is sampled on a ticker and the peak kept.
type Sampler struct {
	pid      int
	start    time.Time
	cpuStart float64
	stop     chan struct{}
	done     chan struct{}

	mu   sync.Mutex
	peak int64
}

// Start begins sampling pid every interval.
func Start(pid int, interval time.Duration) (*Sampler, error) {
	cpu, err := readCPUSeconds(pid)
	if err != nil {
		return nil, err
	}
	s := &Sampler{pid: pid, start: time.Now(), cpuStart: cpu,
		stop: make(chan struct{}), done: make(chan struct{})}
	s.sampleRSS()
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sampleRSS()
			}
		}
	}()
	return s, nil
}

func (s *Sampler) sampleRSS() {
	rss, err := readRSSBytes(s.pid)
	if err != nil {
		return // the process may have exited; keep what was seen
	}
	s.mu.Lock()
	s.peak = max(s.peak, rss)
	s.mu.Unlock()
}

// Stop ends sampling and reports usage since the start.
func (s *Sampler) Stop() Usage {
	s.sampleRSS()
	close(s.stop)
	<-s.done
	wall := time.Since(s.start).Seconds()
	u := Usage{PID: s.pid, Seconds: wall}
	if cpu, err := readCPUSeconds(s.pid); err == nil {
		u.CPUSeconds = cpu - s.cpuStart
	}
	if wall > 0 {
		u.Cores = u.CPUSeconds / wall
	}
	s.mu.Lock()
	u.PeakRSSBytes = s.peak
	s.mu.Unlock()
	return u
}

func readCPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading CPU time: %w", err)
	}
	return parseStatCPU(b)
}

// parseStatCPU returns utime+stime in seconds from a /proc/PID/stat line. The
// command name (field 2) is in parentheses and may itself hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStatCPU(b []byte) (float64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc stat format: %q", b)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state is field 3, utime field 14, stime field 15.
	const utime, stime = 14 - 3, 15 - 3
	if len(f) <= stime {
		return 0, fmt.Errorf("unexpected /proc stat format: %d fields", len(f)+2)
	}
	u, err1 := strconv.ParseUint(f[utime], 10, 64)
	s, err2 := strconv.ParseUint(f[stime], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc stat CPU times %q %q", f[utime], f[stime])
	}
	return float64(u+s) / userHZ, nil
}

func readRSSBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusRSS(b)
}

// parseStatusRSS reads VmRSS (reported in kB) from /proc/PID/status.
func parseStatusRSS(b []byte) (int64, error) {
	for line := range strings.Lines(string(b)) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 1 {
			break
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected VmRSS %q", rest)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("no VmRSS line in /proc status")
}
