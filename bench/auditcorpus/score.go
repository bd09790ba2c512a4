package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wardauth/ward/audit"
)

// finding is one reported finding, from either tool, reduced to what
// scoring needs.
type finding struct {
	Rule        string
	File        string // as reported
	Line        int
	Fingerprint string // audit.Fingerprint of the secret; "" if unknown
	Archive     bool   // inside an archive (ward only)
}

// wardSummary is the summary of a ward report, printed by -tally.
var wardSummary struct {
	Items   int64          `json:"items"`
	Bytes   int64          `json:"bytes"`
	Skipped map[string]int `json:"skipped"`
}

func readWard(path string) ([]finding, error) {
	var rep struct {
		Summary  json.RawMessage `json:"summary"`
		Findings []struct {
			Rule        string   `json:"rule"`
			Path        string   `json:"path"`
			Archive     []string `json:"archive"`
			Line        int      `json:"line"`
			Fingerprint string   `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := readJSON(path, &rep); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(rep.Summary, &wardSummary); err != nil {
		return nil, fmt.Errorf("%s: summary: %w", path, err)
	}
	out := make([]finding, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		out = append(out, finding{Rule: f.Rule, File: f.Path, Line: f.Line, Fingerprint: f.Fingerprint, Archive: len(f.Archive) > 0})
	}
	return out, nil
}

func readGitleaks(path string) ([]finding, error) {
	var rep []struct {
		RuleID    string `json:"RuleID"`
		File      string `json:"File"`
		StartLine int    `json:"StartLine"`
		Secret    string `json:"Secret"`
	}
	if err := readJSON(path, &rep); err != nil {
		return nil, err
	}
	out := make([]finding, 0, len(rep))
	for _, f := range rep {
		fp := ""
		if f.Secret != "" {
			fp = audit.Fingerprint(f.Secret)
		}
		out = append(out, finding{Rule: f.RuleID, File: f.File, Line: f.StartLine, Fingerprint: fp})
	}
	return out, nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// rel returns a reported path relative to the scanned root, slash-separated.
func rel(root, p string) string {
	ar, err1 := filepath.Abs(root)
	ap, err2 := filepath.Abs(p)
	if err1 == nil && err2 == nil {
		if r, err := filepath.Rel(ar, ap); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
	}
	// A relative path from another working directory: cut at the root's name.
	p = filepath.ToSlash(p)
	name := "/" + filepath.Base(root) + "/"
	if i := strings.Index("/"+p, name); i >= 0 {
		return p[i+len(name)-1:]
	}
	return p
}

// result is one tool's score on the corpus.
type result struct {
	tool               string
	findings, tp, fp   int
	found              map[int]bool // indexes of expected secrets found
	decoys             int          // findings on decoys
	fpRules            map[string]int
	foundByKind, total map[string]int
}

func score(tool string, t *Truth, root string, fs []finding) *result {
	type fl struct {
		file string
		line int
	}
	byFP := map[string][]int{}
	byLine := map[fl][]int{}
	for i, s := range t.Secrets {
		byFP[s.Fingerprint] = append(byFP[s.Fingerprint], i)
		byLine[fl{s.File, s.Line}] = append(byLine[fl{s.File, s.Line}], i)
	}
	r := &result{tool: tool, findings: len(fs), found: map[int]bool{}, fpRules: map[string]int{},
		foundByKind: map[string]int{}, total: map[string]int{}}
	for _, f := range fs {
		// A finding is the planted secret with its fingerprint, or else
		// whatever was planted on its line (file and line, ±0).
		idx := byFP[f.Fingerprint]
		if f.Fingerprint == "" || len(idx) == 0 {
			idx = byLine[fl{rel(root, f.File), f.Line}]
		}
		hit := false
		for _, i := range idx {
			if t.Secrets[i].Expect {
				hit = true
				r.found[i] = true
			} else {
				r.decoys++
			}
		}
		if hit {
			r.tp++
		} else {
			r.fp++
			r.fpRules[f.Rule]++
		}
	}
	for i, s := range t.Secrets {
		if !s.Expect {
			continue
		}
		r.total[s.Kind]++
		if r.found[i] {
			r.foundByKind[s.Kind]++
		}
	}
	return r
}

func (r *result) recall() float64 {
	n := 0
	for _, v := range r.total {
		n += v
	}
	return float64(len(r.found)) / float64(max(n, 1))
}

func (r *result) precision() float64 {
	if r.findings == 0 {
		return 1
	}
	return float64(r.tp) / float64(r.findings)
}

func runScore(truthPath, root, wardPath, glPath, tsvPath string) error {
	var t Truth
	if err := readJSON(truthPath, &t); err != nil {
		return err
	}
	var results []*result
	for _, tool := range []struct {
		name, path string
		read       func(string) ([]finding, error)
	}{{"ward", wardPath, readWard}, {"gitleaks", glPath, readGitleaks}} {
		if tool.path == "" {
			continue
		}
		fs, err := tool.read(tool.path)
		if err != nil {
			return err
		}
		results = append(results, score(tool.name, &t, root, fs))
	}
	if len(results) == 0 {
		return fmt.Errorf("no report to score")
	}
	w := os.Stdout
	fmt.Fprintf(w, "Recall per kind of planted secret (found / planted):\n\n| kind |")
	for _, r := range results {
		fmt.Fprintf(w, " %s |", r.tool)
	}
	fmt.Fprintf(w, "\n|---|")
	for range results {
		fmt.Fprintf(w, "--:|")
	}
	fmt.Fprintln(w)
	kinds := sortedKeys(results[0].total)
	for _, k := range kinds {
		fmt.Fprintf(w, "| %s |", k)
		for _, r := range results {
			fmt.Fprintf(w, " %d/%d |", r.foundByKind[k], r.total[k])
		}
		fmt.Fprintln(w)
	}
	decoys := map[string]int{}
	for _, s := range t.Secrets {
		if !s.Expect {
			decoys[s.Kind]++
		}
	}
	fmt.Fprintf(w, "\nDecoys planted (must not be reported): %s\n\n", kv(decoys))
	for _, r := range results {
		fmt.Fprintf(w, "- %s: %d findings, %d true, %d false (%d on decoys; by rule: %s); recall %.3f, precision %.3f\n",
			r.tool, r.findings, r.tp, r.fp, r.decoys, kv(r.fpRules), r.recall(), r.precision())
	}
	if tsvPath != "" {
		var b strings.Builder
		for _, r := range results {
			fmt.Fprintf(&b, "%s\t%d\t%.3f\t%.3f\n", r.tool, r.findings, r.recall(), r.precision())
		}
		return os.WriteFile(tsvPath, []byte(b.String()), 0o644)
	}
	return nil
}

// runTally prints the findings per rule of each report, and lists the
// findings of the rules in list (comma-separated) one by one.
func runTally(wardPath, glPath, tsvPath, list string) error {
	var b strings.Builder
	w := os.Stdout
	listed := map[string]bool{}
	for _, r := range strings.Split(list, ",") {
		listed[r] = true
	}
	for _, tool := range []struct {
		name, path string
		read       func(string) ([]finding, error)
	}{{"ward", wardPath, readWard}, {"gitleaks", glPath, readGitleaks}} {
		if tool.path == "" {
			continue
		}
		fs, err := tool.read(tool.path)
		if err != nil {
			return err
		}
		rules := map[string]int{}
		inArchive := 0
		var hits []string
		for _, f := range fs {
			rules[f.Rule]++
			if f.Archive {
				inArchive++
			}
			if tool.name == "ward" && listed[f.Rule] {
				hits = append(hits, fmt.Sprintf("%s at %s:%d", f.Rule, f.File, f.Line))
			}
		}
		fmt.Fprintf(w, "- %s: %d findings (%s)", tool.name, len(fs), kv(rules))
		if inArchive > 0 {
			fmt.Fprintf(w, ", %d inside archives", inArchive)
		}
		fmt.Fprintln(w)
		if tool.name == "ward" {
			fmt.Fprintf(w, "- ward read %d items, %.1f MB (archive members included); skipped: %s\n",
				wardSummary.Items, float64(wardSummary.Bytes)/1e6, kv(wardSummary.Skipped))
			fmt.Fprintf(w, "- ward findings by %s: %d\n", list, len(hits))
			for _, h := range hits {
				fmt.Fprintf(w, "  - %s\n", h)
			}
		}
		fmt.Fprintf(&b, "%s\t%d\t%d\n", tool.name, len(fs), len(hits))
	}
	if tsvPath != "" {
		return os.WriteFile(tsvPath, []byte(b.String()), 0o644)
	}
	return nil
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func kv(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
