package report

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardauth/ward/audit"
)

// ANSI SGR sequences. Only colour and bold are used, never cursor
// movement, so piping coloured output into a file or pager stays legible.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
)

// Text writes findings for a terminal: one heading per artifact (file,
// plus commit or image layer where set) and one line per finding,
//
//	backup.tar.gz!/home/.ward/auth.json
//	  line 3  ward-api-key  wrd_ab...xyz  fingerprint 0123456789abcdef  [live]
//
// then a summary line. With color, the rule is red for a secret confirmed
// live and yellow otherwise, so the ones to rotate first stand out; without
// it every fact is still in the text. Paths and other strings from the
// scanned data are escaped, because a hostile archive can name an entry
// with terminal escape sequences.
func Text(w io.Writer, findings []audit.Finding, stats Summary, color bool) error {
	bw := bufio.NewWriter(w)
	sorted := prepare(findings)
	paint := func(code, s string) string {
		if !color || s == "" {
			return s
		}
		return code + s + ansiReset
	}

	for start := 0; start < len(sorted); {
		end := start + 1
		for end < len(sorted) && sameArtifact(sorted[start].Location, sorted[end].Location) {
			end++
		}
		group := sorted[start:end]
		bw.WriteString(paint(ansiBold, clean(Where(group[0].Location))))
		bw.WriteString(paint(ansiDim, heading(group[0].Location)))
		bw.WriteByte('\n')

		lineW, ruleW, redW := 0, 0, 0
		for _, f := range group {
			lineW = max(lineW, len(strconv.Itoa(f.Line)))
			ruleW = max(ruleW, utf8.RuneCountInString(clean(f.Rule)))
			redW = max(redW, utf8.RuneCountInString(clean(f.Redacted)))
		}
		for _, f := range group {
			ruleColour := ansiYellow
			if f.Live == "live" {
				ruleColour = ansiRed
			}
			// Pad outside the colour codes so columns line up with
			// and without colour.
			fmt.Fprintf(bw, "  line %*d  %s  %s  fingerprint %s",
				lineW, f.Line,
				paint(ruleColour, pad(clean(f.Rule), ruleW)),
				pad(clean(f.Redacted), redW),
				clean(f.Fingerprint))
			if f.Live != "" {
				live := "[" + clean(f.Live) + "]"
				if f.Live == "live" {
					live = paint(ansiRed+ansiBold, live)
				}
				bw.WriteString("  " + live)
			}
			bw.WriteByte('\n')
		}
		start = end
	}
	if len(sorted) > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteString(summaryLine(len(sorted), countFiles(sorted), stats))
	bw.WriteByte('\n')
	return bw.Flush()
}

// heading is the part of an artifact's heading after its name: the commit
// or layer the content came from, which Where leaves out because the same
// path can hold different content in different commits or layers.
func heading(loc audit.Location) string {
	var s strings.Builder
	if loc.Commit != "" {
		s.WriteString("  commit " + clean(short(loc.Commit)))
	}
	if loc.Layer != "" {
		s.WriteString("  layer " + clean(short(loc.Layer)))
	}
	return s.String()
}

// short abbreviates a commit hash or layer digest the way git and docker
// print them; the full value is in the JSON and SARIF output.
func short(id string) string {
	algo, hex, ok := strings.Cut(id, ":")
	if !ok {
		algo, hex = "", id
	} else {
		algo += ":"
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return algo + hex
}

// summaryLine is "N findings in M files; scanned X items (Y MB) in Zs;
// skipped: ...". Skipped reasons are sorted so the line is stable.
func summaryLine(findings, files int, s Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s; scanned %s (%.1f MB",
		plural(findings, "finding"), plural(files, "file"),
		plural(int(s.Items), "item"), float64(s.Bytes)/1e6)
	if s.Commits > 0 {
		b.WriteString(", " + plural(s.Commits, "commit"))
	}
	if s.Layers > 0 {
		b.WriteString(", " + plural(s.Layers, "layer"))
	}
	fmt.Fprintf(&b, ") in %.1fs; skipped: ", s.Duration.Seconds())
	if len(s.Skipped) == 0 {
		b.WriteString("none")
	}
	for i, reason := range slices.Sorted(maps.Keys(s.Skipped)) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", s.Skipped[reason], clean(reason))
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// clean makes a string from scanned data safe to print on a terminal:
// control characters (ESC, CR, newlines), bidi overrides (which can make a
// path read as another) and invalid UTF-8 are shown as Go escapes instead
// of being interpreted.
func clean(s string) string {
	bad := func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }
	if utf8.ValidString(s) && strings.IndexFunc(s, bad) < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			fmt.Fprintf(&b, `\x%02x`, s[i]) // an invalid byte
		case bad(r):
			q := strconv.QuoteToASCII(string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
