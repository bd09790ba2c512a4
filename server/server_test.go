package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultIssuer(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080":    "http://localhost:8080",
		"[::1]:8080":        "http://localhost:8080",
		"0.0.0.0:8080":      "http://localhost:8080",
		":8080":             "http://localhost:8080",
		"id.example.com:80": "http://id.example.com:80",
		"10.0.0.5:8080":     "http://10.0.0.5:8080",
	} {
		if got := DefaultIssuer(addr); got != want {
			t.Errorf("DefaultIssuer(%q) = %q, want %q", addr, got, want)
		}
	}
}

// The secret is created once, privately, and read back the same; a damaged
// one stops the server with words that say what to do.
func TestSecretFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	first, err := loadSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v (%v), want 0600", info.Mode(), err)
	}
	again, err := loadSecret(path)
	if err != nil || string(again) != string(first) || len(first) != 32 {
		t.Fatalf("reloaded secret differs or is not 32 bytes: %v", err)
	}
	os.WriteFile(path, []byte("not hex"), 0o600)
	if _, err := loadSecret(path); err == nil || !strings.Contains(err.Error(), "restore it from backup") {
		t.Fatalf("damaged secret: %v", err)
	}
}

func TestRedact(t *testing.T) {
	if got := redact("postgres://ward:hunter2@db:5432/ward"); strings.Contains(got, "hunter2") {
		t.Errorf("redact left the password in %q", got)
	}
	if got := redact("/var/lib/ward/ward.db"); got != "/var/lib/ward/ward.db" {
		t.Errorf("redact changed a path: %q", got)
	}
}
