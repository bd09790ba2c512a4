package audit_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/detect"
	"github.com/wardauth/ward/audit/tree"
)

// buildTree plants one credential of every kind the detectors know, and
// the traps they must not fall into, in a fresh directory.
func buildTree(t *testing.T, c *corpus) (root, outside string) {
	root, outside = t.TempDir(), t.TempDir()
	write(t, root, "config/prod.env",
		"WARD_API_KEY="+c.apiKey,                // 1: ward-api-key (also an env assignment: one finding)
		`OPENAI_API_KEY="`+c.openaiProj+`"`,     // 2: openai-api-key
		"export OPENAI_API_KEY=abc123def456ghi", // 3: env-assignment
		"WARD_API_KEY=${WARD_API_KEY}",          // placeholders: nothing
		"OPENAI_API_KEY=your-key-here",
		`OPENAI_API_KEY=""`,
		"OPENAI_API_KEY=<paste-key>",
		"WARD_API_KEY=xxxxxxxxxxxx",
		"WARD_API_KEY="+mistype(c.apiKey2), // a typo is not a key
	)
	write(t, root, "src/main.go",
		"package main",
		"",
		`const example = "`+mistype(c.apiKey3)+`"`, // fails the checksum: nothing
		`const fixture = "`+c.refresh2+`" // ward:allow`,
		`var leaked = "`+c.refresh+`"`, // 5: ward-refresh-token
		`var key = os.Getenv("OPENAI_API_KEY")`,
		`env["WARD_API_KEY"] = apiKey`,
		`if OPENAI_API_KEY == "sk-test1234" {}`,
	)
	write(t, root, "deploy/values.yaml",
		"env:",
		`  WARD_API_KEY: "xyzzy-42-plugh-0099"`, // 2: env-assignment
		"  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}",
	)
	write(t, root, "notes/tokens.txt",
		"curl -H 'Authorization: Bearer "+c.wardAccess+"'", // 1: ward-jwt
		"id_token="+c.genericJWT,                           // 2: jwt
		"eyJhbGciOiJub25lIn0.bm90IGpzb24.",                 // payload is not JSON
		"eyJzb21lIjoidGV4dCJ9.eyJ4IjoxfQ.sig",              // header has no alg
		"see eyJ in the docs",
	)
	svcacct := "sk-svcacct-" + randKey(60, alnum+"_-")
	admin := "sk-admin-" + randKey(50, alnum)
	projNoMarker := "sk-proj-" + randKey(48, alnum+"_-")
	noMarker := "sk-" + randKey(48, alnum)
	write(t, root, "notes/openai.md",
		"classic: "+c.openaiClassic, // 1
		"svc: "+svcacct,             // 2
		"admin `"+admin+"`",         // 3
		projNoMarker,                // 4
		"old="+noMarker,             // 5
		"sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx sk-proj-short sk-ant-api03-"+randKey(80, alnum),
		"task-"+randKey(48, alnum), // not "sk-" at a word start
	)
	// Ward's auth.json, logged in as an account.
	write(t, root, "home/.ward/auth.json",
		`{`,
		`  "version": 1,`,
		`  "issuer": "https://ward.example",`,
		`  "auth_mode": "account",`,
		`  "tokens": {`,
		`    "access_token": "`+c.wardAccess+`",`, // 6
		`    "refresh_token": "`+c.refresh+`",`,   // 7
		`    "id_token": "`+c.wardID+`",`,         // 8
		`    "expires_at": "2030-01-01T00:00:00Z"`,
		`  }`,
		`}`)
	write(t, root, "home/.codex/auth.json",
		`{`,
		`  "auth_mode": "chatgpt",`,
		`  "OPENAI_API_KEY": null,`,
		`  "tokens": {`,
		`    "id_token": "`+c.genericJWT+`",`,                               // 5
		`    "access_token": "`+c.genericJWT[:len(c.genericJWT)-4]+`abcd",`, // 6
		`    "refresh_token": "rt_`+randKey(40, alnum)+`",`,                 // 7
		`    "account_id": "a1"`,
		`  },`,
		`  "last_refresh": "2025-01-01T00:00:00Z"`,
		`}`)
	write(t, root, "home/.config/gh/hosts.yml",
		"github.com:",
		"    users:",
		"        octocat:",
		"            oauth_token: gho_"+randKey(36, alnum), // 4
		"    git_protocol: https",
		`    oauth_token: "gho_`+randKey(36, alnum)+`"`, // 6
		"    user: octocat",
	)
	write(t, root, "home/.netrc",
		"# work",
		"machine api.example.com",
		"  login alice",
		"  password s3cr3t-pass", // 4
		"macdef init",
		"  password notme",
		"",
		`default login anon password "anon pass"`, // 8
	)
	write(t, root, "home/.docker/config.json",
		`{`,
		`  "auths": {`,
		`    "registry.example.com": {`,
		`      "auth": "`+base64.StdEncoding.EncodeToString([]byte("alice:hunter2-registry"))+`"`, // 4
		`    },`,
		`    "ghcr.io": {`,
		`      "identitytoken": "idt_`+randKey(30, alnum)+`"`, // 7
		`    }`,
		`  },`,
		`  "credsStore": "desktop"`,
		`}`)
	write(t, root, "pkg/auth.json", `{"auth_mode": "oauth", "token": "not ours"}`)
	write(t, root, "pkg/config.json", `{"name": "pkg", "auths": "none"}`)

	// Ignored files hold the usual local secrets.
	write(t, root, ".gitignore", "# local", "secrets/", "*.local")
	write(t, root, "secrets/.env", "WARD_API_KEY="+c.apiKey4)
	write(t, root, "app.local", "WARD_API_KEY="+c.apiKey4)
	write(t, root, "sub/.gitignore", "!keep.local")
	write(t, root, "sub/keep.local", "", "k="+c.apiKey4) // 2: re-included

	// Never followed: a link out of the tree, git's store, a binary.
	write(t, outside, "stolen.env", "WARD_API_KEY="+c.apiKey4)
	if err := os.Symlink(outside, filepath.Join(root, "link-out")); err != nil {
		t.Fatal(err)
	}
	write(t, root, ".git/config", "url = https://x:"+c.apiKey4+"@example.com")
	writeBytes(t, root, "bin/blob.dat", []byte("\x00\x01ELF "+c.apiKey4))

	// Archives, one nested in another.
	codexKey := member{"home/.codex/auth.json", []byte(`{"auth_mode": "apikey", "OPENAI_API_KEY": "` + c.openaiClassic + `"}`)}
	writeBytes(t, root, "archives/backup.tar.gz", tarBytes(t, true, codexKey))
	inner := tarBytes(t, false, member{"proj/.env", []byte("\nWARD_API_KEY=" + c.apiKey4 + "\n")})
	writeBytes(t, root, "archives/creds.zip", zipBytes(t,
		member{".ward/auth.json", []byte(`{"version": 1, "auth_mode": "api_key",` + "\n" + `"api_key": "` + c.apiKey + `"}`)},
		member{"inner.tar", inner},
	))
	writeBytes(t, root, "archives/broken.zip", []byte("PK not really a zip"))
	return root, outside
}

// key is what the corpus test compares: a finding without its secret.
func key(root string, f audit.Finding) string {
	rel := func(p string) string { return filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator))) }
	var arch []string
	for i, a := range f.Archive {
		if i == 0 {
			a = rel(a)
		}
		arch = append(arch, a)
	}
	s := fmt.Sprintf("%s %s:%d", f.Rule, rel(f.Path), f.Line)
	if len(arch) > 0 {
		s += " in " + strings.Join(arch, " > ")
	}
	return s
}

func scan(t *testing.T, src audit.Source, dets []audit.Detector) ([]audit.Finding, audit.Stats) {
	t.Helper()
	var found []audit.Finding
	s := audit.Scanner{Detectors: dets, Workers: 4}
	stats, err := s.Scan(context.Background(), src, func(f audit.Finding) { found = append(found, f) })
	if err != nil {
		t.Fatal(err)
	}
	return found, stats
}

func TestScanCorpus(t *testing.T) {
	c := newCorpus(t)
	root, _ := buildTree(t, c)
	want := []string{
		"ward-api-key config/prod.env:1",
		"openai-api-key config/prod.env:2",
		"env-assignment config/prod.env:3",
		"ward-refresh-token src/main.go:5",
		"env-assignment deploy/values.yaml:2",
		"ward-jwt notes/tokens.txt:1",
		"jwt notes/tokens.txt:2",
		"openai-api-key notes/openai.md:1",
		"openai-api-key notes/openai.md:2",
		"openai-api-key notes/openai.md:3",
		"openai-api-key notes/openai.md:4",
		"openai-api-key notes/openai.md:5",
		"ward-auth-json home/.ward/auth.json:6",
		"ward-auth-json home/.ward/auth.json:7",
		"ward-auth-json home/.ward/auth.json:8",
		"codex-auth-json home/.codex/auth.json:5",
		"codex-auth-json home/.codex/auth.json:6",
		"codex-auth-json home/.codex/auth.json:7",
		"gh-hosts-token home/.config/gh/hosts.yml:4",
		"gh-hosts-token home/.config/gh/hosts.yml:6",
		"netrc-password home/.netrc:4",
		"netrc-password home/.netrc:8",
		"docker-config-auth home/.docker/config.json:4",
		"docker-config-auth home/.docker/config.json:7",
		"ward-api-key sub/keep.local:2",
		"codex-auth-json home/.codex/auth.json:1 in archives/backup.tar.gz",
		"ward-auth-json .ward/auth.json:2 in archives/creds.zip",
		"ward-api-key proj/.env:2 in archives/creds.zip > inner.tar",
	}
	found, stats := scan(t, tree.Dir{Root: root}, detect.All())
	var got []string
	for _, f := range found {
		got = append(got, key(root, f))
		if f.Secret == "" || f.Fingerprint != audit.Fingerprint(f.Secret) || f.Redacted != audit.Redact(f.Secret) || f.Description == "" {
			t.Errorf("%s: incomplete finding %+v", key(root, f), f)
		}
		if strings.Contains(f.Secret, c.apiKey4) && f.Path != filepath.Join(root, "sub/keep.local") && f.Archive == nil {
			t.Errorf("%s: reported a secret from an ignored, linked, binary or .git file", key(root, f))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("findings differ\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
	wantSkipped := map[string]int{audit.SkipSymlink: 1, audit.SkipBinary: 1, audit.SkipArchive: 1, tree.SkipIgnored: 2}
	if fmt.Sprint(stats.Skipped) != fmt.Sprint(wantSkipped) {
		t.Errorf("skipped = %v, want %v", stats.Skipped, wantSkipped)
	}

	// With NoIgnore, the two ignored files are read too.
	found, _ = scan(t, tree.Dir{Root: root, NoIgnore: true}, detect.All())
	if len(found) != len(want)+2 {
		t.Errorf("NoIgnore: %d findings, want %d", len(found), len(want)+2)
	}
}
