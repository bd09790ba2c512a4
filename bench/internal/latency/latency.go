// Package latency summarises request latencies the same way for every Ward
// benchmark, so figures from bench/load and bench/wardbench sit in one table
// without a footnote about how each was computed.
package latency

import (
	"slices"
	"time"
)

// Summary holds percentiles in milliseconds.
type Summary struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// Of sorts d in place and summarises it.
func Of(d []time.Duration) Summary {
	if len(d) == 0 {
		return Summary{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return Summary{
		Mean: MS(sum / time.Duration(len(d))),
		P50:  MS(Percentile(d, 50)),
		P90:  MS(Percentile(d, 90)),
		P99:  MS(Percentile(d, 99)),
		Max:  MS(d[len(d)-1]),
	}
}

// Percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value with at least p% of the samples at or below it. Nearest rank
// always reports a latency that was actually observed.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999) // ceil without float noise
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// MS converts a duration to fractional milliseconds.
func MS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
