// Package credstore keeps what a Ward login leaves behind: tokens or an API
// key, in the operating system's keyring or in $WARD_HOME/auth.json.
//
// It is the credential store of the ward CLI and is meant to be importable by
// any Go command-line tool that logs in to a Ward server, so it depends on
// nothing inside Ward's internal packages. The on-disk and in-keyring format is
// documented in docs/credentials.md; change both together.
//
// Three stores implement [Store]:
//
//   - [File] writes auth.json atomically (temp file, fsync, rename) with mode
//     0600 in a 0700 directory and refuses to touch a file it does not
//     recognise as Ward's unless told to.
//   - [Keyring] keeps the same JSON document in the system keyring (Secret
//     Service on Linux, Keychain on macOS, Credential Manager on Windows), with
//     a timeout on every call because keyrings hang when a prompt is stuck.
//   - [Auto] uses the keyring when there is one and otherwise falls back to the
//     file, warning once, before anything is written in plain text.
//
// [Open] picks one from the cli_auth_credentials_store setting. [Lock] is the
// cross-process lock that a token refresher holds across read-refresh-write.
package credstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// FormatVersion is the version written in every stored document. A reader
// refuses any other version rather than guess, so a future format change can
// migrate explicitly.
const FormatVersion = 1

// Auth modes.
const (
	AuthModeAccount = "account" // logged in as an account: Tokens is set
	AuthModeAPIKey  = "api_key" // logged in with a platform API key: APIKey is set
)

// Credentials is what a login leaves behind. Exactly one of Tokens or APIKey is set.
type Credentials struct {
	Issuer           string    `json:"issuer"`
	ClientID         string    `json:"client_id,omitempty"`
	AuthMode         string    `json:"auth_mode"` // "account" or "api_key"
	Tokens           *Tokens   `json:"tokens,omitempty"`
	APIKey           string    `json:"api_key,omitempty"`
	AccountID        string    `json:"account_id,omitempty"`
	Email            string    `json:"email,omitempty"`
	WorkspaceID      string    `json:"workspace_id,omitempty"`
	SessionExpiresAt time.Time `json:"session_expires_at,omitzero"`
	LastRefresh      time.Time `json:"last_refresh,omitzero"`
}

// Tokens are the OAuth tokens of an account login.
type Tokens struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	IDToken      string    `json:"id_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Store keeps one set of credentials.
type Store interface {
	// Load returns the stored credentials, or an error wrapping ErrNotFound
	// when there are none.
	Load() (*Credentials, error)
	// Save replaces the stored credentials.
	Save(*Credentials) error
	// Delete removes the stored credentials; ErrNotFound when there were none.
	Delete() error
	// Name says where credentials go ("file", "keyring", "auto"), for status
	// output and messages.
	Name() string
}

// ErrNotFound means no credentials are stored: the user is not logged in.
var ErrNotFound = errors.New("no Ward credentials are stored")

// ErrCorrupt is wrapped by every error about stored data that is not valid
// Ward credentials (bad JSON, another program's file, an unknown version).
var ErrCorrupt = errors.New("stored credentials are not valid Ward credentials")

// CorruptError describes stored data that cannot be read as Ward credentials.
type CorruptError struct {
	Where   string // the file path or keyring entry
	Reason  string // what is wrong, for a person
	Foreign bool   // valid JSON that is not Ward's (another tool's file)
	Err     error  // the parse error, if any
}

func (e *CorruptError) Error() string {
	what := "is corrupt"
	if e.Foreign {
		what = "does not hold Ward credentials"
	}
	return fmt.Sprintf("%s %s: %s; run `ward logout` to remove it and log in again, or fix it by hand (format: docs/credentials.md)",
		e.Where, what, e.Reason)
}

func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// document is the stored JSON: the credentials with a format version in front.
type document struct {
	Version *int `json:"version"`
	Credentials
}

// encode validates c and returns the stored JSON document.
func encode(c *Credentials) ([]byte, error) {
	if c == nil {
		return nil, errors.New("credstore: cannot save nil credentials")
	}
	if err := validate(c); err != nil {
		return nil, fmt.Errorf("credstore: refusing to save invalid credentials: %s", err)
	}
	v := FormatVersion
	b, err := json.MarshalIndent(document{Version: &v, Credentials: *c}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("credstore: encoding credentials: %w", err)
	}
	return append(b, '\n'), nil
}

// decode parses a stored document; where names its location in errors.
func decode(data []byte, where string) (*Credentials, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &CorruptError{Where: where, Reason: "it is not valid JSON (" + err.Error() + ")", Err: err}
	}
	if _, ok := raw["version"]; !ok {
		return nil, &CorruptError{Where: where, Foreign: true,
			Reason: `it has no "version" field, so it was probably written by another program`}
	}
	var d document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&d); err != nil {
		return nil, &CorruptError{Where: where, Reason: "a field has the wrong type (" + err.Error() + ")", Err: err}
	}
	if d.Version == nil || *d.Version != FormatVersion {
		return nil, &CorruptError{Where: where, Foreign: d.Version == nil,
			Reason: fmt.Sprintf("format version %s is not %d, the only one this build of Ward reads (a newer Ward may have written it)",
				string(raw["version"]), FormatVersion)}
	}
	if err := validate(&d.Credentials); err != nil {
		return nil, &CorruptError{Where: where, Foreign: d.AuthMode != AuthModeAccount && d.AuthMode != AuthModeAPIKey,
			Reason: err.Error()}
	}
	return &d.Credentials, nil
}

// validate checks the invariants every stored document keeps.
func validate(c *Credentials) error {
	if c.Issuer == "" {
		return errors.New(`"issuer" is empty`)
	}
	switch c.AuthMode {
	case AuthModeAccount:
		if c.Tokens == nil || c.Tokens.AccessToken == "" {
			return errors.New(`"auth_mode" is "account" but "tokens.access_token" is missing`)
		}
		if c.APIKey != "" {
			return errors.New(`"auth_mode" is "account" but "api_key" is also set`)
		}
	case AuthModeAPIKey:
		if c.APIKey == "" {
			return errors.New(`"auth_mode" is "api_key" but "api_key" is empty`)
		}
		if c.Tokens != nil {
			return errors.New(`"auth_mode" is "api_key" but "tokens" is also set`)
		}
	default:
		return fmt.Errorf(`"auth_mode" is %q; Ward writes only %q or %q`, c.AuthMode, AuthModeAccount, AuthModeAPIKey)
	}
	return nil
}

// Mask hides a secret for display: the first 8 and last 5 characters with
// "***" between, enough to tell two keys apart without revealing either. A
// secret shorter than 24 characters would show too much of itself that way,
// so it is masked entirely.
func Mask(secret string) string {
	r := []rune(secret)
	if len(r) < 24 {
		return "***"
	}
	return string(r[:8]) + "***" + string(r[len(r)-5:])
}

// Home returns the Ward CLI home: $WARD_HOME, or ~/.ward when it is unset.
func Home() (string, error) {
	if h := os.Getenv("WARD_HOME"); h != "" {
		return h, nil
	}
	u, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the Ward home directory: %w; set WARD_HOME to a directory of your own", err)
	}
	return filepath.Join(u, ".ward"), nil
}
