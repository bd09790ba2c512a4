package oidc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/wardauth/ward/internal/softauthn"
	"github.com/wardauth/ward/internal/testserver"
	"github.com/wardauth/ward/server/store"
)

const loopback = testserver.Loopback

// env is a running server with a signed-up person in a browser-like client.
type env struct {
	srv  *testserver.Server
	user *softauthn.Client
	conf *oauth2.Config
}

func newEnv(t *testing.T, st store.Store) *env {
	t.Helper()
	srv := testserver.Start(t, st, testserver.NewClock())
	return &env{srv: srv, user: srv.SignUp(t, "ada@example.com"), conf: srv.CLIConfig()}
}

func (e *env) authorize(t *testing.T, authURL string) *url.URL {
	return testserver.Authorize(t, e.user, authURL)
}

func (e *env) code(t *testing.T, verifier string) string {
	return testserver.Code(t, e.user, e.conf, verifier)
}

func (e *env) login(t *testing.T) *oauth2.Token { return testserver.Login(t, e.user, e.conf) }

// oauthError is an RFC 6749 error response.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
	status      int
}

// postForm posts to an endpoint and decodes an RFC 6749 error, if any.
func postForm(t *testing.T, endpoint string, form url.Values) (map[string]any, *oauthError) {
	t.Helper()
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); len(body) > 0 && !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s answered %s with Content-Type %q, not JSON: %s", endpoint, resp.Status, ct, body)
	}
	if resp.StatusCode != http.StatusOK {
		var e oauthError
		if err := json.Unmarshal(body, &e); err != nil || e.Code == "" {
			t.Fatalf("%s answered %s without an RFC 6749 error: %s", endpoint, resp.Status, body)
		}
		e.status = resp.StatusCode
		return nil, &e
	}
	out := map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v: %s", endpoint, err, body)
		}
	}
	return out, nil
}

func wantError(t *testing.T, e *oauthError, code, descContains string) {
	t.Helper()
	if e == nil {
		t.Fatalf("the request succeeded; want error %s", code)
	}
	if e.Code != code || !strings.Contains(e.Description, descContains) {
		t.Fatalf("error %s (%q), want %s containing %q", e.Code, e.Description, code, descContains)
	}
}

func refreshForm(token string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {"ward-cli"}}
}

func me(t *testing.T, issuer, access string) (int, map[string]any) {
	return testserver.Me(t, issuer, access)
}

func mustMe(t *testing.T, issuer, access string) map[string]any {
	t.Helper()
	status, body := me(t, issuer, access)
	if status != http.StatusOK {
		t.Fatalf("/v1/me answered %d: %v", status, body)
	}
	return body
}

func wantMeRefused(t *testing.T, issuer, access, why string) {
	t.Helper()
	if status, body := me(t, issuer, access); status != http.StatusUnauthorized {
		t.Fatalf("%s: /v1/me answered %d %v; want 401", why, status, body)
	}
}

// decideDevice submits the approval page's form as the signed-in person.
func (e *env) decideDevice(t *testing.T, userCode, decision string) int {
	t.Helper()
	status, _ := e.submit(t, "/device/decide", url.Values{"user_code": {userCode}, "decision": {decision}})
	return status
}

// submit posts a page's form as the signed-in person's browser would, with
// the Origin header and the CSRF token, and returns the status and page.
func (e *env) submit(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	csrf, err := e.user.CSRF(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	form.Set("csrf", csrf)
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	resp, err := e.user.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }
