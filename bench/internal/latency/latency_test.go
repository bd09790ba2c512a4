package latency

import (
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("single sample p99 = %v", got)
	}
}

func TestOfSortsAndSummarises(t *testing.T) {
	s := Of([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	if s.P50 != 2 || s.Max != 3 || s.Mean != 2 {
		t.Errorf("summary %+v, want p50 2, max 3, mean 2", s)
	}
	if (Of(nil) != Summary{}) {
		t.Error("no samples should summarise to zeros")
	}
}
