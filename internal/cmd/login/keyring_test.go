package login_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/internal/cmd/cmdtest"
)

// Against the real Secret Service scripts/test starts: a login lands in the
// keyring (no auth.json), and switching the setting to the file moves the
// credentials and leaves no copy in the keyring.
func TestKeyringLoginAndSwitchToFile(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("no D-Bus session: run the tests with scripts/test, which starts one with an unlocked gnome-keyring")
	}
	e := cmdtest.New(t)
	config := filepath.Join(e.Home, "config.toml")
	os.WriteFile(config, []byte("cli_auth_credentials_store = \"keyring\"\n"), 0o600)
	e.Must(t, "", "login", "--port", cmdtest.FreePort(t))
	if _, err := os.Stat(filepath.Join(e.Home, "auth.json")); !os.IsNotExist(err) {
		t.Fatalf("a keyring login wrote auth.json: %v", err)
	}
	if r := e.Must(t, "", "login", "status", "--json"); !strings.Contains(r.Stdout, `"credential_store": "keyring"`) {
		t.Errorf("status: %s", r.Stdout)
	}

	os.WriteFile(config, []byte("cli_auth_credentials_store = \"file\"\n"), 0o600)
	r := e.Must(t, "", "token")
	if !strings.Contains(r.Stderr, "Moved your credentials from the keyring store to the file store") {
		t.Errorf("switching stores said %q", r.Stderr)
	}
	if _, err := os.Stat(filepath.Join(e.Home, "auth.json")); err != nil {
		t.Errorf("auth.json after switching to the file store: %v", err)
	}
	if _, err := (credstore.Keyring{User: credstore.KeyringUser(e.Home)}).Load(); err == nil {
		t.Error("a copy stayed in the keyring")
	}
	e.Must(t, "", "logout")
}
