package host_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/detect"
	"github.com/wardauth/ward/audit/host"
	"github.com/wardauth/ward/secret"
)

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, mode)
}

func TestHost(t *testing.T) {
	home := t.TempDir()
	write(t, filepath.Join(home, ".ward", "auth.json"), "{}", 0o644)
	write(t, filepath.Join(home, ".codex", "auth.json"), "{}", 0o600)
	key := secret.New(secret.APIKey)
	write(t, filepath.Join(home, ".bash_history"), "ls\nexport WARD_API_KEY="+key+"\n", 0o600)
	write(t, filepath.Join(home, "Dropbox", "backup", ".env"), "OPENAI_API_KEY=sk-proj-"+"Ab3dEf7hIj9kLm1nOp5qRs7tUv9wXy1zAb3dEf7hIj9kLm1n"+"\n", 0o600)
	write(t, filepath.Join(home, "Documents", "notes.txt"), "WARD_API_KEY="+key+"\n", 0o600) // not a sync folder

	m := host.Machine{Home: home, KeyringAvailable: true}
	rules := map[string][]string{}
	for _, f := range m.Posture() {
		rules[f.Rule] = append(rules[f.Rule], f.Path)
	}
	if len(rules["credential-file-permissions"]) != 1 || filepath.Base(filepath.Dir(rules["credential-file-permissions"][0])) != ".ward" {
		t.Errorf("permission findings: %v; want only ~/.ward/auth.json (0644)", rules["credential-file-permissions"])
	}
	if len(rules["plaintext-credentials"]) != 2 {
		t.Errorf("plaintext findings with a keyring available: %v; want both files", rules["plaintext-credentials"])
	}
	if got := (host.Machine{Home: home}).Posture(); len(got) != 1 {
		t.Errorf("without a keyring, only the permission finding should remain: %v", got)
	}

	sc := &audit.Scanner{Detectors: detect.All()}
	found := map[string]bool{}
	for _, src := range m.Sources() {
		if _, err := sc.Scan(context.Background(), src, func(f audit.Finding) { found[f.Path] = true }); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{filepath.Join(home, ".bash_history"), filepath.Join(home, "Dropbox", "backup", ".env")} {
		if !found[want] {
			t.Errorf("no finding in %s; found %v", want, found)
		}
	}
	if found[filepath.Join(home, "Documents", "notes.txt")] {
		t.Error("--host scanned outside the sync folders and histories")
	}
}
