package testserver

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
)

// Loopback is the redirect a CLI's listener would have. Nothing listens on
// it: tests stop at the redirect and read the code from it, as the listener
// would.
const Loopback = "http://127.0.0.1:49152/callback"

// SignUp creates an account with a software passkey and returns a
// browser-like client signed in to it. The client follows redirects within
// the server and stops at one leaving it (to the CLI's loopback listener).
func (s *Server) SignUp(t testing.TB, email string) *softauthn.Client {
	t.Helper()
	user := softauthn.NewClient(s.URL, softauthn.New())
	if _, err := user.SignUp(context.Background(), email, strings.Split(email, "@")[0]); err != nil {
		t.Fatalf("sign-up: %v", err)
	}
	host := strings.TrimPrefix(s.URL, "http://")
	user.HTTP.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if r.URL.Host != host {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return user
}

// CLIConfig is the OAuth configuration of the Ward CLI for this server.
func (s *Server) CLIConfig() *oauth2.Config {
	return &oauth2.Config{
		ClientID: "ward-cli",
		Endpoint: oauth2.Endpoint{
			AuthURL:       s.URL + "/authorize",
			TokenURL:      s.URL + "/oauth/token",
			DeviceAuthURL: s.URL + "/oauth/device_authorization",
			AuthStyle:     oauth2.AuthStyleInParams,
		},
		RedirectURL: Loopback,
		Scopes:      []string{"openid", "email", "offline_access"},
	}
}

// Authorize opens authURL in the signed-in client and returns where the
// server finally redirected.
func Authorize(t testing.TB, user *softauthn.Client, authURL string) *url.URL {
	t.Helper()
	resp, err := user.HTTP.Get(authURL)
	if err != nil {
		t.Fatalf("GET %s: %v", authURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("authorize answered %s, not a redirect: %s", resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Code runs the authorization for verifier and returns the code.
func Code(t testing.TB, user *softauthn.Client, conf *oauth2.Config, verifier string) string {
	t.Helper()
	loc := Authorize(t, user, conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier)))
	q := loc.Query()
	if q.Get("error") != "" || q.Get("code") == "" || q.Get("state") != "st4te" {
		t.Fatalf("redirect %s: want a code and the state back", loc)
	}
	return q.Get("code")
}

// Login runs the whole browser flow with PKCE and returns the tokens.
func Login(t testing.TB, user *softauthn.Client, conf *oauth2.Config) *oauth2.Token {
	t.Helper()
	v := oauth2.GenerateVerifier()
	tok, err := conf.Exchange(context.Background(), Code(t, user, conf, v), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	return tok
}

// Me calls GET /v1/me with an access token and returns the status and the
// decoded body.
func Me(t testing.TB, issuer, access string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", issuer+"/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
