package audit

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Stats says what a scan read.
type Stats struct {
	Items int64 // items run through the detectors
	Bytes int64 // their total size
	// Skipped counts the items not read, by reason (Item.Skip), so a
	// report can say what "clean" did not cover.
	Skipped map[string]int
}

// Scanner runs Detectors over the items of a Source.
type Scanner struct {
	// Detectors in order of preference: when two report the same secret
	// at the same place, the finding of the earlier one is kept, so list
	// the specific detectors (a Codex auth.json) before the generic ones
	// (any JWT).
	Detectors []Detector
	// Workers is how many items are scanned at once; 0 means GOMAXPROCS.
	Workers int
}

// Scan reads every item of src and calls found for each distinct finding.
// Detection runs on Workers goroutines while the source reads ahead on
// its own; found is never called concurrently, so it may append to a
// slice or write to a stream without locking.
//
// A finding is reported once even if several detectors matched the same
// secret at the same place, or the source yielded the same item twice.
// An error from the source, or ctx ending, is returned: a scan that did
// not read everything must not look clean.
func (s *Scanner) Scan(ctx context.Context, src Source, found func(Finding)) (Stats, error) {
	stats := Stats{Skipped: map[string]int{}}
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	items := make(chan *Item, workers*2)
	var (
		mu   sync.Mutex // guards seen and calls to found
		seen = map[string]bool{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for it := range items {
				fs := s.detect(it)
				if len(fs) == 0 {
					continue
				}
				mu.Lock()
				for _, f := range fs {
					k := findingKey(&f)
					if !seen[k] {
						seen[k] = true
						found(f)
					}
				}
				mu.Unlock()
			}
		})
	}
	err := src.Items(ctx, func(it *Item) bool {
		if ctx.Err() != nil {
			return false
		}
		if it.Skip != "" {
			stats.Skipped[it.Skip]++
			return true
		}
		stats.Items++
		stats.Bytes += int64(len(it.Data))
		select {
		case items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	})
	close(items)
	wg.Wait()
	if err != nil {
		return stats, fmt.Errorf("audit: reading the items to scan failed, so the scan is incomplete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return stats, fmt.Errorf("audit: scan stopped before the end: %w", err)
	}
	return stats, nil
}

// detect runs every detector on one item and keeps, for each secret at a
// given line, the finding of the first detector that reported it.
func (s *Scanner) detect(it *Item) []Finding {
	var out []Finding
	kept := map[string]bool{}
	for _, d := range s.Detectors {
		for _, f := range d.Detect(it) {
			k := fmt.Sprintf("%d\x00%s", f.Line, f.Fingerprint)
			if kept[k] {
				continue
			}
			kept[k] = true
			out = append(out, f)
		}
	}
	return out
}

// findingKey identifies a finding by rule, place and secret.
func findingKey(f *Finding) string {
	return strings.Join([]string{
		f.Rule, f.Path, f.Commit, f.Layer, f.Image,
		strings.Join(f.Archive, "\x01"), fmt.Sprint(f.Line), f.Fingerprint,
	}, "\x00")
}
