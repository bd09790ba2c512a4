package detect

import (
	"bytes"
	"strings"

	"github.com/wardauth/ward/audit"
)

// GHHosts reads the GitHub CLI's hosts.yml, which maps each host to its
// settings and, when gh stores tokens in the file rather than a keyring,
// an "oauth_token" (per host and per user under "users").
//
// gh writes this file itself in a small block-mapping subset of YAML, so
// it is read with an indentation parser for that subset rather than a
// YAML library (which Ward does not otherwise need); a file outside the
// subset (flow style, tabs, multi-line scalars) is not a gh hosts file
// and yields nothing.
type GHHosts struct{}

// Detect implements audit.Detector.
func (GHHosts) Detect(item *audit.Item) []audit.Finding {
	if b := base(item); b != "hosts.yml" && b != "hosts.yaml" {
		return nil
	}
	c := newCollector(item)
	type level struct {
		indent int
		key    string
	}
	var stack []level
	data := item.Data
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off
		}
		line := bytes.TrimRight(data[off:end], "\r")
		lineOff := off
		off = end + 1
		content := bytes.TrimLeft(line, " ")
		indent := len(line) - len(content)
		if len(content) == 0 || content[0] == '#' || string(content) == "---" {
			continue
		}
		if content[0] == '\t' || content[0] == '-' || content[0] == '{' || content[0] == '[' {
			return nil // outside the subset gh writes
		}
		key, value, ok := bytes.Cut(content, []byte(":"))
		if !ok {
			return nil
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		k := strings.Trim(string(key), `"'`)
		v := bytes.TrimSpace(value)
		if i := bytes.Index(v, []byte(" #")); i >= 0 {
			v = bytes.TrimSpace(v[:i])
		}
		if len(v) == 0 {
			stack = append(stack, level{indent, k})
			continue
		}
		if k != "oauth_token" || len(stack) == 0 {
			continue
		}
		tok := strings.Trim(string(v), `"'`)
		host := stack[0].key
		at := lineOff + indent + len(key) + 1 + bytes.Index(value, []byte(tok))
		c.add("gh-hosts-token", "GitHub CLI OAuth token for "+host+" in hosts.yml", at, tok)
	}
	return c.found
}

// Netrc reads .netrc files (ftp, curl, git over HTTPS, pip): the
// "password" of each "machine" (or of "default"). Tokens are separated by
// blanks and may span lines; "macdef" bodies run to the next empty line
// and are skipped; "#" starts a comment; a value may be double-quoted
// (curl's extension).
type Netrc struct{}

// Detect implements audit.Detector.
func (Netrc) Detect(item *audit.Item) []audit.Finding {
	if b := base(item); b != ".netrc" && b != "_netrc" {
		return nil
	}
	c := newCollector(item)
	data := item.Data
	machine := ""
	next := func(i int) (tok string, start, end int) {
		for i < len(data) {
			switch b := data[i]; {
			case b == ' ' || b == '\t' || b == '\r' || b == '\n':
				i++
			case b == '#':
				i = skipLine(data, i)
			default:
				start = i
				if b == '"' {
					j := bytes.IndexByte(data[i+1:], '"')
					if j < 0 {
						return string(data[i+1:]), i + 1, len(data)
					}
					return string(data[i+1 : i+1+j]), i + 1, i + 2 + j
				}
				for i < len(data) && !bytes.ContainsRune([]byte(" \t\r\n"), rune(data[i])) {
					i++
				}
				return string(data[start:i]), start, i
			}
		}
		return "", len(data), len(data)
	}
	for i := 0; i < len(data); {
		tok, _, end := next(i)
		i = end
		switch tok {
		case "":
			return c.found
		case "machine":
			machine, _, i = next(i)
		case "default":
			machine = "default"
		case "login", "account":
			_, _, i = next(i)
		case "password":
			var pass string
			var at int
			pass, at, i = next(i)
			if machine != "" {
				c.add("netrc-password", "password for "+machine+" in .netrc", at, pass)
			}
		case "macdef":
			_, _, i = next(i)
			if j := bytes.Index(data[i:], []byte("\n\n")); j >= 0 {
				i += j + 2
			} else {
				i = len(data)
			}
		}
	}
	return c.found
}

func skipLine(data []byte, i int) int {
	if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(data)
}
