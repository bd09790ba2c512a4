// Package report renders audit findings for people (Text), for scripts
// (JSON) and for code-scanning services (SARIF).
//
// Every renderer works on a sorted copy of the findings, so the same scan
// gives byte-identical output however the scanner's goroutines raced, and
// none of them ever reads Finding.Secret: a report is the one artifact of a
// scan most likely to be pasted into a ticket or uploaded to CI, so it must
// not become a second leak of the credential it reports.
package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/wardauth/ward/audit"
)

// Summary describes the scan as a whole, so a clean report can still say
// how much was looked at: "0 findings" over 3 files means something very
// different from "0 findings" over 300,000.
type Summary struct {
	Items    int64         // items read from the source
	Bytes    int64         // bytes of those items
	Files    int           // distinct files (paths) scanned
	Commits  int           // git commits walked, if any
	Layers   int           // image layers read, if any
	Duration time.Duration // wall time of the scan
	// Skipped counts items not scanned, by reason ("binary",
	// "too-large", ...), so a skip is visible rather than silent.
	Skipped map[string]int
}

// Where names the artifact a location points into, outermost container
// first and joined by "!/" the way Java and many scanners name entries
// inside archives: "alpine:3.19!/backup.tar.gz!/home/.ward/auth.json".
// The image, then the archive chain, then the path: that is the order a
// person has to open things in to find the secret.
func Where(loc audit.Location) string {
	parts := make([]string, 0, len(loc.Archive)+2)
	if loc.Image != "" {
		parts = append(parts, loc.Image)
	}
	parts = append(parts, loc.Archive...)
	path := loc.Path
	if len(parts) > 0 {
		// Inside a container the path is relative to its root; a
		// leading slash would give "x.tar!//etc".
		path = strings.TrimLeft(path, "/")
	}
	if path != "" || len(parts) == 0 {
		parts = append(parts, path)
	}
	return strings.Join(parts, "!/")
}

// prepare returns findings sorted into report order, as a copy so the
// caller's slice is untouched, with Redacted re-derived if a detector left
// it empty or (by mistake) holding the whole secret.
func prepare(findings []audit.Finding) []audit.Finding {
	out := slices.Clone(findings)
	for i := range out {
		out[i].Redacted = safeRedacted(out[i])
		out[i].Secret = "" // nothing downstream may read it
	}
	slices.SortStableFunc(out, compareFindings)
	return out
}

// safeRedacted is the redacted form to show for f. It guards the one field
// a report prints that is derived from the secret.
func safeRedacted(f audit.Finding) string {
	if f.Secret == "" {
		return f.Redacted
	}
	if f.Redacted == "" || strings.Contains(f.Redacted, f.Secret) {
		return audit.Redact(f.Secret)
	}
	return f.Redacted
}

// compareFindings orders by artifact (image, archive chain, path, commit,
// layer), then by line, so a file's findings read top to bottom.
func compareFindings(a, b audit.Finding) int {
	if c := compareLocations(a.Location, b.Location); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Fingerprint, b.Fingerprint),
	)
}

func compareLocations(a, b audit.Location) int {
	return cmp.Or(
		cmp.Compare(a.Image, b.Image),
		slices.Compare(a.Archive, b.Archive),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Commit, b.Commit),
		cmp.Compare(a.Layer, b.Layer),
	)
}

// sameArtifact reports whether two findings belong under one heading.
func sameArtifact(a, b audit.Location) bool { return compareLocations(a, b) == 0 }

// countFiles is the number of distinct artifacts (headings) in sorted
// findings: the M of "N findings in M files".
func countFiles(sorted []audit.Finding) int {
	n := 0
	for i := range sorted {
		if i == 0 || !sameArtifact(sorted[i-1].Location, sorted[i].Location) {
			n++
		}
	}
	return n
}
