package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wardauth/ward/audit"
)

// sarifSchemaFile is the SARIF 2.1.0 schema, vendored (see testdata/README.md).
const sarifSchemaFile = "testdata/sarif-2.1.0-rtm.5.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // check "uri", "uri-reference" and friends too
	const id = "https://ward.invalid/sarif-2.1.0.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func renderSARIF(t *testing.T, findings []audit.Finding, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, findings, stats(), version); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, buf.String())
	return buf.Bytes()
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	for name, tc := range map[string]struct {
		findings []audit.Finding
		version  string
	}{
		"fixture": {fixture(), "1.2.3"},
		"empty":   {nil, ""},
		"no line": {[]audit.Finding{finding("r", secretA, audit.Location{Image: "img.tar", Layer: "config"}, 0)}, "dev"},
	} {
		out := renderSARIF(t, tc.findings, tc.version)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output fails the schema: %v\n%s", name, err, out)
		}
	}
}

// The schema is the authority, but it cannot say "every ruleId is listed
// in driver.rules" or "the chain is in the URI", so check those (and the
// required fields, again, by name) directly.
func TestSARIFStructure(t *testing.T) {
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []struct {
						ID                   string            `json:"id"`
						ShortDescription     map[string]string `json:"shortDescription"`
						DefaultConfiguration map[string]string `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"` // a string map, or Unmarshal fails
				Properties          map[string]any    `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	out := renderSARIF(t, fixture(), "1.2.3")
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || len(log.Runs) != 1 {
		t.Fatalf("header: version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "ward audit" || d.Version != "1.2.3" {
		t.Errorf("driver %q %q", d.Name, d.Version)
	}
	if len(d.Rules) != 2 {
		t.Errorf("want each used rule once, got %d rules", len(d.Rules))
	}
	for _, r := range d.Rules {
		if r.ShortDescription["text"] == "" || r.DefaultConfiguration["level"] != "error" {
			t.Errorf("rule %s: %v %v", r.ID, r.ShortDescription, r.DefaultConfiguration)
		}
	}
	if len(run.Results) != len(fixture()) {
		t.Fatalf("got %d results", len(run.Results))
	}

	uris := map[string]map[string]any{}
	for _, r := range run.Results {
		if r.RuleIndex >= len(d.Rules) || d.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result rule %q not at driver.rules[%d]", r.RuleID, r.RuleIndex)
		}
		if r.Level != "error" || r.Message.Text == "" || len(r.Locations) != 1 {
			t.Errorf("result %+v", r)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI == "" || (loc.Region != nil && loc.Region.StartLine < 1) {
			t.Errorf("location %+v", loc)
		}
		if fp := r.PartialFingerprints["wardSecretFingerprint/v1"]; len(fp) != 16 {
			t.Errorf("partialFingerprints %v", r.PartialFingerprints)
		}
		uris[loc.ArtifactLocation.URI] = r.Properties
	}
	for uri, props := range map[string]map[string]any{
		"config/app.env":                      {"live": "live"},
		"deploy.sh":                           {"commit": "0123456789abcdef0123456789abcdef01234567"},
		"backup.tar.gz!/home/.ward/auth.json": {"archive": []any{"backup.tar.gz"}},
		"./alpine:3.19!/root/.netrc":          {"image": "alpine:3.19", "layer": "sha256:" + strings.Repeat("f", 64)},
		"odd%20name%20%231.txt":               nil,
	} {
		got, ok := uris[uri]
		if !ok {
			t.Errorf("no result with uri %q; have %v", uri, uris)
			continue
		}
		for k, v := range props {
			if gb, _ := json.Marshal(got[k]); string(gb) != mustJSON(v) {
				t.Errorf("%s: properties[%s] = %v, want %v", uri, k, got[k], v)
			}
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestArtifactURI(t *testing.T) {
	for loc, want := range map[*audit.Location]string{
		{Path: "a/b.txt"}:                            "a/b.txt",
		{Path: "/home/u/.ward/auth.json"}:            "file:///home/u/.ward/auth.json",
		{Path: `dir\win.txt`}:                        "dir/win.txt",
		{Path: "x", Archive: []string{"/srv/b.tgz"}}: "file:///srv/b.tgz!/x",
		{Path: "ü?.txt"}:                             "%C3%BC%3F.txt",
	} {
		if got := artifactURI(*loc); got != want {
			t.Errorf("artifactURI(%+v) = %q, want %q", *loc, got, want)
		}
	}
}

// The validator must actually reject bad SARIF, or the test above proves
// nothing.
func TestSARIFSchemaRejectsBadLogs(t *testing.T) {
	sch := compileSARIFSchema(t)
	good := string(renderSARIF(t, fixture()[:1], "1"))
	for name, bad := range map[string]string{
		"version":   strings.Replace(good, `"version": "2.1.0"`, `"version": "2.0.0"`, 1),
		"startLine": strings.Replace(good, `"startLine": 3`, `"startLine": 0`, 1),
		"level":     strings.Replace(good, `"level": "error"`, `"level": "fatal"`, 1),
		"unknown":   strings.Replace(good, `"ruleId":`, `"bogus": 1, "ruleId":`, 1),
	} {
		if bad == good {
			t.Fatalf("%s: mutation did not apply", name)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate(inst) == nil {
			t.Errorf("%s: schema accepted an invalid log", name)
		}
	}
}
