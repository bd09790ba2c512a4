package credstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// Auto uses the keyring when it works and falls back to the file when there
// is none (a server, a container, an SSH session without D-Bus), so a login
// works everywhere but plain-text storage is never silent.
//
// At most one copy exists: a Save that reaches the keyring removes a
// plain-text copy an earlier fallback left in the file.
type Auto struct {
	Keyring Keyring
	File    File
	// Warn receives the fallback warning; os.Stderr when nil, because a
	// secret must never land in plain text without the user being told.
	Warn io.Writer
}

// fallbackWarned makes the fallback warning appear once per process, however
// many Auto stores or saves there are.
var fallbackWarned atomic.Bool

// Name reports "auto".
func (a Auto) Name() string { return "auto" }

// Load returns the credentials in the keyring, else those in the file.
func (a Auto) Load() (*Credentials, error) {
	c, kerr := a.Keyring.Load()
	if kerr == nil {
		return c, nil
	}
	if errors.Is(kerr, ErrCorrupt) {
		return nil, kerr
	}
	c, ferr := a.File.Load()
	if ferr == nil {
		return c, nil
	}
	if errors.Is(ferr, ErrNotFound) && !errors.Is(kerr, ErrNotFound) && !errors.Is(kerr, ErrKeyringUnavailable) {
		// The keyring failed in a way worth telling (locked, prompt
		// dismissed): "not logged in" would send the user the wrong way.
		return nil, kerr
	}
	return nil, ferr
}

// Save stores c in the keyring; when there is no keyring it warns on Warn
// and then, only then, writes the file.
func (a Auto) Save(c *Credentials) error {
	kerr := a.Keyring.Save(c)
	if kerr == nil {
		// Without Force: never remove a file that is not Ward's.
		err := File{Dir: a.File.Dir}.Delete()
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrCorrupt) {
			fmt.Fprintf(a.warn(), "warning: Ward credentials are now in the keyring, but an older plain-text copy could not be removed: %v\n", err)
		}
		return nil
	}
	if !errors.Is(kerr, ErrKeyringUnavailable) {
		return kerr
	}
	if !fallbackWarned.Swap(true) {
		why, fix := kerr.Error(), "run a Secret Service such as gnome-keyring in a D-Bus session"
		if ue, ok := errors.AsType[*UnavailableError](kerr); ok {
			why, fix = ue.Why, ue.Fix
		}
		fmt.Fprintf(a.warn(), "warning: no usable keyring (%s), so Ward credentials are stored in plain text in %s (mode 0600).\n"+
			"  To keep them in a keyring instead: %s; then log in again.\n"+
			"  To store them in the file without this warning, set cli_auth_credentials_store = \"file\" in config.toml.\n",
			why, a.File.Path(), fix)
	}
	return a.File.Save(c)
}

// Delete removes the credentials from both places. A keyring that is not
// available cannot hold anything to delete now, so it is not an error.
func (a Auto) Delete() error {
	kerr := a.Keyring.Delete()
	ferr := a.File.Delete()
	removed := kerr == nil || ferr == nil
	if errors.Is(kerr, ErrNotFound) || errors.Is(kerr, ErrKeyringUnavailable) {
		kerr = nil
	}
	if errors.Is(ferr, ErrNotFound) {
		ferr = nil
	}
	if err := errors.Join(kerr, ferr); err != nil {
		return err
	}
	if !removed {
		return fmt.Errorf("%w (neither in %s nor in %s)", ErrNotFound, a.Keyring.where(), a.File.Path())
	}
	return nil
}

func (a Auto) warn() io.Writer {
	if a.Warn == nil {
		return os.Stderr
	}
	return a.Warn
}

// Open returns the store selected by the cli_auth_credentials_store setting
// for the Ward home: "file", "keyring", or "auto" (also for ""). With
// insecureStorage (the --insecure-storage flag) it returns the file store
// whatever the setting says. An empty home means Home(). Warn receives the
// auto store's fallback warning.
func Open(mode string, home string, warn io.Writer, insecureStorage bool) (Store, error) {
	if home == "" {
		h, err := Home()
		if err != nil {
			return nil, err
		}
		home = h
	}
	file := File{Dir: home}
	kr := Keyring{User: KeyringUser(home)}
	if insecureStorage {
		return file, nil
	}
	switch mode {
	case "file":
		return file, nil
	case "keyring":
		return kr, nil
	case "auto", "":
		return Auto{Keyring: kr, File: file, Warn: warn}, nil
	}
	return nil, fmt.Errorf(`cli_auth_credentials_store is %q in config.toml; allowed values are "file", "keyring" and "auto" (the default)`, mode)
}

// Move moves the credentials from one store to another, as when the user
// changes cli_auth_credentials_store, and leaves no copy behind. It saves
// into to, loads them back to verify, and only then deletes them from the
// places in from that to does not also use (an Auto store shares its file
// and keyring entry with the plain stores of the same home). It returns an
// error wrapping ErrNotFound when from holds nothing.
func Move(from, to Store) error {
	c, err := from.Load()
	if err != nil {
		return fmt.Errorf("moving Ward credentials from the %s store: %w", from.Name(), err)
	}
	want, err := encode(c)
	if err != nil {
		return err
	}
	if err := to.Save(c); err != nil {
		return fmt.Errorf("moving Ward credentials to the %s store (they are still in the %s store): %w", to.Name(), from.Name(), err)
	}
	back, err := to.Load()
	if err != nil {
		return fmt.Errorf("moving Ward credentials: reading them back from the %s store failed, so they are left in the %s store too: %w", to.Name(), from.Name(), err)
	}
	if got, err := encode(back); err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("moving Ward credentials: the %s store gave back different credentials than were saved, so they are left in the %s store too", to.Name(), from.Name())
	}
	keep := map[string]bool{}
	for _, p := range parts(to) {
		keep[keyOf(p)] = true
	}
	fromParts := parts(from)
	var errs []error
	for _, p := range fromParts {
		k := keyOf(p)
		if k != "" && keep[k] {
			continue
		}
		err := p.Delete()
		if err == nil || errors.Is(err, ErrNotFound) {
			continue
		}
		if len(fromParts) > 1 && (errors.Is(err, ErrKeyringUnavailable) || errors.Is(err, ErrCorrupt)) {
			continue // the part of an Auto store that cannot hold our copy
		}
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("Ward credentials were copied to the %s store but could not be removed from the %s store; remove them with `ward logout` after switching back, or by hand: %w", to.Name(), from.Name(), err)
	}
	return nil
}

// DeleteAll deletes the credentials from every store, for logout. It is
// idempotent: a store that holds nothing is a success.
func DeleteAll(stores ...Store) error {
	var errs []error
	for _, s := range stores {
		if err := s.Delete(); err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// parts lists the plain stores a store writes to.
func parts(s Store) []Store {
	switch a := s.(type) {
	case Auto:
		return []Store{a.Keyring, a.File}
	case *Auto:
		return []Store{a.Keyring, a.File}
	}
	return []Store{s}
}

// keyOf identifies where a store keeps credentials; "" for stores from
// outside this package, which Move then always treats as distinct.
func keyOf(s Store) string {
	if k, ok := s.(interface{ key() string }); ok {
		return k.key()
	}
	return ""
}
