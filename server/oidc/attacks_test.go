package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

func codeForm(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {loopback}, "client_id": {"ward-cli"}}
}

// PKCE is mandatory and S256 only; the refusal goes back to the (valid)
// redirect URI as RFC 6749 §4.1.2.1 requires.
func TestAuthorizeRefusesMissingOrPlainPKCE(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"missing": nil,
		"plain": {oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")},
	} {
		loc := e.authorize(t, e.conf.AuthCodeURL("st4te", opts...))
		q := loc.Query()
		if q.Get("error") != "invalid_request" || q.Get("code") != "" || !strings.Contains(q.Get("error_description"), "S256") {
			t.Errorf("%s PKCE: redirected to %s; want error=invalid_request naming S256 and no code", name, loc)
		}
	}
}

func TestCodeExchangeRefusesWrongVerifier(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	code := e.code(t, oauth2.GenerateVerifier())
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", codeForm(code, oauth2.GenerateVerifier()))
	wantError(t, oerr, "invalid_grant", "code_verifier")
	_, oerr = postForm(t, e.srv.URL+"/oauth/token", codeForm(code, ""))
	wantError(t, oerr, "invalid_grant", "code_verifier")
}

// A redirect URI that is not registered is never redirected to: the error
// is shown by the server itself.
func TestAuthorizeRefusesForeignRedirects(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	for _, redirect := range []string{
		"http://127.0.0.1:49152/elsewhere", // another path
		"http://evil.example/callback",     // not loopback
		"https://evil.example/callback",
		"http://localhost:49152/callback", // a name, not an IP literal (RFC 8252 §8.3)
		"http://127.0.0.1:49152/callback?x=1",
	} {
		conf := *e.conf
		conf.RedirectURL = redirect
		resp, err := e.user.HTTP.Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("redirect_uri %s: answered %s, Location %q; want 400 and no redirect (%s)", redirect, resp.Status, resp.Header.Get("Location"), body)
		}
	}
}

// The loopback port is the CLI's to choose (RFC 8252 §7.3), on IPv4 or v6.
func TestAuthorizeAcceptsAnyLoopbackPort(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	for _, redirect := range []string{"http://127.0.0.1:1234/callback", "http://[::1]:65000/callback"} {
		conf := *e.conf
		conf.RedirectURL = redirect
		loc := e.authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if loc.Query().Get("code") == "" || !strings.HasPrefix(loc.String(), redirect) {
			t.Errorf("redirect_uri %s: redirected to %s", redirect, loc)
		}
	}
}

// A code redeemed twice is stolen or buggy: the second try fails and what
// the first one issued is revoked (RFC 9700 §4.5).
func TestCodeReplayRevokesWhatItIssued(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		v := oauth2.GenerateVerifier()
		code := e.code(t, v)
		first, oerr := postForm(t, e.srv.URL+"/oauth/token", codeForm(code, v))
		if oerr != nil {
			t.Fatalf("first exchange: %+v", oerr)
		}
		mustMe(t, e.srv.URL, first["access_token"].(string))
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", codeForm(code, v))
		wantError(t, oerr, "invalid_grant", "already used")
		wantMeRefused(t, e.srv.URL, first["access_token"].(string), "access token of a replayed code")
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", refreshForm(first["refresh_token"].(string)))
		wantError(t, oerr, "invalid_grant", "replayed")
	})
}

// Of many simultaneous redemptions of one code, exactly one gets tokens.
func TestConcurrentCodeRedemption(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	v := oauth2.GenerateVerifier()
	code := e.code(t, v)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 10 {
		wg.Go(func() {
			resp, err := http.PostForm(e.srv.URL+"/oauth/token", codeForm(code, v))
			if err == nil && resp.StatusCode == 200 {
				mu.Lock()
				wins++
				mu.Unlock()
			}
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d redemptions succeeded, want exactly 1", wins)
	}
}

func TestExpiredAuthorizationCode(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	v := oauth2.GenerateVerifier()
	code := e.code(t, v)
	e.srv.Clock.Advance(61 * time.Second)
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", codeForm(code, v))
	wantError(t, oerr, "invalid_grant", "expired")
}

// A code is bound to the client it was issued to.
func TestCodeOfAnotherClient(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	sum := sha256.Sum256([]byte("other-secret"))
	if err := e.srv.Store.Clients().Put(context.Background(), &store.Client{
		ID: "other", Name: "Other", SecretHash: sum[:], RedirectURIs: []string{loopback},
		GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid"}, CreatedAt: time.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	v := oauth2.GenerateVerifier()
	form := codeForm(e.code(t, v), v)
	form.Set("client_id", "other")
	form.Set("client_secret", "other-secret")
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", form)
	wantError(t, oerr, "invalid_grant", "another client")
}

// Presenting a spent refresh token after the grace window revokes the
// whole family: the thief's and the owner's tokens both stop working.
func TestRefreshReuseRevokesFamily(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		tok := e.login(t)
		out, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
		if oerr != nil {
			t.Fatal(oerr)
		}
		e.srv.Clock.Advance(11 * time.Second) // past the 10 s grace window
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
		wantError(t, oerr, "invalid_grant", "already used")
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", refreshForm(out["refresh_token"].(string)))
		wantError(t, oerr, "invalid_grant", "reused")
		wantMeRefused(t, e.srv.URL, out["access_token"].(string), "access token of a revoked family")
	})
}

// A client that lost the rotation response may retry within the grace
// window; the successor it never received is revoked in exchange.
func TestRefreshRetryWithinGrace(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	tok := e.login(t)
	lost, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
	if oerr != nil {
		t.Fatal(oerr)
	}
	e.srv.Clock.Advance(2 * time.Second)
	retried, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
	if oerr != nil {
		t.Fatalf("retry within grace: %+v", oerr)
	}
	if _, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(retried["refresh_token"].(string))); oerr != nil {
		t.Fatalf("the retried successor does not work: %+v", oerr)
	}
	_, oerr = postForm(t, e.srv.URL+"/oauth/token", refreshForm(lost["refresh_token"].(string)))
	if oerr == nil {
		t.Fatal("the lost successor still works after the retry")
	}
}

// The grace is for one lost response, not a second copy of the token:
// a second retry is reuse, and revokes the family.
func TestRefreshRetriesOnlyOnce(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	tok := e.login(t)
	for i := range 2 {
		if _, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken)); oerr != nil {
			t.Fatalf("use %d: %+v", i+1, oerr)
		}
		e.srv.Clock.Advance(time.Second)
	}
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
	wantError(t, oerr, "invalid_grant", "already used")
}

// Refresh stops at the session lifetime, with words a person can act on.
func TestRefreshAfterSessionLifetime(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	tok := e.login(t)
	e.srv.Clock.Advance(30*24*time.Hour + time.Minute)
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
	wantError(t, oerr, "invalid_grant", "session expired after 30 days")
}

func TestRefreshRefusesForgedAndMistyped(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	tok := e.login(t)
	typo := []byte(tok.RefreshToken)
	typo[10] ^= 1
	for _, bad := range []string{string(typo), "wardr_" + strings.Repeat("0", 49), "not-a-token"} {
		_, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(bad))
		wantError(t, oerr, "invalid_grant", "")
	}
}

func TestDevicePollingTooFast(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		da, err := e.conf.DeviceAuth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Clock.Advance(5 * time.Second)
		_, oerr := postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
		wantError(t, oerr, "authorization_pending", "")
		e.srv.Clock.Advance(time.Second) // 1 s later: too soon
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
		wantError(t, oerr, "slow_down", "10 seconds")
		e.srv.Clock.Advance(6 * time.Second) // the interval is now 10 s
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
		wantError(t, oerr, "slow_down", "")
		e.srv.Clock.Advance(16 * time.Second)
		_, oerr = postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
		wantError(t, oerr, "authorization_pending", "")
	})
}

func TestExpiredDeviceCode(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	da, err := e.conf.DeviceAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Clock.Advance(15*time.Minute + time.Second)
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
	wantError(t, oerr, "expired_token", "")
	if status := e.decideDevice(t, da.UserCode, "approve"); status == 200 {
		t.Error("an expired user code could still be approved")
	}
}

// User codes carry ~34 bits: guessing must be cut off, and the limit
// must not be per-node (it is counted in the store).
func TestUserCodeGuessingIsLimited(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	da, err := e.conf.DeviceAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		body := e.lookupDevice(t, "BCDF-GH"+string("JKLMNPQRSTVWXZBCDFGH"[i])+"K")
		if strings.Contains(body, "too many") {
			t.Fatalf("cut off after %d guesses; the limit is 20", i)
		}
	}
	// The right code, but past the limit: refused all the same.
	if body := e.lookupDevice(t, da.UserCode); !strings.Contains(body, "too many") {
		t.Fatalf("the 21st lookup was not refused: %s", body)
	}
}

func (e *env) lookupDevice(t *testing.T, code string) string {
	t.Helper()
	_, page := e.submit(t, "/device", url.Values{"user_code": {code}})
	return strings.ToLower(page)
}

// Tokens not signed by the server's keys, or not signed at all, are
// refused by the API.
func TestForgedAccessTokensRefused(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	tok := e.login(t)
	payload := strings.Split(tok.AccessToken, ".")[1]

	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + "."
	wantMeRefused(t, e.srv.URL, none, "alg none")

	// Same claims, signed by a key the server never published, under the
	// server's own key ID.
	var header struct {
		Kid string `json:"kid"`
	}
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[0])
	json.Unmarshal(h, &header)
	claims, _ := base64.RawURLEncoding.DecodeString(payload)
	rogue, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, kid := range []string{header.Kid, "unknown-key"} {
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: rogue}, (&jose.SignerOptions{}).WithHeader("kid", kid))
		jws, _ := signer.Sign(claims)
		forged, _ := jws.CompactSerialize()
		wantMeRefused(t, e.srv.URL, forged, "signed by a rogue key as "+kid)
	}
	mustMe(t, e.srv.URL, tok.AccessToken)
}

// A page on another site cannot approve a device code for the signed-in
// person: the approval form needs the CSRF token and a same-origin POST.
func TestDeviceApprovalCSRF(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	da, err := e.conf.DeviceAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	csrf, err := e.user.CSRF(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ origin, csrf string }{
		"no token":          {e.srv.URL, ""},
		"wrong token":       {e.srv.URL, "forged"},
		"cross-site origin": {"https://evil.example", csrf},
		"no origin":         {"", csrf},
	} {
		form := url.Values{"user_code": {da.UserCode}, "decision": {"approve"}}
		if tc.csrf != "" {
			form.Set("csrf", tc.csrf)
		}
		req, _ := http.NewRequest("POST", e.srv.URL+"/device/decide", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		resp, err := e.user.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: approval answered %s, want 403", name, resp.Status)
		}
	}
	e.srv.Clock.Advance(5 * time.Second)
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
	wantError(t, oerr, "authorization_pending", "")
}
