package credstore

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Keyring defaults.
const (
	DefaultKeyringService = "ward"
	DefaultKeyringUser    = "default"
	DefaultKeyringTimeout = 5 * time.Second
)

// ErrKeyringUnavailable is wrapped by errors meaning there is no working
// keyring to ask: no D-Bus session, no Secret Service on it, or a keyring
// that did not answer in time. Auto falls back to the file on it.
var ErrKeyringUnavailable = errors.New("no system keyring is available")

// Keyring stores credentials in the system keyring through
// github.com/zalando/go-keyring, as one secret holding the same JSON document
// as auth.json (docs/credentials.md).
type Keyring struct {
	// Service is the keyring entry's service name; DefaultKeyringService
	// when empty.
	Service string
	// User is the entry's user name; DefaultKeyringUser when empty. Open
	// derives it from the Ward home (KeyringUser), so each WARD_HOME holds
	// one login and two homes never overwrite each other's entry.
	User string
	// Timeout bounds every keyring call; DefaultKeyringTimeout when zero.
	// A keyring waiting on an unlock prompt nobody sees would otherwise hang
	// the CLI forever.
	Timeout time.Duration
}

// KeyringUser is the keyring user name Open uses for a Ward home: "home-"
// and the first 16 hex digits of the SHA-256 of its absolute path. The home
// is part of the name because the keyring is shared by every WARD_HOME of the
// user while a login belongs to one home.
func KeyringUser(home string) string {
	if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(home)))
	return "home-" + hex.EncodeToString(sum[:8])
}

// Name reports "keyring".
func (k Keyring) Name() string { return "keyring" }

func (k Keyring) service() string { return cmp.Or(k.Service, DefaultKeyringService) }
func (k Keyring) user() string    { return cmp.Or(k.User, DefaultKeyringUser) }

// where names the entry in messages.
func (k Keyring) where() string {
	return fmt.Sprintf("the keyring entry (service %q, user %q)", k.service(), k.user())
}

func (k Keyring) key() string { return "keyring:" + k.service() + "/" + k.user() }

// Load reads the keyring entry.
func (k Keyring) Load() (*Credentials, error) {
	var secret string
	err := k.call("read", func() (err error) {
		secret, err = keyring.Get(k.service(), k.user())
		return err
	})
	if err != nil {
		return nil, err
	}
	return decode([]byte(secret), k.where())
}

// Save writes c into the keyring entry, replacing what was there.
func (k Keyring) Save(c *Credentials) error {
	data, err := encode(c)
	if err != nil {
		return err
	}
	return k.call("save", func() error { return keyring.Set(k.service(), k.user(), string(data)) })
}

// Delete removes the keyring entry.
func (k Keyring) Delete() error {
	return k.call("delete", func() error { return keyring.Delete(k.service(), k.user()) })
}

// altHint ends every keyring error: the way out when no keyring can work.
const altHint = `; or store credentials in a file instead with --insecure-storage or cli_auth_credentials_store = "file" in config.toml`

// UnavailableError says why there is no usable keyring and how to get one.
// It wraps ErrKeyringUnavailable; Auto's fallback warning shows Why and Fix.
type UnavailableError struct {
	Op  string // "read", "save", "delete"
	Why string // "there is no D-Bus session", ...
	Fix string // what to install, start or unlock
	Err error  // go-keyring's error; nil on timeout
}

func (e *UnavailableError) Error() string {
	s := fmt.Sprintf("cannot %s Ward credentials in the keyring because %s", e.Op, e.Why)
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s + "; " + e.Fix + altHint
}

func (e *UnavailableError) Unwrap() []error { return []error{ErrKeyringUnavailable, e.Err} }

// call runs one keyring operation under the timeout and turns go-keyring's
// errors into ones a user can act on. On timeout the operation's goroutine is
// left behind: there is no way to cancel a D-Bus call in go-keyring, and it
// ends with the process.
func (k Keyring) call(op string, f func() error) error {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return k.explain(op, err)
	case <-timer.C:
		return &UnavailableError{Op: op,
			Why: fmt.Sprintf("the keyring did not answer within %s (it may be waiting for an unlock prompt nobody can see)", timeout),
			Fix: "unlock it and retry"}
	}
}

// explain classifies a go-keyring error.
func (k Keyring) explain(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%w (%s does not exist)", ErrNotFound, k.where())
	}
	msg := err.Error()
	unavailable := func(why, fix string) error { return &UnavailableError{Op: op, Why: why, Fix: fix, Err: err} }
	switch {
	case runtime.GOOS == "darwin" || runtime.GOOS == "windows":
		// The Keychain and the Credential Manager are always there.
	case strings.Contains(msg, "dbus-launch") || strings.Contains(msg, "session bus") ||
		strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(msg, "dial unix"):
		return unavailable("there is no D-Bus session",
			"log in to a desktop session, or start a D-Bus session with a Secret Service such as gnome-keyring in it (Debian/Ubuntu: apt install gnome-keyring dbus-user-session)")
	case strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "ServiceUnknown"):
		return unavailable("no Secret Service runs on the D-Bus session",
			"install and start one such as gnome-keyring (Debian/Ubuntu: apt install gnome-keyring, then gnome-keyring-daemon --start --components=secrets) or KeePassXC with Secret Service integration")
	case strings.Contains(msg, "failed to unlock"):
		return unavailable("it is locked and could not be unlocked",
			`unlock it from your desktop session (without a desktop, start gnome-keyring unlocked: printf '%s' "$PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)`)
	}
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return fmt.Errorf("cannot %s Ward credentials in the keyring: they are too big for it%s", op, altHint)
	}
	return fmt.Errorf("cannot %s Ward credentials in the keyring: %w; if it is locked, unlock it and retry%s", op, err, altHint)
}
