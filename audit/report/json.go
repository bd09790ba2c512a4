package report

import (
	"encoding/json"
	"io"

	"github.com/wardauth/ward/audit"
)

// jsonReport is the JSON document. Structs (not maps) fix the field order,
// so output diffs cleanly between runs; the findings' own json tags decide
// their fields, and those leave out Secret.
type jsonReport struct {
	Findings []audit.Finding `json:"findings"`
	Summary  jsonSummary     `json:"summary"`
}

// jsonSummary is Summary with units in the names and a seconds float for
// the duration, which every JSON consumer can read (a Go Duration would
// marshal as nanoseconds).
type jsonSummary struct {
	Findings          int            `json:"findings"`
	FilesWithFindings int            `json:"files_with_findings"`
	Items             int64          `json:"items"`
	Bytes             int64          `json:"bytes"`
	Files             int            `json:"files"`
	Commits           int            `json:"commits"`
	Layers            int            `json:"layers"`
	DurationSeconds   float64        `json:"duration_seconds"`
	Skipped           map[string]int `json:"skipped"` // keys sorted by encoding/json
}

func newJSONSummary(sorted []audit.Finding, s Summary) jsonSummary {
	skipped := s.Skipped
	if skipped == nil {
		skipped = map[string]int{} // {} rather than null: one shape for consumers
	}
	return jsonSummary{
		Findings:          len(sorted),
		FilesWithFindings: countFiles(sorted),
		Items:             s.Items,
		Bytes:             s.Bytes,
		Files:             s.Files,
		Commits:           s.Commits,
		Layers:            s.Layers,
		DurationSeconds:   s.Duration.Seconds(),
		Skipped:           skipped,
	}
}

// JSON writes {"findings":[...],"summary":{...}}, indented, findings in
// report order. Findings is [] rather than null when there are none, so a
// script can iterate it without a nil check.
func JSON(w io.Writer, findings []audit.Finding, summary Summary) error {
	sorted := prepare(findings)
	if sorted == nil {
		sorted = []audit.Finding{}
	}
	return writeJSON(w, jsonReport{Findings: sorted, Summary: newJSONSummary(sorted, summary)})
}

// writeJSON indents v with two spaces and does not escape <, > and &,
// which appear in paths and would otherwise print as \u003c.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
