package detect

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/secret"
)

// WardSecret finds Ward's opaque secrets by their prefix and reports one
// only when its checksum is right (secret.Check): a random or mistyped
// string is not a credential, and the checksum makes a false positive a
// one-in-56-billion event rather than a matter of heuristics.
type WardSecret struct {
	Rule, Description string
	Kind              string // secret.APIKey or secret.RefreshToken
}

// The Ward secret detectors.
var (
	WardAPIKey       = WardSecret{"ward-api-key", "Ward API key", secret.APIKey}
	WardRefreshToken = WardSecret{"ward-refresh-token", "Ward refresh token", secret.RefreshToken}
)

// Detect implements audit.Detector.
func (d WardSecret) Detect(item *audit.Item) []audit.Finding {
	c := newCollector(item)
	data := item.Data
	each(data, []byte(d.Kind), func(off int) {
		if off+secret.Len > len(data) {
			return
		}
		s := string(data[off : off+secret.Len])
		if secret.Check(s, d.Kind) == nil {
			c.add(d.Rule, d.Description, off, s)
		}
	})
	return c.found
}

// JWT finds JSON Web Tokens: three base64url parts whose header decodes
// to JSON naming an "alg" and whose payload decodes to a JSON object, so
// text that merely starts with "eyJ" is not reported. A token carrying
// the claims Ward's server issues ("fam", or "sid" with "client_id") is
// reported as ward-jwt; any other as jwt. Signatures are not verified:
// a leaked token is a leak whoever signed it.
type JWT struct{}

const (
	maxJWTHeader  = 4 << 10
	maxJWTPayload = 64 << 10
	maxJWTSig     = 2 << 10
)

// Detect implements audit.Detector.
func (JWT) Detect(item *audit.Item) []audit.Finding {
	c := newCollector(item)
	data := item.Data
	next := 0 // skip hits inside a token already reported
	each(data, []byte("eyJ"), func(off int) {
		if off < next || off > 0 && (isB64URL(data[off-1]) || data[off-1] == '.') {
			return
		}
		tok, end, ok := jwtAt(data, off)
		if !ok {
			return
		}
		next = end
		rule, desc := classifyJWT(tok)
		if rule != "" {
			c.add(rule, desc, off, string(tok))
		}
	})
	return c.found
}

// jwtAt returns the compact JWT starting at off, if its shape is right.
func jwtAt(data []byte, off int) (tok []byte, end int, ok bool) {
	i := off
	for n, max := range []int{maxJWTHeader, maxJWTPayload, maxJWTSig} {
		j := runEnd(data, i, max, isB64URL)
		if j < len(data) && isB64URL(data[j]) {
			return nil, 0, false // longer than any real token part
		}
		if n < 2 {
			if j == i || j >= len(data) || data[j] != '.' {
				return nil, 0, false
			}
			j++
		}
		i = j
	}
	return data[off:i], i, true
}

// classifyJWT decodes a token's header and payload and returns its rule,
// or "" when it is not a JWT after all.
func classifyJWT(tok []byte) (rule, desc string) {
	parts := bytes.SplitN(tok, []byte("."), 3)
	var header struct {
		Alg *string `json:"alg"`
	}
	if !decodeJSON(parts[0], &header) || header.Alg == nil {
		return "", ""
	}
	var claims map[string]json.RawMessage
	if !decodeJSON(parts[1], &claims) || claims == nil {
		return "", ""
	}
	_, fam := claims["fam"]
	_, sid := claims["sid"]
	_, client := claims["client_id"]
	if fam || sid && client {
		return "ward-jwt", "access or ID token from a Ward server"
	}
	return "jwt", "JSON Web Token"
}

// decodeJSON decodes one base64url part of a JWT into v.
func decodeJSON(part []byte, v any) bool {
	raw := make([]byte, base64.RawURLEncoding.DecodedLen(len(part)))
	n, err := base64.RawURLEncoding.Decode(raw, part)
	if err != nil {
		return false
	}
	return json.Unmarshal(raw[:n], v) == nil
}
