package policy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    Config // Path is filled in by the test
		wantErr []string
	}{
		{name: "empty file", content: ""},
		{
			name: "every key, workspace as a string",
			content: `issuer = "https://id.example"
cli_auth_credentials_store = "keyring"
forced_login_method = "account"
forced_workspace_id = "ws_1"
`,
			want: Config{Issuer: "https://id.example", CredentialsStore: StoreKeyring, Forced: &Requirements{
				LoginMethod: Forced{Value: MethodAccount, Source: "PATH"},
				Workspaces:  ForcedList{Values: []string{"ws_1"}, Source: "PATH"},
			}},
		},
		{
			name:    "workspaces as a list, duplicates folded",
			content: `forced_workspace_id = ["ws_1", "ws_2", "ws_1"]`,
			want: Config{Forced: &Requirements{
				Workspaces: ForcedList{Values: []string{"ws_1", "ws_2"}, Source: "PATH"},
			}},
		},
		{name: "unknown key", content: "isuer = \"https://id.example\"\n", wantErr: []string{"PATH", `unknown key "isuer"`, "check the spelling"}},
		{name: "two unknown keys", content: "b = 1\na = 2\n", wantErr: []string{`unknown keys "a", "b"`}},
		{name: "unknown table", content: "[login]\nmethod = \"api\"\n", wantErr: []string{`unknown key "login"`}},
		{name: "issuer not a string", content: "issuer = 42", wantErr: []string{"PATH: issuer must be a string, not a number"}},
		{name: "bad store", content: `cli_auth_credentials_store = "vault"`, wantErr: []string{`cli_auth_credentials_store = "vault" is not one of "file", "keyring", "auto"`}},
		{name: "bad method", content: `forced_login_method = "chatgpt"`, wantErr: []string{`forced_login_method = "chatgpt" is not one of "account", "api"`}},
		{name: "workspace a number", content: `forced_workspace_id = 7`, wantErr: []string{"forced_workspace_id must be a string or a list of strings, not a number"}},
		{name: "workspace list of mixed", content: `forced_workspace_id = ["ws_1", true]`, wantErr: []string{"forced_workspace_id[1] must be a non-empty string, not a boolean"}},
		{name: "workspace empty string", content: `forced_workspace_id = [""]`, wantErr: []string{"forced_workspace_id[0] must be a non-empty string, not an empty string"}},
		{name: "workspace empty list", content: `forced_workspace_id = []`, wantErr: []string{"forced_workspace_id is an empty list", "remove the key"}},
		{name: "bad TOML", content: "issuer = \n", wantErr: []string{"PATH:1:", "is not valid TOML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "config.toml", tt.content)
			got, err := LoadConfig(path)
			if len(tt.wantErr) > 0 {
				checkErr(t, err, withPath(tt.wantErr, path))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Path = path
			if tt.want.Forced == nil {
				tt.want.Forced = &Requirements{}
			}
			fillSources(tt.want.Forced, path)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadConfigMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	got, err := LoadConfig(path)
	if err != nil || !reflect.DeepEqual(got, Config{Path: path}) {
		t.Fatalf("LoadConfig(missing) = %+v, %v; want the zero config", got, err)
	}
}

func TestLoadRequirements(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    *Requirements
		wantErr []string
	}{
		{
			name: "every key",
			content: `forced_login_method = "api"
forced_workspace_id = ["ws_1", "ws_2"]
issuer = "https://id.example"
`,
			want: &Requirements{
				LoginMethod: Forced{Value: MethodAPI, Source: "PATH"},
				Issuer:      Forced{Value: "https://id.example", Source: "PATH"},
				Workspaces:  ForcedList{Values: []string{"ws_1", "ws_2"}, Source: "PATH"},
			},
		},
		{name: "empty", content: "", want: &Requirements{}},
		{name: "user-only key refused", content: `cli_auth_credentials_store = "file"`, wantErr: []string{`unknown key "cli_auth_credentials_store"`}},
		{name: "typo refused", content: `forced_workspace = "ws_1"`, wantErr: []string{"PATH", `unknown key "forced_workspace"`}},
		{name: "method as list", content: `forced_login_method = ["api"]`, wantErr: []string{"forced_login_method must be a string, not a list"}},
		{name: "workspace as table", content: "[forced_workspace_id]\nid = \"ws_1\"\n", wantErr: []string{"not a table"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "requirements.toml", tt.content)
			got, err := LoadRequirements(path)
			if len(tt.wantErr) > 0 {
				checkErr(t, err, withPath(tt.wantErr, path))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fillSources(tt.want, path)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadRequirementsMissingAndUnreadable(t *testing.T) {
	dir := t.TempDir()
	r, err := LoadRequirements(filepath.Join(dir, "absent.toml"))
	if err != nil || !reflect.DeepEqual(r, &Requirements{}) {
		t.Fatalf("missing file: got %+v, %v; want no requirements", r, err)
	}
	// A directory cannot be read as a file: the file exists but is
	// unreadable, which must fail closed rather than force nothing.
	if _, err := LoadRequirements(dir); err == nil {
		t.Fatal("unreadable requirements: got no error")
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, flag, env, file, want string
	}{
		{"flag wins", "https://flag", "https://env", "https://file", "https://flag"},
		{"env over file", "", "https://env", "https://file", "https://env"},
		{"file last", "", "", "https://file", "https://file"},
		{"nothing", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WARD_TEST_SETTING", tt.env)
			if got := Resolve(tt.flag, "WARD_TEST_SETTING", tt.file); got != tt.want {
				t.Errorf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHomeAndRequirementsPath(t *testing.T) {
	t.Setenv("WARD_HOME", "/tmp/wardhome")
	if h, err := Home(); err != nil || h != "/tmp/wardhome" {
		t.Errorf("Home() = %q, %v; want $WARD_HOME", h, err)
	}
	t.Setenv("WARD_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if h, err := Home(); err != nil || h != "/home/someone/.ward" {
		t.Errorf("Home() = %q, %v; want ~/.ward", h, err)
	}

	t.Setenv("WARD_REQUIREMENTS_PATH", "")
	if p := RequirementsPath(); p != DefaultRequirementsPath {
		t.Errorf("RequirementsPath() = %q, want %q", p, DefaultRequirementsPath)
	}
	t.Setenv("WARD_REQUIREMENTS_PATH", "/opt/ward/req.toml")
	if p := RequirementsPath(); p != "/opt/ward/req.toml" {
		t.Errorf("RequirementsPath() = %q, want the override", p)
	}
}

// fillSources replaces the placeholder source "PATH" with the real path.
func fillSources(r *Requirements, path string) {
	for _, s := range []*string{&r.LoginMethod.Source, &r.Issuer.Source, &r.Workspaces.Source} {
		*s = strings.ReplaceAll(*s, "PATH", path)
	}
}

// withPath replaces the placeholder "PATH" in fragments with path.
func withPath(fragments []string, path string) []string {
	out := make([]string, len(fragments))
	for i, f := range fragments {
		out[i] = strings.ReplaceAll(f, "PATH", path)
	}
	return out
}
