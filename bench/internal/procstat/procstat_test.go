package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParseProc(t *testing.T) {
	// A command name with spaces and a ')' must not shift the fields.
	stat := "42 (my (odd) proc) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 1000 1000000 500 18446744073709551615"
	cpu, err := parseStatCPU([]byte(stat))
	if err != nil || cpu != 3.0 {
		t.Errorf("parseStatCPU = %v, %v; want 3.0s (250+50 ticks)", cpu, err)
	}
	rss, err := parseStatusRSS([]byte("Name:\tx\nVmHWM:\t  9000 kB\nVmRSS:\t  2048 kB\n"))
	if err != nil || rss != 2048*1024 {
		t.Errorf("parseStatusRSS = %v, %v; want 2 MiB", rss, err)
	}
	if _, err := parseStatusRSS([]byte("Name:\tkthread\n")); err == nil {
		t.Error("want an error without VmRSS")
	}
}

func TestSampleSelf(t *testing.T) {
	s, err := Start(os.Getpid(), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	u := s.Stop()
	if u.PID != os.Getpid() || u.PeakRSSBytes <= 0 || u.CPUSeconds < 0 {
		t.Errorf("unexpected usage %+v", u)
	}
}
