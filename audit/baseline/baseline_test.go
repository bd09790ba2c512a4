package baseline

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardauth/ward/audit"
)

// Fake secrets built at run time, so no literal in the repository looks
// like a credential.
var (
	secretA = "wrd_" + strings.Repeat("a1", 16)
	secretB = "ghp_" + strings.Repeat("Zb", 18)
	secretC = "wrd_" + strings.Repeat("c3", 16)
)

func finding(rule, secret, path string, line int) audit.Finding {
	return audit.Finding{
		Rule: rule, Description: "Test " + rule, Location: audit.Location{Path: path}, Line: line,
		Fingerprint: audit.Fingerprint(secret), Redacted: audit.Redact(secret), Secret: secret,
	}
}

func writeLoad(t *testing.T, findings []audit.Finding) (*Baseline, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ward-baseline.json")
	if err := Write(path, findings); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, path
}

func TestRoundTrip(t *testing.T) {
	accepted := []audit.Finding{
		finding("ward-api-key", secretA, "testdata/fixture.env", 3),
		finding("github-token", secretB, "ci/old.sh", 9),
		finding("ward-api-key", secretA, "docs/example.md", 40), // same secret twice: one entry
	}
	b, path := writeLoad(t, accepted)
	if b.Len() != 2 {
		t.Errorf("Len = %d, want 2", b.Len())
	}
	kept, suppressed := b.Filter(accepted)
	if len(kept) != 0 || len(suppressed) != 3 {
		t.Errorf("kept %d suppressed %d, want 0 and 3", len(kept), len(suppressed))
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secretA, secretB, audit.Redact(secretA), audit.Redact(secretB)} {
		if strings.Contains(string(data), s) {
			t.Errorf("baseline file holds (part of) a secret %q:\n%s", s, data)
		}
	}
	var doc struct {
		Comment string  `json:"comment"`
		Version int     `json:"version"`
		Entries []Entry `json:"entries"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Comment == "" || doc.Version != Version {
		t.Errorf("comment %q version %d", doc.Comment, doc.Version)
	}
	if len(doc.Entries) != 2 || doc.Entries[0].Rule != "github-token" || doc.Entries[1].Where != "docs/example.md" {
		t.Errorf("entries not sorted/deduplicated deterministically: %+v", doc.Entries)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	// Writing the same findings in another order gives the same bytes.
	path2 := filepath.Join(t.TempDir(), "b.json")
	if err := Write(path2, []audit.Finding{accepted[2], accepted[1], accepted[0]}); err != nil {
		t.Fatal(err)
	}
	if data2, _ := os.ReadFile(path2); string(data2) != string(data) {
		t.Errorf("output depends on finding order:\n%s\n---\n%s", data, data2)
	}
}

func TestMovedSecretStaysSuppressed(t *testing.T) {
	b, _ := writeLoad(t, []audit.Finding{finding("ward-api-key", secretA, "config/app.env", 12)})

	moved := []audit.Finding{
		finding("ward-api-key", secretA, "config/app.env", 57),          // other line
		finding("ward-api-key", secretA, "deploy/settings/prod.env", 1), // other file
		{Rule: "ward-api-key", Fingerprint: audit.Fingerprint(secretA), Line: 2, // in an archive in a commit
			Location: audit.Location{Path: "x.env", Archive: []string{"b.tgz"}, Commit: "abc"}},
	}
	kept, suppressed := b.Filter(moved)
	if len(kept) != 0 || len(suppressed) != len(moved) {
		t.Errorf("moved secret resurfaced: kept %v", kept)
	}
}

func TestNewSecretKept(t *testing.T) {
	b, _ := writeLoad(t, []audit.Finding{finding("ward-api-key", secretA, "config/app.env", 12)})
	fresh := []audit.Finding{
		finding("ward-api-key", secretC, "config/app.env", 12),                             // new secret, same place
		finding("other-rule", secretA, "config/app.env", 12),                               // same secret, other rule
		{Rule: "ward-api-key", Location: audit.Location{Path: "config/app.env"}, Line: 12}, // no fingerprint: never suppressed
		finding("ward-api-key", secretA, "z", 1),
	}
	kept, suppressed := b.Filter(fresh)
	if len(kept) != 3 || len(suppressed) != 1 || suppressed[0].Path != "z" {
		t.Errorf("kept %d suppressed %v", len(kept), suppressed)
	}
	for i := range kept {
		if kept[i].Line != fresh[i].Line || kept[i].Rule != fresh[i].Rule {
			t.Errorf("Filter reordered findings")
		}
	}
}

func TestNilBaselineKeepsAll(t *testing.T) {
	var b *Baseline
	in := []audit.Finding{finding("r", secretA, "a", 1)}
	kept, suppressed := b.Filter(in)
	if len(kept) != 1 || suppressed != nil || b.Len() != 0 {
		t.Errorf("nil baseline: kept %v suppressed %v", kept, suppressed)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ content, want string }{
		"corrupt":      {"{\n  \"comment\": \"x\",\n  \"version\": 1,\n  \"entries\": [ {\"rule\": }\n", "line 4"},
		"not object":   {"[1, 2]", "baseline"},
		"wrong type":   {`{"version": "one", "entries": []}`, "line 1"},
		"version":      {`{"version": 2, "entries": []}`, "unsupported version 2"},
		"unknown key":  {`{"version": 1, "entrys": []}`, "entrys"},
		"empty entry":  {`{"version": 1, "entries": [{"rule": "r"}]}`, "entry 1"},
		"trailing":     {`{"version": 1, "entries": []} {}`, "trailing"},
		"empty file":   {"", "baseline"},
		"missing file": {"", ""},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if name != "missing file" {
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b, err := Load(path)
		if err == nil {
			t.Errorf("%s: Load succeeded: %v", name, b)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q lacks %q", name, err, tc.want)
		}
		if name == "missing file" && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("missing file: %v does not wrap ErrNotExist", err)
		}
	}
}

func TestWriteFailsCleanly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "b.json")
	err := Write(path, nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Write into a missing directory: %v", err)
	}
}

// An existing baseline is replaced whole, never appended to or truncated.
func TestWriteReplaces(t *testing.T) {
	b, path := writeLoad(t, []audit.Finding{finding("r", secretA, "a", 1), finding("r", secretB, "b", 1)})
	if b.Len() != 2 {
		t.Fatal(b.Len())
	}
	if err := Write(path, []audit.Finding{finding("r", secretC, "c", 1)}); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil || b.Len() != 1 {
		t.Fatalf("after rewrite: %v %v", b.Len(), err)
	}
	if kept, _ := b.Filter([]audit.Finding{finding("r", secretA, "a", 1)}); len(kept) != 1 {
		t.Errorf("old entry survived the rewrite")
	}
}
