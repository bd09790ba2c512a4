package oidc_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

func addResourceServer(t *testing.T, st store.Store, id, secret string) {
	t.Helper()
	sum := sha256.Sum256([]byte(secret))
	if err := st.Clients().Put(context.Background(), &store.Client{
		ID: id, Name: id, SecretHash: sum[:], GrantTypes: []string{}, CreatedAt: time.Now(),
	}); err != nil {
		t.Fatal(err)
	}
}

func introspect(t *testing.T, issuer, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("api", "api-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("introspection answered %s", resp.Status)
	}
	var out map[string]any
	if err := jsonDecode(resp, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIntrospection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		addResourceServer(t, st, "api", "api-secret")
		tok := e.login(t)

		at := introspect(t, e.srv.URL, tok.AccessToken)
		if at["active"] != true || at["client_id"] != "ward-cli" || at["sid"] == "" || at["token_type"] != "Bearer" || !strings.Contains(at["scope"].(string), "openid") {
			t.Errorf("access token introspection = %v", at)
		}
		rt := introspect(t, e.srv.URL, tok.RefreshToken)
		if rt["active"] != true || rt["token_type"] != "refresh_token" || rt["sub"] != at["sub"] {
			t.Errorf("refresh token introspection = %v", rt)
		}
		if got := introspect(t, e.srv.URL, "garbage"); got["active"] != false || len(got) != 1 {
			t.Errorf("garbage introspected as %v; want only active=false", got)
		}

		// A rotated refresh token is spent; a revoked family's access token is dead.
		postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
		if got := introspect(t, e.srv.URL, tok.RefreshToken); got["active"] != false {
			t.Errorf("spent refresh token introspected as %v", got)
		}
		postForm(t, e.srv.URL+"/oauth/revoke", url.Values{"token": {tok.AccessToken}, "client_id": {"ward-cli"}})
		if got := introspect(t, e.srv.URL, tok.AccessToken); got["active"] != false {
			t.Errorf("revoked access token introspected as %v", got)
		}
	})
}

// Only authenticated resource servers may introspect (RFC 7662 §2.1).
func TestIntrospectionNeedsClientAuthentication(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	addResourceServer(t, e.srv.Store, "api", "api-secret")
	tok := e.login(t)
	for name, form := range map[string]url.Values{
		"public client": {"token": {tok.AccessToken}, "client_id": {"ward-cli"}},
		"wrong secret":  {"token": {tok.AccessToken}, "client_id": {"api"}, "client_secret": {"nope"}},
	} {
		_, oerr := postForm(t, e.srv.URL+"/oauth/introspect", form)
		if oerr == nil || oerr.Code != "invalid_client" || oerr.status/100 != 4 {
			t.Errorf("%s: introspection was not refused with invalid_client: %+v", name, oerr)
		}
	}
}
