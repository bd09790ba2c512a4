package detect

import (
	"bytes"

	"github.com/wardauth/ward/audit"
)

// OpenAIKey finds OpenAI API keys, anchored on "sk-":
//
//   - classic user keys: "sk-" + 48 letters and digits, with the marker
//     "T3BlbkFJ" (base64 of "OpenAI") at positions 20-27;
//   - scoped keys: "sk-proj-", "sk-svcacct-", "sk-admin-" (and the
//     transitional "sk-None-") followed by a long run of [A-Za-z0-9_-],
//     with or without the marker.
//
// To stay silent on source code (identifiers such as "sk-xxx" or
// "sk-demo-key"), a key must stand alone (no key character on either
// side), carry at least 40 characters after its prefix and mix upper
// case, lower case and digits, as random keys do.
type OpenAIKey struct{}

const minOpenAIBody = 40

var openAIScopes = []string{"proj-", "svcacct-", "admin-", "None-"}

// openAIMarker is base64("OpenAI"), embedded in most OpenAI keys.
var openAIMarker = []byte("T3BlbkFJ")

// Detect implements audit.Detector.
func (OpenAIKey) Detect(item *audit.Item) []audit.Finding {
	c := newCollector(item)
	data := item.Data
	each(data, []byte("sk-"), func(off int) {
		if off > 0 && isB64URL(data[off-1]) {
			return
		}
		end := runEnd(data, off+3, 1024, isB64URL)
		if end < len(data) && isB64URL(data[end]) {
			return // implausibly long
		}
		if desc := classifyOpenAI(data[off+3 : end]); desc != "" {
			c.add("openai-api-key", desc, off, string(data[off:end]))
		}
	})
	return c.found
}

// classifyOpenAI returns a description of the key whose text after "sk-"
// is rest, or "" when rest is not a key.
func classifyOpenAI(rest []byte) string {
	for _, scope := range openAIScopes {
		if body, ok := bytes.CutPrefix(rest, []byte(scope)); ok {
			if len(body) < minOpenAIBody || !mixed(body) {
				return ""
			}
			return "OpenAI API key (" + scope[:len(scope)-1] + ")"
		}
	}
	// A classic key is letters and digits only.
	if len(rest) < minOpenAIBody || !mixed(rest) {
		return ""
	}
	for _, b := range rest {
		if b == '-' || b == '_' {
			return ""
		}
	}
	if len(rest) == 48 && bytes.Equal(rest[20:28], openAIMarker) {
		return "OpenAI API key"
	}
	if len(rest) == 48 {
		return "OpenAI API key (no marker)"
	}
	return ""
}

// mixed reports whether s holds upper case, lower case and digits.
func mixed(s []byte) bool {
	var up, low, dig bool
	for _, b := range s {
		switch {
		case 'A' <= b && b <= 'Z':
			up = true
		case 'a' <= b && b <= 'z':
			low = true
		case '0' <= b && b <= '9':
			dig = true
		}
	}
	return up && low && dig
}
