package credstore

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Child processes: the tests re-exec the test binary with helperEnv set to
// one of the modes below (the standard Go pattern for testing real process
// behaviour: crashes, cross-process locks, a stripped environment).
const (
	helperEnv = "WARD_CREDSTORE_TEST_HELPER"
	dirEnv    = "WARD_CREDSTORE_TEST_DIR"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := runHelper(mode, os.Getenv(dirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runHelper(mode, dir string) error {
	switch mode {
	case "crash-save":
		// Write half of the temp file, tell the parent, and wait to be killed.
		testHookBeforeSync = func(tmp *os.File) {
			fi, _ := tmp.Stat()
			tmp.Truncate(fi.Size() / 2)
			fmt.Println("READY", tmp.Name())
			select {}
		}
		return File{Dir: dir}.Save(sample(2))
	case "lock-count":
		n, _ := strconv.Atoi(os.Getenv("WARD_CREDSTORE_TEST_N"))
		for range n {
			if err := incrementLocked(dir); err != nil {
				return err
			}
		}
		return nil
	case "no-keyring":
		return noKeyringChild(dir)
	case "locked-keyring":
		return lockedKeyringChild(dir)
	case "keyring-hang":
		_, err := Keyring{Service: "ward-test-hang", Timeout: 300 * time.Millisecond}.Load()
		fmt.Println(err)
		return nil
	}
	return fmt.Errorf("unknown helper mode %q", mode)
}

// helper starts the test binary as a child in the given mode.
func helper(t *testing.T, mode, dir string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, dirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// incrementLocked adds one to dir/counter under the credentials lock, with a
// deliberate gap between read and write so that a broken lock loses counts.
func incrementLocked(dir string) error {
	unlock, err := Lock(dir)
	if err != nil {
		return err
	}
	defer unlock()
	path := filepath.Join(dir, "counter")
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	time.Sleep(100 * time.Microsecond)
	return os.WriteFile(path, []byte(strconv.Itoa(n+1)), 0o600)
}

// sample returns distinct, valid account credentials for each i.
func sample(i int) *Credentials {
	at := time.Date(2026, 3, 1, 12, 0, i, 0, time.UTC)
	return &Credentials{
		Issuer:   "https://id.example.test",
		ClientID: "ward-cli",
		AuthMode: AuthModeAccount,
		Tokens: &Tokens{
			AccessToken:  fmt.Sprintf("eyJhbGciOiJFUzI1NiJ9.access-%d.sig", i),
			RefreshToken: fmt.Sprintf("wardr_refresh%042d", i),
			IDToken:      fmt.Sprintf("eyJhbGciOiJFUzI1NiJ9.id-%d.sig", i),
			ExpiresAt:    at.Add(time.Hour),
		},
		AccountID:        "acct_1",
		Email:            "dev@example.test",
		WorkspaceID:      "ws_1",
		SessionExpiresAt: at.Add(30 * 24 * time.Hour),
		LastRefresh:      at,
	}
}

func mustEqual(t *testing.T, got, want *Credentials) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("credentials differ:\n got %s\nwant %s", g, w)
	}
}

// privateDir returns a fresh 0700 directory to use as a Ward home.
func privateDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readLine waits for the child's first stdout line starting with prefix.
func readLine(t *testing.T, sc *bufio.Scanner, prefix string) string {
	t.Helper()
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			return sc.Text()
		}
	}
	t.Fatalf("child exited without printing %q", prefix)
	return ""
}

func mustContain(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("message lacks %q:\n%s", p, s)
		}
	}
}

// checkSaveLoad saves sample(i) into s and checks that Load gives it back.
func checkSaveLoad(t *testing.T, s Store, i int) {
	t.Helper()
	if err := s.Save(sample(i)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, sample(i))
}

// checkGone checks that s holds nothing: Load and Delete report ErrNotFound.
func checkGone(t *testing.T, s Store) {
	t.Helper()
	if _, err := s.Load(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("%s store Load: got %v, want ErrNotFound", s.Name(), err)
	}
	if err := s.Delete(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("%s store Delete: got %v, want ErrNotFound", s.Name(), err)
	}
}
