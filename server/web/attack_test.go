package web_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardauth/ward/internal/browsertest"
	"github.com/wardauth/ward/internal/softauthn"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

// These tests attack the pages and API over plain HTTP, as another site or
// a thief would, and check that Ward refuses.

// send posts body to path with the client's cookies and the given headers,
// and returns the response status.
func send(t *testing.T, c *softauthn.Client, path, contentType, body string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.Issuer+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// signedUp returns a client signed in to a new account on issuer.
func signedUp(t *testing.T, issuer string, a *softauthn.Authenticator, email string) *softauthn.Client {
	t.Helper()
	c := softauthn.NewClient(issuer, a)
	if _, err := c.SignUp(context.Background(), email, "Test Person"); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	return c
}

func csrf(t *testing.T, c *softauthn.Client) string {
	t.Helper()
	tok, err := c.CSRF(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestForgedPostsAreRefused(t *testing.T) {
	issuer := browsertest.ServeWeb(t, dbtest.SQLite(t))
	c := signedUp(t, issuer, softauthn.New(), "victim@example.com")
	token := csrf(t, c)
	const jsonType = "application/json"
	const formType = "application/x-www-form-urlencoded"

	cases := []struct {
		name        string
		path, ctype string
		body        string
		header      map[string]string
	}{
		{"API call without CSRF token", "/api/passkeys/begin", jsonType, `{}`,
			map[string]string{"Origin": issuer}},
		{"API call with a wrong CSRF token", "/api/passkeys/begin", jsonType, `{}`,
			map[string]string{"Origin": issuer, "X-CSRF-Token": "forged"}},
		{"API call from another origin", "/api/passkeys/begin", jsonType, `{}`,
			map[string]string{"Origin": "https://evil.example", "X-CSRF-Token": token}},
		{"API call without Origin", "/api/passkeys/begin", jsonType, `{}`,
			map[string]string{"X-CSRF-Token": token}},
		{"cross-site form post with Origin null", "/logout", formType, "csrf=" + token,
			map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}},
		{"form post without CSRF field", "/logout", formType, "",
			map[string]string{"Origin": issuer}},
		{"sign-up begin from another origin", "/api/signup/begin", jsonType, `{"email":"x@example.com","name":"X"}`,
			map[string]string{"Origin": "http://localhost:1", "X-CSRF-Token": token}},
	}
	for _, tc := range cases {
		if got := send(t, c, tc.path, tc.ctype, tc.body, tc.header); got != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, got)
		}
	}
	// The session survived every forged logout.
	if err := c.AddPasskey(context.Background(), softauthn.NewSecurityKey(), ""); err != nil {
		t.Errorf("after the forged posts the session no longer works: %v", err)
	}
}

func TestReplayedCeremonyIsRefused(t *testing.T) {
	ctx := context.Background()
	issuer := browsertest.ServeWeb(t, dbtest.SQLite(t))
	key := softauthn.New()
	c := softauthn.NewClient(issuer, key)

	b, err := c.Begin(ctx, "/api/signup/begin", map[string]string{"email": "r@example.com", "name": "R"})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := key.Create(issuer, b.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	f := softauthn.Finish{Ceremony: b.Ceremony, Credential: cred}
	if _, err := c.Finish(ctx, "/api/signup/finish", f); err != nil {
		t.Fatalf("first finish: %v", err)
	}
	wantCode(t, "replayed sign-up", errOf(c.Finish(ctx, "/api/signup/finish", f)), "ceremony_expired")

	b, err = c.Begin(ctx, "/api/login/begin", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := key.Get(issuer, b.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	f = softauthn.Finish{Ceremony: b.Ceremony, Credential: assertion}
	if _, err := c.Finish(ctx, "/api/login/finish", f); err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	wantCode(t, "replayed sign-in", errOf(c.Finish(ctx, "/api/login/finish", f)), "ceremony_expired")
}

func TestChallengeFromAnotherCeremonyIsRefused(t *testing.T) {
	ctx := context.Background()
	issuer := browsertest.ServeWeb(t, dbtest.SQLite(t))
	key := softauthn.New()
	c := signedUp(t, issuer, key, "x@example.com")

	first, err := c.Begin(ctx, "/api/login/begin", nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Begin(ctx, "/api/login/begin", nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := key.Get(issuer, second.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Finish(ctx, "/api/login/finish", softauthn.Finish{Ceremony: first.Ceremony, Credential: signed})
	wantCode(t, "sign-in answering another ceremony's challenge", err, "passkey_rejected")
	// Answering it used the first ceremony up; the second still works.
	if _, err := c.Finish(ctx, "/api/login/finish", softauthn.Finish{Ceremony: second.Ceremony, Credential: signed}); err != nil {
		t.Errorf("the genuine answer to the second ceremony: %v", err)
	}
}

func TestRemovedPasskeyCannotSignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		issuer := browsertest.ServeWeb(t, st)
		laptop := softauthn.New()
		c := signedUp(t, issuer, laptop, "lost@example.com")
		if err := c.AddPasskey(ctx, softauthn.NewSecurityKey(), "YubiKey"); err != nil {
			t.Fatal(err)
		}

		// The person removes the laptop's passkey after losing the laptop.
		id := base64.RawURLEncoding.EncodeToString(laptop.Credentials()[0].ID)
		form := url.Values{"id": {id}, "csrf": {csrf(t, c)}}.Encode()
		status := send(t, c, "/account/passkeys/remove", "application/x-www-form-urlencoded", form,
			map[string]string{"Origin": issuer})
		if status != http.StatusSeeOther && status != http.StatusOK {
			t.Fatalf("removing the passkey: status %d", status)
		}

		_, err := softauthn.NewClient(issuer, laptop).SignIn(ctx, "")
		wantCode(t, "sign-in with a removed passkey", err, "unknown_passkey")
	})
}

func TestSecurityHeaders(t *testing.T) {
	issuer := browsertest.ServeWeb(t, dbtest.SQLite(t))
	for _, path := range []string{"/login", "/signup", "/account", "/device", "/api/csrf", "/static/ward.js", "/nope"} {
		res, err := http.Get(issuer + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, got)
		}
		if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy = %q", path, got)
		}
	}
	res, err := http.Get(issuer + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("/login: Cache-Control = %q, want no-store", got)
	}
}

func errOf(_ string, err error) error { return err }

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var apiErr *softauthn.APIError
	if !errors.As(err, &apiErr) {
		t.Errorf("%s: got %v, want a refusal %q", what, err, code)
		return
	}
	if apiErr.Code != code {
		t.Errorf("%s: refused with %q (%s), want %q", what, apiErr.Code, apiErr.Message, code)
	}
}
