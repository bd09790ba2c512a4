package credstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// FileName is the credentials file inside the Ward home.
const FileName = "auth.json"

// tempPrefix starts the name of every temp file Save writes before renaming
// it over auth.json; Delete removes leftovers with this prefix.
const tempPrefix = FileName + ".tmp-"

// File stores credentials in plain text in Dir/auth.json.
//
// The file is only ever replaced whole: Save writes a new file next to it
// (O_EXCL, mode 0600), fsyncs it, renames it over auth.json and fsyncs the
// directory, so a crash or a full disk leaves either the old or the new
// credentials, never half of each.
type File struct {
	// Dir holds auth.json: the Ward home.
	Dir string
	// Force lets Save and Delete replace or remove an auth.json that is not
	// valid Ward credentials (corrupt, from a newer Ward, or another tool's
	// file). Without it they refuse, so a mistyped WARD_HOME never destroys
	// another program's secrets. `ward logout` sets it.
	Force bool
}

// Name reports "file".
func (f File) Name() string { return "file" }

// Path is the credentials file.
func (f File) Path() string { return filepath.Join(f.Dir, FileName) }

// key identifies the storage location, so Move never deletes what it just wrote.
func (f File) key() string {
	p, err := filepath.Abs(f.Path())
	if err != nil {
		p = filepath.Clean(f.Path())
	}
	return "file:" + p
}

// testHookBeforeSync, when set (by tests only), runs after the temp file is
// written and before it is fsynced: the crash-safety test uses it to stop a
// child process mid-Save and kill it.
var testHookBeforeSync func(tmp *os.File)

// Load reads Dir/auth.json.
func (f File) Load() (*Credentials, error) {
	path := f.Path()
	if err := checkDir(f.Dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w (%s does not exist)", ErrNotFound, f.Dir)
		}
		return nil, err
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s does not exist)", ErrNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading Ward credentials: %w", err)
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading Ward credentials: %w", err)
	}
	return decode(data, path)
}

// Save replaces Dir/auth.json with c, creating Dir (mode 0700) if needed.
func (f File) Save(c *Credentials) error {
	data, err := encode(c)
	if err != nil {
		return err
	}
	if err := f.prepareDir(); err != nil {
		return err
	}
	path := f.Path()
	if err := f.checkReplaceable(path); err != nil {
		return err
	}
	tmp, err := createTemp(f.Dir)
	if err != nil {
		return fmt.Errorf("saving Ward credentials: creating a temp file in %s: %w", f.Dir, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("saving Ward credentials: writing %s: %w (is the disk full?)", tmp.Name(), err)
	}
	if testHookBeforeSync != nil {
		testHookBeforeSync(tmp)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("saving Ward credentials: flushing %s to disk: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving Ward credentials: closing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving Ward credentials: renaming %s to %s: %w", tmp.Name(), path, err)
	}
	ok = true
	return syncDir(f.Dir)
}

// Delete removes Dir/auth.json and any temp files a crashed Save left behind
// (they may hold secrets). Permissions are not checked: removing the file is
// the cure for loose ones.
func (f File) Delete() error {
	path := f.Path()
	if !f.Force {
		if _, err := os.Lstat(path); err == nil {
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("removing Ward credentials: %w", err)
			}
			if _, err := decode(data, path); errors.Is(err, ErrCorrupt) {
				return fmt.Errorf("not removing %s: %w", path, err)
			}
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(f.Dir, tempPrefix+"*"))
	for _, l := range leftovers {
		os.Remove(l)
	}
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (%s does not exist)", ErrNotFound, path)
	}
	if err != nil {
		return fmt.Errorf("removing Ward credentials %s: %w", path, err)
	}
	return syncDir(f.Dir)
}

// prepareDir creates Dir with mode 0700, or checks that an existing one is
// private.
func (f File) prepareDir() error {
	if f.Dir == "" {
		return errors.New("credstore: File.Dir is empty; set it to the Ward home ($WARD_HOME or ~/.ward)")
	}
	err := checkDir(f.Dir)
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return fmt.Errorf("creating the Ward home %s: %w", f.Dir, err)
	}
	// MkdirAll applies the umask; make the mode exactly 0700.
	if err := os.Chmod(f.Dir, 0o700); err != nil {
		return fmt.Errorf("making the Ward home %s private: %w", f.Dir, err)
	}
	return nil
}

// checkReplaceable returns nil when path is missing or holds Ward
// credentials with private permissions (or f.Force is set and only the
// content is wrong).
func (f File) checkReplaceable(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("saving Ward credentials: %w", err)
	}
	if err := checkFile(path, fi); err != nil {
		return err
	}
	if f.Force {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("saving Ward credentials: reading the existing %s: %w", path, err)
	}
	if _, err := decode(data, path); err != nil {
		return fmt.Errorf("not overwriting %s: %w", path, err)
	}
	return nil
}

// checkDir refuses a Ward home that group or others can reach: they could
// list, replace or (with a loose file) read the credentials. It returns an
// error wrapping fs.ErrNotExist when dir is missing.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return fmt.Errorf("checking the Ward home %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("the Ward home %s is not a directory; move it away or set WARD_HOME to a directory", dir)
	}
	if runtime.GOOS == "windows" {
		return nil // mode bits mean nothing there; the profile ACL protects it
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("the Ward home %s has mode %04o, so other users can reach the credentials in it; make it private with: chmod 700 %s",
			dir, fi.Mode().Perm(), shellQuote(dir))
	}
	return checkOwner(dir, fi)
}

// checkFile refuses anything but a private regular file owned by the user.
func checkFile(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s); Ward keeps credentials only in a plain file: move it away", path, fi.Mode().Type())
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o, so other users may have read the credentials in it; make it private with: chmod 600 %s (and consider `ward logout` to revoke them)",
			path, fi.Mode().Perm(), shellQuote(path))
	}
	return checkOwner(path, fi)
}

// createTemp creates Dir/auth.json.tmp-RANDOM exclusively with mode 0600.
// O_EXCL with a fresh random name means a leftover from a crash, or a file an
// attacker planted, is never reused.
func createTemp(dir string) (*os.File, error) {
	for range 10 {
		var b [8]byte
		rand.Read(b[:])
		name := filepath.Join(dir, tempPrefix+hex.EncodeToString(b[:]))
		fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return fh, err
	}
	return nil, errors.New("could not find an unused temp file name")
}

// syncDir makes a rename or remove in dir durable: without it a power loss
// can bring back the old directory entry.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced there; rename is durable
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("flushing %s to disk: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("flushing %s to disk: %w", dir, err)
	}
	return nil
}

// shellQuote quotes s for a copy-pasted shell command when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
