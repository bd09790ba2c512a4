package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/secret"
)

// Planted is one secret (or decoy) written into the corpus.
type Planted struct {
	File        string `json:"file"` // relative to the corpus directory, slash-separated
	Line        int    `json:"line"` // 1-based
	Kind        string `json:"kind"`
	Expect      bool   `json:"expect"` // false for decoys a scanner must not report
	Fingerprint string `json:"fingerprint"`
	Secret      string `json:"secret"`
	locate      string // text whose line is the secret's line, when the secret is encoded; default Secret
}

// Truth is truth.json.
type Truth struct {
	Seed    uint64    `json:"seed"`
	Root    string    `json:"root"`
	Files   int       `json:"files"`
	Bytes   int64     `json:"bytes"`
	Secrets []Planted `json:"secrets"`
}

// file is one file of the corpus being built.
type file struct {
	path  string
	lang  string // go, js, py, or "" for credential files
	lines []string
	plant []Planted // Line is filled in when the file is written
}

type gen struct {
	r *rand.Rand
	// typo draws the typos of mistyped keys; it is apart from r because
	// how many draws a typo takes depends on the (crypto/rand) key, and
	// the rest of the corpus must depend on the seed only.
	typo  *rand.Rand
	files []*file
	byExt map[string][]*file
	used  map[string]bool // paths taken
}

const (
	alnum  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b64url = alnum + "-_"
)

func (g *gen) str(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func generate(out string, seed uint64, nfiles int, total int64) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists; remove it first", out)
	}
	g := &gen{
		r:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		typo:  rand.New(rand.NewPCG(seed, 0x7970)),
		byExt: map[string][]*file{},
		used:  map[string]bool{},
	}
	g.filler(nfiles, total)
	g.plantSources()
	g.plantFiles()
	// A go.mod makes the corpus a module of its own, so `go build ./...`
	// in an enclosing module (the corpus may be written under bench/out)
	// does not try to compile the filler.
	g.add("go.mod", []string{"module example.com/auditcorpus", "", "go 1.26"})

	t := Truth{Seed: seed, Root: filepath.Base(out)}
	for _, f := range g.files {
		p := filepath.Join(out, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		text := strings.Join(f.lines, "\n") + "\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return err
		}
		t.Files++
		t.Bytes += int64(len(text))
		for _, s := range f.plant {
			s.File = f.path
			s.Line = 0
			find := s.locate
			if find == "" {
				find = s.Secret
			}
			for i, l := range f.lines {
				if strings.Contains(l, find) {
					s.Line = i + 1
					break
				}
			}
			if s.Line == 0 {
				return fmt.Errorf("lost %s in %s", s.Kind, f.path)
			}
			s.Fingerprint = audit.Fingerprint(s.Secret)
			t.Secrets = append(t.Secrets, s)
		}
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	truthPath := filepath.Join(filepath.Dir(filepath.Clean(out)), "truth.json")
	if err := os.WriteFile(truthPath, append(data, '\n'), 0o644); err != nil {
		return err
	}
	expect := 0
	for _, s := range t.Secrets {
		if s.Expect {
			expect++
		}
	}
	fmt.Fprintf(os.Stderr, "auditcorpus: %d files, %.1f MB, %d secrets planted and %d decoys; truth in %s\n",
		t.Files, float64(t.Bytes)/(1<<20), expect, len(t.Secrets)-expect, truthPath)
	return nil
}

// ---- secrets ----

func (g *gen) wardKey(kind string) string { return secret.New(kind) }

// mistyped returns a Ward secret with one typo, which secret.Check rejects.
func (g *gen) mistyped(kind string) string {
	for {
		s := []byte(secret.New(kind))
		switch g.typo.IntN(3) {
		case 0: // one character replaced
			i := 6 + g.typo.IntN(secret.Len-6)
			c := alnum[g.typo.IntN(len(alnum))]
			if c == s[i] {
				continue
			}
			s[i] = c
		case 1: // two neighbours swapped
			i := 6 + g.typo.IntN(secret.Len-7)
			if s[i] == s[i+1] {
				continue
			}
			s[i], s[i+1] = s[i+1], s[i]
		default: // one character dropped, one doubled elsewhere (same length)
			i := 6 + g.typo.IntN(secret.Len-8)
			j := i + 1 + g.typo.IntN(secret.Len-i-2)
			body := append(append([]byte{}, s[:i]...), s[i+1:j]...)
			body = append(body, s[j], s[j])
			body = append(body, s[j+1:]...)
			s = body
		}
		if secret.Check(string(s), kind) != nil {
			return string(s)
		}
	}
}

func (g *gen) openaiClassic() string {
	return "sk-" + g.mixed(alnum, 20) + "T3BlbkFJ" + g.mixed(alnum, 20)
}

// mixed returns a random string holding upper, lower and digits.
func (g *gen) mixed(alphabet string, n int) string {
	for {
		s := g.str(alphabet, n)
		if strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") &&
			strings.ContainsAny(s, "0123456789") {
			return s
		}
	}
}

// openaiScoped returns a project, service-account or admin key; OpenAI's
// current keys carry the marker between two 74-character halves.
func (g *gen) openaiScoped(scope string, marker bool) string {
	if marker {
		return "sk-" + scope + "-" + g.mixed(b64url, 74) + "T3BlbkFJ" + g.mixed(b64url, 74)
	}
	return "sk-" + scope + "-" + g.mixed(b64url, 74+g.r.IntN(90))
}

func b64(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(data)
}

func (g *gen) sig(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

const now = 1795000000 // a fixed "now" so the corpus depends on the seed only

// jwt returns a token from some other identity provider.
func (g *gen) jwt() string {
	alg, sigLen := "RS256", 256
	if g.r.IntN(2) == 0 {
		alg, sigLen = "HS256", 32
	}
	h := map[string]any{"alg": alg, "typ": "JWT", "kid": g.str("0123456789abcdef", 16)}
	p := map[string]any{
		"iss": "https://" + g.pick(words) + ".example.com",
		"sub": fmt.Sprintf("user_%d", g.r.IntN(1e6)),
		"aud": g.pick(words) + "-api",
		"iat": now, "exp": now + 3600,
		"jti": g.str(alnum, 22),
	}
	return b64(h) + "." + b64(p) + "." + g.sig(sigLen)
}

// wardJWT returns an access token as Ward's server issues them.
func (g *gen) wardJWT() string {
	h := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": g.str("0123456789abcdef", 16)}
	p := map[string]any{
		"iss": "https://ward.example.com", "sub": "acct_" + g.str(alnum, 16),
		"aud": "https://ward.example.com", "client_id": "ward-cli",
		"sid": g.str(alnum, 22), "fam": g.str(alnum, 22),
		"scope": "openid offline_access", "iat": now, "exp": now + 900,
	}
	return b64(h) + "." + b64(p) + "." + g.sig(64)
}

// codexJWT returns an ID or access token as Codex CLI stores them.
func (g *gen) codexJWT(id bool) string {
	h := map[string]any{"alg": "RS256", "typ": "JWT", "kid": g.str(b64url, 36)}
	p := map[string]any{
		"iss": "https://auth.openai.com", "sub": "auth0|" + g.str(alnum, 24),
		"iat": now, "exp": now + 864000,
		"https://api.openai.com/auth": map[string]any{"chatgpt_plan_type": "plus", "chatgpt_account_id": g.uuid()},
	}
	if id {
		p["aud"] = []string{"app_" + g.str(alnum, 24)}
		p["email"] = g.pick(words) + "@example.com"
	} else {
		p["aud"] = []string{"https://api.openai.com/v1"}
		p["scp"] = []string{"openid", "profile", "email", "offline_access"}
	}
	return b64(h) + "." + b64(p) + "." + g.sig(256)
}

func (g *gen) uuid() string {
	h := g.str("0123456789abcdef", 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ---- planting ----

// lineFor returns a line of code in lang that holds s, in one of the ways
// people paste keys into code: some name the key, some do not.
func (g *gen) lineFor(lang, s string) string {
	var forms []string
	switch lang {
	case "go":
		forms = []string{
			"\tconst apiKey = %q",
			"\tclient := ward.NewClient(%q)",
			"\treq.Header.Set(\"Authorization\", \"Bearer %s\")",
			"\tcfg := Config{Endpoint: \"https://api.example.com\", Credential: %q}",
			"\t// temporary: %s",
		}
	case "js":
		forms = []string{
			"const apiKey = '%s';",
			"  headers: { Authorization: `Bearer %s` },",
			"export const client = new Client({ key: \"%s\" });",
			"  fetchWith('%s', url);",
		}
	default:
		forms = []string{
			"API_KEY = \"%s\"",
			"    client = Client(api_key=\"%s\")",
			"    session.headers[\"Authorization\"] = \"Bearer %s\"",
			"    run(\"%s\")  # FIXME",
		}
	}
	return fmt.Sprintf(g.pick(forms), s)
}

// plantIn inserts a line holding s at a random line of a random filler
// file, between two top-level blocks or inside a function body alike.
func (g *gen) plantIn(kind string, expect bool, s string) {
	langs := []string{"go", "js", "py"}
	lang := g.pick(langs)
	fs := g.byExt[lang]
	f := fs[g.r.IntN(len(fs))]
	at := 1 + g.r.IntN(len(f.lines)-1)
	line := g.lineFor(lang, s)
	f.lines = append(f.lines[:at], append([]string{line}, f.lines[at:]...)...)
	f.plant = append(f.plant, Planted{Kind: kind, Expect: expect, Secret: s})
}

func (g *gen) plantSources() {
	for range 20 {
		g.plantIn("ward-api-key", true, g.wardKey(secret.APIKey))
	}
	for range 10 {
		g.plantIn("ward-refresh-token", true, g.wardKey(secret.RefreshToken))
	}
	for range 10 {
		g.plantIn("ward-api-key-mistyped", false, g.mistyped(secret.APIKey))
	}
	for range 5 {
		g.plantIn("ward-refresh-token-mistyped", false, g.mistyped(secret.RefreshToken))
	}
	for range 10 {
		g.plantIn("openai-classic", true, g.openaiClassic())
	}
	for range 8 {
		g.plantIn("openai-proj-marker", true, g.openaiScoped("proj", true))
	}
	for range 8 {
		g.plantIn("openai-proj-nomarker", true, g.openaiScoped("proj", false))
	}
	for range 5 {
		g.plantIn("openai-svcacct", true, g.openaiScoped("svcacct", g.r.IntN(2) == 0))
	}
	for range 5 {
		g.plantIn("openai-admin", true, g.openaiScoped("admin", g.r.IntN(2) == 0))
	}
	for range 10 {
		g.plantIn("jwt", true, g.jwt())
	}
	for range 5 {
		g.plantIn("ward-jwt", true, g.wardJWT())
	}
}

// dir returns a random nested directory of the corpus.
func (g *gen) dir() string {
	d := []string{g.pick(tops), g.pick(words)}
	for range g.r.IntN(3) {
		d = append(d, g.pick(words))
	}
	return strings.Join(d, "/")
}

// add adds a file; a path already taken gets one more directory in front.
func (g *gen) add(path string, lines []string, plant ...Planted) {
	for g.used[path] {
		path = g.pick(words) + "/" + path
	}
	g.used[path] = true
	g.files = append(g.files, &file{path: path, lines: lines, plant: plant})
}

func (g *gen) plantFiles() {
	// .env files: one OpenAI key and one Ward key each, sometimes a
	// mistyped Ward key left commented out next to the good one.
	for range 10 {
		oa := g.openaiClassic()
		if g.r.IntN(2) == 0 {
			oa = g.openaiScoped("proj", g.r.IntN(2) == 0)
		}
		wk := g.wardKey(secret.APIKey)
		lines := []string{
			"# local settings, do not commit",
			"PORT=" + fmt.Sprint(3000+g.r.IntN(5000)),
			"LOG_LEVEL=debug",
			"OPENAI_API_KEY=" + oa,
			"WARD_API_KEY=\"" + wk + "\"",
			"DATABASE_URL=postgres://localhost:5432/" + g.pick(words),
		}
		plant := []Planted{
			{Kind: "env-openai", Expect: true, Secret: oa},
			{Kind: "env-ward", Expect: true, Secret: wk},
		}
		if g.r.IntN(2) == 0 {
			bad := g.mistyped(secret.APIKey)
			lines = append(lines, "#WARD_API_KEY="+bad)
			plant = append(plant, Planted{Kind: "env-ward-mistyped", Expect: false, Secret: bad})
		}
		g.add(g.dir()+"/.env", lines, plant...)
	}
	// .env.example files with placeholders: nothing to report.
	for range 5 {
		g.add(g.dir()+"/.env.example", []string{
			"OPENAI_API_KEY=sk-your-key-here",
			"WARD_API_KEY=wardk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			"PORT=8080",
		}, Planted{Kind: "env-placeholder", Secret: "sk-your-key-here"},
			Planted{Kind: "env-placeholder", Secret: "wardk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
	}
	// Ward's auth.json.
	for range 5 {
		at, rt := g.wardJWT(), g.wardKey(secret.RefreshToken)
		data, _ := json.MarshalIndent(map[string]any{
			"version": 1, "issuer": "https://ward.example.com", "auth_mode": "account",
			"tokens": map[string]any{"access_token": at, "refresh_token": rt, "expires_at": "2026-11-29T15:04:05Z"},
		}, "", "  ")
		g.add(".config/ward/"+g.pick(words)+"/auth.json", strings.Split(string(data), "\n"),
			Planted{Kind: "ward-auth-json-access", Expect: true, Secret: at},
			Planted{Kind: "ward-auth-json-refresh", Expect: true, Secret: rt})
	}
	// Codex CLI's auth.json.
	for range 5 {
		id, at, rt := g.codexJWT(true), g.codexJWT(false), "rt_"+g.str(b64url, 43)+"."+g.str(b64url, 43)
		data, _ := json.MarshalIndent(map[string]any{
			"auth_mode": "chatgpt", "OPENAI_API_KEY": nil,
			"tokens":       map[string]any{"id_token": id, "access_token": at, "refresh_token": rt, "account_id": g.uuid()},
			"last_refresh": "2026-11-28T09:00:00Z",
		}, "", "  ")
		g.add(g.pick(words)+"/.codex/auth.json", strings.Split(string(data), "\n"),
			Planted{Kind: "codex-id-token", Expect: true, Secret: id},
			Planted{Kind: "codex-access-token", Expect: true, Secret: at},
			Planted{Kind: "codex-refresh-token", Expect: true, Secret: rt})
	}
	// gh hosts.yml.
	for range 5 {
		tok := "gho_" + g.mixed(alnum, 36)
		user := g.pick(words)
		g.add(g.pick(words)+"/.config/gh/hosts.yml", []string{
			"github.com:",
			"    oauth_token: " + tok,
			"    user: " + user,
			"    git_protocol: https",
		}, Planted{Kind: "gh-hosts-token", Expect: true, Secret: tok})
	}
	// .netrc.
	for range 5 {
		pass := g.mixed(alnum+"!#%+", 24)
		g.add(g.pick(words)+"/.netrc", []string{
			"machine git." + g.pick(words) + ".example.com",
			"  login deploy",
			"  password " + pass,
		}, Planted{Kind: "netrc-password", Expect: true, Secret: pass})
	}
	// Docker's config.json.
	for range 5 {
		pass := g.mixed(alnum, 32)
		auth := base64.StdEncoding.EncodeToString([]byte(g.pick(words) + ":" + pass))
		data, _ := json.MarshalIndent(map[string]any{
			"auths": map[string]any{"registry." + g.pick(words) + ".example.com": map[string]any{"auth": auth}},
		}, "", "\t")
		// The password is not in the file as such: its line is the line of its encoding.
		g.add(g.pick(words)+"/.docker/config.json", strings.Split(string(data), "\n"),
			Planted{Kind: "docker-config-auth", Expect: true, Secret: pass, locate: auth})
	}
}
