package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/wardauth/ward/audit"
)

// SARIF constants. The fingerprint key is versioned so that if Ward ever
// fingerprints differently, services see a new key instead of silently
// re-matching old alerts to new secrets.
const (
	sarifSchema         = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion        = "2.1.0"
	sarifToolName       = "ward audit"
	sarifFingerprintKey = "wardSecretFingerprint/v1"
	// A leaked credential is always worth failing a build over, so every
	// rule and result is an error, not a warning.
	sarifLevel = "error"
)

// The SARIF 2.1.0 subset Ward emits. Field order follows the spec's
// examples; omitempty keeps optional objects out rather than emitting the
// empty values the schema would reject (e.g. an empty version string).
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool      `json:"tool"`
		Results    []sarifResult  `json:"results"`
		Properties map[string]any `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name    string      `json:"name"`
		Version string      `json:"version,omitempty"`
		Rules   []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
		Properties          map[string]any    `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
)

// SARIF writes a SARIF 2.1.0 log with one run, for GitHub code scanning
// and other SARIF consumers. The driver lists exactly the rules that
// fired; each result carries the secret's fingerprint as a partial
// fingerprint, so a service tracks the same leaked secret as one alert
// across commits even when the lines around it move. Items inside images
// or archives get the whole chain as their URI ("backup.tar.gz!/x/y"),
// with the commit, layer and image also in the result's properties.
func SARIF(w io.Writer, findings []audit.Finding, summary Summary, toolVersion string) error {
	sorted := prepare(findings)

	var rules []sarifRule
	ruleIndex := map[string]int{}
	results := make([]sarifResult, 0, len(sorted))
	for _, f := range sorted {
		idx, ok := ruleIndex[f.Rule]
		if !ok {
			idx = len(rules)
			ruleIndex[f.Rule] = idx
			desc := f.Description
			if desc == "" {
				desc = f.Rule
			}
			rules = append(rules, sarifRule{
				ID:                   f.Rule,
				ShortDescription:     sarifMessage{Text: desc},
				DefaultConfiguration: sarifConfig{Level: sarifLevel},
			})
		}
		results = append(results, sarifResultFor(f, idx))
	}
	if rules == nil {
		rules = []sarifRule{}
	}

	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool:       sarifTool{Driver: sarifDriver{Name: sarifToolName, Version: toolVersion, Rules: rules}},
			Results:    results,
			Properties: map[string]any{"summary": newJSONSummary(sorted, summary)},
		}},
	}
	return writeJSON(w, log)
}

func sarifResultFor(f audit.Finding, ruleIdx int) sarifResult {
	phys := sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(f.Location)}}
	// The schema requires startLine ≥ 1; a finding without a line (say,
	// in an image's config blob) is located by file alone.
	if f.Line >= 1 {
		phys.Region = &sarifRegion{StartLine: f.Line}
	}

	props := map[string]any{}
	setIf := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	setIf("commit", f.Commit)
	setIf("layer", f.Layer)
	setIf("image", f.Image)
	setIf("live", f.Live)
	setIf("redacted", f.Redacted)
	if len(f.Archive) > 0 {
		props["archive"] = f.Archive
	}

	var fp map[string]string
	if f.Fingerprint != "" {
		fp = map[string]string{sarifFingerprintKey: f.Fingerprint}
	}
	return sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           ruleIdx,
		Level:               sarifLevel,
		Message:             sarifMessage{Text: sarifText(f)},
		Locations:           []sarifLocation{{PhysicalLocation: phys}},
		PartialFingerprints: fp,
		Properties:          props,
	}
}

// sarifText is the result message: what was found, its redacted form and
// liveness. Never the secret: SARIF files are uploaded to third parties.
func sarifText(f audit.Finding) string {
	what := f.Description
	if what == "" {
		what = f.Rule
	}
	msg := what + " found"
	if f.Redacted != "" {
		msg += " (" + f.Redacted + ")"
	}
	switch f.Live {
	case "live":
		msg += "; verified live: revoke it"
	case "":
	default:
		msg += "; liveness: " + f.Live
	}
	return msg
}

// artifactURI is the location as a URI reference (RFC 3986). Plain paths
// stay relative, so services resolve them against the checkout; absolute
// paths become file: URIs. Bytes a URI may not hold (spaces, %, #, ?,
// non-ASCII) are percent-encoded, but "!" and "/" are kept, so the archive
// chain reads as written. (net/url would encode the "!".)
func artifactURI(loc audit.Location) string {
	where := strings.ReplaceAll(Where(loc), `\`, "/")
	var b strings.Builder
	switch first, _, _ := strings.Cut(where, "/"); {
	case strings.HasPrefix(where, "/"):
		b.WriteString("file://")
	case strings.Contains(first, ":"):
		// "alpine:3.19!/x" would parse as scheme "alpine".
		b.WriteString("./")
	}
	for i := 0; i < len(where); i++ {
		if c := where[i]; uriSafe(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// uriSafe reports whether c may appear unencoded in a URI path: RFC 3986
// unreserved characters, sub-delims, ":", "@" and "/".
func uriSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}
