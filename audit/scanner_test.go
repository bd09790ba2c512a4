package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardauth/ward/audit"
)

// items is a Source over fixed items, ending with err.
type items struct {
	list []*audit.Item
	err  error
}

func (s items) Items(ctx context.Context, yield func(*audit.Item) bool) error {
	for _, it := range s.list {
		if !yield(it) {
			return nil
		}
	}
	return s.err
}

// word reports every occurrence of "KEY" as rule r.
type word string

func (r word) Detect(it *audit.Item) []audit.Finding {
	var out []audit.Finding
	for i, line := range strings.Split(string(it.Data), "\n") {
		if strings.Contains(line, "KEY") {
			out = append(out, audit.Finding{Rule: string(r), Location: it.Location, Line: i + 1, Fingerprint: audit.Fingerprint("KEY")})
		}
	}
	return out
}

func TestScannerDedupAndStats(t *testing.T) {
	a := &audit.Item{Location: audit.Location{Path: "a"}, Data: []byte("KEY\nx\nKEY")}
	src := items{list: []*audit.Item{a, a, {Location: audit.Location{Path: "b"}, Skip: audit.SkipBinary}}}
	var got []string
	stats, err := (&audit.Scanner{Detectors: []audit.Detector{word("first"), word("second")}}).Scan(
		context.Background(), src, func(f audit.Finding) { got = append(got, f.Rule) })
	if err != nil {
		t.Fatal(err)
	}
	// Two places, each reported once, by the first detector.
	if strings.Join(got, " ") != "first first" {
		t.Errorf("findings by %v", got)
	}
	if stats.Items != 2 || stats.Bytes != 18 || stats.Skipped[audit.SkipBinary] != 1 {
		t.Errorf("stats = %+v", stats)
	}
}

func TestScannerFailsLoudly(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := (&audit.Scanner{}).Scan(context.Background(), items{err: boom}, func(audit.Finding) {})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := items{list: []*audit.Item{{Data: []byte("KEY")}}}
	if _, err := (&audit.Scanner{}).Scan(ctx, src, func(audit.Finding) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: err = %v", err)
	}
}
