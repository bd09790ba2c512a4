package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// noKeyringResult is what the no-keyring child reports to its parent.
type noKeyringResult struct {
	Events     []string // one per warning write: whether auth.json existed then
	Warning    string
	SaveErrs   []string
	Loaded     string // access token Auto.Load returned
	KeyringErr string // what a keyring-only user sees
}

// warnRecorder notes, at each warning write, whether the file existed yet.
type warnRecorder struct {
	path string
	res  *noKeyringResult
}

func (w warnRecorder) Write(p []byte) (int, error) {
	_, err := os.Stat(w.path)
	w.res.Events = append(w.res.Events, fmt.Sprintf("warning written, file existed: %v", err == nil))
	w.res.Warning += string(p)
	return len(p), nil
}

// noKeyringChild runs in a process with no D-Bus session and no dbus-launch.
func noKeyringChild(dir string) error {
	var res noKeyringResult
	f := File{Dir: dir}
	a := Auto{Keyring: Keyring{Service: "ward-test-nokeyring"}, File: f, Warn: warnRecorder{f.Path(), &res}}
	for i := range 2 {
		if err := a.Save(sample(i)); err != nil {
			res.SaveErrs = append(res.SaveErrs, err.Error())
		}
	}
	if c, err := a.Load(); err == nil {
		res.Loaded = c.Tokens.AccessToken
	}
	_, err := a.Keyring.Load()
	if !errors.Is(err, ErrKeyringUnavailable) {
		return fmt.Errorf("keyring Load: got %v, want ErrKeyringUnavailable", err)
	}
	res.KeyringErr = err.Error()
	return json.NewEncoder(os.Stdout).Encode(res)
}

// cleanEnv is the environment without a D-Bus session, with PATH pointing at
// an empty directory so go-keyring cannot autolaunch one via dbus-launch.
func cleanEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+t.TempDir())
}

func TestAutoFallsBackWithoutSecretService(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	cmd := helper(t, "no-keyring", dir)
	cmd.Env = append(cleanEnv(t), helperEnv+"=no-keyring", dirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var res noKeyringResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	if len(res.SaveErrs) != 0 {
		t.Fatalf("Save failed without a keyring: %v", res.SaveErrs)
	}
	// Exactly one warning (once per process), written before the file existed.
	if want := []string{"warning written, file existed: false"}; fmt.Sprint(res.Events) != fmt.Sprint(want) {
		t.Fatalf("warning events = %q, want %q", res.Events, want)
	}
	path := filepath.Join(dir, FileName)
	mustContain(t, res.Warning, "plain text", path, "gnome-keyring", `cli_auth_credentials_store = "file"`)
	if res.Loaded != sample(1).Tokens.AccessToken {
		t.Errorf("Auto.Load returned access token %q, want the last saved", res.Loaded)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("fallback file: %v %v", err, fi)
	}
	// A keyring-only user is told what to install or start, and the way out.
	mustContain(t, res.KeyringErr, "D-Bus", "gnome-keyring", "--insecure-storage", `cli_auth_credentials_store = "file"`)
	t.Logf("fallback warning:\n%s\nkeyring-only error: %s", res.Warning, res.KeyringErr)
}

// lockedKeyringChild runs on a fresh D-Bus session where the Secret Service
// is activated on demand with a locked login collection and no prompter.
func lockedKeyringChild(dir string) error {
	var warn strings.Builder
	a := Auto{Keyring: Keyring{Service: "ward-test-locked"}, File: File{Dir: dir}, Warn: &warn}
	if err := a.Save(sample(1)); err != nil {
		return fmt.Errorf("Auto.Save on a locked keyring: %w", err)
	}
	fmt.Printf("WARNING %q\n", warn.String())
	return nil
}

// TestAutoFallsBackOnLockedKeyring: a machine with gnome-keyring installed
// but no desktop session to unlock it is "no keyring" too.
func TestAutoFallsBackOnLockedKeyring(t *testing.T) {
	dbusRun, err := exec.LookPath("dbus-run-session")
	if err != nil {
		t.Fatal("dbus-run-session is not installed; run the tests through scripts/test, which installs it")
	}
	dir := filepath.Join(t.TempDir(), "home")
	cmd := exec.Command(dbusRun, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=locked-keyring", dirEnv+"="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	mustContain(t, string(out), "plain text", "locked")
	if _, err := (File{Dir: dir}).Load(); err != nil {
		t.Fatalf("fallback file: %v", err)
	}
}

// TestKeyringTimeout points go-keyring at a D-Bus address whose socket accepts
// connections and never answers, as a wedged bus or keyring does.
func TestKeyringTimeout(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bus")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	cmd := helper(t, "keyring-hang", t.TempDir())
	cmd.Env = append(cleanEnv(t), helperEnv+"=keyring-hang", "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	mustContain(t, string(out), "did not answer within 300ms", "--insecure-storage", `cli_auth_credentials_store = "file"`)
}

func TestOpen(t *testing.T) {
	home := t.TempDir()
	for mode, want := range map[string]string{"file": "file", "keyring": "keyring", "auto": "auto", "": "auto"} {
		s, err := Open(mode, home, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name() != want {
			t.Errorf("Open(%q) = %s store, want %s", mode, s.Name(), want)
		}
		if s, _ := Open(mode, home, nil, true); s.Name() != "file" {
			t.Errorf("Open(%q, insecureStorage) = %s store, want file", mode, s.Name())
		}
	}
	k, _ := Open("keyring", home, nil, false)
	if got := k.(Keyring).User; got != KeyringUser(home) || !strings.HasPrefix(got, "home-") {
		t.Errorf("keyring user %q, want the one derived from the home", got)
	}
	_, err := Open("vault", home, nil, false)
	if err == nil {
		t.Fatal("Open accepted an unknown mode")
	}
	mustContain(t, err.Error(), "cli_auth_credentials_store", `"vault"`, `"file"`, `"keyring"`, `"auto"`)
}
