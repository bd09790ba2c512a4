package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardauth/ward/audit"
)

// The secrets are fake and built at run time, so the repository holds no
// string a scanner (Ward's own included) would flag.
var (
	secretA = "wrd_" + strings.Repeat("a1", 16)
	secretB = "ghp_" + strings.Repeat("Zb", 18)
)

func finding(rule, secret string, loc audit.Location, line int) audit.Finding {
	return audit.Finding{
		Rule: rule, Description: "Test " + rule, Location: loc, Line: line,
		Fingerprint: audit.Fingerprint(secret), Redacted: audit.Redact(secret), Secret: secret,
	}
}

// fixture covers every kind of location, deliberately out of order.
func fixture() []audit.Finding {
	live := finding("ward-api-key", secretA, audit.Location{Path: "config/app.env"}, 12)
	live.Live = "live"
	return []audit.Finding{
		finding("github-token", secretB, audit.Location{Path: "home/.ward/auth.json", Archive: []string{"backup.tar.gz"}}, 3),
		live,
		finding("ward-api-key", secretA, audit.Location{Path: "config/app.env"}, 2),
		finding("github-token", secretB, audit.Location{Path: "deploy.sh", Commit: "0123456789abcdef0123456789abcdef01234567"}, 7),
		finding("ward-api-key", secretA, audit.Location{Path: "/root/.netrc", Image: "alpine:3.19", Layer: "sha256:" + strings.Repeat("f", 64)}, 1),
		finding("ward-api-key", secretA, audit.Location{Path: "odd name #1.txt"}, 0),
	}
}

func stats() Summary {
	return Summary{Items: 1234, Bytes: 5_600_000, Files: 1200, Commits: 40, Duration: 1500 * time.Millisecond,
		Skipped: map[string]int{"too-large": 2, "binary": 31}}
}

func assertNoSecret(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{secretA, secretB} {
		if strings.Contains(out, s) {
			t.Fatalf("output contains a secret:\n%s", out)
		}
	}
}

func TestTextPlain(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, fixture(), stats(), false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertNoSecret(t, out)
	if strings.Contains(out, "\x1b") {
		t.Errorf("colour codes without color:\n%s", out)
	}
	fpA := audit.Fingerprint(secretA)
	for _, want := range []string{
		"config/app.env\n",
		"  line  2  ward-api-key  " + audit.Redact(secretA) + "  fingerprint " + fpA + "\n",
		"  line 12  ward-api-key  " + audit.Redact(secretA) + "  fingerprint " + fpA + "  [live]\n",
		"backup.tar.gz!/home/.ward/auth.json\n",
		"deploy.sh  commit 0123456789ab\n",
		"alpine:3.19!/root/.netrc  layer sha256:ffffffffffff\n",
		"\n6 findings in 5 files; scanned 1234 items (5.6 MB, 40 commits) in 1.5s; skipped: 31 binary, 2 too-large\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	// Within a file, findings read top to bottom.
	if strings.Index(out, "line  2") > strings.Index(out, "line 12") {
		t.Errorf("lines out of order:\n%s", out)
	}
}

func TestTextColour(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, fixture(), stats(), true); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertNoSecret(t, out)
	if !strings.Contains(out, ansiRed+"ward-api-key"+ansiReset) {
		t.Errorf("live rule not red:\n%q", out)
	}
	if !strings.Contains(out, ansiYellow+"github-token"+ansiReset) {
		t.Errorf("non-live rule not yellow:\n%q", out)
	}
	// Stripped of colour, the text is the same as the plain rendering.
	var plain bytes.Buffer
	Text(&plain, fixture(), stats(), false)
	stripped := out
	for _, c := range []string{ansiReset, ansiBold, ansiRed, ansiYellow, ansiDim} {
		stripped = strings.ReplaceAll(stripped, c, "")
	}
	if stripped != plain.String() {
		t.Errorf("coloured text differs from plain once stripped:\n%s\n---\n%s", stripped, plain.String())
	}
}

func TestTextEmptyAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, nil, Summary{}, true); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "0 findings in 0 files; scanned 0 items (0.0 MB) in 0.0s; skipped: none\n"; got != want {
		t.Errorf("empty report = %q, want %q", got, want)
	}

	buf.Reset()
	evil := finding("r", secretA, audit.Location{Path: "x\x1b[2J\u202e\xff.txt"}, 1)
	Text(&buf, []audit.Finding{evil}, Summary{}, false)
	if strings.ContainsAny(buf.String(), "\x1b\u202e\xff") {
		t.Errorf("control characters from a path reached the terminal: %q", buf.String())
	}
	if !strings.Contains(buf.String(), `x\x1b[2J\u202e\xff.txt`) {
		t.Errorf("path not shown escaped: %q", buf.String())
	}
}

// A detector bug that put the whole secret in Redacted must not leak it.
func TestRedactedGuard(t *testing.T) {
	f := finding("r", secretA, audit.Location{Path: "a"}, 1)
	f.Redacted = "key=" + secretA
	for name, render := range renderers() {
		var buf bytes.Buffer
		if err := render(&buf, []audit.Finding{f}); err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, buf.String())
		if !strings.Contains(buf.String(), audit.Redact(secretA)) {
			t.Errorf("%s: re-derived redaction missing", name)
		}
	}
}

func renderers() map[string]func(*bytes.Buffer, []audit.Finding) error {
	return map[string]func(*bytes.Buffer, []audit.Finding) error{
		"text":  func(b *bytes.Buffer, f []audit.Finding) error { return Text(b, f, stats(), true) },
		"json":  func(b *bytes.Buffer, f []audit.Finding) error { return JSON(b, f, stats()) },
		"sarif": func(b *bytes.Buffer, f []audit.Finding) error { return SARIF(b, f, stats(), "1.2.3") },
	}
}

// Output must not depend on the order the scanner produced findings in,
// and rendering must not reorder or scrub the caller's slice.
func TestDeterministicAndNonMutating(t *testing.T) {
	for name, render := range renderers() {
		in := fixture()
		orig := slices.Clone(in)
		var a, b bytes.Buffer
		render(&a, in)
		if !slices.EqualFunc(in, orig, func(x, y audit.Finding) bool {
			return x.Secret == y.Secret && x.Line == y.Line && x.Path == y.Path
		}) {
			t.Errorf("%s: caller's findings changed", name)
		}
		slices.Reverse(in)
		render(&b, in)
		if a.String() != b.String() {
			t.Errorf("%s: output depends on input order", name)
		}
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, fixture(), stats()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	assertNoSecret(t, out)

	var doc struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]any   `json:"summary"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 6 {
		t.Fatalf("got %d findings", len(doc.Findings))
	}
	for _, f := range doc.Findings {
		for k := range f {
			if strings.EqualFold(k, "secret") {
				t.Errorf("finding has a %q field", k)
			}
		}
	}
	first := doc.Findings[0]
	if first["path"] != "config/app.env" || first["line"] != 2.0 || first["fingerprint"] != audit.Fingerprint(secretA) {
		t.Errorf("first finding = %v", first)
	}
	if doc.Summary["items"] != 1234.0 || doc.Summary["duration_seconds"] != 1.5 ||
		doc.Summary["findings"] != 6.0 || doc.Summary["files_with_findings"] != 5.0 {
		t.Errorf("summary = %v", doc.Summary)
	}
	// Stable order: top-level keys, and each finding's keys, as declared.
	if i, j := strings.Index(out, `"findings": [`), strings.Index(out, `"summary": {`); i < 0 || j < i {
		t.Errorf("top-level order wrong:\n%s", out)
	}
	order := []string{`"rule"`, `"description"`, `"path"`, `"archive"`, `"line"`, `"fingerprint"`, `"redacted"`}
	at := strings.Index(out, `"path": "home/.ward/auth.json"`)
	archived := out[strings.LastIndex(out[:at], "{"):]
	last := -1
	for _, k := range order {
		i := strings.Index(archived, k)
		if i < last {
			t.Errorf("field %s out of order", k)
		}
		last = i
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, nil, Summary{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) || !strings.Contains(buf.String(), `"skipped": {}`) {
		t.Errorf("empty report should use [] and {}:\n%s", buf.String())
	}
}

func TestWhere(t *testing.T) {
	for _, tc := range []struct {
		loc  audit.Location
		want string
	}{
		{audit.Location{Path: "a/b"}, "a/b"},
		{audit.Location{Path: "/etc/x"}, "/etc/x"},
		{audit.Location{Path: "/home/.ward/auth.json", Archive: []string{"backup.tar.gz", "home.zip"}}, "backup.tar.gz!/home.zip!/home/.ward/auth.json"},
		{audit.Location{Path: "/etc/x", Image: "alpine:3.19"}, "alpine:3.19!/etc/x"},
		{audit.Location{Image: "img.tar", Layer: "config"}, "img.tar"},
	} {
		if got := Where(tc.loc); got != tc.want {
			t.Errorf("Where(%+v) = %q, want %q", tc.loc, got, tc.want)
		}
	}
}
