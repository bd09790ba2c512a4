package login_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardauth/ward/internal/cmd/cmdtest"
	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server"
)

func me(t *testing.T, issuer, token string) int {
	t.Helper()
	status, _ := testserver.Me(t, issuer, token)
	return status
}

// A person's day with the CLI: browser login, status, token, api, run,
// logout (revoked at the server), and status saying so.
func TestBrowserLoginToLogout(t *testing.T) {
	e := cmdtest.New(t)
	r := e.Must(t, "", "login", "--port", cmdtest.FreePort(t))
	if r.Stdout != "" || !strings.Contains(r.Stderr, "Logged in to "+e.Srv.URL+" as sam@example.com") {
		t.Errorf("login printed stdout %q, stderr %q", r.Stdout, r.Stderr)
	}
	info, err := os.Stat(filepath.Join(e.Home, "auth.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("auth.json: %v, mode %v; want 0600", err, info.Mode())
	}

	r = e.Must(t, "", "login", "status", "--json")
	var st struct {
		LoggedIn bool       `json:"logged_in"`
		Email    string     `json:"email"`
		Mode     string     `json:"auth_mode"`
		Store    string     `json:"credential_store"`
		Session  *time.Time `json:"session_expires_at"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil || !st.LoggedIn || st.Email != "sam@example.com" || st.Mode != "account" || st.Store != "file" ||
		st.Session == nil || time.Until(*st.Session) < 29*24*time.Hour {
		t.Errorf("status --json = %s (%v)", r.Stdout, err)
	}
	if r = e.Must(t, "", "login", "status"); r.Stdout != "" || !strings.Contains(r.Stderr, "Credential store: file") {
		t.Errorf("human status went to stdout %q / stderr %q", r.Stdout, r.Stderr)
	}

	r = e.Must(t, "", "token")
	tok := strings.TrimSpace(r.Stdout)
	if strings.Count(r.Stdout, "\n") != 1 || r.Stderr != "" || me(t, e.Srv.URL, tok) != 200 {
		t.Fatalf("token printed %q (stderr %q)", r.Stdout, r.Stderr)
	}

	r = e.Must(t, "", "api", "/v1/me")
	if !strings.Contains(r.Stdout, `"email":"sam@example.com"`) {
		t.Errorf("api /v1/me printed %q", r.Stdout)
	}
	if r = e.Run(t, "", "api", "/v1/nothing"); r.Exit != 1 {
		t.Errorf("a 404 exited %d", r.Exit)
	}

	r = e.Must(t, "", "run", "--", "sh", "-c", `printf %s "$WARD_ACCESS_TOKEN"`)
	if me(t, e.Srv.URL, r.Stdout) != 200 {
		t.Errorf("run passed WARD_ACCESS_TOKEN=%q", r.Stdout)
	}
	if r = e.Run(t, "", "run", "--", "sh", "-c", "exit 7"); r.Exit != 7 {
		t.Errorf("run exited %d for a child that exited 7", r.Exit)
	}

	r = e.Must(t, "", "logout")
	if !strings.Contains(r.Stderr, "Revoked the login") {
		t.Errorf("logout said %q", r.Stderr)
	}
	if me(t, e.Srv.URL, tok) != 401 {
		t.Error("the access token still works after logout: the login was not revoked at the server")
	}
	if _, err := os.Stat(filepath.Join(e.Home, "auth.json")); !os.IsNotExist(err) {
		t.Errorf("auth.json survived logout: %v", err)
	}
	if r = e.Run(t, "", "login", "status"); r.Exit != 4 {
		t.Errorf("status after logout exited %d, want 4", r.Exit)
	}
	if r = e.Run(t, "", "token"); r.Exit != 4 || !strings.Contains(r.Stderr, "ward login") {
		t.Errorf("token after logout: exit %d, %q", r.Exit, r.Stderr)
	}
	if r = e.Must(t, "", "logout"); !strings.Contains(r.Stderr, "Not logged in") {
		t.Errorf("a second logout said %q", r.Stderr)
	}
}

// `ward login --device-auth`: the code is shown, approved by the person in
// their browser, and the CLI is logged in.
func TestDeviceLogin(t *testing.T) {
	e := cmdtest.New(t)
	delete(e.Env, "DISPLAY") // a headless machine
	codeRE := regexp.MustCompile(`\b([B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4})\b`)
	var once sync.Once
	r := e.RunWatching(t, "", func(stderr string) {
		if m := codeRE.FindStringSubmatch(stderr); m != nil {
			once.Do(func() { go approve(t, e, m[1]) })
		}
	}, "login", "--device-auth")
	if r.Exit != 0 {
		t.Fatalf("device login exited %d: %s", r.Exit, r.Stderr)
	}
	for _, want := range []string{e.Srv.URL + "/device", "Only continue if you started this login yourself", "█", "Logged in"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("device login output lacks %q:\n%s", want, r.Stderr)
		}
	}
	tok := strings.TrimSpace(e.Must(t, "", "token").Stdout)
	if me(t, e.Srv.URL, tok) != 200 {
		t.Error("the device login's token is refused")
	}
}

func approve(t *testing.T, e *cmdtest.Env, code string) {
	csrf, err := e.User.CSRF(context.Background())
	if err != nil {
		t.Error(err)
		return
	}
	form := url.Values{"csrf": {csrf}, "user_code": {code}, "decision": {"approve"}}
	req, _ := http.NewRequest("POST", e.Srv.URL+"/device/decide", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.Srv.URL)
	resp, err := e.User.HTTP.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("approving %s: %v", code, err)
		return
	}
	resp.Body.Close()
}

// Without a display, the browser login says so at once and points to the
// device flow instead of waiting for a browser that will never come.
func TestHeadlessBrowserLogin(t *testing.T) {
	e := cmdtest.New(t)
	delete(e.Env, "DISPLAY")
	e.Env["SSH_CONNECTION"] = "10.0.0.1 5555 10.0.0.2 22"
	r := e.Run(t, "", "login")
	if r.Exit != 1 || !strings.Contains(r.Stderr, "SSH session") || !strings.Contains(r.Stderr, "--device-auth") {
		t.Fatalf("headless login: exit %d, %q", r.Exit, r.Stderr)
	}
}

func TestAPIKeyLogin(t *testing.T) {
	e := cmdtest.New(t)
	key := secret.New(secret.APIKey)
	e.Must(t, "  "+key+"\n", "login", "--with-api-key")
	r := e.Must(t, "", "login", "status")
	masked := key[:8] + "***" + key[len(key)-5:]
	if !strings.Contains(r.Stderr, masked) || strings.Contains(r.Stderr+r.Stdout, key) {
		t.Errorf("status shows %q; want the masked key %s and never the key", r.Stderr, masked)
	}
	if r := e.Must(t, "", "token"); strings.TrimSpace(r.Stdout) != key {
		t.Errorf("token with an API key login printed %q", r.Stdout)
	}

	typo := key[:10] + string("ab"[strings.IndexByte("ab", key[10])+1&1]) + key[11:]
	if r := e.Run(t, typo, "login", "--with-api-key"); r.Exit != 1 || !strings.Contains(r.Stderr, "checksum") {
		t.Errorf("a mistyped key: exit %d, %q", r.Exit, r.Stderr)
	}

	e.Env["WARD_API_KEY"] = key
	if r := e.Run(t, "", "login"); r.Exit != 1 || !strings.Contains(r.Stderr, "WARD_API_KEY is set") {
		t.Errorf("login with WARD_API_KEY set: exit %d, %q", r.Exit, r.Stderr)
	}
	if r := e.Must(t, "", "login", "status", "--json"); !strings.Contains(r.Stdout, `"api_key_env"`) {
		t.Errorf("status with WARD_API_KEY: %s", r.Stdout)
	}
}

// A managed requirements file decides which login methods exist; the
// refusal names the file.
func TestForcedLoginMethod(t *testing.T) {
	e := cmdtest.New(t)
	e.Requirements(t, "forced_login_method = \"api\"\n")
	r := e.Run(t, "", "login")
	if r.Exit != 1 || !strings.Contains(r.Stderr, e.Env["WARD_REQUIREMENTS_PATH"]) {
		t.Fatalf("account login under forced api: exit %d, %q", r.Exit, r.Stderr)
	}
	e.Must(t, secret.New(secret.APIKey), "login", "--with-api-key")
}

func TestUsageErrors(t *testing.T) {
	e := cmdtest.New(t)
	if r := e.Run(t, "", "login", "--device-auth", "--with-api-key"); r.Exit != 2 {
		t.Errorf("conflicting flags exited %d: %s", r.Exit, r.Stderr)
	}
	if r := e.Run(t, "", "login", "--nope"); r.Exit != 2 {
		t.Errorf("an unknown flag exited %d", r.Exit)
	}
}

// Credentials of a kind the requirements forbid are removed when found,
// with a message saying why.
func TestForbiddenCredentialsRemoved(t *testing.T) {
	e := cmdtest.New(t)
	e.Must(t, secret.New(secret.APIKey), "login", "--with-api-key")
	e.Requirements(t, "forced_login_method = \"account\"\n")
	r := e.Run(t, "", "token")
	if r.Exit != 4 || !strings.Contains(r.Stderr, "Removed the stored credentials") || !strings.Contains(r.Stderr, e.Env["WARD_REQUIREMENTS_PATH"]) {
		t.Fatalf("token with a forbidden API key login: exit %d, %q", r.Exit, r.Stderr)
	}
	if _, err := os.Stat(filepath.Join(e.Home, "auth.json")); !os.IsNotExist(err) {
		t.Errorf("the forbidden credentials are still stored: %v", err)
	}
}

// The server publishes its own requirements; ward login obeys them as well
// as the machine's, and keeps a copy for when the server is unreachable.
func TestServerRequirements(t *testing.T) {
	reqs := filepath.Join(t.TempDir(), "server-requirements.toml")
	if err := os.WriteFile(reqs, []byte("forced_login_method = \"api\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := cmdtest.New(t, func(c *server.Config) { c.Requirements = reqs })
	r := e.Run(t, "", "login")
	if r.Exit != 1 || !strings.Contains(r.Stderr, "ward-requirements") {
		t.Fatalf("account login against a server forcing api keys: exit %d, %q", r.Exit, r.Stderr)
	}
	if _, err := os.Stat(filepath.Join(e.Home, "requirements-cache.json")); err != nil {
		t.Errorf("the server's requirements were not cached: %v", err)
	}
	e.Must(t, secret.New(secret.APIKey), "login", "--with-api-key")
}
