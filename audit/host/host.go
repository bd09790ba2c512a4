// Package host audits a machine's own credential hygiene (`ward audit
// --host`): CLI credential files readable by others or kept in plain text
// where a keyring exists, credentials synced into backup and dotfile
// folders, and keys typed into shell history.
package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/tree"
)

// Machine describes whose machine is audited.
type Machine struct {
	Home     string // the user's home directory
	WardHome string // $WARD_HOME, default Home/.ward
	// KeyringAvailable says a Secret Service or OS keychain is there, so
	// credentials in plain files are a choice that could be avoided.
	KeyringAvailable bool
}

// credentialFiles are CLI credential files that are legitimately on disk
// but must be private.
func (m Machine) credentialFiles() []string {
	ward := m.WardHome
	if ward == "" {
		ward = filepath.Join(m.Home, ".ward")
	}
	return []string{filepath.Join(ward, "auth.json"), filepath.Join(m.Home, ".codex", "auth.json")}
}

// syncFolders are where files leave the machine: cloud drives, sync tools
// and dotfile repositories.
var syncFolders = []string{
	"Dropbox", "OneDrive", "Google Drive", "GoogleDrive", "Nextcloud", "ownCloud", "Sync", "Box",
	"Library/Mobile Documents/com~apple~CloudDocs", ".dotfiles", "dotfiles",
}

// histories are shell and REPL history files, where a key pasted on a
// command line stays.
var histories = []string{
	".bash_history", ".zsh_history", ".local/share/fish/fish_history", ".sh_history",
	".python_history", ".node_repl_history", ".psql_history", ".mysql_history",
}

// Posture reports the credential files that are readable by others, or
// in plain text while a keyring is available. Rules "credential-file-
// permissions" and "plaintext-credentials"; the fingerprint is the file's
// path, since no secret is shown.
func (m Machine) Posture() []audit.Finding {
	var out []audit.Finding
	for _, p := range m.credentialFiles() {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			out = append(out, audit.Finding{
				Rule:        "credential-file-permissions",
				Description: fmt.Sprintf("credential file readable by others (mode %04o); fix: chmod 600 %s", fi.Mode().Perm(), p),
				Location:    audit.Location{Path: p}, Fingerprint: audit.Fingerprint(p), Redacted: "-",
			})
		}
		if m.KeyringAvailable {
			out = append(out, audit.Finding{
				Rule:        "plaintext-credentials",
				Description: "credentials in a plain file although a keyring is available; move them there (for ward: cli_auth_credentials_store = \"keyring\")",
				Location:    audit.Location{Path: p}, Fingerprint: audit.Fingerprint("plain:" + p), Redacted: "-",
			})
		}
	}
	return out
}

// Sources are the places whose contents are scanned for credentials: the
// sync folders and the history files that exist.
func (m Machine) Sources() []audit.Source {
	var out []audit.Source
	for _, d := range syncFolders {
		p := filepath.Join(m.Home, d)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			out = append(out, &tree.Dir{Root: p})
		}
	}
	var files []string
	for _, h := range histories {
		p := filepath.Join(m.Home, h)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
		}
	}
	if len(files) > 0 {
		out = append(out, fileList(files))
	}
	return out
}

// fileList is a Source of named files.
type fileList []string

func (l fileList) Items(ctx context.Context, yield func(*audit.Item) bool) error {
	for _, p := range l {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return fmt.Errorf("reading %s: %w", p, err)
		}
		if !yield(&audit.Item{Location: audit.Location{Path: p}, Data: data}) {
			return nil
		}
	}
	return nil
}
