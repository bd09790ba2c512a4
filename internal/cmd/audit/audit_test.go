package audit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardauth/ward/internal/cmd/cmdtest"
	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/secret"
)

func plant(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAuditExitCodesAndOutput(t *testing.T) {
	e := cmdtest.New(t)
	key := secret.New(secret.APIKey)
	dir := plant(t, map[string]string{
		".env":        "WARD_API_KEY=" + key + "\n",
		"src/main.go": "package main\n",
	})
	r := e.Run(t, "", "audit", dir)
	if r.Exit != 1 || !strings.Contains(r.Stdout, "ward-api-key") || strings.Contains(r.Stdout+r.Stderr, key) {
		t.Fatalf("a planted key: exit %d, stdout %q (the key must never be printed)", r.Exit, r.Stdout)
	}

	r = e.Run(t, "", "audit", "--format", "json", dir)
	var out struct {
		Findings []struct {
			Rule        string `json:"rule"`
			Path        string `json:"path"`
			Line        int    `json:"line"`
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out.Findings) == 0 || out.Findings[0].Line != 1 || out.Findings[0].Fingerprint == "" {
		t.Fatalf("--format json: %v\n%s", err, r.Stdout)
	}

	base := filepath.Join(t.TempDir(), "baseline.json")
	e.Must(t, "", "audit", "--write-baseline", base, dir)
	if r := e.Run(t, "", "audit", "--baseline", base, dir); r.Exit != 0 {
		t.Errorf("with every finding in the baseline: exit %d\n%s", r.Exit, r.Stdout)
	}

	if r := e.Run(t, "", "audit", plant(t, map[string]string{"ok.txt": "nothing here\n"})); r.Exit != 0 {
		t.Errorf("a clean tree: exit %d\n%s%s", r.Exit, r.Stdout, r.Stderr)
	}
	if r := e.Run(t, "", "audit", "--git", plant(t, map[string]string{"a": "b"})); r.Exit != 2 {
		t.Errorf("--git on a directory that is no repository: exit %d, want 2\n%s", r.Exit, r.Stderr)
	}
	if r := e.Run(t, "", "audit", "--format", "xml", dir); r.Exit != 2 {
		t.Errorf("a bad --format: exit %d, want 2", r.Exit)
	}
}

// A Ward login copied into a repository is found, and --revoke kills it at
// the issuer: the access token stops working.
func TestAuditRevoke(t *testing.T) {
	e := cmdtest.New(t)
	e.Must(t, "", "login", "--port", cmdtest.FreePort(t))
	creds, err := os.ReadFile(filepath.Join(e.Home, "auth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stored struct {
		Tokens struct {
			AccessToken string `json:"access_token"`
		} `json:"tokens"`
	}
	json.Unmarshal(creds, &stored)
	dir := plant(t, map[string]string{"backup/.ward/auth.json": string(creds)})

	r := e.Run(t, "", "audit", "--revoke", dir)
	if r.Exit != 1 || !strings.Contains(r.Stderr, "Revoked") {
		t.Fatalf("--revoke: exit %d\n%s\n%s", r.Exit, r.Stdout, r.Stderr)
	}
	if status, _ := testserver.Me(t, e.Srv.URL, stored.Tokens.AccessToken); status != 401 {
		t.Errorf("the leaked login still works after --revoke (/v1/me answered %d)", status)
	}
}

func TestAuditHost(t *testing.T) {
	e := cmdtest.New(t)
	home := t.TempDir()
	e.Env["HOME"] = home
	os.WriteFile(filepath.Join(home, ".bash_history"), []byte("curl -H 'x' \nexport WARD_API_KEY="+secret.New(secret.APIKey)+"\n"), 0o600)
	os.Chmod(filepath.Join(e.Home, "auth.json"), 0o600)
	r := e.Run(t, "", "audit", "--host", "--format", "json")
	if r.Exit != 1 || !strings.Contains(r.Stdout, ".bash_history") {
		t.Fatalf("--host: exit %d\n%s\n%s", r.Exit, r.Stdout, r.Stderr)
	}
}
