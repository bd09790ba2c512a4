package policy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"
)

// File names and locations.
const (
	// ConfigFile is the user's config, in the CLI home.
	ConfigFile = "config.toml"
	// CacheFile holds the issuer's last fetched requirements, in the CLI home.
	CacheFile = "requirements-cache.json"
	// DefaultRequirementsPath is where administrators install managed requirements.
	DefaultRequirementsPath = "/etc/ward/requirements.toml"
)

// Credential store choices for cli_auth_credentials_store.
const (
	StoreFile    = "file"
	StoreKeyring = "keyring"
	StoreAuto    = "auto"
)

// Config is the user's config.toml.
type Config struct {
	// Path is the file it was read from, for messages.
	Path string
	// Issuer is the issuer URL to log in to.
	Issuer string
	// CredentialsStore is StoreFile, StoreKeyring, StoreAuto, or empty
	// when the file does not say.
	CredentialsStore string
	// Forced holds the user's own forced_login_method and
	// forced_workspace_id. They bind only until a managed requirement
	// disagrees (see Enforce).
	Forced *Requirements
}

// Home returns the CLI home directory: $WARD_HOME, else ~/.ward.
func Home() (string, error) {
	if h := os.Getenv("WARD_HOME"); h != "" {
		return h, nil
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the Ward home directory: %w; set WARD_HOME to a directory Ward may use", err)
	}
	return filepath.Join(dir, ".ward"), nil
}

// RequirementsPath returns where managed requirements are read from:
// $WARD_REQUIREMENTS_PATH, else DefaultRequirementsPath. The variable exists
// for administrators who install the file elsewhere and for tests; it is not
// a way for users to escape the rules, since a user who can set it could as
// well run a build of the CLI without them.
func RequirementsPath() string {
	if p := os.Getenv("WARD_REQUIREMENTS_PATH"); p != "" {
		return p
	}
	return DefaultRequirementsPath
}

// Resolve picks a setting by Ward's precedence: the flag when given, else
// the environment variable envName when set, else the config file's value.
func Resolve(flag, envName, fileValue string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv(envName); v != "" {
		return v
	}
	return fileValue
}

// LoadConfig reads the user's config.toml at path. A missing file is an
// empty config; an unknown key is an error, so a typo is not silently ignored.
func LoadConfig(path string) (Config, error) {
	f, err := readTOML(path)
	if err != nil {
		return Config{}, err
	}
	if f.m == nil {
		return Config{Path: path}, nil
	}
	if err := f.checkKeys(keyIssuer, keyStore, keyMethod, keyWorkspaces); err != nil {
		return Config{}, err
	}
	store, err := f.str(keyStore, StoreFile, StoreKeyring, StoreAuto)
	if err != nil {
		return Config{}, err
	}
	forced, err := f.requirements()
	if err != nil {
		return Config{}, err
	}
	// The issuer in config.toml is a default, not a pin: it belongs to
	// Config, and only managed requirements can pin one.
	cfg := Config{Path: path, Issuer: forced.Issuer.Value, CredentialsStore: store, Forced: forced}
	forced.Issuer = Forced{}
	return cfg, nil
}

// LoadRequirements reads managed requirements at path. A missing file
// forces nothing. Any other failure to read it is an error rather than
// "no requirements": the file exists to restrict, so it fails closed.
func LoadRequirements(path string) (*Requirements, error) {
	f, err := readTOML(path)
	if err != nil {
		return nil, err
	}
	if f.m == nil {
		return &Requirements{}, nil
	}
	if err := f.checkKeys(keyMethod, keyWorkspaces, keyIssuer); err != nil {
		return nil, err
	}
	return f.requirements()
}

// readTOML decodes the TOML file at path; a missing file gives fields with
// a nil map.
func readTOML(path string) (fields, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fields{where: path}, nil
	}
	if err != nil {
		return fields{}, fmt.Errorf("reading %s: %w", path, err)
	}
	m := map[string]any{}
	if err := toml.Unmarshal(data, &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return fields{}, fmt.Errorf("%s:%d:%d is not valid TOML (%w); fix the file", path, row, col, err)
		}
		return fields{}, fmt.Errorf("%s is not valid TOML (%w); fix the file", path, err)
	}
	return fields{where: path, m: m}, nil
}
