package oidc_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/wardauth/ward/secret"
	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/server/store/dbtest"
)

// The browser flow end to end, as a CLI does it: PKCE, loopback redirect,
// code exchange, ID token verified by an independent OIDC client, the
// access token accepted by /v1/me, then a refresh rotation.
func TestAuthorizationCodeFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		tok := e.login(t)

		rt := tok.RefreshToken
		if err := secret.Check(rt, secret.RefreshToken); err != nil {
			t.Fatalf("refresh token %q is not in the wardr_ format: %v", rt, err)
		}
		provider, err := gooidc.NewProvider(ctx, e.srv.URL)
		if err != nil {
			t.Fatalf("discovery: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := provider.Verifier(&gooidc.Config{ClientID: "ward-cli"}).Verify(ctx, raw)
		if err != nil {
			t.Fatalf("ID token does not verify: %v", err)
		}
		var claims struct {
			Email string   `json:"email"`
			AMR   []string `json:"amr"`
			SID   string   `json:"sid"`
		}
		idt.Claims(&claims)
		if claims.Email != "ada@example.com" || !slices.Contains(claims.AMR, "passkey") || claims.SID == "" {
			t.Errorf("ID token claims %+v: want the email, amr passkey and a session ID", claims)
		}

		who := mustMe(t, e.srv.URL, tok.AccessToken)
		if who["email"] != "ada@example.com" || who["session_id"] != claims.SID || who["client_id"] != "ward-cli" {
			t.Errorf("/v1/me = %v", who)
		}

		// Rotation: a new refresh token each time, the old one spent.
		out, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(rt))
		if oerr != nil {
			t.Fatalf("refresh: %+v", oerr)
		}
		next, _ := out["refresh_token"].(string)
		if next == "" || next == rt {
			t.Fatalf("refresh did not rotate: %v", out)
		}
		if left, _ := out["refresh_token_expires_in"].(float64); left < 29*24*3600 || left > 30*24*3600 {
			t.Errorf("refresh_token_expires_in = %v, want about 30 days (the session lifetime)", out["refresh_token_expires_in"])
		}
		if _, ok := out["id_token"]; ok {
			t.Errorf("a refresh returned an ID token; a refresh is not an authentication")
		}
		mustMe(t, e.srv.URL, out["access_token"].(string))
	})
}

func TestDiscoveryAdvertisesOnlyWhatIsAccepted(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	p, err := gooidc.NewProvider(context.Background(), e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		PKCE   []string `json:"code_challenge_methods_supported"`
		Grants []string `json:"grant_types_supported"`
		Device string   `json:"device_authorization_endpoint"`
		Revoke string   `json:"revocation_endpoint"`
		Intro  string   `json:"introspection_endpoint"`
	}
	if err := p.Claims(&d); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.PKCE, []string{"S256"}) {
		t.Errorf("PKCE methods %v, want only S256", d.PKCE)
	}
	if !slices.Contains(d.Grants, "urn:ietf:params:oauth:grant-type:device_code") || d.Device == "" || d.Revoke == "" || d.Intro == "" {
		t.Errorf("discovery lacks an endpoint or grant: %+v", d)
	}
}

// The device flow as a headless machine does it, approved on the page by
// the signed-in person.
func TestDeviceFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		da, err := e.conf.DeviceAuth(ctx)
		if err != nil {
			t.Fatalf("device authorization: %v", err)
		}
		if len(da.UserCode) != 9 || da.UserCode[4] != '-' || da.Interval != 5 || da.Expiry.Sub(time.Now()) > 15*time.Minute {
			t.Fatalf("device authorization %+v: want an XXXX-XXXX code, 5 s interval, 15 min expiry", da)
		}
		if u, _ := url.Parse(da.VerificationURIComplete); u.Query().Get("user_code") != da.UserCode {
			t.Errorf("verification_uri_complete %q does not carry the code", da.VerificationURIComplete)
		}
		// Typed lower-case with a space instead of the dash: still found.
		typed := string([]byte{da.UserCode[0] | 0x20}) + da.UserCode[1:4] + " " + da.UserCode[5:]
		if status := e.decideDevice(t, typed, "approve"); status != 200 {
			t.Fatalf("approval answered %d", status)
		}
		tok, err := e.conf.DeviceAccessToken(ctx, da)
		if err != nil {
			t.Fatalf("device token: %v", err)
		}
		if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
			t.Errorf("device flow gave no refresh or ID token")
		}
		mustMe(t, e.srv.URL, tok.AccessToken)

		// The device code is consumed: a second poll gets nothing.
		_, oerr := postForm(t, e.srv.URL+"/oauth/token", url.Values{
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da.DeviceCode}, "client_id": {"ward-cli"},
		})
		wantError(t, oerr, "invalid_grant", "already used")
	})
}

func TestDeviceDenied(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t))
	da, err := e.conf.DeviceAuth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.decideDevice(t, da.UserCode, "deny")
	_, oerr := postForm(t, e.srv.URL+"/oauth/token", deviceForm(da))
	wantError(t, oerr, "access_denied", "denied")
}

func deviceForm(da *oauth2.DeviceAuthResponse) url.Values {
	return url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da.DeviceCode}, "client_id": {"ward-cli"}}
}

// Revoking a refresh token (RFC 7009) revokes its family: the access
// token stops working at once.
func TestRevocationRevokesTheFamily(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		tok := e.login(t)
		if _, oerr := postForm(t, e.srv.URL+"/oauth/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {"ward-cli"}}); oerr != nil {
			t.Fatalf("revoke: %+v", oerr)
		}
		wantMeRefused(t, e.srv.URL, tok.AccessToken, "after revocation")
		_, oerr := postForm(t, e.srv.URL+"/oauth/token", refreshForm(tok.RefreshToken))
		wantError(t, oerr, "invalid_grant", "revoked by the client")
	})
}

// A login without offline_access gets an access token and no refresh
// token, and that access token can still be revoked.
func TestLoginWithoutOfflineAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, st store.Store) {
		e := newEnv(t, st)
		e.conf.Scopes = []string{"openid"}
		tok := e.login(t)
		if tok.RefreshToken != "" {
			t.Errorf("got a refresh token without asking for offline_access")
		}
		mustMe(t, e.srv.URL, tok.AccessToken)
		if _, oerr := postForm(t, e.srv.URL+"/oauth/revoke", url.Values{"token": {tok.AccessToken}, "client_id": {"ward-cli"}}); oerr != nil {
			t.Fatal(oerr)
		}
		wantMeRefused(t, e.srv.URL, tok.AccessToken, "after revoking the access token")
	})
}
