package detect

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/secret"
)

func run(d audit.Detector, path, text string) []audit.Finding {
	return d.Detect(&audit.Item{Location: audit.Location{Path: path}, Data: []byte(text)})
}

// lines returns "rule:line" for each finding.
func lines(fs []audit.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+":"+strconv.Itoa(f.Line))
	}
	return strings.Join(out, " ")
}

func TestWardSecret(t *testing.T) {
	k := secret.New(secret.APIKey)
	r := secret.New(secret.RefreshToken)
	typo := k[:20] + string(rune('a'+(k[20]-'a'+1)%26)) + k[21:]
	text := "a\nkey=" + k + "\n" + typo + "\n" + r + " // ward:allow\n" + k[:secret.Len-1]
	if got := lines(run(WardAPIKey, "x", text)); got != "ward-api-key:2" {
		t.Errorf("api keys: %q", got)
	}
	if got := lines(run(WardRefreshToken, "x", text)); got != "" {
		t.Errorf("refresh tokens: %q (the only one is allowed)", got)
	}
	f := run(WardAPIKey, "x", k)[0]
	if f.Secret != k || f.Fingerprint != audit.Fingerprint(k) || f.Redacted != k[:6]+"..."+k[len(k)-3:] {
		t.Errorf("finding = %+v", f)
	}
}

func TestJWT(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	ward := enc([]byte(`{"alg":"ES256"}`)) + "." + enc([]byte(`{"sid":"s","client_id":"c"}`)) + ".c2ln"
	other := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"1"}`)) + ".c2ln"
	cases := map[string]string{
		ward:                                    "ward-jwt:1",
		"x\n\"" + other + "\"":                  "jwt:2",
		"Bearer " + other + "\n" + ward:         "jwt:1 ward-jwt:2",
		"aeyJ" + other[3:]:                      "", // not at a token boundary
		enc([]byte(`{"alg":"x"}`)) + ".eyJub3Q": "", // no payload JSON
		"eyJ0eXAiOiJKV1QifQ.e30.":               "", // header without alg
		strings.Repeat("eyJ", 10000):            "",
	}
	for text, want := range cases {
		if got := lines(run(JWT{}, "x", text)); got != want {
			t.Errorf("%.60q: got %q, want %q", text, got, want)
		}
	}
}

func TestOpenAIKey(t *testing.T) {
	body := "aB3" + strings.Repeat("x9Y", 15) // 48 characters, mixed
	cases := map[string]string{
		"sk-" + body: "openai-api-key:1",
		"sk-" + body[:20] + "T3BlbkFJ" + body[28:]:       "openai-api-key:1",
		"key: 'sk-proj-" + body + "-_x'":                 "openai-api-key:1",
		"sk-svcacct-" + body:                             "openai-api-key:1",
		"sk-admin-" + body:                               "openai-api-key:1",
		"sk-" + body + "Z":                               "", // 49: not a classic key
		"sk-" + strings.Repeat("a", 48):                  "", // no digits or capitals
		"disk-" + body:                                   "", // inside a word
		"sk-proj-" + body[:30]:                           "", // too short
		"sk-ant-api03-" + body + body:                    "", // someone else's key
		"sk-" + body[:24] + "-" + body[:23]:              "", // dashes in a classic key
		"sk-proj-" + strings.Repeat("ab1C", 300):         "", // longer than any key
		"// see sk-proj-{id} or sk-xxxxxxxxxxxxxxxxxxxx": "",
	}
	for text, want := range cases {
		if got := lines(run(OpenAIKey{}, "x", text)); got != want {
			t.Errorf("%.70q: got %q, want %q", text, got, want)
		}
	}
}

func TestEnvAssignment(t *testing.T) {
	v := "Zq81mNop42rs"
	cases := map[string]string{
		"OPENAI_API_KEY=" + v:                 v,
		"export WARD_API_KEY='" + v + "'":     v,
		"  OPENAI_API_KEY: \"" + v + "\"":     v,
		`{"WARD_API_KEY": "` + v + `"}`:       v,
		"ENV OPENAI_API_KEY " + v:             "", // Dockerfile's space form is not read
		"OPENAI_API_KEY=" + v + " # comment":  v,
		"AZURE_OPENAI_API_KEY=" + v:           "",
		"OPENAI_API_KEY=":                     "",
		"OPENAI_API_KEY=$OPENAI":              "",
		"OPENAI_API_KEY=${KEY:-abc12345}":     "",
		"OPENAI_API_KEY=<your key>":           "",
		"OPENAI_API_KEY=sk-xxxxxxxxxx12":      "",
		"WARD_API_KEY=changeme123":            "",
		"WARD_API_KEY=wardk_1234567890abcdef": "", // a broken Ward key is a typo
		"if OPENAI_API_KEY == \"abc12345x\"":  "",
		"OPENAI_API_KEY := os.Getenv(x)":      "",
		"WARD_API_KEY: getKey(1)":             "",
		"OPENAI_API_KEY=abcdefghijkl":         "", // no digits: a word, not a key
	}
	for text, want := range cases {
		fs := run(EnvAssignment{}, ".env", text)
		got := ""
		if len(fs) == 1 {
			got = fs[0].Secret
		} else if len(fs) > 1 {
			got = "several"
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", text, got, want)
		}
	}
}

func TestStructuredNeedsNameAndShape(t *testing.T) {
	ward := `{"version": 1, "auth_mode": "api_key", "api_key": "k1234567890abcdefgh"}`
	if got := lines(run(AuthJSON{}, "x/auth.json", ward)); got != "ward-auth-json:1" {
		t.Errorf("ward auth.json: %q", got)
	}
	if got := lines(run(AuthJSON{}, "x/creds.json", ward)); got != "" {
		t.Errorf("another name: %q", got)
	}
	for _, text := range []string{`{"auth_mode": "oauth"}`, `not json`, `{"version": 1, "auth_mode": "account"}`} {
		if got := lines(run(AuthJSON{}, "auth.json", text)); got != "" {
			t.Errorf("%q: %q", text, got)
		}
	}
	if got := lines(run(GHHosts{}, "hosts.yml", "- a: b\n  oauth_token: x\n")); got != "" {
		t.Errorf("not gh's YAML: %q", got)
	}
	if got := lines(run(GHHosts{}, "hosts.yml", "oauth_token: top-level\n")); got != "" {
		t.Errorf("token outside a host: %q", got)
	}
	if got := lines(run(Netrc{}, ".netrc", "password orphan\nmachine m login l password p # ward:allow\n")); got != "" {
		t.Errorf("netrc: %q", got)
	}
	if got := lines(run(DockerConfig{}, "config.json", `{"auths": {"r": {"auth": "bm9jb2xvbg=="}}}`)); got != "" {
		t.Errorf("docker auth without a colon: %q", got)
	}
}

func TestRulesListed(t *testing.T) {
	known := map[string]bool{}
	for _, r := range Rules {
		known[r.ID] = true
	}
	if len(known) != len(Rules) {
		t.Error("duplicate rule IDs")
	}
	if len(All()) != 9 {
		t.Errorf("All() has %d detectors", len(All()))
	}
}
