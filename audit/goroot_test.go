package audit_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/detect"
	"github.com/wardauth/ward/audit/tree"
)

// TestGOROOTClean scans the Go source tree, 150 MB of code, test data and
// archives written by people who never heard of Ward: Ward's own rules
// must find nothing there. The other rules' findings are logged, to watch
// their false positives. The time is logged, not asserted.
func TestGOROOTClean(t *testing.T) {
	if testing.Short() {
		t.Skip("scans all of GOROOT/src")
	}
	src := filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no Go source tree here: %v", err)
	}
	ward := map[string]bool{"ward-api-key": true, "ward-refresh-token": true, "ward-auth-json": true}
	start := time.Now()
	found, stats := scan(t, tree.Dir{Root: src}, detect.All())
	t.Logf("scanned %s: %d items, %d MB in %v; skipped %v", src, stats.Items, stats.Bytes>>20, time.Since(start).Round(time.Millisecond), stats.Skipped)
	for _, f := range found {
		if ward[f.Rule] {
			t.Errorf("false positive: %s at %s:%d %v", f.Rule, f.Path, f.Line, f.Archive)
		} else {
			t.Logf("other rule: %s at %s:%d %v (%s)", f.Rule, f.Path, f.Line, f.Archive, f.Redacted)
		}
	}
	start = time.Now()
	found, _ = scan(t, tree.Dir{Root: src}, []audit.Detector{detect.WardAPIKey, detect.WardRefreshToken, detect.AuthJSON{}})
	t.Logf("with the Ward rules alone: %v, %d findings", time.Since(start).Round(time.Millisecond), len(found))
	for _, f := range found {
		if ward[f.Rule] {
			t.Errorf("false positive: %s at %s:%d %v", f.Rule, f.Path, f.Line, f.Archive)
		}
	}
}
