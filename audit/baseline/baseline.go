// Package baseline records findings a team has accepted (test fixtures,
// revoked keys kept in history) so later scans report only new ones.
//
// Entries are keyed by rule and secret fingerprint, not by file and line:
// moving or reformatting code, or copying the same accepted fixture into a
// second file, must not resurrect a finding, while a different secret on
// the very same line must still be reported. The file holds fingerprints
// only, never the secret or its redacted form, because it is meant to be
// committed next to the code it describes.
package baseline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/report"
)

// Version is the baseline file format version. Load rejects others, so
// an old Ward never misreads a newer file as suppressing nothing.
const Version = 1

const comment = "Ward audit baseline: findings accepted on purpose. " +
	"`ward audit` does not report a finding whose rule and secret fingerprint are listed here, " +
	"wherever the secret moves. Entries hold a fingerprint (part of a SHA-256 of the secret), never the secret. " +
	"Regenerate with the audit command's baseline option; remove an entry to report that secret again."

// Entry is one accepted secret. Rule and Fingerprint are the key;
// Description and Where (the first file it was seen in; no line, which
// would churn on every edit) are for the person reviewing the file and
// are not used for matching.
type Entry struct {
	Rule        string `json:"rule"`
	Fingerprint string `json:"fingerprint"`
	Description string `json:"description,omitempty"`
	Where       string `json:"where,omitempty"`
}

type key struct{ rule, fingerprint string }

// file is the on-disk form; field order is the order written.
type file struct {
	Comment string  `json:"comment"`
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// Baseline is a loaded baseline file. A nil *Baseline suppresses nothing,
// so callers need not special-case "no baseline given".
type Baseline struct {
	entries map[key]Entry
}

// Write saves findings as a baseline at path: one entry per (rule,
// fingerprint), sorted, so regenerating it gives a minimal diff. The write
// is atomic (temporary file, fsync, rename): an interrupted run leaves the
// old baseline, never a truncated one that would suppress nothing or fail
// every later scan.
func Write(path string, findings []audit.Finding) error {
	sorted := slices.Clone(findings)
	// Report order first, so the location kept for each key is the same
	// whatever order the scan produced findings in.
	slices.SortStableFunc(sorted, func(a, b audit.Finding) int {
		return cmp.Or(cmp.Compare(report.Where(a.Location), report.Where(b.Location)),
			cmp.Compare(a.Commit, b.Commit), cmp.Compare(a.Line, b.Line))
	})
	seen := map[key]bool{}
	entries := []Entry{}
	for _, f := range sorted {
		k := key{f.Rule, f.Fingerprint}
		if seen[k] || f.Fingerprint == "" {
			continue
		}
		seen[k] = true
		entries = append(entries, Entry{
			Rule: f.Rule, Fingerprint: f.Fingerprint, Description: f.Description,
			Where: report.Where(f.Location),
		})
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(file{Comment: comment, Version: Version, Entries: entries}); err != nil {
		return fmt.Errorf("baseline %s: %w", path, err)
	}
	if err := writeAtomic(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("baseline %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces path with data. The temporary file is in the same
// directory, so the rename cannot cross filesystems.
func writeAtomic(path string, data []byte, perm os.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	// CreateTemp makes 0600; a baseline is shared, committed config.
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Load reads a baseline written by Write. Every error names the file and,
// for malformed JSON, the line, since a hand-edited baseline is the usual
// culprit. A missing file is an error (wrapping fs.ErrNotExist): a typo in
// a baseline path must not silently report everything.
func Load(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("baseline %s: "+format, append([]any{path}, args...)...)
	}
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt key would otherwise be ignored
	if err := dec.Decode(&f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, bad("line %d: not valid JSON: %v", lineOf(data, syn.Offset), err)
		case errors.As(err, &typ):
			return nil, bad("line %d: %v", lineOf(data, typ.Offset), err)
		}
		return nil, bad("not a baseline file: %v", err)
	}
	if dec.More() {
		return nil, bad("trailing data after the JSON object")
	}
	if f.Version != Version {
		return nil, bad("unsupported version %d (this Ward reads version %d)", f.Version, Version)
	}
	b := &Baseline{entries: make(map[key]Entry, len(f.Entries))}
	for i, e := range f.Entries {
		if e.Rule == "" || e.Fingerprint == "" {
			return nil, bad("entry %d: rule and fingerprint are both required", i+1)
		}
		b.entries[key{e.Rule, e.Fingerprint}] = e
	}
	return b, nil
}

// lineOf is the 1-based line of a byte offset, for error messages.
func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}

// Len is the number of accepted secrets.
func (b *Baseline) Len() int {
	if b == nil {
		return 0
	}
	return len(b.entries)
}

// Filter splits findings into those to report (kept) and those the
// baseline accepts (suppressed), preserving order. Reporting the
// suppressed ones lets a caller say "3 findings suppressed by baseline"
// rather than hiding them completely.
func (b *Baseline) Filter(findings []audit.Finding) (kept, suppressed []audit.Finding) {
	for _, f := range findings {
		if b.accepts(f) {
			suppressed = append(suppressed, f)
		} else {
			kept = append(kept, f)
		}
	}
	return kept, suppressed
}

func (b *Baseline) accepts(f audit.Finding) bool {
	if b == nil || f.Fingerprint == "" {
		return false
	}
	_, ok := b.entries[key{f.Rule, f.Fingerprint}]
	return ok
}
