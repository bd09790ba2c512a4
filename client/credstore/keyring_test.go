package credstore

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"

	"github.com/zalando/go-keyring"
)

// testKeyring returns a Keyring on the real Secret Service with a service
// name of its own, removed when the test ends, so tests never touch a real
// login. Without a D-Bus session the test fails rather than skips: a skipped
// keyring test looks green while the keyring code goes untested.
func testKeyring(t *testing.T) Keyring {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("DBUS_SESSION_BUS_ADDRESS is unset: the keyring tests need a real Secret Service. " +
			"Run them through scripts/test (e.g. scripts/test ./client/credstore/), which starts " +
			"a private D-Bus session with an unlocked gnome-keyring")
	}
	var b [6]byte
	rand.Read(b[:])
	service := "ward-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() { keyring.DeleteAll(service) })
	return Keyring{Service: service, User: "default"}
}

func TestKeyringRoundTrip(t *testing.T) {
	k := testKeyring(t)
	checkGone(t, k)
	checkSaveLoad(t, k, 0)
	checkSaveLoad(t, k, 1) // replaces the first
	if err := k.Delete(); err != nil {
		t.Fatal(err)
	}
	checkGone(t, k)
}

func TestKeyringCorruptEntry(t *testing.T) {
	k := testKeyring(t)
	if err := keyring.Set(k.Service, k.User, `{"auth_mode":"chatgpt"}`); err != nil {
		t.Fatal(err)
	}
	_, err := k.Load()
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
	mustContain(t, err.Error(), k.Service, "ward logout")
}

func TestKeyringOneEntryPerHome(t *testing.T) {
	k := testKeyring(t)
	a := Keyring{Service: k.Service, User: KeyringUser(t.TempDir())}
	b := Keyring{Service: k.Service, User: KeyringUser(t.TempDir())}
	if err := a.Save(sample(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another home sees the login: %v", err)
	}
}

func TestAutoUsesKeyringAndRemovesPlainCopy(t *testing.T) {
	k := testKeyring(t)
	f := File{Dir: privateDir(t)}
	if err := f.Save(sample(1)); err != nil { // as an earlier fallback would
		t.Fatal(err)
	}
	var warn bytes.Buffer
	a := Auto{Keyring: k, File: f, Warn: &warn}
	if err := a.Save(sample(2)); err != nil {
		t.Fatal(err)
	}
	if warn.Len() != 0 {
		t.Errorf("warning with a working keyring: %s", warn.String())
	}
	if _, err := os.Stat(f.Path()); !os.IsNotExist(err) {
		t.Error("the plain-text copy survived a save to the keyring")
	}
	got, err := a.Load()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, sample(2))
	if err := a.Delete(); err != nil {
		t.Fatal(err)
	}
	checkGone(t, a)
}

func TestMove(t *testing.T) {
	k := testKeyring(t)
	f := File{Dir: privateDir(t)}
	if err := k.Save(sample(1)); err != nil {
		t.Fatal(err)
	}

	if err := Move(k, f); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Load(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("keyring→file left a copy in the keyring: %v", err)
	}
	got, err := f.Load()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, sample(1))

	if err := Move(f, k); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Path()); !os.IsNotExist(err) {
		t.Fatalf("file→keyring left auth.json behind: %v", err)
	}
	if got, err = k.Load(); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, sample(1))

	// From auto (credentials in its keyring) to the file of the same home:
	// the shared file must be kept, the keyring entry removed.
	a := Auto{Keyring: k, File: f}
	if err := Move(a, f); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Load(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("auto→file left a copy in the keyring: %v", err)
	}
	if got, err = f.Load(); err != nil {
		t.Fatal(err)
	}
	mustEqual(t, got, sample(1))

	if err := Move(k, f); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Move from an empty store: got %v, want ErrNotFound", err)
	}
}

func TestDeleteAll(t *testing.T) {
	k := testKeyring(t)
	f := File{Dir: privateDir(t)}
	k.Save(sample(1))
	f.Save(sample(2))
	for range 2 { // idempotent
		if err := DeleteAll(k, f, Auto{Keyring: k, File: f}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := k.Load(); !errors.Is(err, ErrNotFound) {
		t.Error("keyring entry survived DeleteAll")
	}
	if _, err := f.Load(); !errors.Is(err, ErrNotFound) {
		t.Error("file survived DeleteAll")
	}
}
