// Package detect holds Ward's credential detectors.
//
// Every detector anchors on a literal (a key prefix, "eyJ", a variable
// name, a file's base name) found with bytes.Index, and runs its full check
// only on a small window around each hit: no regular expression ever runs
// over a whole file, so scanning costs about as much as reading.
//
// A line that contains "ward:allow" (in any comment syntax) suppresses the
// findings that start on it, for test fixtures and documentation examples.
package detect

import (
	"bytes"
	"path"
	"sort"

	"github.com/wardauth/ward/audit"
)

// Rule describes one kind of finding.
type Rule struct {
	ID          string
	Description string
}

// Rules lists every rule ID the detectors of this package report, for
// documentation and for validating a user's rule filter.
var Rules = []Rule{
	{"ward-auth-json", "Ward credentials file (auth.json)"},
	{"codex-auth-json", "Codex CLI credentials file (auth.json)"},
	{"gh-hosts-token", "GitHub CLI OAuth token (hosts.yml)"},
	{"netrc-password", "password in a .netrc file"},
	{"docker-config-auth", "registry credentials in a Docker config.json"},
	{"ward-api-key", "Ward API key"},
	{"ward-refresh-token", "Ward refresh token"},
	{"ward-jwt", "access or ID token from a Ward server"},
	{"jwt", "JSON Web Token"},
	{"openai-api-key", "OpenAI API key"},
	{"env-assignment", "API key assigned to OPENAI_API_KEY or WARD_API_KEY"},
}

// All returns every detector, the specific ones first: when two detectors
// report the same secret at the same place, audit.Scanner keeps the
// earlier one's finding (a Codex refresh token rather than "a JWT").
func All() []audit.Detector {
	return []audit.Detector{
		AuthJSON{}, GHHosts{}, Netrc{}, DockerConfig{},
		WardAPIKey, WardRefreshToken, JWT{}, OpenAIKey{}, EnvAssignment{},
	}
}

// allowMarker on a line suppresses the findings that start on it.
var allowMarker = []byte("ward:allow")

// collector builds the findings of one item. It computes line numbers
// lazily, so an item without hits costs nothing beyond the anchor search.
type collector struct {
	item  *audit.Item
	nl    []int // offsets of '\n', computed on the first hit
	found []audit.Finding
}

func newCollector(item *audit.Item) *collector { return &collector{item: item} }

// line returns the 1-based line of byte offset off.
func (c *collector) line(off int) int {
	if c.nl == nil {
		c.nl = make([]int, 0, 64)
		for i, b := range c.item.Data {
			if b == '\n' {
				c.nl = append(c.nl, i)
			}
		}
	}
	return sort.SearchInts(c.nl, off) + 1
}

// add records secret, which starts at byte offset off, unless its line
// carries the allow marker.
func (c *collector) add(rule, desc string, off int, secret string) {
	if secret == "" {
		return
	}
	start, end := lineBounds(c.item.Data, off)
	if bytes.Contains(c.item.Data[start:end], allowMarker) {
		return
	}
	c.found = append(c.found, audit.Finding{
		Rule:        rule,
		Description: desc,
		Location:    c.item.Location,
		Line:        c.line(off),
		Fingerprint: audit.Fingerprint(secret),
		Redacted:    audit.Redact(secret),
		Secret:      secret,
	})
}

// addValue records a secret read from a parsed file: it is located by
// searching the raw bytes for it, after hint (the key that holds it) when
// that is found, so the line points at the secret itself.
func (c *collector) addValue(rule, desc string, hint []byte, secret string) {
	if secret == "" {
		return
	}
	data := c.item.Data
	from := 0
	if hint != nil {
		if h := bytes.Index(data, hint); h >= 0 {
			from = h
		}
	}
	off := bytes.Index(data[from:], []byte(secret))
	if off < 0 {
		off = from // escaped in the file: point at the key
	} else {
		off += from
	}
	c.add(rule, desc, off, secret)
}

// lineBounds returns the start and end offsets of the line holding off.
func lineBounds(data []byte, off int) (int, int) {
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	end := bytes.IndexByte(data[off:], '\n')
	if end < 0 {
		return start, len(data)
	}
	return start, off + end
}

// each calls fn with the offset of every occurrence of lit in data.
func each(data, lit []byte, fn func(off int)) {
	for i := 0; ; {
		j := bytes.Index(data[i:], lit)
		if j < 0 {
			return
		}
		fn(i + j)
		i += j + 1
	}
}

// base returns the item's file name, for the detectors of structured files.
func base(item *audit.Item) string { return path.Base(item.Path) }

// isB64URL reports whether b may appear in base64url text (and thus in a
// JWT or most API keys).
func isB64URL(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_'
}

// runEnd returns the end of the run of bytes satisfying ok that starts at
// i, looking at most max bytes ahead.
func runEnd(data []byte, i, max int, ok func(byte) bool) int {
	end := min(len(data), i+max)
	for i < end && ok(data[i]) {
		i++
	}
	return i
}
