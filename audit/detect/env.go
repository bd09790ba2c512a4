package detect

import (
	"bytes"
	"strings"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/secret"
)

// EnvAssignment finds a value assigned to OPENAI_API_KEY or WARD_API_KEY
// in the forms people paste into files: `NAME=value` (.env, shell,
// Dockerfile ENV), `export NAME="value"`, `NAME: value` (YAML) and
// `"NAME": "value"` (JSON). It reports the value, whatever its shape, so
// it catches keys the format detectors do not know.
//
// Placeholders are not credentials: empty values, references to other
// variables (`$VAR`, `${...}`), `<...>`, and the usual stand-ins (xxx,
// changeme, your-key-here, ...) are skipped, as is code (a value with
// parentheses) and a Ward-looking value whose checksum fails (a typo,
// not a key). A value must mix letters and digits and be 8 characters or
// more, as generated keys are.
type EnvAssignment struct{}

var envNames = [][]byte{[]byte("OPENAI_API_KEY"), []byte("WARD_API_KEY")}

// placeholders are lower-case fragments of values that stand in for a key.
var placeholders = []string{
	"xxx", "***", "...", "changeme", "change-me", "change_me", "your", "placeholder",
	"example", "redacted", "replace", "dummy", "insert", "todo", "secret-here", "key-here",
}

// Detect implements audit.Detector.
func (EnvAssignment) Detect(item *audit.Item) []audit.Finding {
	c := newCollector(item)
	data := item.Data
	for _, name := range envNames {
		each(data, name, func(off int) {
			if off > 0 && isIdent(data[off-1]) {
				return
			}
			start, end := valueAfter(data, off, off+len(name))
			if start < 0 {
				return
			}
			v := string(data[start:end])
			if !plausibleKey(v) {
				return
			}
			c.add("env-assignment", "API key assigned to "+string(name), start, v)
		})
	}
	return c.found
}

// valueAfter parses `["']? \s* (=|:) \s* value` after a variable name that
// spans [off, i) and returns the value's bounds, or -1.
func valueAfter(data []byte, off, i int) (int, int) {
	_, lineEnd := lineBounds(data, off)
	line := data[:lineEnd]
	if i < len(line) && (line[i] == '"' || line[i] == '\'') {
		if off == 0 || data[off-1] != line[i] {
			return -1, -1 // a closing quote without an opening one
		}
		i++
	}
	i = skipBlanks(line, i)
	if i >= len(line) || line[i] != '=' && line[i] != ':' {
		return -1, -1
	}
	i++
	if i < len(line) && (line[i] == '=' || line[i] == ':') {
		return -1, -1 // "==" is a comparison, "::" and ":=" are code
	}
	i = skipBlanks(line, i)
	if i >= len(line) {
		return -1, -1
	}
	if q := line[i]; q == '"' || q == '\'' {
		end := bytes.IndexByte(line[i+1:], q)
		if end < 0 {
			return -1, -1
		}
		return i + 1, i + 1 + end
	}
	end := i
	for end < len(line) && !bytes.ContainsRune([]byte(" \t\r,;#}"), rune(line[end])) {
		end++
	}
	return i, end
}

// plausibleKey reports whether v looks like a real key, not a
// placeholder, a reference or a piece of code.
func plausibleKey(v string) bool {
	if len(v) < 8 || strings.ContainsAny(v, " \t$(){}<>[]%`\\") {
		return false
	}
	lower := strings.ToLower(v)
	for _, p := range placeholders {
		if strings.Contains(lower, p) {
			return false
		}
	}
	for _, kind := range []string{secret.APIKey, secret.RefreshToken} {
		if strings.HasPrefix(v, kind) && secret.Check(v, kind) != nil {
			return false
		}
	}
	var letter, digit bool
	for i := 0; i < len(v); i++ {
		b := v[i]
		letter = letter || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
		digit = digit || '0' <= b && b <= '9'
	}
	return letter && digit
}

func skipBlanks(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i
}

func isIdent(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}
